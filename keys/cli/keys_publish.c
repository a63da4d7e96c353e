/* hallmark-keys init, publish and root: the platform's own keys and the trust bundles. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm_fileio.h"
#include "hm_b64url.h"
#include "hm_ids.h"
#include "hm_jws_sign.h"
#include "hm_png.h"
#include "hm_publish.h"
#include "hm_text.h"
#include "keys_cli.h"

#define DEFAULT_PROPAGATION 86400LL
#define DEFAULT_BUNDLE_LIFETIME (7 * 86400LL)
/* [HM-TRUST-70]: a status lives 6 hours by default, at most a day. */
#define DEFAULT_STATUS_LIFETIME (6 * 3600LL)
#define STATUS_LIFETIME_MAX 86400LL
#define PUBLISHER_VALIDITY (86400LL * 365 * 2)
/* [HM-TRUST-62]: a quorum keystore certifies its publishing key for 28 days (the spec allows 42),
 * re-certified weekly by `publisher recertify`; status warns 7 days ahead (keys_status.c). */
#define QUORUM_CERT_VALIDITY (86400LL * 28)
#define ROOT_CHAIN_MAX 16U

/* The publisher certificate (spec §6.4) for jwk of publisher generation generation ([HM-TRUST-63]:
 * a new key gets a higher one, a re-certified key keeps its own), signed by root. */
static char *
certify_publisher(const hm_signkey *root, const json_t *jwk, long long generation, long long nbf,
                  long long exp)
{
    json_t *p = json_pack("{s:i,s:I,s:O,s:I,s:I}", "v", 1, "generation", (json_int_t)generation,
                          "jwk", jwk, "nbf", (json_int_t)nbf, "exp", (json_int_t)exp);
    char *out = NULL;

    if (p != NULL) {
        (void)hm_jws_sign_json(root, "hallmark-publisher+jwt", p, &out);
    }
    json_decref(p);
    return out;
}

static long long
cert_validity(const json_t *state)
{
    return keys_quorum(state) ? QUORUM_CERT_VALIDITY : PUBLISHER_VALIDITY;
}

/* root.pub: the base64url key of the current root, the one apps pin, one line. */
static int
write_root_pub(const struct cli *c)
{
    return hm_keystore_sync_root_pub(&c->ks) == HALLMARK_OK
               ? 0
               : keys_fail(EXIT_USAGE, "%s/root.pub: %s", c->ks.dir, strerror(errno));
}

static json_t *
root_record(const hm_signkey *root, long long now)
{
    char x[48];

    (void)hm_b64url_encode(x, sizeof x, hm_signkey_public(root)->raw, 32, NULL);
    return json_pack("{s:s,s:s,s:I}", "kid", hm_signkey_public(root)->kid, "x", x, "created",
                     (json_int_t)now);
}

