/* ECDSA P-256 with SHA-256 on OpenSSL 3 EVP, for hm_key.c only. The verifier can be built
 * without it (VERIFIER_ES256=0); then hm_key.c never calls these. Internal to Hallmark. */
#ifndef HM_ES256_H
#define HM_ES256_H

#include <stddef.h>

#include "hallmark.h"

/* Imports 0x04||x||y; *evp receives an owned key handle (the EVP_PKEY and the verification
 * contexts kept for it; free with hm_es256_public_free). HALLMARK_ERR_INVALID_KEY if the point is
 * not on the curve. */
hallmark_result hm_es256_public_load(void **evp, const unsigned char *pub, size_t pub_len);

void hm_es256_public_free(void *evp);

/* Verifies raw r||s (64 bytes). r and s outside [1, n-1] fail. High-S is accepted (spec §11).
 * Thread-safe on one key: no lock is taken. */
hallmark_result hm_es256_verify(void *evp, const unsigned char *msg, size_t msg_len,
                                const unsigned char *sig, size_t sig_len);

#endif
