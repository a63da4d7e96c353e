/* The quorum root of hallmark-keys (spec §1.2 [HM-TRUST-60], [HM-TRUST-61]): a root set of n keys
 * of which k sign every publisher certificate and root rotation statement (co-signed, §6.4). The
 * root secrets never enter the keystore: each is sealed into ROOT_MEDIA/<kid>.key (removable
 * media named on the command line, one per custodian, each under its custodian's passphrase,
 * [HM-TRUST-67]), and read back from there for the ceremonies. The keystore holds the public sets
 * only: "quorum": {"threshold": k, "sets": [[{"kid","x","created"}...], ...]} sets[0] is the set
 * apps first pinned, the last one the current set. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hm_b64url.h"
#include "hm_fileio.h"
#include "hm_jws_sign.h"
#include "hm_keyfile.h"
#include "hm_passphrase.h"
#include "keys_cli.h"

int
keys_quorum(const json_t *state)
{
    return json_is_object(json_object_get(state, "quorum"));
}

const json_t *
keys_root_set(const json_t *state, int genesis)
{
    const json_t *sets = json_object_get(json_object_get(state, "quorum"), "sets");

    return json_array_get(sets, genesis ? 0 : json_array_size(sets) - 1);
}

size_t
keys_root_threshold(const json_t *state)
{
    return (size_t)hm_ks_int(json_object_get(state, "quorum"), "threshold");
}

static int
media_path(const char *dir, const char *kid, char *path, size_t cap)
{
    return snprintf(path, cap, "%s/%s.key", dir, kid) < (int)cap ? 0 : -1;
}

size_t
root_media_custodians(const struct cli *c)
{
    return c->media.count;
}

/* One custodian for every medium: the keystore passphrase seals them all (the setup of earlier
 * releases, for tests; status warns). */
static int
single_custodian(const struct cli *c)
{
    return c->media.count <= 1 && c->custodian_files.count == 0;
}

/*
 * The passphrase of medium m's custodian into *pass / *len (borrowed): the keystore passphrase for
 * a single custodian, else --custodian-passphrase-file number m, else the terminal (never
 * $HALLMARK_PASSPHRASE_FILE, which holds the keystore's). 0 or the exit status (printed).
 */
static int
custodian_passphrase(struct cli *c, size_t m, int is_new, const char **pass, size_t *len)
{
    char prompt[HM_KEYSTORE_PATH_MAX + 64];
    hallmark_result rc;

    if (single_custodian(c)) {
        int st = need_passphrase(c, is_new);
        *pass = c->pass;
        *len = c->pass_len;
        return st;
    }
    if (c->custodian_pass[m] == NULL) {
        const char *file = m < c->custodian_files.count ? c->custodian_files.item[m] : NULL;
        if (file == NULL && getenv("HALLMARK_PASSPHRASE_FILE") != NULL) {
            return keys_fail(EXIT_USAGE,
                             "--root-media %s: give its custodian's --custodian-passphrase-file "
                             "(in the order of --root-media), or let the custodian type it at a "
                             "terminal: $HALLMARK_PASSPHRASE_FILE is the keystore's (spec "
                             "HM-TRUST-67)",
                             c->media.item[m]);
        }
        (void)snprintf(prompt, sizeof prompt,
                       "Passphrase of the custodian of %s: ", c->media.item[m]);
        rc = hm_passphrase_read(file, prompt, is_new, &c->custodian_pass[m],
                                &c->custodian_pass_len[m], c->err, sizeof c->err);
        if (rc != HALLMARK_OK) {
            return keys_fail(status_for(rc), "custodian of %s: %s", c->media.item[m], c->err);
        }
    }
    *pass = c->custodian_pass[m];
    *len = c->custodian_pass_len[m];
    return 0;
}

