/* Crypto-core benchmark: the limit (raw libsodium, raw OpenSSL EVP) against Hallmark's core
 * wrappers on the same input, in the same run, so ratios survive a noisy shared machine.
 * Bounded: each row runs for about BENCH_SECONDS (default 0.5) of wall time. */
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hm_signkey.h"

/* A JWS signing input the size of a typical Hallmark token's header.payload. */
#define INPUT_BYTES 620

static double
now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct ctx {
    unsigned char msg[INPUT_BYTES], sig[64], pk[32], sk[64];
    unsigned char der[80];
    size_t der_len;
    EVP_PKEY *evp;
    hm_signkey *ed, *es;
};

typedef int (*op_fn)(struct ctx *);

static int
raw_ed_sign(struct ctx *c)
{
    return crypto_sign_detached(c->sig, NULL, c->msg, sizeof c->msg, c->sk);
}
static int
raw_ed_verify(struct ctx *c)
{
    return crypto_sign_verify_detached(c->sig, c->msg, sizeof c->msg, c->pk);
}
static int
hm_ed_sign(struct ctx *c)
{
    return hm_signkey_sign(c->ed, c->msg, sizeof c->msg, c->sig) == HALLMARK_OK ? 0 : -1;
}
static int
hm_ed_verify(struct ctx *c)
{
    return hm_pubkey_verify(hm_signkey_public(c->ed), c->msg, sizeof c->msg, c->sig, 64) ==
                   HALLMARK_OK
               ? 0
               : -1;
}
static int
raw_es_sign(struct ctx *c)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok;

    c->der_len = sizeof c->der;
    ok = md != NULL && EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, c->evp, NULL) == 1 &&
         EVP_DigestSign(md, c->der, &c->der_len, c->msg, sizeof c->msg) == 1;
    EVP_MD_CTX_free(md);
    return ok ? 0 : -1;
}
static int
raw_es_verify(struct ctx *c)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL &&
             EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, c->evp, NULL) == 1 &&
             EVP_DigestVerify(md, c->der, c->der_len, c->msg, sizeof c->msg) == 1;
    EVP_MD_CTX_free(md);
    return ok ? 0 : -1;
}
static int
hm_es_sign(struct ctx *c)
{
    return hm_signkey_sign(c->es, c->msg, sizeof c->msg, c->sig) == HALLMARK_OK ? 0 : -1;
}
static int
hm_es_verify(struct ctx *c)
{
    return hm_pubkey_verify(hm_signkey_public(c->es), c->msg, sizeof c->msg, c->sig, 64) ==
                   HALLMARK_OK
               ? 0
               : -1;
}

static double
rate(struct ctx *c, op_fn fn, double seconds)
{
    double start = now_seconds(), elapsed;
    long n = 0;

    do {
        int i;
        for (i = 0; i < 64; i++) {
            if (fn(c) != 0) {
                fprintf(stderr, "bench: an operation failed\n");
                exit(1);
            }
        }
        n += 64;
        elapsed = now_seconds() - start;
    } while (elapsed < seconds);
    return (double)n / elapsed;
}

/* One limit row and the Hallmark row measured against it. A verify row first runs its prep (the
 * matching sign op) so it checks a signature made by its own key. */
static void
pair(struct ctx *c, const char *limit_name, op_fn limit_prep, op_fn limit, const char *ours_name,
     op_fn ours_prep, op_fn ours, double secs)
{
    double base, mine;

    if ((limit_prep != NULL && limit_prep(c) != 0) || (ours_prep != NULL && ours_prep(c) != 0)) {
        fprintf(stderr, "bench: set-up failed\n");
        exit(1);
    }
    limit_prep != NULL ? (void)limit_prep(c) : (void)0;
    base = rate(c, limit, secs);
    ours_prep != NULL ? (void)ours_prep(c) : (void)0;
    mine = rate(c, ours, secs);
    printf("limit: %-27s %14.0f %8s\n", limit_name, base, "1.00");
    printf("%-34s %14.0f %8.2f\n", ours_name, mine, mine / base);
}

int
main(void)
{
    struct ctx c;
    const char *env = getenv("BENCH_SECONDS");
    double secs = env != NULL ? atof(env) : 0.5;

    if (sodium_init() < 0 || secs <= 0) {
        return 2;
    }
    randombytes_buf(c.msg, sizeof c.msg);
    crypto_sign_keypair(c.pk, c.sk);
    c.evp = EVP_EC_gen("P-256");
    if (c.evp == NULL || hm_signkey_generate(&c.ed, HM_ALG_ED25519) != HALLMARK_OK ||
        hm_signkey_generate(&c.es, HM_ALG_ES256) != HALLMARK_OK) {
        return 2;
    }
    printf("Hallmark crypto core, %d-byte signing input, libsodium %s, %s\n", INPUT_BYTES,
           sodium_version_string(), OpenSSL_version(OPENSSL_VERSION));
    printf("%-34s %14s %8s\n", "operation", "ops/s", "ratio");
    pair(&c, "crypto_sign_detached", NULL, raw_ed_sign, "hm_signkey_sign (Ed25519)", NULL,
         hm_ed_sign, secs);
    pair(&c, "crypto_sign_verify_detached", raw_ed_sign, raw_ed_verify,
         "hm_pubkey_verify (Ed25519)", hm_ed_sign, hm_ed_verify, secs);
    pair(&c, "EVP_DigestSign (ES256)", NULL, raw_es_sign, "hm_signkey_sign (ES256)", NULL,
         hm_es_sign, secs);
    pair(&c, "EVP_DigestVerify (ES256)", raw_es_sign, raw_es_verify, "hm_pubkey_verify (ES256)",
         hm_es_sign, hm_es_verify, secs);
    hm_signkey_free(c.ed);
    hm_signkey_free(c.es);
    EVP_PKEY_free(c.evp);
    return 0;
}
