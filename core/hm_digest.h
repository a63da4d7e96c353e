/* SHA-256 and constant-time comparison. Internal to Hallmark. */
#ifndef HM_DIGEST_H
#define HM_DIGEST_H

#include <sodium.h>
#include <stddef.h>

#include "hallmark.h"

/* 1 where the build links OpenSSL (the full build, with ES256), unless a build without it says
 * so (the WebAssembly verifier: ES256 on mbed TLS, tools/build-wasm.sh). Where it is 1, SHA-256
 * (here) and Ed25519 over long messages (hm_key.c) run on OpenSSL's CPU-specific code. */
#ifndef HALLMARK_WITH_OPENSSL
#define HALLMARK_WITH_OPENSSL HALLMARK_WITH_ES256
#endif

#define HM_SHA256_BYTES 32U
/* A SHA-256 digest in base64url: 43 characters. */
#define HM_SHA256_B64_LEN 43U

/* One-shot SHA-256. Returns HALLMARK_OK or HALLMARK_ERR_INVALID_ARGUMENT. */
hallmark_result hm_sha256(unsigned char out[HM_SHA256_BYTES], const unsigned char *in,
                          size_t in_len);

/* SHA-256 as base64url into out (HM_SHA256_B64_LEN + 1 bytes, NUL-terminated). */
hallmark_result hm_sha256_b64url(char out[HM_SHA256_B64_LEN + 1], const unsigned char *in,
                                 size_t in_len);

/* A SHA-256 in progress, for inputs fed in parts (the canonical body). With OpenSSL (the full
 * build) it runs OpenSSL's SHA-256, which uses the CPU's SHA instructions (about 4x libsodium's
 * portable code on a message body: issue 16); without OpenSSL, libsodium's. Begin, add any number
 * of times, then end exactly once (or drop after a failure); the state holds no secret. */
typedef struct hm_sha256_stream {
    void *evp; /* EVP_MD_CTX (OpenSSL); NULL: libsodium's state below */
    crypto_hash_sha256_state st;
} hm_sha256_stream;

/* Never fails: when OpenSSL cannot start one, libsodium's SHA-256 takes over (same digest). */
void hm_sha256_begin(hm_sha256_stream *h);
void hm_sha256_add(hm_sha256_stream *h, const void *in, size_t len);
/* The digest into out; frees what begin took. */
void hm_sha256_end(hm_sha256_stream *h, unsigned char out[HM_SHA256_BYTES]);
/* Frees what begin took, without a digest (after a failure on the way). */
void hm_sha256_drop(hm_sha256_stream *h);
/* The digest of in alone, on a stream begun and not yet fed, which is begun again for the next
 * input: many short inputs (a bundle's 10,000 brand entries and credentials) share one OpenSSL
 * context, where begin and end would make and free one each, and keep OpenSSL's SHA-256 where
 * hm_sha256 would take libsodium's portable one. Drop the stream after the last. */
void hm_sha256_next(hm_sha256_stream *h, const void *in, size_t len,
                    unsigned char out[HM_SHA256_BYTES]);

/* 1 when the two buffers are equal, 0 otherwise, in time that depends only on len. */
int hm_ct_equal(const void *a, const void *b, size_t len);

/* Makes sure libsodium is initialized; idempotent and thread-safe. HALLMARK_ERR_INTERNAL if not. */
hallmark_result hm_crypto_init(void);

#endif
