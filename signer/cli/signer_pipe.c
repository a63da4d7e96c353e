/* hallmark-signer sign: pipe mode. One JSON message per input line, one result per output line,
 * in order. Input is read in chunks with read(2); the results of a chunk go out in one write
 * before the next read can block, so a producer that waits for its results gets them, and a bulk
 * run does not pay a write per line. Every signature is recorded in the signature log (one
 * record per token, written before the token reaches the output buffer; up to 256 records a
 * write, one a write with --audit-sync each). A line over 1 MiB is
 * skipped to its newline and answered with "too_large"; a bad line never stops the stream.
 * With the default --audit-sync batch, the log is made durable every 256 records and, when a
 * chunk's results go out, if 200 ms have passed since the last time: as the service does.
 * Tokens that travel without their message (every SMS; RCS and WhatsApp with directory carriage)
 * go into the token directory (--store) in one transaction per chunk, before the chunk's results
 * go out; if that fails, each of those lines is answered "unavailable" instead.
 * A chunk's lines are parsed and signed on --threads threads at once (default: one per core),
 * each channel, sender and recipient on one thread, so that its recipient stem is computed once;
 * what must follow the input's order (consent and caps, the signature log, the output, the
 * directory) is done after, on the main thread, line by line. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hm_fileio.h"
#include "hm_json.h"
#include "hm_sigaudit.h"
#include "hm_signer.h"
#include "hm_store.h"
#include "signer_cli.h"
#include "signer_consent.h"

#define LINE_MAX_BYTES ((size_t)1024 * 1024)
#define READ_CHUNK ((size_t)64 * 1024)
#define CHUNK_BYTES ((size_t)1024 * 1024) /* a chunk reads on while input is ready, to this */
#define FLUSH_SECONDS 0.2 /* as the service: records reach the disk at least this often */
/* Signature log records a write with the default --audit-sync batch: the log's own sync batch,
 * so that records reach the disk exactly as often as one write a record made them. */
#define RECORDS_PER_WRITE 256

/* A growable byte buffer; on allocation failure it stops growing and says so. */
struct buf {
    char *p;
    size_t len, cap;
    int failed;
};

/* Room for `extra` more bytes: 0, or -1 (and failed) when memory runs out. */
static int
buf_reserve(struct buf *b, size_t extra)
{
    size_t cap;
    char *grown;

    if (b->failed) {
        return -1;
    }
    if (b->len + extra <= b->cap) {
        return 0;
    }
    for (cap = b->cap == 0 ? READ_CHUNK : b->cap; cap < b->len + extra; cap *= 2) {
    }
    if ((grown = realloc(b->p, cap)) == NULL) {
        b->failed = 1;
        return -1;
    }
    b->p = grown;
    b->cap = cap;
    return 0;
}

static void
buf_add(struct buf *b, const char *data, size_t len)
{
    if (len > 0 && buf_reserve(b, len) == 0) {
        memcpy(b->p + b->len, data, len);
        b->len += len;
    }
}

