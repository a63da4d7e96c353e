/* bench-store: what the token directory's store costs (signer/store/).
 *
 * bench-store sign KEYSTORE PASSPHRASE_FILE SMS.ndjson SPEC...
 *   Signing in batches of 100 SMS, in-process, one signing thread: without a store, and with each
 *   store. With a store the batches go to a committer thread that puts every batch waiting in one
 *   transaction, durable, as hallmark-signer serve's committer does (group commit) before it
 *   answers; at most INFLIGHT batches wait (clients waiting for their replies), and a batch
 *   counts only once its commit is done. The recipients of the batch come again each round, so
 *   their stems come from the signing thread's memo, as a repeat customer's do in the service.
 *   The rows alternate in rounds, best round each, so a noisy machine moves them alike; the
 *   ratio to "no store" is the figure (target: >= 0.7 SQLite, >= 0.5 PostgreSQL).
 *
 * bench-store consent KEYSTORE PASSPHRASE_FILE SMS.ndjson SECRET_FILE SPEC...
 *   Consent and cap checks per signature (spec §9.7, issue 15), as hallmark-signer serve makes
 *   them: the signing thread hands each batch to the committer thread, which checks consent and
 *   caps for every batch waiting in one hm_store_admit call (one transaction: per message its
 *   ledger key, an HMAC under the consent secret, and its brand's policy), then commits the
 *   admitted messages' directory tokens (a second transaction), and a batch counts once both are
 *   durable. Every message takes the heaviest path: capped (3 a week), to a recipient of its own
 *   (1,000,000 rotate), so each check reads the latest change, counts the window and appends the
 *   signing time. Beside it, the same committer without the checks (row 8's path) and signing
 *   with no store (the base). Rounds alternate as for sign; the ratio to the base is the figure
 *   (target: >= 0.8 SQLite, >= 0.6 PostgreSQL), and the ratio to row 8's path what the checks
 *   alone cost.
 *
 * bench-store purge SPEC LIVE LAPSED
 *   Fills the store with LIVE tokens that stay and LAPSED ones past exp + 300 (1,000 a
 *   transaction, tokens of the real size), then times purge steps until every lapsed token is
 *   gone. Run at 100k and 1M live tokens: the time must not grow with them.
 *
 * bench-store fill SPEC N
 *   Puts N tokens (real size, one each under a random key, live for a week) and prints their
 *   keys, one a line: the data set of the directory lookup benchmark (bench/store.sh).
 *
 * sign, consent and purge print one JSON object. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "hm_consent.h"
#include "hm_json.h"
#include "hm_passphrase.h"
#include "hm_secmem.h"
#include "hm_signer.h"
#include "hm_store.h"

#define BATCH 100
#define INFLIGHT 8
#define ROUNDS 3
#define STORES_MAX 4
#define FILL_CHUNK 1000
#define DAY_SECONDS 86400LL

struct batch_mix {
    const hm_signer *s;
    json_t *objs[BATCH];
    hm_sign_request reqs[BATCH];
    long long now;
    const hm_consent_secret *secret; /* consent rows: the ledger keys' secret */
    unsigned long *counter;          /* consent rows: the next recipient of its own */
};

/* A signed batch waiting for its commit. */
struct pending {
    hm_sign_result res[BATCH];
    hm_store_token t[BATCH];
    char to[BATCH][24]; /* consent rows: the recipient each message's ledger key is made of */
};

/* Signs one batch of BATCH into p (its tokens owned by p->res). */
static int
sign_into(const struct batch_mix *m, struct pending *p)
{
    size_t i;
    int ok = 1;

    memset(p->res, 0, sizeof p->res);
    for (i = 0; i < BATCH && ok; i++) {
        ok = hm_signer_sign(m->s, &m->reqs[i], m->now, &p->res[i]) == HALLMARK_OK &&
             p->res[i].lookup_key[0] != '\0';
        p->t[i].key = p->res[i].lookup_key;
        p->t[i].token = p->res[i].token;
        p->t[i].iat = p->res[i].iat;
        p->t[i].exp = p->res[i].exp;
    }
    return ok;
}

static void
pending_free(struct pending *p)
{
    size_t i;

    for (i = 0; p != NULL && i < BATCH; i++) {
        hm_sign_result_clear(&p->res[i]);
    }
    free(p);
}

