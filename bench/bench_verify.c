/* bench-verify: the verifier library on tokens hallmark-signer made. Loads BUNDLE (time, heap and
 * peak RSS), checks that every message verifies, then measures hallmark_verify on one thread
 * and on THREADS threads sharing one verifier. The limit is measured beside each figure,
 * alternating rounds in this process (best of five each): crypto_sign_verify_detached over the
 * very signing inputs of the tokens, signed for it with a fresh key, on one thread beside the
 * one-thread figure and on THREADS threads beside the THREADS-thread one. One JSON object on
 * stdout. Run once per bundle size, each in its own process, so peak RSS belongs to that size
 * alone. Each round gives the rate's ratio to the limit of that round (per CPU second on THREADS
 * threads); the figure is the median of those ratios (and each rate's best round).
 * usage: bench-verify ROOT_B64 BUNDLE SIGNED.ndjson THREADS [--count N | --reload NEXT_BUNDLE]
 *                     [--es256]
 *   --count N: verifies the messages N times over on this thread, untimed, and prints nothing
 *   else: for callgrind (bench/callgrind.sh counts the instructions of verify_counted).
 *   --reload NEXT_BUNDLE: also times loading NEXT_BUNDLE after BUNDLE (reload_ms).
 *   --es256: the tokens are ES256; the limit is then OpenSSL ES256 verification with its contexts
 *   kept (bench_es256: SHA-256 fetched once, EVP_PKEY_verify on a context made once) over the
 *   same signing inputs, signed for it with a key of its own. */
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
#include "hm_fileio.h"
#include "hm_json.h"

#define MESSAGES_MAX 20000
#define THREADS_MAX 64
#define ROUNDS 5

/* One signed message, and what the limit needs: its token's signing input (the token up to the
 * second dot) signed under corpus.pk, or with --es256 under corpus.es256 (DER). */
struct sample {
    hallmark_message msg; /* strings borrowed from obj */
    json_t *obj;
    size_t input_len;
    unsigned char sig[80]; /* an Ed25519 signature, or a P-256 one in DER */
    size_t sig_len;
};

struct corpus {
    hallmark_verifier *v;
    struct sample *samples;
    size_t n;
    int64_t now;
    double seconds;
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    bench_es256 *es256; /* with --es256: the limit (used on one thread only) */
    int raw;            /* 1: measure the limit instead of hallmark_verify */
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

static int
verify_one(const struct corpus *c, const struct sample *s)
{
    hallmark_verification out;

    if (c->raw && c->es256 != NULL) {
        return bench_es256_verify(c->es256, (const unsigned char *)s->msg.token, s->input_len,
                                  s->sig, s->sig_len);
    }
    if (c->raw) {
        return crypto_sign_verify_detached(s->sig, (const unsigned char *)s->msg.token,
                                           s->input_len, c->pk) == 0;
    }
    return hallmark_verify(c->v, &s->msg, c->now, &out) == HALLMARK_VERIFIED;
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
            w->failed += verify_one(c, &c->samples[i]) ? 0 : 1;
            i = i + 1 == c->n ? 0 : i + 1;
        }
        w->done += 64;
    } while (bench_now() < end);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    w->cpu = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return NULL;
}

/* Verifications per second of wall time on threads threads, or -1 if one failed; *per_cpu: per
 * CPU second of those threads. */
static double
verify_rate(const struct corpus *c, int threads, double *per_cpu)
{
    pthread_t tid[THREADS_MAX];
    struct worker w[THREADS_MAX];
    double start = bench_now(), elapsed, cpu = 0;
    unsigned long total = 0, failed = 0;
    int i, started = 0;

    *per_cpu = 0;
    for (i = 0; i < threads; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].c = c;
        w[i].start = (c->n / (size_t)threads) * (size_t)i;
        if (pthread_create(&tid[i], NULL, verify_loop, &w[i]) != 0) {
            break;
        }
        started++;
    }
    for (i = 0; i < started; i++) {
        pthread_join(tid[i], NULL);
        total += w[i].done;
        failed += w[i].failed;
        cpu += w[i].cpu;
    }
    elapsed = bench_now() - start;
    *per_cpu = cpu > 0 ? (double)total / cpu : 0;
    return failed == 0 && started == threads ? (double)total / elapsed : -1;
}