int
cmd_init(struct cli *c)
{
    hm_signkey *root = NULL, *publisher = NULL, *set[HM_ROOT_SET_MAX] = {NULL};
    json_t *state = NULL, *pjwk = NULL, *cosigned = NULL;
    char *cert = NULL;
    long long now, propagation = DEFAULT_PROPAGATION, n = 3, k = 2;
    long long validity = c->root_media != NULL ? QUORUM_CERT_VALIDITY : PUBLISHER_VALIDITY;
    size_t i, quorum_n = 1, quorum_k = 1;
    int st;
    hallmark_result rc;

    if (c->root_media == NULL && (c->root_keys != NULL || c->threshold != NULL)) {
        return keys_fail(EXIT_USAGE, "--root-keys and --threshold need --root-media DIR");
    }
    if (c->root_media != NULL) {
        char *end = NULL;
        if (c->root_keys != NULL) {
            n = strtoll(c->root_keys, &end, 10);
            n = end != NULL && *end == '\0' ? n : -1;
        }
        if (c->threshold != NULL) {
            k = strtoll(c->threshold, &end, 10);
            k = end != NULL && *end == '\0' ? k : -1;
        }
        if (n < 3 || n > (long long)HM_ROOT_SET_MAX || k < 2 || k > n) {
            return keys_fail(EXIT_USAGE,
                             "--root-keys N from 3 to 16 and --threshold K from 2 to N (spec "
                             "HM-TRUST-61: one leaked root secret must certify nothing)");
        }
        quorum_n = (size_t)n;
        quorum_k = (size_t)k;
    }

    if (c->nargs != 0) {
        return keys_fail(EXIT_USAGE, "init takes no arguments besides its options (see help init)");
    }
    if (c->platform == NULL || !hm_utf8_no_controls(c->platform, 1, 64)) {
        return keys_fail(EXIT_USAGE, "init needs --platform NAME: 1-64 bytes of UTF-8, no control "
                                     "characters");
    }
    if (c->kdf != NULL && strcmp(c->kdf, "moderate") != 0 && strcmp(c->kdf, "minimum") != 0) {
        return keys_fail(EXIT_USAGE, "--kdf is moderate (the default) or minimum (tests only)");
    }
    if (c->propagation != NULL && (!parse_duration(c->propagation, &propagation) ||
                                   propagation < 3600 || propagation > 30 * 86400LL)) {
        return keys_fail(EXIT_USAGE,
                         "--propagation: a duration from 1h to 30d (e.g. 24h, 2d): apps "
                         "need time to fetch a bundle");
    }
    if (c->dir == NULL) {
        c->dir = getenv("HALLMARK_KEYSTORE");
    }
    if ((st = need_passphrase(c, 1)) != 0 ||
        (c->root_media != NULL && (st = root_media_ready(c, quorum_n)) != 0)) {
        return st;
    }
    now = hm_keystore_clock(NULL);
    for (i = 0; i < quorum_n; i++) {
        if (hm_signkey_generate(&set[i], HM_ALG_ED25519) != HALLMARK_OK) {
            st = keys_fail(EXIT_USAGE, "could not generate the root keys");
            goto out;
        }
    }
    root = set[0];
    set[0] = NULL;
    if (hm_signkey_generate(&publisher, HM_ALG_ED25519) != HALLMARK_OK ||
        (pjwk = hm_pub_jwk(publisher)) == NULL ||
        (cert = certify_publisher(root, pjwk, 1, now, now + validity)) == NULL) {
        st = keys_fail(EXIT_USAGE, "could not generate the platform keys");
        goto out;
    }
    if (c->root_media != NULL) { /* the certificate co-signed by the first k of the set */
        json_t *p = json_pack("{s:i,s:i,s:O,s:I,s:I}", "v", 1, "generation", 1, "jwk", pjwk, "nbf",
                              (json_int_t)now, "exp", (json_int_t)(now + validity));
        set[0] = root;
        cosigned = p != NULL ? cosign_json(set, quorum_k, "hallmark-publisher+jwt", p) : NULL;
        set[0] = NULL;
        json_decref(p);
        if (cosigned == NULL) {
            st = keys_fail(EXIT_USAGE, "could not certify the publishing key");
            goto out;
        }
        free(cert);
        cert = strdup(json_string_value(json_array_get(cosigned, 0)));
    }
    state = json_pack(
        "{s:i,s:s,s:s,s:I,s:{s:s,s:I,s:I},s:{s:s,s:s},s:[o],s:[],s:{s:s,s:O,s:s,s:I,s:I,s:i},s:I,"
        "s:b,s:[],s:{s:i,s:s}}",
        "v", 1, "type", "hallmark-keystore", "platform", c->platform, "created", (json_int_t)now,
        "settings", "kdf", c->kdf != NULL ? c->kdf : "moderate", "propagation",
        (json_int_t)propagation, "bundle_lifetime", (json_int_t)DEFAULT_BUNDLE_LIFETIME, "root",
        "kid", hm_signkey_public(root)->kid, "x", "", "roots", root_record(root, now), "root_chain",
        "publisher", "kid", hm_signkey_public(publisher)->kid, "jwk", pjwk, "certificate", cert,
        "nbf", (json_int_t)now, "exp", (json_int_t)(now + validity), "generation", 1, "serial",
        (json_int_t)0, "unpublished", 1, "brands", "audit", "seq", 0, "head", "");
    if (state == NULL) {
        st = keys_fail(EXIT_USAGE, "out of memory");
        goto out;
    }
    json_object_set(json_object_get(state, "root"), "x",
                    json_object_get(json_array_get(json_object_get(state, "roots"), 0), "x"));
    if (c->root_media != NULL) {
        json_t *records = json_array();
        json_array_append(records, json_array_get(json_object_get(state, "roots"), 0));
        for (i = 1; i < quorum_n; i++) {
            json_array_append_new(json_object_get(state, "roots"), root_record(set[i], now));
            json_array_append(records, json_array_get(json_object_get(state, "roots"), i));
        }
        json_object_set_new(state, "quorum",
                            json_pack("{s:I,s:[o],s:I}", "threshold", (json_int_t)quorum_k, "sets",
                                      records, "custodians", (json_int_t)root_media_custodians(c)));
        json_object_set_new(json_object_get(state, "publisher"), "cosigned", cosigned);
        cosigned = NULL;
    }
    rc = hm_keystore_create(&c->ks, c->dir, state, c->err, sizeof c->err);
    c->ks_open = 1;
    if (rc != HALLMARK_OK) {
        st = keys_fail(rc == HALLMARK_ERR_IO ? EXIT_USAGE : EXIT_REFUSED, "%s", c->err);
        goto out;
    }
    c->ks.kdf =
        c->kdf != NULL && strcmp(c->kdf, "minimum") == 0 ? hm_kdf_minimum() : hm_kdf_moderate();
    /* [HM-TRUST-61]: a quorum's root secrets go to the removable media only. */
    for (i = 0; c->root_media != NULL && i < quorum_n; i++) {
        if ((st = root_media_save(c, i == 0 ? root : set[i], i)) != 0) {
            goto out;
        }
    }
    if ((c->root_media == NULL && hm_keystore_save_key(&c->ks, root, c->pass, c->pass_len, c->err,
                                                       sizeof c->err) != HALLMARK_OK) ||
        hm_keystore_save_key(&c->ks, publisher, c->pass, c->pass_len, c->err, sizeof c->err) !=
            HALLMARK_OK) {
        st = keys_fail(EXIT_USAGE, "%s", c->err);
        goto out;
    }
    /* The keystore keeps the publishing key: its secret keys the state MAC. */
    rc = hm_keystore_use_publisher(&c->ks, publisher);
    publisher = NULL;
    if (rc != HALLMARK_OK) {
        st = keys_fail(EXIT_USAGE, "cannot derive the state key: %s", hallmark_strerror(rc));
        goto out;
    }
    if ((st = keys_commit(c, json_pack("{s:s,s:s,s:s,s:s}", "verb", "init", "platform", c->platform,
                                       "root", hm_signkey_public(root)->kid, "publisher",
                                       hm_signkey_public(c->ks.publisher)->kid))) != 0 ||
        (st = write_root_pub(c)) != 0) {
        goto out;
    }
    (void)printf("created keystore %s for \"%s\"\n", c->ks.dir, c->platform);
    if (c->root_media != NULL) {
        (void)printf("root set      %zu keys, threshold %zu; their secrets are in %s: give each "
                     "file to its custodian's removable medium and remove it there\n",
                     quorum_n, quorum_k, c->root_media);
        (void)printf("              apps pin the platform id, the keys and the threshold "
                     "(hallmark-keys root show)\n");
    } else {
        char x[48];
        (void)hm_b64url_encode(x, sizeof x, hm_signkey_public(root)->raw, 32, NULL);
        (void)printf("root key      %s\n", x);
        (void)printf("              apps pin it: hallmark-verify --platform \"%s\" --root %s (or "
                     "--root %s/root.pub, the file holding it)\n",
                     c->platform, x, c->ks.dir);
        (void)printf("              its secret is %s/secret/%s.key: move it to removable media "
                     "with hallmark-keys root export --root-media DIR\n",
                     c->ks.dir, hm_signkey_public(root)->kid);
    }
    (void)printf("publisher key %s, certified until the root re-certifies it\n",
                 hm_signkey_public(c->ks.publisher)->kid);
    (void)printf("next: hallmark-keys brand add ID --name NAME --logo FILE.png --color HEX "
                 "--sender CHANNEL:ID\n");
out:
    hm_signkey_free(root);
    for (i = 0; i < quorum_n; i++) {
        hm_signkey_free(set[i]);
    }
    hm_signkey_free(publisher);
    json_decref(pjwk);
    json_decref(cosigned);
    free(cert);
    return st;
}

/* The highest serial among published/bundle-N.jws files (crashed publishes included), so a
 * serial is never given to two different bundles. */
static unsigned long long
highest_file_serial(const struct cli *c)
{
    char path[HM_KEYSTORE_PATH_MAX];
    unsigned long long best = 0;
    struct dirent *e;
    DIR *d;

    if (hm_keystore_path(&c->ks, path, sizeof path, "published") != 0 ||
        (d = opendir(path)) == NULL) {
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        unsigned long long n = 0;
        char tail[8] = "";

        if (sscanf(e->d_name, "bundle-%llu.%4s", &n, tail) == 2 && strcmp(tail, "jws") == 0 &&
            n > best) {
            best = n;
        }
    }
    (void)closedir(d);
    return best;
}

/* Loads the new bundle with the verifier library, as an app that pins the first root and has
 * no trust state yet would, and reads the serial back from the state it returns. */
static int
self_check(const struct cli *c, const char *bundle, unsigned long long serial, long long now)
{
    const char *pinned[HM_ROOT_SET_MAX];
    size_t pinned_count = keys_anchor_strings(c->ks.state, 1, pinned);
    hallmark_verifier *v = NULL;
    hallmark_error e;
    unsigned char state[HALLMARK_TRUST_STATE_MAX];
    size_t state_len = 0;
    json_t *st = NULL;
    long long got = -1;
    hallmark_result rc;

    memset(&e, 0, sizeof e);
    rc = hallmark_verifier_create(&v, hm_ks_str(c->ks.state, "platform"), pinned, pinned_count,
                                  keys_quorum(c->ks.state) ? keys_root_threshold(c->ks.state) : 1);
    if (rc == HALLMARK_OK) {
        rc = hallmark_verifier_load(v, (const unsigned char *)bundle, strlen(bundle), NULL, 0, now,
                                    state, sizeof state, &state_len, &e);
    }
    hallmark_verifier_free(v);
    if (rc == HALLMARK_OK && (st = json_loadb((const char *)state, state_len, 0, NULL)) != NULL) {
        got = (long long)json_integer_value(json_object_get(st, "serial"));
    }
    json_decref(st);
    if (rc != HALLMARK_OK || got < 0 || (unsigned long long)got != serial) {
        return keys_fail(EXIT_REFUSED,
                         "the new bundle does not load in the verifier (%s%s%s); nothing was "
                         "published",
                         hallmark_result_name(rc), e.message != NULL ? ": " : "",
                         e.message != NULL ? e.message : "");
    }
    return 0;
}

/* [HM-CRED-30]: no bundle that gives one sender to two brands that are not revoked (a keystore
 * from before the rule, or one sealed after a hand edit): apps would show neither brand on it. */