/* The committer: takes every batch waiting and puts their tokens in one transaction. */
struct committer {
    const struct batch_mix *m; /* with m->secret: consent and caps checked before the commit */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct pending *queue[INFLIGHT];
    size_t count;
    hm_store *store;
    int stop, failed;
    unsigned long committed; /* tokens durable */
    double cpu;              /* the committer thread's CPU seconds */
};

static double
thread_cpu(void)
{
    struct timespec ts;

    return clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0 ? (double)ts.tv_sec + ts.tv_nsec / 1e9
                                                            : 0.0;
}

/* Consent and caps for every message of the n batches taken, in one store call, as the service's
 * committer does (serve_jobs_admit): per message its ledger key (HMAC under the consent secret)
 * and its brand's policy, here capped at 3 a week for every message (the heaviest path). The
 * tokens of admitted messages go to all; their number, or -1. */
static long
admit_taken(const struct committer *c, struct pending *const *taken, size_t n, hm_store_token *all)
{
    static hm_admission adm[INFLIGHT * BATCH];
    static char keys[INFLIGHT * BATCH][HM_CONSENT_KEY_LEN + 1];
    static hallmark_result verdict[INFLIGHT * BATCH];
    static int64_t reset[INFLIGHT * BATCH];
    const struct batch_mix *m = c->m;
    char err[512];
    size_t i, k = 0;
    long kept = 0;

    for (i = 0; i < n * BATCH; i++) {
        const hm_sign_request *r = &m->reqs[i % BATCH];
        unsigned cap_max;
        long long period;
        int opt_in;
        if (hm_consent_recipient(m->secret, r->channel, taken[i / BATCH]->to[i % BATCH], keys[i]) !=
                HALLMARK_OK ||
            !hm_signer_policy(m->s, r->brand, r->category, &cap_max, &period, &opt_in)) {
            return -1;
        }
        adm[i] =
            (hm_admission){r->brand, keys[i], r->channel, r->category, opt_in, 3, 7 * DAY_SECONDS};
    }
    if (hm_store_admit(c->store, adm, n * BATCH, m->now, verdict, reset, err, sizeof err) !=
        HALLMARK_OK) {
        (void)fprintf(stderr, "bench-store: %s\n", err);
        return -1;
    }
    for (i = 0; i < n * BATCH; i++) {
        if (verdict[i] == HALLMARK_OK) {
            all[k++] = taken[i / BATCH]->t[i % BATCH];
            kept++;
        }
    }
    return kept;
}

static void *
committer_main(void *arg)
{
    struct committer *c = arg;
    static hm_store_token all[INFLIGHT * BATCH];
    struct pending *taken[INFLIGHT];
    char err[512];
    size_t n, i, k;
    long kept;

    for (;;) {
        (void)pthread_mutex_lock(&c->lock);
        while (c->count == 0 && !c->stop) {
            (void)pthread_cond_wait(&c->changed, &c->lock);
        }
        if (c->count == 0) {
            c->cpu = thread_cpu();
            (void)pthread_mutex_unlock(&c->lock);
            return NULL;
        }
        n = c->count;
        for (i = 0; i < n; i++) {
            taken[i] = c->queue[i];
        }
        c->count = 0;
        (void)pthread_cond_broadcast(&c->changed);
        (void)pthread_mutex_unlock(&c->lock);
        if (c->m->secret != NULL) {
            kept = admit_taken(c, taken, n, all);
            c->failed |= kept < 0;
            k = kept < 0 ? 0 : (size_t)kept;
        } else {
            for (i = 0, k = 0; i < n * BATCH; i++) {
                all[k++] = taken[i / BATCH]->t[i % BATCH];
            }
        }
        if (hm_store_put_tokens(c->store, all, k, err, sizeof err) != HALLMARK_OK) {
            (void)fprintf(stderr, "bench-store: %s\n", err);
            c->failed = 1;
        }
        for (i = 0; i < n; i++) {
            pending_free(taken[i]);
        }
        (void)pthread_mutex_lock(&c->lock);
        c->committed += (unsigned long)(n * BATCH);
        (void)pthread_cond_broadcast(&c->changed);
        (void)pthread_mutex_unlock(&c->lock);
    }
}

/* Messages per second signed and made durable in store, for about seconds; *cpu_per_token gets
 * the committer's CPU seconds per token (what the store costs beside the signing thread). */
