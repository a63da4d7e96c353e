/* hallmark-signer serve: POST /v1/sign and POST /v1/sign/batch. Each message is checked with the
 * verifier's own rules and signed (hm_signer), every signature of the request is recorded in one
 * write of the signature log, and only then are the tokens handed out. */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hm_pkcs11.h"
#include "signer_serve.h"

/* One message of a request, from its JSON to its result. */
struct signing {
    hm_sign_request r;
    hm_sign_result res;
    hallmark_result rc;
    long long reset; /* with HALLMARK_ERR_VOLUME_CAP: when the next one would be signed */
};

/* Checks and signs; the signature is recorded afterwards, for the whole request at once. */
/* Why a PKCS#11 token refused, in the log at most once a second (every request gets its 503; the
 * reason is the module's, with no PIN in it). */
static void
log_token_down(const char *brand, const char *reason, long long now)
{
    static long long last;
    char clean[256];
    size_t i;

    if (__atomic_exchange_n(&last, now, __ATOMIC_RELAXED) == now) {
        return;
    }
    for (i = 0; i + 1 < sizeof clean && reason[i] != '\0'; i++) {
        clean[i] = reason[i] == '"' || reason[i] == '\\' || (unsigned char)reason[i] < 0x20
                       ? '\''
                       : reason[i];
    }
    clean[i] = '\0';
    serve_log("error", "hsm_unavailable", "\"brand\":\"%s\",\"reason\":\"%s\"",
              brand != NULL ? brand : "-", clean);
}

static void
sign_message(const hm_signer *s, const struct client *c, const json_t *msg, long long now,
             struct signing *g)
{
    memset(g, 0, sizeof *g);
    g->rc = hm_sign_request_from_json(msg, &g->r, &g->res);
    if (g->rc == HALLMARK_OK &&
        (!serve_client_allows(c->brands, c->brand_count, g->r.brand) ||
         (c->channel_count > 0 &&
          !serve_client_allows(c->channels, c->channel_count, g->r.channel)))) {
        g->rc = HALLMARK_ERR_FORBIDDEN;
        g->res.detail = "this client may not sign for this brand or channel";
        g->res.field =
            serve_client_allows(c->brands, c->brand_count, g->r.brand) ? "channel" : "brand";
    }
    if (g->rc == HALLMARK_OK) {
        g->rc = hm_signer_sign(s, &g->r, now, &g->res);
    }
    if (g->rc == HALLMARK_ERR_UNAVAILABLE && g->res.detail != NULL &&
        strncmp(g->res.detail, "hsm_unavailable:", 16) == 0 && hm_p11_last_error() != NULL) {
        log_token_down(g->r.brand, hm_p11_last_error(), now);
    }
}

/* Records every signature of the request in one write of the signature log, before any token
 * is handed out; if that fails, none of them is (503, signing stops). */
static void
record_all(const struct client *c, long long now, struct signing *g, size_t n)
{
    hm_sigaudit_entry *e = calloc(n > 0 ? n : 1, sizeof *e);
    size_t i, k = 0;
    hallmark_result rc;

    for (i = 0; e != NULL && i < n; i++) {
        if (g[i].rc == HALLMARK_OK) {
            e[k].brand = g[i].r.brand;
            e[k].kid = g[i].res.kid;
            e[k].jti = g[i].res.jti;
            e[k].body_sha256 = g[i].res.body_sha256;
            k++;
        }
    }
    rc = e == NULL ? HALLMARK_ERR_NOMEM : hm_sigaudit_record_all(srv.audit, now, c->id, e, k);
    free(e);
    if (rc == HALLMARK_OK) {
        return;
    }
    for (i = 0; i < n; i++) {
        if (g[i].rc == HALLMARK_OK) {
            g[i].rc = rc == HALLMARK_ERR_NOMEM ? HALLMARK_ERR_NOMEM : HALLMARK_ERR_UNAVAILABLE;
            g[i].res.detail = rc == HALLMARK_ERR_NOMEM
                                  ? "out of memory while recording the signature: not signed"
                                  : "the signature log cannot be written: signing stopped";
            g[i].res.field = NULL;
        }
    }
    if (rc != HALLMARK_ERR_NOMEM) {
        serve_log("error", "audit_write_failed", "\"message\":\"signing stopped\"");
    }
}

