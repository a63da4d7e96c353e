/* Test fixture: a platform (root, publisher), one brand "acme-bank" with an Ed25519 key, and
 * helpers that mint bundles and tokens with the real signing core. Seeds are fixed, so every
 * byte is deterministic. */
#ifndef HM_FIXTURE_H
#define HM_FIXTURE_H

#include <jansson.h>

#include "hm_signkey.h"

#define FX_NOW 1795597200LL /* 2026-11-25T09:00:00Z */
#define FX_DAY 86400LL

struct fx {
    hm_signkey *root, *publisher, *brand;
    char root_b64[48];
    char *credential; /* compact JWS, owned */
    const char *key_state;
};

/* Creates the keys and the credential. Returns 0 on success. */
int fx_init(struct fx *fx);
void fx_free(struct fx *fx);
/* Re-signs the credential at level ("basic", ...) with the member domain (NULL: none); the
 * claims of fx_claims must be made after it (they carry its digest). 0 on success. */
int fx_set_level(struct fx *fx, const char *level, const char *domain);

/* Re-signs the credential with senders (not consumed) in place of its sender entries; the claims
 * of fx_claims must be made after it. 0 on success. */
int fx_set_senders(struct fx *fx, const json_t *senders);

/* Signs the exact header and payload texts (any bytes: duplicate keys, trailing data...) as a
 * compact JWS; malloc'd string. */
char *fx_sign_raw(const hm_signkey *key, const char *header, const char *payload);

/* Signs payload (a JSON object, not consumed) as a compact JWS with typ; malloc'd string. */
char *fx_sign(const hm_signkey *key, const char *typ, const char *alg, const json_t *payload);

/* A bundle (malloc'd) with the given serial and exp, signed by the fixture's publisher. */
char *fx_bundle(const struct fx *fx, long long serial, long long exp);

/* The claims of a valid token for an sms from ACMEBANK to +447700900123 with body; the caller
 * may edit them before fx_token. New reference. */
json_t *fx_claims(const struct fx *fx, const char *body);

/* A token over claims signed by the brand key. malloc'd. */
char *fx_token(const struct fx *fx, const json_t *claims);

/* The platform id of fx_bundle's bundles. */
#define FX_PLATFORM "Hallmark Test"

/* A verifier for FX_PLATFORM pinning the one root root_b64 (threshold 1). */
hallmark_result fx_verifier(hallmark_verifier **out, const char *root_b64);

/* Loads len bytes of bundle as an app with no persisted state would (the verifier still holds
 * its own floor); *serial (may be NULL) gets the serial of the state the load returns. */
hallmark_result fx_load(hallmark_verifier *v, const char *bundle, size_t len, int64_t now,
                        uint64_t *serial, hallmark_error *err);

#endif
