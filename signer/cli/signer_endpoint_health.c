/* hallmark-signer serve: GET /healthz and GET /metrics (Prometheus text), for the operator. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "hm_pkcs11.h"
#include "signer_conns.h"
#include "signer_serve.h"

/* A directory node is healthy when its store answers a lookup (PostgreSQL may be down). */
static void
directory_healthz(struct evhttp_request *req)
{
    static const char probe[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    char **tokens = NULL, err[256];
    size_t count = 0;
    int ok = !__atomic_load_n(&srv.draining, __ATOMIC_ACQUIRE) &&
             hm_store_get_tokens(srv.store, probe, (int64_t)time(NULL), 1, &tokens, &count, err,
                                 sizeof err) == HALLMARK_OK;

    hm_store_tokens_free(tokens, count);
    serve_reply_json(req, ok ? 200 : 503,
                     json_pack("{s:s,s:s,s:s}", "status", ok ? "ok" : "unavailable", "mode",
                               "directory", "store", hm_store_backend(srv.store)));
}

/* A signing node is healthy with keys, a bundle in date and a signature log that writes; it is
 * degraded (still 200: it signs) once the bundle expires within --expiry-warning, so that a
 * monitor warns while there is time to publish (spec/signer-api.yaml, /healthz). */
static void
signer_healthz(struct evhttp_request *req)
{
    hm_signer *s = serve_current_set();
    long long now = (long long)time(NULL), exp = s != NULL ? hm_signer_bundle_exp(s) : 0;
    int ok = s != NULL && hm_sigaudit_ok(srv.audit) &&
             !__atomic_load_n(&srv.draining, __ATOMIC_ACQUIRE) && exp > now;
    int degraded = ok && exp - now <= srv.o->expiry_warning;
    json_t *body =
        json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "status",
                  !ok        ? "unavailable"
                  : degraded ? "degraded"
                             : "ok",
                  "serial", (json_int_t)(s != NULL ? hm_signer_serial(s) : 0), "bundle_expires",
                  (json_int_t)exp, "bundle_expires_in", (json_int_t)(exp > now ? exp - now : 0),
                  "brands", (json_int_t)(s != NULL ? hm_signer_brand_count(s) : 0), "signatures",
                  (json_int_t)hm_sigaudit_count(srv.audit));

    if (body != NULL && degraded) {
        (void)json_object_set_new(body, "reason", json_string("bundle_expires_soon"));
    }
    serve_reply_json(req, ok ? 200 : 503, body);
    hm_signer_unref(s);
}

void
serve_healthz(struct evhttp_request *req, struct client *c)
{
    (void)c;
    if (srv.o->directory_only) {
        directory_healthz(req);
    } else {
        signer_healthz(req);
    }
}

/* Every counter serve_count keeps, by family: the exposition format wants each family's HELP and
 * TYPE once and its samples together (promtool check metrics). A counter outside this table is
 * not shown, so a new serve_count family adds its row here. */
static const struct family {
    const char *name, *help;
} counters[] = {
    {"hallmark_requests_total", "HTTP requests by endpoint and status."},
    {"hallmark_signatures_total", "Sign attempts (batch items too) by brand and result."},
    {"hallmark_errors_total", "Error replies by code."},
    {"hallmark_batch_item_refusals_total", "Messages of a batch refused, by code."},
    {"hallmark_directory_tokens_total", "Tokens committed to the token directory."},
    {"hallmark_directory_lookups_total", "Token directory lookups by whether a token was found."},
    {"hallmark_tokens_purged_total", "Expired tokens purged from the store."},
    {"hallmark_consent_changes_total", "Consent ledger changes."},
    {"hallmark_consent_unchecked_total", "Messages signed without a consent check (no ledger)."},
};

/* Whether the sample (name, or name{labels}) belongs to the family. */
static int
in_family(const char *sample, const char *family)
{
    size_t n = strlen(family);

    return strncmp(sample, family, n) == 0 && (sample[n] == '\0' || sample[n] == '{');
}

