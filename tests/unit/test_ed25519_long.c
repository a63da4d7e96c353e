/* hm_ed25519_valid_on_openssl, the path hm_ed25519_verify_raw takes for messages of 64 KiB or more
 * (trust bundles: OpenSSL's SHA-512 is about 4x libsodium's portable one), held to libsodium's
 * verdicts ([HM-TRUST-6]): it may call a signature valid only where libsodium does, and it must
 * call every honest signature valid (or it would be a slower path, not a faster one). The
 * external edge cases (speccheck, CCTV, Wycheproof) are run through it in test_ed25519_edges.c. */
#include <sodium.h>
#include <string.h>

#include "hm_digest.h" /* HALLMARK_WITH_OPENSSL */
#include "hm_key.h"
#include "test.h"

#if HALLMARK_WITH_OPENSSL
#include <openssl/evp.h>
#endif

/* Over the 64 KiB from which hm_ed25519_verify_raw takes the path. */
#define LONG_LEN ((size_t)70 * 1024)

static uint64_t rng_state = 0x5eed1e55ed25519ULL;

static unsigned char long_msg[LONG_LEN];

static void
fill_long_msg(void)
{
    size_t i;

    for (i = 0; i < sizeof long_msg; i++) {
        long_msg[i] = (unsigned char)test_rand(&rng_state, 256);
    }
}

static void
keypair(unsigned char pk[32], unsigned char sk[64], unsigned char seed[32])
{
    size_t i;

    for (i = 0; i < 32; i++) {
        seed[i] = (unsigned char)test_rand(&rng_state, 256);
    }
    (void)crypto_sign_seed_keypair(pk, sk, seed);
}

/* S + L, a non-canonical S that is the same scalar: 256-bit little-endian addition (S < L < 2^253,
 * so it cannot overflow). */
static void
add_order(unsigned char s[32])
{
    static const unsigned char order[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                            0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
    unsigned int carry = 0;
    size_t i;

    for (i = 0; i < 32; i++) {
        carry += (unsigned int)s[i] + order[i];
        s[i] = (unsigned char)carry;
        carry >>= 8;
    }
}

/* The signature only the key's holder can make for a chosen R: S = k * a mod L with
 * k = SHA-512(R || A || M) mod L (returned in k), so [S]B - [k]A is the identity when A = [a]B,
 * and -[k]T when A = [a]B + T (a key with a torsion part T). */
static void
forge(unsigned char sig[64], unsigned char k[32], const unsigned char seed[32],
      const unsigned char a_bytes[32], const unsigned char r[32], const unsigned char *msg,
      size_t len)
{
    unsigned char h[64], wide[64] = {0}, a[32];
    crypto_hash_sha512_state st;

    (void)crypto_hash_sha512(h, seed, 32);
    h[0] &= 248U; /* the clamped secret scalar of RFC 8032 §5.1.5 */
    h[31] &= 127U;
    h[31] |= 64U;
    memcpy(wide, h, 32);
    crypto_core_ed25519_scalar_reduce(a, wide);
    memcpy(sig, r, 32);
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, r, 32);
    crypto_hash_sha512_update(&st, a_bytes, 32);
    crypto_hash_sha512_update(&st, msg, len);
    crypto_hash_sha512_final(&st, h);
    crypto_core_ed25519_scalar_reduce(k, h);
    crypto_core_ed25519_scalar_mul(sig + 32, k, a);
    sodium_memzero(a, sizeof a);
    sodium_memzero(wide, sizeof wide);
    sodium_memzero(h, sizeof h);
}

#if HALLMARK_WITH_OPENSSL
/* OpenSSL's Ed25519 on its own: 1 when it accepts. */
static int
openssl_alone(const unsigned char pk[32], const unsigned char *msg, size_t len,
              const unsigned char sig[64])
{
    EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = pkey != NULL && ctx != NULL &&
             EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
             EVP_DigestVerify(ctx, sig, 64, msg, len) == 1;

    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return ok;
}
#endif

