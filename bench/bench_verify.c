/* bench-verify: the verifier library on tokens hallmark-signer made. Loads BUNDLE (time, heap and
 * peak RSS), checks that every message verifies, then measures hallmark_verify on one thread
 * and on THREADS threads sharing one verifier. The limit is measured beside the one-thread figure,
 * alternating rounds in this process (best of three each): crypto_sign_verify_detached over the
 * very signing inputs of the tokens, signed for it with a fresh key. One JSON object on stdout.
 * Run once per bundle size, each in its own process, so peak RSS belongs to that size alone.
 * usage: bench-verify ROOT_B64 BUNDLE SIGNED.ndjson THREADS */
#include <malloc.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_util.h"
#include "hallmark.h"
#include "hm_atomic.h"
#include "hm_json.h"

#define MESSAGES_MAX 20000
#define THREADS_MAX 64
#define ROUNDS 3

struct corpus {
    hallmark_verifier *v;
    hallmark_message *msgs;
    size_t n;
    int64_t now;
    double seconds;
    /* the limit: each token's signing input, its signature under pk */
    const char **inputs;
    size_t *input_lens;
    unsigned char (*sigs)[crypto_sign_BYTES];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    int raw;
};

struct worker {
    const struct corpus *c;
    size_t start;
    unsigned long done, failed;
    double cpu;
};

static size_t
heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();

    return mi.uordblks + mi.hblkhd;
}

static void *
verify_loop(void *arg)
{
    struct worker *w = arg;
    const struct corpus *c = w->c;
    double end = bench_now() + c->seconds;
    size_t i = w->start;
    struct timespec t0, t1;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    do {
        int k;
        for (k = 0; k < 64; k++) {
            hallmark_verification out;
            if (c->raw
                    ? crypto_sign_verify_detached(c->sigs[i], (const unsigned char *)c->inputs[i],
                                                  c->input_lens[i], c->pk) != 0
                    : hallmark_verify(c->v, &c->msgs[i], c->now, &out) != HALLMARK_VERIFIED) {
                w->failed++;
            }
            i = i + 1 == c->n ? 0 : i + 1;
        }
        w->done += 64;
    } while (bench_now() < end);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    w->cpu = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return NULL;
}

/* Verifications per second of wall time on threads threads; *per_cpu: per CPU second. */
static double
verify_rate(const struct corpus *c, int threads, double *per_cpu)
{
    pthread_t tid[THREADS_MAX];
    struct worker w[THREADS_MAX];
    double start = bench_now(), elapsed;
    unsigned long total = 0, failed = 0;
    double cpu = 0;
    int i;

    for (i = 0; i < threads; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].c = c;
        w[i].start = (c->n / (size_t)threads) * (size_t)i;
        if (pthread_create(&tid[i], NULL, verify_loop, &w[i]) != 0) {
            return -1;
        }
    }
    for (i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        total += w[i].done;
        failed += w[i].failed;
        cpu += w[i].cpu;
    }
    elapsed = bench_now() - start;
    *per_cpu = cpu > 0 ? (double)total / cpu : 0;
    return failed == 0 ? (double)total / elapsed : -1;
}

/* The limit's inputs: each token's header.payload (borrowed), signed with a fresh key. */
static int
limit_inputs(struct corpus *c)
{
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    size_t i;

    c->inputs = calloc(c->n, sizeof *c->inputs);
    c->input_lens = calloc(c->n, sizeof *c->input_lens);
    c->sigs = calloc(c->n, sizeof *c->sigs);
    if (c->inputs == NULL || c->input_lens == NULL || c->sigs == NULL) {
        return -1;
    }
    crypto_sign_keypair(c->pk, sk);
    for (i = 0; i < c->n; i++) {
        c->inputs[i] = c->msgs[i].token;
        c->input_lens[i] = (size_t)(strrchr(c->msgs[i].token, '.') - c->msgs[i].token);
        crypto_sign_detached(c->sigs[i], NULL, (const unsigned char *)c->inputs[i],
                             c->input_lens[i], sk);
    }
    sodium_memzero(sk, sizeof sk);
    return 0;
}

/* Parses the signed lines into messages; the json objects stay alive in objs. */
static size_t
read_messages(char **lines, size_t n, json_t **objs, hallmark_message *msgs)
{
    size_t i;

    for (i = 0; i < n; i++) {
        json_t *m = NULL;
        if (hm_json_parse_object((const unsigned char *)lines[i], strlen(lines[i]), (size_t)1 << 20,
                                 6, &m) != HALLMARK_OK) {
            return i;
        }
        objs[i] = m;
        msgs[i].channel = json_string_value(json_object_get(m, "channel"));
        msgs[i].from = json_string_value(json_object_get(m, "from"));
        msgs[i].to = json_string_value(json_object_get(m, "to"));
        msgs[i].body = (const unsigned char *)json_string_value(json_object_get(m, "body"));
        msgs[i].body_len = json_string_length(json_object_get(m, "body"));
        msgs[i].token = json_string_value(json_object_get(m, "token"));
        msgs[i].token_len = msgs[i].token != NULL ? strlen(msgs[i].token) : 0;
    }
    return n;
}

