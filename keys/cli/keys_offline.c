/* Separate hosts (issue 18, item 2): the single root of a keystore made without --root-media
 * moved off the keys host (root export), read back from its medium for the ceremonies (root
 * rotate, publisher rotate, publisher recertify), and export-signer: the files a signer host
 * needs and nothing else. A quorum root (init --root-media, [HM-TRUST-61]) never was on the host:
 * root export refuses it. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm_fileio.h"
#include "hm_keyfile.h"
#include "keys_cli.h"

int
root_single_offline(const json_t *state)
{
    return json_is_true(json_object_get(json_object_get(state, "root"), "offline"));
}

/* DIR/<kid>.key of medium m into path. */
static int
medium_file(const struct cli *c, size_t m, const char *kid, char *path, size_t cap)
{
    return snprintf(path, cap, "%s/%s.key", c->media.item[m], kid) < (int)cap ? 0 : -1;
}

int
root_single_load(struct cli *c, const char *kid, hm_signkey **out)
{
    size_t m;
    int st, wrong_pass = 0;

    if (!root_single_offline(c->ks.state)) {
        if (c->media.count > 0) {
            return keys_fail(EXIT_USAGE,
                             "--root-media: this keystore's root secret is in the keystore "
                             "(secret/%s.key); root export moves it to removable media",
                             kid);
        }
        return load_key(c, kid, out);
    }
    if (c->media.count == 0) {
        return keys_fail(EXIT_USAGE,
                         "the root secret is not on this host (root export moved it to removable "
                         "media): give --root-media DIR holding %s.key",
                         kid);
    }
    if ((st = need_passphrase(c, 0)) != 0) {
        return st;
    }
    for (m = 0; m < c->media.count; m++) {
        char path[HM_KEYSTORE_PATH_MAX];
        unsigned char *text = NULL;
        size_t len = 0;
        hallmark_result rc;

        if (medium_file(c, m, kid, path, sizeof path) != 0 ||
            hm_read_file(path, 4096, &text, &len) != HALLMARK_OK) {
            continue;
        }
        rc = hm_keyfile_open(text, len, c->pass, c->pass_len, out);
        free(text);
        if (rc == HALLMARK_OK && strcmp(hm_signkey_public(*out)->kid, kid) == 0) {
            return 0;
        }
        hm_signkey_free(*out);
        *out = NULL;
        wrong_pass |= rc == HALLMARK_ERR_WRONG_PASSPHRASE;
    }
    return keys_fail(EXIT_REFUSED, "the --root-media given hold no usable %s.key (the root)%s", kid,
                     wrong_pass ? ": it did not open with the keystore passphrase" : "");
}

/* Reads a whole file of the keystore (up to 64 MiB: a bundle may be 32); 0 or the exit status
 * (printed). */
static int
slurp(const char *path, unsigned char **out, size_t *len)
{
    if (hm_read_file(path, (size_t)64 * 1024 * 1024, out, len) != HALLMARK_OK) {
        return keys_fail(EXIT_USAGE, "%s: %s", path, strerror(errno));
    }
    return 0;
}

int
root_export(struct cli *c)
{
    json_t *root = json_object_get(c->ks.state, "root");
    char kid[64], src[HM_KEYSTORE_PATH_MAX], dst[HM_KEYSTORE_PATH_MAX];
    unsigned char *text = NULL, *back = NULL;
    size_t len = 0, back_len = 0;
    hm_signkey *key = NULL, *copy = NULL;
    int st;

    if (keys_quorum(c->ks.state)) {
        return keys_fail(EXIT_REFUSED,
                         "this keystore's root is a quorum: its secrets were written only to "
                         "the custodians' --root-media at init and were never in the keystore");
    }
    if (c->media.count != 1) {
        return keys_fail(EXIT_USAGE, "root export needs one --root-media DIR (a removable medium)");
    }
    if (root_single_offline(c->ks.state)) {
        return keys_fail(EXIT_REFUSED, "the root secret was exported already: it is not on this "
                                       "host (root rotate and publisher rotate take "
                                       "--root-media)");
    }
    (void)snprintf(kid, sizeof kid, "%s", hm_ks_str(root, "kid"));
    /* The secret must open before it leaves: a medium with a damaged copy would end the root. */
    if ((st = load_key(c, kid, &key)) != 0) {
        return st;
    }
    if (hm_keystore_path(&c->ks, src, sizeof src, "secret/%s.key", kid) != 0 ||
        medium_file(c, 0, kid, dst, sizeof dst) != 0) {
        st = keys_fail(EXIT_USAGE, "%s: path too long", c->media.item[0]);
        goto out;
    }
    if ((st = slurp(src, &text, &len)) != 0) {
        goto out;
    }
    if (mkdir(c->media.item[0], 0700) != 0 && errno != EEXIST) {
        st = keys_fail(EXIT_USAGE, "%s: %s", c->media.item[0], strerror(errno));
        goto out;
    }
    if ((st = write_out(dst, text, len)) != 0 || (st = slurp(dst, &back, &back_len)) != 0) {
        goto out;
    }
    if (back_len != len || memcmp(back, text, len) != 0 ||
        hm_keyfile_open(back, back_len, c->pass, c->pass_len, &copy) != HALLMARK_OK ||
        strcmp(hm_signkey_public(copy)->kid, kid) != 0) {
        st = keys_fail(EXIT_USAGE,
                       "%s: the copy does not read back as the root key; the "
                       "keystore keeps it",
                       dst);
        goto out;
    }
    json_object_set_new(root, "offline", json_true());
    if ((st = keys_commit(c, json_pack("{s:s,s:s,s:s}", "verb", "root export", "root", kid, "media",
                                       c->media.item[0]))) != 0) {
        goto out;
    }
    /* From the commit on, open tidies it away too should this delete not happen. */
    if (hm_keystore_delete_secret(&c->ks, kid) != HALLMARK_OK) {
        (void)fprintf(stderr,
                      "hallmark-keys: warning: could not delete %s (%s); the next command "
                      "retries\n",
                      src, strerror(errno));
    }
    (void)printf("root secret %s moved to %s and deleted from the keystore\n", kid, dst);
    (void)printf("keep that medium offline; root rotate, publisher rotate and publisher "
                 "recertify read it with --root-media %s\n",
                 c->media.item[0]);
out:
    hm_signkey_free(key);
    hm_signkey_free(copy);
    free(text);
    free(back);
    return st;
}

