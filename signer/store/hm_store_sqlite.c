/* The SQLite backend of hm_store: one file (mode 0600), WAL with synchronous=FULL so that a
 * committed put survives a crash or power loss, and a busy timeout so that a signer and a
 * directory process may share the file.
 *
 * Layout (schema 2): one table per day of purge time, tokens_dN for the tokens whose
 * exp + 300 falls on day N (Unix days), each with its own key index, and the view tokens_live
 * over all of them. A purge step drops the tables of the days that have ended: its cost is that
 * of the lapsed tokens and does not grow with the live ones (with one table and one key index,
 * deleting n lapsed tokens touches up to n random index pages, more the larger the index: 0.18 s
 * for 10,000 among 100k live tokens, 0.44 s among 1M). A lookup reads one index per live day,
 * a handful (token lifetimes are days). seq, global across the days (hallmark_meta
 * 'next_seq'), orders tokens of the same iat by insertion. */
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
#define DAY_SECONDS 86400
#define PURGE_DAYS_MAX 8 /* day tables dropped in one purge step */

/* The consent and cap statements, prepared once (consent_stmts). */
enum {
    LATEST,
    COUNT_SENDS,
    NTH_SEND,
    CONFIRMED,
    INSERT_SEND,
    INSERT_CHANGE,
    LIST_CHANGES,
    HAS_EVIDENCE,
    STMTS
};

static const char *const consent_sql[STMTS] = {
    /* LATEST: the latest change that covers the message (HM-CARRY-48). */
    "SELECT choice, source, at FROM consent WHERE brand = ?1 AND rcpt = ?2"
    " AND scope IN (?3, 'all') AND channel IN (?4, 'all') ORDER BY seq DESC LIMIT 1",
    /* COUNT_SENDS: the signatures in the window (HM-CARRY-50). */
    "SELECT count(*) FROM sends WHERE brand = ?1 AND rcpt = ?2 AND category = ?3 AND at > ?4",
    /* NTH_SEND: the one whose leaving the window frees a place. */
    "SELECT at FROM sends WHERE brand = ?1 AND rcpt = ?2 AND category = ?3 AND at > ?4"
    " ORDER BY at LIMIT 1 OFFSET ?5",
    /* CONFIRMED: a service message was signed since the opt-out. */
    "SELECT 1 FROM sends WHERE brand = ?1 AND rcpt = ?2 AND category = 'service' AND at >= ?3"
    " LIMIT 1",
    "INSERT INTO sends (brand, rcpt, category, at) VALUES (?1, ?2, ?3, ?4)",
    "INSERT INTO consent (brand, rcpt, scope, channel, choice, source, evidence, at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    "SELECT seq, at, choice, scope, channel, source, evidence FROM consent"
    " WHERE brand = ?1 AND rcpt = ?2 ORDER BY seq LIMIT ?3",
    "SELECT 1 FROM consent WHERE brand = ?1 AND rcpt = ?2 AND evidence = ?3 LIMIT 1",
};

struct sqlite_store {
    sqlite3 *db;
    sqlite3_stmt *select;
    sqlite3_stmt *consent[STMTS];
};

static int exec_day_tables(sqlite3 *db, const char *sql_fmt, long long day);
static int rebuild_view(sqlite3 *db);
static int ensure_day(sqlite3 *db, long long day);

/* Schema 1: one table for every token, kept only as the start of the migration to 2. */
static int
step_1(sqlite3 *db, char **msg)
{
    return sqlite3_exec(
        db,
        "CREATE TABLE hallmark_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO hallmark_meta VALUES ('kind', 'hallmark-store'), ('schema', '0');"
        "CREATE TABLE tokens (seq INTEGER PRIMARY KEY, lookup_key TEXT NOT NULL,"
        " iat INTEGER NOT NULL, purge_at INTEGER NOT NULL, token TEXT NOT NULL);"
        "CREATE INDEX tokens_by_key ON tokens (lookup_key, iat DESC, seq DESC);"
        "CREATE INDEX tokens_by_purge ON tokens (purge_at);",
        NULL, NULL, msg);
}

