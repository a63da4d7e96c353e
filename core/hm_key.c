#include "hm_key.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "hm_b64url.h"
#include "hm_digest.h"
#if HALLMARK_WITH_ES256
#include "hm_es256.h"
#endif
#if HALLMARK_WITH_OPENSSL
#include <openssl/err.h>
#include <openssl/evp.h>
#endif

/* From this message length on, an Ed25519 signature is first checked on OpenSSL
 * (hm_ed25519_valid_on_openssl); shorter ones (tokens, certificates) stay on libsodium alone. */
#define ED25519_LONG_MIN ((size_t)64 * 1024)

hm_alg
hm_alg_from_name(const char *name)
{
    if (name == NULL) {
        return HM_ALG_UNKNOWN;
    }
    if (strcmp(name, "Ed25519") == 0) {
        return HM_ALG_ED25519;
    }
    if (strcmp(name, "ES256") == 0) {
        return HM_ALG_ES256;
    }
    return HM_ALG_UNKNOWN;
}

const char *
hm_alg_name(hm_alg alg)
{
    switch (alg) {
    case HM_ALG_ED25519:
        return "Ed25519";
    case HM_ALG_ES256:
        return "ES256";
    case HM_ALG_UNKNOWN:
        break;
    }
    return "unknown";
}

int
hm_alg_supported(hm_alg alg)
{
    switch (alg) {
    case HM_ALG_ED25519:
        return 1;
    case HM_ALG_ES256:
        return HALLMARK_WITH_ES256 ? 1 : 0;
    case HM_ALG_UNKNOWN:
        break;
    }
    return 0;
}

void
hm_pubkey_clear(hm_pubkey *key)
{
    if (key == NULL) {
        return;
    }
#if HALLMARK_WITH_ES256
    if (key->evp != NULL) {
        hm_es256_public_free(key->evp);
    }
#endif
    memset(key, 0, sizeof *key);
}

static hallmark_result
compute_kid(hm_pubkey *key)
{
    char jwk[HM_JWK_MAX];
    size_t jwk_len = 0;
    hallmark_result rc = hm_pubkey_canonical_jwk(key, jwk, sizeof jwk, &jwk_len);

    if (rc != HALLMARK_OK) {
        return rc;
    }
    return hm_sha256_b64url(key->kid, (const unsigned char *)jwk, jwk_len);
}

/* check_point 0 leaves an Ed25519 key's point check to hm_pubkey_point_ok (spec §6.6
 * [HM-BUNDLE-110]: a bundle's brand keys are checked on first use). */
