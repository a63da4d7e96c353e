/* The signing library of hallmark-signer: one immutable signing set loaded from a keystore (the
 * trust bundle in force, each brand's active key decrypted into sodium_malloc memory and probed),
 * and the checks that decide whether a message may be signed, with the verifier's own rules
 * (hm_claims, hm_ids). Pipe mode and the HTTP service both use it. Internal to Hallmark.
 *
 * A signing set is read-only once loaded: any number of threads may sign with it at once. A
 * reload builds a new set beside the old one; the caller swaps them (hm_signer_ref/_unref). */
#ifndef HM_SIGNER_H
#define HM_SIGNER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "hallmark.h"
#include "hm_digest.h"
#include "hm_key.h"

/* The largest body accepted for signing (bytes before canonicalization). */
#define HM_SIGN_BODY_MAX ((size_t)64 * 1024)
/* The default and the longest token lifetime (spec HM-TOKEN-19, HM-TOKEN-18). */
#define HM_SIGN_TTL_DEFAULT 86400LL
/* The longest subject or title accepted for signing: RFC 5322's line limit. */
#define HM_SIGN_SUBJECT_MAX 998

typedef struct hm_signer hm_signer;

typedef struct hm_sign_action {
    const char *kind, *label, *url;
} hm_sign_action;

/* One message to sign; strings are borrowed (e.g. from the request's JSON). */
typedef struct hm_sign_request {
    const char *brand, *channel, *from, *to, *category, *sender_kind, *sender_name, *conv;
    const char *body;
    size_t body_len;
    hm_sign_action actions[HALLMARK_MAX_ACTIONS];
    size_t action_count;
    long long ttl; /* 0: HM_SIGN_TTL_DEFAULT */
    int directory; /* the token travels through the token directory (spec §9.5-9.6): always for
                    * sms, on request ("carriage": "directory") for rcs and whatsapp */
    /* Displayed fields and renderings (spec HM-TOKEN-47, -48, -50); NULL / 0: none. */
    const char *subject; /* the e-mail Subject or push title, signed as a digest */
    size_t subject_len;
    const char *reply_to; /* email only: signed in canonical form */
    int gsm7;             /* add the GSM-7 rendering's digest (default on for sms) */
} hm_sign_request;

typedef struct hm_sign_result {
    char *token;                             /* the compact JWS, malloc'd (hm_sign_result_clear) */
    char jti[24];                            /* the token id */
    char kid[HM_KID_LEN + 1];                /* the signing key */
    char body_sha256[HM_SHA256_B64_LEN + 1]; /* the body digest the token carries */
    const char *detail;                      /* static, or why: why it was refused */
    const char *field;                       /* static, or member: the field at fault, or NULL */
    char member[64];                         /* an unknown member's name, as given (truncated) */
    char why[256];                           /* a refusal's detail that names what was given */
    char lookup_key[HALLMARK_LOOKUP_KEY_LEN + 1]; /* with directory carriage: where it is kept */
    /* With directory carriage and a rendering in alt_body: kept there too (HM-CARRY-30). */
    char alt_lookup_key[HALLMARK_LOOKUP_KEY_LEN + 1];
    long long iat, exp; /* the token's window */
} hm_sign_result;

/*
 * Loads the signing set of the keystore in dir at time now: the published bundle
 * (published/bundle.jws, checked against the keystore's first root as an app would), and for each
 * brand that is not revoked, its active key if the bundle carries it. Every key signs a probe
 * message that must verify with the verifier library. *out receives a set with one reference.
 * HALLMARK_OK, or an error with a one-line reason in err (wrong passphrase, no bundle, a failed
 * probe, ...).
 */
hallmark_result hm_signer_load(const char *dir, const char *pass, size_t pass_len, long long now,
                               hm_signer **out, char *err, size_t err_cap);

/* Reference counting for reloads: thread-safe. The last unref wipes and frees the keys. */
hm_signer *hm_signer_ref(hm_signer *s);
void hm_signer_unref(hm_signer *s);

/*
 * Reads a request object: members brand, channel, from, to, body, category, sender {kind, name},
 * and optionally conv, actions [{kind, label, url}], ttl, carriage ("inline" or "directory";
 * sms is always "directory", rcs and whatsapp may ask for it), subject, reply_to and renderings
 * ([] or ["gsm7"], sms only; default ["gsm7"] on sms). Unknown members are refused. Strings
 * are borrowed from obj. HALLMARK_OK or HALLMARK_ERR_BAD_REQUEST / HALLMARK_ERR_TOO_LARGE with
 * res->detail and res->field.
 */