static int
check_owners(const struct cli *c, const char *bundle, long long now)
{
    const hm_sender_entry *a = NULL, *b = NULL;
    hm_anchor anchor;
    hm_trust *t = NULL;
    size_t ba = 0, bb = 0;
    int st = 0;

    if (keys_anchor(c->ks.state, 0, NULL, &anchor) != HALLMARK_OK ||
        hm_trust_load(&anchor, (const unsigned char *)bundle, strlen(bundle), NULL, 0, now, &t,
                      NULL) != HALLMARK_OK) {
        st = keys_fail(EXIT_REFUSED,
                       "the new bundle does not load in the verifier under the current "
                       "root; nothing was published");
    } else if (hm_trust_first_overlap(t, &a, &ba, &b, &bb)) {
        st = keys_fail(
            EXIT_REFUSED,
            "brand %s holds sender %s:%s%s%s%s and brand %s holds sender %s:%s%s%s%s, which "
            "overlap: apps would show neither brand on it (spec §5.6); give it to one with "
            "hallmark-keys brand update BRAND ... --transfer-from OTHER --reason TEXT; "
            "nothing was published",
            t->brands[ba].id, a->channel, a->value, a->is_prefix ? "*" : "",
            a->country != NULL ? "@" : "", a->country != NULL ? a->country : "", t->brands[bb].id,
            b->channel, b->value, b->is_prefix ? "*" : "", b->country != NULL ? "@" : "",
            b->country != NULL ? b->country : "");
    }
    hm_trust_free(t);
    hm_anchor_clear(&anchor);
    return st;
}

/* Supersedes a brand's previously published credential when it has changed. */
static void
note_credential_changes(struct cli *c, long long now)
{
    long long window = hm_ks_int(json_object_get(c->ks.state, "settings"), "propagation");
    json_t *b;
    size_t i;

    json_array_foreach(hm_ks_brands(&c->ks), i, b)
    {
        char digest[HM_SHA256_B64_LEN + 1];
        const char *old = hm_ks_str(b, "published_cred");

        if (hm_pub_credential_digest(b, hm_ks_str(c->ks.state, "platform"), digest) !=
            HALLMARK_OK) {
            continue;
        }
        if (old != NULL && strcmp(old, digest) != 0) {
            json_t *sup = json_object_get(b, "superseded");
            if (!json_is_array(sup)) {
                sup = json_array();
                json_object_set_new(b, "superseded", sup);
            }
            json_array_append_new(
                sup, json_pack("{s:s,s:I}", "cred", old, "until", (json_int_t)(now + window)));
        }
        json_object_set_new(b, "published_cred", json_string(digest));
    }
}

static int
write_jwks(const struct cli *c, long long now)
{
    char path[HM_KEYSTORE_PATH_MAX], *text;
    json_t *b;
    size_t i;
    int st = 0;

    json_array_foreach(hm_ks_brands(&c->ks), i, b)
    {
        json_t *jwks = hm_pub_jwks(b, now);

        text = jwks != NULL ? json_dumps(jwks, JSON_INDENT(2)) : NULL;
        json_decref(jwks);
        if (text == NULL) {
            return keys_fail(EXIT_USAGE, "out of memory");
        }
        if (hm_keystore_path(&c->ks, path, sizeof path, "published/jwks/%s.json",
                             hm_ks_str(b, "id")) != 0) {
            st = keys_fail(EXIT_USAGE, "path too long");
        } else {
            st = write_out(path, text, strlen(text));
        }
        free(text);
        if (st != 0) {
            return st;
        }
    }
    return 0;
}

/* published/logos/, made on the first publish that needs it (keystores made before it was
 * published lack it): 0700 like every keystore directory, and its entry made durable. */
static int
logos_dir(const struct cli *c, char *path, size_t cap)
{
    char parent[HM_KEYSTORE_PATH_MAX];
    struct stat st;
    int fd;

    if (hm_keystore_path(&c->ks, path, cap, "published/logos") != 0 ||
        hm_keystore_path(&c->ks, parent, sizeof parent, "published") != 0) {
        return keys_fail(EXIT_USAGE, "path too long");
    }
    if (mkdir(path, 0700) == 0) {
        if ((fd = open(parent, O_RDONLY | O_DIRECTORY)) < 0 || fsync(fd) != 0) {
            int e = errno;
            if (fd >= 0) {
                (void)close(fd);
            }
            return keys_fail(EXIT_USAGE, "%s: %s", parent, strerror(e));
        }
        (void)close(fd);
    } else if (errno != EEXIST) {
        return keys_fail(EXIT_USAGE, "%s: %s", path, strerror(errno));
    }
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 0077) != 0) {
        return keys_fail(EXIT_USAGE, "%s: not a private directory of this user (0700)", path);
    }
    return 0;
}

/* Whether the file at path holds exactly the bytes whose digest is sha256. */
static int
holds_digest(const char *path, const char *sha256)
{
    char got[HM_SHA256_B64_LEN + 1];
    unsigned char *data = NULL;
    size_t len = 0;
    int same;

    if (hm_read_file(path, HM_LOGO_FILE_MAX, &data, &len) != HALLMARK_OK) {
        return 0;
    }
    same = hm_sha256_b64url(got, data, len) == HALLMARK_OK && strcmp(got, sha256) == 0;
    free(data);
    return same;
}

/* published/logos/SHA256.png for every brand the bundle carries: the canonical logo apps fetch
 * (GET /v1/logos/SHA256 on the signer) and check against the credential's logo.sha256. The
 * source is the keystore's own copy (logos/SHA256.png, written by brand add and update), checked
 * against its name first; a published file that already holds those bytes is left alone, so a
 * publish rewrites nothing that has not changed. */
static int
write_logos(const struct cli *c)
{
    char dir[HM_KEYSTORE_PATH_MAX], src[HM_KEYSTORE_PATH_MAX], dst[HM_KEYSTORE_PATH_MAX];
    json_t *b;
    size_t i;
    int st;

    if ((st = logos_dir(c, dir, sizeof dir)) != 0) {
        return st;
    }
    json_array_foreach(hm_ks_brands(&c->ks), i, b)
    {
        const char *sha = hm_ks_str(json_object_get(b, "logo"), "sha256");
        unsigned char *data = NULL;
        size_t len = 0;

        if (sha == NULL || strlen(sha) != HM_SHA256_B64_LEN || strchr(sha, '/') != NULL ||
            hm_keystore_path(&c->ks, src, sizeof src, "logos/%s.png", sha) != 0 ||
            hm_keystore_path(&c->ks, dst, sizeof dst, "published/logos/%s.png", sha) != 0) {
            return keys_fail(EXIT_REFUSED, "brand %s: its logo digest is malformed",
                             hm_ks_str(b, "id"));
        }
        if (holds_digest(dst, sha)) {
            continue;
        }
        if (!holds_digest(src, sha) ||
            hm_read_file(src, HM_LOGO_FILE_MAX, &data, &len) != HALLMARK_OK) {
            return keys_fail(EXIT_REFUSED,
                             "%s: missing or does not match its digest; give the brand its "
                             "logo again (brand update %s --logo FILE.png)",
                             src, hm_ks_str(b, "id"));
        }
        st = write_out(dst, data, len);
        free(data);
        if (st != 0) {
            return st;
        }
    }
    return 0;
}

/* published/status.jws: the status object of bundle (spec §6.9), listing what was revoked at or
 * after since. 0 or the exit status (printed). */
