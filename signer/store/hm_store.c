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

/* A brand id, channel or category as the ledger keeps them: 1 to max characters of [a-z0-9-]. */
static int
word_ok(const char *w, size_t max)
{
    size_t i;

    if (w == NULL || w[0] == '\0' || strlen(w) > max) {
        return 0;
    }
    for (i = 0; w[i] != '\0'; i++) {
        if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= '0' && w[i] <= '9') || w[i] == '-')) {
            return 0;
        }
    }
    return 1;
}

static int
one_of(const char *w, const char *const *names)
{
    size_t i;

    for (i = 0; w != NULL && names[i] != NULL; i++) {
        if (strcmp(w, names[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static const char *const scopes[] = {"all",       "transactional", "otp", "alert",
                                     "marketing", "service",       NULL};

hallmark_result
hm_store_consent_put(hm_store *s, const hm_consent_change *c, char *err, size_t err_cap)
{
    static const char *const sources[] = {"keyword", "app", "operator", NULL};
    hallmark_result rc;
    size_t i;

    if (s == NULL || c == NULL || !word_ok(c->brand, 63) || !hm_store_key_ok(c->rcpt) ||
        !one_of(c->scope, scopes) || !word_ok(c->channel, 16) || !one_of(c->source, sources) ||
        (c->choice != 0 && c->choice != 1) || c->evidence == NULL ||
        strlen(c->evidence) > HM_CONSENT_EVIDENCE_MAX) {
        hm_errorf(err, err_cap,
                  "a consent change needs a brand, a recipient key, a scope, a "
                  "channel, a choice, a source and evidence");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    for (i = 0; c->evidence[i] != '\0'; i++) {
        if (c->evidence[i] < 0x20 || c->evidence[i] > 0x7e) {
            hm_errorf(err, err_cap, "consent evidence is printable ASCII");
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
    }
    (void)pthread_mutex_lock(&s->lock);
    rc = s->backend->consent_put(s->db, c, err, err_cap);
    (void)pthread_mutex_unlock(&s->lock);
    return rc;
}

hallmark_result
hm_store_consent_list(hm_store *s, const char *brand, const char *rcpt, size_t max,
                      hm_consent_row **rows, size_t *count, char *err, size_t err_cap)
{
    hallmark_result rc;

    if (rows != NULL) {
        *rows = NULL;
    }
    if (count != NULL) {
        *count = 0;
    }
    if (s == NULL || rows == NULL || count == NULL || !word_ok(brand, 63) ||
        !hm_store_key_ok(rcpt) || max == 0) {
        hm_errorf(err, err_cap, "a brand and a recipient key are needed");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if ((*rows = calloc(max, sizeof **rows)) == NULL) {
        hm_errorf(err, err_cap, "out of memory");
        return HALLMARK_ERR_NOMEM;
    }
    (void)pthread_mutex_lock(&s->lock);
    rc = s->backend->consent_list(s->db, brand, rcpt, max, *rows, count, err, err_cap);
    (void)pthread_mutex_unlock(&s->lock);
    if (rc != HALLMARK_OK) {
        free(*rows);
        *rows = NULL;
        *count = 0;
    }
    return rc;
}

hallmark_result
hm_store_admit(hm_store *s, const hm_admission *m, size_t n, int64_t now, hallmark_result *verdict,
               int64_t *reset, char *err, size_t err_cap)
{
    hallmark_result rc;
    size_t i;

    if (s == NULL || (n > 0 && (m == NULL || verdict == NULL || reset == NULL))) {
        hm_errorf(err, err_cap, "no store");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    for (i = 0; i < n; i++) {
        if (!word_ok(m[i].brand, 63) || !hm_store_key_ok(m[i].rcpt) || !word_ok(m[i].channel, 16) ||
            strcmp(m[i].channel, "all") == 0 || !one_of(m[i].category, scopes + 1) ||
            (m[i].cap_max > 0 && m[i].cap_period <= 0)) {
            hm_errorf(err, err_cap,
                      "message %zu: a brand, a recipient key, a channel and a "
                      "category are needed",
                      i + 1);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        verdict[i] = HALLMARK_ERR_UNAVAILABLE;
        reset[i] = 0;
    }
    if (n == 0) {
        return HALLMARK_OK;
    }
    (void)pthread_mutex_lock(&s->lock);
    rc = s->backend->admit(s->db, m, n, now, verdict, reset, err, err_cap);
    (void)pthread_mutex_unlock(&s->lock);
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
