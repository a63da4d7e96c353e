/* hallmark-verify --fetch: GET <endpoint>/<key> with libcurl (see verify_fetch.h). libcurl, not a
 * hand-written client: it is what platforms already ship, verifies TLS certificates and host names
 * against the system's CA store, honours proxies from the environment, and has been hardened
 * against hostile servers for decades. */
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify_fetch.h"

struct answer {
    unsigned char *data;
    size_t len, cap, max;
    int too_large;
};

static void fetch_errorf(char *err, size_t err_cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fetch_errorf(char *err, size_t err_cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(err, err_cap, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
    va_end(ap);
}

/* Keeps at most a->max bytes; returning less than given makes libcurl stop. */
static size_t
keep(char *chunk, size_t size, size_t count, void *arg)
{
    struct answer *a = arg;
    size_t n = size * count, cap;
    unsigned char *grown;

    if (n > a->max - a->len) {
        a->too_large = 1;
        return 0;
    }
    if (a->len + n > a->cap) {
        cap = a->cap == 0 ? 16384 : a->cap;
        while (cap < a->len + n) {
            cap *= 2;
        }
        if ((grown = realloc(a->data, cap)) == NULL) {
            return 0;
        }
        a->data = grown;
        a->cap = cap;
    }
    memcpy(a->data + a->len, chunk, n);
    a->len += n;
    return n;
}

/* Plain HTTP only to this machine: elsewhere the key (a recipient and a message) would travel in
 * the clear, and anyone on the path could answer. */
static int
endpoint_allowed(const char *endpoint)
{
    static const char *const loopback[] = {"http://127.", "http://localhost:", "http://localhost/",
                                           "http://[::1]:", "http://[::1]/"};
    size_t i;

    if (strncmp(endpoint, "https://", 8) == 0) {
        return 1;
    }
    for (i = 0; i < sizeof loopback / sizeof loopback[0]; i++) {
        if (strncmp(endpoint, loopback[i], strlen(loopback[i])) == 0) {
            return 1;
        }
    }
    return 0;
}

/* One GET as an app makes it: the protocols, limits and headers of verify_fetch.h. Returns 1 when
 * the server answered (*status, the body in a, *retry_after for a 429), 0 with the reason in err
 * when it did not or the answer was larger than a->max (a->too_large). */
static int
http_get(const char *url, const char *accept, long timeout_s, struct answer *a, long *status,
         long long *retry_after, char *curl_err)
{
    struct curl_slist *headers = NULL;
    char accept_header[64];
    CURL *curl = NULL;
    CURLcode cc = CURLE_FAILED_INIT;
    curl_off_t wait = -1;

    *status = 0;
    (void)snprintf(accept_header, sizeof accept_header, "Accept: %s", accept);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK && (curl = curl_easy_init()) != NULL &&
        (headers = curl_slist_append(NULL, accept_header)) != NULL) {
        (void)curl_easy_setopt(curl, CURLOPT_URL, url);
        (void)curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        (void)curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
        (void)curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        (void)curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeout_s < 5 ? timeout_s : 5L);
        (void)curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_s);
        (void)curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)a->max);
        (void)curl_easy_setopt(curl, CURLOPT_USERAGENT, "hallmark-verify");
        (void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        (void)curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep);
        (void)curl_easy_setopt(curl, CURLOPT_WRITEDATA, a);
        (void)curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
        cc = curl_easy_perform(curl);
        if (cc == CURLE_FILESIZE_EXCEEDED) {
            a->too_large = 1;
        }
        if (cc == CURLE_OK) {
            (void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
            (void)curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &wait);
            *retry_after = (long long)wait;
        } else if (curl_err[0] == '\0') {
            (void)snprintf(curl_err, CURL_ERROR_SIZE, "%s", curl_easy_strerror(cc));
        }
    } else {
        (void)snprintf(curl_err, CURL_ERROR_SIZE, "libcurl could not start");
    }
    curl_slist_free_all(headers);
    if (curl != NULL) {
        curl_easy_cleanup(curl);
    }
    curl_global_cleanup();
    return cc == CURLE_OK && !a->too_large;
}