/* Parses the signed lines and signs each token's signing input for the limit: 0 or -1. */
static int
read_samples(struct corpus *c, char **lines)
{
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    size_t i;

    crypto_sign_keypair(c->pk, sk);
    for (i = 0; i < c->n; i++) {
        struct sample *s = &c->samples[i];
        const json_t *m;
        const char *dot;

        if (hm_json_parse_object((const unsigned char *)lines[i], strlen(lines[i]), (size_t)1 << 20,
                                 6, &s->obj) != HALLMARK_OK) {
            return -1;
        }
        m = s->obj;
        s->msg.channel = json_string_value(json_object_get(m, "channel"));
        s->msg.from = json_string_value(json_object_get(m, "from"));
        s->msg.to = json_string_value(json_object_get(m, "to"));
        s->msg.body = (const unsigned char *)json_string_value(json_object_get(m, "body"));
        s->msg.body_len = json_string_length(json_object_get(m, "body"));
        s->msg.token = json_string_value(json_object_get(m, "token"));
        if (s->msg.token == NULL || (dot = strrchr(s->msg.token, '.')) == NULL) {
            return -1;
        }
        s->msg.token_len = strlen(s->msg.token);
        s->input_len = (size_t)(dot - s->msg.token);
        s->sig_len = sizeof s->sig;
        if (c->es256 != NULL) {
            if (!bench_es256_sign(c->es256, (const unsigned char *)s->msg.token, s->input_len,
                                  s->sig, &s->sig_len)) {
                return -1;
            }
            continue;
        }
        crypto_sign_detached(s->sig, NULL, (const unsigned char *)s->msg.token, s->input_len, sk);
    }
    sodium_memzero(sk, sizeof sk);
    return 0;
}

/* 0 if every message verifies once, else -1 with the first refusal on stderr. */
static int
all_verify(const struct corpus *c)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        hallmark_verification out;
        hallmark_result rc = hallmark_verify(c->v, &c->samples[i].msg, c->now, &out);
        if (rc != HALLMARK_VERIFIED) {
            (void)fprintf(stderr, "bench-verify: message %zu: %s (%s)\n", i + 1,
                          hallmark_result_name(rc), out.detail);
            return -1;
        }
    }
    return 0;
}

/* One load into v, in seconds; -1 (with the reason on stderr) if the bundle does not load. */
static double
timed_load(hallmark_verifier *v, const unsigned char *bundle, size_t len, int64_t now)
{
    double t0 = bench_now();
    hallmark_error err;
    unsigned char state[HALLMARK_TRUST_STATE_MAX];
    size_t state_len = 0;
    hallmark_result rc =
        hallmark_verifier_load(v, bundle, len, NULL, 0, now, state, sizeof state, &state_len, &err);

    if (rc != HALLMARK_OK) {
        (void)fprintf(stderr, "bench-verify: the bundle does not load: %s (%s)\n",
                      hallmark_result_name(rc), err.message != NULL ? err.message : "");
        return -1;
    }
    return bench_now() - t0;
}

/* The fastest of a few cold loads (at least one, at most five, about a second in all), each into
 * a verifier of its own (a verifier keeps its bundle's brand checks for the next load, spec
 * [HM-BUNDLE-112]), in ms. With next (not NULL), each round first loads bundle and verifies the
 * corpus (which checks its brands), and the figure is the load of next after it: the reload. */
