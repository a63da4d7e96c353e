/* Public and signing keys: import, thumbprints, sign/verify, and bad input to each function. */
#include <string.h>

#include "hm_b64url.h"
#include "hm_digest.h"
#include "hm_json.h"
#include "hm_secmem.h"
#include "hm_signkey.h"
#include "test.h"

/* P-256 group order n, big-endian. */
static const unsigned char p256_n[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

static json_t *
jwk_of(const char *text)
{
    json_t *o = NULL;

    if (hm_json_parse_object((const unsigned char *)text, strlen(text), 4096, 2, &o) !=
        HALLMARK_OK) {
        return NULL;
    }
    return o;
}

/* n - s as 32 big-endian bytes (s < n). */
static void
negate_mod_n(unsigned char out[32], const unsigned char s[32])
{
    int i, borrow = 0;

    for (i = 31; i >= 0; i--) {
        int d = p256_n[i] - s[i] - borrow;
        borrow = d < 0;
        out[i] = (unsigned char)(d + (borrow ? 256 : 0));
    }
}

TEST(keys_ed25519_import_refuses_bad_points_and_lengths)
{
    unsigned char zero[32] = {0}, identity[32] = {1}, ok_pk[32];
    unsigned char noncanon[32];
    hm_pubkey key;
    hm_signkey *sk = NULL;

    /* Small-order points: 0 (order 4) and the identity (order 1). */
    CHECK_RC(hm_pubkey_from_raw(&key, HM_ALG_ED25519, zero, 32), HALLMARK_ERR_INVALID_KEY);
    CHECK_RC(hm_pubkey_from_raw(&key, HM_ALG_ED25519, identity, 32), HALLMARK_ERR_INVALID_KEY);
    /* Non-canonical y >= p (all ones except the sign bit). */
    memset(noncanon, 0xff, 32);
    noncanon[31] = 0x7f;
    CHECK_RC(hm_pubkey_from_raw(&key, HM_ALG_ED25519, noncanon, 32), HALLMARK_ERR_INVALID_KEY);
    CHECK_RC(hm_signkey_generate(&sk, HM_ALG_ED25519), HALLMARK_OK);
    memcpy(ok_pk, hm_signkey_public(sk)->raw, 32);
    hm_signkey_free(sk);
    CHECK_RC(hm_pubkey_from_raw(&key, HM_ALG_ED25519, ok_pk, 31), HALLMARK_ERR_INVALID_KEY);
    CHECK_RC(hm_pubkey_from_raw(&key, HM_ALG_ED25519, ok_pk, 33), HALLMARK_ERR_INVALID_KEY);
    CHECK_RC(hm_pubkey_from_raw(&key, HM_ALG_ED25519, NULL, 32), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_pubkey_from_raw(NULL, HM_ALG_ED25519, ok_pk, 32), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_pubkey_from_raw(&key, HM_ALG_UNKNOWN, ok_pk, 32), HALLMARK_UNSUPPORTED_ALG);
    CHECK_RC(hm_pubkey_from_raw(&key, (hm_alg)77, ok_pk, 32), HALLMARK_UNSUPPORTED_ALG);
    CHECK(key.alg == HM_ALG_UNKNOWN); /* left cleared on failure */
    CHECK_RC(hm_pubkey_from_raw(&key, HM_ALG_ED25519, ok_pk, 32), HALLMARK_OK);
    hm_pubkey_clear(&key);
    hm_pubkey_clear(&key); /* twice is harmless */
    hm_pubkey_clear(NULL);
}

TEST(keys_es256_import_refuses_points_off_the_curve)
{
    unsigned char pt[65];
    hm_pubkey key;
    hm_signkey *sk = NULL;

    CHECK_RC(hm_signkey_generate(&sk, HM_ALG_ES256), HALLMARK_OK);
    memcpy(pt, hm_signkey_public(sk)->raw, 65);
    hm_signkey_free(sk);
    CHECK_RC(hm_pubkey_from_raw(&key, HM_ALG_ES256, pt, 65), HALLMARK_OK);
    hm_pubkey_clear(&key);
    pt[64] ^= 0x01; /* y no longer matches x */
    CHECK_RC(hm_pubkey_from_raw(&key, HM_ALG_ES256, pt, 65), HALLMARK_ERR_INVALID_KEY);
    pt[64] ^= 0x01;
    pt[0] = 0x02; /* compressed form is not accepted */
    CHECK_RC(hm_pubkey_from_raw(&key, HM_ALG_ES256, pt, 65), HALLMARK_ERR_INVALID_KEY);
    pt[0] = 0x04;
    CHECK_RC(hm_pubkey_from_raw(&key, HM_ALG_ES256, pt, 64), HALLMARK_ERR_INVALID_KEY);
    memset(pt + 1, 0, 64); /* the point at infinity has no affine encoding */
    CHECK_RC(hm_pubkey_from_raw(&key, HM_ALG_ES256, pt, 65), HALLMARK_ERR_INVALID_KEY);
}

TEST(keys_jwk_import_and_thumbprint)
{
    static const char *const bad[] = {
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\"}", /* no x */
        "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"x\":\"11qYAYKxCrfVS_"
        "7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
        "{\"kty\":\"EC\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_"
        "7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo="
        "\"}",
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_"
        "7TyWQHOg7hcvPapiMlrwIaaPcHUR\"}",
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS+"
        "7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}",
        "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":12}",
        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\"}",
        "{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}",
    };
    char canon[256], want[256], x[48], y[48], kid[HM_SHA256_B64_LEN + 1];
    hm_signkey *sk = NULL;
    hm_pubkey key, again;
    json_t *o;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o = jwk_of(bad[i]);
        CHECK(o != NULL);
        CHECK_RC(hm_pubkey_from_jwk(&key, o), HALLMARK_ERR_INVALID_KEY);
        json_decref(o);
    }
    CHECK_RC(hm_pubkey_from_jwk(&key, NULL), HALLMARK_ERR_INVALID_ARGUMENT);

    /* P-256: members in lexicographic order crv, kty, x, y; kid = SHA-256 of exactly that. */
    CHECK_RC(hm_signkey_generate(&sk, HM_ALG_ES256), HALLMARK_OK);
    CHECK_RC(hm_b64url_encode(x, sizeof x, hm_signkey_public(sk)->raw + 1, 32, NULL), HALLMARK_OK);
    CHECK_RC(hm_b64url_encode(y, sizeof y, hm_signkey_public(sk)->raw + 33, 32, NULL), HALLMARK_OK);
    hm_signkey_free(sk);
    (void)snprintf(want, sizeof want,
                   "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"%s\",\"y\":\"%s\"}", x, y);
    (void)snprintf(canon, sizeof canon,
                   "{\"y\":\"%s\",\"x\":\"%s\",\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"sig\"}",
                   y, x);
    o = jwk_of(canon);
    CHECK(o != NULL);
    CHECK_RC(hm_pubkey_from_jwk(&key, o), HALLMARK_OK);
    json_decref(o);
    CHECK_RC(hm_pubkey_canonical_jwk(&key, canon, sizeof canon, &i), HALLMARK_OK);
    CHECK(strcmp(canon, want) == 0 && i == strlen(want));
    CHECK_RC(hm_sha256_b64url(kid, (const unsigned char *)want, strlen(want)), HALLMARK_OK);
    CHECK(strcmp(key.kid, kid) == 0);
    CHECK_RC(hm_pubkey_from_raw(&again, HM_ALG_ES256, key.raw, key.raw_len), HALLMARK_OK);
    CHECK(strcmp(again.kid, key.kid) == 0);
    CHECK_RC(hm_pubkey_canonical_jwk(&key, canon, 20, NULL), HALLMARK_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(hm_pubkey_canonical_jwk(NULL, canon, sizeof canon, NULL),
             HALLMARK_ERR_INVALID_ARGUMENT);
    hm_pubkey_clear(&again);
    hm_pubkey_clear(&key);
}

