#include "hm_signkey.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "hm_digest.h"
#include "hm_secmem.h"

struct hm_signkey {
    hm_alg alg;
    unsigned char *secret; /* hm_secret_alloc: Ed25519 libsodium sk (seed || pk, 64 bytes), or
                              the P-256 scalar (32 bytes) */
    size_t secret_len;
    EVP_PKEY *evp; /* ES256 only */
    /* ES256 only: the group order n and n / 2, for folding s to the low half. Built once per key:
     * EC_GROUP_new_by_curve_name on every signature cost about 40% of the signing rate. */
    BIGNUM *order, *half_order;
    hm_pubkey pub;
    /* External keys (hm_signkey_external): no secret; sign through ext_sign. */
    hm_signkey_sign_fn ext_sign;
    void (*ext_release)(void *);
    void *ext_ctx;
};

static hm_signkey *
signkey_new(hm_alg alg, size_t secret_len)
{
    hm_signkey *key = calloc(1, sizeof *key);

    if (key == NULL) {
        return NULL;
    }
    key->secret = hm_secret_alloc(secret_len);
    if (key->secret == NULL) {
        free(key);
        return NULL;
    }
    key->alg = alg;
    key->secret_len = secret_len;
    return key;
}

void
hm_signkey_free(hm_signkey *key)
{
    if (key == NULL) {
        return;
    }
    if (key->ext_release != NULL) {
        key->ext_release(key->ext_ctx);
    }
    hm_secret_free(key->secret);
    EVP_PKEY_free(key->evp);
    BN_free(key->order);
    BN_free(key->half_order);
    hm_pubkey_clear(&key->pub);
    free(key);
}

static hallmark_result
ed25519_from_seed(hm_signkey **out, const unsigned char seed[HM_SECRET_BYTES])
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    hm_signkey *key = signkey_new(HM_ALG_ED25519, crypto_sign_SECRETKEYBYTES);
    hallmark_result rc;

    if (key == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    if (crypto_sign_seed_keypair(pk, key->secret, seed) != 0) {
        hm_signkey_free(key);
        return HALLMARK_ERR_INTERNAL;
    }
    rc = hm_pubkey_from_raw(&key->pub, HM_ALG_ED25519, pk, sizeof pk);
    if (rc != HALLMARK_OK) {
        hm_signkey_free(key);
        return rc;
    }
    *out = key;
    return HALLMARK_OK;
}

/* Builds the EVP_PKEY for scalar d and derives 0x04||x||y. The scalar reaches OpenSSL as a
 * BIGNUM that is cleared and freed before return. */
static hallmark_result
es256_from_scalar(hm_signkey **out, const unsigned char d[HM_SECRET_BYTES])
{
    unsigned char pub[HM_ES256_PUBLIC_BYTES];
    EC_GROUP *group = NULL;
    EC_POINT *point = NULL;
    BIGNUM *priv = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    hm_signkey *key = NULL;
    hallmark_result rc = HALLMARK_ERR_INTERNAL;

    group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    priv = BN_secure_new();
    if (group == NULL || priv == NULL || BN_bin2bn(d, HM_SECRET_BYTES, priv) == NULL) {
        goto out;
    }
    if (BN_is_zero(priv) || BN_cmp(priv, EC_GROUP_get0_order(group)) >= 0) {
        rc = HALLMARK_ERR_INVALID_KEY;
        goto out;
    }
    point = EC_POINT_new(group);
    if (point == NULL || !EC_POINT_mul(group, point, priv, NULL, NULL, NULL) ||
        EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof pub, NULL) !=
            sizeof pub) {
        goto out;
    }
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
        EVP_PKEY_fromdata_init(ctx) <= 0) {
        goto out;
    }
    key = signkey_new(HM_ALG_ES256, HM_SECRET_BYTES);
    if (key == NULL) {
        rc = HALLMARK_ERR_NOMEM;
        goto out;
    }
    if (EVP_PKEY_fromdata(ctx, &key->evp, EVP_PKEY_KEYPAIR, params) <= 0 ||
        (key->order = BN_dup(EC_GROUP_get0_order(group))) == NULL ||
        (key->half_order = BN_dup(key->order)) == NULL ||
        !BN_rshift1(key->half_order, key->order)) {
        goto out;
    }
    memcpy(key->secret, d, HM_SECRET_BYTES);
    rc = hm_pubkey_from_raw(&key->pub, HM_ALG_ES256, pub, sizeof pub);
    if (rc != HALLMARK_OK) {
        goto out;
    }
    *out = key;
    key = NULL;