static void
buf_str(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void
error_line(struct buf *out, unsigned long line_no, const char *code, const char *message,
           const char *field, long long reset)
{
    json_t *o = json_pack("{s:I,s:{s:s,s:s}}", "line", (json_int_t)line_no, "error", "code", code,
                          "message", message);
    char *text;

    if (o != NULL && field != NULL) {
        json_object_set_new(json_object_get(o, "error"), "field", json_string(field));
    }
    if (o != NULL && reset != 0) {
        json_object_set_new(json_object_get(o, "error"), "reset", json_integer(reset));
    }
    text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
    if (text != NULL) {
        buf_str(out, text);
    } else {
        char fallback[128];
        (void)snprintf(fallback, sizeof fallback,
                       "{\"line\":%lu,\"error\":{\"code\":\"nomem\",\"message\":\"out of "
                       "memory\"}}",
                       line_no);
        buf_str(out, fallback);
    }
    buf_add(out, "\n", 1);
    free(text);
    json_decref(o);
}

/* The signed message is the request as it came, with token, jti and kid added: the input line
 * (a JSON object that parsed strictly and has no such members, or the request would have been
 * refused) up to its closing brace, then the three members. No re-serialization of the body. */
static void
signed_line(struct buf *out, const char *line, size_t len, const hm_sign_result *res)
{
    while (len > 0 && line[len - 1] != '}') {
        len--; /* trailing whitespace after the object */
    }
    buf_add(out, line, len - 1);
    buf_str(out, ",\"token\":\"");
    buf_str(out, res->token); /* base64url and dots: nothing to escape */
    buf_str(out, "\",\"jti\":\"");
    buf_str(out, res->jti);
    buf_str(out, "\",\"kid\":\"");
    buf_str(out, res->kid);
    buf_str(out, "\"}\n");
}

/* The directory tokens of one chunk, and where their result lines sit in the output. */
struct pending {
    size_t start, end; /* the line's bytes in the output buffer */
    unsigned long line_no;
    char key[HALLMARK_LOOKUP_KEY_LEN + 1];
    char alt_key[HALLMARK_LOOKUP_KEY_LEN + 1]; /* a rendering's key (HM-CARRY-30), or "" */
    char *token;
    long long iat, exp;
};

struct chunk {
    struct pending *p;
    size_t n, cap;
    int failed; /* out of memory: the chunk's directory lines cannot be published */
};

static void
chunk_add(struct chunk *ck, size_t start, size_t end, unsigned long line_no,
          const hm_sign_result *res)
{
    struct pending *e;

    if (ck->n == ck->cap) {
        size_t cap = ck->cap > 0 ? ck->cap * 2 : 64;
        struct pending *grown = realloc(ck->p, cap * sizeof *grown);
        if (grown == NULL) {
            ck->failed = 1;
            return;
        }
        ck->p = grown;
        ck->cap = cap;
    }
    e = &ck->p[ck->n];
    if ((e->token = strdup(res->token)) == NULL) {
        ck->failed = 1;
        return;
    }
    e->start = start;
    e->end = end;
    e->line_no = line_no;
    (void)snprintf(e->key, sizeof e->key, "%s", res->lookup_key);
    (void)snprintf(e->alt_key, sizeof e->alt_key, "%s", res->alt_lookup_key);
    e->iat = res->iat;
    e->exp = res->exp;
    ck->n++;
}

/* Publishes the chunk's directory tokens in one transaction; if that fails, their result lines
 * become errors. Returns how many lines that turned from signed to refused. */
static unsigned long
chunk_publish(struct chunk *ck, hm_store *store, struct buf *out)
{
    /* Each line's token under its key, and under its rendering's key when it has one. */
    hm_store_token *t = ck->n > 0 ? calloc(ck->n * 2, sizeof *t) : NULL;
    struct buf redone = {0};
    char err[512] = "";
    size_t i, at = 0, rows = 0;
    unsigned long lost = 0;
    hallmark_result rc = HALLMARK_OK;

    if (ck->n == 0 && !ck->failed) {
        return 0;
    }
    for (i = 0; t != NULL && i < ck->n; i++) {
        const char *keys[2] = {ck->p[i].key, ck->p[i].alt_key};
        size_t j;
        for (j = 0; j < 2 && keys[j][0] != '\0'; j++) {
            t[rows].key = keys[j];
            t[rows].token = ck->p[i].token;
            t[rows].iat = ck->p[i].iat;
            t[rows].exp = ck->p[i].exp;
            rows++;
        }
    }
    if (ck->failed || (ck->n > 0 && t == NULL)) {
        rc = HALLMARK_ERR_NOMEM;
        (void)snprintf(err, sizeof err, "out of memory");
    } else {
        rc = hm_store_put_tokens(store, t, rows, err, sizeof err);
    }
    free(t);
    if (rc != HALLMARK_OK) {
        (void)signer_fail(EXIT_FAILED, "%s", err);
        for (i = 0; i < ck->n; i++) {
            buf_add(&redone, out->p + at, ck->p[i].start - at);
            error_line(&redone, ck->p[i].line_no, "unavailable",
                       "the token directory cannot be written now: not signed, do not send", NULL,
                       0);
            at = ck->p[i].end;
            lost++;
        }
        buf_add(&redone, out->p + at, out->len - at);
        free(out->p);
        *out = redone;
    }
    for (i = 0; i < ck->n; i++) {
        free(ck->p[i].token);
    }
    ck->n = 0;
    ck->failed = 0;
    return lost;
}

/* One input line of a chunk, from its bytes to its result. req borrows from msg. */
struct line {
    const char *text;
    size_t len;
    unsigned long line_no;
    json_t *msg;
    hm_sign_request req;
    hm_sign_result res;
    hallmark_result rc;
    long long reset; /* with HALLMARK_ERR_VOLUME_CAP */
};

struct lines {
    struct line *l;
    size_t n, cap;
};

/* Adds one input line to the chunk's list, to be signed with the others (lines_sign). -1 when
 * out of memory. */
static int
line_add(struct lines *ls, const char *text, size_t len, unsigned long line_no)
{
    struct line *e;

    if (ls->n == ls->cap) {
        size_t cap = ls->cap > 0 ? ls->cap * 2 : 256;
        struct line *grown = realloc(ls->l, cap * sizeof *grown);
        if (grown == NULL) {
            return -1;
        }
        ls->l = grown;
        ls->cap = cap;
    }
    e = &ls->l[ls->n++];
    memset(e, 0, sizeof *e);
    e->text = text;
    e->len = len;
    e->line_no = line_no;
    return 0;
}

/* Parses one line into its request (nothing is signed, recorded or written yet); a line over
 * the limit is kept as a refusal so that results stay in order. Touches only e: lines are
 * parsed on any thread. */
static void
line_parse(struct line *e)
{
    if (e->len > LINE_MAX_BYTES) {
        e->rc = HALLMARK_ERR_TOO_LARGE;
        e->res.detail = "line longer than 1 MiB";
        return;
    }
    e->rc =
        hm_json_parse_object((const unsigned char *)e->text, e->len, LINE_MAX_BYTES, 6, &e->msg);
    if (e->rc != HALLMARK_OK) {
        e->rc = HALLMARK_ERR_BAD_REQUEST;
        e->res.detail = "not a JSON object (one per line; duplicate members are refused)";
    } else {
        e->rc = hm_sign_request_from_json(e->msg, &e->req, &e->res);
    }
}

/* Signs one parsed line (nothing is recorded or written yet). Touches only e. */
static void
line_sign(const hm_signer *s, struct line *e, long long now)
{
    e->rc = hm_signer_sign(s, &e->req, now, &e->res);
}

/* The signing thread a parsed line belongs to: the same channel, sender and recipient always go
 * to the same thread, so that each recipient stem (an Argon2id over 1 MiB, spec HM-TOKEN-55,
 * remembered by the thread that computed it) is computed on one thread, not on every one.
 * FNV-1a over "channel 0 from 0 to". */
static size_t
line_owner(const struct line *e, size_t workers)
{
    const char *part[3] = {e->req.channel, e->req.from, e->req.to};
    uint64_t h = 14695981039346656037ULL;
    size_t i;

    for (i = 0; i < 3; i++) {
        const unsigned char *c = (const unsigned char *)(part[i] != NULL ? part[i] : "");
        do {
            h = (h ^ *c) * 1099511628211ULL;
        } while (*c++ != '\0');
    }
    return (size_t)(h % workers);
}

/* The signing threads: each chunk's lines are parsed, a few at a time, by the helpers and the
 * main thread; then each thread signs the lines it owns (line_owner), and takes another's only
 * while that one has more than STEAL_ABOVE left, so that threads end together without
 * computing each other's stems. The main thread waits until every line is signed. */
#define SIGNERS_MAX 64
#define LINES_PER_TAKE 4 /* lines a thread takes at once: few, so the threads end together */
#define STEAL_ABOVE 256  /* lines: a stolen line may cost a stem (about 40 signatures) */

struct signers;

/* A helper thread: the pool and its own index (the main thread is 0). */
struct signer_self {
    struct signers *g;
    size_t index;
};

struct signers {
    pthread_mutex_t lock;
    pthread_cond_t work, done;
    pthread_t thread[SIGNERS_MAX];
    struct signer_self self[SIGNERS_MAX];
    size_t helpers;           /* threads started besides the main thread */
    size_t stem_memo;         /* each helper's memo of recipient stems */
    unsigned long generation; /* a new task for the helpers */
    size_t busy;              /* helpers still on this task */
    int stop;
    /* The task, set by the main thread before the generation moves. */
    void (*task)(struct signers *g, size_t self);
    const hm_signer *s;
    struct lines *ls;
    long long now;
    size_t next;                   /* parsing: the next line to take (atomic) */
    size_t *order;                 /* signing: line indices grouped by owner */
    size_t queue[SIGNERS_MAX + 1]; /* owner q's lines are order[queue[q]..queue[q + 1]) */
    size_t taken[SIGNERS_MAX];     /* of which this many are taken (atomic) */
};

/* Parses lines of the current chunk until none is left. */
static void
task_parse(struct signers *g, size_t self)
{
    size_t i, end, n = g->ls->n;

    (void)self;
    for (;;) {
        i = __atomic_fetch_add(&g->next, LINES_PER_TAKE, __ATOMIC_RELAXED);
        if (i >= n) {
            return;
        }
        for (end = i + LINES_PER_TAKE < n ? i + LINES_PER_TAKE : n; i < end; i++) {
            line_parse(&g->ls->l[i]);
        }
    }
}

/* Signs owner q's lines until none is left, or until no more than keep are left. */
static void
sign_queue(struct signers *g, size_t q, size_t keep)
{
    size_t len = g->queue[q + 1] - g->queue[q], i, end;
    const size_t *order = g->order + g->queue[q];

    for (;;) {
        if (keep > 0 && __atomic_load_n(&g->taken[q], __ATOMIC_RELAXED) + keep >= len) {
            return;
        }
        i = __atomic_fetch_add(&g->taken[q], LINES_PER_TAKE, __ATOMIC_RELAXED);
        if (i >= len) {
            return;
        }
        for (end = i + LINES_PER_TAKE < len ? i + LINES_PER_TAKE : len; i < end; i++) {
            line_sign(g->s, &g->ls->l[order[i]], g->now);
        }
    }
}

/* Signs this thread's own lines, then helps the others while they have many left. */
static void
task_sign(struct signers *g, size_t self)
{
    size_t k, workers = g->helpers + 1;

    sign_queue(g, self, 0);
    for (k = 1; k < workers; k++) {
        sign_queue(g, (self + k) % workers, STEAL_ABOVE);
    }
}

static void *
signer_thread(void *arg)
{
    struct signer_self *me = arg;
    struct signers *g = me->g;
    unsigned long seen = 0;

    (void)hm_signer_thread_memo(g->stem_memo); /* without one it still signs, more slowly */
    (void)pthread_mutex_lock(&g->lock);
    for (;;) {
        while (g->generation == seen && !g->stop) {
            (void)pthread_cond_wait(&g->work, &g->lock);
        }
        if (g->stop) {
            break;
        }
        seen = g->generation;
        (void)pthread_mutex_unlock(&g->lock);
        g->task(g, me->index);
        (void)pthread_mutex_lock(&g->lock);
        if (--g->busy == 0) {
            (void)pthread_cond_signal(&g->done);
        }
    }
    (void)pthread_mutex_unlock(&g->lock);
    hm_signer_thread_memo_release();
    return NULL;
}

/* Starts threads - 1 helpers (threads 0: one per core). A helper that cannot start leaves fewer;
 * the main thread always signs too. */
static void
signers_start(struct signers *g, int threads, size_t stem_memo)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t want = threads > 0 ? (size_t)threads
                  : cores < 1 ? 1
                              : (size_t)(cores > SIGNERS_MAX ? SIGNERS_MAX : cores);

    memset(g, 0, sizeof *g);
    g->stem_memo = stem_memo;
    (void)pthread_mutex_init(&g->lock, NULL);
    (void)pthread_cond_init(&g->work, NULL);
    (void)pthread_cond_init(&g->done, NULL);
    while (g->helpers + 1 < want) {
        g->self[g->helpers] = (struct signer_self){g, g->helpers + 1};
        if (pthread_create(&g->thread[g->helpers], NULL, signer_thread, &g->self[g->helpers]) !=
            0) {
            break;
        }
        g->helpers++;
    }
}

