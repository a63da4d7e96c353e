/* hallmark-signer serve: GET /v1/bundle and GET /v1/jwks, what apps and peers fetch: the signed
 * trust bundle and the brands' public keys, with ETags by serial; and GET /v1/status, the
 * bundle's status object (spec §6.9), which hallmark-keys status-publish re-signs every hour:
 * read from the keystore's published/status.jws on every request, so a new one is served without
 * a reload. Apps check it themselves (it is signed); the service only hands it out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "hm_fileio.h"
#include "signer_serve.h"

/* The largest status object apps accept ([HM-BUNDLE-87]: 256 KiB). */
#define STATUS_FILE_MAX ((size_t)256 * 1024)

static void
handle_bundle(struct evhttp_request *req, int jwks)
{
    hm_signer *s = serve_current_set();
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
        serve_reply_error(req, HALLMARK_ERR_UNAVAILABLE, NULL, NULL);
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

void
serve_bundle(struct evhttp_request *req, struct client *c)
{
    (void)c;
    handle_bundle(req, 0);
}

void
serve_jwks(struct evhttp_request *req, struct client *c)
{
    (void)c;
    handle_bundle(req, 1);
}

void
serve_status(struct evhttp_request *req, struct client *c)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    char file[4096];
    unsigned char *data = NULL;
    size_t len = 0;

    (void)c;
    if (snprintf(file, sizeof file, "%s/published/status.jws", srv.o->keystore) >=
            (int)sizeof file ||
        hm_read_file(file, STATUS_FILE_MAX, &data, &len) != HALLMARK_OK) {
        serve_count("hallmark_errors_total{code=\"not_found\"}", 1);
        serve_reply_json(req, 404,
                         json_pack("{s:{s:s,s:s}}", "error", "code", "not_found", "message",
                                   "no status object is published (hallmark-keys publish)"));
        return;
    }
    /* A minute: an app that fetches hourly never gets a status older than the timer's run by
     * more than that ([HM-TRUST-71]). */
    evhttp_add_header(h, "Cache-Control", "public, max-age=60");
    serve_reply_file(req, data, len, "application/jose");
}