/* Schema 2: the tokens of schema 1 move to one table per day of purge time, seq kept. */
static int
step_2(sqlite3 *db, char **msg)
{
    sqlite3_stmt *days = NULL;
    int rc = sqlite3_exec(db,
                          "INSERT INTO hallmark_meta VALUES ('next_seq',"
                          " (SELECT coalesce(max(seq), 0) + 1 FROM tokens))",
                          NULL, NULL, msg);

    if (rc == SQLITE_OK) {
        rc =
            sqlite3_prepare_v2(db, "SELECT DISTINCT purge_at / 86400 FROM tokens", -1, &days, NULL);
    }
    while (rc == SQLITE_OK && sqlite3_step(days) == SQLITE_ROW) {
        long long day = sqlite3_column_int64(days, 0);
        if ((rc = ensure_day(db, day)) == SQLITE_OK) {
            rc = exec_day_tables(db,
                                 "INSERT INTO tokens_d%lld (seq, lookup_key, iat, purge_at, token)"
                                 " SELECT seq, lookup_key, iat, purge_at, token FROM tokens"
                                 " WHERE purge_at / 86400 = %lld",
                                 day);
        }
    }
    sqlite3_finalize(days);
    if (rc == SQLITE_OK) {
        rc = sqlite3_exec(db, "DROP TABLE tokens", NULL, NULL, msg);
    }
    return rc == SQLITE_OK ? rebuild_view(db) : rc;
}

/* Schema 3: the consent ledger (appended only) and the signing times of capped categories. */
static int
step_3(sqlite3 *db, char **msg)
{
    return sqlite3_exec(
        db,
        "CREATE TABLE consent (seq INTEGER PRIMARY KEY, brand TEXT NOT NULL, rcpt TEXT NOT NULL,"
        " scope TEXT NOT NULL, channel TEXT NOT NULL, choice INTEGER NOT NULL,"
        " source TEXT NOT NULL, evidence TEXT NOT NULL, at INTEGER NOT NULL);"
        "CREATE INDEX consent_by_rcpt ON consent (brand, rcpt, seq);"
        "CREATE TABLE sends (brand TEXT NOT NULL, rcpt TEXT NOT NULL, category TEXT NOT NULL,"
        " at INTEGER NOT NULL);"
        "CREATE INDEX sends_by_rcpt ON sends (brand, rcpt, category, at);"
        "CREATE INDEX sends_by_at ON sends (at);",
        NULL, NULL, msg);
}

/* Schema 4 changed PostgreSQL's admission function only: SQLite's tables stay as they are. */
static int
step_4(sqlite3 *db, char **msg)
{
    (void)db;
    (void)msg;
    return SQLITE_OK;
}

/* steps[v] takes a store from version v to v + 1 (version 0: empty), in the open's transaction. */
static int (*const steps[HM_STORE_SCHEMA])(sqlite3 *db, char **msg) = {step_1, step_2, step_3,
                                                                       step_4};

/* Runs sql_fmt with the day in every %lld (at most three). */
static int
exec_day_tables(sqlite3 *db, const char *sql_fmt, long long day)
{
    char *sql = sqlite3_mprintf(sql_fmt, day, day, day);
    int rc = sql != NULL ? sqlite3_exec(db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;

    sqlite3_free(sql);
    return rc;
}

/* The days that have a table, ascending, in *days (sqlite3_malloc'd), their number in *n. */
static int
day_tables(sqlite3 *db, long long **days, size_t *n)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    long long *grown;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT CAST(substr(name, 9) AS INTEGER) AS day FROM sqlite_master"
                                " WHERE type = 'table' AND name GLOB 'tokens_d[0-9]*' ORDER BY day",
                                -1, &st, NULL);

    *days = NULL;
    *n = 0;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        if (*n == cap) {
            cap = cap == 0 ? 16 : cap * 2;
            if ((grown = sqlite3_realloc64(*days, cap * sizeof **days)) == NULL) {
                rc = SQLITE_NOMEM;
                break;
            }
            *days = grown;
        }
        (*days)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_OK) {
        sqlite3_free(*days);
        *days = NULL;
        *n = 0;
        return rc;
    }
    return SQLITE_OK;
}

