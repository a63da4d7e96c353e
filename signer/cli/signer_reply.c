/* hallmark-signer serve: what every endpoint uses: JSON replies and errors, the request body, the
 * JSON log lines on stderr, and the counters /metrics shows. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "signer_serve.h"

#define METRICS_MAX 4096U

/* The error code of the reply this thread sent last (the access log's "error"); a request is
 * answered and logged on one worker thread, the deferred ones too. */
static __thread char reply_error_code[48];

const double serve_latency_bounds[LATENCY_BUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                      0.005,  0.01,    0.025,  0.05,  0.1};

void
serve_log(const char *level, const char *event, const char *fmt, ...)
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

void
serve_count(const char *labels, unsigned long long n)
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

void
serve_observe_latency(double seconds)
{
    size_t i;

    (void)pthread_mutex_lock(&srv.lock);
    for (i = 0; i < LATENCY_BUCKETS && seconds > serve_latency_bounds[i]; i++) {
    }
    srv.latency[i]++;
    srv.latency_count++;
    srv.latency_sum += seconds;
    (void)pthread_mutex_unlock(&srv.lock);
}

void
serve_reply_file(struct evhttp_request *req, unsigned char *data, size_t len,
                 const char *content_type)
{
    struct evbuffer *buf = evbuffer_new();
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);

    if (buf == NULL || evbuffer_add(buf, data, len) != 0) {
        free(data);
        if (buf != NULL) {
            evbuffer_free(buf);
        }
        serve_reply_error(req, HALLMARK_ERR_NOMEM, NULL, NULL);
        return;
    }
    free(data);
    evhttp_add_header(h, "Content-Type", content_type);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_send_reply(req, 200, "OK", buf);
    evbuffer_free(buf);
}

void
serve_reply_json(struct evhttp_request *req, int status, json_t *body)
{
    serve_reply_json_cached(req, status, body, "no-store");
}

/* Sends buf (owned; NULL: an empty body) as the JSON reply, with the headers every JSON reply
 * has; error_code names a refusal in the access log ("" for none). */
static void
reply_json_text(struct evhttp_request *req, int status, struct evbuffer *buf,
                const char *cache_control, const char *error_code)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);

    (void)snprintf(reply_error_code, sizeof reply_error_code, "%s", error_code);
    evhttp_add_header(h, "Content-Type", "application/json");
    evhttp_add_header(h, "Cache-Control", cache_control);
    /* Every 429 says when to come back; a volume cap has already named its reset. */
    if (status == 429 && evhttp_find_header(h, "Retry-After") == NULL) {
        evhttp_add_header(h, "Retry-After", "1");
    }
    evhttp_send_reply(req, status, NULL, buf);
    if (buf != NULL) {
        evbuffer_free(buf);
    }
}

void
serve_reply_json_cached(struct evhttp_request *req, int status, json_t *body,
                        const char *cache_control)
{
    struct evbuffer *buf = evbuffer_new();
    char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
    const char *code = json_string_value(json_object_get(json_object_get(body, "error"), "code"));

    if (buf != NULL && text != NULL) {
        evbuffer_add(buf, text, strlen(text));
        evbuffer_add(buf, "\n", 1);
    }
    reply_json_text(req, status, buf, cache_control, status >= 400 && code != NULL ? code : "");
    free(text);
    json_decref(body);
}

void
serve_reply_json_buffer(struct evhttp_request *req, struct evbuffer *body)
{
    if (body != NULL) {
        evbuffer_add(body, "\n", 1);
    }
    reply_json_text(req, 200, body, "no-store", "");
}

const char *
serve_reply_error_code(void)
{
    return reply_error_code;
}

json_t *
serve_error_object(hallmark_result rc, const char *message, const char *field)
{
    char code[48];
    json_t *e = json_pack("{s:s,s:s}", "code", hm_sign_code(rc, code, sizeof code), "message",
                          message != NULL ? message : hallmark_strerror(rc));

    if (e != NULL && field != NULL) {
        json_object_set_new(e, "field", json_string(field));
    }
    return e;
}

void
serve_reply_error(struct evhttp_request *req, hallmark_result rc, const char *message,
                  const char *field)
{
    char labels[128], code[48];
    int status = hm_sign_http_status(rc);

    (void)snprintf(labels, sizeof labels, "hallmark_errors_total{code=\"%s\"}",
                   hm_sign_code(rc, code, sizeof code));
    serve_count(labels, 1);
    serve_reply_json(req, status,
                     json_pack("{s:o}", "error", serve_error_object(rc, message, field)));
}

json_t *
serve_read_body(struct evhttp_request *req, hallmark_result *rc, const char **why)
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
