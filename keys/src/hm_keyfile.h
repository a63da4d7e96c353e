/* Secret key files (issue "hallmark-keys", spec of the keystore): the 32 secret bytes encrypted
 * with XChaCha20-Poly1305 under a key derived from the passphrase by Argon2id. Every header
 * field (version, algorithm, key id, KDF parameters and salt) is associated data, so changing
 * any of them makes decryption fail. On opening, the public key is re-derived and must give the
 * recorded key id.
 *
 * File (JSON, one object):
 *   {"v":1,"type":"hallmark-secret-key","alg":"Ed25519","kid":"<RFC 7638 thumbprint>",
 *    "kdf":{"alg":"argon2id13","opslimit":3,"memlimit":268435456,"salt":"<b64u 16 B>"},
 *    "nonce":"<b64u 24 B>","ciphertext":"<b64u 48 B>"} */
#ifndef HM_KEYFILE_H
#define HM_KEYFILE_H

#include <stddef.h>

#include "hm_signkey.h"

typedef struct hm_kdf_limits {
    unsigned long long opslimit;
    size_t memlimit;
} hm_kdf_limits;

/* libsodium's "moderate" Argon2id limits (3 passes, 256 MiB): the default for key files. */
hm_kdf_limits hm_kdf_moderate(void);
/* The smallest limits libsodium allows: for tests only (a test keystore says so). */
hm_kdf_limits hm_kdf_minimum(void);

/* The largest limits a file may ask for when opened, so a crafted file cannot demand 64 GiB. */
#define HM_KDF_MEMLIMIT_MAX ((size_t)1 << 30)
#define HM_KDF_OPSLIMIT_MAX 16ULL

/*
 * Encrypts key under passphrase (pass_len bytes; should live in sodium_malloc memory). *out
 * receives a malloc'd NUL-terminated JSON text (no secret in it; free with free()).
 * HALLMARK_OK, HALLMARK_ERR_INVALID_ARGUMENT, HALLMARK_ERR_NOMEM or HALLMARK_ERR_INTERNAL.
 */
hallmark_result hm_keyfile_seal(const hm_signkey *key, const char *passphrase, size_t pass_len,
                                hm_kdf_limits limits, char **out);

/*
 * Decrypts a key file. *out receives a new key (hm_signkey_free). HALLMARK_OK;
 * HALLMARK_ERR_CORRUPT when the file is not a well-formed key file (truncated, missing or
 * malformed fields, limits out of range, or a secret that does not give the recorded kid);
 * HALLMARK_ERR_WRONG_PASSPHRASE when authentication fails (wrong passphrase or altered header
 * or ciphertext: the two cannot be told apart); HALLMARK_ERR_NOMEM; HALLMARK_ERR_INTERNAL.
 */
hallmark_result hm_keyfile_open(const unsigned char *text, size_t len, const char *passphrase,
                                size_t pass_len, hm_signkey **out);

#endif
