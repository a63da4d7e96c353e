#include "hm_keystore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hm_fileio.h"
#include "hm_audit.h"
#include "hm_b64url.h"
#include "hm_json.h"
#include "hm_pkcs11.h"
#include "hm_secmem.h"
#include "hm_errorf.h"

static const char state_mac_label[] = "hallmark-keystore-state-v1";

/* SHA-256 of the canonical form of a state without its "mac": compact, keys sorted. */
static hallmark_result
canonical_digest(const json_t *state, unsigned char out[32])
{
    char *text = json_dumps(state, JSON_COMPACT | JSON_SORT_KEYS);

    if (text == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    crypto_hash_sha256(out, (const unsigned char *)text, strlen(text));
    free(text);
    return HALLMARK_OK;
}

static void
state_mac(const unsigned char *key, const unsigned char digest[32], unsigned char out[32])
{
    crypto_auth_hmacsha256_state st;

    crypto_auth_hmacsha256_init(&st, key, 32);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)state_mac_label,
                                  sizeof state_mac_label - 1);
    crypto_auth_hmacsha256_update(&st, digest, 32);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st); /* the inner and outer pads are derived from the key */
    sodium_memzero(&st, sizeof st);
}

static const char *const subdirs[] = {"secret", "logos", "published", "published/jwks"};

/* The keystore and its sub-directories must be real directories of this user that no one else
 * may enter (0700): other users must not swap files in them. */
static int
private_dir(const char *path, char *err, size_t err_cap)
{
    struct stat st;

    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        hm_errorf(err, err_cap, "%s: not a directory", path);
        return -1;
    }
    if (st.st_uid != geteuid()) {
        hm_errorf(err, err_cap, "%s: owned by another user (uid %ld)", path, (long)st.st_uid);
        return -1;
    }
    if ((st.st_mode & 077) != 0) {
        hm_errorf(err, err_cap, "%s: others may use it (mode %03o): chmod 700 it", path,
                  (unsigned)(st.st_mode & 0777));
        return -1;
    }
    return 0;
}

