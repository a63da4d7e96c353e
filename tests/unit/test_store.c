/* The store suite (signer/store/hm_store.h), run against every backend: by default on a fresh
 * SQLite file per test; with HALLMARK_STORE=postgres:CONNINFO, tests/cli/store.sh runs the same
 * tests on a PostgreSQL server it started. Tests sharing one database stay apart by their own
 * lookup keys and their own days. */
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hm_store.h"
#include "test.h"

#define DAY 86400LL
#define T0 1900000000LL /* 2030-03-17: far from today, so purges by now touch nothing else */

struct fresh {
    char dir[64], spec[1024];
    hm_store *store;
};

/* A store for one test: the backend under test, or a new SQLite file. */
static int
fresh_open(struct fresh *f)
{
    const char *env = getenv("HALLMARK_STORE");
    char err[512] = "";

    memset(f, 0, sizeof f->dir);
    f->store = NULL;
    if (env != NULL && env[0] != '\0') {
        (void)snprintf(f->spec, sizeof f->spec, "%s", env);
    } else {
        (void)snprintf(f->dir, sizeof f->dir, "/tmp/hm-store-XXXXXX");
        if (mkdtemp(f->dir) == NULL) {
            return -1;
        }
        (void)snprintf(f->spec, sizeof f->spec, "sqlite:%s/tokens.db", f->dir);
    }
    if (hm_store_open(f->spec, &f->store, err, sizeof err) != HALLMARK_OK) {
        printf("  %s: %s\n", f->spec, err);
        return -1;
    }
    return 0;
}

/* Removes an SQLite database NAME (with its -wal and -shm) and then the folder dir. */
static void
sqlite_dir_remove(const char *dir, const char *name)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    char path[256];
    size_t i;

    for (i = 0; i < 3; i++) {
        (void)snprintf(path, sizeof path, "%s/%s%s", dir, name, suffixes[i]);
        (void)unlink(path);
    }
    (void)rmdir(dir);
}

static void
fresh_close(struct fresh *f)
{
    hm_store_close(f->store);
    f->store = NULL;
    if (f->dir[0] != '\0') {
        sqlite_dir_remove(f->dir, "tokens.db");
    }
}

/* A lookup key of 43 characters made from a label (unique per test) and a number. */
static void
key_of(char out[44], const char *label, int n)
{
    size_t i, len;

    (void)snprintf(out, 44, "%s-%d-", label, n);
    for (i = strlen(out), len = 43; i < len; i++) {
        out[i] = (char)('A' + (int)(i % 26));
    }
    out[43] = '\0';
}

/* A token-shaped string: base64url and dots. */
static void
token_of(char *out, size_t cap, const char *label, int n)
{
    (void)snprintf(out, cap, "eyJ0.%s%d.c2ln", label, n);
}

TEST(store_put_get_newest_first_and_the_limit)
{
    struct fresh f;
    char key[44], other[44], toks[4][64], **got = NULL;
    hm_store_token t[4];
    size_t n = 0;
    int i;

    CHECK(fresh_open(&f) == 0);
    key_of(key, "order", 1);
    key_of(other, "order", 2);
    for (i = 0; i < 4; i++) {
        token_of(toks[i], sizeof toks[i], "order", i);
        t[i].key = i < 3 ? key : other;
        t[i].token = toks[i];
        t[i].iat = T0 + 60LL * i; /* toks[2] is the newest of key */
        t[i].exp = T0 + DAY;
    }
    CHECK_RC(hm_store_put_tokens(f.store, t, 4, NULL, 0), HALLMARK_OK);
    CHECK_RC(hm_store_get_tokens(f.store, key, T0, 100, &got, &n, NULL, 0), HALLMARK_OK);
    CHECK(n == 3 && strcmp(got[0], toks[2]) == 0 && strcmp(got[1], toks[1]) == 0 &&
          strcmp(got[2], toks[0]) == 0);
    hm_store_tokens_free(got, n);
    CHECK_RC(hm_store_get_tokens(f.store, key, T0, 2, &got, &n, NULL, 0), HALLMARK_OK);
    CHECK(n == 2 && strcmp(got[0], toks[2]) == 0);
    hm_store_tokens_free(got, n);
    CHECK_RC(hm_store_get_tokens(f.store, other, T0, 100, &got, &n, NULL, 0), HALLMARK_OK);
    CHECK(n == 1 && strcmp(got[0], toks[3]) == 0);
    hm_store_tokens_free(got, n);
    key_of(other, "order", 3);
    CHECK_RC(hm_store_get_tokens(f.store, other, T0, 100, &got, &n, NULL, 0), HALLMARK_OK);
    CHECK(n == 0 && got == NULL);
    fresh_close(&f);
}

