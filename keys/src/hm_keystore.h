/* The keystore directory of hallmark-keys: its layout, its lock, the state document and the
 * commit protocol that keeps the state and the audit log in step through any crash.
 *
 * Layout (every file 0600, every directory 0700):
 *   keystore.json          the state: platform, roots, publisher, brands, keys, serial, settings
 *   audit.log              the hash-chained audit log (hm_audit)
 *   lock                   held with flock() by the command that has the keystore open
 *   root.pub               the root public key to pin in apps (base64url, one line)
 *   secret/<kid>.key       one encrypted secret key per file (hm_keyfile)
 *   logos/<sha256>.png     canonical brand logos, named by their digest, never overwritten
 *   published/bundle-<serial>.jws, published/bundle.jws (the latest), published/jwks/<brand>.json
 *
 * Commit protocol: a command first writes the new files it needs (new names only: secret keys,
 * logos, bundles), then the state (the commit point), which also carries the command's audit line,
 * then appends that line to the audit log. A crash before the state write leaves unreferenced new
 * files and the old state; a crash after it leaves the audit log one line behind, and the next
 * open appends the line the state carries. The state records the log's length and head, so a
 * removed or altered entry is found on every open. */
#ifndef HM_KEYSTORE_H
#define HM_KEYSTORE_H

#include <jansson.h>
#include <stddef.h>

#include "hallmark.h"
#include "hm_keyfile.h"

#define HM_KEYSTORE_STATE_MAX ((size_t)16 * 1024 * 1024)
#define HM_KEYSTORE_PATH_MAX 4096U

typedef struct hm_keystore {
    char dir[HM_KEYSTORE_PATH_MAX];
    int lock_fd;
    json_t *state;        /* the state document, owned; commands edit it, then commit */
    long long now;        /* the clock of this command */
    int clock_overridden; /* 1 when $HALLMARK_NOW set the clock */
    hm_kdf_limits kdf;    /* the limits new key files get */
    size_t audit_seq;     /* entries in the audit log */
    char audit_head[44];  /* hash of its last line */
    int audit_completed;  /* 1 when open appended a line a crash had left out */
} hm_keystore;

/* Open flags. */
#define HM_KS_AUDIT_LENIENT                                                                        \
    1 /* for audit verify: open even if the audit log does not match, and                          \
       * change nothing (no completed line, no tidying) */

/* The time: $HALLMARK_NOW (Unix seconds; for tests and rehearsals, recorded in the audit log)
 * when set, else the system clock. */
long long hm_keystore_clock(int *overridden);

/*
 * Creates a keystore directory (which may exist if it holds no keystore) with its sub-directories
 * and takes its lock. state is stolen. Nothing is committed until hm_keystore_commit.
 * HALLMARK_OK, HALLMARK_ERR_IO or HALLMARK_ERR_INVALID_ARGUMENT with a reason in err.
 */
hallmark_result hm_keystore_create(hm_keystore *ks, const char *dir, json_t *state, char *err,
                                   size_t err_cap);

/*
 * Opens and locks a keystore, checks the state and the audit log against each other, completes
 * an audit line a crash left out, and removes temporary files and the secret files of destroyed
 * keys. HALLMARK_OK; HALLMARK_ERR_IO (missing, unreadable, locked); HALLMARK_ERR_CORRUPT (bad
 * state, audit log broken or not matching); a reason is in err.
 */
hallmark_result hm_keystore_open(hm_keystore *ks, const char *dir, int flags, char *err,
                                 size_t err_cap);

/*
 * Reads the state without the lock and without touching anything: for the signer, which only
 * reads (keystore.json is replaced atomically, so it always reads a whole state). Same results
 * as hm_keystore_open, minus the audit checks. Close with hm_keystore_close.
 */
hallmark_result hm_keystore_peek(hm_keystore *ks, const char *dir, char *err, size_t err_cap);

/*
 * Commits the edited state with one audit entry (borrowed; "who" and "clock" are added).
 * HALLMARK_OK; HALLMARK_ERR_IO when the state could not be written (nothing changed) or when
 * the audit line could not be appended after the commit (the next open appends it).
 */
hallmark_result hm_keystore_commit(hm_keystore *ks, const json_t *entry, char *err, size_t err_cap);

/* Releases the lock and the state. */
void hm_keystore_close(hm_keystore *ks);

/* Formats a path inside the keystore: 0, or -1 if it does not fit. */
int hm_keystore_path(const hm_keystore *ks, char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Makes root.pub hold the current root's key (state root.x) if it does not already: after
 * init and root rotate, and on every open (a crash may have come between). HALLMARK_OK or
 * HALLMARK_ERR_IO. */
hallmark_result hm_keystore_sync_root_pub(const hm_keystore *ks);

/* Seals key under the passphrase into secret/<kid>.key (a new file). */
hallmark_result hm_keystore_save_key(const hm_keystore *ks, const hm_signkey *key, const char *pass,
                                     size_t pass_len, char *err, size_t err_cap);

/* Opens secret/<kid>.key: HALLMARK_OK, HALLMARK_ERR_WRONG_PASSPHRASE, HALLMARK_ERR_CORRUPT or
 * HALLMARK_ERR_IO, with a reason in err. *out is freed with hm_signkey_free. */
hallmark_result hm_keystore_load_key(const hm_keystore *ks, const char *kid, const char *pass,
                                     size_t pass_len, hm_signkey **out, char *err, size_t err_cap);

/* Accessors for the state document (borrowed references). */
json_t *hm_ks_brands(const hm_keystore *ks);
json_t *hm_ks_find_brand(const hm_keystore *ks, const char *id);
/* The key entry with this kid (a unique prefix of at least 8 characters is enough), and its
 * brand. NULL when absent or ambiguous. */
json_t *hm_ks_find_key(const hm_keystore *ks, const char *kid, json_t **brand);
const char *hm_ks_str(const json_t *obj, const char *name);
long long hm_ks_int(const json_t *obj, const char *name);

#endif
