/* hallmark-keys key ... and rotate: brand signing keys and their states (spec §1.6). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_pkcs11.h"
#include "hm_publish.h"
#include "keys_cli.h"

/* [HM-TRUST-64]: a key window is at most a year. */
#define KEY_LIFETIME (86400LL * 365)

static json_t *
key_in_state(const json_t *brand, const char *state)
{
    json_t *k;
    size_t i;

    json_array_foreach(json_object_get(brand, "keys"), i, k)
    {
        if (strcmp(hm_ks_str(k, "state"), state) == 0) {
            return k;
        }
    }
    return NULL;
}

json_t *
brand_active_key(const json_t *brand)
{
    return key_in_state(brand, "active");
}

json_t *
brand_pending_key(const json_t *brand)
{
    return key_in_state(brand, "pending");
}

json_t *
brand_key_with_scope(const json_t *brand, const char *state, const json_t *scope)
{
    json_t *k;
    size_t i;

    json_array_foreach(json_object_get(brand, "keys"), i, k)
    {
        const json_t *s = json_object_get(k, "scope");
        if (strcmp(hm_ks_str(k, "state"), state) == 0 &&
            ((s == NULL && scope == NULL) ||
             (s != NULL && scope != NULL && json_equal(s, scope)))) {
            return k;
        }
    }
    return NULL;
}

static size_t
keys_in_state(const json_t *brand, const char *state)
{
    const json_t *k;
    size_t i, n = 0;

    json_array_foreach(json_object_get(brand, "keys"), i, k)
    {
        n += strcmp(hm_ks_str(k, "state"), state) == 0;
    }
    return n;
}

/* [HM-TRUST-65]: the scope --scope-channel and --scope-sender give (*out: NULL for none), each
 * channel one the brand sends on and each sender one of its entries, written as the entry's
 * channel, id or prefix and country (never always_signed, which the credential may change). 0 or
 * the exit status (printed). */
static int
scope_from_options(const struct cli *c, const json_t *brand, json_t **out)
{
    json_t *channels = json_array(), *senders = json_array(), *e;
    size_t i, j;
    int st = 0;

    *out = NULL;
    for (i = 0; st == 0 && i < c->scope_channels.count; i++) {
        const char *ch = c->scope_channels.item[i];
        int held = 0;
        json_array_foreach(json_object_get(brand, "senders"), j, e)
        {
            held |= strcmp(hm_ks_str(e, "channel"), ch) == 0;
        }
        if (!held) {
            st = keys_fail(EXIT_REFUSED,
                           "--scope-channel %s: brand %s has no sender on that channel (a scope "
                           "is a subset of the credential; spec HM-BUNDLE-81)",
                           ch, hm_ks_str(brand, "id"));
        } else {
            for (j = 0; j < json_array_size(channels); j++) {
                if (strcmp(json_string_value(json_array_get(channels, j)), ch) == 0) {
                    st = keys_fail(EXIT_USAGE, "--scope-channel %s is given twice", ch);
                }
            }
        }
        if (st == 0) {
            json_array_append_new(channels, json_string(ch));
        }
    }
    for (i = 0; st == 0 && i < c->scope_senders.count; i++) {
        const char *arg = c->scope_senders.item[i], *value;
        char channel[17];
        const json_t *found = NULL;

        if ((value = split_channel(arg, channel)) == NULL) {
            st = keys_fail(EXIT_USAGE, "--scope-sender %s: write CHANNEL:ID as for --sender", arg);
            break;
        }
        json_array_foreach(json_object_get(brand, "senders"), j, e)
        {
            if (found == NULL && names_entry(e, channel, value)) {
                found = e;
            }
        }
        if (found == NULL) {
            st = keys_fail(EXIT_REFUSED,
                           "--scope-sender %s: not a sender of brand %s (written as its --sender "
                           "or --sender-prefix; spec HM-BUNDLE-81)",
                           arg, hm_ks_str(brand, "id"));
            break;
        }
        e = json_deep_copy(found);
        json_object_del(e, "always_signed");
        for (j = 0; j < json_array_size(senders); j++) {
            if (json_equal(json_array_get(senders, j), e)) {
                st = keys_fail(EXIT_USAGE, "--scope-sender %s is given twice", arg);
            }
        }
        json_array_append_new(senders, e);
    }
    if (st == 0 && (json_array_size(channels) > 0 || json_array_size(senders) > 0)) {
        *out = json_object();
        if (json_array_size(channels) > 0) {
            json_object_set(*out, "channels", channels);
        }
        if (json_array_size(senders) > 0) {
            json_object_set(*out, "senders", senders);
        }
    }
    json_decref(channels);
    json_decref(senders);
    return st;
}

