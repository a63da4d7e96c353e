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
#include "hm_evp_pool.h"
#include "hm_secmem.h"

/* The order n of P-256 and n / 2 (rounded down), big-endian: a signature's s is folded to
 * [1, n / 2] (low S). */
static const unsigned char p256_n[HM_ES256_COORD_BYTES] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
static const unsigned char p256_half_n[HM_ES256_COORD_BYTES] = {
    0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8};

struct hm_signkey {
    hm_alg alg;
    unsigned char *secret; /* hm_secret_alloc: Ed25519 libsodium sk (seed || pk, 64 bytes), or
                              the P-256 scalar (32 bytes) */
    size_t secret_len;
    /* ES256 only: the private EVP_PKEY and its signing contexts, made ready once and kept
     * (hm_evp_pool, shared with verification): a context made and initialised per signature
     * cost about 10% of the signing rate (issue 16). */
    hm_evp_pool *sign_pool;
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
    hm_evp_pool_free(key->sign_pool);
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
    EVP_PKEY *pkey = NULL;
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
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0) {
        goto out;
    }
    key->sign_pool = hm_evp_pool_new(pkey, EVP_PKEY_sign_init);
    pkey = NULL; /* the pool's now, even when it could not be made */
    if (key->sign_pool == NULL) {
        rc = HALLMARK_ERR_NOMEM;
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
    key->ext_sign = sign;
    key->ext_release = release;
    key->ext_ctx = ctx;
    ctx = NULL;
    *out = key;
    key = NULL;
    rc = HALLMARK_OK;
out:
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

/* Folds s (32 bytes, big-endian) to the low half: s > n / 2 becomes n - s, which makes the
 * same signature. 0 when s is not in [1, n - 1]: no signature of P-256 has it. s is public (it is
 * the signature), so plain comparisons do. */
static int
fold_low_s(unsigned char s[HM_ES256_COORD_BYTES])
{
    static const unsigned char zero[HM_ES256_COORD_BYTES];
    unsigned int borrow = 0, d;
    size_t i;

    if (memcmp(s, zero, sizeof zero) == 0 || memcmp(s, p256_n, sizeof p256_n) >= 0) {
        return 0;
    }
    if (memcmp(s, p256_half_n, sizeof p256_half_n) > 0) {
        for (i = HM_ES256_COORD_BYTES; i-- > 0;) {
            d = (unsigned int)p256_n[i] - s[i] - borrow;
            s[i] = (unsigned char)d;
            borrow = (d >> 8) & 1U;
        }
    }
    return 1;
}

const hm_pubkey *
hm_signkey_public(const hm_signkey *key)
{
    return key == NULL ? NULL : &key->pub;
}

/* Reads the DER INTEGER at der[*at, end) into out, big-endian and left-padded to 32 bytes, and
 * moves *at past it: 0 when it is not a non-negative INTEGER of at most 32 bytes (a zero byte
 * before a high bit aside). */
static int
der_integer_read(const unsigned char *der, size_t end, size_t *at,
                 unsigned char out[HM_ES256_COORD_BYTES])
{
    const unsigned char *v;
    size_t len;

    if (end - *at < 2 || der[*at] != 0x02 || (len = der[*at + 1]) == 0 || len > end - *at - 2) {
        return 0;
    }
    v = der + *at + 2;
    *at += 2 + len;
    if ((v[0] & 0x80U) != 0) {
        return 0; /* negative */
    }
    if (len == HM_ES256_COORD_BYTES + 1 && v[0] == 0) {
        v++;
        len--;
    }
    if (len > HM_ES256_COORD_BYTES) {
        return 0;
    }
    memset(out, 0, HM_ES256_COORD_BYTES - len);
    memcpy(out + HM_ES256_COORD_BYTES - len, v, len);
    return 1;
}

/* OpenSSL's DER ECDSA-Sig-Value, SEQUENCE { INTEGER r, INTEGER s } (at most 72 bytes, so
 * short-form lengths) -> JOSE r||s, with s folded to the low half. */
static int
es256_der_to_raw_low_s(const unsigned char *der, size_t der_len, unsigned char sig[HM_SIG_BYTES])
{
    size_t at = 2;

    return der_len >= 2 && der[0] == 0x30 && der[1] == der_len - 2 &&
           der_integer_read(der, der_len, &at, sig) &&
           der_integer_read(der, der_len, &at, sig + HM_ES256_COORD_BYTES) && at == der_len &&
           fold_low_s(sig + HM_ES256_COORD_BYTES);
}

/* ES256 with the key's kept signing contexts: SHA-256 (OpenSSL's, fetched once: hm_digest.h),
 * then ECDSA on the digest. */
static hallmark_result
es256_sign(const hm_signkey *key, const unsigned char *msg, size_t msg_len,
           unsigned char sig[HM_SIG_BYTES])
{
    unsigned char digest[HM_SHA256_BYTES], der[80];
    size_t der_len = sizeof der;
    hm_sha256_stream h;
    EVP_PKEY_CTX *ctx;
    int ok;

    hm_sha256_begin(&h);
    hm_sha256_add(&h, msg, msg_len);
    hm_sha256_end(&h, digest);
    if ((ctx = hm_evp_pool_take(key->sign_pool)) == NULL) {
        ERR_clear_error();
        return HALLMARK_ERR_INTERNAL;
    }
    ok = EVP_PKEY_sign(ctx, der, &der_len, digest, sizeof digest) == 1;
    hm_evp_pool_give_back(key->sign_pool, ctx);
    if (!ok || !es256_der_to_raw_low_s(der, der_len, sig)) {
        ERR_clear_error();
        return HALLMARK_ERR_INTERNAL;
    }
    return HALLMARK_OK;
}

hallmark_result
hm_signkey_sign(const hm_signkey *key, const unsigned char *msg, size_t msg_len,
                unsigned char sig[HM_SIG_BYTES])
{
    hallmark_result rc;

    if (key == NULL || sig == NULL || (msg == NULL && msg_len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (msg_len == 0) {
        msg = (const unsigned char *)"";
    }
    if (key->ext_sign != NULL) {
        rc = key->ext_sign(key->ext_ctx, msg, msg_len, sig);
        if (rc == HALLMARK_OK && key->alg == HM_ALG_ES256 &&
            !fold_low_s(sig + HM_ES256_COORD_BYTES)) {
            rc = HALLMARK_ERR_INTERNAL;
        }
        return rc;
    }
    switch (key->alg) {
    case HM_ALG_ED25519:
        return crypto_sign_detached(sig, NULL, msg, msg_len, key->secret) == 0
                   ? HALLMARK_OK
                   : HALLMARK_ERR_INTERNAL;
    case HM_ALG_ES256:
        return es256_sign(key, msg, msg_len, sig);
    case HM_ALG_UNKNOWN:
    default:
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
}