TEST(store_keeps_a_token_until_exp_plus_300)
{
    struct fresh f;
    char key[44], tok[64], **got = NULL;
    hm_store_token t;
    size_t n = 0;

    CHECK(fresh_open(&f) == 0);
    key_of(key, "keep", 1);
    token_of(tok, sizeof tok, "keep", 1);
    t.key = key;
    t.token = tok;
    t.iat = T0 + 10 * DAY;
    t.exp = T0 + 11 * DAY;
    CHECK_RC(hm_store_put_tokens(f.store, &t, 1, NULL, 0), HALLMARK_OK);
    CHECK_RC(hm_store_get_tokens(f.store, key, t.exp + 299, 100, &got, &n, NULL, 0), HALLMARK_OK);
    CHECK(n == 1);
    hm_store_tokens_free(got, n);
    CHECK_RC(hm_store_get_tokens(f.store, key, t.exp + 300, 100, &got, &n, NULL, 0), HALLMARK_OK);
    CHECK(n == 0);
    fresh_close(&f);
}

TEST(store_refuses_bad_input_and_stores_none_of_a_bad_batch)
{
    struct fresh f;
    char key[44], tok[64], err[256] = "", **got = NULL;
    hm_store_token t[2];
    size_t n = 0;

    CHECK(fresh_open(&f) == 0);
    key_of(key, "bad", 1);
    token_of(tok, sizeof tok, "bad", 1);
    t[0].key = key;
    t[0].token = tok;
    t[0].iat = T0;
    t[0].exp = T0 + DAY;
    t[1] = t[0];
    t[1].token = "eyJ0.a\"},{\"x.c2ln"; /* would break out of an array literal */
    CHECK_RC(hm_store_put_tokens(f.store, t, 2, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "token 2") != NULL);
    t[1].token = tok;
    t[1].key = "short";
    CHECK_RC(hm_store_put_tokens(f.store, t, 2, NULL, 0), HALLMARK_ERR_INVALID_ARGUMENT);
    t[1].key = key;
    t[1].exp = T0 - 1;
    CHECK_RC(hm_store_put_tokens(f.store, t, 2, NULL, 0), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_store_get_tokens(f.store, key, T0, 100, &got, &n, NULL, 0), HALLMARK_OK);
    CHECK(n == 0);
    CHECK_RC(hm_store_get_tokens(f.store, "../../etc/passwd", T0, 100, &got, &n, NULL, 0),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_store_put_tokens(f.store, NULL, 0, NULL, 0), HALLMARK_OK);
    CHECK_RC(hm_store_purge(f.store, T0, 0, NULL, NULL, 0), HALLMARK_ERR_INVALID_ARGUMENT);
    fresh_close(&f);
    CHECK_RC(hm_store_open("redis:localhost", &f.store, err, sizeof err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "sqlite:PATH or postgres:CONNINFO") != NULL);
    CHECK_RC(hm_store_open("sqlite:/nonexistent-dir/x.db", &f.store, err, sizeof err),
             HALLMARK_ERR_IO);
}

TEST(store_survives_reopening)
{
    struct fresh f;
    char key[44], tok[64], **got = NULL, spec[1024], dir[64];
    hm_store_token t;
    size_t n = 0;

    CHECK(fresh_open(&f) == 0);
    key_of(key, "reopen", 1);
    token_of(tok, sizeof tok, "reopen", 1);
    t.key = key;
    t.token = tok;
    t.iat = T0 + 20 * DAY;
    t.exp = T0 + 21 * DAY;
    CHECK_RC(hm_store_put_tokens(f.store, &t, 1, NULL, 0), HALLMARK_OK);
    hm_store_close(f.store);
    memcpy(spec, f.spec, sizeof spec);
    memcpy(dir, f.dir, sizeof dir);
    CHECK_RC(hm_store_open(spec, &f.store, NULL, 0), HALLMARK_OK);
    CHECK_RC(hm_store_get_tokens(f.store, key, t.iat, 100, &got, &n, NULL, 0), HALLMARK_OK);
    CHECK(n == 1 && strcmp(got[0], tok) == 0);
    hm_store_tokens_free(got, n);
    fresh_close(&f);
}

TEST(store_purge_removes_only_what_has_lapsed)
{
    struct fresh f;
    char keys[2][44], toks[40][64], **got = NULL;
    hm_store_token t[40];
    uint64_t removed = 0, total = 0;
    size_t n = 0;
    int i;
    long long base = T0 - 100 * DAY; /* before every other test's days: a purge drops only ours */

    CHECK(fresh_open(&f) == 0);
    key_of(keys[0], "purge", 1);
    key_of(keys[1], "purge", 2);
    for (i = 0; i < 40; i++) {
        token_of(toks[i], sizeof toks[i], "purge", i);
        t[i].key = keys[i % 2];
        t[i].token = toks[i];
        t[i].iat = base;
        /* Even tokens lapse on day 1 of the test; odd ones live on day 5. */
        t[i].exp = i % 2 == 0 ? base + DAY : base + 5 * DAY;
    }
    CHECK_RC(hm_store_put_tokens(f.store, t, 40, NULL, 0), HALLMARK_OK);
    /* Three days on, in steps of 7: every even token goes, no odd one. */
    do {
        CHECK_RC(hm_store_purge(f.store, base + 3 * DAY, 7, &removed, NULL, 0), HALLMARK_OK);
        total += removed;
    } while (removed > 0 && total < 100);
    CHECK(total == 20);
    CHECK_RC(hm_store_get_tokens(f.store, keys[0], base, 100, &got, &n, NULL, 0), HALLMARK_OK);
    CHECK(n == 0);
    CHECK_RC(hm_store_get_tokens(f.store, keys[1], base, 100, &got, &n, NULL, 0), HALLMARK_OK);
    CHECK(n == 20);
    hm_store_tokens_free(got, n);
    fresh_close(&f);
}

