#include "hm_publish.h"

#include <stdlib.h>
#include <string.h>

#include "hm_ids.h"
#include "hm_jws_sign.h"
#include "hm_keystore.h"

json_t *
hm_pub_credential_payload(const json_t *brand, const char *platform)
{
    const json_t *logo = json_object_get(brand, "logo"), *colors = json_object_get(brand, "colors");
    const char *domain = hm_ks_str(brand, "domain"), *level = hm_ks_str(brand, "level");
    json_t *p, *l = json_pack("{s:s,s:I,s:I}", "sha256", hm_ks_str(logo, "sha256"), "width",
                              (json_int_t)hm_ks_int(logo, "width"), "height",
                              (json_int_t)hm_ks_int(logo, "height"));

    if (l == NULL) {
        return NULL;
    }
    if (hm_ks_str(logo, "url") != NULL) {
        json_object_set_new(l, "url", json_string(hm_ks_str(logo, "url")));
    }
    p = json_pack("{s:i,s:s,s:s,s:o,s:{s:s,s:s},s:s,s:O,s:O,s:I,s:I}", "v", 1, "sub",
                  hm_ks_str(brand, "id"), "name", hm_ks_str(brand, "name"), "logo", l, "colors",
                  "primary", hm_ks_str(colors, "primary"), "background",
                  hm_ks_str(colors, "background"), "level", hm_ks_str(brand, "level"), "senders",
                  json_object_get(brand, "senders"), "link_domains",
                  json_object_get(brand, "link_domains"), "nbf",
                  (json_int_t)hm_ks_int(brand, "nbf"), "exp", (json_int_t)hm_ks_int(brand, "exp"));
    /* [HM-CRED-41]: absent unless the keystore has one, so that the credentials (and digests) of
     * brands without one stay as they were. A revoked basic brand of a keystore from before the
     * rule cannot be updated; it is published under the reserved name <id>.invalid (RFC 2606):
     * its tokens verify nowhere, and the bundle stays loadable. */
    if (p != NULL && json_object_get(brand, "categories") != NULL) { /* [HM-CRED-75] */
        json_object_set(p, "categories", json_object_get(brand, "categories"));
    }
    if (p != NULL && json_object_get(brand, "policy") != NULL) { /* [HM-CRED-90] */
        json_object_set(p, "policy", json_object_get(brand, "policy"));
    }
    if (p != NULL && json_object_get(brand, "revoked_at") != NULL) {
        /* [HM-CRED-65]: a revoked brand cannot be updated, and verifies and contests nothing;
         * a prefix of its from before the minimum is left out so the bundle stays loadable. */
        json_t *kept = json_array(), *e;
        size_t i;

        json_array_foreach(json_object_get(brand, "senders"), i, e)
        {
            if (hm_ks_str(e, "prefix") == NULL || hm_sender_prefix_ok(hm_ks_str(e, "prefix"))) {
                json_array_append(kept, e);
            }
        }
        json_object_set_new(p, "senders", kept);
    }
    if (p != NULL && json_array_size(json_object_get(brand, "phones")) > 0) {
        json_object_set(p, "phones", json_object_get(brand, "phones")); /* [HM-CRED-45] */
    }
    if (p != NULL && platform != NULL) { /* [HM-CRED-80] */
        json_object_set_new(p, "platform", json_string(platform));
    }
    if (p != NULL && domain != NULL) {
        json_object_set_new(p, "domain", json_string(domain));
    } else if (p != NULL && level != NULL && strcmp(level, "basic") == 0 &&
               json_object_get(brand, "revoked_at") != NULL) {
        json_object_set_new(p, "domain", json_pack("s+", hm_ks_str(brand, "id"), ".invalid"));
    }
    return p;
}

hallmark_result
hm_pub_credential_digest(const json_t *brand, const char *platform, char out[HM_SHA256_B64_LEN + 1])
{
    json_t *p = hm_pub_credential_payload(brand, platform);
    char *text = p != NULL ? json_dumps(p, JSON_COMPACT) : NULL;
    hallmark_result rc = HALLMARK_ERR_NOMEM;

    if (text != NULL) {
        rc = hm_sha256_b64url(out, (const unsigned char *)text, strlen(text));
    }
    free(text);
    json_decref(p);
    return rc;
}