/* Runs task on every thread, the main thread as thread 0; returns when all have done it. */
static void
signers_run(struct signers *g, void (*task)(struct signers *g, size_t self))
{
    (void)pthread_mutex_lock(&g->lock);
    g->task = task;
    g->busy = g->helpers;
    g->generation++;
    (void)pthread_cond_broadcast(&g->work);
    (void)pthread_mutex_unlock(&g->lock);
    task(g, 0);
    (void)pthread_mutex_lock(&g->lock);
    while (g->busy > 0) {
        (void)pthread_cond_wait(&g->done, &g->lock);
    }
    (void)pthread_mutex_unlock(&g->lock);
}

/* Groups the parsed lines by owner into g->order: -1 when out of memory. */
static int
signers_queue(struct signers *g, struct lines *ls)
{
    size_t workers = g->helpers + 1, i, q, *owner;

    free(g->order);
    g->order = malloc(ls->n * sizeof *g->order);
    owner = malloc(ls->n * sizeof *owner);
    if (g->order == NULL || owner == NULL) {
        free(owner);
        return -1;
    }
    memset(g->queue, 0, sizeof g->queue);
    for (i = 0; i < ls->n; i++) {
        owner[i] = ls->l[i].rc == HALLMARK_OK ? line_owner(&ls->l[i], workers) : workers;
        if (owner[i] < workers) {
            g->queue[owner[i] + 1]++;
        }
    }
    for (q = 0; q < workers; q++) {
        g->queue[q + 1] += g->queue[q];
        g->taken[q] = g->queue[q]; /* the fill cursor, reset below */
    }
    for (i = 0; i < ls->n; i++) {
        if (owner[i] < workers) {
            g->order[g->taken[owner[i]]++] = i;
        }
    }
    memset(g->taken, 0, sizeof g->taken);
    free(owner);
    return 0;
}