int
root_media_ready(struct cli *c, size_t n)
{
    size_t a, b;
    int st;

    if (c->media.count == 0) {
        return keys_fail(EXIT_USAGE, "--root-media DIR is required: root secrets never go to the "
                                     "keystore");
    }
    if (c->custodian_files.count > c->media.count) {
        return keys_fail(EXIT_USAGE,
                         "%zu --custodian-passphrase-file for %zu --root-media: one "
                         "per medium, in the same order",
                         c->custodian_files.count, c->media.count);
    }
    if (c->media.count > 1 && c->media.count != n) {
        return keys_fail(EXIT_USAGE,
                         "%zu --root-media for a set of %zu root keys: give one medium per key "
                         "(each custodian holds one), or a single one for a one-custodian test "
                         "setup (spec HM-TRUST-67)",
                         c->media.count, n);
    }
    for (a = 0; !single_custodian(c) && a < c->media.count; a++) {
        const char *pa = NULL;
        size_t la = 0;
        if ((st = custodian_passphrase(c, a, 1, &pa, &la)) != 0) {
            return st;
        }
        if (c->pass != NULL && c->pass_len == la && sodium_memcmp(c->pass, pa, la) == 0) {
            return keys_fail(EXIT_REFUSED,
                             "the custodian of %s gave the keystore's passphrase: a root "
                             "custodian's must be their own (spec HM-TRUST-67)",
                             c->media.item[a]);
        }
        for (b = 0; b < a; b++) { /* [HM-TRUST-67]: no custodian can open another's medium */
            if (c->custodian_pass_len[b] == la &&
                sodium_memcmp(c->custodian_pass[b], pa, la) == 0) {
                return keys_fail(EXIT_REFUSED,
                                 "the custodians of %s and %s gave the same passphrase: each "
                                 "custodian's must be their own (spec HM-TRUST-67)",
                                 c->media.item[b], c->media.item[a]);
            }
        }
    }
    return 0;
}

int
root_media_save(struct cli *c, const hm_signkey *key, size_t i)
{
    size_t m = c->media.count > 1 ? i : 0;
    const char *pass = NULL;
    char path[HM_KEYSTORE_PATH_MAX], *text = NULL;
    size_t len = 0;
    hallmark_result rc;
    int st;

    if (c->media.count == 0) {
        return keys_fail(EXIT_USAGE, "--root-media DIR is required: root secrets never go to the "
                                     "keystore");
    }
    if ((st = custodian_passphrase(c, m, 1, &pass, &len)) != 0) {
        return st;
    }
    if (mkdir(c->media.item[m], 0700) != 0 && errno != EEXIST) {
        return keys_fail(EXIT_USAGE, "%s: %s", c->media.item[m], strerror(errno));
    }
    rc = hm_keyfile_seal(key, pass, len, c->ks.kdf, &text);
    if (rc != HALLMARK_OK) {
        return keys_fail(EXIT_USAGE, "cannot seal a root key: %s", hallmark_strerror(rc));
    }
    if (media_path(c->media.item[m], hm_signkey_public(key)->kid, path, sizeof path) != 0 ||
        hm_atomic_write(path, text, strlen(text)) != HALLMARK_OK) {
        free(text);
        return keys_fail(EXIT_USAGE, "%s: %s", path, strerror(errno));
    }
    free(text);
    return 0;
}

