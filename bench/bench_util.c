#include "bench_util.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

double
bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
bench_cpu_seconds(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

double
bench_seconds(double fallback)
{
    const char *env = getenv("BENCH_SECONDS");
    double v = env != NULL ? atof(env) : 0;

    return v > 0 ? v : fallback;
}

size_t
bench_read_lines(const char *path, size_t max, char ***lines)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, **all = NULL;
    size_t cap = 0, n = 0, room = 0;
    ssize_t len;

    *lines = NULL;
    if (f == NULL) {
        (void)fprintf(stderr, "bench: cannot open %s\n", path);
        return 0;
    }
    while (n < max && (len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n') {
            line[--len] = '\0';
        }
        if (n == room) {
            char **grown = realloc(all, (room = room * 2 + 1024) * sizeof *all);
            if (grown == NULL) {
                break;
            }
            all = grown;
        }
        if ((all[n] = strdup(line)) == NULL) {
            break;
        }
        n++;
    }
    free(line);
    (void)fclose(f);
    *lines = all;
    return n;
}

void
bench_lines_free(char **lines, size_t n)
{
    size_t i;

    for (i = 0; lines != NULL && i < n; i++) {
        free(lines[i]);
    }
    free(lines);
}

static int
by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

double
bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, by_value);
    return n > 0 ? v[n / 2] : 0.0;
}

struct bench_es256 {
    EVP_PKEY *key;
    EVP_PKEY_CTX *sign_ctx, *verify_ctx;
    EVP_MD *sha256;
};

bench_es256 *
bench_es256_new(void)
{
    bench_es256 *e = calloc(1, sizeof *e);

    if (e == NULL) {
        return NULL;
    }
    e->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    e->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    e->sign_ctx = e->key != NULL ? EVP_PKEY_CTX_new_from_pkey(NULL, e->key, NULL) : NULL;
    e->verify_ctx = e->key != NULL ? EVP_PKEY_CTX_new_from_pkey(NULL, e->key, NULL) : NULL;
    if (e->sha256 == NULL || e->sign_ctx == NULL || e->verify_ctx == NULL ||
        EVP_PKEY_sign_init(e->sign_ctx) != 1 || EVP_PKEY_verify_init(e->verify_ctx) != 1) {
        bench_es256_free(e);
        return NULL;
    }
    return e;
}

void
bench_es256_free(bench_es256 *e)
{
    if (e != NULL) {
        EVP_PKEY_CTX_free(e->sign_ctx);
        EVP_PKEY_CTX_free(e->verify_ctx);
        EVP_MD_free(e->sha256);
        EVP_PKEY_free(e->key);
        free(e);
    }
}

struct evp_pkey_st *
bench_es256_key(bench_es256 *e)
{
    return e->key;
}

int
bench_es256_sign(bench_es256 *e, const unsigned char *in, size_t len, unsigned char *der,
                 size_t *der_len)
{
    unsigned char d[32];
    unsigned int dl = 0;

    return EVP_Digest(in, len, d, &dl, e->sha256, NULL) == 1 &&
           EVP_PKEY_sign(e->sign_ctx, der, der_len, d, dl) == 1;
}

int
bench_es256_verify(bench_es256 *e, const unsigned char *in, size_t len, const unsigned char *der,
                   size_t der_len)
{
    unsigned char d[32];
    unsigned int dl = 0;

    return EVP_Digest(in, len, d, &dl, e->sha256, NULL) == 1 &&
           EVP_PKEY_verify(e->verify_ctx, der, der_len, d, dl) == 1;
}
