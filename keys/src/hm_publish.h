/* What hallmark-keys publishes, built from the keystore state (spec §5, §6): brand credentials,
 * key entries, the trust bundle and a JWKS per brand. Pure functions of the state and the time,
 * apart from the signatures, which are deterministic too (Ed25519). */
#ifndef HM_PUBLISH_H
#define HM_PUBLISH_H

#include <jansson.h>

#include "hallmark.h"
#include "hm_bundle.h"
#include "hm_claims.h"
#include "hm_digest.h"
#include "hm_signkey.h"

/* A retired key stays in bundles until every token it signed has expired: HM_TOKEN_LIFETIME_MAX
 * (hm_claims.h) after its retirement, plus the clock skew HM_SKEW (hm_bundle.h). */

/* The credential payload of a state brand object (new reference), members in the spec's order.
 * platform (the keystore's platform id; NULL: none, as in the credentials of earlier releases)
 * goes into the credential ([HM-CRED-80]). */
json_t *hm_pub_credential_payload(const json_t *brand, const char *platform);

/* The `cred` digest tokens carry: base64url SHA-256 of the compact payload (spec §2.5). */
hallmark_result hm_pub_credential_digest(const json_t *brand, const char *platform,
                                         char out[HM_SHA256_B64_LEN + 1]);

/* The entry of the brand's senders that a key scope's sender entry stands for: the same channel,
 * id or prefix and country, whatever its always_signed (borrowed), or NULL ([HM-BUNDLE-81]). */
const json_t *hm_pub_scope_sender(const json_t *brand, const json_t *scope_entry);

/* NULL when the key's scope (absent: no scope) fits the brand's senders ([HM-BUNDLE-81]), else
 * the first channel or sender entry that does not (borrowed). */
const json_t *hm_pub_scope_misfit(const json_t *brand, const json_t *key);

/* The bundle state name of a key ("pending", ..., "revoked"), or NULL when the key no longer
 * belongs in bundles at now (a retired key whose tokens have all expired, a destroyed key that
 * was never revoked). */
const char *hm_pub_bundle_state(const json_t *key, long long now);

/* The bundle key entry of a state key of brand (new reference), or NULL as above. A scope's
 * senders are written as the brand's entries they stand for (hm_pub_scope_sender), so that they
 * equal the credential's ([HM-BUNDLE-81]); the caller checked hm_pub_scope_misfit first. */
json_t *hm_pub_key_entry(const json_t *brand, const json_t *key, long long now);

/* A brand's JWKS (RFC 7517; new reference): the keys a JOSE consumer may verify with at now. */
json_t *hm_pub_jwks(const json_t *brand, long long now);

/*
 * Signs the trust bundle for the state: serial, iat, exp as given; every credential signed by
 * publisher. *out receives the compact JWS (malloc'd). HALLMARK_OK, HALLMARK_ERR_NOMEM or the
 * signing error.
 */
hallmark_result hm_pub_bundle(const json_t *state, const hm_signkey *publisher,
                              unsigned long long serial, long long iat, long long exp, char **out);

/*
 * Signs the status object (spec §6.9) of the bundle bytes published with serial: iat and exp as
 * given (exp - iat at most 86400), listing every key and brand of the state whose revoked_at is
 * at or after since (the bundle's iat: revoked since that bundle). *out receives the compact JWS
 * (malloc'd). HALLMARK_OK, HALLMARK_ERR_INVALID_ARGUMENT (a lifetime over a day),
 * HALLMARK_ERR_NOMEM or the signing error.
 */
hallmark_result hm_pub_status(const json_t *state, const hm_signkey *publisher,
                              unsigned long long serial, const char *bundle, long long since,
                              long long iat, long long exp, char **out);

/* The public JWK object of a key (canonical members; new reference). */
json_t *hm_pub_jwk(const hm_signkey *key);

#endif