static int
write_status(const struct cli *c, const char *bundle, unsigned long long serial, long long since,
             long long lifetime)
{
    char path[HM_KEYSTORE_PATH_MAX], *status = NULL;
    int st;

    if (hm_pub_status(c->ks.state, c->ks.publisher, serial, bundle, since, c->ks.now,
                      c->ks.now + lifetime, &status) != HALLMARK_OK) {
        return keys_fail(EXIT_USAGE, "could not sign the status object");
    }
    st = hm_keystore_path(&c->ks, path, sizeof path, "published/status.jws") != 0
             ? keys_fail(EXIT_USAGE, "path too long")
             : write_out(path, status, strlen(status));
    free(status);
    return st;
}

int
do_publish(struct cli *c, long long lifetime, unsigned long long *serial_out)
{
    json_t *publisher_rec = json_object_get(c->ks.state, "publisher"), *b, *k, *entry;
    const hm_signkey *publisher;
    unsigned long long serial = (unsigned long long)hm_ks_int(c->ks.state, "serial"), files;
    long long now = c->ks.now;
    char path[HM_KEYSTORE_PATH_MAX], when[32], *bundle = NULL;
    size_t i, j, key_count = 0, brand_count = 0;
    int st;

    if (now < hm_ks_int(publisher_rec, "nbf") || now > hm_ks_int(publisher_rec, "exp")) {
        return keys_fail(
            EXIT_REFUSED,
            "the publishing key's certificate is not valid now (it ends %s): replace the "
            "key (hallmark-keys publisher rotate) or re-certify it (root rotate)",
            fmt_time(hm_ks_int(publisher_rec, "exp"), when, sizeof when));
    }
    if ((publisher = c->ks.publisher) == NULL) {
        return keys_fail(EXIT_USAGE, "the keystore is not open to change");
    }
    /* [HM-CRED-41]: a keystore from before the rule may hold a basic brand with no domain; apps
     * would refuse the whole bundle. (A revoked one is published under <id>.invalid.) And
     * [HM-CRED-49]: it may hold a public suffix as a link domain. */
    json_array_foreach(hm_ks_brands(&c->ks), i, b)
    {
        json_array_foreach(json_object_get(b, "link_domains"), j, k)
        {
            if (json_object_get(b, "revoked_at") == NULL &&
                (st = not_a_public_suffix(json_string_value(k), json_string_value(k))) != 0) {
                return st;
            }
        }
        json_array_foreach(json_object_get(b, "senders"), j, k)
        {
            /* [HM-CRED-64]: a short code or alphanumeric id of a keystore from before the rule
             * names no country, and would apply in every country. */
            if (json_object_get(b, "revoked_at") == NULL && hm_ks_str(k, "country") == NULL &&
                hm_ks_str(k, "id") != NULL &&
                hm_sender_takes_country(hm_ks_str(k, "channel"), hm_ks_str(k, "id"))) {
                return keys_fail(EXIT_REFUSED,
                                 "brand %s holds sender %s:%s without the country of its "
                                 "recipients, and a short code or alphanumeric id belongs to a "
                                 "different firm in each country: hallmark-keys brand update %s "
                                 "--sender %s:%s@+CC ... (every sender of the brand; spec "
                                 "HM-CRED-64)",
                                 hm_ks_str(b, "id"), hm_ks_str(k, "channel"), hm_ks_str(k, "id"),
                                 hm_ks_str(b, "id"), hm_ks_str(k, "channel"), hm_ks_str(k, "id"));
            }
            /* [HM-CRED-65]: a prefix shorter than the rule (sms:+1 is all of North America). */
            if (json_object_get(b, "revoked_at") == NULL && hm_ks_str(k, "prefix") != NULL &&
                !hm_sender_prefix_ok(hm_ks_str(k, "prefix"))) {
                return keys_fail(EXIT_REFUSED,
                                 "brand %s holds sender prefix %s:%s, shorter than a country "
                                 "code and five digits: hallmark-keys brand update %s "
                                 "--sender-prefix ... (every sender of the brand; spec "
                                 "HM-CRED-65)",
                                 hm_ks_str(b, "id"), hm_ks_str(k, "channel"),
                                 hm_ks_str(k, "prefix"), hm_ks_str(b, "id"));
            }
        }
        json_array_foreach(json_object_get(b, "keys"), j, k)
        {
            const json_t *misfit =
                hm_pub_bundle_state(k, now) != NULL && json_object_get(b, "revoked_at") == NULL
                    ? hm_pub_scope_misfit(b, k)
                    : NULL;
            char text[HM_ID_MAX + 32];
            if (misfit != NULL) {
                if (json_is_string(misfit)) {
                    (void)snprintf(text, sizeof text, "channel %s", json_string_value(misfit));
                }
                return keys_fail(
                    EXIT_REFUSED,
                    "key %s of brand %s has %s in its scope, which the brand no "
                    "longer holds: put it back (brand update), or retire or revoke "
                    "the key (spec HM-BUNDLE-81)",
                    hm_ks_str(k, "kid"), hm_ks_str(b, "id"),
                    json_is_string(misfit) ? text : describe_entry(misfit, text, sizeof text));
            }
        }
        if (json_object_get(b, "revoked_at") == NULL && hm_ks_str(b, "domain") == NULL &&
            strcmp(hm_ks_str(b, "level"), "basic") == 0) {
            return keys_fail(EXIT_REFUSED,
                             "brand %s is at level basic and names no verified domain, which "
                             "apps would show: hallmark-keys brand update %s --verified-domain "
                             "DOMAIN (spec HM-CRED-41)",
                             hm_ks_str(b, "id"), hm_ks_str(b, "id"));
        }
    }
    files = highest_file_serial(c);
    serial = (files > serial ? files : serial) + 1;
    /* [HM-TRUST-72]: a keystore's setting from before the cap publishes 14 days at most. */
    lifetime = lifetime < HM_BUNDLE_LIFETIME_MAX ? lifetime : HM_BUNDLE_LIFETIME_MAX;
    note_credential_changes(c, now);
    /* [HM-TRUST-66]: a pending key's nbf is its earliest promotion time, set by the first bundle
     * that carries it: no token dated before then verifies, whoever holds the key. */
    json_array_foreach(hm_ks_brands(&c->ks), i, b)
    {
        json_array_foreach(json_object_get(b, "keys"), j, k)
        {
            long long at = now + hm_ks_int(json_object_get(c->ks.state, "settings"), "propagation");
            if (strcmp(hm_ks_str(k, "state"), "pending") == 0 &&
                json_object_get(k, "published_at") == NULL && hm_ks_int(k, "nbf") < at &&
                at < hm_ks_int(k, "exp")) {
                json_object_set_new(k, "nbf", json_integer(at));
            }
        }
    }
    /* [HM-BUNDLE-63]: no bundle outlives its certificate, so neither does a leaked key's reach. */
    if (hm_pub_bundle(c->ks.state, publisher, serial, now,
                      now + lifetime < hm_ks_int(publisher_rec, "exp")
                          ? now + lifetime
                          : hm_ks_int(publisher_rec, "exp"),
                      &bundle) != HALLMARK_OK) {
        st = keys_fail(EXIT_USAGE, "could not sign the bundle");
        goto out;
    }
    if ((st = self_check(c, bundle, serial, now)) != 0 ||
        (st = check_owners(c, bundle, now)) != 0 || (st = write_logos(c)) != 0 ||
        (st = write_jwks(c, now)) != 0) {
        goto out;
    }
    if (hm_keystore_path(&c->ks, path, sizeof path, "published/bundle-%llu.jws", serial) != 0 ||
        (st = write_out(path, bundle, strlen(bundle))) != 0 ||
        hm_keystore_path(&c->ks, path, sizeof path, "published/bundle.jws") != 0 ||
        (st = write_out(path, bundle, strlen(bundle))) != 0) {
        st = st != 0 ? st : keys_fail(EXIT_USAGE, "path too long");
        goto out;
    }
    if ((st = write_status(c, bundle, serial, now, DEFAULT_STATUS_LIFETIME)) != 0) {
        goto out;
    }
    json_array_foreach(hm_ks_brands(&c->ks), i, b)
    {
        brand_count++;
        json_array_foreach(json_object_get(b, "keys"), j, k)
        {
            if (hm_pub_bundle_state(k, now) != NULL) {
                key_count++;
                if (json_object_get(k, "published_at") == NULL) {
                    json_object_set_new(k, "published_at", json_integer(now));
                }
                /* The first bundle that tells signers to stop using it: key retire waits for
                 * the propagation window from here. */
                if (strcmp(hm_ks_str(k, "state"), "retiring") == 0 &&
                    json_object_get(k, "retiring_published_at") == NULL) {
                    json_object_set_new(k, "retiring_published_at", json_integer(now));
                }
            }
        }
    }
    json_object_set_new(c->ks.state, "serial", json_integer((json_int_t)serial));
    json_object_set_new(c->ks.state, "last_publish",
                        json_pack("{s:I,s:I,s:I}", "serial", (json_int_t)serial, "iat",
                                  (json_int_t)now, "exp", (json_int_t)(now + lifetime)));
    json_object_set_new(c->ks.state, "unpublished", json_false());
    entry = json_pack("{s:s,s:I,s:I,s:I,s:I}", "verb", "publish", "serial", (json_int_t)serial,
                      "expires", (json_int_t)(now + lifetime), "brands", (json_int_t)brand_count,
                      "keys", (json_int_t)key_count);
    if (entry != NULL && c->consent_url != NULL) { /* [HM-BUNDLE-96] */
        json_object_set_new(entry, "consent_url", json_string(c->consent_url));
    }
    if ((st = keys_commit(c, entry)) != 0) {
        goto out;
    }
    (void)printf("published bundle %llu (%zu brands, %zu keys), valid until %s: %s/published/"
                 "bundle.jws\n",
                 serial, brand_count, key_count, fmt_time(now + lifetime, when, sizeof when),
                 c->ks.dir);
    if (serial_out != NULL) {
        *serial_out = serial;
    }
out:
    free(bundle);
    return st;
}

