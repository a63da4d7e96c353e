/* The PostgreSQL backend of hm_store, for several signer and directory nodes on one database.
 * Tokens live in hallmark_tokens, partitioned by day of purge time (exp + 300): a purge drops
 * whole days, at a cost that does not grow with the tokens still live. Schema changes and
 * partition creation and removal take one advisory lock, so that nodes starting or purging at the
 * same time never race. A lost connection is reset on the next call; every call is bounded by
 * connect_timeout and statement_timeout (10 s unless the connection string says otherwise). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_errorf.h"
#include "hm_store_backend.h"

#define DAY 86400
#define LOCK_ID "7283645101"         /* pg_advisory_xact_lock key of hallmark's schema work */
#define KNOWN_DAYS 64                /* partitions this connection knows exist */
#define INSERT_CHUNK ((size_t)65536) /* bytes per array literal before it grows */

struct pg_store {
    PGconn *conn;
    long long days[KNOWN_DAYS];
    size_t day_count;
};

/* Steps as for SQLite: steps[v] takes the schema from v to v + 1. */
static const char *const steps[HM_STORE_SCHEMA] = {
    "CREATE TABLE hallmark_meta (name text PRIMARY KEY, value text NOT NULL);"
    "INSERT INTO hallmark_meta VALUES ('kind', 'hallmark-store'), ('schema', '0');"
    "CREATE TABLE hallmark_tokens (seq bigserial, lookup_key text NOT NULL, iat bigint NOT NULL,"
    " purge_at bigint NOT NULL, token text NOT NULL) PARTITION BY RANGE (purge_at);"
    "CREATE INDEX hallmark_tokens_by_key ON hallmark_tokens (lookup_key, iat DESC, seq DESC);",
    /* 2: SQLite's tokens moved to one table a day; PostgreSQL's were partitioned from the start. */
    "SELECT 1",
    /* 3: the consent ledger, the signing times of capped categories and one row per brand and
     * recipient to lock. Schema 3 also made hallmark_admit, a loop over the request's messages;
     * step 4 replaces it, so a new store makes only step 4's. */
    "CREATE TABLE hallmark_consent (seq bigserial PRIMARY KEY, brand text NOT NULL,"
    " rcpt text NOT NULL, scope text NOT NULL, channel text NOT NULL, choice int NOT NULL,"
    " source text NOT NULL, evidence text NOT NULL, at bigint NOT NULL);"
    "CREATE INDEX hallmark_consent_by_rcpt ON hallmark_consent (brand, rcpt, seq);"
    "CREATE TABLE hallmark_recipients (brand text NOT NULL, rcpt text NOT NULL,"
    " PRIMARY KEY (brand, rcpt));"
    "CREATE TABLE hallmark_sends (brand text NOT NULL, rcpt text NOT NULL,"
    " category text NOT NULL, at bigint NOT NULL);"
    "CREATE INDEX hallmark_sends_by_rcpt ON hallmark_sends (brand, rcpt, category, at);"
    "CREATE INDEX hallmark_sends_by_at ON hallmark_sends (at);",
    /* 4: hallmark_admit, a whole request's decisions in one round trip: its recipients locked in
     * one order (no deadlock between nodes), every read after the locks (READ COMMITTED: each
     * statement sees what the previous holder committed). One statement decides every message
     * whose recipient is alone in the request: nothing another message of the request does can
     * change its verdict (every read and write is keyed by brand and recipient), so the order
     * between them does not matter. Messages to a recipient named more than once still go one by
     * one, in the request's order, after it: each sees what the earlier ones appended. Same
     * verdicts as schema 3's loop (test_store: store_admit_matches_the_one_by_one_rules), a few
     * statements a request instead of three a message. */
    "CREATE OR REPLACE FUNCTION hallmark_admit(b text[], r text[], ch text[], cat text[],"
    " opt_in bool[], cap_max int[], cap_period bigint[], now bigint, confirm_window bigint,"
    " OUT verdict int[], OUT reset bigint[]) LANGUAGE plpgsql AS $f$"
    " DECLARE i int; j int; c record; has bool; confirm bool; counted bigint; nth bigint;"
    "  n int := coalesce(array_length(b, 1), 0); idx bigint[]; vs int[]; rs bigint[];"
    " BEGIN"
    "  verdict := array_fill(NULL::int, ARRAY[n]); reset := array_fill(NULL::bigint, ARRAY[n]);"
    "  INSERT INTO hallmark_recipients SELECT DISTINCT x.b, x.r FROM unnest(b, r) AS x(b, r)"
    "   ORDER BY 1, 2 ON CONFLICT DO NOTHING;"
    "  PERFORM 1 FROM hallmark_recipients h WHERE (h.brand, h.rcpt) IN"
    "   (SELECT * FROM unnest(b, r)) ORDER BY h.brand, h.rcpt FOR UPDATE;"
    "  WITH m AS (SELECT x.*, count(*) OVER (PARTITION BY x.b, x.r) AS named"
    "    FROM unnest(b, r, ch, cat, opt_in, cap_max, cap_period) WITH ORDINALITY"
    "    AS x(b, r, ch, cat, opt_in, cap_max, cap_period, i)),"
    "   d AS (SELECT m.i, m.b, m.r, m.cat, m.cap_max, m.cap_period, l.choice = 0 AS stopped,"
    "    CASE WHEN l.choice = 0 AND (m.cat <> 'service' OR l.source <> 'keyword'"
    "      OR now >= l.at + confirm_window OR EXISTS (SELECT 1 FROM hallmark_sends s"
    "       WHERE s.brand = m.b AND s.rcpt = m.r AND s.category = 'service' AND s.at >= l.at))"
    "     THEN 73"
    "     WHEN l.choice IS NULL AND m.opt_in AND m.cat = 'marketing' THEN 75"
    "     WHEN m.cap_max > 0 THEN CASE WHEN (SELECT count(*) FROM hallmark_sends s"
    "       WHERE s.brand = m.b AND s.rcpt = m.r AND s.category = m.cat"
    "       AND s.at > now - m.cap_period) >= m.cap_max THEN 74 ELSE 0 END"
    "     ELSE 0 END AS v"
    "    FROM m LEFT JOIN LATERAL (SELECT choice, source, at FROM hallmark_consent"
    "     WHERE brand = m.b AND rcpt = m.r AND scope IN (m.cat, 'all')"
    "     AND channel IN (m.ch, 'all') ORDER BY seq DESC LIMIT 1) l ON true"
    "    WHERE m.named = 1),"
    "   sent AS (INSERT INTO hallmark_sends SELECT d.b, d.r, d.cat, now FROM d"
    "    WHERE d.v = 0 AND (d.cap_max > 0 OR d.stopped))"
    "  SELECT array_agg(d.i ORDER BY d.i), array_agg(d.v ORDER BY d.i),"
    "   array_agg(CASE WHEN d.v = 74 THEN (SELECT s.at FROM hallmark_sends s"
    "     WHERE s.brand = d.b AND s.rcpt = d.r AND s.category = d.cat"
    "     AND s.at > now - d.cap_period ORDER BY s.at OFFSET (SELECT count(*)"
    "      FROM hallmark_sends s WHERE s.brand = d.b AND s.rcpt = d.r AND s.category = d.cat"
    "      AND s.at > now - d.cap_period) - d.cap_max LIMIT 1) + d.cap_period ELSE 0 END"
    "    ORDER BY d.i) INTO idx, vs, rs FROM d;"
    "  FOR j IN 1 .. coalesce(array_length(idx, 1), 0) LOOP"
    "   verdict[idx[j]] := vs[j]; reset[idx[j]] := rs[j];"
    "  END LOOP;"
    "  FOR i IN 1 .. n LOOP"
    "   CONTINUE WHEN verdict[i] IS NOT NULL;"
    "   confirm := false;"
    "   SELECT choice, source, at INTO c FROM hallmark_consent WHERE brand = b[i]"
    "    AND rcpt = r[i] AND scope IN (cat[i], 'all') AND channel IN (ch[i], 'all')"
    "    ORDER BY seq DESC LIMIT 1;"
    "   has := FOUND;"
    "   IF has AND c.choice = 0 THEN"
    "    IF cat[i] <> 'service' OR c.source <> 'keyword' OR now >= c.at + confirm_window"
    "     OR EXISTS (SELECT 1 FROM hallmark_sends WHERE brand = b[i] AND rcpt = r[i]"
    "      AND category = 'service' AND at >= c.at) THEN"
    "     verdict[i] := 73; reset[i] := 0; CONTINUE;"
    "    END IF;"
    "    confirm := true;"
    "   ELSIF opt_in[i] AND cat[i] = 'marketing' AND NOT has THEN"
    "    verdict[i] := 75; reset[i] := 0; CONTINUE;"
    "   END IF;"
    "   IF cap_max[i] > 0 THEN"
    "    SELECT count(*) INTO counted FROM hallmark_sends WHERE brand = b[i] AND rcpt = r[i]"
    "     AND category = cat[i] AND at > now - cap_period[i];"
    "    IF counted >= cap_max[i] THEN"
    "     SELECT at INTO nth FROM hallmark_sends WHERE brand = b[i] AND rcpt = r[i]"
    "      AND category = cat[i] AND at > now - cap_period[i] ORDER BY at"
    "      OFFSET counted - cap_max[i] LIMIT 1;"
    "     verdict[i] := 74; reset[i] := nth + cap_period[i]; CONTINUE;"
    "    END IF;"
    "   END IF;"
    "   IF cap_max[i] > 0 OR confirm THEN"
    "    INSERT INTO hallmark_sends VALUES (b[i], r[i], cat[i], now);"
    "   END IF;"
    "   verdict[i] := 0; reset[i] := 0;"
    "  END LOOP;"
    " END $f$;",
};