struct writer {
    hm_store *store;
    const char *key;
    int id, rounds;
    hallmark_result rc;
};

static void *
write_batches(void *arg)
{
    struct writer *w = arg;
    char toks[10][64];
    hm_store_token t[10];
    int r, i;

    w->rc = HALLMARK_OK;
    for (r = 0; r < w->rounds && w->rc == HALLMARK_OK; r++) {
        for (i = 0; i < 10; i++) {
            (void)snprintf(toks[i], sizeof toks[i], "eyJ0.w%dr%di%d.c2ln", w->id, r, i);
            t[i].key = w->key;
            t[i].token = toks[i];
            t[i].iat = T0 + 60 * DAY + r;
            t[i].exp = T0 + 61 * DAY;
        }
        w->rc = hm_store_put_tokens(w->store, t, 10, NULL, 0);
    }
    return NULL;
}

/* Four threads on one store and four on a second connection to the same store (two nodes): every
 * batch is stored whole. */
TEST(store_concurrent_writers_on_two_connections)
{
    struct fresh f;
    hm_store *second = NULL;
    struct writer w[8];
    pthread_t th[8];
    char key[44], **got = NULL, err[512] = "";
    size_t n = 0;
    int i;

    CHECK(fresh_open(&f) == 0);
    CHECK_RC(hm_store_open(f.spec, &second, err, sizeof err), HALLMARK_OK);
    key_of(key, "concurrent", 1);
    for (i = 0; i < 8; i++) {
        w[i].store = i < 4 ? f.store : second;
        w[i].key = key;
        w[i].id = i;
        w[i].rounds = 5;
        CHECK(pthread_create(&th[i], NULL, write_batches, &w[i]) == 0);
    }
    for (i = 0; i < 8; i++) {
        (void)pthread_join(th[i], NULL);
        CHECK_RC(w[i].rc, HALLMARK_OK);
    }
    CHECK_RC(hm_store_get_tokens(f.store, key, T0 + 60 * DAY, 1000, &got, &n, NULL, 0),
             HALLMARK_OK);
    CHECK(n == (size_t)8 * 5 * 10);
    hm_store_tokens_free(got, n);
    hm_store_close(second);
    fresh_close(&f);
}

/* Runs one statement on the store's own database, behind hm_store's back. */
static int
raw_sql(const char *spec, const char *sql)
{
    int ok = 0;

    if (strncmp(spec, "sqlite:", 7) == 0) {
        sqlite3 *db = NULL;
        ok = sqlite3_open(spec + 7, &db) == SQLITE_OK &&
             sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
        (void)sqlite3_close(db);
    } else if (strncmp(spec, "postgres:", 9) == 0) {
        PGconn *c = PQconnectdb(spec + 9);
        PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
        ok = r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        PQfinish(c);
    }
    return ok;
}

TEST(store_refuses_a_newer_schema_and_a_store_not_ours)
{
    struct fresh f;
    hm_store *again = NULL;
    char err[512] = "", path[128];
    FILE *fp;

    CHECK(fresh_open(&f) == 0);
    hm_store_close(f.store);
    f.store = NULL;
    CHECK(raw_sql(f.spec, "UPDATE hallmark_meta SET value = '99' WHERE name = 'schema'"));
    CHECK_RC(hm_store_open(f.spec, &again, err, sizeof err), HALLMARK_ERR_CORRUPT);
    CHECK(strstr(err, "schema 99 is newer than this program's (4)") != NULL);
    CHECK(raw_sql(f.spec, "UPDATE hallmark_meta SET value = '3' WHERE name = 'schema'"));
    CHECK(raw_sql(f.spec, "UPDATE hallmark_meta SET value = 'other' WHERE name = 'kind'"));
    CHECK_RC(hm_store_open(f.spec, &again, err, sizeof err), HALLMARK_ERR_CORRUPT);
    CHECK(strstr(err, "not a Hallmark store") != NULL);
    CHECK(raw_sql(f.spec, "UPDATE hallmark_meta SET value = 'hallmark-store' WHERE name = 'kind'"));
    CHECK_RC(hm_store_open(f.spec, &again, err, sizeof err), HALLMARK_OK);
    hm_store_close(again);
    if (f.dir[0] != '\0') {
        /* An SQLite file of someone else's, and a file that is not SQLite at all. */
        (void)snprintf(path, sizeof path, "sqlite:%s/other.db", f.dir);
        CHECK(raw_sql(path, "CREATE TABLE accounts (id INTEGER)"));
        CHECK_RC(hm_store_open(path, &again, err, sizeof err), HALLMARK_ERR_CORRUPT);
        CHECK(strstr(err, "not a Hallmark store") != NULL);
        (void)unlink(path + 7);
        (void)snprintf(path, sizeof path, "%s/garbage.db", f.dir);
        CHECK((fp = fopen(path, "w")) != NULL);
        (void)fputs("this is no database, but it is 64 bytes long or so, more than a header\n", fp);
        (void)fclose(fp);
        (void)snprintf(path, sizeof path, "sqlite:%s/garbage.db", f.dir);
        CHECK_RC(hm_store_open(path, &again, err, sizeof err), HALLMARK_ERR_CORRUPT);
        CHECK(strstr(err, "not an SQLite database") != NULL);
        (void)unlink(path + 7);
    }
    fresh_close(&f);
}

