/* The SQLite backend of hm_store: one file (mode 0600), WAL with synchronous=FULL so that a
 * committed put survives a crash or power loss, and a busy timeout so that a signer and a
 * directory process may share the file. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hm_errorf.h"
#include "hm_store_backend.h"

#define BUSY_MS 5000

struct sqlite_store {
    sqlite3 *db;
    sqlite3_stmt *insert, *select, *purge;
};

/* Schema steps: steps[v] takes a store from version v to v + 1 (version 0: empty). */
static const char *const steps[HM_STORE_SCHEMA] = {
    "CREATE TABLE hallmark_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO hallmark_meta VALUES ('kind', 'hallmark-store'), ('schema', '0');"
    "CREATE TABLE tokens (seq INTEGER PRIMARY KEY, lookup_key TEXT NOT NULL,"
    " iat INTEGER NOT NULL, purge_at INTEGER NOT NULL, token TEXT NOT NULL);"
    "CREATE INDEX tokens_by_key ON tokens (lookup_key, iat DESC, seq DESC);"
    "CREATE INDEX tokens_by_purge ON tokens (purge_at);",
};

static hallmark_result
failed(sqlite3 *db, int code, const char *what, char *err, size_t err_cap)
{
    hm_errorf(err, err_cap, "store (sqlite): %s: %s", what,
              db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(code));
    return HALLMARK_ERR_UNAVAILABLE;
}

/* -1 when there is no hallmark_meta; otherwise the schema (and 0 when kind is not ours: *ours). */
static int
schema_of(sqlite3 *db, int *ours, int *tables, int *sqlite_rc)
{
    sqlite3_stmt *st = NULL;
    int version = -1, rc;

    *ours = 0;
    *tables = 0;
    rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *tables = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    *sqlite_rc = rc;
    if (rc != SQLITE_OK || *tables == 0) {
        return -1;
    }
    st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT (SELECT value FROM hallmark_meta WHERE name = 'kind'),"
                           " (SELECT value FROM hallmark_meta WHERE name = 'schema')",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *kind = sqlite3_column_text(st, 0), *v = sqlite3_column_text(st, 1);
        *ours = kind != NULL && strcmp((const char *)kind, "hallmark-store") == 0;
        version = v != NULL ? atoi((const char *)v) : -1;
    }
    sqlite3_finalize(st);
    return version;
}

static hallmark_result
not_sqlite(const char *path, char *err, size_t err_cap)
{
    hm_errorf(err, err_cap,
              "store %s: not an SQLite database: give the path of a Hallmark store, or a new file",
              path);
    return HALLMARK_ERR_CORRUPT;
}

/* Creates or migrates the schema in one IMMEDIATE transaction (another process doing the same
 * waits, then finds it done). */
static hallmark_result
schema_ready(sqlite3 *db, const char *path, char *err, size_t err_cap)
{
    int ours, tables, rc, version, v;
    char *msg = NULL, sql[64];

    rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_NOTADB) {
        return not_sqlite(path, err, err_cap);
    }
    if (rc != SQLITE_OK) {
        return failed(db, rc, "cannot lock", err, err_cap);
    }
    version = schema_of(db, &ours, &tables, &rc);
    if (rc != SQLITE_OK) {
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        if (rc == SQLITE_NOTADB) {
            return not_sqlite(path, err, err_cap);
        }
        return failed(db, rc, "cannot read the schema", err, err_cap);
    }
    if (tables > 0 && (!ours || version < 0)) {
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        hm_errorf(err, err_cap,
                  "store %s: an SQLite database that is not a Hallmark store: give "
                  "another path; nothing was changed",
                  path);
        return HALLMARK_ERR_CORRUPT;
    }
    if (tables == 0) {
        version = 0;
    }
    if (version > HM_STORE_SCHEMA) {
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        hm_errorf(err, err_cap,
                  "store %s: schema %d is newer than this program's (%d): run a "
                  "newer hallmark-signer; nothing was changed",
                  path, version, HM_STORE_SCHEMA);
        return HALLMARK_ERR_CORRUPT;
    }
    for (v = version < 0 ? 0 : version; v < HM_STORE_SCHEMA; v++) {
        if ((rc = sqlite3_exec(db, steps[v], NULL, NULL, &msg)) != SQLITE_OK) {
            hm_errorf(err, err_cap, "store %s: schema step %d: %s", path, v + 1,
                      msg != NULL ? msg : sqlite3_errstr(rc));
            sqlite3_free(msg);
            (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return HALLMARK_ERR_UNAVAILABLE;
        }
    }
    (void)snprintf(sql, sizeof sql, "UPDATE hallmark_meta SET value = '%d' WHERE name = 'schema'",
                   HM_STORE_SCHEMA);
    if ((rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK ||
        (rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return failed(db, rc, "cannot write the schema", err, err_cap);
    }
    return HALLMARK_OK;
}

static void
sqlite_close(void *p)
{
    struct sqlite_store *s = p;

    if (s == NULL) {
        return;
    }
    sqlite3_finalize(s->insert);
    sqlite3_finalize(s->select);
    sqlite3_finalize(s->purge);
    (void)sqlite3_close(s->db);
    free(s);
}

static hallmark_result
sqlite_open(const char *path, void **out, char *err, size_t err_cap)
{
    struct sqlite_store *s = calloc(1, sizeof *s);
    sqlite3_stmt *st = NULL;
    const unsigned char *mode;
    hallmark_result rc;
    int fd;

    if (s == NULL) {
        hm_errorf(err, err_cap, "out of memory");
        return HALLMARK_ERR_NOMEM;
    }
    /* Created 0600 by us: SQLite gives its -wal and -shm files the same mode. */
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        hm_errorf(err, err_cap, "store %s: %s", path, strerror(errno));
        free(s);
        return HALLMARK_ERR_IO;
    }
    (void)close(fd);
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        hm_errorf(err, err_cap, "store %s: %s", path, sqlite3_errmsg(s->db));
        sqlite_close(s);
        return HALLMARK_ERR_IO;
    }
    (void)sqlite3_busy_timeout(s->db, BUSY_MS);
    if ((rc = schema_ready(s->db, path, err, err_cap)) != HALLMARK_OK) {
        sqlite_close(s);
        return rc;
    }
    if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW || (mode = sqlite3_column_text(st, 0)) == NULL ||
        strcmp((const char *)mode, "wal") != 0 ||
        sqlite3_exec(s->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO tokens (lookup_key, iat, purge_at, token)"
                           " VALUES (?1, ?2, ?3, ?4)",
                           -1, &s->insert, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "SELECT token FROM tokens WHERE lookup_key = ?1 AND purge_at > ?2"
                           " ORDER BY iat DESC, seq DESC LIMIT ?3",
                           -1, &s->select, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "DELETE FROM tokens WHERE seq IN (SELECT seq FROM tokens"
                           " WHERE purge_at <= ?1 ORDER BY purge_at LIMIT ?2)",
                           -1, &s->purge, NULL) != SQLITE_OK) {
        hm_errorf(err, err_cap, "store %s: cannot set up WAL and the statements: %s", path,
                  sqlite3_errmsg(s->db));
        sqlite3_finalize(st);
        sqlite_close(s);
        return HALLMARK_ERR_IO;
    }
    sqlite3_finalize(st);
    *out = s;
    return HALLMARK_OK;
}