static hallmark_result
pg_failed(PGconn *c, const char *what, char *err, size_t err_cap)
{
    const char *msg = c != NULL ? PQerrorMessage(c) : "no connection";
    size_t n = strlen(msg);

    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) {
        n--;
    }
    hm_errorf(err, err_cap, "store (postgres): %s: %.*s", what, (int)n, msg);
    return HALLMARK_ERR_UNAVAILABLE;
}

/* Runs sql; 1 if it succeeded (a command or a query). */
static int
run(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    int ok = r != NULL &&
             (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);

    PQclear(r);
    return ok;
}

/* A connection that works: reset once if it was lost (the server restarted). */
static int
alive(struct pg_store *s)
{
    if (PQstatus(s->conn) == CONNECTION_OK) {
        return 1;
    }
    PQreset(s->conn);
    s->day_count = 0;
    return PQstatus(s->conn) == CONNECTION_OK;
}

/* Creates or migrates the schema under the advisory lock, in one transaction. */
static hallmark_result
schema_ready(PGconn *c, char *err, size_t err_cap)
{
    PGresult *r;
    int version = 0, v, ours = 0, has_meta, has_tokens;
    char sql[96];

    if (!run(c, "BEGIN") || !run(c, "SELECT pg_advisory_xact_lock(" LOCK_ID ")")) {
        return pg_failed(c, "cannot lock the schema", err, err_cap);
    }
    r = PQexec(c, "SELECT to_regclass('hallmark_meta') IS NOT NULL,"
                  " to_regclass('hallmark_tokens') IS NOT NULL");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        PQclear(r);
        (void)run(c, "ROLLBACK");
        return pg_failed(c, "cannot read the schema", err, err_cap);
    }
    has_meta = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    has_tokens = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
    PQclear(r);
    if (has_meta) {
        r = PQexec(c, "SELECT (SELECT value FROM hallmark_meta WHERE name = 'kind'),"
                      " (SELECT value FROM hallmark_meta WHERE name = 'schema')");
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
            ours = !PQgetisnull(r, 0, 0) && strcmp(PQgetvalue(r, 0, 0), "hallmark-store") == 0;
            version = PQgetisnull(r, 0, 1) ? -1 : atoi(PQgetvalue(r, 0, 1));
        }
        PQclear(r);
    }
    if ((has_meta && (!ours || version < 0)) || (!has_meta && has_tokens)) {
        (void)run(c, "ROLLBACK");
        hm_errorf(err, err_cap,
                  "store (postgres): this database has hallmark tables that are not "
                  "a Hallmark store: give another database; nothing was changed");
        return HALLMARK_ERR_CORRUPT;
    }
    if (version > HM_STORE_SCHEMA) {
        (void)run(c, "ROLLBACK");
        hm_errorf(err, err_cap,
                  "store (postgres): schema %d is newer than this program's (%d): run "
                  "a newer hallmark-signer; nothing was changed",
                  version, HM_STORE_SCHEMA);
        return HALLMARK_ERR_CORRUPT;
    }
    for (v = version < 0 ? 0 : version; v < HM_STORE_SCHEMA; v++) {
        if (!run(c, steps[v])) {
            hallmark_result rc = pg_failed(c, "schema step", err, err_cap);
            (void)run(c, "ROLLBACK");
            return rc;
        }
    }
    (void)snprintf(sql, sizeof sql, "UPDATE hallmark_meta SET value = '%d' WHERE name = 'schema'",
                   HM_STORE_SCHEMA);
    if (!run(c, sql) || !run(c, "COMMIT")) {
        hallmark_result rc = pg_failed(c, "cannot write the schema", err, err_cap);
        (void)run(c, "ROLLBACK");
        return rc;
    }
    return HALLMARK_OK;
}