static long long
window(const struct cli *c)
{
    return hm_ks_int(json_object_get(c->ks.state, "settings"), "propagation");
}

static json_t *
audit_entry(const char *verb, const json_t *brand, const char *kid, const char *before,
            const char *after, const char *reason)
{
    json_t *e = json_pack("{s:s,s:s,s:s,s:s,s:s}", "verb", verb, "brand", hm_ks_str(brand, "id"),
                          "kid", kid, "before", before, "after", after);

    if (e != NULL && reason != NULL) {
        json_object_set_new(e, "reason", json_string(reason));
    }
    return e;
}

/* key add --pkcs11 URI: the pair generated inside the token; *p11 receives what the keystore
 * records ({"uri", "module"}: never the PIN). 0 or the exit status (printed). */
static int
token_key_generate(struct cli *c, hm_alg alg, hm_signkey **key, json_t **p11)
{
    hm_p11_uri uri;
    char canonical[HM_P11_URI_MAX];
    const char *module;
    hallmark_result rc;

    if (hm_p11_uri_parse(c->pkcs11, &uri, c->err, sizeof c->err) != HALLMARK_OK) {
        return keys_fail(EXIT_USAGE, "--pkcs11: %s", c->err);
    }
    if ((module = hm_p11_module_path(c->pkcs11_module, &uri, NULL)) == NULL) {
        return keys_fail(EXIT_USAGE, "--pkcs11: no module: give --pkcs11-module LIB or set "
                                     "HALLMARK_PKCS11_MODULE (the token vendor's PKCS#11 library)");
    }
    rc =
        hm_p11_generate(module, &uri, alg, key, canonical, sizeof canonical, c->err, sizeof c->err);
    if (rc != HALLMARK_OK) {
        return keys_fail(rc == HALLMARK_ERR_IO || rc == HALLMARK_ERR_UNAVAILABLE ? EXIT_USAGE
                                                                                 : EXIT_REFUSED,
                         "--pkcs11: %s", c->err);
    }
    *p11 = json_pack("{s:s,s:s}", "uri", canonical, "module", module);
    return *p11 == NULL ? keys_fail(EXIT_USAGE, "out of memory") : 0;
}

/* After a failed commit: the new key's file goes unless the state on disk names it (the commit
 * may have saved the state and failed on the audit line, which the next command completes). A
 * failed key add leaves no key file behind, as its "nothing changed" says. */
static void
drop_unreferenced_key(const struct cli *c, const char *kid)
{
    hm_keystore disk;
    char err[256];

    if (hm_keystore_peek(&disk, c->ks.dir, err, sizeof err) == HALLMARK_OK &&
        hm_ks_find_key(&disk, kid, NULL) == NULL) {
        (void)hm_keystore_delete_secret(&c->ks, kid);
    }
    hm_keystore_close(&disk);
}