static hallmark_result
check_dirs(const hm_keystore *ks, char *err, size_t err_cap)
{
    char path[HM_KEYSTORE_PATH_MAX];
    size_t i;

    if (private_dir(ks->dir, err, err_cap) != 0) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    for (i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        if (hm_keystore_path(ks, path, sizeof path, "%s", subdirs[i]) != 0 ||
            private_dir(path, err, err_cap) != 0) {
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
    }
    return HALLMARK_OK;
}

long long
hm_keystore_clock(int *overridden)
{
    const char *v = getenv("HALLMARK_NOW");
    char *end = NULL;
    long long t;

    if (v != NULL && v[0] != '\0') {
        t = strtoll(v, &end, 10);
        if (overridden != NULL) {
            *overridden = 1;
        }
        /* Anything but a plain Unix time up to 2^40 gives 0, which open and create refuse. */
        return end != NULL && *end == '\0' && t > 0 && t < (1LL << 40) ? t : 0;
    }
    if (overridden != NULL) {
        *overridden = 0;
    }
    return (long long)time(NULL);
}

int
hm_keystore_path(const hm_keystore *ks, char *out, size_t cap, const char *fmt, ...)
{
    char rel[HM_KEYSTORE_PATH_MAX];
    va_list ap;
    int n;

    va_start(ap, fmt);
    /* clang 14 reports an uninitialized va_list here: a false positive, va_start is above. */
    n = vsnprintf(rel, sizeof rel, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof rel) {
        return -1;
    }
    n = snprintf(out, cap, "%s/%s", ks->dir, rel);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static hallmark_result
take_lock(hm_keystore *ks, char *err, size_t err_cap)
{
    char path[HM_KEYSTORE_PATH_MAX];

    if (hm_keystore_path(ks, path, sizeof path, "lock") != 0) {
        hm_errorf(err, err_cap, "keystore path too long");
        return HALLMARK_ERR_IO;
    }
    ks->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (ks->lock_fd < 0) {
        hm_errorf(err, err_cap, "%s: %s", path, strerror(errno));
        return HALLMARK_ERR_IO;
    }
    if (flock(ks->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        hm_errorf(err, err_cap,
                  "%s: another hallmark-keys command is using this keystore; try again when "
                  "it has finished",
                  ks->dir);
        (void)close(ks->lock_fd);
        ks->lock_fd = -1;
        return HALLMARK_ERR_IO;
    }
    return HALLMARK_OK;
}

static void
init_struct(hm_keystore *ks)
{
    memset(ks, 0, sizeof *ks);
    ks->lock_fd = -1;
    ks->now = hm_keystore_clock(&ks->clock_overridden);
}

static int
set_dir(hm_keystore *ks, const char *dir, char *err, size_t err_cap)
{
    size_t n;

    if (ks->now == 0) {
        hm_errorf(err, err_cap, "HALLMARK_NOW must be a Unix time in seconds (or unset)");
        return -1;
    }
    if (dir == NULL || dir[0] == '\0') {
        hm_errorf(err, err_cap,
                  "no keystore: pass --dir DIR or set HALLMARK_KEYSTORE to its directory");
        return -1;
    }
    n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') {
        n--;
    }
    if (n + 64 >= sizeof ks->dir) {
        hm_errorf(err, err_cap, "keystore path too long");
        return -1;
    }
    memcpy(ks->dir, dir, n);
    ks->dir[n] = '\0';
    return 0;
}

hallmark_result
hm_keystore_create(hm_keystore *ks, const char *dir, json_t *state, char *err, size_t err_cap)
{
    char path[HM_KEYSTORE_PATH_MAX];
    struct stat st;
    size_t i;

    init_struct(ks);
    if (set_dir(ks, dir, err, err_cap) != 0) {
        json_decref(state);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    ks->state = state;
    if (mkdir(ks->dir, 0700) != 0 && errno != EEXIST) {
        hm_errorf(err, err_cap, "%s: %s", ks->dir, strerror(errno));
        return HALLMARK_ERR_IO;
    }
    if (private_dir(ks->dir, err, err_cap) != 0) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (take_lock(ks, err, err_cap) != HALLMARK_OK) {
        return HALLMARK_ERR_IO;
    }
    if (hm_keystore_path(ks, path, sizeof path, "keystore.json") != 0 || stat(path, &st) == 0) {
        hm_errorf(err, err_cap, "%s already holds a keystore; use another directory", ks->dir);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (hm_keystore_path(ks, path, sizeof path, "audit.log") != 0 || stat(path, &st) == 0) {
        hm_errorf(err, err_cap, "%s has an audit.log but no keystore.json; refusing to touch it",
                  ks->dir);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    for (i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        if (hm_keystore_path(ks, path, sizeof path, "%s", subdirs[i]) != 0 ||
            (mkdir(path, 0700) != 0 && errno != EEXIST)) {
            hm_errorf(err, err_cap, "%s: %s", path, strerror(errno));
            return HALLMARK_ERR_IO;
        }
    }
    if (check_dirs(ks, err, err_cap) != HALLMARK_OK) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    hm_audit_genesis(ks->audit_head);
    ks->audit_seq = 0;
    return HALLMARK_OK;
}

/* The structure every command relies on; anything else is checked where it is used. */
static int
state_shape_ok(const json_t *s)
{
    const json_t *brands = json_object_get(s, "brands"), *audit = json_object_get(s, "audit"), *b,
                 *k;
    size_t i, j;
    long long v = 0;

    if (!hm_json_uint(s, "v", &v) || v != 1 || hm_ks_str(s, "platform") == NULL ||
        !json_is_string(json_object_get(s, "type")) ||
        strcmp(json_string_value(json_object_get(s, "type")), "hallmark-keystore") != 0 ||
        !hm_json_uint(s, "serial", &v) || !json_is_object(json_object_get(s, "settings")) ||
        hm_ks_str(json_object_get(s, "root"), "kid") == NULL ||
        !json_is_array(json_object_get(s, "roots")) ||
        !json_is_array(json_object_get(s, "root_chain")) ||
        hm_ks_str(json_object_get(s, "publisher"), "kid") == NULL ||
        hm_ks_str(json_object_get(s, "publisher"), "certificate") == NULL ||
        !hm_json_uint(audit, "seq", &v) || hm_ks_str(audit, "head") == NULL ||
        !json_is_array(brands)) {
        return 0;
    }
    json_array_foreach(brands, i, b)
    {
        if (hm_ks_str(b, "id") == NULL || !json_is_array(json_object_get(b, "keys"))) {
            return 0;
        }
        json_array_foreach(json_object_get(b, "keys"), j, k)
        {
            if (hm_ks_str(k, "kid") == NULL || hm_ks_str(k, "alg") == NULL ||
                hm_ks_str(k, "state") == NULL || !json_is_object(json_object_get(k, "jwk"))) {
                return 0;
            }
        }
    }
    return 1;
}

static hallmark_result
load_state(hm_keystore *ks, char *err, size_t err_cap)
{
    char path[HM_KEYSTORE_PATH_MAX];
    unsigned char *text = NULL;
    size_t len = 0;
    const char *kdf;
    hallmark_result rc;

    if (hm_keystore_path(ks, path, sizeof path, "keystore.json") != 0) {
        return HALLMARK_ERR_IO;
    }
    rc = hm_read_file(path, HM_KEYSTORE_STATE_MAX, &text, &len);
    if (rc != HALLMARK_OK) {
        hm_errorf(err, err_cap, "%s: %s", path,
                  errno == ENOENT ? "no keystore here (create one with hallmark-keys init)"
                                  : strerror(errno));
        return rc;
    }
    rc = hm_json_parse_object(text, len, HM_KEYSTORE_STATE_MAX, 16, &ks->state);
    free(text);
    if (rc != HALLMARK_OK || !state_shape_ok(ks->state)) {
        hm_errorf(err, err_cap, "%s: not a valid keystore state file", path);
        return HALLMARK_ERR_CORRUPT;
    }
    /* The MAC is kept aside (a malformed one stays all zeros: it will not match) and the state
     * in memory never holds it. */
    if (json_object_get(ks->state, "mac") != NULL) {
        const char *mac = hm_ks_str(ks->state, "mac");
        ks->state_mac_present = 1;
        if (mac == NULL || hm_b64url_decode_exact(ks->state_mac, sizeof ks->state_mac, mac,
                                                  strlen(mac)) != HALLMARK_OK) {
            memset(ks->state_mac, 0, sizeof ks->state_mac);
        }
        (void)json_object_del(ks->state, "mac");
    }
    if (canonical_digest(ks->state, ks->state_digest) != HALLMARK_OK) {
        hm_errorf(err, err_cap, "out of memory");
        return HALLMARK_ERR_NOMEM;
    }
    kdf = hm_ks_str(json_object_get(ks->state, "settings"), "kdf");
    ks->kdf = kdf != NULL && strcmp(kdf, "minimum") == 0 ? hm_kdf_minimum() : hm_kdf_moderate();
    return HALLMARK_OK;
}

/* Checks the audit log against the state and appends the line a crash left out. */
static hallmark_result
reconcile_audit(hm_keystore *ks, int flags, char *err, size_t err_cap)
{
    char path[HM_KEYSTORE_PATH_MAX], head[44];
    const json_t *audit = json_object_get(ks->state, "audit");
    const json_t *pending = json_object_get(ks->state, "audit_pending");
    const char *want_head = hm_ks_str(audit, "head"), *prev = hm_ks_str(pending, "prev"),
               *line = hm_ks_str(pending, "line");
    size_t entries = 0, bad = 0, want = (size_t)hm_ks_int(audit, "seq");
    hallmark_result rc;

    if (hm_keystore_path(ks, path, sizeof path, "audit.log") != 0) {
        return HALLMARK_ERR_IO;
    }
    rc = hm_audit_verify(path, &entries, &bad, head);
    if (rc == HALLMARK_ERR_IO && errno == ENOENT && want == 1 && line != NULL) {
        hm_audit_genesis(head);
        entries = 0;
        rc = HALLMARK_OK;
    }
    if (rc == HALLMARK_OK && entries + 1 == want && line != NULL && prev != NULL &&
        strcmp(head, prev) == 0 && !(flags & HM_KS_AUDIT_LENIENT)) {
        rc = hm_audit_append_line(path, entries, prev, line);
        if (rc != HALLMARK_OK) {
            hm_errorf(err, err_cap, "%s: cannot complete the last audit entry: %s", path,
                      strerror(errno));
            return rc;
        }
        ks->audit_completed = 1;
        rc = hm_audit_verify(path, &entries, &bad, head);
    }
    if (rc == HALLMARK_OK && entries == want && strcmp(head, want_head) == 0) {
        ks->audit_seq = entries;
        memcpy(ks->audit_head, head, sizeof head);
        return HALLMARK_OK;
    }
    if (flags & HM_KS_AUDIT_LENIENT) {
        ks->audit_seq = entries;
        memcpy(ks->audit_head, head, sizeof head);
        return HALLMARK_OK;
    }
    if (rc == HALLMARK_ERR_CORRUPT) {
        hm_errorf(err, err_cap,
                  "%s: the hash chain breaks at entry %zu; the keystore refuses to work "
                  "until this is investigated (hallmark-keys audit verify)",
                  path, bad);
    } else if (rc == HALLMARK_OK) {
        hm_errorf(err, err_cap,
                  "%s: the log has %zu entries but the keystore recorded %zu and a different "
                  "last entry: entries were removed or replaced",
                  path, entries, want);
        rc = HALLMARK_ERR_CORRUPT;
    } else {
        hm_errorf(err, err_cap, "%s: %s", path, strerror(errno));
    }
    return rc;
}

/* Removes what crashed commands can leave: temporary files, secret files of destroyed keys. */
static void
tidy(hm_keystore *ks)
{
    static const char *const dirs[] = {".",         "secret",         "logos",
                                       "published", "published/jwks", "published/logos"};
    char path[HM_KEYSTORE_PATH_MAX];
    json_t *b, *k;
    size_t i, j;

    for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        DIR *d;
        struct dirent *e;

        if (hm_keystore_path(ks, path, sizeof path, "%s", dirs[i]) != 0 ||
            (d = opendir(path)) == NULL) {
            continue;
        }
        while ((e = readdir(d)) != NULL) {
            char file[HM_KEYSTORE_PATH_MAX];

            if (strstr(e->d_name, ".tmp.") != NULL &&
                hm_keystore_path(ks, file, sizeof file, "%s/%s", dirs[i], e->d_name) == 0) {
                (void)unlink(file);
            }
        }
        (void)closedir(d);
    }
    json_array_foreach(hm_ks_brands(ks), i, b){json_array_foreach(json_object_get(b, "keys"), j, k){
        if (strcmp(hm_ks_str(k, "state"), "destroyed") == 0 &&
            hm_keystore_path(ks, path, sizeof path, "secret/%s.key", hm_ks_str(k, "kid")) ==
                0){(void)unlink(path);
}
}
}
(void)hm_keystore_sync_root_pub(ks);
json_array_foreach(json_object_get(ks->state, "roots"), i, k)
{
    if (json_object_get(k, "destroyed_at") != NULL) {
        (void)hm_keystore_delete_secret(ks, hm_ks_str(k, "kid"));
    }
}
/* A root export that crashed after its commit leaves the root secret on the host. */
if (json_is_true(json_object_get(json_object_get(ks->state, "root"), "offline"))) {
    (void)hm_keystore_delete_secret(ks, hm_ks_str(json_object_get(ks->state, "root"), "kid"));
}
/* A publisher rotate that crashed after its commit leaves the old publishing secret. */
json_array_foreach(json_object_get(ks->state, "retired_publishers"), i, k)
{
    if (hm_ks_str(k, "kid") != NULL &&
        strcmp(hm_ks_str(k, "kid"), hm_ks_str(json_object_get(ks->state, "publisher"), "kid")) !=
            0) {
        (void)hm_keystore_delete_secret(ks, hm_ks_str(k, "kid"));
    }
}
}

hallmark_result
hm_keystore_use_publisher(hm_keystore *ks, hm_signkey *publisher)
{
    unsigned char *seed = hm_secret_alloc(HM_SECRET_BYTES), *key = hm_secret_alloc(32);
    hallmark_result rc = HALLMARK_ERR_NOMEM;

    if (seed == NULL || key == NULL || publisher == NULL) {
        rc = publisher == NULL ? HALLMARK_ERR_INVALID_ARGUMENT : rc;
        goto out;
    }
    if (hm_signkey_export_secret(publisher, seed, HM_SECRET_BYTES) != HALLMARK_OK ||
        crypto_kdf_derive_from_key(key, 32, 1, "HMSTATE1", seed) != 0) {
        rc = HALLMARK_ERR_INTERNAL;
        goto out;
    }
    hm_signkey_free(ks->publisher);
    ks->publisher = publisher;
    publisher = NULL;
    hm_secret_free(ks->state_key);
    ks->state_key = key;
    key = NULL;
    rc = HALLMARK_OK;
out:
    hm_signkey_free(publisher);
    hm_secret_free(key);
    hm_secret_free(seed);
    return rc;
}

void
hm_keystore_state_digest(const hm_keystore *ks, char out[44])
{
    (void)hm_b64url_encode(out, 44, ks->state_digest, sizeof ks->state_digest, NULL);
}

int
hm_keystore_state_authentic(const hm_keystore *ks)
{
    unsigned char want[32];

    if (ks->state_key == NULL || !ks->state_mac_present) {
        return 0;
    }
    state_mac(ks->state_key, ks->state_digest, want);
    return sodium_memcmp(want, ks->state_mac, sizeof want) == 0;
}

hallmark_result
hm_keystore_authenticate(hm_keystore *ks, int flags, const char *pass, size_t pass_len, char *err,
                         size_t err_cap)
{
    char path[HM_KEYSTORE_PATH_MAX];
    hm_signkey *publisher = NULL;
    hallmark_result rc;

    rc = hm_keystore_load_key(ks, hm_ks_str(json_object_get(ks->state, "publisher"), "kid"), pass,
                              pass_len, &publisher, err, err_cap);
    if (rc != HALLMARK_OK) {
        return rc;
    }
    if ((rc = hm_keystore_use_publisher(ks, publisher)) != HALLMARK_OK) {
        hm_errorf(err, err_cap, "cannot derive the state key: %s", hallmark_strerror(rc));
        return rc;
    }
    if (flags & HM_KS_ACCEPT_STATE) {
        return HALLMARK_OK;
    }
    (void)hm_keystore_path(ks, path, sizeof path, "keystore.json");
    if (!ks->state_mac_present) {
        hm_errorf(err, err_cap,
                  "%s has no state MAC: it was written before hallmark-keys authenticated "
                  "its state, or edited outside hallmark-keys; nothing was done. Check it "
                  "against the audit log (and a backup), then accept it with hallmark-keys "
                  "audit seal --reason TEXT",
                  path);
        return HALLMARK_ERR_CORRUPT;
    }
    if (!hm_keystore_state_authentic(ks)) {
        hm_errorf(err, err_cap,
                  "%s was changed outside hallmark-keys (its MAC does not match); nothing "
                  "was done. Restore it from a backup, or check it against the audit log and "
                  "accept it with hallmark-keys audit seal --reason TEXT",
                  path);
        return HALLMARK_ERR_CORRUPT;
    }
    return HALLMARK_OK;
}

static hallmark_result
open_common(hm_keystore *ks, const char *dir, int flags, const char *pass, size_t pass_len,
            int auth, char *err, size_t err_cap)
{
    struct stat st;
    hallmark_result rc;

    init_struct(ks);
    if (set_dir(ks, dir, err, err_cap) != 0) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (stat(ks->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        hm_errorf(err, err_cap, "%s: no such keystore directory (create one with init)", ks->dir);
        return HALLMARK_ERR_IO;
    }
    if ((rc = check_dirs(ks, err, err_cap)) != HALLMARK_OK ||
        (rc = take_lock(ks, err, err_cap)) != HALLMARK_OK ||
        (rc = load_state(ks, err, err_cap)) != HALLMARK_OK ||
        (auth &&
         (rc = hm_keystore_authenticate(ks, flags, pass, pass_len, err, err_cap)) != HALLMARK_OK) ||
        (rc = reconcile_audit(ks, flags, err, err_cap)) != HALLMARK_OK) {
        return rc;
    }
    if (!(flags & HM_KS_AUDIT_LENIENT)) {
        tidy(ks);
    }
    return HALLMARK_OK;
}

hallmark_result
hm_keystore_open(hm_keystore *ks, const char *dir, int flags, char *err, size_t err_cap)
{
    return open_common(ks, dir, flags, NULL, 0, 0, err, err_cap);
}

hallmark_result
hm_keystore_open_auth(hm_keystore *ks, const char *dir, int flags, const char *pass,
                      size_t pass_len, char *err, size_t err_cap)
{
    if (pass == NULL) {
        init_struct(ks);
        hm_errorf(err, err_cap, "no passphrase");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return open_common(ks, dir, flags, pass, pass_len, 1, err, err_cap);
}

hallmark_result
hm_keystore_peek(hm_keystore *ks, const char *dir, char *err, size_t err_cap)
{
    init_struct(ks);
    if (set_dir(ks, dir, err, err_cap) != 0) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return load_state(ks, err, err_cap);
}

const char *
hm_keystore_operator(char *buf, size_t cap)
{
    const char *env = getenv("HALLMARK_OPERATOR");
    const struct passwd *pw;

    if (env != NULL && env[0] != '\0') {
        return env;
    }
    pw = getpwuid(geteuid());
    if (pw != NULL && pw->pw_name != NULL) {
        return pw->pw_name;
    }
    (void)snprintf(buf, cap, "uid %ld", (long)geteuid());
    return buf;
}

hallmark_result
hm_keystore_commit(hm_keystore *ks, const json_t *entry, char *err, size_t err_cap)
{
    char path[HM_KEYSTORE_PATH_MAX], head[44], prev[44], who[32], mac_b64[44], *line = NULL,
                                                                               *text = NULL;
    unsigned char digest[32], mac[32];
    json_t *e;
    hallmark_result rc = HALLMARK_ERR_NOMEM;

    if (ks->state_key == NULL) {
        hm_errorf(err, err_cap,
                  "the keystore was opened without the passphrase, so it cannot be changed");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    e = json_deep_copy(entry);
    if (e == NULL ||
        json_object_set_new(e, "who", json_string(hm_keystore_operator(who, sizeof who))) ||
        (ks->clock_overridden && json_object_set_new(e, "clock", json_string("HALLMARK_NOW")))) {
        goto out;
    }
    if ((rc = hm_audit_line(ks->audit_head, ks->audit_seq, e, ks->now, &line, head)) !=
        HALLMARK_OK) {
        hm_errorf(err, err_cap, "cannot form the audit entry: %s", hallmark_strerror(rc));
        goto out;
    }
    rc = HALLMARK_ERR_NOMEM;
    memcpy(prev, ks->audit_head, sizeof prev);
    if (json_object_set_new(
            ks->state, "audit",
            json_pack("{s:I,s:s}", "seq", (json_int_t)ks->audit_seq + 1, "head", head)) != 0 ||
        json_object_set_new(ks->state, "audit_pending",
                            json_pack("{s:s,s:s}", "prev", prev, "line", line)) != 0 ||
        canonical_digest(ks->state, digest) != HALLMARK_OK) {
        goto out;
    }
    state_mac(ks->state_key, digest, mac);
    (void)hm_b64url_encode(mac_b64, sizeof mac_b64, mac, sizeof mac, NULL);
    if (json_object_set_new(ks->state, "mac", json_string(mac_b64)) != 0) {
        goto out;
    }
    text = json_dumps(ks->state, JSON_INDENT(1));
    (void)json_object_del(ks->state, "mac");
    if (text == NULL) {
        goto out;
    }
    if (hm_keystore_path(ks, path, sizeof path, "keystore.json") != 0 ||
        hm_atomic_write(path, text, strlen(text)) != HALLMARK_OK) {
        hm_errorf(err, err_cap, "%s: cannot write the keystore state: %s; nothing changed", path,
                  strerror(errno));
        rc = HALLMARK_ERR_IO;
        goto out;
    }
    memcpy(ks->state_digest, digest, sizeof digest); /* what is on disk now */
    memcpy(ks->state_mac, mac, sizeof mac);
    ks->state_mac_present = 1;
    if (hm_keystore_path(ks, path, sizeof path, "audit.log") != 0 ||
        hm_audit_append_line(path, ks->audit_seq, prev, line) != HALLMARK_OK) {
        hm_errorf(err, err_cap,
                  "%s: the change is saved but its audit entry could not be written (%s); "
                  "the next hallmark-keys command writes it",
                  path, strerror(errno));
        rc = HALLMARK_ERR_IO;
        goto out;
    }
    ks->audit_seq++;
    memcpy(ks->audit_head, head, sizeof head);
    rc = HALLMARK_OK;
out:
    if (rc == HALLMARK_ERR_NOMEM) {
        hm_errorf(err, err_cap, "out of memory");
    }
    free(line);
    free(text);
    json_decref(e);
    return rc;
}

void
hm_keystore_close(hm_keystore *ks)
{
    if (ks == NULL) {
        return;
    }
    if (ks->lock_fd >= 0) {
        (void)close(ks->lock_fd);
    }
    json_decref(ks->state);
    ks->state = NULL;
    ks->lock_fd = -1;
    hm_signkey_free(ks->publisher);
    ks->publisher = NULL;
    hm_secret_free(ks->state_key);
    ks->state_key = NULL;
}

hallmark_result
hm_keystore_sync_root_pub(const hm_keystore *ks)
{
    char path[HM_KEYSTORE_PATH_MAX], line[64];
    const char *x = hm_ks_str(json_object_get(ks->state, "root"), "x");
    unsigned char *text = NULL;
    size_t len = 0;
    int same;

    if (x == NULL || strlen(x) + 2 > sizeof line ||
        hm_keystore_path(ks, path, sizeof path, "root.pub") != 0) {
        errno = EINVAL;
        return HALLMARK_ERR_IO;
    }
    (void)snprintf(line, sizeof line, "%s\n", x);
    same = hm_read_file(path, sizeof line, &text, &len) == HALLMARK_OK && len == strlen(line) &&
           memcmp(text, line, len) == 0;
    free(text);
    return same ? HALLMARK_OK : hm_atomic_write(path, line, strlen(line));
}

hallmark_result
hm_keystore_save_key(const hm_keystore *ks, const hm_signkey *key, const char *pass,
                     size_t pass_len, char *err, size_t err_cap)
{
    char path[HM_KEYSTORE_PATH_MAX], *text = NULL;
    hallmark_result rc = hm_keyfile_seal(key, pass, pass_len, ks->kdf, &text);

    if (rc != HALLMARK_OK) {
        hm_errorf(err, err_cap, "cannot seal the new key: %s", hallmark_strerror(rc));
        return rc;
    }
    if (hm_keystore_path(ks, path, sizeof path, "secret/%s.key", hm_signkey_public(key)->kid) !=
            0 ||
        (rc = hm_atomic_write(path, text, strlen(text))) != HALLMARK_OK) {
        hm_errorf(err, err_cap, "%s: %s", path, strerror(errno));
        rc = HALLMARK_ERR_IO;
    }
    free(text);
    return rc;
}

/* A key the keystore records in a PKCS#11 token: {"uri": ..., "module": ...} (no PIN). */
static hallmark_result
load_token_key(const json_t *rec, const json_t *p11, hm_signkey **out, char *err, size_t err_cap)
{
    hm_p11_uri uri;
    const char *kid = hm_ks_str(rec, "kid");
    hm_alg alg = hm_alg_from_name(hm_ks_str(rec, "alg"));
    char why[512];
    hallmark_result rc;

    why[0] = '\0';
    rc = hm_p11_uri_parse(hm_ks_str(p11, "uri"), &uri, why, sizeof why);
    if (rc == HALLMARK_OK) {
        rc = hm_p11_open(hm_p11_module_path(NULL, &uri, hm_ks_str(p11, "module")), &uri, alg, kid,
                         out, why, sizeof why);
    }
    if (rc != HALLMARK_OK) {
        hm_errorf(err, err_cap, "key %s (%s): %s", kid, hm_ks_str(p11, "uri"), why);
    }
    return rc;
}

hallmark_result
hm_keystore_load_key(const hm_keystore *ks, const char *kid, const char *pass, size_t pass_len,
                     hm_signkey **out, char *err, size_t err_cap)
{
    char path[HM_KEYSTORE_PATH_MAX];
    unsigned char *text = NULL;
    const json_t *rec, *p11;
    size_t len = 0;
    hallmark_result rc;

    *out = NULL;
    if ((rec = hm_ks_find_key(ks, kid, NULL)) != NULL &&
        (p11 = json_object_get(rec, "pkcs11")) != NULL) {
        return load_token_key(rec, p11, out, err, err_cap);
    }
    if (hm_keystore_path(ks, path, sizeof path, "secret/%s.key", kid) != 0) {
        return HALLMARK_ERR_IO;
    }
    rc = hm_read_file(path, 4096, &text, &len);
    if (rc != HALLMARK_OK) {
        hm_errorf(err, err_cap, "%s: %s", path,
                  errno == EFBIG ? "not a key file (too large)" : strerror(errno));
        return rc == HALLMARK_ERR_IO && errno == EFBIG ? HALLMARK_ERR_CORRUPT : rc;
    }
    rc = hm_keyfile_open(text, len, pass, pass_len, out);
    free(text);
    if (rc == HALLMARK_OK && strcmp(hm_signkey_public(*out)->kid, kid) != 0) {
        hm_signkey_free(*out);
        *out = NULL;
        rc = HALLMARK_ERR_CORRUPT;
    }
    if (rc == HALLMARK_ERR_WRONG_PASSPHRASE) {
        hm_errorf(err, err_cap,
                  "%s: wrong passphrase (or the key file was altered: the two cannot be "
                  "told apart)",
                  path);
    } else if (rc == HALLMARK_ERR_CORRUPT) {
        hm_errorf(err, err_cap, "%s: corrupt or truncated key file", path);
    } else if (rc != HALLMARK_OK) {
        hm_errorf(err, err_cap, "%s: %s", path, hallmark_strerror(rc));
    }
    return rc;
}

hallmark_result
hm_keystore_delete_secret(const hm_keystore *ks, const char *kid)
{
    char path[HM_KEYSTORE_PATH_MAX];
    static const unsigned char zeros[4096];
    struct stat st;
    int fd;

    if (kid == NULL || hm_keystore_path(ks, path, sizeof path, "secret/%s.key", kid) != 0) {
        errno = EINVAL;
        return HALLMARK_ERR_IO;
    }
    fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return errno == ENOENT ? HALLMARK_OK : HALLMARK_ERR_IO;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (size_t)st.st_size <= sizeof zeros) {
        (void)hm_write_all(fd, zeros, (size_t)st.st_size);
        (void)fsync(fd);
    }
    (void)close(fd);
    return unlink(path) == 0 || errno == ENOENT ? HALLMARK_OK : HALLMARK_ERR_IO;
}

json_t *
hm_ks_brands(const hm_keystore *ks)
{
    return json_object_get(ks->state, "brands");
}

json_t *
hm_ks_find_brand(const hm_keystore *ks, const char *id)
{
    json_t *b;
    size_t i;

    json_array_foreach(hm_ks_brands(ks), i, b)
    {
        if (strcmp(hm_ks_str(b, "id"), id) == 0) {
            return b;
        }
    }
    return NULL;
}

json_t *
hm_ks_find_key(const hm_keystore *ks, const char *kid, json_t **brand)
{
    json_t *b, *k, *found = NULL;
    size_t i, j, n = strlen(kid);

    if (n < 8) {
        return NULL;
    }
    json_array_foreach(hm_ks_brands(ks), i, b)
    {
        json_array_foreach(json_object_get(b, "keys"), j, k)
        {
            if (strncmp(hm_ks_str(k, "kid"), kid, n) == 0) {
                if (found != NULL) {
                    return NULL;
                }
                found = k;
                if (brand != NULL) {
                    *brand = b;
                }
            }
        }
    }
    return found;
}

const char *
hm_ks_str(const json_t *obj, const char *name)
{
    const json_t *v = json_object_get(obj, name);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

long long
hm_ks_int(const json_t *obj, const char *name)
{
    const json_t *v = json_object_get(obj, name);

    return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}
