/* hallmark-signer serve: the HTTP(S) signing service on libevent, one event loop per worker
 * thread on one shared listening socket; OpenSSL for TLS and mutual TLS. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hm_atomic.h"
#include "hm_b64url.h"
#include "hm_ids.h"
#include "hm_digest.h"
#include "hm_json.h"
#include "hm_sigaudit.h"
#include "hm_signer.h"
#include "signer_cli.h"
#include "signer_conns.h"

#define CLIENTS_MAX 256U
#define ALLOW_MAX 32U
#define HEADERS_MAX 16384
#define TIMEOUT_SECONDS 10
#define WORKERS_MAX 64
#define METRICS_MAX 4096U

/* ---- clients and their rights -----------------------------------------------------------------
 */

struct client {
    char id[65];
    unsigned char token_hash[HM_SHA256_BYTES];
    int has_token;
    char cert_cn[129];
    char *brands[ALLOW_MAX], *channels[ALLOW_MAX];
    size_t brand_count, channel_count; /* channel_count 0: every channel */
    double tokens;                     /* rate limiter bucket */
    struct timespec last;
};

struct metric {
    char *labels;
    unsigned long long value;
};

#define LATENCY_BUCKETS 10
static const double latency_bounds[LATENCY_BUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                       0.005,  0.01,    0.025,  0.05,  0.1};

static struct server {
    struct signer_opts *o;
    struct client clients[CLIENTS_MAX];
    size_t client_count;
    pthread_mutex_t lock; /* guards current, clients' buckets, metrics */
    hm_signer *current;
    hm_sigaudit *audit;
    int draining;
    SSL_CTX *tls;
    evutil_socket_t fd;
    char address[300];
    struct metric *metrics;
    size_t metric_count, metric_cap;
    unsigned long long latency[LATENCY_BUCKETS + 1], latency_count;
    double latency_sum;
    unsigned long reloads, reload_failures;
} srv;

struct worker {
    pthread_t thread;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    conn_guard *guard;
    struct event *resume; /* re-enables accepting after an accept error */
    int stopping;         /* set by stop_worker: accepting never resumes */
};

/* The workers, so that a listener's error callback can find its own (by event base). */
static struct worker *all_workers;
static int all_worker_count;

static void log_json(const char *level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One structured log line: {"time":..,"level":..,"event":..,<fields>}. fmt gives the fields. */
static void
log_json(const char *level, const char *event, const char *fmt, ...)
{
    char fields[1024] = "";
    va_list ap;

    if (fmt != NULL) {
        va_start(ap, fmt);
        // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): as in runner.c
        (void)vsnprintf(fields, sizeof fields, fmt, ap);
        va_end(ap);
    }
    (void)fprintf(stderr, "{\"time\":%lld,\"level\":\"%s\",\"event\":\"%s\"%s%s}\n",
                  (long long)time(NULL), level, event, fields[0] != '\0' ? "," : "", fields);
}

static void
metric_add(const char *labels, unsigned long long n)
{
    size_t i;

    (void)pthread_mutex_lock(&srv.lock);
    for (i = 0; i < srv.metric_count; i++) {
        if (strcmp(srv.metrics[i].labels, labels) == 0) {
            srv.metrics[i].value += n;
            (void)pthread_mutex_unlock(&srv.lock);
            return;
        }
    }
    if (srv.metric_count >= METRICS_MAX) {
        (void)pthread_mutex_unlock(&srv.lock);
        return;
    }
    if (srv.metric_count == srv.metric_cap) {
        size_t cap = srv.metric_cap ? srv.metric_cap * 2 : 64;
        struct metric *m = realloc(srv.metrics, cap * sizeof *m);
        if (m == NULL) {
            (void)pthread_mutex_unlock(&srv.lock);
            return;
        }
        srv.metrics = m;
        srv.metric_cap = cap;
    }
    if ((srv.metrics[srv.metric_count].labels = strdup(labels)) != NULL) {
        srv.metrics[srv.metric_count++].value = n;
    }
    (void)pthread_mutex_unlock(&srv.lock);
}

static void
observe_latency(double seconds)
{
    size_t i;

    (void)pthread_mutex_lock(&srv.lock);
    for (i = 0; i < LATENCY_BUCKETS && seconds > latency_bounds[i]; i++) {
    }
    srv.latency[i]++;
    srv.latency_count++;
    srv.latency_sum += seconds;
    (void)pthread_mutex_unlock(&srv.lock);
}

/* A non-empty list of brand ids or channel names ("*": all); absent gives count 0. */
static int
string_list(const json_t *arr, int brands, char **out, size_t *count)
{
    const json_t *v;
    size_t i;

    *count = 0;
    if (arr == NULL) {
        return 1;
    }
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > ALLOW_MAX) {
        return 0;
    }
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        if (s == NULL ||
            (strcmp(s, "*") != 0 && !(brands ? hm_brand_id_ok(s) : hm_channel_ok(s))) ||
            (out[i] = strdup(s)) == NULL) {
            return 0;
        }
        (*count)++;
    }
    return 1;
}

static int
client_members_ok(const json_t *c)
{
    static const char *const known[] = {"id", "token_sha256", "cert_cn", "brands", "channels"};
    const char *key;
    const json_t *v;
    size_t i;

    json_object_foreach((json_t *)c, key, v)
    {
        int found = 0;
        for (i = 0; i < sizeof known / sizeof known[0]; i++) {
            found |= strcmp(key, known[i]) == 0;
        }
        if (!found) {
            return 0;
        }
    }
    return 1;
}

/* The clients file: {"clients":[{"id":..,"token_sha256":..|"cert_cn":..,"brands":[..],
 * "channels":[..]}]}. Bearer tokens are stored only as base64url SHA-256 hashes. */