/* The endpoint without trailing slashes and the URL <endpoint>/<path>, or 0 with err set. */
static int
join_url(char *url, size_t cap, const char *endpoint, const char *path, const char *option,
         char *err, size_t err_cap)
{
    size_t base = strlen(endpoint);

    if (!endpoint_allowed(endpoint)) {
        fetch_errorf(err, err_cap,
                     "%s %s: must be https:// (plain http:// only to a loopback address)", option,
                     endpoint);
        return 0;
    }
    while (base > 0 && endpoint[base - 1] == '/') {
        base--;
    }
    if (base + strlen(path) + 2 > cap) {
        fetch_errorf(err, err_cap, "%s: the URL is too long", option);
        return 0;
    }
    (void)snprintf(url, cap, "%.*s/", (int)base, endpoint);
    (void)strncat(url, path, cap - base - 2);
    return 1;
}

int
verify_fetch_tokens(const char *endpoint, const char *key, long timeout_s, long *status,
                    unsigned char **body, size_t *len, char *err, size_t err_cap)
{
    struct answer a = {NULL, 0, 0, VERIFY_FETCH_BODY_MAX, 0};
    char url[2048], curl_err[CURL_ERROR_SIZE] = "";
    long long wait = -1;
    int ok = 0;

    *status = 0;
    *body = NULL;
    *len = 0;
    if (!join_url(url, sizeof url, endpoint, key, "--fetch", err, err_cap)) {
        return 0;
    }
    if (!http_get(url, "application/json", timeout_s, &a, status, &wait, curl_err)) {
        if (a.too_large) {
            fetch_errorf(err, err_cap,
                         "%s: the answer is larger than %zu bytes (at most 100 tokens of 8 KiB): "
                         "not a token directory; the app shows the neutral UI",
                         url, VERIFY_FETCH_BODY_MAX);
        } else {
            fetch_errorf(err, err_cap,
                         "%s: no answer (%s): the app shows the neutral UI and retries later "
                         "(HM-CARRY-19)",
                         url, curl_err);
        }
    } else if (*status == 404) {
        ok = 1;
    } else if (*status == 200) {
        *body = a.data;
        *len = a.len;
        a.data = NULL;
        ok = 1;
    } else if (*status == 429) {
        fetch_errorf(err, err_cap,
                     "%s: 429, the directory's rate limit (retry after %lld s): the app shows the "
                     "neutral UI and retries later (HM-CARRY-19)",
                     url, wait);
    } else {
        fetch_errorf(err, err_cap,
                     "%s: HTTP %ld (a token directory answers 200 or 404): the app shows the "
                     "neutral UI and retries later (HM-CARRY-19)",
                     url, *status);
    }
    free(a.data);
    return ok;
}

int
verify_fetch_logo(const char *platform, const char *sha256_b64, long timeout_s,
                  unsigned char **body, size_t *len, char *err, size_t err_cap)
{
    struct answer a = {NULL, 0, 0, VERIFY_LOGO_BODY_MAX, 0};
    char url[2048], path[64], curl_err[CURL_ERROR_SIZE] = "";
    long long wait = -1;
    long status = 0;

    *body = NULL;
    *len = 0;
    (void)snprintf(path, sizeof path, "v1/logos/%s", sha256_b64);
    if (!join_url(url, sizeof url, platform, path, "--logo-base", err, err_cap)) {
        return 0;
    }
    if (!http_get(url, "image/png", timeout_s, &a, &status, &wait, curl_err)) {
        fetch_errorf(err, err_cap, "%s: %s", url,
                     a.too_large ? "larger than a logo may be (5 MiB)" : curl_err);
    } else if (status != 200) {
        fetch_errorf(err, err_cap, "%s: HTTP %ld", url, status);
    } else {
        *body = a.data;
        *len = a.len;
        return 1;
    }
    free(a.data);
    return 0;
}