static void
pg_close(void *p)
{
    struct pg_store *s = p;

    if (s != NULL) {
        PQfinish(s->conn);
        free(s);
    }
}

static hallmark_result
pg_open(const char *conninfo, void **out, char *err, size_t err_cap)
{
    /* Our defaults first: the caller's connection string, expanded from dbname, overrides them. */
    static const char *const keys[] = {"connect_timeout", "options", "application_name", "dbname",
                                       NULL};
    const char *values[] = {"10", "-c statement_timeout=10000", "hallmark", conninfo, NULL};
    struct pg_store *s = calloc(1, sizeof *s);
    hallmark_result rc;

    if (s == NULL) {
        hm_errorf(err, err_cap, "out of memory");
        return HALLMARK_ERR_NOMEM;
    }
    s->conn = PQconnectdbParams(keys, values, 1);
    if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK) {
        (void)pg_failed(s->conn, "cannot connect", err, err_cap);
        pg_close(s);
        return HALLMARK_ERR_IO;
    }
    if (!run(s->conn, "SET client_min_messages = warning")) {
        (void)pg_failed(s->conn, "cannot set up the session", err, err_cap);
        pg_close(s);
        return HALLMARK_ERR_IO;
    }
    if ((rc = schema_ready(s->conn, err, err_cap)) != HALLMARK_OK) {
        pg_close(s);
        return rc;
    }
    *out = s;
    return HALLMARK_OK;
}

