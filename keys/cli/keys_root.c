/* The quorum root of hallmark-keys (spec §1.2 [HM-TRUST-60], [HM-TRUST-61]): a root set of n keys
 * of which k sign every publisher certificate and root rotation statement (co-signed, §6.4). The
 * root secrets never enter the keystore: each is sealed under the passphrase into
 * ROOT_MEDIA/<kid>.key (removable media named on the command line), and read back from there for
 * the ceremonies. The keystore holds the public sets only:
 *   "quorum": {"threshold": k, "sets": [[{"kid","x","created"}...], ...]}
 * sets[0] is the set apps first pinned, the last one the current set. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hm_b64url.h"
#include "hm_fileio.h"
#include "hm_jws_sign.h"
#include "hm_keyfile.h"
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
media_path(const struct cli *c, const char *kid, char *path, size_t cap)
{
    return snprintf(path, cap, "%s/%s.key", c->root_media, kid) < (int)cap ? 0 : -1;
}

int
root_media_save(struct cli *c, const hm_signkey *key)
{
    char path[HM_KEYSTORE_PATH_MAX], *text = NULL;
    hallmark_result rc;

    if (c->root_media == NULL) {
        return keys_fail(EXIT_USAGE, "--root-media DIR is required: root secrets never go to the "
                                     "keystore");
    }
    if (mkdir(c->root_media, 0700) != 0 && errno != EEXIST) {
        return keys_fail(EXIT_USAGE, "%s: %s", c->root_media, strerror(errno));
    }
    rc = hm_keyfile_seal(key, c->pass, c->pass_len, c->ks.kdf, &text);
    if (rc != HALLMARK_OK) {
        return keys_fail(EXIT_USAGE, "cannot seal a root key: %s", hallmark_strerror(rc));
    }
    if (media_path(c, hm_signkey_public(key)->kid, path, sizeof path) != 0 ||
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
    size_t i, got = 0;
    const json_t *rec;
    int wrong_pass = 0;

    if (c->root_media == NULL) {
        return keys_fail(EXIT_USAGE,
                         "this keystore's root is a quorum: give --root-media DIR holding at "
                         "least %zu of its root key files",
                         need);
    }
    json_array_foreach(set, i, rec)
    {
        char path[HM_KEYSTORE_PATH_MAX];
        unsigned char *text = NULL;
        size_t len = 0;
        hallmark_result rc;

        if (got == need || media_path(c, hm_ks_str(rec, "kid"), path, sizeof path) != 0 ||
            hm_read_file(path, 4096, &text, &len) != HALLMARK_OK) {
            continue;
        }
        rc = hm_keyfile_open(text, len, c->pass, c->pass_len, &out[got]);
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
    if (got < need) {
        for (i = 0; i < got; i++) {
            hm_signkey_free(out[i]);
            out[i] = NULL;
        }
        return keys_fail(EXIT_REFUSED,
                         "%s holds %zu usable root key file(s) of the current set; the "
                         "threshold is %zu%s",
                         c->root_media, got, need,
                         wrong_pass ? " (a file did not open with this passphrase)" : "");
    }
    return 0;
}

void
root_media_delete(const struct cli *c, const char *kid)
{
    char path[HM_KEYSTORE_PATH_MAX];

    if (c->root_media != NULL && media_path(c, kid, path, sizeof path) == 0) {
        (void)remove(path);
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