static hallmark_result
sqlite_put(void *p, const hm_store_token *t, size_t n, char *err, size_t err_cap)
{
    struct sqlite_store *s = p;
    size_t i;
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

    for (i = 0; rc == SQLITE_OK && i < n; i++) {
        (void)sqlite3_reset(s->insert);
        if ((rc = sqlite3_bind_text(s->insert, 1, t[i].key, -1, SQLITE_STATIC)) == SQLITE_OK &&
            (rc = sqlite3_bind_int64(s->insert, 2, t[i].iat)) == SQLITE_OK &&
            (rc = sqlite3_bind_int64(s->insert, 3, t[i].exp + HM_STORE_KEEP_AFTER_EXP)) ==
                SQLITE_OK &&
            (rc = sqlite3_bind_text(s->insert, 4, t[i].token, -1, SQLITE_STATIC)) == SQLITE_OK) {
            rc = sqlite3_step(s->insert) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(s->db);
        }
    }
    (void)sqlite3_reset(s->insert);
    (void)sqlite3_clear_bindings(s->insert);
    if (rc == SQLITE_OK) {
        rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        hallmark_result r =
            failed(s->db, rc, rc == SQLITE_FULL ? "disk full" : "put", err, err_cap);
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
    }
    return HALLMARK_OK;
}

static hallmark_result
sqlite_get(void *p, const char *key, int64_t now, size_t max, char **out, size_t *count, char *err,
           size_t err_cap)
{
    struct sqlite_store *s = p;
    int rc;

    (void)sqlite3_reset(s->select);
    if (sqlite3_bind_text(s->select, 1, key, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_int64(s->select, 2, now) != SQLITE_OK ||
        sqlite3_bind_int64(s->select, 3, (sqlite3_int64)max) != SQLITE_OK) {
        return failed(s->db, 0, "get", err, err_cap);
    }
    while ((rc = sqlite3_step(s->select)) == SQLITE_ROW && *count < max) {
        const char *t = (const char *)sqlite3_column_text(s->select, 0);
        if (t == NULL || (out[*count] = strdup(t)) == NULL) {
            (void)sqlite3_reset(s->select);
            hm_errorf(err, err_cap, "out of memory");
            return HALLMARK_ERR_NOMEM;
        }
        (*count)++;
    }
    (void)sqlite3_reset(s->select);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        return failed(s->db, rc, "get", err, err_cap);
    }
    return HALLMARK_OK;
}

static hallmark_result
sqlite_purge(void *p, int64_t now, size_t budget, uint64_t *removed, char *err, size_t err_cap)
{
    struct sqlite_store *s = p;
    int rc;

    (void)sqlite3_reset(s->purge);
    if (sqlite3_bind_int64(s->purge, 1, now) != SQLITE_OK ||
        sqlite3_bind_int64(s->purge, 2, (sqlite3_int64)budget) != SQLITE_OK) {
        return failed(s->db, 0, "purge", err, err_cap);
    }
    rc = sqlite3_step(s->purge);
    (void)sqlite3_reset(s->purge);
    if (rc != SQLITE_DONE) {
        return failed(s->db, rc, "purge", err, err_cap);
    }
    *removed = (uint64_t)sqlite3_changes(s->db);
    return HALLMARK_OK;
}

const struct hm_store_backend hm_store_sqlite = {"sqlite",   sqlite_open,  sqlite_put,
                                                 sqlite_get, sqlite_purge, sqlite_close};