/* Marks every directory token of the job as not handed out after a failed store commit (the
 * client sends none of those messages). */
static void
fail_directory_tokens(struct signing *g, size_t n, hallmark_result rc)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (g[i].rc == HALLMARK_OK && g[i].res.lookup_key[0] != '\0') {
            g[i].rc = rc == HALLMARK_ERR_NOMEM ? HALLMARK_ERR_NOMEM : HALLMARK_ERR_UNAVAILABLE;
            g[i].res.detail = "the token directory cannot be written now: not signed, do not send";
            g[i].res.field = NULL;
        }
    }
}

/* A batch's metric counts, added up before they reach the shared counters: one lock per label
 * and reply instead of one per message. */
#define TALLY_LABELS 16
struct tally {
    char labels[TALLY_LABELS][256];
    unsigned long long n[TALLY_LABELS];
    size_t count;
};

static void
tally_add(struct tally *t, const char *labels)
{
    size_t i;

    for (i = 0; t != NULL && i < t->count; i++) {
        if (strcmp(t->labels[i], labels) == 0) {
            t->n[i]++;
            return;
        }
    }
    if (t == NULL || t->count == TALLY_LABELS) {
        serve_count(labels, 1);
        return;
    }
    (void)snprintf(t->labels[t->count], sizeof t->labels[t->count], "%s", labels);
    t->n[t->count++] = 1;
}

static void
tally_flush(struct tally *t)
{
    size_t i;

    for (i = 0; i < t->count; i++) {
        serve_count(t->labels[i], t->n[i]);
    }
    t->count = 0;
}

/* Counts one message's result in the metrics (in t, or at once when t is NULL) and clears its
 * token. */
static void
result_done(const hm_signer *s, struct signing *g, struct tally *t)
{
    char labels[256], code[48];

    (void)snprintf(labels, sizeof labels, "hallmark_signatures_total{brand=\"%s\",result=\"%s\"}",
                   g->r.brand != NULL && hm_signer_has_brand(s, g->r.brand) ? g->r.brand : "-",
                   hm_sign_code(g->rc, code, sizeof code));
    tally_add(t, labels);
    hm_sign_result_clear(&g->res);
}

/* The result object of one refused message (new reference). */
static json_t *
refusal_object(const struct signing *g)
{
    json_t *e = serve_error_object(g->rc, g->res.detail, g->res.field);

    if (g->rc == HALLMARK_ERR_VOLUME_CAP) {
        json_object_set_new(e, "reset", json_integer((json_int_t)g->reset));
    }
    return json_pack("{s:o}", "error", e);
}

/* The result object of one message; counts it in the metrics and clears its token. */
static json_t *
result_object(const hm_signer *s, struct signing *g)
{
    json_t *out = g->rc == HALLMARK_OK
                      ? json_pack("{s:s,s:s,s:s,s:I}", "token", g->res.token, "jti", g->res.jti,
                                  "kid", g->res.kid, "serial", (json_int_t)hm_signer_serial(s))
                      : refusal_object(g);

    result_done(s, g, NULL);
    return out;
}

/* Appends one message's result to a batch reply, in the bytes result_object's json_dumps would
 * give: a signed one written directly (token, jti and kid are base64url and dots, nothing to
 * escape), a refusal through jansson. 0, or -1 when out of memory. Counts and clears it. */
