/* hallmark-keys: what the command files share (parsed options, the open keystore, messages). */
#ifndef KEYS_CLI_H
#define KEYS_CLI_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "hallmark.h"
#include "hm_keystore.h"
#include "hm_signkey.h"

/* Exit status: done; refused (a rule, a state, bad input or a wrong passphrase); usage or I/O. */
#define EXIT_DONE 0
#define EXIT_REFUSED 1
#define EXIT_USAGE 2
#define EXIT_NOT_DUE 3 /* publish --if-due: the bundle in force is not due; nothing changed */

#define LIST_MAX 64

struct list {
    const char *item[LIST_MAX];
    size_t count;
};

struct cli {
    const char *dir, *pass_file, *platform, *kdf, *propagation, *name, *logo, *color, *background,
        *level, *logo_url, *valid_for, *alg, *reason, *out, *expires, *transfer_from,
        *verified_domain, *second_reviewer, *categories;
    const char *status_every; /* publish --status-every: bundles need a status ([HM-BUNDLE-86]) */
    const char *root_media, *root_keys, *threshold; /* quorum root (spec HM-TRUST-61) */
    /* [HM-TRUST-67]: every --root-media DIR (root_media is the first), the passphrase file of
     * each one's custodian, and the custodians' passphrases once read (hm_secret_alloc). */
    struct list media, custodian_files;
    char *custodian_pass[LIST_MAX];
    size_t custodian_pass_len[LIST_MAX];
    int compromised;                                   /* a rotation that answers a leak */
    const char *body, *category, *sender_kind, *agent; /* brand preview's message card */
    struct list senders, prefixes, domains, actions, phones;
    struct list always_signed; /* --always-signed: senders that sign every message (HM-CRED-61) */
    struct list scope_channels, scope_senders; /* key add's scope ([HM-TRUST-65]) */
    const char *key;                           /* rotate --key KID: the active key to rotate */
    const char *pkcs11, *pkcs11_module;        /* key add / rotate --pkcs11 URI (docs/hsm.md) */
    struct list caps;                          /* --cap CATEGORY:N/PERIOD (HM-CRED-93) */
    const char *marketing_opt_in;              /* --marketing-opt-in yes|no (HM-CRED-92) */
    const char *consent_url;                   /* publish --consent-url URL|none (HM-BUNDLE-96) */
    const char *if_due; /* publish --if-due DURATION: only within DURATION of the bundle's expiry */
    int force, help, allow_confusable;
    int confusable_allowed; /* set when --allow-confusable let a name through: audited */
    json_t *near_matches;   /* near brands a second reviewer signed off ([HM-CRED-44]): audited */
    unsigned char *new_logo_png; /* the canonical logo this command sets, written at the commit */
    size_t new_logo_len;
    uint64_t new_logo_hash; /* its difference hash ([HM-CRED-42]) */
    char **args;
    int nargs;
    hm_keystore ks;
    int ks_open;
    char *pass;
    size_t pass_len;
    char err[1024];
};

/* Prints "hallmark-keys: <message>" on stderr and returns status. */
int keys_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The exit status for a library result: I/O problems are EXIT_USAGE, the rest EXIT_REFUSED. */
int status_for(hallmark_result rc);

/* open_keystore flag: open to change it: reads the passphrase, decrypts the publishing key
 * (c->ks.publisher) and checks the state MAC before anything is written (hm_keystore_open_auth).
 * Every command that commits needs it. */
#define OPEN_TO_CHANGE 0x100

/* Opens the keystore of --dir / $HALLMARK_KEYSTORE (flags: HM_KS_*, OPEN_TO_CHANGE); prints and
 * returns the exit status on failure, 0 on success. */
int open_keystore(struct cli *c, int flags);
/* Reads the passphrase once per command (is_new: ask twice, enforce the minimum length). */
int need_passphrase(struct cli *c, int is_new);
/* Opens a secret key of the keystore with the passphrase. 0 or the exit status (printed). */
int load_key(struct cli *c, const char *kid, hm_signkey **out);
/* Commits with an audit entry (stolen); 0 or the exit status (printed). */
int keys_commit(struct cli *c, json_t *entry);

/* "90s", "15m", "24h", "7d" or plain seconds: 1 and *out, or 0. */
int parse_duration(const char *s, long long *out);
/* "2026-11-25 14:00Z" into buf (at least 24 bytes); returns buf. */
const char *fmt_time(long long t, char *buf, size_t cap);
/* "1d 2h", "3h 5m", "45s" into buf; returns buf. */
const char *fmt_span(long long secs, char *buf, size_t cap);
/* Writes a whole file atomically; 0 or the exit status (printed). */
int write_out(const char *path, const void *data, size_t len);
/* The first 8 characters of a kid, for tables. */
const char *short_kid(const char *kid, char buf[12]);

