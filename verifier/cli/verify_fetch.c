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
    size_t len, cap;
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

/* Keeps at most VERIFY_FETCH_BODY_MAX bytes; returning less than given makes libcurl stop. */
static size_t
keep(char *chunk, size_t size, size_t count, void *arg)
{
    struct answer *a = arg;
    size_t n = size * count, cap;
    unsigned char *grown;

    if (n > VERIFY_FETCH_BODY_MAX - a->len) {
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

int
verify_fetch_tokens(const char *endpoint, const char *key, long timeout_s, long *status,
                    unsigned char **body, size_t *len, char *err, size_t err_cap)
{
    struct answer a = {NULL, 0, 0, 0};
    char url[2048], curl_err[CURL_ERROR_SIZE] = "";
    size_t base = strlen(endpoint);
    struct curl_slist *headers = NULL;
    CURL *curl = NULL;
    CURLcode cc;
    int ok = 0;

    *status = 0;
    *body = NULL;
    *len = 0;
    if (!endpoint_allowed(endpoint)) {
        fetch_errorf(err, err_cap,
                     "--fetch %s: the token endpoint must be https:// (plain http:// only to a "
                     "loopback address)",
                     endpoint);
        return 0;
    }
    while (base > 0 && endpoint[base - 1] == '/') {
        base--;
    }
    if (base > sizeof url - 64) {
        fetch_errorf(err, err_cap, "--fetch: the endpoint URL is too long");
        return 0;
    }
    (void)snprintf(url, sizeof url, "%.*s/%s", (int)base, endpoint, key);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (curl = curl_easy_init()) == NULL ||
        (headers = curl_slist_append(NULL, "Accept: application/json")) == NULL) {
        fetch_errorf(err, err_cap, "--fetch: libcurl could not start");
        goto out;
    }
    (void)curl_easy_setopt(curl, CURLOPT_URL, url);
    (void)curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    (void)curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    (void)curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    (void)curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeout_s < 5 ? timeout_s : 5L);
    (void)curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_s);
    (void)curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)VERIFY_FETCH_BODY_MAX);
    (void)curl_easy_setopt(curl, CURLOPT_USERAGENT, "hallmark-verify");
    (void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    (void)curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep);
    (void)curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
    (void)curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    cc = curl_easy_perform(curl);
    if (a.too_large || cc == CURLE_FILESIZE_EXCEEDED) {
        fetch_errorf(err, err_cap,
                     "%s: the answer is larger than %zu bytes (at most 100 tokens of 8 KiB): not "
                     "a token directory; the app shows the neutral UI",
                     url, VERIFY_FETCH_BODY_MAX);
        goto out;
    }
    if (cc != CURLE_OK) {
        fetch_errorf(err, err_cap,
                     "%s: no answer (%s): the app shows the neutral UI and retries later "
                     "(HM-CARRY-19)",
                     url, curl_err[0] != '\0' ? curl_err : curl_easy_strerror(cc));
        goto out;
    }
    (void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    if (*status == 404) {
        ok = 1;
    } else if (*status == 200) {
        *body = a.data;
        *len = a.len;
        a.data = NULL;
        ok = 1;
    } else if (*status == 429) {
        curl_off_t wait = -1;
        (void)curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &wait);
        fetch_errorf(err, err_cap,
                     "%s: 429, the directory's rate limit (retry after %lld s): the app shows the "
                     "neutral UI and retries later (HM-CARRY-19)",
                     url, (long long)wait);
    } else {
        fetch_errorf(err, err_cap,
                     "%s: HTTP %ld (a token directory answers 200 or 404): the app shows the "
                     "neutral UI and retries later (HM-CARRY-19)",
                     url, *status);
    }
out:
    free(a.data);
    curl_slist_free_all(headers);
    if (curl != NULL) {
        curl_easy_cleanup(curl);
    }
    curl_global_cleanup();
    return ok;
}
