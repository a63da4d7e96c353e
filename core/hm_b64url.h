/* Strict base64url without padding (RFC 4648 §5, RFC 7515 §2). Internal to Hallmark. */
#ifndef HM_B64URL_H
#define HM_B64URL_H

#include <stddef.h>

#include "hallmark.h"

/* Characters needed to encode bin_len bytes, without padding and without a NUL. */
size_t hm_b64url_encoded_len(size_t bin_len);

/* The most bytes b64_len characters can decode to. */
size_t hm_b64url_decoded_max(size_t b64_len);

/*
 * Encodes bin into out as a NUL-terminated string. out_cap must hold
 * hm_b64url_encoded_len(bin_len) + 1 bytes. *out_len (may be NULL) receives the length without
 * the NUL. Returns HALLMARK_OK, HALLMARK_ERR_INVALID_ARGUMENT or HALLMARK_ERR_BUFFER_TOO_SMALL.
 */
hallmark_result hm_b64url_encode(char *out, size_t out_cap, const unsigned char *bin,
                                 size_t bin_len, size_t *out_len);

/*
 * Encodes public bytes (a token's segments, digests, token ids) into out, NUL-terminated, with a
 * table: several times faster than libsodium's constant-time codec, whose timing a secret needs
 * and public data does not. out holds hm_b64url_encoded_len(bin_len) + 1 bytes. Returns the
 * length without the NUL. Keys and secrets use hm_b64url_encode.
 */
size_t hm_b64url_encode_public(char *out, const unsigned char *bin, size_t bin_len);

/*
 * Decodes exactly b64_len characters. Strict: rejects padding, whitespace, '+' and '/', any
 * character outside the alphabet (NUL included), a length of 1 mod 4, non-zero unused bits and
 * anything left undecoded. Returns HALLMARK_OK, HALLMARK_MALFORMED for any of those,
 * HALLMARK_ERR_BUFFER_TOO_SMALL, or HALLMARK_ERR_INVALID_ARGUMENT. On failure *out_len is 0 and
 * out holds no partial result the caller may use.
 */
hallmark_result hm_b64url_decode(unsigned char *out, size_t out_cap, const char *b64,
                                 size_t b64_len, size_t *out_len);

/*
 * The same rules and results for public bytes (a token's segments): a table decoder in one pass,
 * several times faster than libsodium's constant-time one, which a secret needs and a public
 * token does not. Keys and secrets use hm_b64url_decode.
 */
hallmark_result hm_b64url_decode_public(unsigned char *out, size_t out_cap, const char *b64,
                                        size_t b64_len, size_t *out_len);

/* Decodes into exactly want_len bytes: HALLMARK_MALFORMED unless the input is exactly that long. */
hallmark_result hm_b64url_decode_exact(unsigned char *out, size_t want_len, const char *b64,
                                       size_t b64_len);

/* The same for public bytes (a token's digests), through hm_b64url_decode_public. */
hallmark_result hm_b64url_decode_exact_public(unsigned char *out, size_t want_len, const char *b64,
                                              size_t b64_len);

#endif
