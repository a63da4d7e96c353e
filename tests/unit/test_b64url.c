#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hm_b64url.h"
#include "hm_jws_sign.h"
#include "test.h"

static hallmark_result
decode_str(const char *s, unsigned char *out, size_t cap, size_t *len)
{
    return hm_b64url_decode(out, cap, s, strlen(s), len);
}

TEST(b64url_rfc4648_round_trips)
{
    /* RFC 4648 §10 inputs, in the URL-safe alphabet without padding. */
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const coded[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    unsigned char bin[16];
    char txt[16];
    size_t i, len;

    for (i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        CHECK_RC(hm_b64url_encode(txt, sizeof txt, (const unsigned char *)plain[i],
                                  strlen(plain[i]), &len),
                 HALLMARK_OK);
        CHECK(len == strlen(coded[i]) && strcmp(txt, coded[i]) == 0);
        CHECK(hm_b64url_encoded_len(strlen(plain[i])) == strlen(coded[i]));
        CHECK_RC(decode_str(coded[i], bin, sizeof bin, &len), HALLMARK_OK);
        CHECK(len == strlen(plain[i]) && memcmp(bin, plain[i], len) == 0);
    }
}

TEST(b64url_url_alphabet)
{
    unsigned char bin[3] = {0xfb, 0xff, 0xbf}, out[3];
    char txt[8];
    size_t len;

    CHECK_RC(hm_b64url_encode(txt, sizeof txt, bin, 3, NULL), HALLMARK_OK);
    CHECK(strcmp(txt, "-_-_") == 0);
    CHECK_RC(decode_str("-_-_", out, sizeof out, &len), HALLMARK_OK);
    CHECK(len == 3 && memcmp(out, bin, 3) == 0);
}

TEST(b64url_strict_rejections)
{
    static const char *const bad[] = {
        "Zg==",         /* padding */
        "Zm8=",         /* padding */
        "Zm9v ",        /* trailing space */
        " Zm9v",        /* leading space */
        "Zm\n9v",       /* newline */
        "+_-_",         /* standard alphabet '+' */
        "-/-_",         /* standard alphabet '/' */
        "Z",            /* 1 mod 4: not a length base64 can have */
        "Zm9vY",        /* 1 mod 4 */
        "Zh",           /* non-zero unused bits ('h' leaves 0001) */
        "Zm9",          /* non-zero unused bits */
        "Zm9v*",        /* foreign character */
        "Zm9v.Zm9v",    /* the JWS separator is not part of a segment */
        "Zm9v\xc3\xa9", /* non-ASCII */
    };
    unsigned char out[32];
    size_t i, len = 99;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_RC(decode_str(bad[i], out, sizeof out, &len), HALLMARK_MALFORMED);
        CHECK(len == 0);
    }
    /* An embedded NUL is a foreign character, not an end of input. */
    CHECK_RC(hm_b64url_decode(out, sizeof out, "Zm9v\0Zm9v", 9, &len), HALLMARK_MALFORMED);
}