int
do_key_add(struct cli *c, json_t *brand, const char *alg_name, const json_t *inherited,
           const char **kid_out)
{
    hm_alg alg = HM_ALG_ED25519;
    hm_signkey *key = NULL;
    json_t *jwk = NULL, *rec, *scope = NULL, *p11 = NULL;
    long long now = c->ks.now;
    int st;

    if (alg_name != NULL) {
        if (strcmp(alg_name, "ed25519") == 0 || strcmp(alg_name, "Ed25519") == 0) {
            alg = HM_ALG_ED25519;
        } else if (strcmp(alg_name, "es256") == 0 || strcmp(alg_name, "ES256") == 0) {
            alg = HM_ALG_ES256;
        } else {
            return keys_fail(EXIT_USAGE, "--alg is ed25519 (the default) or es256");
        }
    }
    if (json_object_get(brand, "revoked_at") != NULL) {
        return keys_fail(EXIT_REFUSED, "brand %s is revoked: it gets no new keys",
                         hm_ks_str(brand, "id"));
    }
    if ((st = scope_from_options(c, brand, &scope)) != 0) {
        return st;
    }
    if (scope == NULL && inherited != NULL) {
        scope = json_deep_copy(inherited);
    }
    /* The passphrase that seals the new key is the keystore's: opening the keystore to change
     * it (OPEN_TO_CHANGE) decrypted the publishing key with it. */
    if (c->ks.publisher == NULL) {
        json_decref(scope);
        return keys_fail(EXIT_USAGE, "the keystore is not open to change");
    }
    if (c->pkcs11 != NULL) {
        if ((st = token_key_generate(c, alg, &key, &p11)) != 0) {
            goto out;
        }
        if ((jwk = hm_pub_jwk(key)) == NULL) {
            st = keys_fail(EXIT_USAGE, "out of memory");
            goto out;
        }
    } else if (hm_signkey_generate(&key, alg) != HALLMARK_OK || (jwk = hm_pub_jwk(key)) == NULL) {
        st = keys_fail(EXIT_USAGE, "could not generate the key");
        goto out;
    } else if (hm_keystore_save_key(&c->ks, key, c->pass, c->pass_len, c->err, sizeof c->err) !=
               HALLMARK_OK) {
        st = keys_fail(EXIT_USAGE, "%s", c->err);
        goto out;
    }
    rec = json_pack("{s:s,s:s,s:O,s:s,s:I,s:I,s:I}", "kid", hm_signkey_public(key)->kid, "alg",
                    hm_alg_name(alg), "jwk", jwk, "state", "pending", "created", (json_int_t)now,
                    "nbf", (json_int_t)now, "exp", (json_int_t)(now + KEY_LIFETIME));
    if (rec != NULL && scope != NULL) {
        json_object_set(rec, "scope", scope);
    }
    if (rec != NULL && p11 != NULL) {
        json_object_set(rec, "pkcs11", p11);
    }
    json_array_append_new(json_object_get(brand, "keys"), rec);
    json_object_set_new(c->ks.state, "unpublished", json_true());
    if ((st = keys_commit(c, audit_entry("key add", brand, hm_signkey_public(key)->kid, "none",
                                         "pending", NULL))) != 0) {
        drop_unreferenced_key(c, hm_signkey_public(key)->kid);
        goto out;
    }
    *kid_out = hm_ks_str(rec, "kid");
out:
    hm_signkey_free(key);
    json_decref(jwk);
    json_decref(scope);
    json_decref(p11);
    return st;
}