/* Parses and signs every line of ls, on every thread; returns when all are signed. */
static void
lines_sign(struct signers *g, const hm_signer *s, struct lines *ls, long long now)
{
    size_t i;

    if (g->helpers == 0 || ls->n <= LINES_PER_TAKE) {
        for (i = 0; i < ls->n; i++) {
            line_parse(&ls->l[i]);
            if (ls->l[i].rc == HALLMARK_OK) {
                line_sign(s, &ls->l[i], now);
            }
        }
        return;
    }
    g->s = s;
    g->ls = ls;
    g->now = now;
    g->next = 0;
    signers_run(g, task_parse);
    if (signers_queue(g, ls) == 0) {
        signers_run(g, task_sign);
        return;
    }
    for (i = 0; i < ls->n; i++) { /* out of memory for the queues: signed here, in order */
        if (ls->l[i].rc == HALLMARK_OK) {
            line_sign(s, &ls->l[i], now);
        }
    }
}

static void
signers_stop(struct signers *g)
{
    size_t i;

    (void)pthread_mutex_lock(&g->lock);
    g->stop = 1;
    (void)pthread_cond_broadcast(&g->work);
    (void)pthread_mutex_unlock(&g->lock);
    for (i = 0; i < g->helpers; i++) {
        (void)pthread_join(g->thread[i], NULL);
    }
    free(g->order);
    (void)pthread_mutex_destroy(&g->lock);
    (void)pthread_cond_destroy(&g->work);
    (void)pthread_cond_destroy(&g->done);
}