/* Makes sure the partition of purge day `day` exists. */
static int
partition_ready(struct pg_store *s, long long day)
{
    char sql[256];
    size_t i;

    for (i = 0; i < s->day_count; i++) {
        if (s->days[i] == day) {
            return 1;
        }
    }
    (void)snprintf(sql, sizeof sql,
                   "CREATE TABLE IF NOT EXISTS hallmark_tokens_d%lld PARTITION OF hallmark_tokens"
                   " FOR VALUES FROM (%lld) TO (%lld)",
                   day, day * DAY, (day + 1) * DAY);
    if (!run(s->conn, "BEGIN") || !run(s->conn, "SELECT pg_advisory_xact_lock(" LOCK_ID ")") ||
        !run(s->conn, sql) || !run(s->conn, "COMMIT")) {
        (void)run(s->conn, "ROLLBACK");
        return 0;
    }
    if (s->day_count == KNOWN_DAYS) {
        s->day_count = 0;
    }
    s->days[s->day_count++] = day;
    return 1;
}

/* Appends text to a growing buffer; 0 when out of memory. */
static int
append(char **buf, size_t *len, size_t *cap, const char *text)
{
    size_t n = strlen(text);

    if (*len + n + 1 > *cap) {
        size_t want = (*cap + n + 1) * 2;
        char *grown = realloc(*buf, want > INSERT_CHUNK ? want : INSERT_CHUNK);
        if (grown == NULL) {
            return 0;
        }
        *buf = grown;
        *cap = want > INSERT_CHUNK ? want : INSERT_CHUNK;
    }
    memcpy(*buf + *len, text, n + 1);
    *len += n;
    return 1;
}