static double
load_ms(const struct corpus *c, const char *const *roots, const unsigned char *bundle, size_t len,
        const unsigned char *next, size_t next_len)
{
    double best = -1, spent = 0, t = 0;
    int i;

    for (i = 0; i < 5 && (i == 0 || spent < 1.0); i++) {
        struct corpus round = *c;

        if (hallmark_verifier_create(&round.v, getenv("HALLMARK_PLATFORM"), roots, 1, 1) !=
            HALLMARK_OK) {
            return -1;
        }
        t = timed_load(round.v, bundle, len, c->now);
        if (t >= 0 && next != NULL) {
            t = all_verify(&round) != 0 ? -1 : timed_load(round.v, next, next_len, c->now);
        }
        hallmark_verifier_free(round.v);
        if (t < 0) {
            return -1;
        }
        spent += t;
        best = best < 0 || t < best ? t : best;
    }
    return best * 1000;
}

/* Verifies every message rounds times over: the operation bench/callgrind.sh counts (kept out of
 * line so that callgrind can toggle on it). */
__attribute__((noinline)) static int
verify_counted(const struct corpus *c, unsigned long rounds)
{
    unsigned long r;
    size_t i;

    for (r = 0; r < rounds; r++) {
        for (i = 0; i < c->n; i++) {
            if (!verify_one(c, &c->samples[i])) {
                return 0;
            }
        }
    }
    return 1;
}

struct figures {
    double limit, limit_cpu, one, one_cpu, all, all_cpu, ratio;
    /* threads threads: the bare verification on as many threads, and the median per-round ratio
     * of the two per CPU second (the row's own limit: two threads on two shared cores lose to
     * each other and to the machine, the bare call as much as ours). */
    double limit_all, limit_all_cpu, all_ratio;
};

/* The limit and one thread alternately, best of ROUNDS each; then the limit and ours on threads
 * threads alternately, the same way. */
static int
measure(struct corpus *c, int threads, struct figures *f)
{
    double secs = c->seconds, r, r_cpu, limit, ratio[ROUNDS];
    int round;

    memset(f, 0, sizeof *f);
    c->seconds = secs / ROUNDS;
    for (round = 0; round < ROUNDS; round++) {
        c->raw = 1;
        r = limit = verify_rate(c, 1, &r_cpu);
        f->limit = r > f->limit ? r : f->limit;
        f->limit_cpu = r_cpu > f->limit_cpu ? r_cpu : f->limit_cpu;
        c->raw = 0;
        if (r < 0 || (r = verify_rate(c, 1, &r_cpu)) < 0) {
            return -1;
        }
        f->one = r > f->one ? r : f->one;
        f->one_cpu = r_cpu > f->one_cpu ? r_cpu : f->one_cpu;
        ratio[round] = r / limit;
    }
    f->ratio = bench_median(ratio, ROUNDS);
    for (round = 0; round < ROUNDS; round++) {
        double limit_cpu;

        c->raw = 1;
        r = verify_rate(c, threads, &limit_cpu);
        f->limit_all = r > f->limit_all ? r : f->limit_all;
        f->limit_all_cpu = limit_cpu > f->limit_all_cpu ? limit_cpu : f->limit_all_cpu;
        c->raw = 0;
        if (r < 0 || limit_cpu <= 0 || (r = verify_rate(c, threads, &r_cpu)) < 0) {
            return -1;
        }
        f->all = r > f->all ? r : f->all;
        f->all_cpu = r_cpu > f->all_cpu ? r_cpu : f->all_cpu;
        ratio[round] = r_cpu / limit_cpu;
    }
    f->all_ratio = bench_median(ratio, ROUNDS);
    c->seconds = secs;
    return 0;
}