/* Records the signatures of the chunk's signed lines in input order, step records to a write
 * (1 with --audit-sync each: one fdatasync per signature); a line whose record cannot be written
 * is answered "unavailable" instead. Every record is written before any result of the chunk goes
 * to the output buffer. */
static void
lines_record(hm_sigaudit *audit, long long now, struct lines *ls, size_t step)
{
    hm_sigaudit_entry one[1], *rec = step > 1 ? malloc(step * sizeof *rec) : NULL;
    size_t one_at[1], *at = step > 1 ? malloc(step * sizeof *at) : NULL, i, j, n = 0;

    if (rec == NULL || at == NULL) { /* out of memory: one record a write, as before */
        free(rec);
        free(at);
        rec = one;
        at = one_at;
        step = 1;
    }
    for (i = 0; i < ls->n; i++) {
        const struct line *e = &ls->l[i];
        if (e->rc == HALLMARK_OK) {
            rec[n] = (hm_sigaudit_entry){e->req.brand, e->res.kid, e->res.jti, e->res.body_sha256};
            at[n++] = i;
        }
        if (n > 0 && (n == step || i + 1 == ls->n)) {
            if (hm_sigaudit_record_all(audit, now, "pipe", rec, n) != HALLMARK_OK) {
                for (j = 0; j < n; j++) {
                    struct line *lost = &ls->l[at[j]];
                    lost->rc = HALLMARK_ERR_UNAVAILABLE;
                    lost->res.detail = "the signature log cannot be written; not signing";
                    lost->res.field = NULL;
                }
            }
            n = 0;
        }
    }
    if (rec != one) {
        free(rec);
        free(at);
    }
}