TEST(keys_es256_sign_verify_low_s_and_high_s_policy)
{
    static const unsigned char msg[] = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJhY21lIn0";
    unsigned char sig[64], twin[64], half[32];
    hm_signkey *sk = NULL;
    const hm_pubkey *pub;
    int i;

    CHECK_RC(hm_signkey_generate(&sk, HM_ALG_ES256), HALLMARK_OK);
    pub = hm_signkey_public(sk);
    memcpy(half, p256_n, 32);
    for (i = 31; i >= 0; i--) { /* half = n >> 1 */
        half[i] = (unsigned char)((half[i] >> 1) | (i > 0 ? (p256_n[i - 1] & 1) << 7 : 0));
    }
    for (i = 0; i < 16; i++) {
        CHECK_RC(hm_signkey_sign(sk, msg, sizeof msg - 1, sig), HALLMARK_OK);
        CHECK(memcmp(sig + 32, half, 32) <= 0); /* the signer emits low S */
        CHECK_RC(hm_pubkey_verify(pub, msg, sizeof msg - 1, sig, 64), HALLMARK_OK);
        /* (r, n - s) is the same signature's high-S twin: accepted by policy (spec §11). */
        memcpy(twin, sig, 32);
        negate_mod_n(twin + 32, sig + 32);
        CHECK_RC(hm_pubkey_verify(pub, msg, sizeof msg - 1, twin, 64), HALLMARK_OK);
    }
    /* r or s zero, or >= n: refused. */
    memcpy(twin, sig, 64);
    memset(twin, 0, 32);
    CHECK_RC(hm_pubkey_verify(pub, msg, sizeof msg - 1, twin, 64), HALLMARK_BAD_SIGNATURE);
    memcpy(twin, sig, 64);
    memset(twin + 32, 0, 32);
    CHECK_RC(hm_pubkey_verify(pub, msg, sizeof msg - 1, twin, 64), HALLMARK_BAD_SIGNATURE);
    memcpy(twin, sig, 64);
    memcpy(twin, p256_n, 32);
    CHECK_RC(hm_pubkey_verify(pub, msg, sizeof msg - 1, twin, 64), HALLMARK_BAD_SIGNATURE);
    memcpy(twin, sig, 64);
    memcpy(twin + 32, p256_n, 32);
    CHECK_RC(hm_pubkey_verify(pub, msg, sizeof msg - 1, twin, 64), HALLMARK_BAD_SIGNATURE);
    memset(twin, 0xff, 64);
    CHECK_RC(hm_pubkey_verify(pub, msg, sizeof msg - 1, twin, 64), HALLMARK_BAD_SIGNATURE);
    /* Truncated, overlong, other message. */
    CHECK_RC(hm_pubkey_verify(pub, msg, sizeof msg - 1, sig, 63), HALLMARK_BAD_SIGNATURE);
    CHECK_RC(hm_pubkey_verify(pub, msg, sizeof msg - 1, sig, 65), HALLMARK_BAD_SIGNATURE);
    CHECK_RC(hm_pubkey_verify(pub, msg, sizeof msg - 2, sig, 64), HALLMARK_BAD_SIGNATURE);
    CHECK_RC(hm_pubkey_verify(pub, NULL, 4, sig, 64), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_pubkey_verify(pub, msg, 4, NULL, 64), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_pubkey_verify(NULL, msg, 4, sig, 64), HALLMARK_ERR_INVALID_ARGUMENT);
    hm_signkey_free(sk);
}