static double
committed_rate(const struct batch_mix *m, hm_store *store, double seconds, double *cpu_per_token)
{
    struct committer c;
    pthread_t thread;
    double t0 = bench_now(), elapsed;
    unsigned long sent = 0;

    memset(&c, 0, sizeof c);
    c.m = m;
    (void)pthread_mutex_init(&c.lock, NULL);
    (void)pthread_cond_init(&c.changed, NULL);
    c.store = store;
    if (pthread_create(&thread, NULL, committer_main, &c) != 0) {
        exit(1);
    }
    do {
        struct pending *p = malloc(sizeof *p);
        size_t i;
        if (p == NULL || !sign_into(m, p)) {
            exit(1);
        }
        for (i = 0; m->secret != NULL && i < BATCH; i++) {
            /* A recipient of its own, so the window stays as small as a real cap keeps it. */
            (void)snprintf(p->to[i], sizeof p->to[i], "+4477%08lu", (*m->counter)++ % 1000000UL);
        }
        (void)pthread_mutex_lock(&c.lock);
        while (c.count == INFLIGHT) {
            (void)pthread_cond_wait(&c.changed, &c.lock);
        }
        c.queue[c.count++] = p;
        (void)pthread_cond_broadcast(&c.changed);
        (void)pthread_mutex_unlock(&c.lock);
        sent += BATCH;
    } while (bench_now() - t0 < seconds);
    (void)pthread_mutex_lock(&c.lock); /* every batch sent counts once it is durable */
    c.stop = 1;
    (void)pthread_cond_broadcast(&c.changed);
    while (c.committed < sent && !c.failed) {
        (void)pthread_cond_wait(&c.changed, &c.lock);
    }
    (void)pthread_mutex_unlock(&c.lock);
    elapsed = bench_now() - t0;
    (void)pthread_join(thread, NULL);
    *cpu_per_token = sent > 0 ? c.cpu / (double)sent : 0.0;
    (void)pthread_mutex_destroy(&c.lock);
    (void)pthread_cond_destroy(&c.changed);
    if (c.failed) {
        exit(1);
    }
    return (double)sent / elapsed;
}

/* Signs one batch of BATCH, without a store: the limit of the row. */
static int
sign_batch(const struct batch_mix *m)
{
    struct pending p;
    int ok = sign_into(m, &p);
    size_t i;

    for (i = 0; i < BATCH; i++) {
        hm_sign_result_clear(&p.res[i]);
    }
    return ok;
}

/* Messages per second for about seconds: signing batches, no store (the limit of the rows). */
static double
batch_rate(const struct batch_mix *m, double seconds)
{
    double t0 = bench_now(), elapsed;
    unsigned long n = 0;

    do {
        if (!sign_batch(m)) {
            exit(1);
        }
        n += BATCH;
        elapsed = bench_now() - t0;
    } while (elapsed < seconds);
    return (double)n / elapsed;
}

/* The BATCH sign requests of path into m (objs owned by m). 0, or -1 after saying why. */
static int
load_batch(struct batch_mix *m, const char *path, char ***lines, size_t *n_lines)
{
    size_t i;

    if ((*n_lines = bench_read_lines(path, BATCH, lines)) != BATCH) {
        (void)fprintf(stderr, "bench-store: %s: want %d SMS lines\n", path, BATCH);
        return -1;
    }
    for (i = 0; i < BATCH; i++) {
        hm_sign_result res;
        memset(&res, 0, sizeof res);
        if (hm_json_parse_object((const unsigned char *)(*lines)[i], strlen((*lines)[i]),
                                 (size_t)1 << 20, 6, &m->objs[i]) != HALLMARK_OK ||
            hm_sign_request_from_json(m->objs[i], &m->reqs[i], &res) != HALLMARK_OK) {
            (void)fprintf(stderr, "bench-store: line %zu is not a sign request\n", i + 1);
            return -1;
        }
    }
    return 0;
}

/* bench-store sign and consent: the rows alternate in rounds, best round each. consent: argv[5]
 * is the consent secret and the stores follow it; rates come from checked_rate. */