/* The brand's keys other than key that must change when key becomes active. */
int
do_promote(struct cli *c, json_t *brand, json_t *key)
{
    /* [HM-TRUST-66]: the active key of the same scope steps down; other scopes stay active. */
    json_t *active = brand_key_with_scope(brand, "active", json_object_get(key, "scope")), *entry;
    long long now = c->ks.now, published = hm_ks_int(key, "published_at");
    char when[32], until[32], span[32], kid[12];

    if (json_object_get(brand, "revoked_at") != NULL) {
        return keys_fail(EXIT_REFUSED, "brand %s is revoked", hm_ks_str(brand, "id"));
    }
    if (strcmp(hm_ks_str(key, "state"), "pending") != 0) {
        return keys_fail(EXIT_REFUSED, "key %s is %s; only a pending key can be promoted",
                         short_kid(hm_ks_str(key, "kid"), kid), hm_ks_str(key, "state"));
    }
    if (!c->force && json_object_get(key, "published_at") == NULL) {
        return keys_fail(EXIT_REFUSED,
                         "key %s has not been published yet, so no app holds it: run hallmark-keys "
                         "publish, then promote it after the %s propagation window",
                         short_kid(hm_ks_str(key, "kid"), kid),
                         fmt_span(window(c), span, sizeof span));
    }
    if (!c->force && now < published + window(c)) {
        return keys_fail(EXIT_REFUSED,
                         "key %s was first published %s; apps may not all hold it until %s (%s "
                         "propagation window). Promote after then, or use --force --reason TEXT",
                         short_kid(hm_ks_str(key, "kid"), kid),
                         fmt_time(published, when, sizeof when),
                         fmt_time(published + window(c), until, sizeof until),
                         fmt_span(window(c), span, sizeof span));
    }
    if (c->force && (c->reason == NULL || c->reason[0] == '\0')) {
        return keys_fail(EXIT_USAGE,
                         "--force needs --reason TEXT (it is recorded in the audit log)");
    }
    entry = audit_entry("key promote", brand, hm_ks_str(key, "kid"), "pending", "active",
                        c->force ? c->reason : NULL);
    if (entry != NULL && c->force) {
        json_object_set_new(entry, "forced", json_true());
    }
    if (active != NULL) {
        json_object_set_new(active, "state", json_string("retiring"));
        json_object_set_new(active, "retiring_at", json_integer(now));
        /* [HM-TRUST-64]: a key that left active verifies no token issued after the signers had
         * the propagation window to switch; the next bundle carries the cut exp. */
        json_object_set_new(active, "exp_cut", json_integer(now + window(c)));
        json_object_set_new(entry, "retiring", json_string(hm_ks_str(active, "kid")));
    }
    json_object_set_new(key, "state", json_string("active"));
    json_object_set_new(key, "promoted_at", json_integer(now));
    if (now < hm_ks_int(key, "nbf")) {
        /* Forced before its promotion time: apps accept its tokens once the next bundle names
         * the new nbf ([HM-TRUST-66]). */
        json_object_set_new(key, "nbf", json_integer(now));
        (void)fprintf(stderr,
                      "hallmark-keys: warning: %s is promoted before its promotion time: apps "
                      "refuse its messages until they load the next bundle; publish now\n",
                      hm_ks_str(key, "kid"));
    }
    json_object_set_new(c->ks.state, "unpublished", json_true());
    return keys_commit(c, entry);
}

static int
key_retire(struct cli *c, json_t *brand, json_t *key)
{
    const char *state = hm_ks_str(key, "state");
    char kid[12];
    char before[16];

    if (strcmp(state, "active") == 0 && keys_in_state(brand, "active") > 1) {
        /* One of several active keys (a vendor's, [HM-TRUST-65]) steps down as a promotion
         * would make it: retiring, cut at the propagation window. */
        json_object_set_new(key, "state", json_string("retiring"));
        json_object_set_new(key, "retiring_at", json_integer(c->ks.now));
        json_object_set_new(key, "exp_cut", json_integer(c->ks.now + window(c)));
        json_object_set_new(c->ks.state, "unpublished", json_true());
        (void)printf("%s is retiring; %s keeps its other active keys. Publish, then retire it "
                     "after the propagation window; messages only its scope covered are not "
                     "signed any more\n",
                     hm_ks_str(key, "kid"), hm_ks_str(brand, "id"));
        return keys_commit(c, audit_entry("key retire", brand, hm_ks_str(key, "kid"), "active",
                                          "retiring", c->reason));
    }
    if (strcmp(state, "active") == 0) {
        return keys_fail(EXIT_REFUSED,
                         "key %s is the active key of %s: promote another key first (hallmark-keys "
                         "rotate %s), so that sending never stops",
                         short_kid(hm_ks_str(key, "kid"), kid), hm_ks_str(brand, "id"),
                         hm_ks_str(brand, "id"));
    }
    if (strcmp(state, "retiring") != 0 && strcmp(state, "pending") != 0) {
        return keys_fail(EXIT_REFUSED,
                         "key %s is %s; only a retiring or pending key can be retired",
                         short_kid(hm_ks_str(key, "kid"), kid), state);
    }
    /* Signers switch to the new key when they load a bundle that names it active: until that
     * bundle is out and has had the propagation window to reach them, the old key still signs. */
    if (strcmp(state, "retiring") == 0 && !c->force) {
        long long published = hm_ks_int(key, "retiring_published_at");
        char when[32];
        if (json_object_get(key, "retiring_published_at") == NULL) {
            return keys_fail(EXIT_REFUSED,
                             "key %s: the promotion of its successor is not published yet; run "
                             "hallmark-keys publish, then retire it after the propagation window",
                             short_kid(hm_ks_str(key, "kid"), kid));
        }
        if (c->ks.now < published + window(c)) {
            return keys_fail(
                EXIT_REFUSED,
                "key %s may still be signing until signers load the bundle that retires "
                "it: retire after %s, or use --force --reason TEXT",
                short_kid(hm_ks_str(key, "kid"), kid),
                fmt_time(published + window(c), when, sizeof when));
        }
    }
    if (c->force && (c->reason == NULL || c->reason[0] == '\0')) {
        return keys_fail(EXIT_USAGE,
                         "--force needs --reason TEXT (it is recorded in the audit log)");
    }
    (void)snprintf(before, sizeof before, "%s", state);
    json_object_set_new(key, "state", json_string("retired"));
    json_object_set_new(key, "retired_at", json_integer(c->ks.now));
    json_object_set_new(c->ks.state, "unpublished", json_true());
    return keys_commit(c, audit_entry("key retire", brand, hm_ks_str(key, "kid"), before, "retired",
                                      c->force ? c->reason : NULL));
}

