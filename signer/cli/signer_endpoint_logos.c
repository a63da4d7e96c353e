/* hallmark-signer serve: GET /v1/logos/{sha256}, the brands' canonical logos, which apps fetch
 * when a bundle loads (never when they show a message: that fetch would be a read receipt) and
 * check against the credential's logo.sha256 (spec HM-CRED-9) before showing them.
 *
 * What it hands out is only what the bundle in force names: the path segment must be exactly a
 * base64url SHA-256 (43 characters of the alphabet, canonical: no traversal, no percent-escape,
 * no suffix can get through), a brand of the bundle that is not revoked must carry it, and the
 * file hallmark-keys publish wrote (published/logos/SHA256.png) must hash to it on every request:
 * a file swapped or damaged on disk is never served. That case, and a file missing although the
 * bundle names it, answer 500 (the platform's copy is broken; the app shows no logo and retries
 * at its next bundle load) and log an error; an unknown digest answers 404. The name is the
 * content's digest, so a logo never changes under its URL: cached for a year, immutable, ETag the
 * digest, 304 when the app already holds it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "hm_b64url.h"
#include "hm_fileio.h"
#include "signer_serve.h"

/* The largest logo file served: hallmark-keys' logo input cap (hm_png.h, HM_LOGO_FILE_MAX); a
 * canonical logo of 1024x1024 RGBA is far below it. */
#define LOGO_FILE_MAX ((size_t)8 * 1024 * 1024)

static void
reply_not_found(struct evhttp_request *req, const char *message)
{
    serve_count("hallmark_errors_total{code=\"not_found\"}", 1);
    serve_reply_json(req, 404,
                     json_pack("{s:{s:s,s:s}}", "error", "code", "not_found", "message", message));
}

/* Whether an If-None-Match value names etag: "*", or a list of entity tags, weak or strong
 * (RFC 9110 §13.1.2 compares weakly for GET). */
static int
etag_listed(const char *inm, const char *etag)
{
    size_t n = strlen(etag);

    while (inm != NULL && *inm != '\0') {
        while (*inm == ' ' || *inm == '\t' || *inm == ',') {
            inm++;
        }
        if (*inm == '*') {
            return 1;
        }
        if (strncmp(inm, "W/", 2) == 0) {
            inm += 2;
        }
        if (strncmp(inm, etag, n) == 0 &&
            (inm[n] == '\0' || inm[n] == ',' || inm[n] == ' ' || inm[n] == '\t')) {
            return 1;
        }
        inm = strchr(inm, ',');
    }
    return 0;
}

void
serve_logo(struct evhttp_request *req, struct client *c)
{
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req)), *seg;
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    unsigned char want[HM_SHA256_BYTES];
    char file[4096], etag[HM_SHA256_B64_LEN + 3], got[HM_SHA256_B64_LEN + 1];
    unsigned char *data = NULL;
    size_t len = 0;
    hm_signer *s;
    int known;

    (void)c;
    seg = path != NULL ? path + strlen(SERVE_LOGOS_PREFIX) : "";
    /* Exactly the 43 characters of a canonical base64url SHA-256 and nothing else. */
    if (strlen(seg) != HM_SHA256_B64_LEN ||
        hm_b64url_decode_exact(want, sizeof want, seg, HM_SHA256_B64_LEN) != HALLMARK_OK) {
        serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST,
                          "the path is /v1/logos/ and the logo's 43-character base64url SHA-256 "
                          "(logo.sha256 of the brand credential)",
                          NULL);
        return;
    }
    if ((s = serve_current_set()) == NULL) {
        serve_reply_error(req, HALLMARK_ERR_UNAVAILABLE, NULL, NULL);
        return;
    }
    known = hm_signer_has_logo(s, want);
    hm_signer_unref(s);
    if (!known) {
        reply_not_found(req, "no brand of the trust bundle in force has this logo");
        return;
    }
    (void)snprintf(etag, sizeof etag, "\"%s\"", seg);
    evhttp_add_header(h, "ETag", etag);
    evhttp_add_header(h, "Cache-Control", "public, max-age=31536000, immutable");
    if (etag_listed(evhttp_find_header(evhttp_request_get_input_headers(req), "If-None-Match"),
                    etag)) {
        evhttp_send_reply(req, 304, "Not Modified", NULL);
        return;
    }
    if (snprintf(file, sizeof file, "%s/published/logos/%s.png", srv.o->keystore, seg) >=
            (int)sizeof file ||
        hm_read_file(file, LOGO_FILE_MAX, &data, &len) != HALLMARK_OK) {
        serve_log("error", "logo_missing", "\"logo\":\"%s\"", seg);
        evhttp_remove_header(h, "Cache-Control");
        evhttp_remove_header(h, "ETag");
        serve_reply_error(req, HALLMARK_ERR_INTERNAL,
                          "the bundle names this logo but the service has no copy of it (run "
                          "hallmark-keys publish)",
                          NULL);
        return;
    }
    if (hm_sha256_b64url(got, data, len) != HALLMARK_OK || strcmp(got, seg) != 0) {
        free(data);
        serve_log("error", "logo_corrupt", "\"logo\":\"%s\"", seg);
        evhttp_remove_header(h, "Cache-Control");
        evhttp_remove_header(h, "ETag");
        serve_reply_error(req, HALLMARK_ERR_CORRUPT,
                          "the service's copy of this logo does not match its digest", NULL);
        return;
    }
    serve_reply_file(req, data, len, "image/png");
}