int
cmd_publish(struct cli *c)
{
    long long lifetime;
    int st;

    if (c->nargs != 0) {
        return keys_fail(EXIT_USAGE, "publish takes no arguments (see help publish)");
    }
    if ((st = open_keystore(c, OPEN_TO_CHANGE)) != 0) {
        return st;
    }
    lifetime = hm_ks_int(json_object_get(c->ks.state, "settings"), "bundle_lifetime");
    if (c->expires != NULL &&
        (!parse_duration(c->expires, &lifetime) || lifetime > HM_BUNDLE_LIFETIME_MAX)) {
        return keys_fail(EXIT_USAGE, "--expires: a duration up to 14d (e.g. 7d, 36h)");
    }
    if (c->status_every != NULL) {
        long long every = 0;

        if (!parse_duration(c->status_every, &every) || every < HM_STATUS_EVERY_MIN ||
            every > HM_STATUS_EVERY_MAX) {
            return keys_fail(EXIT_USAGE, "--status-every: a duration from 5m to 24h (e.g. 1h)");
        }
        /* Kept in the settings, committed with this publication (spec HM-BUNDLE-86). */
        json_object_set_new(json_object_get(c->ks.state, "settings"), "status_every",
                            json_integer(every));
    }
    if (c->consent_url != NULL) { /* [HM-BUNDLE-96]: kept in the settings, in every bundle */
        json_t *settings = json_object_get(c->ks.state, "settings");
        char host[HM_ID_MAX];
        if (strcmp(c->consent_url, "none") == 0) {
            json_object_del(settings, "consent_url");
        } else if (strlen(c->consent_url) > 512 || !hm_action_url_host(c->consent_url, host) ||
                   strpbrk(c->consent_url, "?#") != NULL) {
            return keys_fail(EXIT_USAGE,
                             "--consent-url %s: a plain https URL (a DNS name, no userinfo, no "
                             "query or fragment, at most 512 bytes), or none",
                             c->consent_url);
        } else {
            json_object_set_new(settings, "consent_url", json_string(c->consent_url));
        }
    }
    if (c->if_due != NULL) {
        const json_t *last = json_object_get(c->ks.state, "last_publish");
        long long within = 0, exp = hm_ks_int(last, "exp");
        char when[32], span[32];

        if (!parse_duration(c->if_due, &within) || within > HM_BUNDLE_LIFETIME_MAX) {
            return keys_fail(EXIT_USAGE, "--if-due: a duration up to 14d (e.g. 3d)");
        }
        if (last != NULL && exp - c->ks.now > within) {
            (void)printf("not due: bundle serial %lld expires %s (in %s), more than %s away; "
                         "nothing published\n",
                         hm_ks_int(last, "serial"), fmt_time(exp, when, sizeof when),
                         fmt_span(exp - c->ks.now, span, sizeof span), c->if_due);
            return EXIT_NOT_DUE;
        }
        if (last != NULL) {
            (void)printf("due: bundle serial %lld expires %s (in %s), within %s; publishing\n",
                         hm_ks_int(last, "serial"), fmt_time(exp, when, sizeof when),
                         fmt_span(exp - c->ks.now, span, sizeof span), c->if_due);
        } else {
            (void)printf("due: no bundle published yet; publishing\n");
        }
    }
    return do_publish(c, lifetime, NULL);
}

int
cmd_status_publish(struct cli *c)
{
    json_t *last;
    long long lifetime = DEFAULT_STATUS_LIFETIME;
    unsigned long long serial;
    char path[HM_KEYSTORE_PATH_MAX], when[32];
    unsigned char *bundle = NULL;
    size_t len = 0;
    int st;

    if (c->nargs != 0) {
        return keys_fail(EXIT_USAGE, "status-publish takes no arguments (see help publish)");
    }
    if (c->expires != NULL &&
        (!parse_duration(c->expires, &lifetime) || lifetime > STATUS_LIFETIME_MAX)) {
        return keys_fail(EXIT_USAGE, "--expires: a duration up to 24h (e.g. 6h)");
    }
    if ((st = open_keystore(c, OPEN_TO_CHANGE)) != 0) {
        return st;
    }
    last = json_object_get(c->ks.state, "last_publish");
    if (last == NULL) {
        return keys_fail(EXIT_REFUSED, "nothing is published yet: hallmark-keys publish");
    }
    serial = (unsigned long long)hm_ks_int(last, "serial");
    if (c->ks.now < hm_ks_int(last, "iat")) {
        return keys_fail(EXIT_REFUSED,
                         "the clock is before bundle %llu was published: apps would refuse a "
                         "status older than one they hold",
                         serial);
    }
    if (c->ks.now > hm_ks_int(last, "exp")) {
        return keys_fail(EXIT_REFUSED,
                         "bundle %llu expired at %s: a status cannot revive it (hallmark-keys "
                         "publish)",
                         serial, fmt_time(hm_ks_int(last, "exp"), when, sizeof when));
    }
    if (hm_keystore_path(&c->ks, path, sizeof path, "published/bundle-%llu.jws", serial) != 0) {
        return keys_fail(EXIT_USAGE, "path too long");
    }
    if (hm_read_file(path, HM_BUNDLE_MAX, &bundle, &len) != HALLMARK_OK) {
        return keys_fail(EXIT_USAGE, "%s: %s", path, strerror(errno));
    }
    st = write_status(c, (const char *)bundle, serial, hm_ks_int(last, "iat"), lifetime);
    free(bundle);
    if (st == 0) {
        (void)printf("published the status of bundle %llu, valid until %s: %s/published/"
                     "status.jws\n",
                     serial, fmt_time(c->ks.now + lifetime, when, sizeof when), c->ks.dir);
    }
    return st;
}