static int
run_rows(int argc, char **argv, int consent)
{
    struct batch_mix m;
    hm_signer *s = NULL;
    hm_store *stores[STORES_MAX] = {NULL};
    hm_consent_secret *secret = NULL;
    char err[1024] = "", *pass = NULL, **lines = NULL;
    int first = consent ? 6 : 5;
    size_t pass_len = 0, n_lines = 0, n_stores = (size_t)(argc - first), i, k;
    double secs = bench_seconds(2.0), best[STORES_MAX + 1] = {0}, cpu_us[STORES_MAX + 1] = {0},
           plain[STORES_MAX + 1] = {0};
    unsigned long counter = 0;
    int round, st = 1;

    memset(&m, 0, sizeof m);
    m.now = (long long)time(NULL);
    if (n_stores < 1 || n_stores > STORES_MAX) {
        (void)fprintf(stderr, "bench-store %s: 1 to %d store specs\n", argv[1], STORES_MAX);
        return 2;
    }
    if (hm_passphrase_read(argv[3], "", 0, &pass, &pass_len, err, sizeof err) != HALLMARK_OK ||
        hm_signer_load(argv[2], pass, pass_len, m.now, &s, err, sizeof err) != HALLMARK_OK ||
        (consent && hm_consent_secret_load(argv[5], 1, &secret, err, sizeof err) != HALLMARK_OK)) {
        (void)fprintf(stderr, "bench-store: %s\n", err);
        goto out;
    }
    m.s = s;
    m.secret = secret;
    m.counter = &counter;
    /* As the service's workers and pipe mode do: the batch's recipients come again each round,
     * so their stems come from the memo and the rows compare the store with signing itself. */
    if (hm_signer_thread_memo(65536) != HALLMARK_OK) {
        (void)fprintf(stderr, "bench-store: no memory for the stem memo\n");
        goto out;
    }
    if (load_batch(&m, argv[4], &lines, &n_lines) != 0) {
        goto out;
    }
    for (k = 0; k < n_stores; k++) {
        if (hm_store_open(argv[first + (int)k], &stores[k], err, sizeof err) != HALLMARK_OK) {
            (void)fprintf(stderr, "bench-store: %s\n", err);
            goto out;
        }
    }
    /* consent: each store with the checks (best[k]) and without them (plain[k]), the same
     * committer; sign: each store without checks. */
    for (round = 0; round < ROUNDS; round++) {
        for (k = 0; k <= n_stores; k++) {
            double cpu = 0.0, r;
            if (k == 0) {
                r = batch_rate(&m, secs / ROUNDS);
            } else {
                if (consent) {
                    m.secret = NULL;
                    r = committed_rate(&m, stores[k - 1], secs / ROUNDS, &cpu);
                    plain[k] = r > plain[k] ? r : plain[k];
                    m.secret = secret;
                }
                r = committed_rate(&m, stores[k - 1], secs / ROUNDS, &cpu);
                if (cpu_us[k] == 0.0 || cpu * 1e6 < cpu_us[k]) {
                    cpu_us[k] = cpu * 1e6;
                }
            }
            best[k] = r > best[k] ? r : best[k];
        }
    }
    (void)printf("{\"batch\":%d,\"%s\":%.0f", BATCH, consent ? "no_checks" : "no_store", best[0]);
    for (k = 0; k < n_stores; k++) {
        const char *b = hm_store_backend(stores[k]);
        (void)printf(",\"%s\":%.0f,\"%s_ratio\":%.3f,\"%s_commit_cpu_us\":%.1f", b, best[k + 1], b,
                     best[k + 1] / best[0], b, cpu_us[k + 1]);
        if (consent) {
            (void)printf(",\"%s_store_only\":%.0f,\"%s_checks_ratio\":%.3f", b, plain[k + 1], b,
                         best[k + 1] / plain[k + 1]);
        }
    }
    (void)printf("}\n");
    st = 0;
out:
    for (k = 0; k < STORES_MAX; k++) {
        hm_store_close(stores[k]);
    }
    for (i = 0; i < BATCH; i++) {
        json_decref(m.objs[i]);
    }
    bench_lines_free(lines, n_lines);
    hm_consent_secret_free(secret);
    hm_signer_unref(s);
    hm_signer_thread_memo_release();
    hm_secret_free(pass);
    return st;
}

/* A random lookup key: 43 base64url characters. */
static void
random_key(char key[44])
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[43];
    size_t i;

    randombytes_buf(raw, sizeof raw);
    for (i = 0; i < 43; i++) {
        key[i] = alphabet[raw[i] & 63];
    }
    key[43] = '\0';
}

/* Puts count tokens whose exp is exp (iat a day before), FILL_CHUNK a transaction; with
 * print_keys, prints each key once stored. */