/* Called with srv.lock held. */
static void
add_counters(struct evbuffer *buf)
{
    size_t f, i;

    for (f = 0; f < sizeof counters / sizeof counters[0]; f++) {
        evbuffer_add_printf(buf, "# HELP %s %s\n# TYPE %s counter\n", counters[f].name,
                            counters[f].help, counters[f].name);
        for (i = 0; i < srv.metric_count; i++) {
            if (in_family(srv.metrics[i].labels, counters[f].name)) {
                evbuffer_add_printf(buf, "%s %llu\n", srv.metrics[i].labels, srv.metrics[i].value);
            }
        }
    }
}

void
serve_metrics(struct evhttp_request *req, struct client *c)
{
    struct evbuffer *buf = evbuffer_new();
    hm_signer *s = serve_current_set();
    long long now = (long long)time(NULL);
    unsigned long long cumulative = 0;
    size_t i;

    (void)c;
    if (buf == NULL) {
        hm_signer_unref(s);
        serve_reply_error(req, HALLMARK_ERR_NOMEM, NULL, NULL);
        return;
    }
    (void)pthread_mutex_lock(&srv.lock);
    add_counters(buf);
    evbuffer_add_printf(buf, "# HELP hallmark_sign_latency_seconds Time to answer a sign request.\n"
                             "# TYPE hallmark_sign_latency_seconds histogram\n");
    for (i = 0; i < LATENCY_BUCKETS; i++) {
        cumulative += srv.latency[i];
        evbuffer_add_printf(buf, "hallmark_sign_latency_seconds_bucket{le=\"%g\"} %llu\n",
                            serve_latency_bounds[i], cumulative);
    }
    evbuffer_add_printf(buf,
                        "hallmark_sign_latency_seconds_bucket{le=\"+Inf\"} %llu\n"
                        "hallmark_sign_latency_seconds_sum %.6f\n"
                        "hallmark_sign_latency_seconds_count %llu\n"
                        "# HELP hallmark_reloads_total Keystore reloads that took effect.\n"
                        "# TYPE hallmark_reloads_total counter\nhallmark_reloads_total %lu\n"
                        "# HELP hallmark_reload_failures_total Reloads refused (the previous keys "
                        "kept serving).\n"
                        "# TYPE hallmark_reload_failures_total counter\n"
                        "hallmark_reload_failures_total %lu\n"
                        "# HELP hallmark_hsm_unavailable_total Signatures refused because the "
                        "PKCS#11 token holding the key was down or failed.\n"
                        "# TYPE hallmark_hsm_unavailable_total counter\n"
                        "hallmark_hsm_unavailable_total %llu\n",
                        srv.latency_count, srv.latency_sum, srv.latency_count, srv.reloads,
                        srv.reload_failures, hm_p11_unavailable_count());
    (void)pthread_mutex_unlock(&srv.lock);
    evbuffer_add_printf(buf, "# HELP hallmark_key_age_seconds Age of each brand's active key.\n"
                             "# TYPE hallmark_key_age_seconds gauge\n");
    for (i = 0; s != NULL && i < hm_signer_key_count(s); i++) {
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
    if (!srv.o->directory_only) {
        evbuffer_add_printf(
            buf,
            "# HELP hallmark_bundle_serial Serial of the trust bundle the signer signs under.\n"
            "# TYPE hallmark_bundle_serial gauge\nhallmark_bundle_serial %llu\n"
            "# HELP hallmark_bundle_expiry_seconds Seconds until the loaded bundle expires "
            "(negative: expired; apps then show no checkmark).\n"
            "# TYPE hallmark_bundle_expiry_seconds gauge\nhallmark_bundle_expiry_seconds %lld\n",
            (unsigned long long)(s != NULL ? hm_signer_serial(s) : 0),
            s != NULL ? hm_signer_bundle_exp(s) - now : 0LL);
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "text/plain; version=0.0.4");
    evhttp_send_reply(req, 200, "OK", buf);
    evbuffer_free(buf);
    hm_signer_unref(s);
}