/* One statement for the whole put: arrays of keys, iats, purge times and tokens (their characters
 * are base64url and '.', checked by hm_store.c, so the array literals need no quoting). */
static hallmark_result
pg_put(void *p, const hm_store_token *t, size_t n, char *err, size_t err_cap)
{
    struct pg_store *s = p;
    char *arrays[4] = {NULL, NULL, NULL, NULL}, num[32];
    size_t len[4] = {0, 0, 0, 0}, cap[4] = {0, 0, 0, 0}, i, a;
    const char *params[4];
    PGresult *r;
    int ok = 1;

    if (!alive(s)) {
        return pg_failed(s->conn, "no connection", err, err_cap);
    }
    for (i = 0; ok && i < n; i++) {
        ok = partition_ready(s, (t[i].exp + HM_STORE_KEEP_AFTER_EXP) / DAY);
    }
    if (!ok) {
        return pg_failed(s->conn, "cannot create the day's partition", err, err_cap);
    }
    for (a = 0; a < 4; a++) {
        ok = ok && append(&arrays[a], &len[a], &cap[a], "{");
    }
    for (i = 0; ok && i < n; i++) {
        const char *sep = i + 1 < n ? "," : "}";
        ok = append(&arrays[0], &len[0], &cap[0], t[i].key) &&
             append(&arrays[0], &len[0], &cap[0], sep);
        (void)snprintf(num, sizeof num, "%lld", (long long)t[i].iat);
        ok = ok && append(&arrays[1], &len[1], &cap[1], num) &&
             append(&arrays[1], &len[1], &cap[1], sep);
        (void)snprintf(num, sizeof num, "%lld", (long long)t[i].exp + HM_STORE_KEEP_AFTER_EXP);
        ok = ok && append(&arrays[2], &len[2], &cap[2], num) &&
             append(&arrays[2], &len[2], &cap[2], sep);
        ok = ok && append(&arrays[3], &len[3], &cap[3], t[i].token) &&
             append(&arrays[3], &len[3], &cap[3], sep);
    }
    if (!ok) {
        for (a = 0; a < 4; a++) {
            free(arrays[a]);
        }
        hm_errorf(err, err_cap, "out of memory");
        return HALLMARK_ERR_NOMEM;
    }
    for (a = 0; a < 4; a++) {
        params[a] = arrays[a];
    }
    r = PQexecParams(s->conn,
                     "INSERT INTO hallmark_tokens (lookup_key, iat, purge_at, token)"
                     " SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[])",
                     4, NULL, params, NULL, NULL, 0);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    for (a = 0; a < 4; a++) {
        free(arrays[a]);
    }
    return ok ? HALLMARK_OK : pg_failed(s->conn, "put", err, err_cap);
}

static hallmark_result
pg_get(void *p, const char *key, int64_t now, size_t max, char **out, size_t *count, char *err,
       size_t err_cap)
{
    struct pg_store *s = p;
    char now_text[32], max_text[32];
    const char *params[3] = {key, now_text, max_text};
    PGresult *r;
    int i, rows;

    if (!alive(s)) {
        return pg_failed(s->conn, "no connection", err, err_cap);
    }
    (void)snprintf(now_text, sizeof now_text, "%lld", (long long)now);
    (void)snprintf(max_text, sizeof max_text, "%zu", max);
    r = PQexecParams(s->conn,
                     "SELECT token FROM hallmark_tokens WHERE lookup_key = $1 AND purge_at > $2"
                     " ORDER BY iat DESC, seq DESC LIMIT $3",
                     3, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return pg_failed(s->conn, "get", err, err_cap);
    }
    rows = PQntuples(r);
    for (i = 0; i < rows && *count < max; i++) {
        if ((out[*count] = strdup(PQgetvalue(r, i, 0))) == NULL) {
            PQclear(r);
            hm_errorf(err, err_cap, "out of memory");
            return HALLMARK_ERR_NOMEM;
        }
        (*count)++;
    }
    PQclear(r);
    return HALLMARK_OK;
}

