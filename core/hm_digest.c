#include "hm_digest.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <string.h>
/* OpenSSL's table codecs and SHA-256 where the build links OpenSSL (HALLMARK_WITH_OPENSSL,
 * hm_digest.h). */
#if HALLMARK_WITH_OPENSSL
#include <openssl/evp.h>
#endif

#include "hm_b64url.h"

/* From this length on, hm_sha256 is worth a stream context. */
#define SHA256_STREAM_MIN 4096U

#if HALLMARK_WITH_OPENSSL
/* OpenSSL's SHA-256, fetched once for the process (EVP_MD_fetch is not free per call). */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
/* Each thread keeps the contexts of its last finished streams for its next ones: a new context
 * and its free were about 1,700 instructions of a signed token's 3 digests (issue 16), where
 * EVP_DigestInit_ex2 on a kept SHA-256 context only resets it. Two, for the two streams of
 * hm_body_digest_and_lookup_key. A thread's contexts are freed when the thread ends. */
#define KEPT_CONTEXTS 2
static pthread_key_t kept_key[KEPT_CONTEXTS];
static int kept_keys; /* how many of kept_key were created */

static void
free_kept(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void
fetch_sha256(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    while (kept_keys < KEPT_CONTEXTS && pthread_key_create(&kept_key[kept_keys], free_kept) == 0) {
        kept_keys++;
    }
}

/* A context this thread kept, taken from the keeping, or a new one; NULL when out of memory. */
static EVP_MD_CTX *
take_context(void)
{
    int k;

    for (k = 0; k < kept_keys; k++) {
        EVP_MD_CTX *ctx = pthread_getspecific(kept_key[k]);
        if (ctx != NULL && pthread_setspecific(kept_key[k], NULL) == 0) {
            return ctx;
        }
    }
    return EVP_MD_CTX_new();
}

/* Keeps ctx for this thread's next streams when there is room; frees it otherwise. Only a context
 * whose digest was finished, which OpenSSL wipes. */
static void
keep_context(EVP_MD_CTX *ctx)
{
    int k;

    for (k = 0; ctx != NULL && k < kept_keys; k++) {
        if (pthread_getspecific(kept_key[k]) == NULL &&
            pthread_setspecific(kept_key[k], ctx) == 0) {
            return;
        }
    }
    EVP_MD_CTX_free(ctx);
}
#endif

void
hm_sha256_begin(hm_sha256_stream *h)
{
    memset(h, 0, sizeof *h);
#if HALLMARK_WITH_OPENSSL
    (void)pthread_once(&sha256_once, fetch_sha256);
    if (sha256_md != NULL && (h->evp = take_context()) != NULL &&
        EVP_DigestInit_ex2(h->evp, sha256_md, NULL) == 1) {
        return;
    }
    EVP_MD_CTX_free(h->evp);
    h->evp = NULL;
#endif
    /* Without OpenSSL, or when it could not start one (out of memory): libsodium's, which needs
     * no memory, so a digest never fails for want of it; both give the same digest. */
    crypto_hash_sha256_init(&h->st);
}

void
hm_sha256_add(hm_sha256_stream *h, const void *in, size_t len)
{
    if (len == 0) {
        return;
    }
#if HALLMARK_WITH_OPENSSL
    if (h->evp != NULL) {
        (void)EVP_DigestUpdate(h->evp, in, len); /* fails only on a context begin did not make */
        return;
    }
#endif
    crypto_hash_sha256_update(&h->st, in, len);
}

void
hm_sha256_end(hm_sha256_stream *h, unsigned char out[HM_SHA256_BYTES])
{
#if HALLMARK_WITH_OPENSSL
    if (h->evp != NULL) {
        unsigned int n = 0;
        if (EVP_DigestFinal_ex(h->evp, out, &n) != 1 || n != HM_SHA256_BYTES) {
            memset(out, 0, HM_SHA256_BYTES); /* matches no real digest: fails closed */
            hm_sha256_drop(h);
            return;
        }
        keep_context(h->evp);
        h->evp = NULL;
        sodium_memzero(&h->st, sizeof h->st);
        return;
    }
#endif
    crypto_hash_sha256_final(&h->st, out);
    hm_sha256_drop(h);
}

void
hm_sha256_drop(hm_sha256_stream *h)
{
#if HALLMARK_WITH_OPENSSL
    EVP_MD_CTX_free(h->evp);
#endif
    h->evp = NULL;
    sodium_memzero(&h->st, sizeof h->st);
}

void
hm_sha256_next(hm_sha256_stream *h, const void *in, size_t len, unsigned char out[HM_SHA256_BYTES])
{
#if HALLMARK_WITH_OPENSSL
    if (h->evp != NULL) {
        unsigned int n = 0;
        if ((len > 0 && EVP_DigestUpdate(h->evp, in, len) != 1) ||
            EVP_DigestFinal_ex(h->evp, out, &n) != 1 || n != HM_SHA256_BYTES) {
            memset(out, 0, HM_SHA256_BYTES); /* matches no real digest: fails closed */
        }
        if (EVP_DigestInit_ex2(h->evp, sha256_md, NULL) != 1) {
            hm_sha256_drop(h);
            hm_sha256_begin(h);
        }
        return;
    }
#endif
    if (len > 0) {
        crypto_hash_sha256_update(&h->st, in, len);
    }
    crypto_hash_sha256_final(&h->st, out);
    crypto_hash_sha256_init(&h->st);
}

hallmark_result
hm_sha256(unsigned char out[HM_SHA256_BYTES], const unsigned char *in, size_t in_len)
{
    if (out == NULL || (in == NULL && in_len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    /* A long input takes the stream (OpenSSL's SHA-256 where linked: about 7x libsodium's portable
     * one on a 20 MB trust bundle, whose digest was a fifth of its load); a short one stays on
     * libsodium, which needs no context. Both give the same digest. */
    if (in_len >= SHA256_STREAM_MIN) {
        hm_sha256_stream h;
        hm_sha256_begin(&h);
        hm_sha256_add(&h, in, in_len);
        hm_sha256_end(&h, out);
        return HALLMARK_OK;
    }
    crypto_hash_sha256(out, in_len > 0 ? in : (const unsigned char *)"", in_len);
    return HALLMARK_OK;
}

hallmark_result
hm_sha256_b64url(char out[HM_SHA256_B64_LEN + 1], const unsigned char *in, size_t in_len)
{
    unsigned char digest[HM_SHA256_BYTES];
    hallmark_result rc = hm_sha256(digest, in, in_len);

    if (rc != HALLMARK_OK) {
        return rc;
    }
    return hm_b64url_encode(out, HM_SHA256_B64_LEN + 1, digest, sizeof digest, NULL);
}

int
hm_ct_equal(const void *a, const void *b, size_t len)
{
    if (len == 0) {
        return 1;
    }
    return sodium_memcmp(a, b, len) == 0;
}

/* sodium_init takes libsodium's global lock on every call, even once it has run: the verifier
 * calls this on every verification, so after the first success it is one atomic load. */
static atomic_int sodium_ready;

hallmark_result
hm_crypto_init(void)
{
    if (atomic_load_explicit(&sodium_ready, memory_order_acquire)) {
        return HALLMARK_OK;
    }
    if (sodium_init() < 0) {
        return HALLMARK_ERR_INTERNAL;
    }
    atomic_store_explicit(&sodium_ready, 1, memory_order_release);
    return HALLMARK_OK;
}
