/* Crypto-core benchmark: the limit (raw libsodium, raw OpenSSL EVP) against Hallmark's core
 * wrappers on the same input, in the same run, so ratios survive a noisy shared machine.
 * Each pair alternates limit and wrapper for three rounds and keeps each one's best round.
 * Bounded: each round runs for about BENCH_SECONDS / 4 (default 0.5) of wall time.
 * usage: bench-core [INPUT_BYTES] [--json]   (default 620, a typical token's header.payload) */
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "hm_signkey.h"
#include "hm_text.h"

#define INPUT_BYTES_DEFAULT 620
#define INPUT_BYTES_MAX 65536
#define ROUNDS 3

struct ctx {
    unsigned char *msg, sig[64], pk[32], sk[64];
    size_t msg_len;
    unsigned char der[80];
    size_t der_len;
    EVP_PKEY *evp;
    hm_signkey *ed, *es;
    unsigned long recipient; /* a new one per stem: the memo never answers ([HM-TOKEN-55]) */
};

typedef int (*op_fn)(struct ctx *);

static int
raw_ed_sign(struct ctx *c)
{
    return crypto_sign_detached(c->sig, NULL, c->msg, c->msg_len, c->sk);
}
/* The recipient stem of spec HM-TOKEN-55 for a recipient not seen before: what the signer pays
 * for every message to a new recipient, and the app for every message it verifies (the memo
 * holds the last one). */
static int
hm_stem(struct ctx *c)
{
    char to[24];
    unsigned char stem[32];

    (void)snprintf(to, sizeof to, "+4477%09lu", c->recipient++ % 1000000000UL);
    return hm_recipient_stem("sms", "ACMEBANK", to, stem) == HALLMARK_OK ? 0 : -1;
}

static int
raw_ed_verify(struct ctx *c)
{
    return crypto_sign_verify_detached(c->sig, c->msg, c->msg_len, c->pk);
}
static int
hm_ed_sign(struct ctx *c)
{
    return hm_signkey_sign(c->ed, c->msg, c->msg_len, c->sig) == HALLMARK_OK ? 0 : -1;
}
static int
hm_ed_verify(struct ctx *c)
{
    return hm_pubkey_verify(hm_signkey_public(c->ed), c->msg, c->msg_len, c->sig, 64) == HALLMARK_OK
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
         EVP_DigestSign(md, c->der, &c->der_len, c->msg, c->msg_len) == 1;
    EVP_MD_CTX_free(md);
    return ok ? 0 : -1;
}
static int
raw_es_verify(struct ctx *c)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL &&
             EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, c->evp, NULL) == 1 &&
             EVP_DigestVerify(md, c->der, c->der_len, c->msg, c->msg_len) == 1;
    EVP_MD_CTX_free(md);
    return ok ? 0 : -1;
}
static int
hm_es_sign(struct ctx *c)
{
    return hm_signkey_sign(c->es, c->msg, c->msg_len, c->sig) == HALLMARK_OK ? 0 : -1;
}
static int
hm_es_verify(struct ctx *c)
{
    return hm_pubkey_verify(hm_signkey_public(c->es), c->msg, c->msg_len, c->sig, 64) == HALLMARK_OK
               ? 0
               : -1;
}

static double
rate(struct ctx *c, op_fn fn, double seconds)
{
    double start = bench_now(), elapsed;
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
        elapsed = bench_now() - start;
    } while (elapsed < seconds);
    return (double)n / elapsed;
}

/* One limit row and the Hallmark row measured against it. A verify row first runs its prep (the
 * matching sign op) so it checks a signature made by its own key. */
static void
pair(struct ctx *c, const char *key, const char *limit_name, op_fn limit_prep, op_fn limit,
     const char *ours_name, op_fn ours_prep, op_fn ours, double secs, int json)
{
    double base = 0, mine = 0, r;
    int round;

    for (round = 0; round < ROUNDS; round++) {
        if ((limit_prep != NULL && limit_prep(c) != 0)) {
            fprintf(stderr, "bench: set-up failed\n");
            exit(1);
        }
        r = rate(c, limit, secs);
        base = r > base ? r : base;
        if ((ours_prep != NULL && ours_prep(c) != 0)) {
            fprintf(stderr, "bench: set-up failed\n");
            exit(1);
        }
        r = rate(c, ours, secs);
        mine = r > mine ? r : mine;
    }
    if (json) {
        printf("%s\"%s_raw\":%.0f,\"%s_hm\":%.0f", strcmp(key, "ed_sign") == 0 ? "" : ",", key,
               base, key, mine);
        return;
    }
    printf("limit: %-27s %14.0f %8s\n", limit_name, base, "1.00");
    printf("%-34s %14.0f %8.2f\n", ours_name, mine, mine / base);
}

int
main(int argc, char **argv)
{
    struct ctx c;
    double secs = bench_seconds(2.0) / 4;
    long input = argc > 1 ? atol(argv[1]) : INPUT_BYTES_DEFAULT;
    int json = argc > 2 && strcmp(argv[2], "--json") == 0;

    if (sodium_init() < 0 || input < 1 || input > INPUT_BYTES_MAX) {
        fprintf(stderr, "usage: bench-core [INPUT_BYTES 1-65536] [--json]\n");
        return 2;
    }
    memset(&c, 0, sizeof c);
    c.msg_len = (size_t)input;
    c.msg = malloc(c.msg_len);
    if (c.msg == NULL) {
        return 2;
    }
    randombytes_buf(c.msg, c.msg_len);
    crypto_sign_keypair(c.pk, c.sk);
    c.evp = EVP_EC_gen("P-256");
    if (c.evp == NULL || hm_signkey_generate(&c.ed, HM_ALG_ED25519) != HALLMARK_OK ||
        hm_signkey_generate(&c.es, HM_ALG_ES256) != HALLMARK_OK) {
        return 2;
    }
    if (json) {
        printf("{\"input_bytes\":%zu,\"libsodium\":\"%s\",\"openssl\":\"%s\",", c.msg_len,
               sodium_version_string(), OpenSSL_version(OPENSSL_VERSION));
    } else {
        printf("Hallmark crypto core, %zu-byte signing input, libsodium %s, %s\n", c.msg_len,
               sodium_version_string(), OpenSSL_version(OPENSSL_VERSION));
        printf("%-34s %14s %8s\n", "operation", "ops/s", "ratio");
    }
    pair(&c, "ed_sign", "crypto_sign_detached", NULL, raw_ed_sign, "hm_signkey_sign (Ed25519)",
         NULL, hm_ed_sign, secs, json);
    pair(&c, "ed_verify", "crypto_sign_verify_detached", raw_ed_sign, raw_ed_verify,
         "hm_pubkey_verify (Ed25519)", hm_ed_sign, hm_ed_verify, secs, json);
    pair(&c, "es_sign", "EVP_DigestSign (ES256)", NULL, raw_es_sign, "hm_signkey_sign (ES256)",
         NULL, hm_es_sign, secs, json);
    pair(&c, "es_verify", "EVP_DigestVerify (ES256)", raw_es_sign, raw_es_verify,
         "hm_pubkey_verify (ES256)", hm_es_sign, hm_es_verify, secs, json);
    pair(&c, "stem", "crypto_sign_detached", NULL, raw_ed_sign,
         "recipient stem (Argon2id 2 x 1 MiB)", NULL, hm_stem, secs, json);
    if (json) {
        printf("}\n");
    }
    hm_signkey_free(c.ed);
    hm_signkey_free(c.es);
    EVP_PKEY_free(c.evp);
    free(c.msg);
    return 0;
}
