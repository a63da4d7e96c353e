/* What hallmark-keys publishes: which keys a bundle carries at which time, and that the `cred`
 * digest the keystore hands out is the one the verifier computes from the signed credential. */
#include <stdlib.h>
#include <string.h>

#include "hm_jws_sign.h"
#include "hm_publish.h"
#include "test.h"

#define T0 1795000000LL

static json_t *
key(const char *state)
{
    return json_pack("{s:s,s:s,s:{s:s,s:s,s:s},s:s,s:I,s:I,s:I}", "kid", "kid-1", "alg", "Ed25519",
                     "jwk", "crv", "Ed25519", "kty", "OKP", "x", "AAAA", "state", state, "created",
                     (json_int_t)T0, "nbf", (json_int_t)T0, "exp", (json_int_t)(T0 + 1000000));
}

TEST(publish_key_states_in_bundles)
{
    json_t *k = key("pending"), *e;
    long long gone = T0 + HM_TOKEN_LIFETIME_MAX + HM_SKEW;

    CHECK(strcmp(hm_pub_bundle_state(k, T0), "pending") == 0);
    json_object_set_new(k, "state", json_string("retired"));
    json_object_set_new(k, "retired_at", json_integer(T0 + 10));
    /* A retired key stays until every token it signed (7 days at most) has expired... */
    CHECK(gone == T0 + 7LL * 86400 + 300);
    CHECK(strcmp(hm_pub_bundle_state(k, gone + 9), "retired") == 0);
    CHECK(hm_pub_bundle_state(k, gone + 10) == NULL);
    /* ...and its entry's exp is its retirement: it signs nothing new. */
    e = hm_pub_key_entry(NULL, k, T0 + 20);
    CHECK(e != NULL && json_integer_value(json_object_get(e, "exp")) == T0 + 10);
    CHECK(json_object_get(e, "revoked_at") == NULL);
    json_decref(e);
    /* A revoked key is listed as revoked for ever, also once its secret is destroyed. */
    json_object_set_new(k, "state", json_string("destroyed"));
    CHECK(hm_pub_bundle_state(k, T0) == NULL);
    json_object_set_new(k, "revoked_at", json_integer(T0 + 50));
    CHECK(strcmp(hm_pub_bundle_state(k, gone * 2), "revoked") == 0);
    e = hm_pub_key_entry(NULL, k, gone * 2);
    CHECK(e != NULL && json_integer_value(json_object_get(e, "revoked_at")) == T0 + 50);
    CHECK(strcmp(json_string_value(json_object_get(e, "state")), "revoked") == 0);
    json_decref(e);
    json_decref(k);
}

TEST(publish_credential_digest_is_what_the_token_carries)
{
    json_t *brand =
        json_pack("{s:s,s:s,s:s,s:{s:s,s:i,s:i},s:{s:s,s:s},s:[{s:s,s:s}],s:[s],s:I,s:I,s:[]}",
                  "id", "acme-bank", "name", "Acme Bank", "level", "organization", "logo", "sha256",
                  "LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "width", 256, "height", 256,
                  "colors", "primary", "#0B5FFF", "background", "#FFFFFF", "senders", "channel",
                  "sms", "id", "ACMEBANK", "link_domains", "acme.example", "nbf", (json_int_t)T0,
                  "exp", (json_int_t)(T0 + 86400), "keys");
    json_t *payload = hm_pub_credential_payload(brand, NULL);
    unsigned char seed[32];
    hm_signkey *publisher = NULL;
    char *jws = NULL, a[HM_SHA256_B64_LEN + 1], b[HM_SHA256_B64_LEN + 1], *text;
    const char *want =
        "{\"v\":1,\"sub\":\"acme-bank\",\"name\":\"Acme Bank\",\"logo\":{\"sha256\":";

    memset(seed, 2, sizeof seed);
    CHECK(brand != NULL && payload != NULL);
    CHECK_RC(hm_signkey_from_secret(&publisher, HM_ALG_ED25519, seed, sizeof seed), HALLMARK_OK);
    CHECK_RC(hm_jws_sign_json(publisher, "hallmark-brand+jwt", payload, &jws), HALLMARK_OK);
    CHECK_RC(hm_pub_credential_digest(brand, NULL, a), HALLMARK_OK);
    CHECK_RC(hm_jws_payload_digest(jws, b), HALLMARK_OK);
    CHECK(strcmp(a, b) == 0);
    /* Members in the spec's order (§5.1), so the bytes are the documented ones. */
    text = json_dumps(payload, JSON_COMPACT);
    CHECK(text != NULL && strncmp(text, want, strlen(want)) == 0);
    free(text);
    free(jws);
    hm_signkey_free(publisher);
    json_decref(payload);
    json_decref(brand);
}

/* [HM-CRED-65]: a revoked brand cannot be updated, so a prefix of its from before the minimum is
 * left out of its credential (the bundle stays loadable); a brand that is not revoked keeps its
 * entries as they are (publish refuses such a keystore instead), and the always_signed and
 * country members travel into the credential. */
