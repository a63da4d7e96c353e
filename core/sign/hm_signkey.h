/* Signing keys: generation, import from secret bytes, signing. Linked by signer/ and keys/ only;
 * the verifier library contains no signing code. Internal to Hallmark.
 *
 * Secret bytes live only in sodium_malloc memory owned by the key and are wiped when it is
 * freed. An ES256 key also hands its scalar to OpenSSL, which keeps it in its secure heap when
 * the process has called CRYPTO_secure_malloc_init (the signer does). */
#ifndef HM_SIGNKEY_H
#define HM_SIGNKEY_H

#include <stddef.h>

#include "hm_key.h"

/* Secret sizes: the Ed25519 seed (RFC 8032 private key) and the P-256 scalar. */
#define HM_SECRET_BYTES 32U

typedef struct hm_signkey hm_signkey;

/* A fresh random key. *out is owned by the caller (hm_signkey_free). Returns HALLMARK_OK,
 * HALLMARK_UNSUPPORTED_ALG, HALLMARK_ERR_NOMEM or HALLMARK_ERR_INTERNAL. */
hallmark_result hm_signkey_generate(hm_signkey **out, hm_alg alg);

/* A key from its 32 secret bytes (Ed25519 seed, or P-256 scalar in [1, n-1] big-endian).
 * HALLMARK_ERR_INVALID_KEY for a scalar out of range. The caller keeps ownership of secret. */
hallmark_result hm_signkey_from_secret(hm_signkey **out, hm_alg alg, const unsigned char *secret,
                                       size_t secret_len);

/* Copies the 32 secret bytes into out (which should itself be hm_secret_alloc memory). */
hallmark_result hm_signkey_export_secret(const hm_signkey *key, unsigned char *out, size_t out_cap);

/* The matching public key, borrowed: valid until hm_signkey_free. */
const hm_pubkey *hm_signkey_public(const hm_signkey *key);

/* Signs msg: 64 bytes into sig. Ed25519 is deterministic; ES256 is raw r||s with low S.
 * Thread-safe for one key used by several threads. A key in a PKCS#11 token (hm_pkcs11.h) also
 * returns HALLMARK_ERR_UNAVAILABLE while its token is down (hm_p11_last_error says why). */
hallmark_result hm_signkey_sign(const hm_signkey *key, const unsigned char *msg, size_t msg_len,
                                unsigned char sig[HM_SIG_BYTES]);

/* Wipes and frees. NULL is allowed. */
void hm_signkey_free(hm_signkey *key);

/* A key whose secret lives elsewhere (a PKCS#11 token, hm_pkcs11.h): sign(ctx, ...) makes each
 * signature (Ed25519: the 64 bytes; ES256: raw r||s, which hm_signkey_sign then folds to low S),
 * release(ctx) runs at hm_signkey_free. pub (pub_len bytes, as hm_pubkey_from_raw takes it) is the
 * key the signatures must verify under. ctx is stolen, even on failure (release is called).
 * hm_signkey_export_secret refuses such a key (HALLMARK_ERR_INVALID_KEY): it has no secret here.
 * sign must be thread-safe. HALLMARK_OK, HALLMARK_UNSUPPORTED_ALG, HALLMARK_ERR_INVALID_KEY,
 * HALLMARK_ERR_NOMEM or HALLMARK_ERR_INTERNAL. */
typedef hallmark_result (*hm_signkey_sign_fn)(void *ctx, const unsigned char *msg, size_t msg_len,
                                              unsigned char sig[HM_SIG_BYTES]);
hallmark_result hm_signkey_external(hm_signkey **out, hm_alg alg, const unsigned char *pub,
                                    size_t pub_len, hm_signkey_sign_fn sign,
                                    void (*release)(void *), void *ctx);

/* 1 when key signs through hm_signkey_external (no secret in this process), else 0. */
int hm_signkey_is_external(const hm_signkey *key);

#endif