/* The chunk's lines in order: consent and caps for the signed ones in one store call (spec
 * §9.7; a refused line is neither recorded nor counted), then the signatures recorded
 * (lines_record) and each result written. Returns how many lines were refused. */
static unsigned long
lines_finish(const hm_signer *s, hm_sigaudit *audit, int each, hm_store *store,
             const hm_consent_secret *secret, struct lines *ls, long long now, struct buf *out,
             struct chunk *ck)
{
    struct consent_item *items = ls->n > 0 ? calloc(ls->n, sizeof *items) : NULL;
    unsigned long refused = 0;
    size_t i, unchecked = 0;
    char code[48];

    for (i = 0; i < ls->n; i++) {
        if (items != NULL) {
            items[i] = (struct consent_item){s, &ls->l[i].req, ls->l[i].rc, NULL, NULL, 0};
        } else if (ls->l[i].rc == HALLMARK_OK) {
            ls->l[i].rc = HALLMARK_ERR_NOMEM;
            ls->l[i].res.detail = "out of memory while checking consent: not signed";
        }
    }
    if (items != NULL) {
        signer_consent_check(store, secret, now, items, ls->n, &unchecked);
    }
    if (unchecked > 0) {
        (void)signer_fail(EXIT_FAILED,
                          "consent: the store is unavailable: %zu one-time code(s) signed "
                          "without the consent check (spec HM-CARRY-52)",
                          unchecked);
    }
    for (i = 0; i < ls->n; i++) {
        struct line *e = &ls->l[i];
        if (items != NULL && e->rc == HALLMARK_OK && items[i].rc != HALLMARK_OK) {
            hm_sign_result_clear(&e->res); /* the token nobody receives */
            e->rc = items[i].rc;
            e->res.detail = items[i].detail;
            e->res.field = items[i].field;
            e->reset = items[i].reset;
        }
    }
    lines_record(audit, now, ls, each ? 1 : RECORDS_PER_WRITE);
    for (i = 0; i < ls->n; i++) {
        struct line *e = &ls->l[i];
        if (e->rc == HALLMARK_OK) {
            size_t start = out->len;
            signed_line(out, e->text, e->len, &e->res);
            if (e->res.lookup_key[0] != '\0') {
                chunk_add(ck, start, out->len, e->line_no, &e->res);
            }
        } else {
            error_line(out, e->line_no,
                       e->rc == HALLMARK_ERR_TOO_LARGE && e->msg == NULL
                           ? "too_large"
                           : hm_sign_code(e->rc, code, sizeof code),
                       e->res.detail != NULL ? e->res.detail : hallmark_strerror(e->rc),
                       e->res.field, e->rc == HALLMARK_ERR_VOLUME_CAP ? e->reset : 0);
            refused++;
        }
        json_decref(e->msg);
        hm_sign_result_clear(&e->res);
    }
    free(items);
    ls->n = 0;
    return refused;
}

