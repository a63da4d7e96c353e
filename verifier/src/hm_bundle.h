/* The trust bundle (spec §6): loading checks every piece, the root chain, the publisher
 * certificate and every signature, and yields an immutable hm_trust that verifications share. */
#ifndef HM_BUNDLE_H
#define HM_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "hallmark.h"
#include "hm_digest.h"
#include "hm_key.h"

#define HM_BUNDLE_MAX ((size_t)32 * 1024 * 1024)
#define HM_SKEW 300
/* [HM-BUNDLE-90]: the longest bundle lifetime, exp - iat (14 days, [HM-TRUST-72]). */
#define HM_BUNDLE_LIFETIME_MAX (14LL * 86400)
/* [HM-BUNDLE-86]: the range of a bundle's status_every, in seconds. */
#define HM_STATUS_EVERY_MIN 300LL
#define HM_STATUS_EVERY_MAX 86400LL

typedef enum hm_key_state {
    HM_KEY_PENDING,
    HM_KEY_ACTIVE,
    HM_KEY_RETIRING,
    HM_KEY_RETIRED,
    HM_KEY_REVOKED
} hm_key_state;

typedef struct hm_sender_entry {
    char *channel;
    char *value;
    char *country; /* [HM-CRED-62]: "+44"; NULL when the entry names none */
    int is_prefix;
    int always_signed; /* [HM-CRED-61] */
} hm_sender_entry;

typedef struct hm_superseded {
    unsigned char cred[HM_SHA256_BYTES];
    long long until;
} hm_superseded;

/* Every category of spec §2.3: bits 1 to 5 (HALLMARK_CATEGORY_TRANSACTIONAL to _SERVICE). */
#define HM_ALL_CATEGORIES 0x3Eu

/* A volume cap of a credential's policy ([HM-CRED-90]): at most max tokens of the category to
 * one recipient within any period seconds. */
#define HM_CAPS_MAX 5U
typedef struct hm_cap {
    hallmark_category category;
    unsigned max;
    long long period;
} hm_cap;

typedef struct hm_brand {
    char *id, *name, *logo_url;
    char *domain; /* the verified domain ([HM-CRED-41]); NULL when the credential has none */
    unsigned char logo_sha256[HM_SHA256_BYTES];
    uint32_t logo_width, logo_height;
    char primary[8], background[8];
    hallmark_level level;
    hm_sender_entry *senders;
    size_t sender_count;
    char **domains;
    size_t domain_count;
    char **phones; /* E.164 numbers call actions may dial ([HM-CRED-45]); NULL-terminated */
    size_t phone_count;
    unsigned categories;      /* bit (1 << hallmark_category) per category the credential lists
                                 ([HM-CRED-75]); HM_ALL_CATEGORIES when it has no "categories" */
    hm_cap caps[HM_CAPS_MAX]; /* the credential's policy ([HM-CRED-90]); none when absent */
    size_t cap_count;
    int marketing_opt_in; /* [HM-CRED-92] */
    long long nbf, exp;
    unsigned char cred[HM_SHA256_BYTES];
    hm_superseded *superseded;
    size_t superseded_count;
    int revoked;
    /* Checked on first use (§6.6 [HM-BUNDLE-110]): the credential's signature by the bundle's
     * publishing key, over its signing input exactly as received, and the point check of each
     * of its keys (trust->brand_keys[first_key] to [first_key + key_total - 1]). */
    char *cred_input; /* held (hm_cred_input_*): shared with the copies of later bundles */
    size_t cred_input_len;
    unsigned char cred_sig[HM_SIG_BYTES];
    size_t cred_sig_len; /* anything but 64 fails the check */
    size_t first_key, key_total;
    int foreign; /* its credential names another platform than the bundle's ([HM-CRED-60]) */
} hm_brand;

typedef struct hm_brand_key {
    hm_pubkey pub; /* pub.alg is HM_ALG_UNKNOWN when this build cannot verify alg */
    hm_alg alg;    /* the pinned algorithm */
    hm_key_state state;
    long long nbf, exp;
    size_t brand; /* index into brands */
    /* [HM-TRUST-65]: with scoped, the key signs only for the listed channels (none listed: every
     * channel) and the listed entries of its brand's senders (none listed: every entry). */
    int scoped;
    char **scope_channels; /* owned, scope_channel_count strings */
    size_t scope_channel_count;
    size_t *scope_senders; /* owned: indices into the brand's senders */
    size_t scope_sender_count;
} hm_brand_key;

/* One slot of the sender claim index: an exact id or a prefix that some brand's entry lists. */
typedef struct hm_claim_slot {
    const hm_sender_entry *entry; /* borrowed from the first brand that lists it; NULL: empty */
    size_t brand;                 /* that brand's index */
    int shared;                   /* 1 when another brand lists the same entry too */
} hm_claim_slot;