const char *
hm_pub_bundle_state(const json_t *key, long long now)
{
    const char *state = hm_ks_str(key, "state");

    if (json_object_get(key, "revoked_at") != NULL) {
        return "revoked";
    }
    if (state == NULL || strcmp(state, "destroyed") == 0) {
        return NULL;
    }
    if (strcmp(state, "retired") == 0 &&
        now >= hm_ks_int(key, "retired_at") + HM_TOKEN_LIFETIME_MAX + HM_SKEW) {
        return NULL;
    }
    return state;
}

static int
same_member(const json_t *a, const json_t *b, const char *name)
{
    const char *x = hm_ks_str(a, name), *y = hm_ks_str(b, name);

    return (x == NULL && y == NULL) || (x != NULL && y != NULL && strcmp(x, y) == 0);
}

const json_t *
hm_pub_scope_sender(const json_t *brand, const json_t *scope_entry)
{
    const json_t *e;
    size_t i;

    json_array_foreach(json_object_get(brand, "senders"), i, e)
    {
        if (hm_ks_str(e, "channel") != NULL && same_member(e, scope_entry, "channel") &&
            same_member(e, scope_entry, "id") && same_member(e, scope_entry, "prefix") &&
            same_member(e, scope_entry, "country")) {
            return e;
        }
    }
    return NULL;
}

const json_t *
hm_pub_scope_misfit(const json_t *brand, const json_t *key)
{
    const json_t *scope = json_object_get(key, "scope"), *x, *e;
    size_t i, j;

    json_array_foreach(json_object_get(scope, "channels"), i, x)
    {
        int held = 0;
        json_array_foreach(json_object_get(brand, "senders"), j, e)
        {
            held |= json_equal(json_object_get(e, "channel"), x);
        }
        if (!held) {
            return x;
        }
    }
    json_array_foreach(json_object_get(scope, "senders"), i, x)
    {
        if (hm_pub_scope_sender(brand, x) == NULL) {
            return x;
        }
    }
    return NULL;
}

/* [HM-BUNDLE-81]: the scope as the bundle carries it, senders as the credential's entries. */
static json_t *
scope_entry(const json_t *brand, const json_t *scope)
{
    json_t *out = json_object(), *senders, *x;
    size_t i;

    if (json_object_get(scope, "channels") != NULL) {
        json_object_set(out, "channels", json_object_get(scope, "channels"));
    }
    if (json_object_get(scope, "senders") != NULL) {
        senders = json_array();
        json_array_foreach(json_object_get(scope, "senders"), i, x)
        {
            const json_t *e = hm_pub_scope_sender(brand, x);
            json_array_append_new(senders, json_deep_copy(e != NULL ? e : x));
        }
        json_object_set_new(out, "senders", senders);
    }
    return out;
}

json_t *
hm_pub_key_entry(const json_t *brand, const json_t *key, long long now)
{
    const char *state = hm_pub_bundle_state(key, now);
    long long nbf = hm_ks_int(key, "nbf"), exp = hm_ks_int(key, "exp");
    json_t *e;

    if (state == NULL || (e = json_deep_copy(json_object_get(key, "jwk"))) == NULL) {
        return NULL;
    }
    /* A key that left active is cut at that time plus the propagation window (exp_cut, set
     * by key promote; spec HM-TRUST-64). */
    if (json_object_get(key, "exp_cut") != NULL && hm_ks_int(key, "exp_cut") > nbf &&
        hm_ks_int(key, "exp_cut") < exp) {
        exp = hm_ks_int(key, "exp_cut");
    }
    /* A retired key signs nothing new: tokens it claims after retirement are refused. */
    if (json_object_get(key, "retired_at") != NULL && strcmp(state, "retired") == 0) {
        long long at = hm_ks_int(key, "retired_at"), cut = at > nbf ? at : nbf + 1;
        exp = cut < exp ? cut : exp;
    }
    json_object_set_new(e, "kid", json_string(hm_ks_str(key, "kid")));
    json_object_set_new(e, "alg", json_string(hm_ks_str(key, "alg")));
    json_object_set_new(e, "state", json_string(state));
    json_object_set_new(e, "nbf", json_integer(nbf));
    json_object_set_new(e, "exp", json_integer(exp));
    if (strcmp(state, "revoked") == 0) {
        json_object_set_new(e, "revoked_at", json_integer(hm_ks_int(key, "revoked_at")));
    }
    /* [HM-TRUST-65]; a revoked brand verifies nothing, and its credential may have lost entries
     * ([HM-CRED-65]): its keys carry no scope. */
    if (json_is_object(json_object_get(key, "scope")) &&
        json_object_get(brand, "revoked_at") == NULL) {
        json_object_set_new(e, "scope", scope_entry(brand, json_object_get(key, "scope")));
    }
    return e;
}

