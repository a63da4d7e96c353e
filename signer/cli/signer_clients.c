/* hallmark-signer serve: who may ask. The clients file maps bearer tokens (kept only as SHA-256
 * hashes) or client certificate CNs to brands and channels; each client has a token bucket. */
#include <errno.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/bufferevent_ssl.h>
#include <event2/http.h>

#include "hm_b64url.h"
#include "hm_fileio.h"
#include "hm_ids.h"
#include "signer_serve.h"

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

int
serve_clients_load(const char *path)
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

void
serve_clients_free(void)
{
    size_t i, j;

    /* One past the count too: a client refused half-way keeps the lists it had copied. */
    for (i = 0; i <= srv.client_count && i < CLIENTS_MAX; i++) {
        for (j = 0; j < srv.clients[i].brand_count; j++) {
            free(srv.clients[i].brands[j]);
        }
        for (j = 0; j < srv.clients[i].channel_count; j++) {
            free(srv.clients[i].channels[j]);
        }
        srv.clients[i].brand_count = srv.clients[i].channel_count = 0;
    }
    srv.client_count = 0;
}

int
serve_client_allows(char *const *list, size_t count, const char *v)
{
    size_t i;

    for (i = 0; i < count; i++) {
        if (strcmp(list[i], "*") == 0 || strcmp(list[i], v) == 0) {
            return 1;
        }
    }
    return 0;
}

int
serve_rate_ok(struct client *c, double cost)
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

static SSL *
request_ssl(struct evhttp_request *req)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    struct bufferevent *bev = conn != NULL ? evhttp_connection_get_bufferevent(conn) : NULL;

    return srv.tls != NULL && bev != NULL ? bufferevent_openssl_get_ssl(bev) : NULL;
}

struct client *
serve_authenticate(struct evhttp_request *req, const char **why)
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