static int
result_append(struct evbuffer *buf, const hm_signer *s, struct signing *g, struct tally *t)
{
    int rc;

    if (g->rc == HALLMARK_OK) {
        rc = evbuffer_add_printf(
                 buf, "{\"token\":\"%s\",\"jti\":\"%s\",\"kid\":\"%s\",\"serial\":%lld}",
                 g->res.token, g->res.jti, g->res.kid, (long long)hm_signer_serial(s)) < 0
                 ? -1
                 : 0;
    } else {
        json_t *o = refusal_object(g);
        char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
        rc = text != NULL && evbuffer_add(buf, text, strlen(text)) == 0 ? 0 : -1;
        free(text);
        json_decref(o);
    }
    result_done(s, g, t);
    return rc;
}

/* One sign request from its body to its reply. Requests whose tokens need no store are answered
 * at once; the others wait, off the event loop, for the committer (signer_commit.c) to put their
 * directory tokens in the store, with those of every other request waiting at that moment, in
 * one transaction (HM-CARRY-15: no token is handed out before its commit). */
struct serve_job {
    struct evhttp_request *req; /* owned while waiting (evhttp_request_own) */
    struct evhttp_connection *conn;
    hm_signer *s;
    json_t *body;
    struct client *c;
    struct signing *g;
    size_t n;
    int batch;
    long long now; /* the signing time */
    int admitted;  /* serve_jobs_admit checked consent and recorded the signatures */
    struct timespec t0;
};

static void
job_free(struct serve_job *j)
{
    size_t i;

    for (i = 0; j->g != NULL && i < j->n; i++) {
        hm_sign_result_clear(&j->g[i].res); /* the tokens nobody received */
    }
    hm_signer_unref(j->s);
    json_decref(j->body);
    free(j->g);
    free(j);
}

/* The reply: every result, in order. */
static void
job_reply(struct serve_job *j)
{
    struct evbuffer *body;
    struct tally tally;
    json_t *out;
    size_t i;
    int ok;

    if (!j->batch) {
        hallmark_result rc = j->g[0].rc;
        out = result_object(j->s, &j->g[0]);
        if (rc == HALLMARK_OK) {
            serve_reply_json(j->req, 200, out);
        } else {
            char labels[128], code[48];
            (void)snprintf(labels, sizeof labels, "hallmark_errors_total{code=\"%s\"}",
                           hm_sign_code(rc, code, sizeof code));
            serve_count(labels, 1);
            if (rc == HALLMARK_ERR_VOLUME_CAP) {
                long long wait = j->g[0].reset - (long long)time(NULL);
                (void)snprintf(labels, sizeof labels, "%lld", wait > 1 ? wait : 1);
                (void)evhttp_add_header(evhttp_request_get_output_headers(j->req), "Retry-After",
                                        labels);
            }
            serve_reply_json(j->req, hm_sign_http_status(rc), out);
        }
        return;
    }
    /* {"results":[...]} written as it goes. */
    tally.count = 0;
    body = evbuffer_new();
    ok = body != NULL && evbuffer_add(body, "{\"results\":[", 12) == 0;
    for (i = 0; i < j->n; i++) {
        if (j->g[i].rc != HALLMARK_OK) {
            char labels[128], code[48];
            (void)snprintf(labels, sizeof labels, "hallmark_batch_item_refusals_total{code=\"%s\"}",
                           hm_sign_code(j->g[i].rc, code, sizeof code));
            tally_add(&tally, labels);
        }
        ok = ok && (i == 0 || evbuffer_add(body, ",", 1) == 0);
        if (ok) {
            ok = result_append(body, j->s, &j->g[i], &tally) == 0;
        } else {
            result_done(j->s, &j->g[i], &tally);
        }
    }
    tally_flush(&tally);
    if (ok && evbuffer_add(body, "]}", 2) == 0) {
        serve_reply_json_buffer(j->req, body);
        return;
    }
    if (body != NULL) {
        evbuffer_free(body);
    }
    serve_reply_error(j->req, HALLMARK_ERR_NOMEM, "out of memory writing the reply", NULL);
}

