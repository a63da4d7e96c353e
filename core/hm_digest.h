/* SHA-256 and constant-time comparison. Internal to Hallmark. */
#ifndef HM_DIGEST_H
#define HM_DIGEST_H

#include <stddef.h>

#include "hallmark.h"

#define HM_SHA256_BYTES 32U
/* A SHA-256 digest in base64url: 43 characters. */
#define HM_SHA256_B64_LEN 43U

/* One-shot SHA-256. Returns HALLMARK_OK or HALLMARK_ERR_INVALID_ARGUMENT. */
hallmark_result hm_sha256(unsigned char out[HM_SHA256_BYTES], const unsigned char *in,
                          size_t in_len);

/* SHA-256 as base64url into out (HM_SHA256_B64_LEN + 1 bytes, NUL-terminated). */
hallmark_result hm_sha256_b64url(char out[HM_SHA256_B64_LEN + 1], const unsigned char *in,
                                 size_t in_len);

/* 1 when the two buffers are equal, 0 otherwise, in time that depends only on len. */
int hm_ct_equal(const void *a, const void *b, size_t len);

/* Makes sure libsodium is initialized; idempotent and thread-safe. HALLMARK_ERR_INTERNAL if not. */
hallmark_result hm_crypto_init(void);

#endif