static int
load_clients(const char *path)
{
    unsigned char *text = NULL;
    size_t len = 0, i;
    json_t *doc = NULL, *list, *c;

    if (hm_read_file(path, (size_t)1 << 20, &text, &len) != HALLMARK_OK) {
        return signer_fail(EXIT_USAGE, "%s: %s", path, strerror(errno));
    }
    if (hm_json_parse_object(text, len, (size_t)1 << 20, 6, &doc) != HALLMARK_OK ||
        !json_is_array(list = json_object_get(doc, "clients")) ||
        json_array_size(list) > CLIENTS_MAX) {
        free(text);
        json_decref(doc);
        return signer_fail(EXIT_USAGE, "%s: not a clients file (see spec/signer-api.yaml)", path);
    }
    free(text);
    json_array_foreach(list, i, c)
    {
        struct client *cl = &srv.clients[i];
        const char *id = hm_json_string(c, "id", NULL),
                   *th = hm_json_string(c, "token_sha256", NULL),
                   *cn = hm_json_string(c, "cert_cn", NULL);
        size_t j;
        if (!json_is_object(c) || !client_members_ok(c) || id == NULL || id[0] == '\0' ||
            strlen(id) >= sizeof cl->id || (th == NULL) == (cn == NULL) ||
            (th != NULL && hm_b64url_decode_exact(cl->token_hash, sizeof cl->token_hash, th,
                                                  strlen(th)) != HALLMARK_OK) ||
            (cn != NULL && strlen(cn) >= sizeof cl->cert_cn) ||
            !string_list(json_object_get(c, "brands"), 1, cl->brands, &cl->brand_count) ||
            cl->brand_count == 0 ||
            !string_list(json_object_get(c, "channels"), 0, cl->channels, &cl->channel_count)) {
            json_decref(doc);
            return signer_fail(EXIT_USAGE,
                               "%s: client %zu: only id, exactly one of token_sha256 (base64url "
                               "SHA-256 of its bearer token) and cert_cn, brands (non-empty: brand "
                               "ids or *) and channels (optional, non-empty)",
                               path, i + 1);
        }
        for (j = 0; j < i; j++) {
            const struct client *o = &srv.clients[j];
            if (strcmp(o->id, id) == 0 ||
                (th != NULL && o->has_token &&
                 hm_ct_equal(o->token_hash, cl->token_hash, sizeof cl->token_hash)) ||
                (cn != NULL && strcmp(o->cert_cn, cn) == 0)) {
                json_decref(doc);
                return signer_fail(EXIT_USAGE,
                                   "%s: client %zu repeats the id, token or certificate of "
                                   "client %zu",
                                   path, i + 1, j + 1);
            }
        }
        (void)snprintf(cl->id, sizeof cl->id, "%s", id);
        cl->has_token = th != NULL;
        if (cn != NULL) {
            (void)snprintf(cl->cert_cn, sizeof cl->cert_cn, "%s", cn);
        }
        cl->tokens = (double)srv.o->rate;
        (void)clock_gettime(CLOCK_MONOTONIC, &cl->last);
        srv.client_count++;
    }
    json_decref(doc);
    return 0;
}