TEST(publish_revoked_brand_drops_prefixes_below_the_minimum)
{
    json_t *brand = json_pack(
        "{s:s,s:s,s:s,s:{s:s,s:i,s:i},s:{s:s,s:s},s:[{s:s,s:s,s:s,s:b},{s:s,s:s},{s:s,s:s}],s:[],"
        "s:I,s:I}",
        "id", "old-co", "name", "Old Co", "level", "organization", "logo", "sha256",
        "LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "width", 256, "height", 256, "colors",
        "primary", "#0B5FFF", "background", "#FFFFFF", "senders", "channel", "sms", "id", "OLDCO",
        "country", "+44", "always_signed", 1, "channel", "sms", "prefix", "+1", "channel", "sms",
        "prefix", "+4477009", "link_domains", "nbf", (json_int_t)T0, "exp",
        (json_int_t)(T0 + 86400));
    json_t *p = hm_pub_credential_payload(brand, NULL), *senders;

    CHECK(p != NULL && json_array_size(json_object_get(p, "senders")) == 3);
    json_decref(p);
    json_object_set_new(brand, "revoked_at", json_integer(T0 + 10));
    p = hm_pub_credential_payload(brand, NULL);
    senders = json_object_get(p, "senders");
    CHECK(json_array_size(senders) == 2);
    CHECK(json_is_true(json_object_get(json_array_get(senders, 0), "always_signed")) &&
          strcmp(json_string_value(json_object_get(json_array_get(senders, 0), "country")),
                 "+44") == 0);
    CHECK(strcmp(json_string_value(json_object_get(json_array_get(senders, 1), "prefix")),
                 "+4477009") == 0);
    json_decref(p);
    json_decref(brand);
}

/* [HM-CRED-80]: the keystore's platform id goes into every credential, and changes its digest. */
TEST(publish_credential_names_its_platform)
{
    json_t *brand =
        json_pack("{s:s,s:s,s:s,s:{s:s,s:i,s:i},s:{s:s,s:s},s:[],s:[],s:I,s:I}", "id", "acme-bank",
                  "name", "Acme Bank", "level", "organization", "logo", "sha256",
                  "LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "width", 256, "height", 256,
                  "colors", "primary", "#0B5FFF", "background", "#FFFFFF", "senders",
                  "link_domains", "nbf", (json_int_t)T0, "exp", (json_int_t)(T0 + 86400));
    json_t *p = hm_pub_credential_payload(brand, "Hallmark Demo");
    char a[HM_SHA256_B64_LEN + 1], b[HM_SHA256_B64_LEN + 1];

    CHECK(p != NULL &&
          strcmp(json_string_value(json_object_get(p, "platform")), "Hallmark Demo") == 0);
    json_decref(p);
    p = hm_pub_credential_payload(brand, NULL);
    CHECK(p != NULL && json_object_get(p, "platform") == NULL);
    json_decref(p);
    CHECK_RC(hm_pub_credential_digest(brand, "Hallmark Demo", a), HALLMARK_OK);
    CHECK_RC(hm_pub_credential_digest(brand, NULL, b), HALLMARK_OK);
    CHECK(strcmp(a, b) != 0);
    json_decref(brand);
}

/* [HM-BUNDLE-81]: a scope's senders are written as the credential's own entries (with their
 * always_signed), and a scope naming what the brand does not hold is a misfit. */
TEST(publish_key_scope_written_as_the_credentials_entries)
{
    json_t *brand = json_pack("{s:s,s:[{s:s,s:s,s:s,s:b},{s:s,s:s}]}", "id", "scopeco", "senders",
                              "channel", "sms", "id", "SCOPEA", "country", "+44", "always_signed",
                              1, "channel", "rcs", "id", "scopeco_agent@rbm.goog");
    json_t *k = key("active"), *e, *scope;

    json_object_set_new(k, "scope",
                        json_pack("{s:[s],s:[{s:s,s:s,s:s}]}", "channels", "sms", "senders",
                                  "channel", "sms", "id", "SCOPEA", "country", "+44"));
    CHECK(hm_pub_scope_misfit(brand, k) == NULL);
    e = hm_pub_key_entry(brand, k, T0 + 1);
    scope = json_object_get(e, "scope");
    CHECK(e != NULL && json_equal(json_array_get(json_object_get(scope, "senders"), 0),
                                  json_array_get(json_object_get(brand, "senders"), 0)));
    CHECK(json_array_size(json_object_get(scope, "channels")) == 1 &&
          strcmp(json_string_value(json_array_get(json_object_get(scope, "channels"), 0)), "sms") ==
              0);
    json_decref(e);
    json_object_set_new(json_object_get(k, "scope"), "channels", json_pack("[s]", "email"));
    CHECK(hm_pub_scope_misfit(brand, k) != NULL &&
          strcmp(json_string_value(hm_pub_scope_misfit(brand, k)), "email") == 0);
    json_object_del(json_object_get(k, "scope"), "channels");
    json_object_set_new(
        json_object_get(k, "scope"), "senders",
        json_pack("[{s:s,s:s,s:s}]", "channel", "sms", "id", "SCOPEA", "country", "+33"));
    CHECK(hm_pub_scope_misfit(brand, k) != NULL);
    json_decref(k);
    json_decref(brand);
}