out:
    if (rc != HALLMARK_OK) {
        ERR_clear_error();
    }
    hm_signkey_free(key);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params); /* the BN came from BN_secure_new: its copy is freed cleared */
    OSSL_PARAM_BLD_free(bld);
    EC_POINT_free(point);
    BN_clear_free(priv);
    EC_GROUP_free(group);
    return rc;
}

hallmark_result
hm_signkey_from_secret(hm_signkey **out, hm_alg alg, const unsigned char *secret, size_t secret_len)
{
    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (secret == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (hm_crypto_init() != HALLMARK_OK) {
        return HALLMARK_ERR_INTERNAL;
    }
    if (secret_len != HM_SECRET_BYTES) {
        return HALLMARK_ERR_INVALID_KEY;
    }
    switch (alg) {
    case HM_ALG_ED25519:
        return ed25519_from_seed(out, secret);
    case HM_ALG_ES256:
        return es256_from_scalar(out, secret);
    case HM_ALG_UNKNOWN:
    default:
        return HALLMARK_UNSUPPORTED_ALG;
    }
}

hallmark_result
hm_signkey_generate(hm_signkey **out, hm_alg alg)
{
    unsigned char *secret;
    hallmark_result rc;
    int tries;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (alg != HM_ALG_ED25519 && alg != HM_ALG_ES256) {
        return HALLMARK_UNSUPPORTED_ALG;
    }
    if (hm_crypto_init() != HALLMARK_OK) {
        return HALLMARK_ERR_INTERNAL;
    }
    secret = hm_secret_alloc(HM_SECRET_BYTES);
    if (secret == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    /* A random 256-bit string is a valid P-256 scalar except with probability ~2^-32; retry. */
    for (tries = 0; tries < 8; tries++) {
        randombytes_buf(secret, HM_SECRET_BYTES);
        rc = hm_signkey_from_secret(out, alg, secret, HM_SECRET_BYTES);
        if (rc != HALLMARK_ERR_INVALID_KEY) {
            break;
        }
    }
    hm_secret_free(secret);
    return rc;
}

hallmark_result
hm_signkey_export_secret(const hm_signkey *key, unsigned char *out, size_t out_cap)
{
    if (key == NULL || out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (out_cap < HM_SECRET_BYTES) {
        return HALLMARK_ERR_BUFFER_TOO_SMALL;
    }
    if (key->secret == NULL) {
        return HALLMARK_ERR_INVALID_KEY; /* an external key: its secret is in the token */
    }
    /* Both layouts start with the 32 secret bytes (libsodium's sk is seed || pk). */
    memcpy(out, key->secret, HM_SECRET_BYTES);
    return HALLMARK_OK;
}

hallmark_result
hm_signkey_external(hm_signkey **out, hm_alg alg, const unsigned char *pub, size_t pub_len,
                    hm_signkey_sign_fn sign, void (*release)(void *), void *ctx)
{
    hm_signkey *key = NULL;
    EC_GROUP *group = NULL;
    hallmark_result rc = HALLMARK_ERR_INTERNAL;

    if (out != NULL) {
        *out = NULL;
    }
    if (out == NULL || pub == NULL || sign == NULL) {
        rc = HALLMARK_ERR_INVALID_ARGUMENT;
        goto out;
    }
    if (alg != HM_ALG_ED25519 && alg != HM_ALG_ES256) {
        rc = HALLMARK_UNSUPPORTED_ALG;
        goto out;
    }
    if (hm_crypto_init() != HALLMARK_OK) {
        goto out;
    }
    if ((key = calloc(1, sizeof *key)) == NULL) {
        rc = HALLMARK_ERR_NOMEM;
        goto out;
    }
    key->alg = alg;
    if ((rc = hm_pubkey_from_raw(&key->pub, alg, pub, pub_len)) != HALLMARK_OK) {
        goto out;
    }
    if (alg == HM_ALG_ES256) {
        rc = HALLMARK_ERR_INTERNAL;
        group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
        if (group == NULL || (key->order = BN_dup(EC_GROUP_get0_order(group))) == NULL ||
            (key->half_order = BN_dup(key->order)) == NULL ||
            !BN_rshift1(key->half_order, key->order)) {
            goto out;
        }
    }
    key->ext_sign = sign;
    key->ext_release = release;
    key->ext_ctx = ctx;
    ctx = NULL;
    *out = key;
    key = NULL;
    rc = HALLMARK_OK;
out:
    EC_GROUP_free(group);
    hm_signkey_free(key);
    if (ctx != NULL && release != NULL) {
        release(ctx);
    }
    return rc;
}

int
hm_signkey_is_external(const hm_signkey *key)
{
    return key != NULL && key->ext_sign != NULL;
}

/* Raw r||s from a token: s folded to the low half (n - s), as es256_der_to_raw_low_s does. */
static hallmark_result
es256_raw_low_s(const hm_signkey *key, unsigned char sig[HM_SIG_BYTES])
{
    BIGNUM *s = BN_bin2bn(sig + HM_ES256_COORD_BYTES, HM_ES256_COORD_BYTES, NULL);
    hallmark_result rc = HALLMARK_ERR_INTERNAL;

    if (s == NULL || key->order == NULL || key->half_order == NULL || BN_is_zero(s) ||
        BN_cmp(s, key->order) >= 0) {
        goto out;
    }
    if (BN_cmp(s, key->half_order) > 0 &&
        (!BN_sub(s, key->order, s) || BN_bn2binpad(s, sig + HM_ES256_COORD_BYTES,
                                                   HM_ES256_COORD_BYTES) != HM_ES256_COORD_BYTES)) {
        goto out;
    }
    rc = HALLMARK_OK;
out:
    BN_free(s);
    return rc;
}

const hm_pubkey *
hm_signkey_public(const hm_signkey *key)
{
    return key == NULL ? NULL : &key->pub;
}

/* DER ECDSA-Sig-Value from OpenSSL -> JOSE r||s, with s folded to the low half (n - s). */
static hallmark_result
es256_der_to_raw_low_s(const hm_signkey *key, const unsigned char *der, size_t der_len,
                       unsigned char sig[HM_SIG_BYTES])
{
    const unsigned char *p = der;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    BIGNUM *s = NULL;
    hallmark_result rc = HALLMARK_ERR_INTERNAL;

    if (es == NULL || key->order == NULL || key->half_order == NULL) {
        goto out;
    }
    s = BN_dup(ECDSA_SIG_get0_s(es));
    if (s == NULL) {
        goto out;
    }
    if (BN_cmp(s, key->half_order) > 0 && !BN_sub(s, key->order, s)) {
        goto out;
    }
    if (BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, HM_ES256_COORD_BYTES) != HM_ES256_COORD_BYTES ||
        BN_bn2binpad(s, sig + HM_ES256_COORD_BYTES, HM_ES256_COORD_BYTES) != HM_ES256_COORD_BYTES) {
        goto out;
    }
    rc = HALLMARK_OK;
out:
    BN_free(s);
    ECDSA_SIG_free(es);
    return rc;
}

hallmark_result
hm_signkey_sign(const hm_signkey *key, const unsigned char *msg, size_t msg_len,
                unsigned char sig[HM_SIG_BYTES])
{
    unsigned char der[80];
    size_t der_len = sizeof der;
    EVP_MD_CTX *md = NULL;
    hallmark_result rc = HALLMARK_ERR_INTERNAL;

    if (key == NULL || sig == NULL || (msg == NULL && msg_len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (msg_len == 0) {
        msg = (const unsigned char *)"";
    }
    if (key->ext_sign != NULL) {
        rc = key->ext_sign(key->ext_ctx, msg, msg_len, sig);
        if (rc == HALLMARK_OK && key->alg == HM_ALG_ES256) {
            rc = es256_raw_low_s(key, sig);
        }
        return rc;
    }
    switch (key->alg) {
    case HM_ALG_ED25519:
        return crypto_sign_detached(sig, NULL, msg, msg_len, key->secret) == 0
                   ? HALLMARK_OK
                   : HALLMARK_ERR_INTERNAL;
    case HM_ALG_ES256:
        md = EVP_MD_CTX_new();
        if (md != NULL &&
            EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, key->evp, NULL) == 1 &&
            EVP_DigestSign(md, der, &der_len, msg, msg_len) == 1) {
            rc = es256_der_to_raw_low_s(key, der, der_len, sig);
        }
        EVP_MD_CTX_free(md);
        if (rc != HALLMARK_OK) {
            ERR_clear_error();
        }
        return rc;
    case HM_ALG_UNKNOWN:
    default:
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
}
