/* ES256 verification on OpenSSL 3's EVP interface. The JOSE signature is raw r||s; OpenSSL wants
 * DER, so it is encoded here from r and s (never parsed from attacker-supplied DER). */
#include "hm_es256.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "hm_digest.h"
#include "hm_evp_pool.h"
#include "hm_key.h"

hallmark_result
hm_es256_public_load(void **evp, const unsigned char *pub, size_t pub_len)
{
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL, *check = NULL;
    EVP_PKEY *pkey = NULL;
    hallmark_result rc = HALLMARK_ERR_INTERNAL;

    if (evp == NULL || pub == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *evp = NULL;
    if (pub_len != HM_ES256_PUBLIC_BYTES || pub[0] != 0x04) {
        return HALLMARK_ERR_INVALID_KEY;
    }
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
        EVP_PKEY_fromdata_init(ctx) <= 0) {
        goto out;
    }
    /* fromdata decodes the point and refuses one that is not on the curve. */
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        rc = HALLMARK_ERR_INVALID_KEY;
        goto out;
    }
    check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (check == NULL) {
        goto out;
    }
    if (EVP_PKEY_public_check(check) != 1) {
        rc = HALLMARK_ERR_INVALID_KEY;
        goto out;
    }
    /* The verification contexts are kept with the key (hm_evp_pool), made on first use. */
    *evp = hm_evp_pool_new(pkey, EVP_PKEY_verify_init);
    pkey = NULL; /* the pool's now, even when it could not be made */
    rc = *evp != NULL ? HALLMARK_OK : HALLMARK_ERR_NOMEM;
out:
    if (rc != HALLMARK_OK) {
        ERR_clear_error(); /* the refusal is our result; keep the thread's error queue empty */
    }
    EVP_PKEY_CTX_free(check);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return rc;
}

void
hm_es256_public_free(void *evp)
{
    hm_evp_pool_free(evp);
}

/* Appends the DER INTEGER of the 32-byte big-endian unsigned n at der: its length (at most 35). */
static size_t
der_integer(unsigned char *der, const unsigned char *n)
{
    size_t skip = 0, len;

    while (skip < HM_ES256_COORD_BYTES - 1 && n[skip] == 0) {
        skip++; /* minimal: no leading zero byte (zero itself is one 0x00) */
    }
    len = HM_ES256_COORD_BYTES - skip;
    der[0] = 0x02;
    if ((n[skip] & 0x80U) != 0) { /* positive: a zero byte before a high bit */
        der[1] = (unsigned char)(len + 1);
        der[2] = 0x00;
        memcpy(der + 3, n + skip, len);
        return len + 3;
    }
    der[1] = (unsigned char)len;
    memcpy(der + 2, n + skip, len);
    return len + 2;
}

hallmark_result
hm_es256_verify(void *evp, const unsigned char *msg, size_t msg_len, const unsigned char *sig,
                size_t sig_len)
{
    hm_evp_pool *pool = evp;
    unsigned char der[2 + 2 * (3 + HM_ES256_COORD_BYTES)], digest[HM_SHA256_BYTES];
    size_t der_len;
    hm_sha256_stream h;
    EVP_PKEY_CTX *ctx;
    int ok;

    if (pool == NULL || sig == NULL || (msg == NULL && msg_len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (sig_len != HM_SIG_BYTES) {
        return HALLMARK_BAD_SIGNATURE;
    }
    /* SEQUENCE { INTEGER r, INTEGER s }: at most 70 bytes of content, so short-form lengths. */
    der_len = 2;
    der_len += der_integer(der + der_len, sig);
    der_len += der_integer(der + der_len, sig + HM_ES256_COORD_BYTES);
    der[0] = 0x30;
    der[1] = (unsigned char)(der_len - 2);
    hm_sha256_begin(&h);
    hm_sha256_add(&h, msg, msg_len);
    hm_sha256_end(&h, digest);
    if ((ctx = hm_evp_pool_take(pool)) == NULL) {
        ERR_clear_error();
        return HALLMARK_ERR_INTERNAL;
    }
    /* 1 = valid, 0 = invalid, negative = malformed (e.g. r or s zero): all but 1 are refusals. */
    ok = EVP_PKEY_verify(ctx, der, der_len, digest, sizeof digest);
    hm_evp_pool_give_back(pool, ctx);
    if (ok != 1) {
        ERR_clear_error();
        return HALLMARK_BAD_SIGNATURE;
    }
    return HALLMARK_OK;
}