/* The app's pins (spec §1.2 [HM-TRUST-60]): platform id, root set, threshold. */
#define HM_ROOT_SET_MAX 16U

typedef struct hm_anchor {
    char *platform;   /* owned; NULL only for operator-side callers that check no platform */
    hm_pubkey *roots; /* owned, root_count keys */
    size_t root_count;
    size_t threshold;
    char digest[HM_SHA256_B64_LEN + 1]; /* §6.8 "anchor" */
} hm_anchor;

/* A trust state (§6.8): where the app's history of accepted bundles stands. */
#define HM_STATE_MAX 1024U

typedef struct hm_trust_state {
    int present; /* 0: no history (first use, or pins changed [HM-BUNDLE-71]) */
    long long root_seq;
    char root[HM_SHA256_B64_LEN + 1]; /* "" when root_seq is 0 */
    long long generation;
    char publisher[HM_KID_LEN + 1];
    long long serial;
    long long status; /* the status floor ([HM-BUNDLE-92]): 0 until a status is accepted */
} hm_trust_state;

typedef struct hm_trust {
    hm_trust_state position; /* this bundle's chain position, generation, publisher, serial */
    char *platform;          /* the bundle's platform id, owned */
    char *consent_url;       /* the platform's consent endpoint ([HM-BUNDLE-96]), owned; NULL */
    uint64_t serial;
    long long iat, exp;
    long long status_every;             /* [HM-BUNDLE-86]: 0 when the bundle needs no status */
    char digest[HM_SHA256_B64_LEN + 1]; /* b64u(SHA-256(bundle bytes)), named by a status */
    unsigned char publisher_raw[HM_ED25519_PUBLIC_BYTES]; /* its publishing key, for the status */
    hm_pubkey publisher_key; /* the same key, for the brand checks of [HM-BUNDLE-110] */
    hm_brand *brands;
    size_t brand_count;
    hm_brand_key *keys; /* sorted by kid for binary search */
    size_t key_count;
    /* Every sender entry of every brand that is not revoked, hashed by (kind, channel, value),
     * so that the brands claiming one sender id are found in O(length of the id) lookups
     * (§5.6 ownership), whatever the number of brands. */
    hm_claim_slot *claims;
    size_t claim_mask;
    size_t *brand_keys; /* indices into keys, grouped by brand (hm_brand.first_key) */
    size_t *brand_ids;  /* brand index + 1 by FNV-1a of its id (open addressing); 0 empty */
    size_t brand_id_mask;
    unsigned char *checks; /* per brand, an HM_CHECK_* value; read and written atomically */
    /* Per brand, the SHA-256 of its element of "brands" exactly as received, for the next
     * reload ([HM-BUNDLE-114]); NULL when the payload was read whole. */
    unsigned char (*entry_digests)[HM_SHA256_BYTES];
} hm_trust;

/* A brand entry's check on first use (§6.6 [HM-BUNDLE-110]). Several threads may run it for
 * one brand at once: each reaches the same result and stores it, so no lock is taken. */
#define HM_CHECK_UNKNOWN 0U
#define HM_CHECK_OK 1U
#define HM_CHECK_BAD_KEY 2U        /* a key fails its point check: HALLMARK_BUNDLE_MALFORMED */
#define HM_CHECK_BAD_CREDENTIAL 3U /* HALLMARK_BUNDLE_BAD_SIGNATURE */

/*
 * Fills anchor from the app's pins: platform (copied; NULL for operator-side callers, which then
 * check no platform), root_count base64url Ed25519 keys, threshold in [1, root_count].
 * HALLMARK_OK, HALLMARK_ERR_INVALID_ARGUMENT, HALLMARK_ERR_INVALID_KEY or HALLMARK_ERR_NOMEM;
 * hm_anchor_clear after any result.
 */
hallmark_result hm_anchor_init(hm_anchor *anchor, const char *platform, const char *const *roots,
                               size_t root_count, size_t threshold);

/* As hm_anchor_init for one already validated root key (copied), threshold 1. */
hallmark_result hm_anchor_init_key(hm_anchor *anchor, const char *platform, const hm_pubkey *root);

void hm_anchor_clear(hm_anchor *anchor);

/*
 * Reads a persisted state (§6.8): len 0 gives a state with present 0. HALLMARK_OK or
 * HALLMARK_ERR_STATE_INVALID ([HM-BUNDLE-69]); a state of other pins gives present 0
 * ([HM-BUNDLE-71]).
 */
hallmark_result hm_trust_state_read(const hm_anchor *anchor, const unsigned char *buf, size_t len,
                                    hm_trust_state *out);

/* Writes state in the form of §6.8 into out (cap bytes, no NUL added); *len gets its length.
 * HALLMARK_OK, HALLMARK_ERR_BUFFER_TOO_SMALL or HALLMARK_ERR_NOMEM. */