/* ---- export-signer ----------------------------------------------------------------------------
 */

/* 1 if the key's secret is one a signer may sign with under the last published bundle: active,
 * or retiring but still active in the bundle (not yet published as retiring). */
static int
signer_needs(const json_t *key)
{
    const char *state = hm_ks_str(key, "state");

    return state != NULL && (strcmp(state, "active") == 0 ||
                             (strcmp(state, "retiring") == 0 &&
                              json_object_get(key, "retiring_published_at") == NULL));
}

/* Copies keystore file rel (a path inside the keystore) to dir/rel. 0 or status (printed). */
static int
copy_file(struct cli *c, const char *dir, const char *rel)
{
    char src[HM_KEYSTORE_PATH_MAX], dst[HM_KEYSTORE_PATH_MAX];
    unsigned char *data = NULL;
    size_t len = 0;
    int st;

    if (hm_keystore_path(&c->ks, src, sizeof src, "%s", rel) != 0 ||
        snprintf(dst, sizeof dst, "%s/%s", dir, rel) >= (int)sizeof dst) {
        return keys_fail(EXIT_USAGE, "%s/%s: path too long", dir, rel);
    }
    if ((st = slurp(src, &data, &len)) == 0) {
        st = write_out(dst, data, len);
    }
    free(data);
    return st;
}

/* Copies the regular files of published/sub (sub "" for published/ itself), bundle.jws left to
 * the caller; the number copied into *n. 0 or status (printed). */
static int
copy_published(struct cli *c, const char *dir, const char *sub, size_t *n)
{
    char path[HM_KEYSTORE_PATH_MAX], rel[HM_KEYSTORE_PATH_MAX];
    struct dirent *e;
    DIR *d;
    int st = 0;

    if (hm_keystore_path(&c->ks, path, sizeof path, "published%s", sub) != 0 ||
        (d = opendir(path)) == NULL) {
        return 0; /* jwks/ and logos/ exist once something was published there */
    }
    while (st == 0 && (e = readdir(d)) != NULL) {
        struct stat sb;
        if (e->d_name[0] == '.' || strstr(e->d_name, ".tmp.") != NULL ||
            (sub[0] == '\0' && strcmp(e->d_name, "bundle.jws") == 0) ||
            snprintf(rel, sizeof rel, "published%s/%s", sub, e->d_name) >= (int)sizeof rel ||
            hm_keystore_path(&c->ks, path, sizeof path, "%s", rel) != 0 || lstat(path, &sb) != 0 ||
            !S_ISREG(sb.st_mode)) {
            continue;
        }
        if ((st = copy_file(c, dir, rel)) == 0) {
            (*n)++;
        }
    }
    (void)closedir(d);
    return st;
}

/* The dir/secret/KID.key files whose KID is not in keep (an earlier export's keys that no longer
 * sign). */
static void
remove_stale_keys(const char *dir, const json_t *keep)
{
    char path[HM_KEYSTORE_PATH_MAX];
    struct dirent *e;
    DIR *d;

    if (snprintf(path, sizeof path, "%s/secret", dir) >= (int)sizeof path ||
        (d = opendir(path)) == NULL) {
        return;
    }
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        char kid[64];
        if (len < 5 || len - 4 >= sizeof kid || strcmp(e->d_name + len - 4, ".key") != 0) {
            continue;
        }
        (void)snprintf(kid, sizeof kid, "%.*s", (int)(len - 4), e->d_name);
        if (json_object_get(keep, kid) == NULL &&
            snprintf(path, sizeof path, "%s/secret/%s", dir, e->d_name) < (int)sizeof path) {
            (void)unlink(path);
        }
    }
    (void)closedir(d);
}