/* The incident fields of a rotation's audit entry: a --compromised rotation is an incident. */
static void
note_incident(const struct cli *c, json_t *entry)
{
    if (c->compromised) {
        json_object_set_new(entry, "incident", json_string("compromised"));
        json_object_set_new(entry, "reason", json_string(c->reason));
    }
}

/* A publisher certificate (spec §6.4) co-signed by signers[0..k): a new reference or NULL. */
static json_t *
certify_publisher_quorum(hm_signkey *const *signers, size_t k, const json_t *jwk,
                         long long generation, long long nbf, long long exp)
{
    json_t *p = json_pack("{s:i,s:I,s:O,s:I,s:I}", "v", 1, "generation", (json_int_t)generation,
                          "jwk", jwk, "nbf", (json_int_t)nbf, "exp", (json_int_t)exp);
    json_t *out = p != NULL ? cosign_json(signers, k, "hallmark-publisher+jwt", p) : NULL;

    json_decref(p);
    return out;
}

/* Sets the publisher record's certificate to the co-signed cert (stolen). */
static void
set_cosigned(json_t *pub, json_t *cosigned)
{
    json_object_set_new(pub, "certificate",
                        json_string(json_string_value(json_array_get(cosigned, 0))));
    json_object_set_new(pub, "cosigned", cosigned);
}

/* root rotate on a quorum keystore (spec §6.5, [HM-TRUST-61]): k secrets of the current set from
 * --root-media sign a statement naming a new set of as many keys (same threshold), whose first k
 * re-certify the publishing key (same generation: the same key). New root files are written to
 * the media first, then the state (the commit), then the old set's files on the media are
 * removed (HM-TRUST-10). */
static int
root_rotate_quorum(struct cli *c)
{
    json_t *state = c->ks.state, *chain = json_object_get(state, "root_chain"),
           *roots = json_object_get(state, "roots"), *pub = json_object_get(state, "publisher"),
           *quorum = json_object_get(state, "quorum"), *stmt = NULL, *keys = NULL, *records = NULL,
           *cosigned = NULL, *cert = NULL, *entry = NULL, *rec;
    const json_t *old_set = keys_root_set(state, 0);
    size_t k = keys_root_threshold(state), n = json_array_size(old_set), i;
    hm_signkey *old[HM_ROOT_SET_MAX] = {NULL}, *fresh[HM_ROOT_SET_MAX] = {NULL};
    char old_first[64];
    long long now = c->ks.now;
    int st;

    (void)snprintf(old_first, sizeof old_first, "%s", hm_ks_str(json_array_get(old_set, 0), "kid"));
    if ((st = root_media_load(c, old_set, k, old)) != 0 || (st = root_media_ready(c, n)) != 0) {
        for (i = 0; i < k; i++) {
            hm_signkey_free(old[i]);
        }
        return st;
    }
    keys = json_array();
    records = json_array();
    for (i = 0; i < n && keys != NULL && records != NULL; i++) {
        if (hm_signkey_generate(&fresh[i], HM_ALG_ED25519) != HALLMARK_OK) {
            st = keys_fail(EXIT_USAGE, "could not generate the new root keys");
            goto out;
        }
        json_array_append_new(keys, hm_pub_jwk(fresh[i]));
        json_array_append_new(records, root_record(fresh[i], now));
    }
    stmt = json_pack("{s:i,s:I,s:O,s:I,s:I}", "v", 1, "seq", (json_int_t)json_array_size(chain) + 1,
                     "keys", keys, "threshold", (json_int_t)k, "iat", (json_int_t)now);
    cosigned = stmt != NULL ? cosign_json(old, k, "hallmark-root+jwt", stmt) : NULL;
    cert = certify_publisher_quorum(fresh, k, json_object_get(pub, "jwk"),
                                    hm_ks_int(pub, "generation"), now, now + cert_validity(state));
    if (cosigned == NULL || cert == NULL) {
        st = keys_fail(EXIT_USAGE, "could not sign the rotation");
        goto out;
    }
    for (i = 0; i < n; i++) { /* the new secrets reach the media before the state names them */
        if ((st = root_media_save(c, fresh[i], i)) != 0) {
            goto out;
        }
    }
    json_object_set_new(quorum, "custodians", json_integer((json_int_t)root_media_custodians(c)));
    json_array_foreach(roots, i, rec)
    {
        if (json_object_get(rec, "destroyed_at") == NULL) {
            json_object_set_new(rec, "retired_at", json_integer(now));
            json_object_set_new(rec, "destroyed_at", json_integer(now));
        }
    }
    json_array_extend(roots, records);
    json_array_append(json_object_get(quorum, "sets"), records);
    json_array_append(chain, cosigned);
    json_object_set_new(state, "root",
                        json_pack("{s:s,s:O}", "kid", hm_signkey_public(fresh[0])->kid, "x",
                                  json_object_get(json_array_get(records, 0), "x")));
    set_cosigned(pub, cert);
    cert = NULL;
    json_object_set_new(pub, "nbf", json_integer(now));
    json_object_set_new(pub, "exp", json_integer(now + cert_validity(state)));
    json_object_set_new(state, "unpublished", json_true());
    entry = json_pack("{s:s,s:s,s:s,s:I,s:I}", "verb", "root rotate", "old_root", old_first,
                      "new_root", hm_signkey_public(fresh[0])->kid, "statement",
                      (json_int_t)json_array_size(chain), "threshold", (json_int_t)k);
    note_incident(c, entry);
    if ((st = keys_commit(c, entry)) != 0 || (st = write_root_pub(c)) != 0) {
        goto out;
    }
    json_array_foreach(old_set, i, rec)
    {
        root_media_delete(c, hm_ks_str(rec, "kid"));
    }
    (void)printf("new root set of %zu keys (threshold %zu), rotation statement %zu signed by %zu "
                 "keys of the old set; the old set's files are removed from the media%s%s\n",
                 n, k, json_array_size(chain), k, c->media.count == 1 ? " " : "",
                 c->media.count == 1 ? c->root_media : "");
    (void)printf("publishing key re-certified; run hallmark-keys publish so apps follow the chain; "
                 "give each new file in %s to its custodian\n",
                 c->root_media);
out:
    for (i = 0; i < HM_ROOT_SET_MAX; i++) {
        hm_signkey_free(old[i]);
        hm_signkey_free(fresh[i]);
    }
    json_decref(stmt);
    json_decref(keys);
    json_decref(records);
    json_decref(cosigned);
    json_decref(cert);
    return st;
}