/* Drops every day partition that ends at or before now, counting its rows. */
static hallmark_result
pg_purge(void *p, int64_t now, size_t budget, uint64_t *removed, char *err, size_t err_cap)
{
    struct pg_store *s = p;
    PGresult *r;
    char sql[256];
    int i, rows;

    (void)budget; /* a day is dropped whole, whatever its size */
    if (!alive(s)) {
        return pg_failed(s->conn, "no connection", err, err_cap);
    }
    if (!run(s->conn, "BEGIN") || !run(s->conn, "SELECT pg_advisory_xact_lock(" LOCK_ID ")")) {
        (void)run(s->conn, "ROLLBACK");
        return pg_failed(s->conn, "purge: cannot lock", err, err_cap);
    }
    r = PQexec(s->conn, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                        " WHERE i.inhparent = 'hallmark_tokens'::regclass");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        (void)run(s->conn, "ROLLBACK");
        return pg_failed(s->conn, "purge: cannot list the partitions", err, err_cap);
    }
    rows = PQntuples(r);
    for (i = 0; i < rows; i++) {
        long long day;
        char tail;
        PGresult *n;
        if (sscanf(PQgetvalue(r, i, 0), "hallmark_tokens_d%lld%c", &day, &tail) != 1 ||
            (day + 1) * DAY > now) {
            continue;
        }
        (void)snprintf(sql, sizeof sql, "SELECT count(*) FROM hallmark_tokens_d%lld", day);
        n = PQexec(s->conn, sql);
        if (PQresultStatus(n) == PGRES_TUPLES_OK && PQntuples(n) == 1) {
            *removed += strtoull(PQgetvalue(n, 0, 0), NULL, 10);
        }
        PQclear(n);
        (void)snprintf(sql, sizeof sql, "DROP TABLE hallmark_tokens_d%lld", day);
        if (!run(s->conn, sql)) {
            PQclear(r);
            (void)run(s->conn, "ROLLBACK");
            return pg_failed(s->conn, "purge: cannot drop a day", err, err_cap);
        }
    }
    PQclear(r);
    /* Signing times past the longest cap period, oldest first, a bounded number a step. */
    (void)snprintf(sql, sizeof sql,
                   "DELETE FROM hallmark_sends WHERE ctid = ANY(ARRAY(SELECT ctid FROM"
                   " hallmark_sends WHERE at < %lld ORDER BY at LIMIT %d))",
                   (long long)(now - HM_STORE_SENDS_KEEP), HM_STORE_SENDS_PURGE_MAX);
    if (!run(s->conn, sql) || !run(s->conn, "COMMIT")) {
        (void)run(s->conn, "ROLLBACK");
        return pg_failed(s->conn, "purge", err, err_cap);
    }
    s->day_count = 0; /* some known days may be gone */
    return HALLMARK_OK;
}

/* Text arrays of words the caller checked ([a-z0-9-] and base64url: no quoting needed). */
static int
append_word(char **buf, size_t *len, size_t *cap, const char *w, int last)
{
    return append(buf, len, cap, w) && append(buf, len, cap, last ? "}" : ",");
}

enum { A_BRAND, A_RCPT, A_CHANNEL, A_CATEGORY, A_OPT_IN, A_MAX, A_PERIOD, ARRAYS };

/* Deadlocks and serialization failures between nodes are retried (the transaction did nothing). */
#define ADMIT_TRIES 5