static hallmark_result
from_raw(hm_pubkey *key, hm_alg alg, const unsigned char *raw, size_t raw_len, int check_point)
{
    hallmark_result rc;

    if (key == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    memset(key, 0, sizeof *key);
    if (raw == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (hm_crypto_init() != HALLMARK_OK) {
        return HALLMARK_ERR_INTERNAL;
    }
    switch (alg) {
    case HM_ALG_ED25519:
        if (raw_len != HM_ED25519_PUBLIC_BYTES ||
            (check_point && crypto_core_ed25519_is_valid_point(raw) != 1)) {
            return HALLMARK_ERR_INVALID_KEY;
        }
        break;
    case HM_ALG_ES256:
#if HALLMARK_WITH_ES256
        if (raw_len != HM_ES256_PUBLIC_BYTES || raw[0] != 0x04) {
            return HALLMARK_ERR_INVALID_KEY;
        }
        rc = hm_es256_public_load(&key->evp, raw, raw_len);
        if (rc != HALLMARK_OK) {
            return rc;
        }
        break;
#else
        return HALLMARK_UNSUPPORTED_ALG;
#endif
    case HM_ALG_UNKNOWN:
    default:
        return HALLMARK_UNSUPPORTED_ALG;
    }
    key->alg = alg;
    key->raw_len = raw_len;
    memcpy(key->raw, raw, raw_len);
    rc = compute_kid(key);
    if (rc != HALLMARK_OK) {
        hm_pubkey_clear(key);
    }
    return rc;
}

hallmark_result
hm_pubkey_from_raw(hm_pubkey *key, hm_alg alg, const unsigned char *raw, size_t raw_len)
{
    return from_raw(key, alg, raw, raw_len, 1);
}

int
hm_pubkey_point_ok(const hm_pubkey *key)
{
    return key->alg != HM_ALG_ED25519 || crypto_core_ed25519_is_valid_point(key->raw) == 1;
}

/* Reads a required string member and decodes it as base64url of exactly want bytes. */
static hallmark_result
jwk_coordinate(const json_t *jwk, const char *name, unsigned char *out, size_t want)
{
    const json_t *v = json_object_get(jwk, name);

    if (!json_is_string(v)) {
        return HALLMARK_ERR_INVALID_KEY;
    }
    if (hm_b64url_decode_exact(out, want, json_string_value(v), json_string_length(v)) !=
        HALLMARK_OK) {
        return HALLMARK_ERR_INVALID_KEY;
    }
    return HALLMARK_OK;
}

static int
member_equals(const json_t *obj, const char *name, const char *want)
{
    const json_t *v = json_object_get(obj, name);

    return json_is_string(v) && strcmp(json_string_value(v), want) == 0 &&
           json_string_length(v) == strlen(want);
}

static hallmark_result
from_jwk(hm_pubkey *key, const json_t *jwk, int check_point)
{
    unsigned char raw[HM_ES256_PUBLIC_BYTES];
    hallmark_result rc;

    if (key == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    memset(key, 0, sizeof *key);
    if (!json_is_object(jwk)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (json_object_get(jwk, "d") != NULL) {
        return HALLMARK_ERR_INVALID_KEY;
    }
    if (member_equals(jwk, "kty", "OKP") && member_equals(jwk, "crv", "Ed25519")) {
        rc = jwk_coordinate(jwk, "x", raw, HM_ED25519_PUBLIC_BYTES);
        if (rc != HALLMARK_OK) {
            return rc;
        }
        return from_raw(key, HM_ALG_ED25519, raw, HM_ED25519_PUBLIC_BYTES, check_point);
    }
    if (member_equals(jwk, "kty", "EC") && member_equals(jwk, "crv", "P-256")) {
        raw[0] = 0x04;
        rc = jwk_coordinate(jwk, "x", raw + 1, HM_ES256_COORD_BYTES);
        if (rc == HALLMARK_OK) {
            rc = jwk_coordinate(jwk, "y", raw + 1 + HM_ES256_COORD_BYTES, HM_ES256_COORD_BYTES);
        }
        if (rc != HALLMARK_OK) {
            return rc;
        }
        return from_raw(key, HM_ALG_ES256, raw, HM_ES256_PUBLIC_BYTES, 1);
    }
    return HALLMARK_ERR_INVALID_KEY;
}

hallmark_result
hm_pubkey_from_jwk(hm_pubkey *key, const json_t *jwk)
{
    return from_jwk(key, jwk, 1);
}

hallmark_result
hm_pubkey_from_jwk_unchecked(hm_pubkey *key, const json_t *jwk)
{
    return from_jwk(key, jwk, 0);
}

hallmark_result
hm_pubkey_canonical_jwk(const hm_pubkey *key, char *out, size_t out_cap, size_t *out_len)
{
    char x[HM_KID_LEN + 1], y[HM_KID_LEN + 1];
    int n;

    if (key == NULL || out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    switch (key->alg) {
    case HM_ALG_ED25519:
        if (hm_b64url_encode(x, sizeof x, key->raw, HM_ED25519_PUBLIC_BYTES, NULL) != HALLMARK_OK) {
            return HALLMARK_ERR_INTERNAL;
        }
        n = snprintf(out, out_cap, "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}", x);
        break;
    case HM_ALG_ES256:
        if (hm_b64url_encode(x, sizeof x, key->raw + 1, HM_ES256_COORD_BYTES, NULL) !=
                HALLMARK_OK ||
            hm_b64url_encode(y, sizeof y, key->raw + 1 + HM_ES256_COORD_BYTES, HM_ES256_COORD_BYTES,
                             NULL) != HALLMARK_OK) {
            return HALLMARK_ERR_INTERNAL;
        }
        n = snprintf(out, out_cap, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}",
                     x, y);
        break;
    case HM_ALG_UNKNOWN:
    default:
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (n < 0 || (size_t)n >= out_cap) {
        return HALLMARK_ERR_BUFFER_TOO_SMALL;
    }
    if (out_len != NULL) {
        *out_len = (size_t)n;
    }
    return HALLMARK_OK;
}

int
hm_ed25519_valid_on_openssl(const unsigned char *pk, const unsigned char *msg, size_t msg_len,
                            const unsigned char *sig)
{
#if HALLMARK_WITH_OPENSSL
    /* The canonical encoding of the identity, the one small-order point of the prime-order
     * subgroup. */
    static const unsigned char identity[HM_ED25519_PUBLIC_BYTES] = {1};
    EVP_PKEY *pkey = NULL;
    EVP_MD_CTX *ctx = NULL;
    int ok = 0;

    if (pk == NULL || sig == NULL || (msg == NULL && msg_len > 0) ||
        hm_crypto_init() != HALLMARK_OK || crypto_core_ed25519_is_valid_point(pk) != 1 ||
        memcmp(sig, identity, sizeof identity) == 0) {
        return 0;
    }
    if ((pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, HM_ED25519_PUBLIC_BYTES)) !=
            NULL &&
        (ctx = EVP_MD_CTX_new()) != NULL &&
        EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1) {
        ok = EVP_DigestVerify(ctx, sig, HM_SIG_BYTES, msg_len > 0 ? msg : identity, msg_len) == 1;
    }
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    ERR_clear_error(); /* a refusal is a verdict, not an error: keep the thread's queue empty */
    return ok;
#else
    (void)pk;
    (void)msg;
    (void)msg_len;
    (void)sig;
    return 0;
#endif
}

hallmark_result
hm_ed25519_verify_raw(const unsigned char *pk, size_t pk_len, const unsigned char *msg,
                      size_t msg_len, const unsigned char *sig, size_t sig_len)
{
    if (pk == NULL || sig == NULL || (msg == NULL && msg_len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (pk_len != HM_ED25519_PUBLIC_BYTES) {
        return HALLMARK_ERR_INVALID_KEY;
    }
    if (sig_len != HM_SIG_BYTES) {
        return HALLMARK_BAD_SIGNATURE;
    }
    if (hm_crypto_init() != HALLMARK_OK) {
        return HALLMARK_ERR_INTERNAL;
    }
    /* A long message (a trust bundle) is hashed about 4x faster on OpenSSL; its "valid" is
     * libsodium's (see hm_key.h); anything else is left for libsodium to decide. */
    if (msg_len >= ED25519_LONG_MIN && hm_ed25519_valid_on_openssl(pk, msg, msg_len, sig)) {
        return HALLMARK_OK;
    }
    if (crypto_sign_verify_detached(sig, msg_len > 0 ? msg : (const unsigned char *)"", msg_len,
                                    pk) != 0) {
        return HALLMARK_BAD_SIGNATURE;
    }
    return HALLMARK_OK;
}

hallmark_result
hm_pubkey_verify(const hm_pubkey *key, const unsigned char *msg, size_t msg_len,
                 const unsigned char *sig, size_t sig_len)
{
    if (key == NULL || sig == NULL || (msg == NULL && msg_len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    switch (key->alg) {
    case HM_ALG_ED25519:
        return hm_ed25519_verify_raw(key->raw, key->raw_len, msg, msg_len, sig, sig_len);
    case HM_ALG_ES256:
#if HALLMARK_WITH_ES256
        if (sig_len != HM_SIG_BYTES) {
            return HALLMARK_BAD_SIGNATURE;
        }
        return hm_es256_verify(key->evp, msg, msg_len, sig, sig_len);
#else
        return HALLMARK_UNSUPPORTED_ALG;
#endif
    case HM_ALG_UNKNOWN:
    default:
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
}