/* Writes the results so far; 0, or -1 when stdout is gone (nothing more can be delivered). */
static int
deliver(struct buf *out)
{
    int rc = out->len > 0 && hm_write_all(STDOUT_FILENO, out->p, out->len) != 0 ? -1 : 0;

    out->len = 0;
    return rc;
}

/* Reads what the input holds now: one read that may wait, then more while more is ready at once
 * (a file, or a producer well ahead), up to CHUNK_BYTES. Fewer, larger chunks mean fewer
 * directory commits and log syncs, while a producer that waits for its results still gets them
 * after its first read. Bytes read, 0 at the end of the input, or -1 (errno). */
static ssize_t
read_ready(struct buf *in)
{
    struct pollfd ready = {STDIN_FILENO, POLLIN, 0};
    ssize_t n, total = 0;

    for (;;) {
        if (buf_reserve(in, READ_CHUNK) != 0) {
            errno = ENOMEM;
            return total > 0 ? total : -1;
        }
        do {
            n = read(STDIN_FILENO, in->p + in->len, in->cap - in->len);
        } while (n < 0 && errno == EINTR);
        if (n <= 0) {
            return total > 0 ? total : n; /* the end or the error comes again on the next call */
        }
        in->len += (size_t)n;
        total += n;
        if (in->len >= CHUNK_BYTES || poll(&ready, 1, 0) != 1 || (ready.revents & POLLIN) == 0) {
            return total;
        }
    }
}