int
root_media_load(struct cli *c, const json_t *set, size_t need, hm_signkey **out)
{
    size_t i, m, k, got = 0;
    const json_t *rec;
    int wrong_pass = 0, st;

    if (c->media.count == 0) {
        return keys_fail(EXIT_USAGE,
                         "this keystore's root is a quorum: give --root-media DIR holding at "
                         "least %zu of its root key files (one --root-media per custodian)",
                         need);
    }
    if (c->custodian_files.count > c->media.count) {
        return keys_fail(EXIT_USAGE,
                         "%zu --custodian-passphrase-file for %zu --root-media: one "
                         "per medium, in the same order",
                         c->custodian_files.count, c->media.count);
    }
    for (m = 0; m < c->media.count && got < need; m++) {
        json_array_foreach(set, i, rec)
        {
            char path[HM_KEYSTORE_PATH_MAX];
            unsigned char *text = NULL;
            const char *pass = NULL;
            size_t len = 0, plen = 0;
            int dup = 0;
            hallmark_result rc;

            for (k = 0; k < got; k++) { /* the same key on two media counts once */
                dup |= strcmp(hm_signkey_public(out[k])->kid, hm_ks_str(rec, "kid")) == 0;
            }
            if (got == need || dup ||
                media_path(c->media.item[m], hm_ks_str(rec, "kid"), path, sizeof path) != 0 ||
                hm_read_file(path, 4096, &text, &len) != HALLMARK_OK) {
                continue;
            }
            if ((st = custodian_passphrase(c, m, 0, &pass, &plen)) != 0) {
                free(text);
                for (k = 0; k < got; k++) {
                    hm_signkey_free(out[k]);
                    out[k] = NULL;
                }
                return st;
            }
            rc = hm_keyfile_open(text, len, pass, plen, &out[got]);
            free(text);
            if (rc == HALLMARK_OK &&
                strcmp(hm_signkey_public(out[got])->kid, hm_ks_str(rec, "kid")) == 0) {
                got++;
            } else {
                hm_signkey_free(out[got]);
                out[got] = NULL;
                wrong_pass |= rc == HALLMARK_ERR_WRONG_PASSPHRASE;
            }
        }
    }
    if (got < need) {
        for (i = 0; i < got; i++) {
            hm_signkey_free(out[i]);
            out[i] = NULL;
        }
        return keys_fail(
            EXIT_REFUSED,
            "the --root-media given hold %zu usable root key file(s) of the current "
            "set; the threshold is %zu%s",
            got, need, wrong_pass ? " (a file did not open with its custodian's passphrase)" : "");
    }
    return 0;
}

void
root_media_delete(const struct cli *c, const char *kid)
{
    char path[HM_KEYSTORE_PATH_MAX];
    size_t m;

    for (m = 0; m < c->media.count; m++) {
        if (media_path(c->media.item[m], kid, path, sizeof path) == 0) {
            (void)remove(path);
        }
    }
}

json_t *
cosign_json(hm_signkey *const *keys, size_t n, const char *typ, const json_t *payload)
{
    json_t *out = json_array();
    size_t i;

    for (i = 0; out != NULL && i < n; i++) {
        char *jws = NULL;
        if (hm_jws_sign_json(keys[i], typ, payload, &jws) != HALLMARK_OK ||
            json_array_append_new(out, json_string(jws)) != 0) {
            json_decref(out);
            out = NULL;
        }
        free(jws);
    }
    return out;
}

/* The base64url keys of a set into list (at most HM_ROOT_SET_MAX). */
static size_t
set_keys(const json_t *set, const char **list)
{
    size_t i, n = 0;
    const json_t *rec;

    json_array_foreach(set, i, rec)
    {
        if (n < HM_ROOT_SET_MAX) {
            list[n++] = hm_ks_str(rec, "x");
        }
    }
    return n;
}

hallmark_result
keys_anchor(const json_t *state, int genesis, const char *platform, hm_anchor *out)
{
    const char *list[HM_ROOT_SET_MAX];
    size_t n;

    if (!keys_quorum(state)) {
        const json_t *root = genesis ? json_array_get(json_object_get(state, "roots"), 0)
                                     : json_object_get(state, "root");
        list[0] = hm_ks_str(root, "x");
        if (list[0] == NULL) {
            memset(out, 0, sizeof *out);
            return HALLMARK_ERR_CORRUPT;
        }
        return hm_anchor_init(out, platform, list, 1, 1);
    }
    n = set_keys(keys_root_set(state, genesis), list);
    return hm_anchor_init(out, platform, list, n, keys_root_threshold(state));
}

size_t
keys_anchor_strings(const json_t *state, int genesis, const char **list)
{
    if (!keys_quorum(state)) {
        list[0] = hm_ks_str(genesis ? json_array_get(json_object_get(state, "roots"), 0)
                                    : json_object_get(state, "root"),
                            "x");
        return 1;
    }
    return set_keys(keys_root_set(state, genesis), list);
}
