/* hm_store: the platform's store, behind one small interface with one file per backend: SQLite
 * (hm_store_sqlite.c), the embedded default, a file beside the signature log; PostgreSQL
 * (hm_store_pg.c) for several signer and directory nodes. The same suite runs against both
 * (tests/store/store_suite.c, tests/cli/store.sh).
 *
 * What it keeps: the token directory of spec §9.6 (HM-CARRY-15 to HM-CARRY-18): every token that
 * travels without its message (SMS; RCS or WhatsApp with directory carriage), under its lookup
 * key, until at least exp + 300; and the consent ledger and the signing times of capped
 * categories of spec §9.7 (HM-CARRY-47 to HM-CARRY-50), per brand and recipient, the recipient
 * only as the HMAC the caller computed (hm_consent.h): the store never sees an id in clear.
 *
 * Contract:
 *   - A put is one transaction: every token of a request or pipe chunk is durable (SQLite WAL with
 *     synchronous=FULL; PostgreSQL's commit) before it returns HALLMARK_OK, or none is stored.
 *     A token handed to a client after a successful put survives kill -9 of the signer.
 *   - Reads see only tokens whose exp + 300 is after `now`, newest first (iat, then insertion).
 *   - Purging works in bounded steps whose cost does not grow with the number of live tokens
 *     (one table a day of purge time, dropped whole: SQLite tables, PostgreSQL partitions).
 *   - The schema is versioned (table hallmark_meta): an empty store is created at the current
 *     version and older ones are migrated in one transaction; a store whose schema is newer than
 *     this binary, or a database that is not a Hallmark store, is refused with a message that
 *     says so, and is never written to.
 *   - One hm_store may be used from several threads: calls are serialized on its connection.
 *   - Consent and caps are exact across processes and nodes: an admission (check and count) and a
 *     consent change of one brand and recipient are serialized (SQLite: one writer; PostgreSQL:
 *     a row lock per brand and recipient, taken in a fixed order, in one transaction per call),
 *     so a change acknowledged before an admission starts is seen by it, and concurrent
 *     admissions never count past a cap.
 *
 * What it cannot protect: a database administrator who edits rows (tokens authenticate themselves,
 * so an edit can hide a token, never forge a checkmark); a disk that lies about fsync. */
#ifndef HM_STORE_H
#define HM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "hallmark.h"

/* The schema version this binary writes and reads. 2: SQLite keeps one table per day of purge
 * time (PostgreSQL's partitions already were); 3: the consent ledger and the signing times of
 * capped categories (spec §9.7); 4: PostgreSQL's admission decides a request's lone recipients in
 * one statement (SQLite's tables are unchanged); older stores are migrated when opened. */
#define HM_STORE_SCHEMA 4
/* How long a token stays after its exp (HM-CARRY-15). */
#define HM_STORE_KEEP_AFTER_EXP 300

typedef struct hm_store hm_store;

/* One token to keep: its lookup key (43 base64url characters), the compact JWS, its iat and exp.
 * All borrowed. */
typedef struct hm_store_token {
    const char *key;
    const char *token;
    int64_t iat, exp;
} hm_store_token;

/* Opens (and creates or migrates) a store: "sqlite:PATH" or "postgres:CONNINFO" (a libpq
 * connection string, e.g. "host=/run/postgresql dbname=hallmark"). *out is owned by the caller
 * (hm_store_close). HALLMARK_OK, HALLMARK_ERR_INVALID_ARGUMENT (an unknown scheme: err says which
 * are known), HALLMARK_ERR_IO (cannot open or reach it), HALLMARK_ERR_CORRUPT (not a Hallmark
 * store, or a schema newer than this binary) or HALLMARK_ERR_NOMEM; err says what and what to do.
 */
hallmark_result hm_store_open(const char *spec, hm_store **out, char *err, size_t err_cap);

/* The backend's name, "sqlite" or "postgres". */
const char *hm_store_backend(const hm_store *s);

/* Stores n tokens in one transaction (n may be 0). HALLMARK_OK once all are durable;
 * HALLMARK_ERR_INVALID_ARGUMENT (a key that is not 43 base64url characters, an empty token,
 * exp < iat); HALLMARK_ERR_UNAVAILABLE (the store cannot be written now: nothing was stored). */
hallmark_result hm_store_put_tokens(hm_store *s, const hm_store_token *tokens, size_t n, char *err,
                                    size_t err_cap);

/* The tokens kept under key whose exp + 300 is after now, newest first, at most max. *out
 * receives a malloc'd array of malloc'd strings (free with hm_store_tokens_free), *count their
 * number (0: none). HALLMARK_OK, HALLMARK_ERR_INVALID_ARGUMENT (a malformed key),
 * HALLMARK_ERR_UNAVAILABLE or HALLMARK_ERR_NOMEM. */
hallmark_result hm_store_get_tokens(hm_store *s, const char *key, int64_t now, size_t max,
                                    char ***out, size_t *count, char *err, size_t err_cap);
void hm_store_tokens_free(char **tokens, size_t count);

