/* base64url on libsodium's constant-time codec, called so that it is strict: no end pointer
 * (with one, sodium_base642bin stops at the first foreign character and reports success), no
 * ignore set, and the no-padding URL-safe variant. Two checks are ours: the length (1 mod 4 is
 * impossible) and the alphabet, because libsodium 1.0.18 (Debian 12), where char is signed,
 * decodes every byte >= 0x80 as if it were a valid character (found by tests/fuzz/fuzz_b64url;
 * the regression is b64url_every_foreign_byte_is_refused). */
#include "hm_b64url.h"

#include <sodium.h>
#include <string.h>
/* OpenSSL's table codecs and SHA-256 where the build links OpenSSL (with ES256), unless a build
 * without it says so (the WebAssembly verifier: ES256 on mbed TLS, tools/build-wasm.sh). */
#ifndef HALLMARK_WITH_OPENSSL
#define HALLMARK_WITH_OPENSSL HALLMARK_WITH_ES256
#endif
#if HALLMARK_WITH_OPENSSL
#include <openssl/evp.h>
#endif

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
hm_b64url_decode_exact_public(unsigned char *out, size_t want_len, const char *b64,
                              size_t b64_len)
{
    return decode_exact(hm_b64url_decode_public, out, want_len, b64, b64_len);
}

#if HALLMARK_WITH_OPENSSL
/* The 6-bit value of a base64url character the alphabet check accepted. */
static unsigned
sextet(char c)
{
    return c >= 'A' && c <= 'Z'   ? (unsigned)(c - 'A')
           : c >= 'a' && c <= 'z' ? (unsigned)(c - 'a' + 26)
           : c >= '0' && c <= '9' ? (unsigned)(c - '0' + 52)
           : c == '-'             ? 62U
                                  : 63U;
}

/* Decodes a run of whole groups (len a multiple of 4, at most 1024 characters, in the URL
 * alphabet, the last group possibly padded) with OpenSSL's table decoder: the bytes written, or
 * -1. */
static int
decode_groups(unsigned char *out, const char *b64, size_t len)
{
    unsigned char std[1024];
    size_t i;

    for (i = 0; i < len; i++) {
        std[i] = b64[i] == '-' ? '+' : b64[i] == '_' ? '/' : (unsigned char)b64[i];
    }
    return EVP_DecodeBlock(out, std, (int)len);
}
#endif

hallmark_result
hm_b64url_decode_public(unsigned char *out, size_t out_cap, const char *b64, size_t b64_len,
                        size_t *out_len)
{
#if HALLMARK_WITH_OPENSSL
    size_t whole = b64_len / 4 * 4, rem = b64_len % 4, done = 0, at, n;
    unsigned char last[3];
    char tail[4];
    unsigned low;

    if (out_len != NULL) {
        *out_len = 0;
    }
    if (out == NULL || (b64 == NULL && b64_len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (rem == 1 || !alphabet_only(b64, b64_len)) {
        return HALLMARK_MALFORMED;
    }
    if (out_cap < hm_b64url_decoded_max(b64_len)) {
        return HALLMARK_ERR_BUFFER_TOO_SMALL;
    }
    if (rem > 0) { /* the unused low bits of the last character must be zero (RFC 4648 §3.5) */
        low = sextet(b64[b64_len - 1]) & (rem == 2 ? 0x0fU : 0x03U);
        if (low != 0) {
            return HALLMARK_MALFORMED;
        }
    }
    for (at = 0; at < whole; at += n) {
        n = whole - at > 1024 ? 1024 : whole - at;
        if (decode_groups(out + done, b64 + at, n) != (int)(n / 4 * 3)) {
            memset(out, 0, out_cap);
            return HALLMARK_MALFORMED;
        }
        done += n / 4 * 3;
    }
    if (rem > 0) {
        memcpy(tail, b64 + whole, rem);
        memset(tail + rem, '=', 4 - rem);
        if (decode_groups(last, tail, 4) != 3) {
            memset(out, 0, out_cap);
            return HALLMARK_MALFORMED;
        }
        memcpy(out + done, last, rem - 1);
        done += rem - 1;
    }
    if (out_len != NULL) {
        *out_len = done;
    }
    return HALLMARK_OK;
#else
    return hm_b64url_decode(out, out_cap, b64, b64_len, out_len);
#endif
}