static int
allowed(char *const *list, size_t count, const char *v)
{
    size_t i;

    for (i = 0; i < count; i++) {
        if (strcmp(list[i], "*") == 0 || strcmp(list[i], v) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Token bucket per client: rate per second, burst of one second's worth. */
static int
rate_ok(struct client *c, double cost)
{
    struct timespec now;
    double elapsed;
    int ok;

    (void)clock_gettime(CLOCK_MONOTONIC, &now);
    (void)pthread_mutex_lock(&srv.lock);
    elapsed = (double)(now.tv_sec - c->last.tv_sec) + (double)(now.tv_nsec - c->last.tv_nsec) / 1e9;
    c->last = now;
    c->tokens += elapsed * (double)srv.o->rate;
    if (c->tokens > (double)srv.o->rate) {
        c->tokens = (double)srv.o->rate;
    }
    ok = c->tokens >= cost;
    if (ok) {
        c->tokens -= cost;
    }
    (void)pthread_mutex_unlock(&srv.lock);
    return ok;
}

/* ---- responses --------------------------------------------------------------------------------
 */

static void
reply_json(struct evhttp_request *req, int status, json_t *body)
{
    struct evbuffer *buf = evbuffer_new();
    char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;

    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
    if (buf != NULL && text != NULL) {
        evbuffer_add(buf, text, strlen(text));
        evbuffer_add(buf, "\n", 1);
    }
    evhttp_send_reply(req, status, NULL, buf);
    if (buf != NULL) {
        evbuffer_free(buf);
    }
    free(text);
    json_decref(body);
}

static json_t *
error_object(hallmark_result rc, const char *message, const char *field)
{
    char code[48];
    json_t *e = json_pack("{s:s,s:s}", "code", hm_sign_code(rc, code, sizeof code), "message",
                          message != NULL ? message : hallmark_strerror(rc));

    if (e != NULL && field != NULL) {
        json_object_set_new(e, "field", json_string(field));
    }
    return e;
}

static void
reply_error(struct evhttp_request *req, hallmark_result rc, const char *message, const char *field)
{
    char labels[128], code[48];
    int status = hm_sign_http_status(rc);

    (void)snprintf(labels, sizeof labels, "hallmark_errors_total{code=\"%s\"}",
                   hm_sign_code(rc, code, sizeof code));
    metric_add(labels, 1);
    reply_json(req, status, json_pack("{s:o}", "error", error_object(rc, message, field)));
}

/* ---- authentication ------------------------------------------------------------------------- */

static SSL *
request_ssl(struct evhttp_request *req)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    struct bufferevent *bev = conn != NULL ? evhttp_connection_get_bufferevent(conn) : NULL;

    return srv.tls != NULL && bev != NULL ? bufferevent_openssl_get_ssl(bev) : NULL;
}

/* The client making the request, or NULL with the reason in *why. */
static struct client *
authenticate(struct evhttp_request *req, const char **why)
{
    const char *auth = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
    SSL *ssl = request_ssl(req);
    X509 *peer = ssl != NULL ? SSL_get_peer_certificate(ssl) : NULL;
    size_t i;

    *why = "no credentials: send Authorization: Bearer TOKEN or a client certificate";
    if (peer != NULL) {
        char cn[129] = "";
        long verdict = SSL_get_verify_result(ssl);

        (void)X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
        X509_free(peer);
        if (verdict != X509_V_OK) {
            *why = "the client certificate is not issued by a trusted CA";
            return NULL;
        }
        for (i = 0; i < srv.client_count; i++) {
            if (srv.clients[i].cert_cn[0] != '\0' && strcmp(srv.clients[i].cert_cn, cn) == 0) {
                return &srv.clients[i];
            }
        }
        *why = "the client certificate is valid but belongs to no known client";
        if (auth == NULL) {
            return NULL;
        }
    }
    if (auth != NULL) {
        unsigned char h[HM_SHA256_BYTES];
        struct client *found = NULL;

        if (strncasecmp(auth, "Bearer ", 7) != 0 || auth[7] == '\0') {
            *why = "Authorization must be: Bearer TOKEN";
            return NULL;
        }
        (void)hm_sha256(h, (const unsigned char *)auth + 7, strlen(auth + 7));
        for (i = 0; i < srv.client_count; i++) {
            if (srv.clients[i].has_token && hm_ct_equal(h, srv.clients[i].token_hash, sizeof h)) {
                found = &srv.clients[i];
            }
        }
        *why = "unknown bearer token";
        return found;
    }
    return NULL;
}

/* ---- endpoints ---------------------------------------------------------------------------------
 */

static hm_signer *
current_set(void)
{
    hm_signer *s;

    (void)pthread_mutex_lock(&srv.lock);
    s = hm_signer_ref(srv.current);
    (void)pthread_mutex_unlock(&srv.lock);
    return s;
}

/* Signs one message object for client c; returns the result object (new reference) and the
 * result code. */
/* One message of a request, from its JSON to its result. */
struct signing {
    hm_sign_request r;
    hm_sign_result res;
    hallmark_result rc;
};

/* Checks and signs; the signature is recorded afterwards, for the whole request at once. */
static void
sign_message(const hm_signer *s, const struct client *c, const json_t *msg, long long now,
             struct signing *g)
{
    memset(g, 0, sizeof *g);
    g->rc = hm_sign_request_from_json(msg, &g->r, &g->res);
    if (g->rc == HALLMARK_OK &&
        (!allowed(c->brands, c->brand_count, g->r.brand) ||
         (c->channel_count > 0 && !allowed(c->channels, c->channel_count, g->r.channel)))) {
        g->rc = HALLMARK_ERR_FORBIDDEN;
        g->res.detail = "this client may not sign for this brand or channel";
        g->res.field = allowed(c->brands, c->brand_count, g->r.brand) ? "channel" : "brand";
    }
    if (g->rc == HALLMARK_OK) {
        g->rc = hm_signer_sign(s, &g->r, now, &g->res);
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
        log_json("error", "audit_write_failed", "\"message\":\"signing stopped\"");
    }
}

/* The result object of one message; counts it in the metrics and clears its token. */
static json_t *
result_object(const hm_signer *s, struct signing *g)
{
    char labels[256], code[48];
    json_t *out;

    if (g->rc == HALLMARK_OK) {
        out = json_pack("{s:s,s:s,s:s,s:I}", "token", g->res.token, "jti", g->res.jti, "kid",
                        g->res.kid, "serial", (json_int_t)hm_signer_serial(s));
    } else {
        out = json_pack("{s:o}", "error", error_object(g->rc, g->res.detail, g->res.field));
    }
    (void)snprintf(labels, sizeof labels, "hallmark_signatures_total{brand=\"%s\",result=\"%s\"}",
                   g->r.brand != NULL && hm_signer_has_brand(s, g->r.brand) ? g->r.brand : "-",
                   hm_sign_code(g->rc, code, sizeof code));
    metric_add(labels, 1);
    hm_sign_result_clear(&g->res);
    return out;
}

static json_t *
read_body(struct evhttp_request *req, hallmark_result *rc, const char **why)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    const char *ctype = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
    size_t len = evbuffer_get_length(in);
    json_t *obj = NULL;
    unsigned char *data;

    if (ctype == NULL || strncmp(ctype, "application/json", 16) != 0 ||
        (ctype[16] != '\0' && ctype[16] != ';')) {
        *rc = HALLMARK_ERR_BAD_REQUEST;
        *why = "Content-Type must be application/json";
        return NULL;
    }
    if (len > srv.o->body_max) {
        *rc = HALLMARK_ERR_TOO_LARGE;
        *why = "request body larger than the limit (--body-max)";
        return NULL;
    }
    data = evbuffer_pullup(in, (ev_ssize_t)len);
    if (len == 0 || data == NULL ||
        hm_json_parse_object(data, len, srv.o->body_max, 8, &obj) != HALLMARK_OK) {
        *rc = HALLMARK_ERR_BAD_REQUEST;
        *why = "the body is not one JSON object (duplicate members are refused)";
        return NULL;
    }
    *rc = HALLMARK_OK;
    return obj;
}

static void
handle_sign(struct evhttp_request *req, struct client *c, int batch)
{
    hallmark_result rc;
    const char *why = NULL;
    json_t *body = read_body(req, &rc, &why), *out, *results, *m;
    hm_signer *s;
    size_t i;

    if (body == NULL) {
        reply_error(req, rc, why, NULL);
        return;
    }
    if ((s = current_set()) == NULL || __atomic_load_n(&srv.draining, __ATOMIC_ACQUIRE)) {
        hm_signer_unref(s);
        json_decref(body);
        reply_error(req, HALLMARK_ERR_UNAVAILABLE, "the service is shutting down", NULL);
        return;
    }
    if (!batch) {
        struct signing g;
        long long now = (long long)time(NULL);
        sign_message(s, c, body, now, &g);
        record_all(c, now, &g, 1);
        rc = g.rc;
        out = result_object(s, &g);
        if (rc == HALLMARK_OK) {
            reply_json(req, 200, out);
        } else {
            char labels[128], code[48];
            (void)snprintf(labels, sizeof labels, "hallmark_errors_total{code=\"%s\"}",
                           hm_sign_code(rc, code, sizeof code));
            metric_add(labels, 1);
            reply_json(req, hm_sign_http_status(rc), out);
        }
    } else {
        const json_t *list = json_object_get(body, "messages");
        struct signing *g = NULL;
        if (!json_is_array(list) || json_object_size(body) != 1) {
            reply_error(req, HALLMARK_ERR_BAD_REQUEST, "a batch is {\"messages\": [ ... ]}",
                        "messages");
        } else if (json_array_size(list) > srv.o->batch_max) {
            reply_error(req, HALLMARK_ERR_TOO_LARGE, "more messages than the batch limit",
                        "messages");
        } else if (json_array_size(list) > 1 && !rate_ok(c, (double)(json_array_size(list) - 1))) {
            reply_error(req, HALLMARK_ERR_RATE_LIMITED,
                        "slow down: a batch counts one request per message", NULL);
        } else if ((g = calloc(json_array_size(list) + 1, sizeof *g)) == NULL) {
            reply_error(req, HALLMARK_ERR_NOMEM, NULL, NULL);
        } else {
            long long now = (long long)time(NULL);
            size_t n = json_array_size(list);
            json_array_foreach(list, i, m)
            {
                sign_message(s, c, m, now, &g[i]);
            }
            record_all(c, now, g, n);
            results = json_array();
            for (i = 0; i < n; i++) {
                json_array_append_new(results, result_object(s, &g[i]));
            }
            reply_json(req, 200, json_pack("{s:o}", "results", results));
        }
        free(g);
    }
    hm_signer_unref(s);
    json_decref(body);
}

static void
handle_bundle(struct evhttp_request *req, int jwks)
{
    hm_signer *s = current_set();
    struct evbuffer *buf = evbuffer_new();
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    const char *inm = evhttp_find_header(evhttp_request_get_input_headers(req), "If-None-Match");
    char etag[64];
    size_t len = 0;
    const char *data;

    if (s == NULL || buf == NULL) {
        hm_signer_unref(s);
        if (buf != NULL) {
            evbuffer_free(buf);
        }
        reply_error(req, HALLMARK_ERR_UNAVAILABLE, NULL, NULL);
        return;
    }
    data = jwks ? hm_signer_jwks(s) : hm_signer_bundle(s, &len);
    len = jwks ? strlen(data) : len;
    (void)snprintf(etag, sizeof etag, "\"%s-%llu\"", jwks ? "jwks" : "bundle",
                   (unsigned long long)hm_signer_serial(s));
    evhttp_add_header(h, "ETag", etag);
    evhttp_add_header(h, "Cache-Control", "public, max-age=300");
    evhttp_add_header(h, "Content-Type", jwks ? "application/jwk-set+json" : "application/jose");
    if (inm != NULL && strcmp(inm, etag) == 0) {
        evhttp_send_reply(req, 304, "Not Modified", NULL);
    } else {
        evbuffer_add(buf, data, len);
        evhttp_send_reply(req, 200, "OK", buf);
    }
    evbuffer_free(buf);
    hm_signer_unref(s);
}

static void
handle_healthz(struct evhttp_request *req)
{
    hm_signer *s = current_set();
    long long now = (long long)time(NULL);
    int ok = s != NULL && hm_sigaudit_ok(srv.audit) &&
             !__atomic_load_n(&srv.draining, __ATOMIC_ACQUIRE) && hm_signer_bundle_exp(s) > now;

    reply_json(req, ok ? 200 : 503,
               json_pack("{s:s,s:I,s:I,s:I,s:I}", "status", ok ? "ok" : "unavailable", "serial",
                         (json_int_t)(s != NULL ? hm_signer_serial(s) : 0), "bundle_expires",
                         (json_int_t)(s != NULL ? hm_signer_bundle_exp(s) : 0), "brands",
                         (json_int_t)(s != NULL ? hm_signer_brand_count(s) : 0), "signatures",
                         (json_int_t)hm_sigaudit_count(srv.audit)));
    hm_signer_unref(s);
}

static void
handle_metrics(struct evhttp_request *req)
{
    struct evbuffer *buf = evbuffer_new();
    hm_signer *s = current_set();
    long long now = (long long)time(NULL);
    unsigned long long cumulative = 0;
    size_t i;

    if (buf == NULL) {
        hm_signer_unref(s);
        reply_error(req, HALLMARK_ERR_NOMEM, NULL, NULL);
        return;
    }
    evbuffer_add_printf(buf,
                        "# HELP hallmark_requests_total HTTP requests by endpoint and status.\n"
                        "# TYPE hallmark_requests_total counter\n"
                        "# HELP hallmark_signatures_total Sign attempts by brand and result.\n"
                        "# TYPE hallmark_signatures_total counter\n"
                        "# HELP hallmark_errors_total Error replies by code.\n"
                        "# TYPE hallmark_errors_total counter\n");
    (void)pthread_mutex_lock(&srv.lock);
    for (i = 0; i < srv.metric_count; i++) {
        evbuffer_add_printf(buf, "%s %llu\n", srv.metrics[i].labels, srv.metrics[i].value);
    }
    evbuffer_add_printf(buf, "# HELP hallmark_sign_latency_seconds Time to answer a sign request.\n"
                             "# TYPE hallmark_sign_latency_seconds histogram\n");
    for (i = 0; i < LATENCY_BUCKETS; i++) {
        cumulative += srv.latency[i];
        evbuffer_add_printf(buf, "hallmark_sign_latency_seconds_bucket{le=\"%g\"} %llu\n",
                            latency_bounds[i], cumulative);
    }
    evbuffer_add_printf(buf,
                        "hallmark_sign_latency_seconds_bucket{le=\"+Inf\"} %llu\n"
                        "hallmark_sign_latency_seconds_sum %.6f\n"
                        "hallmark_sign_latency_seconds_count %llu\n"
                        "# TYPE hallmark_reloads_total counter\nhallmark_reloads_total %lu\n"
                        "hallmark_reload_failures_total %lu\n",
                        srv.latency_count, srv.latency_sum, srv.latency_count, srv.reloads,
                        srv.reload_failures);
    (void)pthread_mutex_unlock(&srv.lock);
    evbuffer_add_printf(buf, "# HELP hallmark_key_age_seconds Age of each brand's active key.\n"
                             "# TYPE hallmark_key_age_seconds gauge\n");
    for (i = 0; s != NULL && i < hm_signer_brand_count(s); i++) {
        evbuffer_add_printf(buf, "hallmark_key_age_seconds{brand=\"%s\",kid=\"%s\"} %lld\n",
                            hm_signer_brand_id(s, i), hm_signer_brand_kid(s, i),
                            now - hm_signer_key_created(s, i));
    }
    evbuffer_add_printf(buf,
                        "# HELP hallmark_connections_open Connections the service holds.\n"
                        "# TYPE hallmark_connections_open gauge\nhallmark_connections_open %lu\n"
                        "# HELP hallmark_connections_cut_total Connections cut for not "
                        "delivering a request within --request-timeout.\n"
                        "# TYPE hallmark_connections_cut_total counter\n"
                        "hallmark_connections_cut_total %lu\n"
                        "# HELP hallmark_accept_paused_total Times a worker stopped accepting "
                        "at --max-connections.\n"
                        "# TYPE hallmark_accept_paused_total counter\n"
                        "hallmark_accept_paused_total %lu\n",
                        conn_guard_open_total(), conn_guard_cut_total(), conn_guard_paused_total());
    evbuffer_add_printf(buf, "# TYPE hallmark_bundle_serial gauge\nhallmark_bundle_serial %llu\n",
                        (unsigned long long)(s != NULL ? hm_signer_serial(s) : 0));
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "text/plain; version=0.0.4");
    evhttp_send_reply(req, 200, "OK", buf);
    evbuffer_free(buf);
    hm_signer_unref(s);
}