/* A schema-1 SQLite store (one tokens table, as the first release wrote it) is migrated to
 * schema 2 (a table a day) when opened: every token kept, in the same order, the old table gone,
 * and new tokens ordered after the migrated ones. */
TEST(store_migrates_a_schema_1_sqlite_store)
{
    char dir[64] = "/tmp/hm-store-v1-XXXXXX", spec[128], sql[1024], key[44], **got = NULL;
    hm_store *s = NULL;
    hm_store_token t;
    size_t n = 0;
    uint64_t removed = 0;

    key_of(key, "migrate", 1);
    CHECK(mkdtemp(dir) != NULL);
    (void)snprintf(spec, sizeof spec, "sqlite:%s/tokens.db", dir);
    CHECK(raw_sql(spec,
                  "CREATE TABLE hallmark_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
                  "INSERT INTO hallmark_meta VALUES ('kind', 'hallmark-store'), ('schema', '1');"
                  "CREATE TABLE tokens (seq INTEGER PRIMARY KEY, lookup_key TEXT NOT NULL,"
                  " iat INTEGER NOT NULL, purge_at INTEGER NOT NULL, token TEXT NOT NULL);"
                  "CREATE INDEX tokens_by_key ON tokens (lookup_key, iat DESC, seq DESC);"
                  "CREATE INDEX tokens_by_purge ON tokens (purge_at);"));
    /* Three tokens on two days of purge time; the same iat for the last two. */
    (void)snprintf(sql, sizeof sql,
                   "INSERT INTO tokens (lookup_key, iat, purge_at, token) VALUES"
                   " ('%s', %lld, %lld, 'old.day1.a'), ('%s', %lld, %lld, 'old.day2.b'),"
                   " ('%s', %lld, %lld, 'old.day2.c')",
                   key, T0, T0 + DAY + 300, key, T0 + 10, T0 + 2 * DAY + 300, key, T0 + 10,
                   T0 + 2 * DAY + 300);
    CHECK(raw_sql(spec, sql));
    CHECK_RC(hm_store_open(spec, &s, NULL, 0), HALLMARK_OK);
    CHECK(!raw_sql(spec, "SELECT count(*) FROM tokens")); /* the old table is gone */
    CHECK(raw_sql(spec, "SELECT count(*) FROM tokens_live"));
    t.key = key;
    t.token = "new.day2.d";
    t.iat = T0 + 10;
    t.exp = T0 + 2 * DAY;
    CHECK_RC(hm_store_put_tokens(s, &t, 1, NULL, 0), HALLMARK_OK);
    CHECK_RC(hm_store_get_tokens(s, key, T0, 100, &got, &n, NULL, 0), HALLMARK_OK);
    CHECK(n == 4);
    if (n == 4) {
        CHECK(strcmp(got[0], "new.day2.d") == 0 && strcmp(got[1], "old.day2.c") == 0 &&
              strcmp(got[2], "old.day2.b") == 0 && strcmp(got[3], "old.day1.a") == 0);
    }
    hm_store_tokens_free(got, n);
    /* Day 1 ends: its token goes with its table, the others stay. */
    CHECK_RC(hm_store_purge(s, T0 + 2 * DAY, 100, &removed, NULL, 0), HALLMARK_OK);
    CHECK(removed == 1);
    CHECK_RC(hm_store_get_tokens(s, key, T0, 100, &got, &n, NULL, 0), HALLMARK_OK);
    CHECK(n == 3);
    hm_store_tokens_free(got, n);
    hm_store_close(s);
    sqlite_dir_remove(dir, "tokens.db");
}

/* ---- the consent ledger and volume caps (spec §9.7) ------------------------------------------ */

#define WEEK (7 * DAY)