static int
root_rotate(struct cli *c)
{
    json_t *state = c->ks.state, *chain = json_object_get(state, "root_chain"),
           *roots = json_object_get(state, "roots"), *pub = json_object_get(state, "publisher"),
           *old_rec, *stmt = NULL, *njwk = NULL;
    const char *old_kid = hm_ks_str(json_object_get(state, "root"), "kid");
    int offline = root_single_offline(state);
    hm_signkey *old = NULL, *fresh = NULL;
    char *stmt_jws = NULL, *cert = NULL, old_kid_copy[64];
    long long now = c->ks.now;
    json_t *entry;
    int st;

    if (json_array_size(chain) >= ROOT_CHAIN_MAX) {
        return keys_fail(EXIT_REFUSED,
                         "the root chain already has %u rotations, the most a bundle may "
                         "carry; ship apps that pin the current root first",
                         ROOT_CHAIN_MAX);
    }
    if ((st = root_single_load(c, old_kid, &old)) != 0) {
        return st;
    }
    (void)snprintf(old_kid_copy, sizeof old_kid_copy, "%s", old_kid);
    if (hm_signkey_generate(&fresh, HM_ALG_ED25519) != HALLMARK_OK ||
        (njwk = hm_pub_jwk(fresh)) == NULL ||
        (stmt =
             json_pack("{s:i,s:I,s:O,s:I}", "v", 1, "seq", (json_int_t)json_array_size(chain) + 1,
                       "jwk", njwk, "iat", (json_int_t)now)) == NULL ||
        hm_jws_sign_json(old, "hallmark-root+jwt", stmt, &stmt_jws) != HALLMARK_OK ||
        (cert = certify_publisher(fresh, json_object_get(pub, "jwk"), hm_ks_int(pub, "generation"),
                                  now, now + PUBLISHER_VALIDITY)) == NULL) {
        st = keys_fail(EXIT_USAGE, "could not make the new root");
        goto out;
    }
    /* An exported root's successor goes to the same medium, never to the keystore. */
    if (offline ? (st = root_media_save(c, fresh, 0)) != 0
                : hm_keystore_save_key(&c->ks, fresh, c->pass, c->pass_len, c->err,
                                       sizeof c->err) != HALLMARK_OK) {
        st = offline ? st : keys_fail(EXIT_USAGE, "%s", c->err);
        goto out;
    }
    old_rec = json_array_get(roots, json_array_size(roots) - 1);
    json_object_set_new(old_rec, "retired_at", json_integer(now));
    json_object_set_new(old_rec, "destroyed_at", json_integer(now));
    json_array_append_new(roots, root_record(fresh, now));
    json_array_append_new(chain, json_string(stmt_jws));
    json_object_set_new(
        state, "root",
        json_pack("{s:s,s:O}", "kid", hm_signkey_public(fresh)->kid, "x",
                  json_object_get(json_array_get(roots, json_array_size(roots) - 1), "x")));
    if (offline) {
        json_object_set_new(json_object_get(state, "root"), "offline", json_true());
    }
    json_object_set_new(pub, "certificate", json_string(cert));
    json_object_set_new(pub, "nbf", json_integer(now));
    json_object_set_new(pub, "exp", json_integer(now + PUBLISHER_VALIDITY));
    json_object_set_new(state, "unpublished", json_true());
    entry =
        json_pack("{s:s,s:s,s:s,s:I}", "verb", "root rotate", "old_root", old_kid_copy, "new_root",
                  hm_signkey_public(fresh)->kid, "statement", (json_int_t)json_array_size(chain));
    note_incident(c, entry);
    if ((st = keys_commit(c, entry)) != 0 || (st = write_root_pub(c)) != 0) {
        goto out;
    }
    /* HM-TRUST-10: the old root's secret goes; keystore open removes it too after a crash. */
    (void)hm_keystore_delete_secret(&c->ks, old_kid_copy);
    if (offline) {
        root_media_delete(c, old_kid_copy);
    }
    (void)printf("new root %s (rotation statement %zu, signed by %s; its secret is deleted)\n",
                 hm_signkey_public(fresh)->kid, json_array_size(chain), old_kid_copy);
    (void)printf(
        "publishing key re-certified; run hallmark-keys publish so apps follow the chain\n");
out:
    hm_signkey_free(old);
    hm_signkey_free(fresh);
    json_decref(stmt);
    json_decref(njwk);
    free(stmt_jws);
    free(cert);
    return st;
}

/* publisher rotate: a new publishing key certified by the current root, in the certificate
 * format of init (spec §6.4). The new key file is written first, then the state (the commit,
 * which also re-keys the state MAC with the new key), then the old secret is deleted; a crash
 * after the commit leaves it to the next open (tidy: retired_publishers). Bundles signed by the
 * old key keep verifying until they expire: there is no publisher certificate revocation. */
static int
publisher_rotate(struct cli *c)
{
    json_t *state = c->ks.state, *pub = json_object_get(state, "publisher"), *retired, *njwk = NULL,
           *rec = NULL;
    hm_signkey *root = NULL, *fresh = NULL;
    char old_kid[64], new_kid[64], root_kid[64], when[32], *cert = NULL;
    long long now = c->ks.now, generation = hm_ks_int(pub, "generation") + 1;
    hm_signkey *quorum[HM_ROOT_SET_MAX] = {NULL};
    size_t k = keys_root_threshold(state), i;
    json_t *entry, *cosigned = NULL;
    hallmark_result rc;
    int st;

    (void)snprintf(old_kid, sizeof old_kid, "%s", hm_ks_str(pub, "kid"));
    (void)snprintf(root_kid, sizeof root_kid, "%s",
                   hm_ks_str(json_object_get(state, "root"), "kid"));
    if ((st = keys_quorum(state) ? root_media_load(c, keys_root_set(state, 0), k, quorum)
                                 : root_single_load(c, root_kid, &root)) != 0) {
        return st;
    }
    if (hm_signkey_generate(&fresh, HM_ALG_ED25519) != HALLMARK_OK ||
        (njwk = hm_pub_jwk(fresh)) == NULL ||
        (keys_quorum(state)
             ? (cosigned = certify_publisher_quorum(quorum, k, njwk, generation, now,
                                                    now + cert_validity(state))) == NULL ||
                   (cert = strdup(json_string_value(json_array_get(cosigned, 0)))) == NULL
             : (cert = certify_publisher(root, njwk, generation, now,
                                         now + cert_validity(state))) == NULL)) {
        st = keys_fail(EXIT_USAGE, "could not make the new publishing key");
        goto out;
    }
    (void)snprintf(new_kid, sizeof new_kid, "%s", hm_signkey_public(fresh)->kid);
    if (hm_keystore_save_key(&c->ks, fresh, c->pass, c->pass_len, c->err, sizeof c->err) !=
        HALLMARK_OK) {
        st = keys_fail(EXIT_USAGE, "%s", c->err);
        goto out;
    }
    retired = json_object_get(state, "retired_publishers");
    if (!json_is_array(retired)) {
        retired = json_array();
        json_object_set_new(state, "retired_publishers", retired);
    }
    rec = json_pack("{s:s,s:O,s:I,s:I,s:I}", "kid", old_kid, "jwk", json_object_get(pub, "jwk"),
                    "nbf", (json_int_t)hm_ks_int(pub, "nbf"), "exp",
                    (json_int_t)hm_ks_int(pub, "exp"), "retired_at", (json_int_t)now);
    if (rec == NULL || json_array_append_new(retired, rec) != 0 ||
        json_object_set_new(state, "publisher",
                            json_pack("{s:s,s:O,s:s,s:I,s:I,s:I}", "kid", new_kid, "jwk", njwk,
                                      "certificate", cert, "nbf", (json_int_t)now, "exp",
                                      (json_int_t)(now + cert_validity(state)), "generation",
                                      (json_int_t)generation)) != 0) {
        st = keys_fail(EXIT_USAGE, "out of memory");
        goto out;
    }
    if (cosigned != NULL) {
        json_object_set_new(json_object_get(state, "publisher"), "cosigned", cosigned);
        cosigned = NULL;
    }
    json_object_set_new(state, "unpublished", json_true());
    /* From here the state is MACed with the new key: the commit below writes it. */
    rc = hm_keystore_use_publisher(&c->ks, fresh);
    fresh = NULL;
    if (rc != HALLMARK_OK) {
        st = keys_fail(EXIT_USAGE, "cannot derive the state key: %s", hallmark_strerror(rc));
        goto out;
    }
    entry =
        json_pack("{s:s,s:s,s:s,s:s,s:I}", "verb", "publisher rotate", "old_publisher", old_kid,
                  "new_publisher", new_kid, "root", root_kid, "generation", (json_int_t)generation);
    note_incident(c, entry);
    if ((st = keys_commit(c, entry)) != 0) {
        goto out;
    }
    if (hm_keystore_delete_secret(&c->ks, old_kid) != HALLMARK_OK) {
        (void)fprintf(stderr,
                      "hallmark-keys: warning: could not delete secret/%s.key (%s); the next "
                      "command retries\n",
                      old_kid, strerror(errno));
    }
    (void)printf("new publishing key %s, certified by root %s until %s; the old key %s is "
                 "deleted\n",
                 new_kid, root_kid, fmt_time(now + cert_validity(state), when, sizeof when),
                 old_kid);
    if (c->compromised) {
        /* An incident: apps move to the new generation with their next load, so publish now. */
        st = do_publish(c, hm_ks_int(json_object_get(state, "settings"), "bundle_lifetime"), NULL);
    } else {
        (void)printf("run hallmark-keys publish: bundles and credentials are signed by the new "
                     "key from the next one\n");
    }
out:
    hm_signkey_free(root);
    for (i = 0; i < HM_ROOT_SET_MAX; i++) {
        hm_signkey_free(quorum[i]);
    }
    hm_signkey_free(fresh);
    json_decref(njwk);
    json_decref(cosigned);
    free(cert);
    return st;
}

