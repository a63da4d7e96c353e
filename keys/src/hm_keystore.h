/* The keystore directory of hallmark-keys: its layout, its lock, the state document and the
 * commit protocol that keeps the state and the audit log in step through any crash.
 *
 * Layout (every file 0600, every directory 0700):
 *   keystore.json          the state: platform, roots, publisher (and retired publishers), brands,
 *                          keys, serial, settings, and the state MAC
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
 * removed or altered entry is found on every open.
 *
 * State MAC: keystore.json carries "mac", base64url HMAC-SHA-256 (crypto_auth_hmacsha256) over
 * "hallmark-keystore-state-v1" and the SHA-256 of the state's canonical form (the state without
 * "mac", compact JSON with sorted keys). Its key is derived (crypto_kdf, context "HMSTATE1",
 * subkey 1) from the publishing key's secret, which exists on disk only sealed under the
 * passphrase (Argon2id + XChaCha20-Poly1305, hm_keyfile). Why keyed, and why this key: the threat
 * is an insider who can write every file of the keystore but lacks the passphrase. Such a person
 * can recompute any unkeyed hash or hash chain over keystore.json and audit.log together, so
 * only a secret they cannot reach can tell their edit from a command's; the publishing key is
 * the one secret every publish must unlock anyway (no second key file to lose, and `publisher
 * rotate` re-keys the MAC with the new key). Every command that changes the keystore opens it
 * with the passphrase (hm_keystore_open_auth), which checks the MAC before anything is written
 * (no audit completion, no tidying), and every commit writes a new MAC. A state without a MAC
 * (from before this rule, or with the member removed) is refused, never silently upgraded: the
 * operator checks it and accepts it with an audited `audit seal --reason` (HM_KS_ACCEPT_STATE).
 * Not covered: rolling the state and the log back together to an earlier genuine pair (compare
 * the log head with an off-host copy), and commands that only read (status, brand list/show/
 * preview, root show, and the signer's hm_keystore_peek), which do not hold the passphrase. */
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
    /* The state MAC (see above), filled by load: */
    int state_mac_present;          /* 1 when keystore.json had a well-formed "mac" */
    unsigned char state_mac[32];    /* that MAC */
    unsigned char state_digest[32]; /* SHA-256 of the canonical state as read */
    /* Filled by hm_keystore_open_auth or hm_keystore_use_publisher; owned, freed by close: */
    hm_signkey *publisher;    /* the publishing key, decrypted */
    unsigned char *state_key; /* hm_secret_alloc, 32 bytes: the MAC key; NULL: cannot commit */
} hm_keystore;

/* Open flags. */
#define HM_KS_AUDIT_LENIENT                                                                        \
    1 /* for audit verify: open even if the audit log does not match, and                          \
       * change nothing (no completed line, no tidying) */

#define HM_KS_ACCEPT_STATE                                                                         \
    2 /* for audit seal (hm_keystore_open_auth): skip the MAC check; the next commit accepts the   \
       * state as it is */

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
 * Opens and locks a keystore for a change: as hm_keystore_open, but first decrypts the publishing
 * key (state publisher.kid) with the passphrase (pass_len bytes, borrowed) and checks the state
 * MAC (unless flags has HM_KS_ACCEPT_STATE), all before the audit completion and the tidying, so
 * nothing is written for a state that fails. On success ks->publisher and ks->state_key are set
 * and hm_keystore_commit may be called. Results as hm_keystore_open, plus
 * HALLMARK_ERR_WRONG_PASSPHRASE, and HALLMARK_ERR_CORRUPT when the state has no MAC or a MAC that
 * does not match (edited outside hallmark-keys); the reason in err says which and what to do.
 */
hallmark_result hm_keystore_open_auth(hm_keystore *ks, const char *dir, int flags, const char *pass,
                                      size_t pass_len, char *err, size_t err_cap);

/*
 * Makes publisher (stolen, even on failure) the keystore's publishing key for this process and
 * derives the state MAC key from it: after init, and when publisher rotate commits a new key.
 * HALLMARK_OK, HALLMARK_ERR_NOMEM or HALLMARK_ERR_INTERNAL.
 */
hallmark_result hm_keystore_use_publisher(hm_keystore *ks, hm_signkey *publisher);

/*
 * On a keystore opened without the passphrase (audit verify): decrypts the publishing key and
 * checks the state MAC, as hm_keystore_open_auth does. Same results.
 */
hallmark_result hm_keystore_authenticate(hm_keystore *ks, int flags, const char *pass,
                                         size_t pass_len, char *err, size_t err_cap);

/* 1 when the state as read carried a MAC that matches under ks->state_key, else 0. */
int hm_keystore_state_authentic(const hm_keystore *ks);

/* The SHA-256 of the canonical state as read, base64url (for the audit seal entry). */
void hm_keystore_state_digest(const hm_keystore *ks, char out[44]);

/*
 * Reads the state without the lock and without touching anything: for the signer, which only
 * reads (keystore.json is replaced atomically, so it always reads a whole state). Same results
 * as hm_keystore_open, minus the audit checks. Close with hm_keystore_close.
 */
hallmark_result hm_keystore_peek(hm_keystore *ks, const char *dir, char *err, size_t err_cap);

/*
 * Commits the edited state with one audit entry (borrowed; "who" and "clock" are added) and a
 * new state MAC. HALLMARK_ERR_INVALID_ARGUMENT when the keystore was not opened with the
 * passphrase (no MAC key; nothing changed). HALLMARK_OK; HALLMARK_ERR_IO when the state could not
 * be written (nothing changed) or when the audit line could not be appended after the commit (the
 * next open appends it).
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

/* Deletes secret/<kid>.key: overwrites it with zeros and fsyncs first (best effort: a journaling
 * or flash file system may keep old blocks; the file only ever held the sealed secret), then
 * unlinks it. A missing file is fine. HALLMARK_OK or HALLMARK_ERR_IO. */
hallmark_result hm_keystore_delete_secret(const hm_keystore *ks, const char *kid);

/* Accessors for the state document (borrowed references). */
json_t *hm_ks_brands(const hm_keystore *ks);
json_t *hm_ks_find_brand(const hm_keystore *ks, const char *id);
/* The key entry with this kid (a unique prefix of at least 8 characters is enough), and its
 * brand. NULL when absent or ambiguous. */
json_t *hm_ks_find_key(const hm_keystore *ks, const char *kid, json_t **brand);
const char *hm_ks_str(const json_t *obj, const char *name);
long long hm_ks_int(const json_t *obj, const char *name);

/* Who the audit log names for a change: $HALLMARK_OPERATOR, else the user name, else "uid N"
 * (written into buf, cap bytes, when needed). Never NULL. */
const char *hm_keystore_operator(char *buf, size_t cap);

#endif