static hallmark_result
admit1(hm_store *s, const char *rcpt, const char *channel, const char *category, int opt_in,
       unsigned cap_max, long long now, int64_t *reset)
{
    hm_admission m = {"acme-bank", rcpt, channel, category, opt_in, cap_max, WEEK};
    hallmark_result v = HALLMARK_ERR_INTERNAL, rc;
    int64_t r = -1;

    rc = hm_store_admit(s, &m, 1, now, &v, &r, NULL, 0);
    if (reset != NULL) {
        *reset = r;
    }
    return rc != HALLMARK_OK ? rc : v;
}

static hallmark_result
change(hm_store *s, const char *rcpt, const char *scope, const char *channel, int choice,
       const char *source, long long at)
{
    hm_consent_change c = {"acme-bank", rcpt, scope, channel, source, "test", choice, at, 0};

    return hm_store_consent_put(s, &c, NULL, 0);
}

/* 1 when the store holds exactly n signing times (the sends table), asked behind its back. */
static int
sends_count_is(const char *spec, int n)
{
    char sql[256];

    if (strncmp(spec, "sqlite:", 7) == 0) { /* abs(min) overflows: an error unless the count is n */
        (void)snprintf(sql, sizeof sql,
                       "SELECT CASE WHEN (SELECT count(*) FROM sends) = %d THEN 1 ELSE"
                       " abs(-9223372036854775807 - 1) END",
                       n);
    } else {
        (void)snprintf(sql, sizeof sql,
                       "DO $$ BEGIN IF (SELECT count(*) FROM hallmark_sends) <> %d THEN RAISE "
                       "EXCEPTION 'count'; END IF; END $$",
                       n);
    }
    return raw_sql(spec, sql);
}

/* The signing times of capped categories go once older than the longest cap period (365 days),
 * with a purge step, and the newer ones stay. */
TEST(store_purge_drops_signing_times_past_the_longest_cap)
{
    struct fresh f;
    char old[44], recent[44];
    uint64_t removed = 0;

    CHECK(fresh_open(&f) == 0);
    key_of(old, "sends-old", 1);
    key_of(recent, "sends-recent", 1);
    CHECK_RC(admit1(f.store, old, "sms", "marketing", 0, 5, T0, NULL), HALLMARK_OK);
    CHECK_RC(admit1(f.store, old, "sms", "marketing", 0, 5, T0 + 1, NULL), HALLMARK_OK);
    CHECK_RC(admit1(f.store, recent, "sms", "marketing", 0, 5, T0 + 200 * 86400LL, NULL),
             HALLMARK_OK);
    CHECK(sends_count_is(f.spec, 3));
    CHECK_RC(hm_store_purge(f.store, T0 + HM_STORE_SENDS_KEEP, 1000, &removed, NULL, 0),
             HALLMARK_OK);
    CHECK(sends_count_is(f.spec, 3)); /* not yet older than the keep */
    CHECK_RC(hm_store_purge(f.store, T0 + HM_STORE_SENDS_KEEP + 2, 1000, &removed, NULL, 0),
             HALLMARK_OK);
    CHECK(sends_count_is(f.spec, 1));
    fresh_close(&f);
}

/* STOP refuses everything on its channel, once allows the service confirmation within 600 s,
 * and START lifts it; another channel is untouched by a channel's STOP. */
TEST(store_consent_stop_confirmation_and_start)
{
    struct fresh f;
    char r[44];

    CHECK(fresh_open(&f) == 0);
    key_of(r, "stop", 1);
    CHECK_RC(admit1(f.store, r, "sms", "marketing", 0, 0, T0, NULL), HALLMARK_OK);
    CHECK_RC(change(f.store, r, "all", "sms", 0, "keyword", T0 + 10), HALLMARK_OK);
    CHECK_RC(admit1(f.store, r, "sms", "marketing", 0, 0, T0 + 11, NULL),
             HALLMARK_ERR_RECIPIENT_OPTED_OUT);
    CHECK_RC(admit1(f.store, r, "sms", "otp", 0, 0, T0 + 11, NULL),
             HALLMARK_ERR_RECIPIENT_OPTED_OUT);
    CHECK_RC(admit1(f.store, r, "email", "marketing", 0, 0, T0 + 11, NULL), HALLMARK_OK);
    CHECK_RC(admit1(f.store, r, "sms", "service", 0, 0, T0 + 12, NULL), HALLMARK_OK);
    CHECK_RC(admit1(f.store, r, "sms", "service", 0, 0, T0 + 13, NULL),
             HALLMARK_ERR_RECIPIENT_OPTED_OUT);
    CHECK_RC(change(f.store, r, "all", "sms", 1, "keyword", T0 + 20), HALLMARK_OK);
    CHECK_RC(admit1(f.store, r, "sms", "marketing", 0, 0, T0 + 21, NULL), HALLMARK_OK);
    /* A second STOP: the confirmation window is its own, and it ends after 600 s. */
    CHECK_RC(change(f.store, r, "all", "sms", 0, "keyword", T0 + 100), HALLMARK_OK);
    CHECK_RC(admit1(f.store, r, "sms", "service", 0, 0, T0 + 700, NULL),
             HALLMARK_ERR_RECIPIENT_OPTED_OUT);
    /* An opt-out from the app gives no confirmation. */
    key_of(r, "stop", 2);
    CHECK_RC(change(f.store, r, "marketing", "all", 0, "app", T0), HALLMARK_OK);
    CHECK_RC(admit1(f.store, r, "sms", "service", 0, 0, T0 + 1, NULL), HALLMARK_OK);
    CHECK_RC(admit1(f.store, r, "push", "marketing", 0, 0, T0 + 1, NULL),
             HALLMARK_ERR_RECIPIENT_OPTED_OUT);
    CHECK_RC(admit1(f.store, r, "push", "otp", 0, 0, T0 + 1, NULL), HALLMARK_OK);
    fresh_close(&f);
}

