/* ES256 verification on OpenSSL 3's EVP interface. The JOSE signature is raw r||s; OpenSSL wants
 * DER, so it is re-encoded through ECDSA_SIG (never parsed from attacker-supplied DER). */
#include "hm_es256.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

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
    *evp = pkey;
    pkey = NULL;
    rc = HALLMARK_OK;
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
    EVP_PKEY_free(evp);
}

hallmark_result
hm_es256_verify(void *evp, const unsigned char *msg, size_t msg_len, const unsigned char *sig,
                size_t sig_len)
{
    ECDSA_SIG *es = NULL;
    BIGNUM *r = NULL, *s = NULL;
    unsigned char *der = NULL;
    int der_len, ok;
    EVP_MD_CTX *md = NULL;
    hallmark_result rc = HALLMARK_ERR_INTERNAL;

    if (evp == NULL || sig == NULL || (msg == NULL && msg_len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (sig_len != HM_SIG_BYTES) {
        return HALLMARK_BAD_SIGNATURE;
    }
    r = BN_bin2bn(sig, HM_ES256_COORD_BYTES, NULL);
    s = BN_bin2bn(sig + HM_ES256_COORD_BYTES, HM_ES256_COORD_BYTES, NULL);
    es = ECDSA_SIG_new();
    if (r == NULL || s == NULL || es == NULL || !ECDSA_SIG_set0(es, r, s)) {
        BN_free(r);
        BN_free(s);
        goto out;
    }
    der_len = i2d_ECDSA_SIG(es, &der);
    if (der_len <= 0) {
        goto out;
    }
    md = EVP_MD_CTX_new();
    if (md == NULL || EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, evp, NULL) != 1) {
        goto out;
    }
    /* 1 = valid, 0 = invalid, negative = malformed (e.g. r or s zero): all but 1 are refusals. */
    ok = EVP_DigestVerify(md, der, (size_t)der_len, msg_len > 0 ? msg : (const unsigned char *)"",
                          msg_len);
    rc = ok == 1 ? HALLMARK_OK : HALLMARK_BAD_SIGNATURE;
out:
    if (rc != HALLMARK_OK) {
        ERR_clear_error();
    }
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
    return rc;
}
