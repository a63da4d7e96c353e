#include "hm_digest.h"

#include <sodium.h>

#include "hm_b64url.h"

hallmark_result
hm_sha256(unsigned char out[HM_SHA256_BYTES], const unsigned char *in, size_t in_len)
{
    if (out == NULL || (in == NULL && in_len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    crypto_hash_sha256(out, in_len > 0 ? in : (const unsigned char *)"", in_len);
    return HALLMARK_OK;
}

hallmark_result
hm_sha256_b64url(char out[HM_SHA256_B64_LEN + 1], const unsigned char *in, size_t in_len)
{
    unsigned char digest[HM_SHA256_BYTES];
    hallmark_result rc = hm_sha256(digest, in, in_len);

    if (rc != HALLMARK_OK) {
        return rc;
    }
    return hm_b64url_encode(out, HM_SHA256_B64_LEN + 1, digest, sizeof digest, NULL);
}

int
hm_ct_equal(const void *a, const void *b, size_t len)
{
    if (len == 0) {
        return 1;
    }
    return sodium_memcmp(a, b, len) == 0;
}

hallmark_result
hm_crypto_init(void)
{
    return sodium_init() < 0 ? HALLMARK_ERR_INTERNAL : HALLMARK_OK;
}