/* A required opt-in: none refuses marketing only; an opt-in on sms admits marketing on sms. */
TEST(store_consent_marketing_opt_in)
{
    struct fresh f;
    char r[44];

    CHECK(fresh_open(&f) == 0);
    key_of(r, "optin", 1);
    CHECK_RC(admit1(f.store, r, "sms", "marketing", 1, 0, T0, NULL), HALLMARK_ERR_OPT_IN_REQUIRED);
    CHECK_RC(admit1(f.store, r, "sms", "transactional", 1, 0, T0, NULL), HALLMARK_OK);
    CHECK_RC(change(f.store, r, "marketing", "sms", 1, "app", T0 + 1), HALLMARK_OK);
    CHECK_RC(admit1(f.store, r, "sms", "marketing", 1, 0, T0 + 2, NULL), HALLMARK_OK);
    CHECK_RC(admit1(f.store, r, "email", "marketing", 1, 0, T0 + 2, NULL),
             HALLMARK_ERR_OPT_IN_REQUIRED);
    CHECK_RC(change(f.store, r, "marketing", "all", 0, "operator", T0 + 3), HALLMARK_OK);
    CHECK_RC(admit1(f.store, r, "sms", "marketing", 1, 0, T0 + 4, NULL),
             HALLMARK_ERR_RECIPIENT_OPTED_OUT);
    fresh_close(&f);
}

/* A cap of 3 a week: the fourth is refused with the time the first leaves the window, a refused
 * message counts nothing, and the window slides. A batch is decided in order. */
TEST(store_cap_is_exact_and_slides)
{
    struct fresh f;
    hm_admission m[5];
    hallmark_result v[5];
    int64_t reset = 0, resets[5];
    char r[44], r2[44];
    int i;

    CHECK(fresh_open(&f) == 0);
    key_of(r, "cap", 1);
    for (i = 0; i < 3; i++) {
        CHECK_RC(admit1(f.store, r, "sms", "marketing", 0, 3, T0 + 100LL * i, NULL), HALLMARK_OK);
    }
    for (i = 0; i < 5; i++) {
        CHECK_RC(admit1(f.store, r, "sms", "marketing", 0, 3, T0 + 1000 + i, &reset),
                 HALLMARK_ERR_VOLUME_CAP);
        CHECK(reset == T0 + WEEK);
    }
    CHECK_RC(admit1(f.store, r, "email", "marketing", 0, 3, T0 + 1000, NULL),
             HALLMARK_ERR_VOLUME_CAP); /* every channel together */
    CHECK_RC(admit1(f.store, r, "sms", "otp", 0, 0, T0 + 1000, NULL), HALLMARK_OK);
    CHECK_RC(admit1(f.store, r, "sms", "marketing", 0, 3, T0 + WEEK - 1, NULL),
             HALLMARK_ERR_VOLUME_CAP);
    CHECK_RC(admit1(f.store, r, "sms", "marketing", 0, 3, T0 + WEEK, NULL), HALLMARK_OK);
    CHECK_RC(admit1(f.store, r, "sms", "marketing", 0, 3, T0 + WEEK + 1, &reset),
             HALLMARK_ERR_VOLUME_CAP);
    CHECK(reset == T0 + 100 + WEEK);
    key_of(r2, "cap", 2);
    for (i = 0; i < 5; i++) {
        m[i] = (hm_admission){"acme-bank", r2, "sms", "marketing", 0, 3, WEEK};
    }
    CHECK_RC(hm_store_admit(f.store, m, 5, T0, v, resets, NULL, 0), HALLMARK_OK);
    CHECK(v[0] == HALLMARK_OK && v[1] == HALLMARK_OK && v[2] == HALLMARK_OK &&
          v[3] == HALLMARK_ERR_VOLUME_CAP && v[4] == HALLMARK_ERR_VOLUME_CAP &&
          resets[3] == T0 + WEEK && resets[0] == 0);
    fresh_close(&f);
}

