/* What a store backend provides to hm_store.c, which checks every argument, holds the lock and
 * picks the backend by the spec's scheme. One file per backend. */
#ifndef HM_STORE_BACKEND_H
#define HM_STORE_BACKEND_H

#include "hm_store.h"

struct hm_store_backend {
    const char *scheme; /* "sqlite", "postgres" */
    hallmark_result (*open)(const char *target, void **db, char *err, size_t err_cap);
    hallmark_result (*put)(void *db, const hm_store_token *tokens, size_t n, char *err,
                           size_t err_cap);
    hallmark_result (*get)(void *db, const char *key, int64_t now, size_t max, char **out,
                           size_t *count, char *err, size_t err_cap);
    hallmark_result (*purge)(void *db, int64_t now, size_t budget, uint64_t *removed, char *err,
                             size_t err_cap);
    hallmark_result (*consent_put)(void *db, const hm_consent_change *c, char *err, size_t err_cap);
    hallmark_result (*consent_list)(void *db, const char *brand, const char *rcpt, size_t max,
                                    hm_consent_row *rows, size_t *count, char *err, size_t err_cap);
    hallmark_result (*admit)(void *db, const hm_admission *m, size_t n, int64_t now,
                             hallmark_result *verdict, int64_t *reset, char *err, size_t err_cap);
    void (*close)(void *db);
};

extern const struct hm_store_backend hm_store_sqlite;
extern const struct hm_store_backend hm_store_postgres;

#endif