static hallmark_result
pg_admit(void *p, const hm_admission *m, size_t n, int64_t now, hallmark_result *verdict,
         int64_t *reset, char *err, size_t err_cap)
{
    struct pg_store *s = p;
    char *arrays[ARRAYS] = {NULL}, num[32], now_text[32], window[32];
    size_t len[ARRAYS] = {0}, cap[ARRAYS] = {0}, i, a;
    const char *params[ARRAYS + 2];
    PGresult *r = NULL;
    int ok = 1, tries;

    if (!alive(s)) {
        return pg_failed(s->conn, "no connection", err, err_cap);
    }
    for (a = 0; a < ARRAYS; a++) {
        ok = ok && append(&arrays[a], &len[a], &cap[a], "{");
    }
    for (i = 0; ok && i < n; i++) {
        int last = i + 1 == n;
        ok =
            append_word(&arrays[A_BRAND], &len[A_BRAND], &cap[A_BRAND], m[i].brand, last) &&
            append_word(&arrays[A_RCPT], &len[A_RCPT], &cap[A_RCPT], m[i].rcpt, last) &&
            append_word(&arrays[A_CHANNEL], &len[A_CHANNEL], &cap[A_CHANNEL], m[i].channel, last) &&
            append_word(&arrays[A_CATEGORY], &len[A_CATEGORY], &cap[A_CATEGORY], m[i].category,
                        last) &&
            append_word(&arrays[A_OPT_IN], &len[A_OPT_IN], &cap[A_OPT_IN],
                        m[i].opt_in_required ? "t" : "f", last);
        (void)snprintf(num, sizeof num, "%u", m[i].cap_max);
        ok = ok && append_word(&arrays[A_MAX], &len[A_MAX], &cap[A_MAX], num, last);
        (void)snprintf(num, sizeof num, "%lld", (long long)m[i].cap_period);
        ok = ok && append_word(&arrays[A_PERIOD], &len[A_PERIOD], &cap[A_PERIOD], num, last);
    }
    if (!ok) {
        for (a = 0; a < ARRAYS; a++) {
            free(arrays[a]);
        }
        hm_errorf(err, err_cap, "out of memory");
        return HALLMARK_ERR_NOMEM;
    }
    (void)snprintf(now_text, sizeof now_text, "%lld", (long long)now);
    (void)snprintf(window, sizeof window, "%d", HM_CONSENT_CONFIRM_WINDOW);
    for (a = 0; a < ARRAYS; a++) {
        params[a] = arrays[a];
    }
    params[ARRAYS] = now_text;
    params[ARRAYS + 1] = window;
    for (tries = 0; tries < ADMIT_TRIES; tries++) {
        const char *state;
        PQclear(r);
        r = PQexecParams(s->conn,
                         "SELECT verdict, reset FROM hallmark_admit($1::text[], $2::text[],"
                         " $3::text[], $4::text[], $5::bool[], $6::int[], $7::bigint[],"
                         " $8::bigint, $9::bigint)",
                         ARRAYS + 2, NULL, params, NULL, NULL, 0);
        state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (PQresultStatus(r) == PGRES_TUPLES_OK || state == NULL ||
            (strcmp(state, "40P01") != 0 && strcmp(state, "40001") != 0)) {
            break;
        }
    }
    for (a = 0; a < ARRAYS; a++) {
        free(arrays[a]);
    }
    ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    if (ok) {
        /* "{0,74,...}" and "{0,1795000000,...}": n numbers each. */
        const char *v = PQgetvalue(r, 0, 0), *t = PQgetvalue(r, 0, 1);
        for (i = 0; ok && i < n; i++) {
            char *end;
            long code = strtol(v + 1, &end, 10);
            long long when;
            ok = *end == (i + 1 == n ? '}' : ',');
            v = end;
            when = strtoll(t + 1, &end, 10);
            ok = ok && *end == (i + 1 == n ? '}' : ',');
            t = end;
            verdict[i] = code == 0    ? HALLMARK_OK
                         : code == 73 ? HALLMARK_ERR_RECIPIENT_OPTED_OUT
                         : code == 74 ? HALLMARK_ERR_VOLUME_CAP
                         : code == 75 ? HALLMARK_ERR_OPT_IN_REQUIRED
                                      : HALLMARK_ERR_UNAVAILABLE;
            reset[i] = when;
        }
    }
    PQclear(r);
    if (!ok) {
        for (i = 0; i < n; i++) {
            verdict[i] = HALLMARK_ERR_UNAVAILABLE;
            reset[i] = 0;
        }
        return pg_failed(s->conn, "consent check", err, err_cap);
    }
    return HALLMARK_OK;
}