/* A differential check of hm_store_admit's batches: the store under test (PostgreSQL in
 * tests/cli/store.sh, which decides a request's lone recipients in one statement and the others
 * one by one) against an SQLite store that is asked one message at a time. Two brands, six
 * recipients (so a batch often names one twice), every category and channel kind, caps of a day
 * and a week, opt-ins and keyword, app and operator changes, and time that moves by seconds
 * (the confirmation window) and days (the cap windows): the verdicts and the reset times agree. */
TEST(store_admit_matches_the_one_by_one_rules)
{
    static const char *const brands[] = {"acme-bank", "zen-air"};
    static const char *const channels[] = {"sms", "email", "all"};
    static const char *const categories[] = {"marketing", "service", "otp", "transactional"};
    static const char *const sources[] = {"keyword", "app", "operator"};
    static const long long steps[] = {0, 1, 300, 601, DAY, 3 * DAY};
    struct fresh f;
    hm_store *ref = NULL;
    char dir[] = "/tmp/hm-ref-XXXXXX", spec[64], rcpts[6][44], err[512] = "";
    uint32_t x = 2463534242u;
    long long now = T0;
    int round, i, agreed = 0, opted_out = 0, capped = 0, no_opt_in = 0;

#define NEXT() (x ^= x << 13, x ^= x >> 17, x ^= x << 5, x)
    CHECK(fresh_open(&f) == 0);
    CHECK(mkdtemp(dir) != NULL);
    (void)snprintf(spec, sizeof spec, "sqlite:%s/ref.db", dir);
    CHECK_RC(hm_store_open(spec, &ref, err, sizeof err), HALLMARK_OK);
    for (i = 0; i < 6; i++) {
        key_of(rcpts[i], "differential", i);
    }
    for (round = 0; round < 120 && ref != NULL; round++) {
        hm_admission m[12];
        hallmark_result got[12], want[12];
        int64_t got_reset[12], want_reset[12];
        size_t n = 1 + NEXT() % 12, k;

        now += steps[NEXT() % 6];
        if (NEXT() % 3 == 0) {
            hm_consent_change c = {brands[NEXT() % 2],
                                   rcpts[NEXT() % 6],
                                   NEXT() % 2 ? "all" : categories[NEXT() % 4],
                                   channels[NEXT() % 3],
                                   sources[NEXT() % 3],
                                   "differential",
                                   NEXT() % 3 != 0 ? 0 : 1,
                                   now,
                                   0};
            CHECK_RC(hm_store_consent_put(f.store, &c, NULL, 0), HALLMARK_OK);
            CHECK_RC(hm_store_consent_put(ref, &c, NULL, 0), HALLMARK_OK);
            now += NEXT() % 2;
        }
        for (k = 0; k < n; k++) {
            unsigned cap = NEXT() % 4;
            m[k] = (hm_admission){brands[NEXT() % 2],     rcpts[NEXT() % 6], channels[NEXT() % 2],
                                  categories[NEXT() % 4], (int)(NEXT() % 2), cap,
                                  NEXT() % 2 ? DAY : WEEK};
            want_reset[k] = 0;
            CHECK_RC(hm_store_admit(ref, &m[k], 1, now, &want[k], &want_reset[k], NULL, 0),
                     HALLMARK_OK);
        }
        CHECK_RC(hm_store_admit(f.store, m, n, now, got, got_reset, NULL, 0), HALLMARK_OK);
        for (k = 0; k < n; k++) {
            int same = got[k] == want[k] &&
                       (want[k] != HALLMARK_ERR_VOLUME_CAP || got_reset[k] == want_reset[k]);
            if (!same) {
                printf("  round %d message %zu (%s %.8s %s %s cap %u): %s, want %s\n", round, k,
                       m[k].brand, m[k].rcpt, m[k].channel, m[k].category, m[k].cap_max,
                       hallmark_strerror(got[k]), hallmark_strerror(want[k]));
            }
            CHECK(same);
            agreed += same;
            opted_out += want[k] == HALLMARK_ERR_RECIPIENT_OPTED_OUT;
            capped += want[k] == HALLMARK_ERR_VOLUME_CAP;
            no_opt_in += want[k] == HALLMARK_ERR_OPT_IN_REQUIRED;
        }
    }
#undef NEXT
    /* The walk reaches every kind of verdict, not only the easy ones. */
    printf("  %d agreed: %d opted out, %d capped, %d without an opt-in\n", agreed, opted_out,
           capped, no_opt_in);
    CHECK(agreed > 500 && opted_out > 100 && capped > 25 && no_opt_in > 25);
    hm_store_close(ref);
    sqlite_dir_remove(dir, "ref.db");
    fresh_close(&f);
}

struct admitter {
    hm_store *store;
    const char *rcpt;
    int admitted;
    hallmark_result rc;
};

static void *
admit_many(void *arg)
{
    struct admitter *a = arg;
    int i;

    a->rc = HALLMARK_OK;
    for (i = 0; i < 25 && a->rc == HALLMARK_OK; i++) {
        hm_admission m = {"acme-bank", a->rcpt, "sms", "marketing", 0, 3, WEEK};
        hallmark_result v;
        int64_t reset;
        a->rc = hm_store_admit(a->store, &m, 1, T0 + 5000, &v, &reset, NULL, 0);
        a->admitted += v == HALLMARK_OK;
    }
    return NULL;
}