json_t *
hm_pub_jwks(const json_t *brand, long long now)
{
    json_t *keys = json_array(), *k;
    size_t i;

    if (json_object_get(brand, "revoked_at") != NULL) {
        return json_pack("{s:o}", "keys", keys); /* a revoked brand's tokens verify nowhere */
    }
    json_array_foreach(json_object_get(brand, "keys"), i, k)
    {
        const char *state = hm_pub_bundle_state(k, now);
        json_t *jwk;

        if (state == NULL || strcmp(state, "revoked") == 0 ||
            (jwk = json_deep_copy(json_object_get(k, "jwk"))) == NULL) {
            continue;
        }
        json_object_set_new(jwk, "kid", json_string(hm_ks_str(k, "kid")));
        json_object_set_new(jwk, "alg", json_string(hm_ks_str(k, "alg")));
        json_object_set_new(jwk, "use", json_string("sig"));
        json_array_append_new(keys, jwk);
    }
    return json_pack("{s:o}", "keys", keys);
}

/* The brand entry of the bundle, or NULL on allocation failure. */
static json_t *
brand_entry(const json_t *brand, const char *platform, const hm_signkey *publisher, long long now)
{
    json_t *payload = hm_pub_credential_payload(brand, platform), *keys = json_array(),
           *sup = json_array(), *k, *e = NULL;
    char *cred = NULL;
    size_t i;

    if (payload == NULL || keys == NULL || sup == NULL ||
        hm_jws_sign_json(publisher, "hallmark-brand+jwt", payload, &cred) != HALLMARK_OK) {
        goto out;
    }
    json_array_foreach(json_object_get(brand, "keys"), i, k)
    {
        json_t *entry = hm_pub_key_entry(brand, k, now);

        if (entry != NULL) {
            json_array_append_new(keys, entry);
        }
    }
    json_array_foreach(json_object_get(brand, "superseded"), i, k)
    {
        if (hm_ks_int(k, "until") + HM_TOKEN_LIFETIME_MAX + HM_SKEW > now) {
            json_array_append_new(sup, json_pack("{s:s,s:I}", "cred", hm_ks_str(k, "cred"), "until",
                                                 (json_int_t)hm_ks_int(k, "until")));
        }
    }
    e = json_pack("{s:s}", "credential", cred);
    if (e != NULL && json_array_size(sup) > 0) {
        json_object_set(e, "superseded", sup);
    }
    if (e != NULL) {
        json_object_set(e, "keys", keys);
    }
out:
    free(cred);
    json_decref(payload);
    json_decref(keys);
    json_decref(sup);
    return e;
}

