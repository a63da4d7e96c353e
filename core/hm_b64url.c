/* base64url on libsodium's constant-time codec, called so that it is strict: no end pointer
 * (with one, sodium_base642bin stops at the first foreign character and reports success), no
 * ignore set, and the no-padding URL-safe variant. Two checks are ours: the length (1 mod 4 is
 * impossible) and the alphabet, because libsodium 1.0.18 (Debian 12), where char is signed,
 * decodes every byte >= 0x80 as if it were a valid character (found by tests/fuzz/fuzz_b64url;
 * the regression is b64url_every_foreign_byte_is_refused). */
#include "hm_b64url.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

size_t
hm_b64url_encoded_len(size_t bin_len)
{
    return (bin_len / 3) * 4 + ((bin_len % 3) * 4 + 2) / 3;
}

size_t
hm_b64url_decoded_max(size_t b64_len)
{
    return (b64_len / 4) * 3 + ((b64_len % 4) * 3) / 4;
}

hallmark_result
hm_b64url_encode(char *out, size_t out_cap, const unsigned char *bin, size_t bin_len,
                 size_t *out_len)
{
    size_t need;

    if (out == NULL || (bin == NULL && bin_len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    need = sodium_base64_ENCODED_LEN(bin_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (out_cap < need) {
        return HALLMARK_ERR_BUFFER_TOO_SMALL;
    }
    sodium_bin2base64(out, out_cap, bin_len > 0 ? bin : (const unsigned char *)"", bin_len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (out_len != NULL) {
        *out_len = strlen(out);
    }
    return HALLMARK_OK;
}

/* The base64url character of a 6-bit value, as a constant expression. */
#define B64_CHAR(v)                                                                                \
    ((v) < 26    ? 'A' + (v)                                                                       \
     : (v) < 52  ? 'a' + (v)-26                                                                    \
     : (v) < 62  ? '0' + (v)-52                                                                    \
     : (v) == 62 ? '-'                                                                             \
                 : '_')
#define B64_PAIR(v) B64_CHAR((v) >> 6), B64_CHAR((v)&63)
#define B64_PAIRS4(v) B64_PAIR(v), B64_PAIR((v) + 1), B64_PAIR((v) + 2), B64_PAIR((v) + 3)
#define B64_PAIRS16(v) B64_PAIRS4(v), B64_PAIRS4((v) + 4), B64_PAIRS4((v) + 8), B64_PAIRS4((v) + 12)
#define B64_PAIRS64(v)                                                                             \
    B64_PAIRS16(v), B64_PAIRS16((v) + 16), B64_PAIRS16((v) + 32), B64_PAIRS16((v) + 48)
#define B64_PAIRS256(v)                                                                            \
    B64_PAIRS64(v), B64_PAIRS64((v) + 64), B64_PAIRS64((v) + 128), B64_PAIRS64((v) + 192)
#define B64_PAIRS1024(v)                                                                           \
    B64_PAIRS256(v), B64_PAIRS256((v) + 256), B64_PAIRS256((v) + 512), B64_PAIRS256((v) + 768)

/* The two characters of every 12-bit value: two table reads for three bytes instead of four
 * (the token's payload is most of what a signer encodes: issue 16). Public data only. */
static const char b64_pairs[8192] = {B64_PAIRS1024(0), B64_PAIRS1024(1024), B64_PAIRS1024(2048),
                                     B64_PAIRS1024(3072)};

size_t
hm_b64url_encode_public(char *out, const unsigned char *bin, size_t bin_len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t i = 0, n = 0;

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* Six bytes a round from one 8-byte load (its last two bytes unused), where it stays inside
     * bin: four pair reads, no per-byte loads. */
    for (; i + 8 <= bin_len; i += 6) {
        uint64_t v;
        memcpy(&v, bin + i, sizeof v);
        v = __builtin_bswap64(v) >> 16; /* the six bytes, big-endian, in the low 48 bits */
        memcpy(out + n, b64_pairs + 2 * ((v >> 36) & 0xfff), 2);
        memcpy(out + n + 2, b64_pairs + 2 * ((v >> 24) & 0xfff), 2);
        memcpy(out + n + 4, b64_pairs + 2 * ((v >> 12) & 0xfff), 2);
        memcpy(out + n + 6, b64_pairs + 2 * (v & 0xfff), 2);
        n += 8;
    }
#endif
    for (; i + 3 <= bin_len; i += 3) {
        unsigned long v =
            ((unsigned long)bin[i] << 16) | ((unsigned long)bin[i + 1] << 8) | bin[i + 2];
        memcpy(out + n, b64_pairs + 2 * (v >> 12), 2);
        memcpy(out + n + 2, b64_pairs + 2 * (v & 0xfff), 2);
        n += 4;
    }
    if (bin_len - i == 1) {
        out[n++] = alphabet[bin[i] >> 2];
        out[n++] = alphabet[(bin[i] & 3) << 4];
    } else if (bin_len - i == 2) {
        unsigned long v = ((unsigned long)bin[i] << 8) | bin[i + 1];
        out[n++] = alphabet[v >> 10];
        out[n++] = alphabet[(v >> 4) & 63];
        out[n++] = alphabet[(v << 2) & 63];
    }
    out[n] = '\0';
    return n;
}

/* 1 if every byte is in A-Z a-z 0-9 - _. Branch-free per byte: segments may hold secrets. */
static int
alphabet_only(const char *b64, size_t len)
{
    unsigned int bad = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned int c = (unsigned char)b64[i];
        unsigned int ok =
            ((c - 'A') < 26U) | ((c - 'a') < 26U) | ((c - '0') < 10U) | (c == '-') | (c == '_');
        bad |= ok ^ 1U;
    }
    return bad == 0;
}

hallmark_result
hm_b64url_decode(unsigned char *out, size_t out_cap, const char *b64, size_t b64_len,
                 size_t *out_len)
{
    size_t len = 0;

    if (out_len != NULL) {
        *out_len = 0;
    }
    if (out == NULL || (b64 == NULL && b64_len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (b64_len % 4 == 1 || !alphabet_only(b64, b64_len)) {
        return HALLMARK_MALFORMED;
    }
    if (out_cap < hm_b64url_decoded_max(b64_len)) {
        return HALLMARK_ERR_BUFFER_TOO_SMALL;
    }
    if (b64_len == 0) {
        return HALLMARK_OK;
    }
    if (sodium_base642bin(out, out_cap, b64, b64_len, NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != hm_b64url_decoded_max(b64_len)) {
        sodium_memzero(out, out_cap);
        return HALLMARK_MALFORMED;
    }
    if (out_len != NULL) {
        *out_len = len;
    }
    return HALLMARK_OK;
}

typedef hallmark_result (*decoder)(unsigned char *, size_t, const char *, size_t, size_t *);

static hallmark_result
decode_exact(decoder decode, unsigned char *out, size_t want_len, const char *b64, size_t b64_len)
{
    size_t len = 0;
    hallmark_result rc;

    if (out == NULL || b64 == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (hm_b64url_decoded_max(b64_len) != want_len) {
        return HALLMARK_MALFORMED;
    }
    rc = decode(out, want_len, b64, b64_len, &len);
    if (rc == HALLMARK_OK && len != want_len) {
        return HALLMARK_MALFORMED;
    }
    return rc;
}

hallmark_result
hm_b64url_decode_exact(unsigned char *out, size_t want_len, const char *b64, size_t b64_len)
{
    return decode_exact(hm_b64url_decode, out, want_len, b64, b64_len);
}

hallmark_result
hm_b64url_decode_exact_public(unsigned char *out, size_t want_len, const char *b64, size_t b64_len)
{
    return decode_exact(hm_b64url_decode_public, out, want_len, b64, b64_len);
}

/* Public bytes (a token's segments and digests) decode through this table in one pass, in every
 * build: the sextet of each base64url character; X (bits 6 and 7, X_BAD) for every other byte. */
#define X 0xC0U
#define X_BAD 0xC0U
/* clang-format off */
static const unsigned char sextets[256] = {
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 0x00 */
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 0x10 */
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, 62,  X,  X, /* 0x20 */
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61,  X,  X,  X,  X,  X,  X, /* 0x30 */
     X,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, /* 0x40 */
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,  X,  X,  X,  X, 63, /* 0x50 */
     X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, /* 0x60 */
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51,  X,  X,  X,  X,  X, /* 0x70 */
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 0x80 */
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 0x90 */
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 0xa0 */
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 0xb0 */
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 0xc0 */
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 0xd0 */
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 0xe0 */
     X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X, /* 0xf0 */
};
/* clang-format on */
#undef X

hallmark_result
hm_b64url_decode_public(unsigned char *out, size_t out_cap, const char *b64, size_t b64_len,
                        size_t *out_len)
{
    const unsigned char *in = (const unsigned char *)b64;
    size_t whole = b64_len / 4 * 4, rem = b64_len % 4, i, done = 0;
    unsigned bad = 0, a, b, c, d;

    if (out_len != NULL) {
        *out_len = 0;
    }
    if (out == NULL || (b64 == NULL && b64_len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (rem == 1) {
        return HALLMARK_MALFORMED;
    }
    if (out_cap < hm_b64url_decoded_max(b64_len)) {
        return HALLMARK_ERR_BUFFER_TOO_SMALL;
    }
    for (i = 0; i < whole; i += 4, done += 3) {
        a = sextets[in[i]];
        b = sextets[in[i + 1]];
        c = sextets[in[i + 2]];
        d = sextets[in[i + 3]];
        bad |= a | b | c | d;
        out[done] = (unsigned char)(a << 2 | b >> 4);
        out[done + 1] = (unsigned char)(b << 4 | c >> 2);
        out[done + 2] = (unsigned char)(c << 6 | d);
    }
    if (rem > 0) {
        a = sextets[in[whole]];
        b = sextets[in[whole + 1]];
        c = rem == 3 ? sextets[in[whole + 2]] : 0;
        bad |= a | b | c;
        /* the unused low bits of the last character must be zero (RFC 4648 §3.5) */
        bad |= (rem == 2 ? b & 0x0fU : c & 0x03U) != 0 ? X_BAD : 0;
        out[done++] = (unsigned char)(a << 2 | b >> 4);
        if (rem == 3) {
            out[done++] = (unsigned char)(b << 4 | c >> 2);
        }
    }
    if ((bad & X_BAD) != 0) {
        memset(out, 0, done);
        return HALLMARK_MALFORMED;
    }
    if (out_len != NULL) {
        *out_len = done;
    }
    return HALLMARK_OK;
}