/* The fastest of a few loads (at least one, at most five, about a second in all), in ms. */
static double
load_ms(hallmark_verifier *v, const unsigned char *bundle, size_t len, int64_t now)
{
    double best = -1, spent = 0;
    int i;

    for (i = 0; i < 5 && (i == 0 || spent < 1.0); i++) {
        double t0 = bench_now(), t;
        hallmark_error err;
        hallmark_result rc = hallmark_verifier_load_bundle(v, bundle, len, 0, now, NULL, &err);
        if (rc != HALLMARK_OK) {
            (void)fprintf(stderr, "bench-verify: the bundle does not load: %s (%s)\n",
                          hallmark_result_name(rc), err.message != NULL ? err.message : "");
            return -1;
        }
        t = bench_now() - t0;
        spent += t;
        best = best < 0 || t < best ? t : best;
    }
    return best * 1000;
}

int
main(int argc, char **argv)
{
    struct corpus c;
    const char *roots[1];
    unsigned char *bundle = NULL;
    char **lines = NULL;
    json_t **objs;
    size_t len = 0, n, i, heap0, heap;
    double ms, one = 0, all, one_cpu = 0, all_cpu, limit = 0, limit_cpu = 0, r, r_cpu;
    int round;
    struct rusage ru;
    int threads;

    if (argc != 5 || (threads = atoi(argv[4])) < 1 || threads > THREADS_MAX) {
        (void)fprintf(stderr, "usage: bench-verify ROOT_B64 BUNDLE SIGNED.ndjson THREADS\n");
        return 2;
    }
    memset(&c, 0, sizeof c);
    c.now = (int64_t)time(NULL);
    c.seconds = bench_seconds(2.0);
    roots[0] = argv[1];
    n = bench_read_lines(argv[3], MESSAGES_MAX, &lines);
    objs = calloc(n + 1, sizeof *objs);
    c.msgs = calloc(n + 1, sizeof *c.msgs);
    if (n == 0 || objs == NULL || c.msgs == NULL || read_messages(lines, n, objs, c.msgs) != n ||
        hm_read_file(argv[2], (size_t)32 << 20, &bundle, &len) != HALLMARK_OK) {
        (void)fprintf(stderr, "bench-verify: cannot read the messages or the bundle\n");
        return 2;
    }
    c.n = n;
    heap0 = heap_in_use();
    if (hallmark_verifier_new(&c.v, roots, 1) != HALLMARK_OK ||
        (ms = load_ms(c.v, bundle, len, c.now)) < 0) {
        return 1;
    }
    heap = heap_in_use() - heap0;
    getrusage(RUSAGE_SELF, &ru);
    for (i = 0; i < n; i++) {
        hallmark_verification out;
        hallmark_result rc = hallmark_verify(c.v, &c.msgs[i], c.now, &out);
        if (rc != HALLMARK_VERIFIED) {
            (void)fprintf(stderr, "bench-verify: message %zu: %s (%s)\n", i + 1,
                          hallmark_result_name(rc), out.detail);
            return 1;
        }
    }
    if (limit_inputs(&c) != 0) {
        return 2;
    }
    for (round = 0; round < ROUNDS; round++) {
        double secs = c.seconds;
        c.seconds = secs / ROUNDS;
        c.raw = 1;
        r = verify_rate(&c, 1, &r_cpu);
        limit = r > limit ? r : limit;
        limit_cpu = r_cpu > limit_cpu ? r_cpu : limit_cpu;
        c.raw = 0;
        r = verify_rate(&c, 1, &r_cpu);
        one = r > one ? r : one;
        one_cpu = r_cpu > one_cpu ? r_cpu : one_cpu;
        c.seconds = secs;
    }
    all = verify_rate(&c, threads, &all_cpu);
    if (limit < 0 || one < 0 || all < 0) {
        (void)fprintf(stderr, "bench-verify: a verification failed under load\n");
        return 1;
    }
    (void)printf("{\"bundle_bytes\":%zu,\"load_ms\":%.2f,\"heap_bytes\":%zu,\"maxrss_kb\":%ld,"
                 "\"messages\":%zu,\"limit\":%.0f,\"limit_per_cpu\":%.0f,\"verify_1t\":%.0f,"
                 "\"verify_1t_per_cpu\":%.0f,"
                 "\"threads\":%d,\"verify_all\":%.0f,\"verify_all_per_cpu\":%.0f}\n",
                 len, ms, heap, ru.ru_maxrss, n, limit, limit_cpu, one, one_cpu, threads, all,
                 all_cpu);
    for (i = 0; i < n; i++) {
        json_decref(objs[i]);
    }
    free(objs);
    free(c.msgs);
    free(c.inputs);
    free(c.input_lens);
    free(c.sigs);
    free(bundle);
    bench_lines_free(lines, n);
    hallmark_verifier_free(c.v);
    return 0;
}