static int
key_revoke(struct cli *c, json_t *brand, json_t *key)
{
    char before[16], kid[12];
    int was_active = strcmp(hm_ks_str(key, "state"), "active") == 0, st;
    json_t *entry;

    if (c->reason == NULL || c->reason[0] == '\0') {
        return keys_fail(EXIT_USAGE,
                         "key revoke needs --reason TEXT (it is recorded in the audit log)");
    }
    if (json_object_get(key, "revoked_at") != NULL) {
        return keys_fail(EXIT_REFUSED, "key %s is already revoked",
                         short_kid(hm_ks_str(key, "kid"), kid));
    }
    (void)snprintf(before, sizeof before, "%s", hm_ks_str(key, "state"));
    if (strcmp(before, "destroyed") != 0) {
        json_object_set_new(key, "state", json_string("revoked"));
    }
    json_object_set_new(key, "revoked_at", json_integer(c->ks.now));
    json_object_set_new(key, "reason", json_string(c->reason));
    json_object_set_new(c->ks.state, "unpublished", json_true());
    entry = audit_entry("key revoke", brand, hm_ks_str(key, "kid"), before, "revoked", c->reason);
    if (entry != NULL) { /* a revocation answers a leak or a misuse: an incident record */
        json_object_set_new(entry, "incident", json_string("key revoked"));
    }
    st = keys_commit(c, entry);
    if (st == 0) {
        (void)printf("revoked %s; apps refuse its messages once they load the next bundle: run "
                     "hallmark-keys publish now\n",
                     hm_ks_str(key, "kid"));
        if (was_active && keys_in_state(brand, "active") == 0) {
            (void)fprintf(stderr,
                          "hallmark-keys: warning: %s has no active key now; its messages cannot "
                          "be signed until one is promoted (key add, publish, key promote --force "
                          "--reason)\n",
                          hm_ks_str(brand, "id"));
        }
    }
    return st;
}

static int
key_destroy(struct cli *c, json_t *brand, json_t *key)
{
    const char *state = hm_ks_str(key, "state");
    char before[16], kid[12], when[32], path[HM_KEYSTORE_PATH_MAX];
    int revoked = json_object_get(key, "revoked_at") != NULL, st;
    int unused = strcmp(state, "pending") == 0 && json_object_get(key, "published_at") == NULL;

    if (strcmp(state, "destroyed") == 0) {
        return keys_fail(EXIT_REFUSED, "key %s is already destroyed",
                         short_kid(hm_ks_str(key, "kid"), kid));
    }
    if (!revoked && !unused &&
        !(strcmp(state, "retired") == 0 && hm_pub_bundle_state(key, c->ks.now) == NULL)) {
        if (strcmp(state, "retired") == 0) {
            return keys_fail(
                EXIT_REFUSED,
                "key %s still vouches for messages it signed until %s; destroy it after "
                "then",
                short_kid(hm_ks_str(key, "kid"), kid),
                fmt_time(hm_ks_int(key, "retired_at") + HM_TOKEN_LIFETIME_MAX + HM_SKEW, when,
                         sizeof when));
        }
        return keys_fail(
            EXIT_REFUSED,
            "key %s is %s; only a revoked key, a retired key out of bundles or a never "
            "published pending key can be destroyed",
            short_kid(hm_ks_str(key, "kid"), kid), state);
    }
    (void)snprintf(before, sizeof before, "%s", state);
    json_object_set_new(key, "state", json_string("destroyed"));
    json_object_set_new(key, "destroyed_at", json_integer(c->ks.now));
    st = keys_commit(
        c, audit_entry("key destroy", brand, hm_ks_str(key, "kid"), before, "destroyed", NULL));
    if (st == 0 &&
        hm_keystore_path(&c->ks, path, sizeof path, "secret/%s.key", hm_ks_str(key, "kid")) == 0) {
        (void)remove(path);
        (void)printf("destroyed the secret of %s\n", hm_ks_str(key, "kid"));
    }
    return st;
}

