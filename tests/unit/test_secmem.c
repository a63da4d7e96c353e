#include <string.h>

#include "hm_digest.h"
#include "hm_secmem.h"
#include "test.h"

TEST(secmem_alloc_is_zeroed_and_frees)
{
    unsigned char *p = hm_secret_alloc(100), zero[100] = {0};

    CHECK(p != NULL);
    CHECK(memcmp(p, zero, sizeof zero) == 0);
    memset(p, 0xA5, 100);
    hm_wipe(p, 100);
    CHECK(memcmp(p, zero, sizeof zero) == 0);
    hm_secret_free(p);
    hm_secret_free(NULL);
    hm_wipe(NULL, 0);
    CHECK(hm_secret_alloc(0) == NULL);
}

TEST(digest_sha256_and_ct_equal)
{
    /* FIPS 180-2 "abc". */
    static const char *abc_b64 = "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0";
    char b64[HM_SHA256_B64_LEN + 1];
    unsigned char d[HM_SHA256_BYTES];

    CHECK_RC(hm_sha256_b64url(b64, (const unsigned char *)"abc", 3), HALLMARK_OK);
    CHECK(strcmp(b64, abc_b64) == 0);
    CHECK_RC(hm_sha256(d, NULL, 0), HALLMARK_OK);
    CHECK(d[0] == 0xe3 && d[31] == 0x55); /* SHA-256("") = e3b0...b855 */
    CHECK_RC(hm_sha256(NULL, d, 1), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_sha256(d, NULL, 1), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(hm_ct_equal("abcd", "abcd", 4));
    CHECK(!hm_ct_equal("abcd", "abce", 4));
    CHECK(hm_ct_equal(NULL, NULL, 0));
}