static void
route(struct evhttp_request *req, void *arg)
{
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    enum evhttp_cmd_type method = evhttp_request_get_command(req);
    struct timespec t0, t1;
    struct client *c = NULL;
    const char *why = NULL;
    char labels[160];
    int is_sign;

    conn_guard_request_done(arg,
                            evhttp_connection_get_bufferevent(evhttp_request_get_connection(req)));
    (void)clock_gettime(CLOCK_MONOTONIC, &t0);
    if (path == NULL) {
        path = "";
    }
    is_sign = strcmp(path, "/v1/sign") == 0 || strcmp(path, "/v1/sign/batch") == 0;
    if (is_sign && method != EVHTTP_REQ_POST) {
        reply_error(req, HALLMARK_ERR_BAD_REQUEST, "use POST", NULL);
    } else if (is_sign) {
        if ((c = authenticate(req, &why)) == NULL) {
            reply_error(req, HALLMARK_ERR_UNAUTHORIZED, why, NULL);
        } else if (!rate_ok(c, 1.0)) {
            reply_error(req, HALLMARK_ERR_RATE_LIMITED, "slow down: per-client rate limit", NULL);
        } else {
            handle_sign(req, c, strcmp(path, "/v1/sign/batch") == 0);
        }
        (void)clock_gettime(CLOCK_MONOTONIC, &t1);
        observe_latency((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    } else if (method != EVHTTP_REQ_GET) {
        reply_error(req, HALLMARK_ERR_BAD_REQUEST, "use GET", NULL);
    } else if (strcmp(path, "/v1/bundle") == 0 || strcmp(path, "/v1/jwks") == 0) {
        handle_bundle(req, strcmp(path, "/v1/jwks") == 0);
    } else if (strcmp(path, "/healthz") == 0) {
        handle_healthz(req);
    } else if (strcmp(path, "/metrics") == 0) {
        handle_metrics(req);
    } else {
        reply_json(req, 404,
                   json_pack("{s:{s:s,s:s}}", "error", "code", "not_found", "message",
                             "no such endpoint (see spec/signer-api.yaml)"));
    }
    (void)snprintf(labels, sizeof labels, "hallmark_requests_total{endpoint=\"%s\",status=\"%d\"}",
                   is_sign || strcmp(path, "/v1/bundle") == 0 || strcmp(path, "/v1/jwks") == 0 ||
                           strcmp(path, "/healthz") == 0 || strcmp(path, "/metrics") == 0
                       ? path
                       : "other",
                   evhttp_request_get_response_code(req));
    metric_add(labels, 1);
    log_json("info", "request", "\"method\":\"%s\",\"path\":\"%s\",\"status\":%d,\"client\":\"%s\"",
             method == EVHTTP_REQ_POST ? "POST" : "GET", is_sign ? path : "-",
             evhttp_request_get_response_code(req), c != NULL ? c->id : "-");
}

/* ---- TLS ----------------------------------------------------------------------------------------
 */

static int
accept_any_cert(int preverify, X509_STORE_CTX *ctx)
{
    (void)preverify;
    (void)ctx;
    return 1; /* decided per request (SSL_get_verify_result), so the client gets a 401 in JSON */
}

static int
setup_tls(const struct signer_opts *o)
{
    if (o->tls_cert == NULL && o->tls_key == NULL) {
        if (o->client_ca != NULL) {
            return signer_fail(EXIT_USAGE, "--client-ca needs --tls-cert and --tls-key");
        }
        return 0;
    }
    if (o->tls_cert == NULL || o->tls_key == NULL) {
        return signer_fail(EXIT_USAGE, "--tls-cert and --tls-key go together");
    }
    srv.tls = SSL_CTX_new(TLS_server_method());
    if (srv.tls == NULL || SSL_CTX_set_min_proto_version(srv.tls, TLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate_chain_file(srv.tls, o->tls_cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(srv.tls, o->tls_key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(srv.tls) != 1) {
        return signer_fail(EXIT_USAGE, "TLS: cannot use %s / %s: %s", o->tls_cert, o->tls_key,
                           ERR_reason_error_string(ERR_get_error()));
    }
    if (o->client_ca != NULL) {
        if (SSL_CTX_load_verify_locations(srv.tls, o->client_ca, NULL) != 1) {
            return signer_fail(EXIT_USAGE, "TLS: cannot load client CA %s", o->client_ca);
        }
        SSL_CTX_set_client_CA_list(srv.tls, SSL_load_client_CA_file(o->client_ca));
        SSL_CTX_set_verify(srv.tls, SSL_VERIFY_PEER, accept_any_cert);
        /* Without a session id context, OpenSSL fails every resumed session once peers are
         * verified. */
        (void)SSL_CTX_set_session_id_context(srv.tls, (const unsigned char *)"hallmark-signer", 15);
    }
    return 0;
}

/* ---- sockets, workers, signals -----------------------------------------------------------------
 */

static int
listen_on(const char *spec)
{
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    int fd, one = 1;

    memset(&ss, 0, sizeof ss);
    if (strncmp(spec, "unix:", 5) == 0) {
        struct sockaddr_un *un = (struct sockaddr_un *)&ss;
        if (strlen(spec + 5) >= sizeof un->sun_path || spec[5] == '\0') {
            return signer_fail(EXIT_USAGE, "--listen %s: socket path too long or empty", spec), -1;
        }
        un->sun_family = AF_UNIX;
        (void)snprintf(un->sun_path, sizeof un->sun_path, "%s", spec + 5);
        (void)unlink(un->sun_path);
        sl = sizeof *un;
    } else {
        char host[256];
        const char *colon = strrchr(spec, ':');
        long port;
        char *end = NULL;
        size_t hl = colon != NULL ? (size_t)(colon - spec) : 0;
        if (colon == NULL || hl == 0 || hl >= sizeof host) {
            return signer_fail(EXIT_USAGE, "--listen %s: write HOST:PORT or unix:PATH", spec), -1;
        }
        memcpy(host, spec, hl);
        host[hl] = '\0';
        port = strtol(colon + 1, &end, 10);
        if (end == colon + 1 || *end != '\0' || port < 0 || port > 65535) {
            return signer_fail(EXIT_USAGE, "--listen %s: bad port", spec), -1;
        }
        if (host[0] == '[' && host[hl - 1] == ']') {
            struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
            host[hl - 1] = '\0';
            s6->sin6_family = AF_INET6;
            s6->sin6_port = htons((uint16_t)port);
            if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1) {
                return signer_fail(EXIT_USAGE, "--listen %s: not an IPv6 address", spec), -1;
            }
            sl = sizeof *s6;
        } else {
            struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
            s4->sin_family = AF_INET;
            s4->sin_port = htons((uint16_t)port);
            if (inet_pton(AF_INET, host, &s4->sin_addr) != 1) {
                return signer_fail(EXIT_USAGE, "--listen %s: not an IPv4 address", spec), -1;
            }
            sl = sizeof *s4;
        }
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return signer_fail(EXIT_USAGE, "socket: %s", strerror(errno)), -1;
    }
    if (ss.ss_family != AF_UNIX) {
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 1024) != 0) {
        (void)signer_fail(EXIT_USAGE, "--listen %s: %s", spec, strerror(errno));
        (void)close(fd);
        return -1;
    }
    if (ss.ss_family == AF_UNIX) {
        (void)snprintf(srv.address, sizeof srv.address, "%s", spec);
    } else {
        char ip[INET6_ADDRSTRLEN] = "";
        struct sockaddr_storage got;
        socklen_t gl = sizeof got;
        (void)getsockname(fd, (struct sockaddr *)&got, &gl);
        if (got.ss_family == AF_INET6) {
            const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&got;
            (void)inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
            (void)snprintf(srv.address, sizeof srv.address, "[%s]:%u", ip, ntohs(s6->sin6_port));
        } else {
            const struct sockaddr_in *s4 = (const struct sockaddr_in *)&got;
            (void)inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
            (void)snprintf(srv.address, sizeof srv.address, "%s:%u", ip, ntohs(s4->sin_port));
        }
    }
    return fd;
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;

    (void)event_base_dispatch(w->base);
    return NULL;
}

/* Out of file descriptors (or another accept error): stop accepting on this worker for a
 * second instead of spinning, and say so once. The timer belongs to the worker, so that
 * stop_worker can cancel it before the listener is freed. */
static void
resume_accepting(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;

    (void)fd;
    (void)what;
    if (!w->stopping && w->bound != NULL) {
        (void)evconnlistener_enable(evhttp_bound_socket_get_listener(w->bound));
    }
}

static void
accept_error(struct evconnlistener *listener, void *arg)
{
    struct timeval pause = {1, 0};
    struct event_base *base = evconnlistener_get_base(listener);
    int err = EVUTIL_SOCKET_ERROR(), i;

    (void)arg;
    (void)evconnlistener_disable(listener);
    for (i = 0; i < all_worker_count; i++) {
        if (all_workers[i].base == base && !all_workers[i].stopping &&
            all_workers[i].resume != NULL) {
            (void)event_add(all_workers[i].resume, &pause);
        }
    }
    log_json("warn", "accept_paused", "\"error\":\"%s\",\"seconds\":1",
             evutil_socket_error_to_string(err));
}

/* libevent's own messages, as JSON lines and at most one a second. */
static void
libevent_log(int severity, const char *msg)
{
    static time_t last;
    time_t now = time(NULL);

    if (severity < EVENT_LOG_WARN || now == __atomic_load_n(&last, __ATOMIC_RELAXED)) {
        return;
    }
    __atomic_store_n(&last, now, __ATOMIC_RELAXED);
    {
        json_t *m = json_string(msg);
        char *text = m != NULL ? json_dumps(m, JSON_ENCODE_ANY) : NULL;
        log_json("warn", "libevent", "\"severity\":%d,\"message\":%s", severity,
                 text != NULL ? text : "\"?\"");
        free(text);
        json_decref(m);
    }
}

static int
worker_setup(struct worker *w, size_t max_connections)
{
    if ((w->base = event_base_new()) == NULL || (w->http = evhttp_new(w->base)) == NULL ||
        (w->guard = conn_guard_new(w->base, max_connections, (double)srv.o->request_timeout,
                                   HEADERS_MAX + srv.o->body_max * 2 + 1024 + 65536, srv.tls)) ==
            NULL) {
        return -1;
    }
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                            EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
                                            EVHTTP_REQ_OPTIONS);
    /* A hard cap beyond which libevent itself refuses; the JSON 413 comes from read_body. */
    evhttp_set_max_body_size(w->http, (ev_ssize_t)(srv.o->body_max * 2 + 1024));
    evhttp_set_max_headers_size(w->http, HEADERS_MAX);
    evhttp_set_timeout(w->http, TIMEOUT_SECONDS);
    evhttp_set_gencb(w->http, route, w->guard);
    evhttp_set_bevcb(w->http, conn_guard_bev, w->guard);
    /* Each worker listens on its own duplicate of the socket: libevent closes it when the
     * worker stops accepting. */
    {
        evutil_socket_t fd = dup(srv.fd);
        if (fd < 0 || evutil_make_socket_nonblocking(fd) != 0 ||
            (w->bound = evhttp_accept_socket_with_handle(w->http, fd)) == NULL) {
            if (fd >= 0) {
                (void)close(fd);
            }
            return -1;
        }
        if ((w->resume = evtimer_new(w->base, resume_accepting, w)) == NULL) {
            return -1;
        }
        evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(w->bound), accept_error);
        conn_guard_set_listener(w->guard, evhttp_bound_socket_get_listener(w->bound));
    }
    return 0;
}

static void
stop_worker(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    struct timeval grace = {1, 0};

    (void)fd;
    (void)what;
    w->stopping = 1;
    if (w->resume != NULL) {
        (void)event_del(w->resume);
    }
    conn_guard_set_listener(w->guard, NULL);
    evhttp_del_accept_socket(w->http, w->bound);
    w->bound = NULL;
    (void)event_base_loopexit(w->base, &grace);
}

struct control {
    struct worker *workers;
    int count;
    struct event_base *base;
};

static void
reload(void)
{
    hm_signer *fresh = NULL, *old;
    char err[1024];
    hallmark_result rc = hm_signer_load(srv.o->keystore, srv.o->pass, srv.o->pass_len,
                                        (long long)time(NULL), &fresh, err, sizeof err);

    if (rc != HALLMARK_OK) {
        (void)pthread_mutex_lock(&srv.lock);
        srv.reload_failures++;
        (void)pthread_mutex_unlock(&srv.lock);
        log_json("error", "reload_failed", "\"result\":\"%s\",\"keeps_serial\":%llu",
                 hallmark_result_name(rc), (unsigned long long)hm_signer_serial(srv.current));
        (void)fprintf(stderr,
                      "hallmark-signer: reload failed, the previous keys keep serving: %s\n", err);
        return;
    }
    (void)pthread_mutex_lock(&srv.lock);
    old = srv.current;
    srv.current = fresh;
    srv.reloads++;
    (void)pthread_mutex_unlock(&srv.lock);
    log_json("info", "reloaded", "\"serial\":%llu,\"brands\":%zu",
             (unsigned long long)hm_signer_serial(fresh), hm_signer_brand_count(fresh));
    hm_signer_unref(old);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct control *ctl = arg;
    int i;

    (void)what;
    if (sig == SIGHUP) {
        reload();
        return;
    }
    log_json("info", "draining", "\"signal\":%d", (int)sig);
    __atomic_store_n(&srv.draining, 1, __ATOMIC_RELEASE);
    for (i = 0; i < ctl->count; i++) {
        (void)event_base_once(ctl->workers[i].base, -1, EV_TIMEOUT, stop_worker, &ctl->workers[i],
                              NULL);
    }
    (void)event_base_loopexit(ctl->base, NULL);
}

static void
on_flush(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    if (hm_sigaudit_flush(srv.audit) != HALLMARK_OK) {
        log_json("error", "audit_flush_failed", "\"message\":\"signing stopped\"");
    }
}

int
run_serve(struct signer_opts *o)
{
    struct worker workers[WORKERS_MAX];
    struct control ctl;
    struct event *ev_hup = NULL, *ev_term = NULL, *ev_int = NULL, *ev_flush = NULL;
    struct timeval every = {0, 200000};
    char err[1024];
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = o->threads > 0 ? o->threads
                           : (int)(cores < 1             ? 1
                                   : cores > WORKERS_MAX ? WORKERS_MAX
                                                         : cores),
        i, st = EXIT_FAILED;
    size_t per_worker;
    hallmark_result rc;

    per_worker = o->max_connections / (size_t)n > 0 ? o->max_connections / (size_t)n : 1;
    memset(workers, 0, sizeof workers);
    all_workers = workers;
    all_worker_count = n;
    memset(&ctl, 0, sizeof ctl);
    srv.o = o;
    srv.fd = -1;
    (void)pthread_mutex_init(&srv.lock, NULL);
    if (o->listen == NULL || o->audit == NULL || o->clients == NULL) {
        return signer_fail(EXIT_USAGE, "serve needs --listen, --audit and --clients (see --help)");
    }
    if ((st = setup_tls(o)) != 0 || (st = load_clients(o->clients)) != 0) {
        return st;
    }
    if (srv.tls == NULL && strncmp(o->listen, "unix:", 5) != 0 &&
        strncmp(o->listen, "127.", 4) != 0 && strncmp(o->listen, "[::1]:", 6) != 0) {
        return signer_fail(EXIT_USAGE,
                           "--listen %s without --tls-cert/--tls-key would send "
                           "bearer tokens in the clear: plain HTTP is for loopback "
                           "and unix sockets only",
                           o->listen);
    }
    rc = hm_signer_load(o->keystore, o->pass, o->pass_len, (long long)time(NULL), &srv.current, err,
                        sizeof err);
    if (rc != HALLMARK_OK) {
        return signer_fail(EXIT_USAGE, "%s", err);
    }
    if (hm_sigaudit_open(o->audit, o->audit_sync, &srv.audit, err, sizeof err) != HALLMARK_OK) {
        hm_signer_unref(srv.current);
        return signer_fail(EXIT_USAGE, "%s", err);
    }
    (void)signal(SIGPIPE, SIG_IGN);
    event_set_log_callback(libevent_log);
    if (evthread_use_pthreads() != 0 || (srv.fd = listen_on(o->listen)) < 0) {
        st = EXIT_USAGE;
        goto out;
    }
    for (i = 0; i < n; i++) {
        if (worker_setup(&workers[i], per_worker) != 0) {
            (void)signer_fail(EXIT_USAGE, "cannot start worker %d", i);
            n = i + 1; /* its parts that were made are freed below */
            st = EXIT_USAGE;
            goto stop;
        }
    }
    ctl.workers = workers;
    ctl.count = n;
    ctl.base = event_base_new();
    ev_hup = evsignal_new(ctl.base, SIGHUP, on_signal, &ctl);
    ev_term = evsignal_new(ctl.base, SIGTERM, on_signal, &ctl);
    ev_int = evsignal_new(ctl.base, SIGINT, on_signal, &ctl);
    ev_flush = event_new(ctl.base, -1, EV_PERSIST, on_flush, NULL);
    if (ctl.base == NULL || ev_hup == NULL || ev_term == NULL || ev_int == NULL ||
        ev_flush == NULL || event_add(ev_hup, NULL) != 0 || event_add(ev_term, NULL) != 0 ||
        event_add(ev_int, NULL) != 0 || event_add(ev_flush, &every) != 0) {
        (void)signer_fail(EXIT_USAGE, "cannot set up signal handling");
        st = EXIT_USAGE;
        goto stop;
    }
    for (i = 0; i < n; i++) {
        (void)pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
    }
    (void)printf("hallmark-signer: listening on %s://%s (%d workers, bundle serial %llu, %zu "
                 "brands)\n",
                 srv.tls != NULL ? "https" : "http", srv.address, n,
                 (unsigned long long)hm_signer_serial(srv.current),
                 hm_signer_brand_count(srv.current));
    (void)fflush(stdout);
    log_json("info", "listening", "\"address\":\"%s\",\"tls\":%s,\"mtls\":%s", srv.address,
             srv.tls != NULL ? "true" : "false", o->client_ca != NULL ? "true" : "false");
    (void)event_base_dispatch(ctl.base);
    for (i = 0; i < n; i++) {
        (void)pthread_join(workers[i].thread, NULL);
    }
    st = EXIT_DONE;
    log_json("info", "stopped", "\"signatures\":%lu", hm_sigaudit_count(srv.audit));
stop:
    for (i = 0; i < n; i++) {
        if (workers[i].http != NULL) {
            evhttp_free(workers[i].http);
        }
        conn_guard_free(workers[i].guard);
        if (workers[i].resume != NULL) {
            event_free(workers[i].resume);
        }
        if (workers[i].base != NULL) {
            event_base_free(workers[i].base);
        }
    }
    if (ev_hup != NULL) {
        event_free(ev_hup);
        event_free(ev_term);
        event_free(ev_int);
        event_free(ev_flush);
    }
    if (ctl.base != NULL) {
        event_base_free(ctl.base);
    }
out:
    if (srv.fd >= 0) {
        (void)close(srv.fd);
    }
    hm_sigaudit_close(srv.audit);
    hm_signer_unref(srv.current);
    if (srv.tls != NULL) {
        SSL_CTX_free(srv.tls);
    }
    for (i = 0; i < (int)srv.client_count; i++) {
        size_t j;
        for (j = 0; j < srv.clients[i].brand_count; j++) {
            free(srv.clients[i].brands[j]);
        }
        for (j = 0; j < srv.clients[i].channel_count; j++) {
            free(srv.clients[i].channels[j]);
        }
    }
    for (i = 0; i < (int)srv.metric_count; i++) {
        free(srv.metrics[i].labels);
    }
    free(srv.metrics);
    return st;
}
