/* What every bench tool needs: clocks, the BENCH_SECONDS knob, and NDJSON input read whole. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>

/* Monotonic wall time and this process's CPU time (user + system), in seconds. */
double bench_now(void);
double bench_cpu_seconds(void);

/* The median of the n values of v (sorts v in place): the figure of a row measured in rounds. */
double bench_median(double *v, size_t n);

/* BENCH_SECONDS from the environment (seconds per measured row), else fallback. */
double bench_seconds(double fallback);

/* Reads up to max lines of path (NUL-terminated, newline cut) into *lines (malloc'd array of
 * malloc'd strings; bench_lines_free). Returns the count, or 0 on error with a message. */
size_t bench_read_lines(const char *path, size_t max, char ***lines);

/* OpenSSL ES256 with its contexts kept, issue 16's limit for ES256: a P-256 key made here, its
 * sign and verify contexts made once, SHA-256 fetched once; a signature is EVP_Digest then
 * EVP_PKEY_sign (DER). NULL when OpenSSL fails. */
typedef struct bench_es256 bench_es256;
bench_es256 *bench_es256_new(void);
void bench_es256_free(bench_es256 *e);
/* The key (borrowed), for callers that export it. */
struct evp_pkey_st *bench_es256_key(bench_es256 *e);
/* 1 when in[0..len) was signed into der (*der_len in: its room, out: the length). */
int bench_es256_sign(bench_es256 *e, const unsigned char *in, size_t len, unsigned char *der,
                     size_t *der_len);
/* 1 when der is e's signature over in[0..len). */
int bench_es256_verify(bench_es256 *e, const unsigned char *in, size_t len,
                       const unsigned char *der, size_t der_len);
void bench_lines_free(char **lines, size_t n);

#endif