/* The export target: absent, empty, or an earlier export (keystore.json and no audit.log: never
 * a keystore). 0 or status (printed). */
static int
export_target(struct cli *c, const char *dir)
{
    static const char *const subdirs[] = {"", "/secret", "/published", "/published/jwks",
                                          "/published/logos"};
    char path[HM_KEYSTORE_PATH_MAX];
    struct stat a, b;
    DIR *d = opendir(dir);
    size_t i, entries = 0;
    int earlier;

    if (d != NULL) {
        const struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
        }
        (void)closedir(d);
        if (stat(dir, &a) == 0 && stat(c->ks.dir, &b) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino) {
            return keys_fail(EXIT_USAGE, "%s is the keystore itself", dir);
        }
        (void)snprintf(path, sizeof path, "%s/audit.log", dir);
        earlier = access(path, F_OK) != 0;
        (void)snprintf(path, sizeof path, "%s/keystore.json", dir);
        earlier = earlier && access(path, F_OK) == 0;
        if (entries > 0 && !earlier) {
            return keys_fail(EXIT_USAGE,
                             "%s is not empty and holds no earlier export-signer: give a new "
                             "directory",
                             dir);
        }
    } else if (errno != ENOENT) {
        return keys_fail(EXIT_USAGE, "%s: %s", dir, strerror(errno));
    }
    for (i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        if (snprintf(path, sizeof path, "%s%s", dir, subdirs[i]) >= (int)sizeof path ||
            (mkdir(path, 0700) != 0 && errno != EEXIST)) {
            return keys_fail(EXIT_USAGE, "%s: %s", path, strerror(errno));
        }
    }
    return 0;
}

int
cmd_export_signer(struct cli *c)
{
    const json_t *b, *k;
    json_t *keep = NULL;
    const char *dir;
    size_t i, j, files = 0;
    int st;

    if (c->nargs != 1) {
        return keys_fail(EXIT_USAGE, "usage: hallmark-keys export-signer DIR (see help "
                                     "export-signer)");
    }
    dir = c->args[0];
    if ((st = open_keystore(c, 0)) != 0) {
        return st;
    }
    if (json_object_get(c->ks.state, "last_publish") == NULL) {
        return keys_fail(EXIT_REFUSED, "nothing is published yet: a signer needs "
                                       "published/bundle.jws (run hallmark-keys publish)");
    }
    if ((st = export_target(c, dir)) != 0) {
        return st;
    }
    if ((keep = json_object()) == NULL) {
        return keys_fail(EXIT_USAGE, "out of memory");
    }
    /* Keys first, then published/ with bundle.jws last, then keystore.json: a signer that
     * reloads by itself (hallmark-signer --reload-every) sees a new state only once its keys and
     * bundle are there. */
    json_array_foreach(hm_ks_brands(&c->ks), i, b)
    {
        if (json_object_get(b, "revoked_at") != NULL) {
            continue;
        }
        json_array_foreach(json_object_get(b, "keys"), j, k)
        {
            char rel[96];
            if (!signer_needs(k)) {
                continue;
            }
            /* A key in a PKCS#11 token has no file: keystore.json records where it is, and the
             * signer host reaches the same token (its module and PIN file are the host's). */
            (void)snprintf(rel, sizeof rel, "secret/%s.key", hm_ks_str(k, "kid"));
            if (json_object_get(k, "pkcs11") == NULL && (st = copy_file(c, dir, rel)) != 0) {
                goto out;
            }
            (void)json_object_set_new(keep, hm_ks_str(k, "kid"), json_true());
        }
    }
    remove_stale_keys(dir, keep);
    if ((st = copy_published(c, dir, "", &files)) != 0 ||
        (st = copy_published(c, dir, "/jwks", &files)) != 0 ||
        (st = copy_published(c, dir, "/logos", &files)) != 0 ||
        (st = copy_file(c, dir, "published/bundle.jws")) != 0 ||
        (st = copy_file(c, dir, "keystore.json")) != 0) {
        goto out;
    }
    (void)printf("signer keystore %s: keystore.json, published/ (%zu files), %zu brand key%s in "
                 "secret/; no root or publisher secret\n",
                 dir, files + 1, json_object_size(keep), json_object_size(keep) == 1 ? "" : "s");
    (void)printf("run: hallmark-signer serve --keystore %s ... (the same passphrase opens the "
                 "brand keys); export again after every publish\n",
                 dir);
out:
    json_decref(keep);
    return st;
}
