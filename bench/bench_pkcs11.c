/* bench-pkcs11: signatures per second through a PKCS#11 token (SoftHSM2 in bench and the test)
 * for each algorithm, with 1 and 2 threads, as a ratio to the file-key path in the same run.
 * SoftHSM2 is software: the ratio measures Hallmark's PKCS#11 overhead (sessions, the module's
 * locking, the call path), not a real HSM's speed.
 * usage: bench-pkcs11 MODULE TOKEN_LABEL [SECONDS]   (PIN: $HALLMARK_PKCS11_PIN_FILE) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hm_pkcs11.h"

struct run {
    const hm_signkey *key;
    double seconds;
    unsigned long count;
    int failed;
};

static double
now_s(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
run_main(void *arg)
{
    struct run *r = arg;
    unsigned char sig[HM_SIG_BYTES];
    static const unsigned char msg[256] = {1};
    double end = now_s() + r->seconds;

    while (now_s() < end) {
        if (hm_signkey_sign(r->key, msg, sizeof msg, sig) != HALLMARK_OK) {
            r->failed = 1;
            break;
        }
        r->count++;
    }
    return NULL;
}

/* Signatures per second with n threads on key, or -1 on a failure. */
static double
rate(const hm_signkey *key, int n, double seconds)
{
    struct run r[2];
    pthread_t t[2];
    double total = 0;
    int i;

    memset(r, 0, sizeof r);
    for (i = 0; i < n; i++) {
        r[i].key = key;
        r[i].seconds = seconds;
        if (pthread_create(&t[i], NULL, run_main, &r[i]) != 0) {
            return -1;
        }
    }
    for (i = 0; i < n; i++) {
        (void)pthread_join(t[i], NULL);
        if (r[i].failed) {
            return -1;
        }
        total += (double)r[i].count;
    }
    return total / seconds;
}

int
main(int argc, char **argv)
{
    static const hm_alg algs[] = {HM_ALG_ED25519, HM_ALG_ES256};
    double seconds = argc > 3 ? atof(argv[3]) : 1.0;
    size_t a;
    int n;

    if (argc < 3 || seconds <= 0) {
        (void)fprintf(stderr, "usage: bench-pkcs11 MODULE TOKEN_LABEL [SECONDS]\n");
        return 2;
    }
    for (a = 0; a < sizeof algs / sizeof algs[0]; a++) {
        hm_signkey *file = NULL, *token = NULL;
        hm_p11_uri uri;
        char text[256], canonical[HM_P11_URI_MAX], err[512];

        (void)snprintf(text, sizeof text, "pkcs11:token=%s;object=bench-%s-%ld", argv[2],
                       hm_alg_name(algs[a]), (long)time(NULL));
        if (hm_p11_uri_parse(text, &uri, err, sizeof err) != HALLMARK_OK ||
            hm_p11_generate(argv[1], &uri, algs[a], &token, canonical, sizeof canonical, err,
                            sizeof err) != HALLMARK_OK ||
            hm_signkey_generate(&file, algs[a]) != HALLMARK_OK) {
            (void)fprintf(stderr, "bench-pkcs11: %s\n", err);
            hm_signkey_free(token);
            return 1;
        }
        for (n = 1; n <= 2; n++) {
            double f = rate(file, n, seconds), t = rate(token, n, seconds);
            (void)printf("pkcs11 %-7s threads=%d  file %9.0f/s  token %9.0f/s  ratio %.2f\n",
                         hm_alg_name(algs[a]), n, f, t, f > 0 ? t / f : 0.0);
        }
        hm_signkey_free(file);
        hm_signkey_free(token);
    }
    return 0;
}