/* The signing times of capped categories are kept as long as the longest cap period a policy may
 * have (365 days, [HM-CRED-90]); a purge step removes at most HM_STORE_SENDS_PURGE_MAX older ones,
 * oldest first, through an index on their time, so that a step costs the same whatever the
 * table's size. */
#define HM_STORE_SENDS_KEEP 31536000LL
#define HM_STORE_SENDS_PURGE_MAX 50000

/* One purge step: removes the tokens of the days of purge time that have ended (whole days, a few
 * a step; tokens past exp + 300 earlier in the current day are already unseen by reads and go
 * when it ends), and signing times older than HM_STORE_SENDS_KEEP (at most
 * HM_STORE_SENDS_PURGE_MAX a step). `budget` is kept for callers and unused by both backends.
 * *removed (may be NULL) receives how many tokens.
 * HALLMARK_OK or HALLMARK_ERR_UNAVAILABLE. */
hallmark_result hm_store_purge(hm_store *s, int64_t now, size_t budget, uint64_t *removed,
                               char *err, size_t err_cap);

/* ---- the consent ledger and volume caps (spec §9.7) -------------------------------------- */

/* A ledger recipient: b64u(HMAC-SHA-256(P, "hallmark-consent-v1" 0x00 id)), 43 characters. */
#define HM_CONSENT_RCPT_LEN 43
/* The longest evidence kept with a change (bytes). */
#define HM_CONSENT_EVIDENCE_MAX 255

/* One change of a recipient's consent. All strings borrowed. scope: a category of spec §2.3 or
 * "all"; channel: a channel or "all"; choice: 1 in, 0 out; source: "keyword", "app" or
 * "operator"; evidence: printable ASCII, at most HM_CONSENT_EVIDENCE_MAX bytes; once: the change
 * is refused if the recipient's ledger already holds this evidence (a one-tap token used twice,
 * HM-TOKEN-68). */
typedef struct hm_consent_change {
    const char *brand, *rcpt, *scope, *channel, *source, *evidence;
    int choice;
    int64_t at;
    int once;
} hm_consent_change;

/* A change as the ledger returns it (hm_store_consent_list), in the order it was appended. */
typedef struct hm_consent_row {
    int64_t seq, at;
    int choice;
    char scope[16], channel[17], source[9], evidence[HM_CONSENT_EVIDENCE_MAX + 1];
} hm_consent_row;

/* One message about to be signed. Strings borrowed. opt_in_required: a marketing message of a
 * brand whose policy needs an opt-in (HM-CARRY-49); cap_max 0: the category is not capped,
 * otherwise at most cap_max within cap_period seconds (HM-CARRY-50). */
typedef struct hm_admission {
    const char *brand, *rcpt, *channel, *category;
    int opt_in_required;
    unsigned cap_max;
    int64_t cap_period;
} hm_admission;

/* The window after a keyword opt-out in which one service message is signed (HM-CARRY-48). */
#define HM_CONSENT_CONFIRM_WINDOW 600

/* Appends a change; HALLMARK_OK once it is durable (committed). HALLMARK_ERR_INVALID_ARGUMENT
 * (a field outside its form), HALLMARK_ERR_FORBIDDEN (once, and the evidence is already in the
 * recipient's ledger: nothing was written), HALLMARK_ERR_UNAVAILABLE (nothing was written). */
hallmark_result hm_store_consent_put(hm_store *s, const hm_consent_change *c, char *err,
                                     size_t err_cap);

/* Every change of a brand's recipient, oldest first, at most max: *rows malloc'd (free()), *count
 * their number. HALLMARK_OK, HALLMARK_ERR_INVALID_ARGUMENT, HALLMARK_ERR_UNAVAILABLE or
 * HALLMARK_ERR_NOMEM. */
hallmark_result hm_store_consent_list(hm_store *s, const char *brand, const char *rcpt, size_t max,
                                      hm_consent_row **rows, size_t *count, char *err,
                                      size_t err_cap);

/* Decides n messages at now in one transaction, in order (a message admitted counts for the
 * next ones of the same recipient): verdict[i] is HALLMARK_OK (admitted: counted when capped,
 * or as the one confirmation after a keyword opt-out), HALLMARK_ERR_RECIPIENT_OPTED_OUT,
 * HALLMARK_ERR_OPT_IN_REQUIRED or HALLMARK_ERR_VOLUME_CAP (reset[i]: when the next one would be
 * admitted). A refused message counts nothing. Returns HALLMARK_OK when every verdict is set,
 * HALLMARK_ERR_INVALID_ARGUMENT, or HALLMARK_ERR_UNAVAILABLE (nothing was counted). */
hallmark_result hm_store_admit(hm_store *s, const hm_admission *m, size_t n, int64_t now,
                               hallmark_result *verdict, int64_t *reset, char *err, size_t err_cap);

/* Closes the store; NULL is allowed. */
void hm_store_close(hm_store *s);

/* 1 if key is a lookup key: exactly 43 characters of the base64url alphabet. */
int hm_store_key_ok(const char *key);

#endif