/* [HM-CRED-49]: 0 if the link entry (given as typed, entry lowercased) is no public suffix, else
 * the exit status, printed. */
int not_a_public_suffix(const char *given, const char *entry);

/* Shared steps. */
int do_publish(struct cli *c, long long lifetime, unsigned long long *serial_out);
/* Adds a pending key to brand, with the scope of --scope-channel / --scope-sender, else the
 * inherited one (borrowed; NULL: none). */
int do_key_add(struct cli *c, json_t *brand, const char *alg, const json_t *inherited,
               const char **kid_out);
int do_promote(struct cli *c, json_t *brand, json_t *key);
json_t *brand_active_key(const json_t *brand);
json_t *brand_pending_key(const json_t *brand);
/* The brand's key in state whose scope equals scope (NULL: the unscoped key), or NULL. */
json_t *brand_key_with_scope(const json_t *brand, const char *state, const json_t *scope);
/* "CHANNEL:VALUE" split: the channel into channel (17 bytes), the value returned; NULL if bad. */
const char *split_channel(const char *in, char channel[17]);
/* "sender sms:ACMEBANK@+44", "sender sms:+4477009*", "link domain acme.example" into buf. */
const char *describe_entry(const json_t *e, char *buf, size_t cap);
/* 1 if the brand's sender entry e is the one CHANNEL and VALUE name (as --sender writes it). */
int names_entry(const json_t *e, const char *channel, const char *value);

/* The quorum root (keys_root.c; spec HM-TRUST-60, HM-TRUST-61). */
#include "hm_bundle.h"
/* 1 when the keystore's root is a set with a threshold (init --root-media). */
int keys_quorum(const json_t *state);
/* The first set apps pinned (genesis) or the current one: an array of {kid, x, created}. */
const json_t *keys_root_set(const json_t *state, int genesis);
size_t keys_root_threshold(const json_t *state);
/* Seals root secret i of a new set into its custodian's medium, DIR/<kid>.key, under that
 * custodian's passphrase (never into the keystore; [HM-TRUST-67]). 0 or status (printed). */
int root_media_save(struct cli *c, const hm_signkey *key, size_t i);
/* 0 when the media given fit a new set of n keys: one medium (a single custodian), or one per
 * key; reads and compares the custodians' new passphrases. Else the status (printed). */
int root_media_ready(struct cli *c, size_t n);
/* The number of custodians a new set is sealed for (the media given). */
size_t root_media_custodians(const struct cli *c);
/* Opens need root secrets of set from --root-media into out[0..need). 0 or status (printed). */
int root_media_load(struct cli *c, const json_t *set, size_t need, hm_signkey **out);
/* Removes a rotated-out root secret from --root-media (HM-TRUST-10). */
void root_media_delete(const struct cli *c, const char *kid);
/* A co-signed object (spec 6.4): one compact JWS of payload per key. New reference or NULL. */
json_t *cosign_json(hm_signkey *const *keys, size_t n, const char *typ, const json_t *payload);
/* The single root off the host (keys_offline.c; issue 18): 1 once root export moved it. */
int root_single_offline(const json_t *state);
/* Opens the single root's secret: from the keystore, or once exported from --root-media
 * (DIR/<kid>.key, under the keystore passphrase). 0 or status (printed). */
int root_single_load(struct cli *c, const char *kid, hm_signkey **out);
/* root export --root-media DIR (the keystore open to change). 0 or status (printed). */
int root_export(struct cli *c);
/* export-signer DIR: what a signer host needs (keystore.json, published/, the keys it signs
 * with), no root or publisher secret. */
int cmd_export_signer(struct cli *c);
/* The anchor an app pins: the first (genesis) or current root set with its threshold. */
hallmark_result keys_anchor(const json_t *state, int genesis, const char *platform, hm_anchor *out);
/* The base64url keys of that set into list (HM_ROOT_SET_MAX entries); returns how many. */
size_t keys_anchor_strings(const json_t *state, int genesis, const char **list);

/* The commands. */
int cmd_init(struct cli *c);
int cmd_brand(struct cli *c);
int cmd_key(struct cli *c);
int cmd_rotate(struct cli *c);
int cmd_publish(struct cli *c);
int cmd_status_publish(struct cli *c);
int cmd_root(struct cli *c);
int cmd_publisher(struct cli *c);
int cmd_status(struct cli *c);
int cmd_audit(struct cli *c);

#endif