TEST(b64url_exact_and_buffers)
{
    unsigned char out[32];
    char small[4];

    CHECK_RC(hm_b64url_decode_exact(out, 3, "Zm9v", 4), HALLMARK_OK);
    CHECK(memcmp(out, "foo", 3) == 0);
    CHECK_RC(hm_b64url_decode_exact(out, 4, "Zm9v", 4), HALLMARK_MALFORMED);
    CHECK_RC(hm_b64url_decode_exact(out, 2, "Zm9v", 4), HALLMARK_MALFORMED);
    CHECK_RC(hm_b64url_decode(out, 2, "Zm9v", 4, NULL), HALLMARK_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(hm_b64url_encode(small, sizeof small, (const unsigned char *)"foo", 3, NULL),
             HALLMARK_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(hm_b64url_decode(NULL, 8, "Zm9v", 4, NULL), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_b64url_decode(out, 8, NULL, 4, NULL), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_b64url_decode(out, 8, NULL, 0, NULL), HALLMARK_OK);
    CHECK_RC(hm_b64url_encode(NULL, 8, out, 1, NULL), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_b64url_encode(small, sizeof small, NULL, 1, NULL), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_b64url_decode_exact(NULL, 3, "Zm9v", 4), HALLMARK_ERR_INVALID_ARGUMENT);
}

TEST(b64url_every_length_round_trips)
{
    unsigned char bin[64], back[64];
    char txt[100];
    size_t n, i, len;

    for (n = 0; n <= sizeof bin; n++) {
        for (i = 0; i < n; i++) {
            bin[i] = (unsigned char)(i * 37 + n);
        }
        CHECK_RC(hm_b64url_encode(txt, sizeof txt, bin, n, &len), HALLMARK_OK);
        CHECK(len == hm_b64url_encoded_len(n));
        CHECK(hm_b64url_decoded_max(len) == n);
        CHECK_RC(hm_b64url_decode(back, sizeof back, txt, len, &len), HALLMARK_OK);
        CHECK(len == n && memcmp(back, bin, n) == 0);
    }
}

TEST(b64url_every_foreign_byte_is_refused)
{
    /* Each of the 192 bytes outside the alphabet, at each of the four positions of a quantum.
     * libsodium 1.0.18 alone accepts the 128 bytes >= 0x80; the decoder must not. */
    unsigned char out[8];
    char in[8];
    int c, pos;
    size_t refused = 0, refused_public = 0;

    for (c = 0; c < 256; c++) {
        int valid = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
        for (pos = 0; pos < 4; pos++) {
            memcpy(in, "AAAA", 5);
            in[pos] = (char)c;
            if (valid) {
                CHECK_RC(hm_b64url_decode(out, sizeof out, in, 4, NULL), HALLMARK_OK);
            } else {
                CHECK_RC(hm_b64url_decode(out, sizeof out, in, 4, NULL), HALLMARK_MALFORMED);
                refused++;
            }
        }
        /* The public decoder's table, in a whole quantum and in the two- and three-character
         * tails (the last character of a tail also carries unused bits: 'A' keeps them zero). */
        for (pos = 0; pos < 7; pos++) {
            static const size_t lens[7] = {6, 6, 7, 7, 7, 4, 4};
            static const int at[7] = {4, 0, 4, 5, 1, 0, 3};
            hallmark_result rc;

            memcpy(in, "AAAAAAA", 8);
            in[at[pos]] = (char)c;
            rc = hm_b64url_decode_public(out, sizeof out, in, lens[pos], NULL);
            if (valid && !(lens[pos] - (size_t)at[pos] == 1 && lens[pos] % 4 != 0)) {
                CHECK_RC(rc, HALLMARK_OK);
            } else if (!valid) {
                CHECK_RC(rc, HALLMARK_MALFORMED);
                refused_public++;
            }
        }
    }
    CHECK(refused == (size_t)192 * 4);
    CHECK(refused_public == (size_t)192 * 7);
}

/* A JWS's public segments are encoded by OpenSSL's table encoder (hm_jws_header_b64, the signing
 * path's): for every length from 0 to 300 and random bytes, exactly libsodium's base64url. */
TEST(b64url_public_encoder_equals_the_constant_time_one)
{
    unsigned char bin[300];
    char want[512], *got = NULL;
    size_t len;

    for (len = 0; len <= sizeof bin; len++) {
        randombytes_buf(bin, len);
        CHECK_RC(hm_b64url_encode(want, sizeof want, bin, len, NULL), HALLMARK_OK);
        CHECK_RC(hm_jws_header_b64((const char *)bin, len, &got), HALLMARK_OK);
        CHECK(strcmp(got, want) == 0);
        free(got);
        got = NULL;
    }
    CHECK_RC(hm_jws_header_b64(NULL, 1, &got), HALLMARK_ERR_INVALID_ARGUMENT);
}

/* A small generator for the differential test (seeded once from the system): getrandom per
 * character would make the test slow, under valgrind most of all. */
static uint32_t
next_random(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return (uint32_t)(*state >> 32);
}

/* The public decoder (OpenSSL's table decoder after the strict checks) answers exactly as the
 * constant-time one: the same result, length and bytes for 100,000 strings of lengths 0 to 99,
 * drawn from the alphabet with, now and then, a foreign character ('=', '+', '/', ' ', NUL,
 * 0x80, 0xff, '.') and with every possible last character (so non-zero unused bits too). */
TEST(b64url_public_decoder_equals_the_constant_time_one)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    static const char foreign[] = {'=', '+', '/', ' ', '\0', (char)0x80, (char)0xff, '.'};
    unsigned char want[80], got[80];
    char text[100];
    size_t i, k, len, wl, gl;
    unsigned differ = 0, ok = 0;
    uint64_t state = 0;

    randombytes_buf(&state, sizeof state);
    state |= 1;
    for (i = 0; i < 100000; i++) {
        len = next_random(&state) % 100;
        for (k = 0; k < len; k++) {
            uint32_t r = next_random(&state);
            text[k] = r % 50 == 0 ? foreign[(r >> 8) % sizeof foreign] : alphabet[(r >> 8) % 64];
        }
        wl = gl = 99;
        memset(want, 0xaa, sizeof want);
        memset(got, 0xaa, sizeof got);
        hallmark_result a = hm_b64url_decode(want, sizeof want, text, len, &wl);
        hallmark_result b = hm_b64url_decode_public(got, sizeof got, text, len, &gl);
        if (a != b || wl != gl || (a == HALLMARK_OK && memcmp(want, got, wl) != 0)) {
            differ++;
        }
        ok += a == HALLMARK_OK;
    }
    CHECK(differ == 0);
    CHECK(ok > 1000 && ok < 100000); /* both outcomes were exercised */
    CHECK_RC(hm_b64url_decode_public(got, 2, "AAAA", 4, &gl), HALLMARK_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(hm_b64url_decode_public(NULL, 2, "AA", 2, &gl), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_b64url_decode_public(got, sizeof got, "AB", 2, &gl), HALLMARK_MALFORMED);
    CHECK_RC(hm_b64url_decode_public(got, sizeof got, "AQ", 2, &gl), HALLMARK_OK);
    CHECK(gl == 1 && got[0] == 1);
}

/* The table encoder for public bytes writes what libsodium's constant-time one writes, for every
 * length and the bytes at both ends of the alphabet. */
TEST(b64url_encode_public_as_the_constant_time_codec)
{
    unsigned char bin[300];
    char want[420], got[420];
    size_t n, i;

    for (n = 0; n <= sizeof bin; n++) {
        for (i = 0; i < n; i++) {
            bin[i] = (unsigned char)(n % 3 == 0 ? 0xFF - i : (i * 97 + n * 31) & 0xFF);
        }
        CHECK_RC(hm_b64url_encode(want, sizeof want, bin, n, NULL), HALLMARK_OK);
        CHECK(hm_b64url_encode_public(got, bin, n) == strlen(want));
        CHECK(strcmp(want, got) == 0);
    }
}
