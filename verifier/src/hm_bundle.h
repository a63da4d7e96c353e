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
    int is_prefix;
} hm_sender_entry;

typedef struct hm_superseded {
    unsigned char cred[HM_SHA256_BYTES];
    long long until;
} hm_superseded;

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
    long long nbf, exp;
    unsigned char cred[HM_SHA256_BYTES];
    hm_superseded *superseded;
    size_t superseded_count;
    int revoked;
} hm_brand;

typedef struct hm_brand_key {
    hm_pubkey pub; /* pub.alg is HM_ALG_UNKNOWN when this build cannot verify alg */
    hm_alg alg;    /* the pinned algorithm */
    hm_key_state state;
    long long nbf, exp;
    size_t brand; /* index into brands */
} hm_brand_key;

/* One slot of the sender claim index: an exact id or a prefix that some brand's entry lists. */
typedef struct hm_claim_slot {
    const hm_sender_entry *entry; /* borrowed from the first brand that lists it; NULL: empty */
    size_t brand;                 /* that brand's index */
    int shared;                   /* 1 when another brand lists the same entry too */
} hm_claim_slot;

typedef struct hm_trust {
    uint64_t serial;
    long long iat, exp;
    hm_brand *brands;
    size_t brand_count;
    hm_brand_key *keys; /* sorted by kid for binary search */
    size_t key_count;
    /* Every sender entry of every brand that is not revoked, hashed by (kind, channel, value),
     * so that the brands claiming one sender id are found in O(length of the id) lookups
     * (§5.6 ownership), whatever the number of brands. */
    hm_claim_slot *claims;
    size_t claim_mask;
} hm_trust;

/*
 * Loads bundle bytes against the pinned roots (§6.6 steps 2-11). *out receives a new hm_trust
 * owned by the caller (hm_trust_free). err (may be NULL) gets a static detail on failure.
 */
hallmark_result hm_trust_load(const hm_pubkey *roots, size_t root_count,
                              const unsigned char *bundle, size_t len, uint64_t last_serial,
                              int64_t now, hm_trust **out, hallmark_error *err);

/* The key with this kid, or NULL. */
const hm_brand_key *hm_trust_find_key(const hm_trust *trust, const char *kid, size_t kid_len);

/*
 * 1 if two brands of the bundle that are not revoked claim sender id from on channel (§5.6
 * [HM-CRED-29]: an exact entry equal to it, a prefix it starts with, an e-mail domain it is
 * within), else 0. O(length of from) hash lookups.
 */
int hm_trust_sender_contested(const hm_trust *trust, const char *channel, const char *from);

/*
 * The first pair of overlapping sender entries (§5.6 [HM-CRED-28]) of two brands that are not
 * revoked, for a publisher that must not publish one ([HM-CRED-30]): 1 with *a and *b (borrowed,
 * of brands *brand_a and *brand_b), or 0 when every sender belongs to one brand. O(entries x
 * their length) lookups, plus one scan of the entries once an overlap is found.
 */
int hm_trust_first_overlap(const hm_trust *trust, const hm_sender_entry **a, size_t *brand_a,
                           const hm_sender_entry **b, size_t *brand_b);

void hm_trust_free(hm_trust *trust);

#endif