/* tokens_live: every day table, UNION ALL (an empty view when there is none). */
static int
rebuild_view(sqlite3 *db)
{
    sqlite3_str *sql = sqlite3_str_new(db);
    long long *days = NULL;
    size_t n = 0, i;
    char *text;
    int rc = day_tables(db, &days, &n);

    sqlite3_str_appendall(sql, "DROP VIEW IF EXISTS tokens_live;"
                               "CREATE VIEW tokens_live AS ");
    for (i = 0; i < n; i++) {
        sqlite3_str_appendf(sql, "%sSELECT seq, lookup_key, iat, purge_at, token FROM tokens_d%lld",
                            i > 0 ? " UNION ALL " : "", days[i]);
    }
    if (n == 0) {
        sqlite3_str_appendall(sql, "SELECT NULL AS seq, NULL AS lookup_key, NULL AS iat,"
                                   " NULL AS purge_at, NULL AS token WHERE 0");
    }
    sqlite3_free(days);
    text = sqlite3_str_finish(sql);
    if (rc == SQLITE_OK) {
        rc = text != NULL ? sqlite3_exec(db, text, NULL, NULL, NULL) : SQLITE_NOMEM;
    }
    sqlite3_free(text);
    return rc;
}

/* The table of a day exists (created, with its index and a new view, if it did not). */
static int
ensure_day(sqlite3 *db, long long day)
{
    sqlite3_stmt *st = NULL;
    char name[48];
    int rc, exists = 0;

    (void)snprintf(name, sizeof name, "tokens_d%lld", day);
    rc = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                            -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC)) == SQLITE_OK) {
        rc = sqlite3_step(st);
        exists = rc == SQLITE_ROW;
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK || exists) {
        return rc;
    }
    rc = exec_day_tables(db,
                         "CREATE TABLE tokens_d%lld (seq INTEGER PRIMARY KEY,"
                         " lookup_key TEXT NOT NULL, iat INTEGER NOT NULL,"
                         " purge_at INTEGER NOT NULL, token TEXT NOT NULL);"
                         "CREATE INDEX tokens_d%lld_by_key ON tokens_d%lld"
                         " (lookup_key, iat DESC, seq DESC)",
                         day);
    return rc == SQLITE_OK ? rebuild_view(db) : rc;
}

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
        if ((rc = steps[v](db, &msg)) != SQLITE_OK) {
            hm_errorf(err, err_cap, "store %s: schema step %d: %s", path, v + 1,
                      msg != NULL ? msg : sqlite3_errmsg(db));
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
    sqlite3_finalize(s->select);
    for (size_t i = 0; i < STMTS; i++) {
        sqlite3_finalize(s->consent[i]);
    }
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
                           "SELECT token FROM tokens_live WHERE lookup_key = ?1 AND purge_at > ?2"
                           " ORDER BY iat DESC, seq DESC LIMIT ?3",
                           -1, &s->select, NULL) != SQLITE_OK) {
        hm_errorf(err, err_cap, "store %s: cannot set up WAL and the statements: %s", path,
                  sqlite3_errmsg(s->db));
        sqlite3_finalize(st);
        sqlite_close(s);
        return HALLMARK_ERR_IO;
    }
    sqlite3_finalize(st);
    for (size_t i = 0; i < STMTS; i++) {
        if (sqlite3_prepare_v2(s->db, consent_sql[i], -1, &s->consent[i], NULL) != SQLITE_OK) {
            hm_errorf(err, err_cap, "store %s: cannot set up the consent statements: %s", path,
                      sqlite3_errmsg(s->db));
            sqlite_close(s);
            return HALLMARK_ERR_IO;
        }
    }
    *out = s;
    return HALLMARK_OK;
}

/* Inserts the tokens whose purge day is `day` with seq from *seq on; the caller's transaction. */
static int
put_day(sqlite3 *db, long long day, const hm_store_token *t, size_t n, sqlite3_int64 *seq)
{
    sqlite3_stmt *insert = NULL;
    char *sql = sqlite3_mprintf("INSERT INTO tokens_d%lld (seq, lookup_key, iat, purge_at, token)"
                                " VALUES (?1, ?2, ?3, ?4, ?5)",
                                day);
    size_t i;
    int rc = sql == NULL ? SQLITE_NOMEM : ensure_day(db, day);

    if (rc == SQLITE_OK) {
        rc = sqlite3_prepare_v2(db, sql, -1, &insert, NULL);
    }
    for (i = 0; rc == SQLITE_OK && i < n; i++) {
        long long purge_at = t[i].exp + HM_STORE_KEEP_AFTER_EXP;
        if (purge_at / DAY_SECONDS != day) {
            continue;
        }
        (void)sqlite3_reset(insert);
        if ((rc = sqlite3_bind_int64(insert, 1, (*seq)++)) == SQLITE_OK &&
            (rc = sqlite3_bind_text(insert, 2, t[i].key, -1, SQLITE_STATIC)) == SQLITE_OK &&
            (rc = sqlite3_bind_int64(insert, 3, t[i].iat)) == SQLITE_OK &&
            (rc = sqlite3_bind_int64(insert, 4, purge_at)) == SQLITE_OK &&
            (rc = sqlite3_bind_text(insert, 5, t[i].token, -1, SQLITE_STATIC)) == SQLITE_OK) {
            rc = sqlite3_step(insert) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
        }
    }
    sqlite3_finalize(insert);
    sqlite3_free(sql);
    return rc;
}

