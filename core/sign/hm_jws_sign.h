/* Producing compact JWS (RFC 7515 §7.1): the one signing path for tokens, credentials, publisher
 * certificates, root statements and bundles. Linked by signer/, keys/ and the test tools only
 * (libhmsign); the verifier library contains no signing code. Internal to Hallmark. */
#ifndef HM_JWS_SIGN_H
#define HM_JWS_SIGN_H

#include <jansson.h>
#include <stddef.h>

#include "hm_digest.h"
#include "hm_signkey.h"

/*
 * Signs header and payload bytes exactly as given: *out receives the malloc'd, NUL-terminated
 * b64u(header) "." b64u(payload) "." b64u(signature) (free with free()). HALLMARK_OK,
 * HALLMARK_ERR_INVALID_ARGUMENT, HALLMARK_ERR_NOMEM or the signing error.
 */
hallmark_result hm_jws_sign_raw(const hm_signkey *key, const char *header, size_t header_len,
                                const char *payload, size_t payload_len, char **out);

/*
 * The same with the header already in base64url (hm_jws_header_b64), for callers that sign many
 * payloads under one header: header_b64 "." b64u(payload) "." b64u(signature). Same results.
 */
hallmark_result hm_jws_sign_encoded(const hm_signkey *key, const char *header_b64,
                                    size_t header_b64_len, const char *payload, size_t payload_len,
                                    char **out);

/*
 * The base64url of a protected header's exact bytes (malloc'd, NUL-terminated, free with free()),
 * for hm_jws_sign_encoded. HALLMARK_OK, HALLMARK_ERR_INVALID_ARGUMENT or HALLMARK_ERR_NOMEM.
 */
hallmark_result hm_jws_header_b64(const char *header, size_t header_len, char **out);

/*
 * Signs payload (serialized compactly, members in insertion order) under the header
 * {"alg":<the key's algorithm>,"typ":typ,"kid":<the key's thumbprint>}. Same results.
 */
hallmark_result hm_jws_sign_json(const hm_signkey *key, const char *typ, const json_t *payload,
                                 char **out);

/*
 * The protected header hm_jws_sign_json uses for key and typ, as the exact compact JSON text it
 * signs (malloc'd, free with free()): for callers that sign many payloads with one key and keep
 * it, passing it to hm_jws_sign_raw. HALLMARK_OK, HALLMARK_ERR_INVALID_ARGUMENT or
 * HALLMARK_ERR_NOMEM.
 */
hallmark_result hm_jws_header_json(const hm_signkey *key, const char *typ, char **out);

/*
 * The SHA-256 of the decoded payload of a compact JWS, in base64url (the `cred` digest of a
 * brand credential, spec §2.5). HALLMARK_OK or HALLMARK_MALFORMED.
 */
hallmark_result hm_jws_payload_digest(const char *jws, char out[HM_SHA256_B64_LEN + 1]);

#endif