/* Eight threads on two connections (two nodes), 200 admissions to one recipient under a cap of
 * 3: exactly 3 are admitted. */
TEST(store_cap_exact_across_two_connections)
{
    struct fresh f;
    hm_store *second = NULL;
    struct admitter a[8];
    pthread_t th[8];
    char r[44], err[512] = "";
    int i, total = 0;

    CHECK(fresh_open(&f) == 0);
    CHECK_RC(hm_store_open(f.spec, &second, err, sizeof err), HALLMARK_OK);
    key_of(r, "exact", 1);
    for (i = 0; i < 8; i++) {
        a[i] = (struct admitter){i < 4 ? f.store : second, r, 0, HALLMARK_OK};
        CHECK(pthread_create(&th[i], NULL, admit_many, &a[i]) == 0);
    }
    for (i = 0; i < 8; i++) {
        (void)pthread_join(th[i], NULL);
        CHECK_RC(a[i].rc, HALLMARK_OK);
        total += a[i].admitted;
    }
    CHECK(total == 3);
    hm_store_close(second);
    fresh_close(&f);
}

/* The ledger lists every change in order with its evidence; bad input changes nothing. */
TEST(store_consent_ledger_lists_and_refuses_bad_input)
{
    struct fresh f;
    hm_consent_row *rows = NULL;
    size_t n = 0;
    char r[44];
    hm_consent_change bad = {"acme-bank", "not-a-key", "all", "sms", "keyword", "STOP", 0, T0, 0};
    hm_admission m = {"acme-bank", "short", "sms", "marketing", 0, 0, 0};
    hallmark_result v;
    int64_t reset;

    CHECK(fresh_open(&f) == 0);
    key_of(r, "ledger", 1);
    CHECK_RC(hm_store_consent_put(f.store, &bad, NULL, 0), HALLMARK_ERR_INVALID_ARGUMENT);
    bad.rcpt = r;
    bad.scope = "promotions";
    CHECK_RC(hm_store_consent_put(f.store, &bad, NULL, 0), HALLMARK_ERR_INVALID_ARGUMENT);
    bad.scope = "all";
    bad.source = "carrier";
    CHECK_RC(hm_store_consent_put(f.store, &bad, NULL, 0), HALLMARK_ERR_INVALID_ARGUMENT);
    bad.source = "keyword";
    bad.evidence = "STOP\n";
    CHECK_RC(hm_store_consent_put(f.store, &bad, NULL, 0), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_store_admit(f.store, &m, 1, T0, &v, &reset, NULL, 0),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_store_consent_list(f.store, "acme-bank", r, 10, &rows, &n, NULL, 0), HALLMARK_OK);
    CHECK(n == 0);
    free(rows);
    bad.evidence = "STOP to ACMEBANK; it's \"quoted\"";
    CHECK_RC(hm_store_consent_put(f.store, &bad, NULL, 0), HALLMARK_OK);
    CHECK_RC(change(f.store, r, "marketing", "all", 1, "app", T0 + 5), HALLMARK_OK);
    /* A change made once per evidence (a one-tap token): the second is refused, nothing written. */
    bad.once = 1;
    bad.evidence = "jti u-1";
    bad.source = "app";
    bad.at = T0 + 6;
    CHECK_RC(hm_store_consent_put(f.store, &bad, NULL, 0), HALLMARK_OK);
    bad.choice = 1;
    CHECK_RC(hm_store_consent_put(f.store, &bad, NULL, 0), HALLMARK_ERR_FORBIDDEN);
    CHECK_RC(hm_store_consent_list(f.store, "acme-bank", r, 10, &rows, &n, NULL, 0), HALLMARK_OK);
    CHECK(n == 3);
    if (n == 3) {
        CHECK(rows[2].choice == 0 && strcmp(rows[2].evidence, "jti u-1") == 0);
    }
    free(rows);
    CHECK_RC(hm_store_consent_list(f.store, "acme-bank", r, 2, &rows, &n, NULL, 0), HALLMARK_OK);
    CHECK(n == 2);
    if (n == 2) {
        CHECK(rows[0].choice == 0 && rows[0].at == T0 && strcmp(rows[0].scope, "all") == 0 &&
              strcmp(rows[0].channel, "sms") == 0 && strcmp(rows[0].source, "keyword") == 0 &&
              strcmp(rows[0].evidence, "STOP to ACMEBANK; it's \"quoted\"") == 0);
        CHECK(rows[1].choice == 1 && rows[1].seq > rows[0].seq &&
              strcmp(rows[1].scope, "marketing") == 0 && strcmp(rows[1].source, "app") == 0);
    }
    free(rows);
    fresh_close(&f);
}