/* publisher recertify: the ceremony a short-lived certificate needs (spec HM-TRUST-62): the
 * root quorum (or the single root of an earlier keystore) certifies the same publishing key,
 * same generation, for a fresh window. Only the state changes (the commit). */
static int
publisher_recertify(struct cli *c)
{
    json_t *state = c->ks.state, *pub = json_object_get(state, "publisher"), *cosigned = NULL;
    hm_signkey *root = NULL, *quorum[HM_ROOT_SET_MAX] = {NULL};
    size_t k = keys_root_threshold(state), i;
    long long now = c->ks.now, exp = now + cert_validity(state);
    char *cert = NULL, when[32];
    int st;

    if ((st = keys_quorum(state)
                  ? root_media_load(c, keys_root_set(state, 0), k, quorum)
                  : root_single_load(c, hm_ks_str(json_object_get(state, "root"), "kid"), &root)) !=
        0) {
        return st;
    }
    if (keys_quorum(state)
            ? (cosigned = certify_publisher_quorum(quorum, k, json_object_get(pub, "jwk"),
                                                   hm_ks_int(pub, "generation"), now, exp)) == NULL
            : (cert = certify_publisher(root, json_object_get(pub, "jwk"),
                                        hm_ks_int(pub, "generation"), now, exp)) == NULL) {
        st = keys_fail(EXIT_USAGE, "could not certify the publishing key");
        goto out;
    }
    if (cosigned != NULL) {
        set_cosigned(pub, cosigned);
        cosigned = NULL;
    } else {
        json_object_set_new(pub, "certificate", json_string(cert));
    }
    json_object_set_new(pub, "nbf", json_integer(now));
    json_object_set_new(pub, "exp", json_integer(exp));
    json_object_set_new(state, "unpublished", json_true());
    if ((st = keys_commit(c, json_pack("{s:s,s:s,s:I,s:I}", "verb", "publisher recertify",
                                       "publisher", hm_ks_str(pub, "kid"), "generation",
                                       (json_int_t)hm_ks_int(pub, "generation"), "exp",
                                       (json_int_t)exp))) != 0) {
        goto out;
    }
    (void)printf("publishing key %s re-certified (generation %lld) until %s; run hallmark-keys "
                 "publish\n",
                 hm_ks_str(pub, "kid"), hm_ks_int(pub, "generation"),
                 fmt_time(exp, when, sizeof when));
out:
    hm_signkey_free(root);
    for (i = 0; i < HM_ROOT_SET_MAX; i++) {
        hm_signkey_free(quorum[i]);
    }
    json_decref(cosigned);
    free(cert);
    return st;
}

int
cmd_publisher(struct cli *c)
{
    int st;

    if (c->nargs != 1 ||
        (strcmp(c->args[0], "rotate") != 0 && strcmp(c->args[0], "recertify") != 0)) {
        return keys_fail(EXIT_USAGE, "usage: hallmark-keys publisher rotate [--root-media DIR] "
                                     "[--compromised --reason TEXT] | publisher recertify "
                                     "[--root-media DIR]");
    }
    if (c->compromised && c->reason == NULL) {
        return keys_fail(EXIT_USAGE, "--compromised needs --reason TEXT: the incident record");
    }
    if ((st = open_keystore(c, OPEN_TO_CHANGE)) != 0) {
        return st;
    }
    return strcmp(c->args[0], "recertify") == 0 ? publisher_recertify(c) : publisher_rotate(c);
}

int
cmd_root(struct cli *c)
{
    int st;

    if (c->nargs != 1 || (strcmp(c->args[0], "rotate") != 0 && strcmp(c->args[0], "show") != 0 &&
                          strcmp(c->args[0], "export") != 0)) {
        return keys_fail(EXIT_USAGE, "usage: hallmark-keys root rotate [--root-media DIR] | root "
                                     "export --root-media DIR | root show");
    }
    if (c->compromised && c->reason == NULL) {
        return keys_fail(EXIT_USAGE, "--compromised needs --reason TEXT: the incident record");
    }
    if ((st = open_keystore(c, strcmp(c->args[0], "show") != 0 ? OPEN_TO_CHANGE : 0)) != 0) {
        return st;
    }
    if (strcmp(c->args[0], "export") == 0) {
        return root_export(c);
    }
    if (strcmp(c->args[0], "show") == 0 && keys_quorum(c->ks.state)) {
        const char *list[HM_ROOT_SET_MAX];
        size_t i, n = keys_anchor_strings(c->ks.state, 1, list);
        (void)printf("pin in apps:  platform \"%s\", threshold %zu, root keys:\n",
                     hm_ks_str(c->ks.state, "platform"), keys_root_threshold(c->ks.state));
        for (i = 0; i < n; i++) {
            (void)printf("  %s\n", list[i]);
        }
        n = keys_anchor_strings(c->ks.state, 0, list);
        (void)printf("current set (%zu rotations):\n",
                     json_array_size(json_object_get(c->ks.state, "root_chain")));
        for (i = 0; i < n; i++) {
            (void)printf("  %s\n", list[i]);
        }
        return EXIT_DONE;
    }
    if (strcmp(c->args[0], "show") == 0) {
        const json_t *roots = json_object_get(c->ks.state, "roots");
        (void)printf("pin in apps:  %s\n", hm_ks_str(json_array_get(roots, 0), "x"));
        (void)printf("current root: %s (kid %s, %zu rotations)\n",
                     hm_ks_str(json_object_get(c->ks.state, "root"), "x"),
                     hm_ks_str(json_object_get(c->ks.state, "root"), "kid"),
                     json_array_size(json_object_get(c->ks.state, "root_chain")));
        return EXIT_DONE;
    }
    return keys_quorum(c->ks.state) ? root_rotate_quorum(c) : root_rotate(c);
}