static int
read_next_seq(sqlite3 *db, sqlite3_int64 *seq)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        db, "SELECT CAST(value AS INTEGER) FROM hallmark_meta WHERE name = 'next_seq'", -1, &st,
        NULL);

    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st) == SQLITE_ROW ? SQLITE_OK : SQLITE_CORRUPT;
        *seq = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return rc;
}

static int
write_next_seq(sqlite3 *db, sqlite3_int64 seq)
{
    char *sql = sqlite3_mprintf("UPDATE hallmark_meta SET value = '%lld' WHERE name = 'next_seq'",
                                (long long)seq);
    int rc = sql != NULL ? sqlite3_exec(db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;

    sqlite3_free(sql);
    return rc;
}

static hallmark_result
sqlite_put(void *p, const hm_store_token *t, size_t n, char *err, size_t err_cap)
{
    struct sqlite_store *s = p;
    sqlite3_int64 seq = 0;
    size_t i, j;
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

    if (rc == SQLITE_OK) {
        rc = read_next_seq(s->db, &seq);
    }
    /* Each day once, in the order its first token comes (a request's tokens share one or two). */
    for (i = 0; rc == SQLITE_OK && i < n; i++) {
        long long day = (t[i].exp + HM_STORE_KEEP_AFTER_EXP) / DAY_SECONDS;
        for (j = 0; j < i && (t[j].exp + HM_STORE_KEEP_AFTER_EXP) / DAY_SECONDS != day; j++) {
        }
        if (j == i) {
            rc = put_day(s->db, day, t + i, n - i, &seq);
        }
    }
    if (rc == SQLITE_OK) {
        rc = write_next_seq(s->db, seq);
    }
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

/* Drops the tables of the days that have ended (every token in them is past exp + 300), at most
 * PURGE_DAYS_MAX a step, in one transaction; the budget does not apply (whole days, as in
 * PostgreSQL). Its cost is that of the lapsed tokens, whatever the number of live ones. */
static hallmark_result
sqlite_purge(void *p, int64_t now, size_t budget, uint64_t *removed, char *err, size_t err_cap)
{
    struct sqlite_store *s = p;
    long long *days = NULL;
    size_t n = 0, i, dropped = 0;
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

    (void)budget;
    *removed = 0;
    if (rc == SQLITE_OK) {
        rc = day_tables(s->db, &days, &n);
    }
    for (i = 0; rc == SQLITE_OK && i < n && dropped < PURGE_DAYS_MAX; i++) {
        sqlite3_stmt *count = NULL;
        char *sql;
        if ((days[i] + 1) * DAY_SECONDS > now) {
            break; /* ascending: every later day is still going */
        }
        sql = sqlite3_mprintf("SELECT count(*) FROM tokens_d%lld", days[i]);
        rc = sql != NULL ? sqlite3_prepare_v2(s->db, sql, -1, &count, NULL) : SQLITE_NOMEM;
        if (rc == SQLITE_OK && sqlite3_step(count) == SQLITE_ROW) {
            *removed += (uint64_t)sqlite3_column_int64(count, 0);
        }
        sqlite3_finalize(count);
        sqlite3_free(sql);
        if (rc == SQLITE_OK) {
            rc = exec_day_tables(s->db, "DROP TABLE tokens_d%lld", days[i]);
            dropped++;
        }
    }
    sqlite3_free(days);
    if (rc == SQLITE_OK && dropped > 0) {
        rc = rebuild_view(s->db);
    }
    if (rc == SQLITE_OK) { /* signing times past the longest cap period, oldest first */
        char *sql =
            sqlite3_mprintf("DELETE FROM sends WHERE rowid IN (SELECT rowid FROM sends"
                            " WHERE at < %lld ORDER BY at LIMIT %d)",
                            (long long)(now - HM_STORE_SENDS_KEEP), HM_STORE_SENDS_PURGE_MAX);
        rc = sql != NULL ? sqlite3_exec(s->db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
        sqlite3_free(sql);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        hallmark_result r = failed(s->db, rc, "purge", err, err_cap);
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        *removed = 0;
        return r;
    }
    return HALLMARK_OK;
}

/* Binds text values to ?1.. of a reset statement; SQLITE_OK or the error. */
static int
bind_texts(sqlite3_stmt *st, const char *const *v, int n)
{
    int i, rc = SQLITE_OK;

    (void)sqlite3_reset(st);
    (void)sqlite3_clear_bindings(st);
    for (i = 0; rc == SQLITE_OK && i < n; i++) {
        rc = sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
    }
    return rc;
}

/* One message's verdict in the caller's transaction (spec HM-CARRY-48 to HM-CARRY-50). */
static int
admit_one(struct sqlite_store *s, const hm_admission *m, int64_t now, hallmark_result *verdict,
          int64_t *reset)
{
    const char *key[4] = {m->brand, m->rcpt, m->category, m->channel};
    sqlite3_stmt *st = s->consent[LATEST];
    int rc = bind_texts(st, key, 4), found, choice = 1, confirm = 0, keyword = 0;
    int64_t stop_at = 0;

    if (rc != SQLITE_OK) {
        return rc;
    }
    if ((rc = sqlite3_step(st)) != SQLITE_ROW && rc != SQLITE_DONE) {
        (void)sqlite3_reset(st);
        return rc;
    }
    if ((found = rc == SQLITE_ROW)) {
        choice = sqlite3_column_int(st, 0);
        keyword = strcmp((const char *)sqlite3_column_text(st, 1), "keyword") == 0;
        stop_at = sqlite3_column_int64(st, 2);
    }
    (void)sqlite3_reset(st);
    if (found && choice == 0) {
        if (strcmp(m->category, "service") != 0 || !keyword ||
            now >= stop_at + HM_CONSENT_CONFIRM_WINDOW) {
            *verdict = HALLMARK_ERR_RECIPIENT_OPTED_OUT;
            return SQLITE_OK;
        }
        st = s->consent[CONFIRMED];
        if ((rc = bind_texts(st, key, 2)) != SQLITE_OK ||
            (rc = sqlite3_bind_int64(st, 3, stop_at)) != SQLITE_OK) {
            return rc;
        }
        rc = sqlite3_step(st);
        (void)sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            return rc;
        }
        if (rc == SQLITE_ROW) {
            *verdict = HALLMARK_ERR_RECIPIENT_OPTED_OUT; /* the one confirmation went out */
            return SQLITE_OK;
        }
        confirm = 1;
    } else if (m->opt_in_required && strcmp(m->category, "marketing") == 0 && !found) {
        *verdict = HALLMARK_ERR_OPT_IN_REQUIRED;
        return SQLITE_OK;
    }
    if (m->cap_max > 0) {
        int64_t counted = 0;
        st = s->consent[COUNT_SENDS];
        if ((rc = bind_texts(st, key, 3)) != SQLITE_OK ||
            (rc = sqlite3_bind_int64(st, 4, now - m->cap_period)) != SQLITE_OK ||
            (rc = sqlite3_step(st)) != SQLITE_ROW) {
            (void)sqlite3_reset(st);
            return rc == SQLITE_ROW ? SQLITE_OK : rc;
        }
        counted = sqlite3_column_int64(st, 0);
        (void)sqlite3_reset(st);
        if (counted >= (int64_t)m->cap_max) {
            st = s->consent[NTH_SEND];
            if ((rc = bind_texts(st, key, 3)) != SQLITE_OK ||
                (rc = sqlite3_bind_int64(st, 4, now - m->cap_period)) != SQLITE_OK ||
                (rc = sqlite3_bind_int64(st, 5, counted - (int64_t)m->cap_max)) != SQLITE_OK ||
                (rc = sqlite3_step(st)) != SQLITE_ROW) {
                (void)sqlite3_reset(st);
                return rc == SQLITE_ROW ? SQLITE_OK : rc;
            }
            *reset = sqlite3_column_int64(st, 0) + m->cap_period;
            (void)sqlite3_reset(st);
            *verdict = HALLMARK_ERR_VOLUME_CAP;
            return SQLITE_OK;
        }
    }
    if (m->cap_max > 0 || confirm) {
        st = s->consent[INSERT_SEND];
        if ((rc = bind_texts(st, key, 3)) != SQLITE_OK ||
            (rc = sqlite3_bind_int64(st, 4, now)) != SQLITE_OK) {
            return rc;
        }
        rc = sqlite3_step(st);
        (void)sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            return rc;
        }
    }
    *verdict = HALLMARK_OK;
    return SQLITE_OK;
}

static hallmark_result
sqlite_admit(void *p, const hm_admission *m, size_t n, int64_t now, hallmark_result *verdict,
             int64_t *reset, char *err, size_t err_cap)
{
    struct sqlite_store *s = p;
    size_t i;
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

    for (i = 0; rc == SQLITE_OK && i < n; i++) {
        rc = admit_one(s, &m[i], now, &verdict[i], &reset[i]);
    }
    if (rc == SQLITE_OK) {
        rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        hallmark_result r = failed(s->db, rc, "consent check", err, err_cap);
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        for (i = 0; i < n; i++) {
            verdict[i] = HALLMARK_ERR_UNAVAILABLE;
            reset[i] = 0;
        }
        return r;
    }
    return HALLMARK_OK;
}

static hallmark_result
sqlite_consent_put(void *p, const hm_consent_change *c, char *err, size_t err_cap)
{
    struct sqlite_store *s = p;
    const char *v[4] = {c->brand, c->rcpt, c->scope, c->channel};
    const char *once[3] = {c->brand, c->rcpt, c->evidence};
    sqlite3_stmt *st = s->consent[INSERT_CHANGE];
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

    if (rc == SQLITE_OK && c->once) {
        sqlite3_stmt *has = s->consent[HAS_EVIDENCE];
        if ((rc = bind_texts(has, once, 3)) == SQLITE_OK) {
            rc = sqlite3_step(has);
            (void)sqlite3_reset(has);
            if (rc == SQLITE_ROW) {
                (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
                hm_errorf(err, err_cap, "this evidence is already in the recipient's ledger");
                return HALLMARK_ERR_FORBIDDEN;
            }
            rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
    }
    if (rc == SQLITE_OK && (rc = bind_texts(st, v, 4)) == SQLITE_OK &&
        (rc = sqlite3_bind_int(st, 5, c->choice)) == SQLITE_OK &&
        (rc = sqlite3_bind_text(st, 6, c->source, -1, SQLITE_STATIC)) == SQLITE_OK &&
        (rc = sqlite3_bind_text(st, 7, c->evidence, -1, SQLITE_STATIC)) == SQLITE_OK &&
        (rc = sqlite3_bind_int64(st, 8, c->at)) == SQLITE_OK) {
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(s->db);
    }
    (void)sqlite3_reset(st);
    if (rc == SQLITE_OK) {
        rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        hallmark_result r = failed(s->db, rc, "consent change", err, err_cap);
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
    }
    return HALLMARK_OK;
}

/* Copies a text column into a fixed field (the store wrote it, within the field's size). */
static void
column_into(sqlite3_stmt *st, int col, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    (void)snprintf(out, cap, "%s", t != NULL ? (const char *)t : "");
}

static hallmark_result
sqlite_consent_list(void *p, const char *brand, const char *rcpt, size_t max, hm_consent_row *rows,
                    size_t *count, char *err, size_t err_cap)
{
    struct sqlite_store *s = p;
    const char *v[2] = {brand, rcpt};
    sqlite3_stmt *st = s->consent[LIST_CHANGES];
    int rc = bind_texts(st, v, 2);

    if (rc == SQLITE_OK) {
        rc = sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
    }
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW && *count < max) {
        hm_consent_row *r = &rows[(*count)++];
        rc = SQLITE_OK;
        r->seq = sqlite3_column_int64(st, 0);
        r->at = sqlite3_column_int64(st, 1);
        r->choice = sqlite3_column_int(st, 2);
        column_into(st, 3, r->scope, sizeof r->scope);
        column_into(st, 4, r->channel, sizeof r->channel);
        column_into(st, 5, r->source, sizeof r->source);
        column_into(st, 6, r->evidence, sizeof r->evidence);
    }
    (void)sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_OK) {
        return failed(s->db, rc, "consent list", err, err_cap);
    }
    return HALLMARK_OK;
}

const struct hm_store_backend hm_store_sqlite = {
    "sqlite",           sqlite_open,         sqlite_put,   sqlite_get,  sqlite_purge,
    sqlite_consent_put, sqlite_consent_list, sqlite_admit, sqlite_close};