TEST(keys_signkey_secret_round_trip_and_bad_scalars)
{
    unsigned char *secret = hm_secret_alloc(HM_SECRET_BYTES), sig1[64], sig2[64], bad[32];
    hm_signkey *a = NULL, *b = NULL;
    hm_alg algs[2] = {HM_ALG_ED25519, HM_ALG_ES256};
    int i;

    CHECK(secret != NULL);
    for (i = 0; i < 2; i++) {
        CHECK_RC(hm_signkey_generate(&a, algs[i]), HALLMARK_OK);
        CHECK_RC(hm_signkey_export_secret(a, secret, HM_SECRET_BYTES), HALLMARK_OK);
        CHECK_RC(hm_signkey_from_secret(&b, algs[i], secret, HM_SECRET_BYTES), HALLMARK_OK);
        CHECK(strcmp(hm_signkey_public(a)->kid, hm_signkey_public(b)->kid) == 0);
        CHECK_RC(hm_signkey_sign(b, (const unsigned char *)"m", 1, sig1), HALLMARK_OK);
        CHECK_RC(hm_pubkey_verify(hm_signkey_public(a), (const unsigned char *)"m", 1, sig1, 64),
                 HALLMARK_OK);
        CHECK_RC(hm_signkey_sign(a, NULL, 0, sig2), HALLMARK_OK);
        CHECK_RC(hm_pubkey_verify(hm_signkey_public(b), NULL, 0, sig2, 64), HALLMARK_OK);
        CHECK_RC(hm_signkey_export_secret(a, secret, 31), HALLMARK_ERR_BUFFER_TOO_SMALL);
        hm_signkey_free(a);
        hm_signkey_free(b);
        a = b = NULL;
    }
    /* Ed25519 is deterministic: same seed, same message, same bytes. */
    memset(secret, 7, HM_SECRET_BYTES);
    CHECK_RC(hm_signkey_from_secret(&a, HM_ALG_ED25519, secret, HM_SECRET_BYTES), HALLMARK_OK);
    CHECK_RC(hm_signkey_sign(a, (const unsigned char *)"m", 1, sig1), HALLMARK_OK);
    CHECK_RC(hm_signkey_sign(a, (const unsigned char *)"m", 1, sig2), HALLMARK_OK);
    CHECK(memcmp(sig1, sig2, 64) == 0);
    hm_signkey_free(a);
    a = NULL;
    /* P-256 scalars 0, n and above n are refused. */
    memset(bad, 0, sizeof bad);
    CHECK_RC(hm_signkey_from_secret(&a, HM_ALG_ES256, bad, 32), HALLMARK_ERR_INVALID_KEY);
    CHECK_RC(hm_signkey_from_secret(&a, HM_ALG_ES256, p256_n, 32), HALLMARK_ERR_INVALID_KEY);
    memset(bad, 0xff, sizeof bad);
    CHECK_RC(hm_signkey_from_secret(&a, HM_ALG_ES256, bad, 32), HALLMARK_ERR_INVALID_KEY);
    CHECK(a == NULL);
    CHECK_RC(hm_signkey_from_secret(&a, HM_ALG_ED25519, secret, 31), HALLMARK_ERR_INVALID_KEY);
    CHECK_RC(hm_signkey_from_secret(&a, HM_ALG_UNKNOWN, secret, 32), HALLMARK_UNSUPPORTED_ALG);
    CHECK_RC(hm_signkey_from_secret(&a, HM_ALG_ED25519, NULL, 32), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_signkey_from_secret(NULL, HM_ALG_ED25519, secret, 32),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_signkey_generate(&a, HM_ALG_UNKNOWN), HALLMARK_UNSUPPORTED_ALG);
    CHECK_RC(hm_signkey_generate(NULL, HM_ALG_ED25519), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_signkey_sign(NULL, sig1, 1, sig2), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(hm_signkey_public(NULL) == NULL);
    hm_signkey_free(NULL);
    hm_secret_free(secret);
}

TEST(keys_alg_names)
{
    CHECK(hm_alg_from_name("Ed25519") == HM_ALG_ED25519);
    CHECK(hm_alg_from_name("ES256") == HM_ALG_ES256);
    CHECK(hm_alg_from_name("EdDSA") == HM_ALG_UNKNOWN); /* bundles pin the RFC 9864 name */
    CHECK(hm_alg_from_name("none") == HM_ALG_UNKNOWN);
    CHECK(hm_alg_from_name("es256") == HM_ALG_UNKNOWN);
    CHECK(hm_alg_from_name(NULL) == HM_ALG_UNKNOWN);
    CHECK(strcmp(hm_alg_name(HM_ALG_ES256), "ES256") == 0);
    CHECK(strcmp(hm_alg_name(HM_ALG_UNKNOWN), "unknown") == 0);
    CHECK(hm_alg_supported(HM_ALG_ED25519) && hm_alg_supported(HM_ALG_ES256));
    CHECK(!hm_alg_supported(HM_ALG_UNKNOWN));
}