TEST(ed25519_long_path_agrees_with_libsodium)
{
    static const size_t lens[] = {0, 1, 100, 4096, LONG_LEN};
    unsigned char pk[32], sk[64], seed[32], other_pk[32], other_sk[64], sig[64], bad[64];
    size_t k, li, flips = 0, accepted = 0;

    fill_long_msg();
    keypair(other_pk, other_sk, seed);
    for (k = 0; k < 8; k++) {
        keypair(pk, sk, seed);
        for (li = 0; li < sizeof lens / sizeof lens[0]; li++) {
            size_t len = lens[li], f;

            (void)crypto_sign_detached(sig, NULL, long_msg, len, sk);
            /* An honest signature: the path proves it (where OpenSSL is linked). */
            CHECK(hm_ed25519_valid_on_openssl(pk, long_msg, len, sig) == HALLMARK_WITH_OPENSSL);
            CHECK_RC(hm_ed25519_verify_raw(pk, 32, long_msg, len, sig, 64), HALLMARK_OK);
            accepted += (size_t)hm_ed25519_valid_on_openssl(pk, long_msg, len, sig);
            /* Any one bit of R or S flipped: refused by both. */
            for (f = 0; f < 16; f++) {
                size_t bit = test_rand(&rng_state, 512);

                memcpy(bad, sig, sizeof bad);
                bad[bit / 8] ^= (unsigned char)(1U << (bit % 8));
                CHECK(hm_ed25519_valid_on_openssl(pk, long_msg, len, bad) == 0);
                CHECK(crypto_sign_verify_detached(bad, long_msg, len, pk) != 0);
                CHECK_RC(hm_ed25519_verify_raw(pk, 32, long_msg, len, bad, 64),
                         HALLMARK_BAD_SIGNATURE);
                flips++;
            }
            /* S + L: the same scalar, not canonical. */
            memcpy(bad, sig, sizeof bad);
            add_order(bad + 32);
            CHECK(hm_ed25519_valid_on_openssl(pk, long_msg, len, bad) == 0);
            CHECK_RC(hm_ed25519_verify_raw(pk, 32, long_msg, len, bad, 64), HALLMARK_BAD_SIGNATURE);
            /* Another key; the message one byte shorter or with a byte changed. */
            CHECK(hm_ed25519_valid_on_openssl(other_pk, long_msg, len, sig) == 0);
            CHECK_RC(hm_ed25519_verify_raw(other_pk, 32, long_msg, len, sig, 64),
                     HALLMARK_BAD_SIGNATURE);
            if (len > 0) {
                size_t at = test_rand(&rng_state, (uint32_t)len);

                CHECK(hm_ed25519_valid_on_openssl(pk, long_msg, len - 1, sig) == 0);
                long_msg[at] ^= 0x20U;
                CHECK(hm_ed25519_valid_on_openssl(pk, long_msg, len, sig) == 0);
                CHECK_RC(hm_ed25519_verify_raw(pk, 32, long_msg, len, sig, 64),
                         HALLMARK_BAD_SIGNATURE);
                long_msg[at] ^= 0x20U;
            }
        }
    }
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(other_sk, sizeof other_sk);
    test_note("OpenSSL path: %zu of 40 honest signatures proven (%s), %zu bit flips refused",
              accepted, HALLMARK_WITH_OPENSSL ? "OpenSSL linked" : "no OpenSSL in this build",
              flips);
}

TEST(ed25519_long_path_refuses_what_only_libsodium_refuses)
{
    /* The points of order 4 and 2 (T, 2T, 3T, with T = (sqrt(-1), 0)) and the identity O. */
    static const unsigned char identity[32] = {1}, t1[32] = {0},
                               t2[32] = {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
                               t3[32] = {[31] = 0x80};
    const unsigned char *torsion[4] = {identity, t1, t2, t3};
    unsigned char pk[32], sk[64], seed[32], sig[64], k[32], mixed[32];
    size_t attempt, j, found = 0;

    fill_long_msg();
    keypair(pk, sk, seed);

    /* 1. R = the identity, made with the secret: RFC 8032's equation holds, so OpenSSL's Ed25519
     * alone accepts it; libsodium refuses an R of small order, and so must the path. */
    forge(sig, k, seed, pk, identity, long_msg, LONG_LEN);
#if HALLMARK_WITH_OPENSSL
    CHECK(openssl_alone(pk, long_msg, LONG_LEN, sig) == 1); /* the case is real */
#endif
    CHECK(crypto_sign_verify_detached(sig, long_msg, LONG_LEN, pk) != 0);
    CHECK(hm_ed25519_valid_on_openssl(pk, long_msg, LONG_LEN, sig) == 0);
    CHECK_RC(hm_ed25519_verify_raw(pk, 32, long_msg, LONG_LEN, sig, 64), HALLMARK_BAD_SIGNATURE);

    /* 2. A key with a torsion part, A' = A + T (libsodium takes it: it refuses only small-order
     * keys). With S = k * a, [S]B - [k]A' = -[k]T: an R of order 4 or 2 then satisfies the
     * equation when it equals -[k mod 4]T, and k depends on R, so try R and the message until one
     * does. OpenSSL accepts that signature, libsodium refuses its small-order R, and the path,
     * which takes only keys of the prime-order subgroup, leaves it to libsodium. */
    CHECK(crypto_core_ed25519_add(mixed, pk, t1) == 0);
    CHECK(crypto_core_ed25519_is_valid_point(mixed) == 0);
    for (attempt = 0; attempt < 64 && !found; attempt++) {
        long_msg[0] = (unsigned char)attempt;
        for (j = 1; j < 4 && !found; j++) {
            forge(sig, k, seed, mixed, torsion[j], long_msg, LONG_LEN);
            found = ((4U - (k[0] & 3U)) & 3U) == j;
        }
    }
    CHECK(found);
#if HALLMARK_WITH_OPENSSL
    CHECK(openssl_alone(mixed, long_msg, LONG_LEN, sig) == 1); /* the case is real */
#endif
    CHECK(crypto_sign_verify_detached(sig, long_msg, LONG_LEN, mixed) != 0);
    CHECK(hm_ed25519_valid_on_openssl(mixed, long_msg, LONG_LEN, sig) == 0);
    CHECK_RC(hm_ed25519_verify_raw(mixed, 32, long_msg, LONG_LEN, sig, 64), HALLMARK_BAD_SIGNATURE);

    /* 3. A small-order key: refused before OpenSSL is asked. */
    CHECK(hm_ed25519_valid_on_openssl(t1, long_msg, LONG_LEN, sig) == 0);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(seed, sizeof seed);
}
