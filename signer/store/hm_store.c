#include "hm_store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hm_errorf.h"
#include "hm_store_backend.h"

struct hm_store {
    const struct hm_store_backend *backend;
    void *db;
    pthread_mutex_t lock; /* one connection: calls are serialized on it */
};

static const struct hm_store_backend *const backends[] = {&hm_store_sqlite, &hm_store_postgres};

int
hm_store_key_ok(const char *key)
{
    size_t i;

    if (key == NULL || strlen(key) != HALLMARK_LOOKUP_KEY_LEN) {
        return 0;
    }
    for (i = 0; i < HALLMARK_LOOKUP_KEY_LEN; i++) {
        char c = key[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_')) {
            return 0;
        }
    }
    return 1;
}

/* A compact JWS's characters: base64url and the two dots (no quoting is ever needed). */
static int
token_ok(const char *t)
{
    size_t i;

    if (t == NULL || t[0] == '\0') {
        return 0;
    }
    for (i = 0; t[i] != '\0'; i++) {
        char c = t[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.')) {
            return 0;
        }
    }
    return 1;
}

hallmark_result
hm_store_open(const char *spec, hm_store **out, char *err, size_t err_cap)
{
    const char *colon = spec != NULL ? strchr(spec, ':') : NULL;
    hm_store *s;
    hallmark_result rc;
    size_t i;

    if (out != NULL) {
        *out = NULL;
    }
    if (out == NULL || colon == NULL || colon[1] == '\0') {
        hm_errorf(err, err_cap, "store %s: write sqlite:PATH or postgres:CONNINFO",
                  spec != NULL ? spec : "(none)");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    for (i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        if (strlen(backends[i]->scheme) == (size_t)(colon - spec) &&
            strncmp(spec, backends[i]->scheme, (size_t)(colon - spec)) == 0) {
            break;
        }
    }
    if (i == sizeof backends / sizeof backends[0]) {
        hm_errorf(err, err_cap,
                  "store %s: unknown kind %.*s: write sqlite:PATH or postgres:CONNINFO", spec,
                  (int)(colon - spec), spec);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if ((s = calloc(1, sizeof *s)) == NULL) {
        hm_errorf(err, err_cap, "out of memory");
        return HALLMARK_ERR_NOMEM;
    }
    s->backend = backends[i];
    rc = s->backend->open(colon + 1, &s->db, err, err_cap);
    if (rc != HALLMARK_OK) {
        free(s);
        return rc;
    }
    (void)pthread_mutex_init(&s->lock, NULL);
    *out = s;
    return HALLMARK_OK;
}

const char *
hm_store_backend(const hm_store *s)
{
    return s != NULL ? s->backend->scheme : "none";
}

hallmark_result
hm_store_put_tokens(hm_store *s, const hm_store_token *tokens, size_t n, char *err, size_t err_cap)
{
    hallmark_result rc;
    size_t i;

    if (s == NULL || (tokens == NULL && n > 0)) {
        hm_errorf(err, err_cap, "no store");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    for (i = 0; i < n; i++) {
        if (!hm_store_key_ok(tokens[i].key) || !token_ok(tokens[i].token) ||
            tokens[i].exp < tokens[i].iat) {
            hm_errorf(err, err_cap,
                      "token %zu: a lookup key of 43 base64url characters, a compact "
                      "JWS and exp >= iat are needed",
                      i + 1);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
    }
    if (n == 0) {
        return HALLMARK_OK;
    }
    (void)pthread_mutex_lock(&s->lock);
    rc = s->backend->put(s->db, tokens, n, err, err_cap);
    (void)pthread_mutex_unlock(&s->lock);
    return rc;
}

hallmark_result
hm_store_get_tokens(hm_store *s, const char *key, int64_t now, size_t max, char ***out,
                    size_t *count, char *err, size_t err_cap)
{
    char **list;
    hallmark_result rc;

    if (out != NULL) {
        *out = NULL;
    }
    if (count != NULL) {
        *count = 0;
    }
    if (s == NULL || out == NULL || count == NULL || !hm_store_key_ok(key)) {
        hm_errorf(err, err_cap, "a lookup key is 43 base64url characters");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (max == 0) {
        return HALLMARK_OK;
    }
    if ((list = calloc(max, sizeof *list)) == NULL) {
        hm_errorf(err, err_cap, "out of memory");
        return HALLMARK_ERR_NOMEM;
    }
    (void)pthread_mutex_lock(&s->lock);
    rc = s->backend->get(s->db, key, now, max, list, count, err, err_cap);
    (void)pthread_mutex_unlock(&s->lock);
    if (rc != HALLMARK_OK || *count == 0) {
        hm_store_tokens_free(list, *count);
        *count = 0;
        return rc;
    }
    *out = list;
    return HALLMARK_OK;
}

void
hm_store_tokens_free(char **tokens, size_t count)
{
    size_t i;

    for (i = 0; tokens != NULL && i < count; i++) {
        free(tokens[i]);
    }
    free(tokens);
}

hallmark_result
hm_store_purge(hm_store *s, int64_t now, size_t budget, uint64_t *removed, char *err,
               size_t err_cap)
{
    hallmark_result rc;
    uint64_t n = 0;

    if (removed != NULL) {
        *removed = 0;
    }
    if (s == NULL || budget == 0) {
        hm_errorf(err, err_cap, "no store, or a purge budget of 0");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    (void)pthread_mutex_lock(&s->lock);
    rc = s->backend->purge(s->db, now, budget, &n, err, err_cap);
    (void)pthread_mutex_unlock(&s->lock);
    if (removed != NULL) {
        *removed = n;
    }
    return rc;
}

void
hm_store_close(hm_store *s)
{
    if (s == NULL) {
        return;
    }
    s->backend->close(s->db);
    (void)pthread_mutex_destroy(&s->lock);
    free(s);
}