hallmark_result
hm_pub_bundle(const json_t *state, const hm_signkey *publisher, unsigned long long serial,
              long long iat, long long exp, char **out)
{
    json_t *brands = json_array(), *revoked = json_array(), *b, *payload = NULL;
    const json_t *cert;
    size_t i;
    hallmark_result rc = HALLMARK_ERR_NOMEM;

    *out = NULL;
    if (brands == NULL || revoked == NULL) {
        goto out;
    }
    json_array_foreach(json_object_get(state, "brands"), i, b)
    {
        json_t *e = brand_entry(b, hm_ks_str(state, "platform"), publisher, iat);

        if (e == NULL) {
            goto out;
        }
        json_array_append_new(brands, e);
        if (json_object_get(b, "revoked_at") != NULL) {
            json_array_append_new(revoked,
                                  json_pack("{s:s,s:I}", "id", hm_ks_str(b, "id"), "revoked_at",
                                            (json_int_t)hm_ks_int(b, "revoked_at")));
        }
    }
    /* A quorum keystore's certificate is co-signed (spec §6.4): the array of its signatures. */
    cert = json_object_get(json_object_get(state, "publisher"), "cosigned");
    payload = json_pack(
        "{s:i,s:s,s:I,s:I,s:I,s:O,s:O,s:O}", "v", 1, "platform", hm_ks_str(state, "platform"),
        "serial", (json_int_t)serial, "iat", (json_int_t)iat, "exp", (json_int_t)exp, "roots",
        json_object_get(state, "root_chain"), "publisher",
        json_is_array(cert) ? cert
                            : json_object_get(json_object_get(state, "publisher"), "certificate"),
        "brands", brands);
    if (payload == NULL) {
        goto out;
    }
    if (json_array_size(revoked) > 0) {
        json_object_set(payload, "revoked_brands", revoked);
    }
    /* [HM-BUNDLE-86]: once the platform publishes a status on a timer, its bundles need one. */
    if (hm_ks_int(json_object_get(state, "settings"), "status_every") > 0) {
        json_object_set_new(
            payload, "status_every",
            json_integer(hm_ks_int(json_object_get(state, "settings"), "status_every")));
    }
    if (hm_ks_str(json_object_get(state, "settings"), "consent_url") != NULL) { /* HM-BUNDLE-96 */
        json_object_set(payload, "consent_url",
                        json_object_get(json_object_get(state, "settings"), "consent_url"));
    }
    rc = hm_jws_sign_json(publisher, "hallmark-bundle+jwt", payload, out);
out:
    json_decref(payload);
    json_decref(brands);
    json_decref(revoked);
    return rc;
}

hallmark_result
hm_pub_status(const json_t *state, const hm_signkey *publisher, unsigned long long serial,
              const char *bundle, long long since, long long iat, long long exp, char **out)
{
    json_t *keys = json_array(), *brands = json_array(), *b, *k, *payload = NULL;
    char digest[HM_SHA256_B64_LEN + 1];
    size_t i, j;
    hallmark_result rc = HALLMARK_ERR_NOMEM;

    *out = NULL;
    if (exp <= iat || exp - iat > 86400) {
        rc = HALLMARK_ERR_INVALID_ARGUMENT;
        goto out;
    }
    if (keys == NULL || brands == NULL ||
        hm_sha256_b64url(digest, (const unsigned char *)bundle, strlen(bundle)) != HALLMARK_OK) {
        goto out;
    }
    json_array_foreach(json_object_get(state, "brands"), i, b)
    {
        if (json_object_get(b, "revoked_at") != NULL && hm_ks_int(b, "revoked_at") >= since) {
            json_array_append_new(brands, json_string(hm_ks_str(b, "id")));
        }
        json_array_foreach(json_object_get(b, "keys"), j, k)
        {
            if (json_object_get(k, "revoked_at") != NULL && hm_ks_int(k, "revoked_at") >= since) {
                json_array_append_new(keys, json_string(hm_ks_str(k, "kid")));
            }
        }
    }
    payload = json_pack("{s:i,s:s,s:I,s:s,s:I,s:I,s:O,s:O}", "v", 1, "platform",
                        hm_ks_str(state, "platform"), "serial", (json_int_t)serial, "bundle",
                        digest, "iat", (json_int_t)iat, "exp", (json_int_t)exp, "revoked_keys",
                        keys, "revoked_brands", brands);
    if (payload != NULL) {
        rc = hm_jws_sign_json(publisher, "hallmark-status+jwt", payload, out);
    }
out:
    json_decref(payload);
    json_decref(keys);
    json_decref(brands);
    return rc;
}

json_t *
hm_pub_jwk(const hm_signkey *key)
{
    char canon[HM_JWK_MAX];

    if (hm_pubkey_canonical_jwk(hm_signkey_public(key), canon, sizeof canon, NULL) != HALLMARK_OK) {
        return NULL;
    }
    return json_loads(canon, JSON_REJECT_DUPLICATES, NULL);
}