size_t
serve_job_tokens(const struct serve_job *j, hm_store_token *out)
{
    size_t i, k = 0;

    for (i = 0; i < j->n; i++) {
        const hm_sign_result *r = &j->g[i].res;
        /* Under the message's key, and its rendering's (HM-CARRY-30). */
        const char *keys[2] = {r->lookup_key, r->alt_lookup_key};
        size_t m;
        for (m = 0; j->g[i].rc == HALLMARK_OK && m < 2 && keys[m][0] != '\0'; m++) {
            if (out != NULL) {
                out[k].key = keys[m];
                out[k].token = r->token;
                out[k].iat = r->iat;
                out[k].exp = r->exp;
            }
            k++;
        }
    }
    return k;
}

/* Marks every message of the jobs still to go out as refused with rc and detail. */
static void
refuse_all(struct serve_job *const *jobs, size_t n_jobs, hallmark_result rc, const char *detail)
{
    size_t k, i;

    for (k = 0; k < n_jobs; k++) {
        for (i = 0; i < jobs[k]->n; i++) {
            struct signing *g = &jobs[k]->g[i];
            if (g->rc == HALLMARK_OK) {
                hm_sign_result_clear(&g->res); /* the token nobody receives */
                g->rc = rc;
                g->res.detail = detail;
                g->res.field = NULL;
            }
        }
    }
}

void
serve_jobs_admit(struct serve_job *const *jobs, size_t n_jobs)
{
    struct consent_item *items;
    size_t total = 0, unchecked = 0, k, i, at = 0;
    long long now = 0;

    for (k = 0; k < n_jobs; k++) {
        total += jobs[k]->n;
        now = jobs[k]->now > now ? jobs[k]->now : now;
    }
    if ((items = calloc(total > 0 ? total : 1, sizeof *items)) == NULL) {
        refuse_all(jobs, n_jobs, HALLMARK_ERR_NOMEM,
                   "out of memory while checking consent: not signed");
        return;
    }
    for (k = 0; k < n_jobs; k++) {
        for (i = 0; i < jobs[k]->n; i++) {
            struct signing *g = &jobs[k]->g[i];
            items[at++] = (struct consent_item){jobs[k]->s, &g->r, g->rc, NULL, NULL, 0};
        }
    }
    signer_consent_check(srv.store, srv.consent, now, items, total, &unchecked);
    for (k = 0, at = 0; k < n_jobs; k++) {
        for (i = 0; i < jobs[k]->n; i++, at++) {
            struct signing *g = &jobs[k]->g[i];
            if (g->rc == HALLMARK_OK && items[at].rc != HALLMARK_OK) {
                g->rc = items[at].rc;
                g->reset = items[at].reset;
                hm_sign_result_clear(&g->res); /* the token nobody receives */
                g->res.detail = items[at].detail;
                g->res.field = items[at].field;
            }
        }
        record_all(jobs[k]->c, jobs[k]->now, jobs[k]->g, jobs[k]->n);
        jobs[k]->admitted = 1;
    }
    free(items);
    if (unchecked > 0) {
        serve_log("warning", "consent_unchecked",
                  "\"otp\":%zu,\"message\":\"the store is unavailable: one-time codes signed "
                  "without the consent check (spec HM-CARRY-52)\"",
                  unchecked);
        serve_count("hallmark_consent_unchecked_total", unchecked);
    }
}

