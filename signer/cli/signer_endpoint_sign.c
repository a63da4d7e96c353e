/* hallmark-signer serve: POST /v1/sign and POST /v1/sign/batch. Each message is checked with the
 * verifier's own rules and signed (hm_signer), every signature of the request is recorded in one
 * write of the signature log, and only then are the tokens handed out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signer_serve.h"

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

/* Every token of the request that travels without its message (an SMS; RCS or WhatsApp with
 * directory carriage) goes into the token directory in one transaction, before any token is
 * handed out (spec HM-CARRY-15): if that fails, none of them is (503), and the client sends none
 * of those messages. */
static void
publish_all(struct signing *g, size_t n)
{
    hm_store_token *t = calloc(n > 0 ? n : 1, sizeof *t);
    char err[512] = "";
    size_t i, k = 0;
    hallmark_result rc;

    for (i = 0; t != NULL && i < n; i++) {
        if (g[i].rc == HALLMARK_OK && g[i].res.lookup_key[0] != '\0') {
            t[k].key = g[i].res.lookup_key;
            t[k].token = g[i].res.token;
            t[k].iat = g[i].res.iat;
            t[k].exp = g[i].res.exp;
            k++;
        }
    }
    rc = t == NULL ? HALLMARK_ERR_NOMEM : hm_store_put_tokens(srv.store, t, k, err, sizeof err);
    free(t);
    if (rc == HALLMARK_OK) {
        if (k > 0) {
            serve_count("hallmark_directory_tokens_total", k);
        }
        return;
    }
    for (i = 0; i < n; i++) {
        if (g[i].rc == HALLMARK_OK && g[i].res.lookup_key[0] != '\0') {
            g[i].rc = rc == HALLMARK_ERR_NOMEM ? HALLMARK_ERR_NOMEM : HALLMARK_ERR_UNAVAILABLE;
            g[i].res.detail = "the token directory cannot be written now: not signed, do not send";
            g[i].res.field = NULL;
        }
    }
    serve_log("error", "directory_write_failed", "\"tokens\":%zu", k);
    (void)fprintf(stderr, "hallmark-signer: %s\n", err);
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
        out = json_pack("{s:o}", "error", serve_error_object(g->rc, g->res.detail, g->res.field));
    }
    (void)snprintf(labels, sizeof labels, "hallmark_signatures_total{brand=\"%s\",result=\"%s\"}",
                   g->r.brand != NULL && hm_signer_has_brand(s, g->r.brand) ? g->r.brand : "-",
                   hm_sign_code(g->rc, code, sizeof code));
    serve_count(labels, 1);
    hm_sign_result_clear(&g->res);
    return out;
}

static void
handle_sign(struct evhttp_request *req, struct client *c, int batch)
{
    hallmark_result rc;
    const char *why = NULL;
    json_t *body = serve_read_body(req, &rc, &why), *out, *results, *m;
    hm_signer *s;
    size_t i;

    if (body == NULL) {
        serve_reply_error(req, rc, why, NULL);
        return;
    }
    if ((s = serve_current_set()) == NULL || __atomic_load_n(&srv.draining, __ATOMIC_ACQUIRE)) {
        hm_signer_unref(s);
        json_decref(body);
        serve_reply_error(req, HALLMARK_ERR_UNAVAILABLE, "the service is shutting down", NULL);
        return;
    }
    if (!batch) {
        struct signing g;
        long long now = (long long)time(NULL);
        sign_message(s, c, body, now, &g);
        record_all(c, now, &g, 1);
        publish_all(&g, 1);
        rc = g.rc;
        out = result_object(s, &g);
        if (rc == HALLMARK_OK) {
            serve_reply_json(req, 200, out);
        } else {
            char labels[128], code[48];
            (void)snprintf(labels, sizeof labels, "hallmark_errors_total{code=\"%s\"}",
                           hm_sign_code(rc, code, sizeof code));
            serve_count(labels, 1);
            serve_reply_json(req, hm_sign_http_status(rc), out);
        }
    } else {
        const json_t *list = json_object_get(body, "messages");
        struct signing *g = NULL;
        if (!json_is_array(list) || json_object_size(body) != 1) {
            serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST, "a batch is {\"messages\": [ ... ]}",
                              "messages");
        } else if (json_array_size(list) > srv.o->batch_max) {
            serve_reply_error(req, HALLMARK_ERR_TOO_LARGE, "more messages than the batch limit",
                              "messages");
        } else if (json_array_size(list) > 1 &&
                   !serve_rate_ok(c, (double)(json_array_size(list) - 1))) {
            serve_reply_error(req, HALLMARK_ERR_RATE_LIMITED,
                              "slow down: a batch counts one request per message", NULL);
        } else if ((g = calloc(json_array_size(list) + 1, sizeof *g)) == NULL) {
            serve_reply_error(req, HALLMARK_ERR_NOMEM, NULL, NULL);
        } else {
            long long now = (long long)time(NULL);
            size_t n = json_array_size(list);
            json_array_foreach(list, i, m)
            {
                sign_message(s, c, m, now, &g[i]);
            }
            record_all(c, now, g, n);
            publish_all(g, n);
            results = json_array();
            for (i = 0; i < n; i++) {
                json_array_append_new(results, result_object(s, &g[i]));
            }
            serve_reply_json(req, 200, json_pack("{s:o}", "results", results));
        }
        free(g);
    }
    hm_signer_unref(s);
    json_decref(body);
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