static double
seconds_now(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
run_pipe(struct signer_opts *o)
{
    hm_signer *s = NULL;
    hm_sigaudit *audit = NULL;
    hm_store *store = NULL;
    hm_consent_secret *secret = NULL;
    struct lines ls = {0};
    struct chunk ck = {0};
    struct signers signers;
    struct buf in = {0}, out = {0};
    char err[1024];
    size_t start = 0;
    unsigned long line_no = 0, failed = 0, signed_count = 0, lost;
    int eof = 0, skipping = 0, broken_output = 0;
    double last_flush = seconds_now();
    hallmark_result rc;

    /* A reader that goes away is an error to report (and the log still gets its final sync
     * and checkpoint), not a signal that kills the process. */
    (void)signal(SIGPIPE, SIG_IGN);

    rc = hm_signer_load(o->keystore, o->pass, o->pass_len, (long long)time(NULL), &s, err,
                        sizeof err);
    if (rc != HALLMARK_OK) {
        return signer_fail(EXIT_USAGE, "%s", err);
    }
    if (hm_signer_thread_memo((size_t)o->stem_memo) != HALLMARK_OK) { /* it still signs */
        (void)fprintf(stderr,
                      "hallmark-signer: warning: no memory for the recipient stem memo "
                      "(--stem-memo %ld)\n",
                      o->stem_memo);
    }
    if (o->audit == NULL) {
        hm_signer_unref(s);
        return signer_fail(EXIT_USAGE, "sign needs --audit FILE: every signature is recorded");
    }
    if (hm_sigaudit_open(o->audit, o->audit_sync, &audit, err, sizeof err) != HALLMARK_OK) {
        hm_signer_unref(s);
        return signer_fail(EXIT_USAGE, "%s", err);
    }
    if (signer_consent_open(o, &secret) != 0 || signer_store_open(o, &store) != 0) {
        hm_consent_secret_free(secret);
        hm_sigaudit_close(audit);
        hm_signer_unref(s);
        return EXIT_USAGE;
    }
    signers_start(&signers, o->threads, (size_t)o->stem_memo);
    while (!eof && !broken_output) {
        ssize_t n;
        char *nl;
        long long now;

        /* Room for one more chunk after the unfinished line kept at the front. */
        if (start > 0) {
            memmove(in.p, in.p + start, in.len - start);
            in.len -= start;
            start = 0;
        }
        n = read_ready(&in);
        if (n < 0) {
            (void)signer_fail(EXIT_FAILED, "reading the input: %s", strerror(errno));
            failed++;
            break;
        }
        if (n == 0) {
            eof = 1;
            if (in.len > 0 && !skipping) {
                buf_add(&in, "\n", 1); /* the last line without its newline */
            }
        }
        now = (long long)time(NULL);
        while ((nl = memchr(in.p + start, '\n', in.len - start)) != NULL) {
            size_t len = (size_t)(nl - (in.p + start));
            const char *line = in.p + start;
            start += len + 1;
            if (skipping) { /* the end of an overlong line, already answered */
                skipping = 0;
                continue;
            }
            line_no++;
            if (len > 0 && line[len - 1] == '\r') {
                len--;
            }
            if (line_add(&ls, line, len, line_no) != 0) {
                (void)signer_fail(EXIT_FAILED, "out of memory");
                failed++;
            }
        }
        lines_sign(&signers, s, &ls, now);
        {
            size_t lines = ls.n;
            unsigned long refused = lines_finish(s, audit, o->audit_sync == HM_SIGAUDIT_SYNC_EACH,
                                                 store, secret, &ls, now, &out, &ck);
            failed += refused;
            signed_count += lines - refused;
        }
        /* An unfinished line past the limit: answer it now, drop its bytes, skip to its end. */
        if (!skipping && in.len - start > LINE_MAX_BYTES + 1) {
            line_no++;
            error_line(&out, line_no, "too_large", "line longer than 1 MiB", NULL, 0);
            failed++;
            skipping = 1;
        }
        if (skipping) {
            start = in.len;
        }
        if (seconds_now() - last_flush >= FLUSH_SECONDS) {
            if (hm_sigaudit_flush(audit) != HALLMARK_OK) {
                (void)signer_fail(EXIT_FAILED,
                                  "%s: cannot sync the signature log or write its checkpoint",
                                  o->audit);
            }
            last_flush = seconds_now();
        }
        /* The chunk's directory tokens are committed before any of its results goes out. */
        lost = chunk_publish(&ck, store, &out);
        failed += lost;
        signed_count -= lost;
        if (out.failed || deliver(&out) != 0) {
            (void)signer_fail(EXIT_FAILED, "writing the results: %s",
                              out.failed ? "out of memory" : strerror(errno));
            broken_output = 1;
            failed++;
        }
    }
    signers_stop(&signers);
    free(in.p);
    free(out.p);
    if (hm_sigaudit_flush(audit) != HALLMARK_OK) {
        (void)signer_fail(EXIT_FAILED, "%s: cannot sync the signature log or write its checkpoint",
                          o->audit);
        failed++;
    }
    hm_sigaudit_close(audit);
    hm_store_close(store);
    hm_consent_secret_free(secret);
    free(ls.l);
    for (line_no = 0; line_no < ck.n; line_no++) { /* a chunk cut short: never delivered */
        free(ck.p[line_no].token);
    }
    free(ck.p);
    hm_signer_unref(s);
    hm_signer_thread_memo_release();
    (void)fprintf(stderr, "hallmark-signer: %lu signed, %lu refused\n", signed_count, failed);
    return failed == 0 ? EXIT_DONE : EXIT_FAILED;
}