/* The committer is done with the job (rc: its commit), on the job's own worker thread. */
static void
job_committed(struct serve_job *j, hallmark_result rc, int client_gone)
{
    if (client_gone) {
        /* The client left while its tokens were committed: nobody received them. */
        evhttp_request_free(j->req);
        job_free(j);
        return;
    }
    evhttp_connection_set_closecb(j->conn, NULL, NULL);
    if (!j->admitted) {
        /* Never reached the committer (out of memory): unchecked and unrecorded, so nothing of
         * it goes out, inline tokens included. */
        refuse_all(&j, 1, HALLMARK_ERR_NOMEM, "out of memory while checking consent: not signed");
    } else if (rc != HALLMARK_OK) {
        fail_directory_tokens(j->g, j->n, rc);
    } else {
        serve_count("hallmark_directory_tokens_total", serve_job_tokens(j, NULL));
    }
    job_reply(j);
    serve_request_done(j->req, j->batch ? "/v1/sign/batch" : "/v1/sign", j->c, &j->t0);
    job_free(j);
}

static void
handle_sign(struct evhttp_request *req, struct client *c, int batch)
{
    hallmark_result rc;
    const char *why = NULL;
    json_t *body = serve_read_body(req, &rc, &why), *m;
    const json_t *list = NULL;
    struct serve_job *j;
    long long now = (long long)time(NULL);
    size_t i;

    if (body == NULL) {
        serve_reply_error(req, rc, why, NULL);
        return;
    }
    if (batch) {
        list = json_object_get(body, "messages");
        if (!json_is_array(list) || json_object_size(body) != 1) {
            serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST, "a batch is {\"messages\": [ ... ]}",
                              "messages");
            json_decref(body);
            return;
        }
        if (json_array_size(list) > srv.o->batch_max) {
            char limit[128];
            (void)snprintf(limit, sizeof limit,
                           "%zu messages: a batch holds at most %zu (the signer's --batch-max)",
                           json_array_size(list), srv.o->batch_max);
            serve_reply_error(req, HALLMARK_ERR_TOO_LARGE, limit, "messages");
            json_decref(body);
            return;
        }
        if (json_array_size(list) > 1 && !serve_rate_ok(c, (double)(json_array_size(list) - 1))) {
            serve_reply_error(req, HALLMARK_ERR_RATE_LIMITED,
                              "slow down: a batch counts one request per message", NULL);
            json_decref(body);
            return;
        }
    }
    if ((j = calloc(1, sizeof *j)) == NULL ||
        (j->g = calloc(batch ? json_array_size(list) + 1 : 1, sizeof *j->g)) == NULL) {
        free(j);
        json_decref(body);
        serve_reply_error(req, HALLMARK_ERR_NOMEM, NULL, NULL);
        return;
    }
    j->req = req;
    j->conn = evhttp_request_get_connection(req);
    j->body = body;
    j->c = c;
    j->batch = batch;
    j->n = batch ? json_array_size(list) : 1;
    (void)clock_gettime(CLOCK_MONOTONIC, &j->t0);
    if ((j->s = serve_current_set()) == NULL || __atomic_load_n(&srv.draining, __ATOMIC_ACQUIRE)) {
        job_free(j);
        serve_reply_error(req, HALLMARK_ERR_UNAVAILABLE, "the service is shutting down", NULL);
        return;
    }
    if (batch) {
        json_array_foreach(list, i, m)
        {
            sign_message(j->s, c, m, now, &j->g[i]);
        }
    } else {
        sign_message(j->s, c, body, now, &j->g[0]);
    }
    j->now = now;
    for (i = 0; i < j->n && j->g[i].rc != HALLMARK_OK; i++) {
    }
    if (i == j->n) {
        job_reply(j); /* nothing signed: nothing to check, record or keep */
        job_free(j);
        return;
    }
    /* Wait for the committer, off the event loop: consent and caps, the signature log and the
     * directory, for this request and every other one waiting (serve_jobs_admit, then the
     * commit). While it waits the request is ours: if the client leaves, evhttp keeps it for us
     * to free, and the close callback says so. */
    evhttp_request_own(req);
    serve_commit_submit(j, j->conn, job_committed);
}

void
serve_sign(struct evhttp_request *req, struct client *c)
{
    handle_sign(req, c, 0);
}

void
serve_sign_batch(struct evhttp_request *req, struct client *c)
{
    handle_sign(req, c, 1);
}