hallmark_result hm_sign_request_from_json(const json_t *obj, hm_sign_request *req,
                                          hm_sign_result *res);

/*
 * Checks and signs one message at time now. HALLMARK_OK with res->token; otherwise res->detail
 * and res->field say why: HALLMARK_ERR_UNKNOWN_BRAND, HALLMARK_BRAND_REVOKED,
 * HALLMARK_BRAND_EXPIRED, HALLMARK_ERR_NO_ACTIVE_KEY, HALLMARK_SENDER_NOT_AUTHORIZED,
 * HALLMARK_SENDER_CONTESTED (another brand of the bundle claims the sender; spec §5.6),
 * HALLMARK_ACTION_NOT_AUTHORIZED, HALLMARK_ERR_BAD_REQUEST, HALLMARK_ERR_TOO_LARGE,
 * HALLMARK_ERR_NOMEM or HALLMARK_ERR_INTERNAL.
 */
hallmark_result hm_signer_sign(const hm_signer *s, const hm_sign_request *req, long long now,
                               hm_sign_result *res);

void hm_sign_result_clear(hm_sign_result *res);

/* The published bundle the set was loaded from (borrowed), its serial, its expiry, and a JWKS of
 * every key the bundle carries that is not revoked (borrowed, compact JSON). */
const char *hm_signer_bundle(const hm_signer *s, size_t *len);
uint64_t hm_signer_serial(const hm_signer *s);
long long hm_signer_bundle_exp(const hm_signer *s);
const char *hm_signer_jwks(const hm_signer *s);
/* 1 if a brand of the bundle in force that is not revoked carries this logo digest (the 32 bytes
 * of its logo.sha256): the only logos the service hands out. */
int hm_signer_has_logo(const hm_signer *s, const unsigned char sha256[HM_SHA256_BYTES]);
/* 1 if the set can sign for brand id. */
int hm_signer_has_brand(const hm_signer *s, const char *id);
/* The calling thread's memo of recipient stems (hm_recipient_stem, [HM-TOKEN-55]): entries stems
 * (64 bytes each, guarded, wiped when released), so that a repeat recipient costs a microsecond
 * instead of the Argon2id's millisecond. Reserve it when a signing thread starts and release it
 * before it ends. HALLMARK_OK, HALLMARK_ERR_INVALID_ARGUMENT or HALLMARK_ERR_NOMEM. */
hallmark_result hm_signer_thread_memo(size_t entries);
/* Releases the memo and wipes the thread's pool of token ids (hm_jti.h). */
void hm_signer_thread_memo_release(void);

/* The policy of a brand's credential for a category (spec §5.11): *cap_max 0 when the category is
 * not capped, else at most *cap_max in *cap_period seconds; *opt_in_required 1 for marketing of
 * a brand whose policy needs an opt-in. 0 if the set has no such brand. */
int hm_signer_policy(const hm_signer *s, const char *brand, const char *category, unsigned *cap_max,
                     long long *cap_period, int *opt_in_required);
/* The brand (borrowed id) that holds sender on channel for recipient (both as received; they are
 * canonicalized): the one brand of the bundle, not revoked and valid at now, whose credential
 * authorizes it, when no other brand contests it ([HM-CARRY-51]); NULL otherwise. */
const char *hm_signer_sender_brand(const hm_signer *s, const char *channel, const char *sender,
                                   const char *recipient, long long now);
/* Verifies a message as an app of this platform would: pinned to the keystore's roots, on the
 * bundle the set was loaded from, at now (hallmark_verify). Thread-safe. */
hallmark_result hm_signer_verify(const hm_signer *s, const hallmark_message *m, long long now,
                                 hallmark_verification *out);
/* The bundle's consent_url ([HM-BUNDLE-96]), borrowed, or NULL. */
const char *hm_signer_consent_url(const hm_signer *s);
/* The number of brands the set can sign for. */
size_t hm_signer_brand_count(const hm_signer *s);
/* The number of signing keys (a brand may have several active keys of different scopes,
 * [HM-TRUST-65]); the brand id and kid of the i-th key, and its creation time (for metrics). */
size_t hm_signer_key_count(const hm_signer *s);
const char *hm_signer_brand_id(const hm_signer *s, size_t i);
const char *hm_signer_brand_kid(const hm_signer *s, size_t i);
long long hm_signer_key_created(const hm_signer *s, size_t i);

/* The stable lowercase code of a result for APIs: "sender_not_authorized", "unknown_brand" ...
 * (the result name without HALLMARK_ / HALLMARK_ERR_), and its HTTP status. */
const char *hm_sign_code(hallmark_result rc, char *buf, size_t cap);
int hm_sign_http_status(hallmark_result rc);

#endif