hallmark_result hm_trust_state_write(const hm_anchor *anchor, const hm_trust_state *state,
                                     unsigned char *out, size_t cap, size_t *len);

/*
 * Loads bundle bytes against the anchor (§6.6 steps 2-14), checking steps 11-13 against each of
 * floor_count states in floors (persisted, held; entries may have present 0). *out receives a
 * new hm_trust owned by the caller (hm_trust_free). err (may be NULL) gets a static detail on
 * failure.
 */
hallmark_result hm_trust_load(const hm_anchor *anchor, const unsigned char *bundle, size_t len,
                              const hm_trust_state *const *floors, size_t floor_count, int64_t now,
                              hm_trust **out, hallmark_error *err);

/*
 * As hm_trust_load, but a brand entry's credential signature and key point checks are left to
 * hm_trust_brand_check, on first use ([HM-BUNDLE-110]); every other step runs here. previous
 * (may be NULL) is the bundle the caller holds: a brand entry whose checked bytes (credential
 * signing input and signature, the publishing key, its keys) equal those of an entry of previous
 * that was already checked takes that result without checking again.
 */
hallmark_result hm_trust_load_deferred(const hm_anchor *anchor, const unsigned char *bundle,
                                       size_t len, const hm_trust_state *const *floors,
                                       size_t floor_count, int64_t now, const hm_trust *previous,
                                       hm_trust **out, hallmark_error *err);

/*
 * The check of brand entry brand on first use ([HM-BUNDLE-110]): HALLMARK_OK,
 * HALLMARK_BUNDLE_MALFORMED (a key of the entry fails its point check) or
 * HALLMARK_BUNDLE_BAD_SIGNATURE (its credential is not signed by the publishing key). The first
 * call for a brand costs one signature verification and one point check per key; later calls,
 * from any thread, one atomic load. Thread-safe.
 */
hallmark_result hm_trust_brand_check(const hm_trust *trust, size_t brand);

/* Internal to the load (hm_brand_check.c): every brand checked now (hm_trust_load), or each
 * brand's result carried over from previous where its checked bytes are unchanged. */
hallmark_result hm_trust_check_all(const hm_trust *trust);
void hm_trust_carry_checks(hm_trust *trust, const hm_trust *previous);
/* The brand whose id is the n bytes at id, or -1 (brand_ids). */
long hm_trust_brand_index(const hm_trust *trust, const char *id, size_t n);

/* The key with this kid, or NULL. */
const hm_brand_key *hm_trust_find_key(const hm_trust *trust, const char *kid, size_t kid_len);

/*
 * 1 if two brands of the bundle that are not revoked claim sender id from on channel for
 * recipient to (canonical, or NULL when not valid) (§5.6 [HM-CRED-29], [HM-CRED-66]: an exact
 * entry equal to it for to's country or for none, a prefix it starts with, an e-mail domain it is
 * within), else 0. O(length of from) hash lookups.
 */
int hm_trust_sender_contested(const hm_trust *trust, const char *channel, const char *from,
                              const char *to);

/*
 * 1 if sender from on channel always signs for recipient to ([HM-VERIFY-43]): the one brand that
 * claims it (not revoked, not contested) has a credential valid at now and an always_signed entry
 * that authorizes from for to. from and to are canonical; either may be NULL (not valid for the
 * channel), which gives 0. O(length of from) lookups and one scan of that brand's entries.
 */
int hm_trust_sender_always_signed(const hm_trust *trust, const char *channel, const char *from,
                                  const char *to, long long now);

/*
 * The first pair of overlapping sender entries (§5.6 [HM-CRED-28]) of two brands that are not
 * revoked, for a publisher that must not publish one ([HM-CRED-30]): 1 with *a and *b (borrowed,
 * of brands *brand_a and *brand_b), or 0 when every sender belongs to one brand. O(entries x
 * their length) lookups, plus one scan of the entries once an overlap is found.
 */
int hm_trust_first_overlap(const hm_trust *trust, const hm_sender_entry **a, size_t *brand_a,
                           const hm_sender_entry **b, size_t *brand_b);

void hm_trust_free(hm_trust *trust);

/* A brand's credential signing input (hm_brand.cred_input): len bytes and a NUL in a block that
 * counts its holders, so that a reload's copy of an unchanged brand ([HM-BUNDLE-114]) holds the
 * same bytes once more instead of copying them (~2 KB a brand, 20 MB for 10,000). new: NULL
 * without memory; share: input, held once more; release: once per new or share (NULL ignored),
 * the last frees. The count is atomic: the previous bundle may be freed on another thread. */
char *hm_cred_input_new(const char *src, size_t len);
char *hm_cred_input_share(char *input);
void hm_cred_input_release(char *input);

#endif