static hallmark_result
pg_consent_put(void *p, const hm_consent_change *c, char *err, size_t err_cap)
{
    struct pg_store *s = p;
    char choice[4], at[32];
    const char *params[8] = {c->brand, c->rcpt,   c->scope,    c->channel,
                             choice,   c->source, c->evidence, at};
    PGresult *r;
    int ok;

    if (!alive(s)) {
        return pg_failed(s->conn, "no connection", err, err_cap);
    }
    (void)snprintf(choice, sizeof choice, "%d", c->choice);
    (void)snprintf(at, sizeof at, "%lld", (long long)c->at);
    /* One transaction: the recipient's row is locked first, so an admission that started before
     * this change finishes first and every later one sees it (HM-CARRY-47). */
    if (!run(s->conn, "BEGIN")) {
        return pg_failed(s->conn, "consent change", err, err_cap);
    }
    r = PQexecParams(s->conn,
                     "INSERT INTO hallmark_recipients VALUES ($1, $2)"
                     " ON CONFLICT (brand, rcpt) DO UPDATE SET brand = EXCLUDED.brand",
                     2, NULL, params, NULL, NULL, 0);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (ok && c->once) { /* after the lock: a new snapshot sees what the last holder wrote */
        const char *has[3] = {c->brand, c->rcpt, c->evidence};
        r = PQexecParams(s->conn,
                         "SELECT 1 FROM hallmark_consent WHERE brand = $1 AND rcpt = $2"
                         " AND evidence = $3 LIMIT 1",
                         3, NULL, has, NULL, NULL, 0);
        ok = PQresultStatus(r) == PGRES_TUPLES_OK;
        if (ok && PQntuples(r) > 0) {
            PQclear(r);
            (void)run(s->conn, "ROLLBACK");
            hm_errorf(err, err_cap, "this evidence is already in the recipient's ledger");
            return HALLMARK_ERR_FORBIDDEN;
        }
        PQclear(r);
    }
    if (ok) {
        r = PQexecParams(
            s->conn,
            "INSERT INTO hallmark_consent (brand, rcpt, scope, channel, choice, source,"
            " evidence, at) VALUES ($1, $2, $3, $4, $5::int, $6, $7, $8::bigint)",
            8, NULL, params, NULL, NULL, 0);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
    }
    if (!ok || !run(s->conn, "COMMIT")) {
        hallmark_result rc = pg_failed(s->conn, "consent change", err, err_cap);
        (void)run(s->conn, "ROLLBACK");
        return rc;
    }
    return HALLMARK_OK;
}

static hallmark_result
pg_consent_list(void *p, const char *brand, const char *rcpt, size_t max, hm_consent_row *rows,
                size_t *count, char *err, size_t err_cap)
{
    struct pg_store *s = p;
    char max_text[32];
    const char *params[3] = {brand, rcpt, max_text};
    PGresult *r;
    int i, n;

    if (!alive(s)) {
        return pg_failed(s->conn, "no connection", err, err_cap);
    }
    (void)snprintf(max_text, sizeof max_text, "%zu", max);
    r = PQexecParams(
        s->conn,
        "SELECT seq, at, choice, scope, channel, source, evidence FROM hallmark_consent"
        " WHERE brand = $1 AND rcpt = $2 ORDER BY seq LIMIT $3",
        3, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return pg_failed(s->conn, "consent list", err, err_cap);
    }
    n = PQntuples(r);
    for (i = 0; i < n && *count < max; i++) {
        hm_consent_row *row = &rows[(*count)++];
        row->seq = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        row->at = strtoll(PQgetvalue(r, i, 1), NULL, 10);
        row->choice = atoi(PQgetvalue(r, i, 2));
        (void)snprintf(row->scope, sizeof row->scope, "%s", PQgetvalue(r, i, 3));
        (void)snprintf(row->channel, sizeof row->channel, "%s", PQgetvalue(r, i, 4));
        (void)snprintf(row->source, sizeof row->source, "%s", PQgetvalue(r, i, 5));
        (void)snprintf(row->evidence, sizeof row->evidence, "%s", PQgetvalue(r, i, 6));
    }
    PQclear(r);
    return HALLMARK_OK;
}

const struct hm_store_backend hm_store_postgres = {"postgres",      pg_open,  pg_put,
                                                   pg_get,          pg_purge, pg_consent_put,
                                                   pg_consent_list, pg_admit, pg_close};