int
cmd_key(struct cli *c)
{
    const char *verb = c->nargs > 0 ? c->args[0] : "";
    json_t *brand = NULL, *key;
    int st;

    if (c->nargs != 2) {
        return keys_fail(EXIT_USAGE,
                         "usage: hallmark-keys key add BRAND | key promote|retire|revoke|"
                         "destroy KID (see help key)");
    }
    if (strcmp(verb, "add") != 0 && strcmp(verb, "promote") != 0 && strcmp(verb, "retire") != 0 &&
        strcmp(verb, "revoke") != 0 && strcmp(verb, "destroy") != 0) {
        return keys_fail(EXIT_USAGE,
                         "unknown key command '%s' (add, promote, retire, revoke, destroy)", verb);
    }
    if ((st = open_keystore(c, OPEN_TO_CHANGE)) != 0) {
        return st;
    }
    if (strcmp(verb, "add") == 0) {
        const char *kid = NULL;
        if ((brand = hm_ks_find_brand(&c->ks, c->args[1])) == NULL) {
            return keys_fail(EXIT_REFUSED, "no brand %s (hallmark-keys brand list)", c->args[1]);
        }
        if ((st = do_key_add(c, brand, c->alg, NULL, &kid)) == 0) {
            (void)printf("%s\n", kid);
            (void)fprintf(stderr,
                          "hallmark-keys: key %s added to %s as pending; publish, then promote "
                          "it after the propagation window\n",
                          kid, c->args[1]);
        }
        return st;
    }
    if ((key = hm_ks_find_key(&c->ks, c->args[1], &brand)) == NULL) {
        return keys_fail(EXIT_REFUSED,
                         "no key %s (give 8 or more characters of a kid that is in "
                         "hallmark-keys status)",
                         c->args[1]);
    }
    if (strcmp(verb, "promote") == 0) {
        if ((st = do_promote(c, brand, key)) == 0) {
            (void)printf("%s is now the active key of %s; run hallmark-keys publish\n",
                         hm_ks_str(key, "kid"), hm_ks_str(brand, "id"));
        }
        return st;
    }
    if (strcmp(verb, "retire") == 0) {
        return key_retire(c, brand, key);
    }
    if (strcmp(verb, "revoke") == 0) {
        return key_revoke(c, brand, key);
    }
    return key_destroy(c, brand, key);
}

/* The active key rotate replaces: --key KID, or the brand's only active key. NULL with *st set
 * (printed) when --key names no active key of the brand or the brand has several. */
static json_t *
key_to_rotate(struct cli *c, json_t *brand, int *st)
{
    json_t *owner = NULL, *k;
    char kid[12];

    *st = 0;
    if (c->key == NULL) {
        if (keys_in_state(brand, "active") > 1) {
            *st = keys_fail(EXIT_USAGE,
                            "brand %s has %zu active keys (one per scope): name the one to rotate "
                            "with --key KID (hallmark-keys status)",
                            hm_ks_str(brand, "id"), keys_in_state(brand, "active"));
        }
        return brand_active_key(brand);
    }
    k = hm_ks_find_key(&c->ks, c->key, &owner);
    if (k == NULL || owner != brand || strcmp(hm_ks_str(k, "state"), "active") != 0) {
        *st = keys_fail(EXIT_REFUSED, "--key %s: not an active key of %s (hallmark-keys status)",
                        k != NULL ? short_kid(hm_ks_str(k, "kid"), kid) : c->key,
                        hm_ks_str(brand, "id"));
        return NULL;
    }
    return k;
}