static int
fill(hm_store *store, unsigned long count, long long exp, const char *token, int print_keys)
{
    static char keys[FILL_CHUNK][44];
    hm_store_token t[FILL_CHUNK];
    char err[512];
    unsigned long done = 0;
    size_t i, n;

    while (done < count) {
        n = count - done < FILL_CHUNK ? (size_t)(count - done) : FILL_CHUNK;
        for (i = 0; i < n; i++) {
            random_key(keys[i]);
            t[i].key = keys[i];
            t[i].token = token;
            t[i].iat = exp - DAY_SECONDS;
            t[i].exp = exp;
        }
        if (hm_store_put_tokens(store, t, n, err, sizeof err) != HALLMARK_OK) {
            (void)fprintf(stderr, "bench-store: %s\n", err);
            return 0;
        }
        for (i = 0; print_keys && i < n; i++) {
            (void)printf("%s\n", keys[i]);
        }
        done += n;
    }
    return 1;
}

static int
run_purge(char **argv)
{
    hm_store *store = NULL;
    char err[1024], token[641];
    unsigned long live = strtoul(argv[3], NULL, 10), lapsed = strtoul(argv[4], NULL, 10);
    uint64_t removed = 0, step;
    long long now = (long long)time(NULL);
    double t0, fill_s, purge_s;
    const char *backend;
    int steps = 0;

    /* A token of the size the signer makes (about 640 bytes of compact JWS). */
    memset(token, 'x', sizeof token - 1);
    token[sizeof token - 1] = '\0';
    if (hm_store_open(argv[2], &store, err, sizeof err) != HALLMARK_OK) {
        (void)fprintf(stderr, "bench-store: %s\n", err);
        return 1;
    }
    backend = hm_store_backend(store); /* a static name */
    t0 = bench_now();
    /* Live tokens expire in a week; lapsed ones expired two days ago (purge time yesterday). */
    if (!fill(store, live, now + 7 * DAY_SECONDS, token, 0) ||
        !fill(store, lapsed, now - 2 * DAY_SECONDS, token, 0)) {
        hm_store_close(store);
        return 1;
    }
    fill_s = bench_now() - t0;
    t0 = bench_now();
    do {
        step = 0;
        if (hm_store_purge(store, now, 20000, &step, err, sizeof err) != HALLMARK_OK) {
            (void)fprintf(stderr, "bench-store: %s\n", err);
            hm_store_close(store);
            return 1;
        }
        removed += step;
        steps++;
    } while (step > 0 && steps < 10000);
    purge_s = bench_now() - t0;
    hm_store_close(store);
    if (removed != lapsed) {
        (void)fprintf(stderr, "bench-store: purged %llu of %lu lapsed tokens\n",
                      (unsigned long long)removed, lapsed);
        return 1;
    }
    (void)printf("{\"backend\":\"%s\",\"live\":%lu,\"lapsed\":%lu,\"fill_s\":%.2f,"
                 "\"purge_s\":%.4f,\"purge_steps\":%d,\"purge_us_per_token\":%.3f}\n",
                 backend, live, lapsed, fill_s, purge_s, steps, purge_s * 1e6 / (double)lapsed);
    return 0;
}

static int
run_fill(char **argv)
{
    hm_store *store = NULL;
    char err[1024], token[641];
    long long now = (long long)time(NULL);
    int ok;

    memset(token, 'x', sizeof token - 1);
    token[sizeof token - 1] = '\0';
    if (hm_store_open(argv[2], &store, err, sizeof err) != HALLMARK_OK) {
        (void)fprintf(stderr, "bench-store: %s\n", err);
        return 1;
    }
    /* Live for a week: iat a day before exp would be in the past; the directory does not care. */
    ok = fill(store, strtoul(argv[3], NULL, 10), now + 7 * DAY_SECONDS, token, 1);
    hm_store_close(store);
    return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
    if (hm_crypto_init() != HALLMARK_OK) {
        return 2;
    }
    if (argc >= 6 && strcmp(argv[1], "sign") == 0) {
        return run_rows(argc, argv, 0);
    }
    if (argc >= 7 && strcmp(argv[1], "consent") == 0) {
        return run_rows(argc, argv, 1);
    }
    if (argc == 5 && strcmp(argv[1], "purge") == 0) {
        return run_purge(argv);
    }
    if (argc == 4 && strcmp(argv[1], "fill") == 0) {
        return run_fill(argv);
    }
    (void)fprintf(stderr, "usage: bench-store sign KEYSTORE PASSPHRASE_FILE SMS.ndjson SPEC...\n"
                          "       bench-store consent KEYSTORE PASSPHRASE_FILE SMS.ndjson SECRET "
                          "SPEC...\n"
                          "       bench-store purge SPEC LIVE LAPSED\n"
                          "       bench-store fill SPEC N > keys\n");
    return 2;
}