int
main(int argc, char **argv)
{
    struct corpus c;
    struct figures f;
    const char *roots[1];
    unsigned char *bundle = NULL, *next = NULL;
    char **lines = NULL;
    size_t len = 0, next_len = 0, i, heap0, heap;
    double ms = -1, reload = -1;
    struct rusage ru;
    unsigned long count = 0;
    int threads, st = 2, es256 = argc > 5 && strcmp(argv[argc - 1], "--es256") == 0;

    argc -= es256; /* the last word: the options before it keep their places */
    if ((argc != 5 && argc != 7) || (threads = atoi(argv[4])) < 1 || threads > THREADS_MAX ||
        (argc == 7 && strcmp(argv[5], "--reload") != 0 &&
         (strcmp(argv[5], "--count") != 0 || (count = strtoul(argv[6], NULL, 10)) == 0))) {
        (void)fprintf(stderr, "usage: bench-verify ROOT_B64 BUNDLE SIGNED.ndjson THREADS "
                              "[--count N | --reload NEXT_BUNDLE] [--es256]\n");
        return 2;
    }
    memset(&c, 0, sizeof c);
    if (es256 && (c.es256 = bench_es256_new()) == NULL) {
        (void)fprintf(stderr, "bench-verify: OpenSSL cannot make a P-256 key\n");
        return 1;
    }
    c.now = (int64_t)time(NULL);
    c.seconds = bench_seconds(2.0);
    roots[0] = argv[1];
    c.n = bench_read_lines(argv[3], MESSAGES_MAX, &lines);
    c.samples = calloc(c.n + 1, sizeof *c.samples);
    if (c.n == 0 || c.samples == NULL || read_samples(&c, lines) != 0 ||
        hm_read_file(argv[2], (size_t)32 << 20, &bundle, &len) != HALLMARK_OK ||
        (argc == 7 && count == 0 &&
         hm_read_file(argv[6], (size_t)32 << 20, &next, &next_len) != HALLMARK_OK)) {
        (void)fprintf(stderr, "bench-verify: cannot read the messages or the bundle\n");
        goto out;
    }
    heap0 = heap_in_use();
    st = 1;
    if (getenv("HALLMARK_PLATFORM") == NULL ||
        hallmark_verifier_create(&c.v, getenv("HALLMARK_PLATFORM"), roots, 1, 1) != HALLMARK_OK ||
        timed_load(c.v, bundle, len, c.now) < 0) {
        goto out;
    }
    heap = heap_in_use() - heap0;
    getrusage(RUSAGE_SELF, &ru);
    if (all_verify(&c) != 0) {
        goto out;
    }
    if (count > 0) {
        st = verify_counted(&c, count) ? 0 : 1;
        goto out;
    }
    if ((ms = load_ms(&c, roots, bundle, len, NULL, 0)) < 0 ||
        (next != NULL && (reload = load_ms(&c, roots, bundle, len, next, next_len)) < 0)) {
        goto out;
    }
    if (measure(&c, threads, &f) != 0) {
        (void)fprintf(stderr, "bench-verify: a verification failed under load\n");
        goto out;
    }
    (void)printf("{\"bundle_bytes\":%zu,\"load_ms\":%.2f,\"reload_ms\":%.2f,\"heap_bytes\":%zu,"
                 "\"maxrss_kb\":%ld,"
                 "\"messages\":%zu,\"limit\":%.0f,\"limit_per_cpu\":%.0f,\"verify_1t\":%.0f,"
                 "\"verify_1t_per_cpu\":%.0f,\"threads\":%d,\"verify_all\":%.0f,"
                 "\"verify_all_per_cpu\":%.0f,\"verify_1t_ratio\":%.3f,\"limit_all\":%.0f,"
                 "\"limit_all_per_cpu\":%.0f,\"verify_all_ratio\":%.3f,\"rounds\":%d,"
                 "\"alg\":\"%s\"}\n",
                 len, ms, reload, heap, ru.ru_maxrss, c.n, f.limit, f.limit_cpu, f.one, f.one_cpu,
                 threads, f.all, f.all_cpu, f.ratio, f.limit_all, f.limit_all_cpu, f.all_ratio,
                 ROUNDS, es256 ? "ES256" : "Ed25519");
    st = 0;
out:
    for (i = 0; c.samples != NULL && i < c.n; i++) {
        json_decref(c.samples[i].obj);
    }
    free(c.samples);
    free(bundle);
    free(next);
    bench_lines_free(lines, c.n);
    hallmark_verifier_free(c.v);
    bench_es256_free(c.es256);
    return st;
}