int
cmd_rotate(struct cli *c)
{
    json_t *brand, *pending, *active;
    const json_t *scope;
    long long lifetime;
    char when[32], kid[12];
    int st, acted = 0;

    if (c->nargs != 1) {
        return keys_fail(EXIT_USAGE, "usage: hallmark-keys rotate BRAND [--force --reason TEXT]");
    }
    if ((st = open_keystore(c, OPEN_TO_CHANGE)) != 0) {
        return st;
    }
    if ((brand = hm_ks_find_brand(&c->ks, c->args[0])) == NULL) {
        return keys_fail(EXIT_REFUSED, "no brand %s (hallmark-keys brand list)", c->args[0]);
    }
    if (c->force && (c->reason == NULL || c->reason[0] == '\0')) {
        return keys_fail(EXIT_USAGE,
                         "--force needs --reason TEXT (it is recorded in the audit log)");
    }
    lifetime = hm_ks_int(json_object_get(c->ks.state, "settings"), "bundle_lifetime");
    if (c->expires != NULL &&
        (!parse_duration(c->expires, &lifetime) || lifetime > HM_BUNDLE_LIFETIME_MAX)) {
        return keys_fail(EXIT_USAGE, "--expires: a duration up to 14d (e.g. 7d, 36h)");
    }
    if (c->scope_channels.count > 0 || c->scope_senders.count > 0) {
        return keys_fail(EXIT_USAGE,
                         "rotate keeps the scope of the key it replaces; for a key of another "
                         "scope: key add BRAND --scope-..., publish, key promote (help key)");
    }
    active = key_to_rotate(c, brand, &st);
    if (st != 0) {
        return st;
    }
    scope = active != NULL ? json_object_get(active, "scope") : NULL;
    pending = brand_key_with_scope(brand, "pending", scope);
    /* Resume a rotation whose promotion was committed but not published. */
    if (pending == NULL && active != NULL &&
        hm_ks_int(active, "promoted_at") >=
            hm_ks_int(json_object_get(c->ks.state, "last_publish"), "iat") &&
        json_is_true(json_object_get(c->ks.state, "unpublished"))) {
        (void)printf("finishing the rotation: %s is active but not yet published\n",
                     hm_ks_str(active, "kid"));
        return do_publish(c, lifetime, NULL);
    }
    if (pending == NULL) {
        const char *new_kid = NULL;
        acted = 1;
        if ((st = do_key_add(c, brand, c->alg, scope, &new_kid)) != 0) {
            return st;
        }
        (void)printf("added key %s (pending)\n", new_kid);
        pending = brand_key_with_scope(brand, "pending", scope);
    }
    if (json_object_get(pending, "published_at") == NULL) {
        acted = 1;
        if ((st = do_publish(c, lifetime, NULL)) != 0) {
            return st;
        }
    }
    if (!c->force && !acted && c->ks.now < hm_ks_int(pending, "published_at") + window(c)) {
        return keys_fail(
            EXIT_REFUSED,
            "key %s waits for the propagation window: rotate %s again after %s, or use "
            "--force --reason TEXT",
            short_kid(hm_ks_str(pending, "kid"), kid), hm_ks_str(brand, "id"),
            fmt_time(hm_ks_int(pending, "published_at") + window(c), when, sizeof when));
    }
    if (!c->force && c->ks.now < hm_ks_int(pending, "published_at") + window(c)) {
        (void)printf("key %s is published; run hallmark-keys rotate %s again after %s to promote "
                     "it\n",
                     short_kid(hm_ks_str(pending, "kid"), kid), hm_ks_str(brand, "id"),
                     fmt_time(hm_ks_int(pending, "published_at") + window(c), when, sizeof when));
        return EXIT_DONE;
    }
    if ((st = do_promote(c, brand, pending)) != 0) {
        return st;
    }
    (void)printf("promoted %s to active for %s\n", hm_ks_str(pending, "kid"),
                 hm_ks_str(brand, "id"));
    return do_publish(c, lifetime, NULL);
}
