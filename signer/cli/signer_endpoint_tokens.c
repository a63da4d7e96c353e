/* hallmark-signer serve: GET /v1/tokens/{key}, the token directory of spec §9.6 (HM-CARRY-17):
 * the tokens of messages that travel without them (every SMS), kept under the lookup key the
 * app computes from its own message (hallmark_token_lookup_key), newest first, at most 100.
 *
 * No authentication and no cookies: tokens authenticate themselves, and the key already needs
 * the recipient's number and the exact text. What slows enumeration is a token bucket per client
 * address (--directory-rate per second, the same as a burst): past it, 429 with Retry-After. A key
 * that is not 43 base64url characters is 400 before the store is asked; none found is 404. The
 * answer may be cached by the app only (private), briefly: a retry may add a token. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "signer_serve.h"

#define BUCKETS 4096U /* client addresses tracked at once; a new one takes the oldest's place */

struct bucket {
    char addr[64];
    double tokens;
    struct timespec last;
};

static struct bucket buckets[BUCKETS];

static size_t
addr_slot(const char *addr)
{
    size_t h = 5381;

    while (*addr != '\0') {
        h = h * 33 + (unsigned char)*addr++;
    }
    return h % BUCKETS;
}

/* One request of the address from its bucket; 0 when it is over its rate (under srv.lock). */
static int
address_rate_ok(const char *addr)
{
    struct bucket *b = &buckets[addr_slot(addr)];
    double rate = (double)srv.o->directory_rate, elapsed;
    struct timespec now;
    int ok;

    (void)clock_gettime(CLOCK_MONOTONIC, &now);
    (void)pthread_mutex_lock(&srv.lock);
    if (strcmp(b->addr, addr) != 0) { /* a new address (or a collision): a fresh bucket */
        (void)snprintf(b->addr, sizeof b->addr, "%s", addr);
        b->tokens = rate;
        b->last = now;
    }
    elapsed = (double)(now.tv_sec - b->last.tv_sec) + (double)(now.tv_nsec - b->last.tv_nsec) / 1e9;
    b->last = now;
    b->tokens = b->tokens + elapsed * rate > rate ? rate : b->tokens + elapsed * rate;
    ok = b->tokens >= 1.0;
    if (ok) {
        b->tokens -= 1.0;
    }
    (void)pthread_mutex_unlock(&srv.lock);
    return ok;
}

int
serve_address_rate_ok(struct evhttp_request *req)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    char *addr = NULL;
    ev_uint16_t port = 0;

    if (conn != NULL) {
        evhttp_connection_get_peer(conn, &addr, &port);
    }
    return address_rate_ok(addr != NULL ? addr : "-");
}

void
serve_tokens(struct evhttp_request *req, struct client *c)
{
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req)), *key;
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    char err[512] = "", **tokens = NULL;
    size_t count = 0, i;
    json_t *list;
    hallmark_result rc;

    (void)c;
    if (!serve_address_rate_ok(req)) {
        evhttp_add_header(h, "Retry-After", "1");
        serve_reply_error(req, HALLMARK_ERR_RATE_LIMITED,
                          "slow down: the token directory limits requests per address", NULL);
        return;
    }
    key = path != NULL ? path + strlen(SERVE_TOKENS_PREFIX) : "";
    if (!hm_store_key_ok(key)) {
        serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST,
                          "a lookup key is 43 base64url characters (spec 9.6)", NULL);
        return;
    }
    rc = hm_store_get_tokens(srv.store, key, (long long)time(NULL), HALLMARK_FETCHED_TOKENS_MAX,
                             &tokens, &count, err, sizeof err);
    if (rc != HALLMARK_OK) {
        serve_log("error", "directory_read_failed", "\"result\":\"%s\"", hallmark_result_name(rc));
        serve_reply_error(req, HALLMARK_ERR_UNAVAILABLE, "the token directory cannot be read now",
                          NULL);
        return;
    }
    if (count == 0) {
        serve_count("hallmark_directory_lookups_total{found=\"no\"}", 1);
        serve_reply_json(req, 404,
                         json_pack("{s:{s:s,s:s}}", "error", "code", "not_found", "message",
                                   "no token is kept under this key"));
        return;
    }
    list = json_array();
    for (i = 0; list != NULL && i < count; i++) {
        json_array_append_new(list, json_string(tokens[i]));
    }
    hm_store_tokens_free(tokens, count);
    serve_count("hallmark_directory_lookups_total{found=\"yes\"}", 1);
    /* serve_reply_json sets no-store; the directory's answer may be kept by the app a minute. */
    serve_reply_json_cached(req, 200, json_pack("{s:o}", "tokens", list), "private, max-age=60");
}
