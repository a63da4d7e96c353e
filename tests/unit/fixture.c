#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "hm_b64url.h"
#include "hm_digest.h"
#include "hm_jws_sign.h"
#include "hm_text.h"

static hm_signkey *
seeded(hm_alg alg, unsigned char fill)
{
    unsigned char seed[32];
    hm_signkey *k = NULL;

    memset(seed, fill, sizeof seed);
    return hm_signkey_from_secret(&k, alg, seed, sizeof seed) == HALLMARK_OK ? k : NULL;
}

static json_t *
public_jwk(const hm_signkey *key)
{
    char canon[HM_JWK_MAX];

    if (hm_pubkey_canonical_jwk(hm_signkey_public(key), canon, sizeof canon, NULL) != HALLMARK_OK) {
        return NULL;
    }
    return json_loads(canon, 0, NULL);
}

char *
fx_sign_raw(const hm_signkey *key, const char *h, const char *p)
{
    char *out = NULL;

    return hm_jws_sign_raw(key, h, strlen(h), p, strlen(p), &out) == HALLMARK_OK ? out : NULL;
}

char *
fx_sign(const hm_signkey *key, const char *typ, const char *alg, const json_t *payload)
{
    json_t *header =
        json_pack("{s:s,s:s,s:s}", "alg", alg, "typ", typ, "kid", hm_signkey_public(key)->kid);
    char *h = json_dumps(header, JSON_COMPACT), *p = json_dumps(payload, JSON_COMPACT);
    char *out = fx_sign_raw(key, h, p);

    free(h);
    free(p);
    json_decref(header);
    return out;
}

int
fx_init(struct fx *fx)
{
    memset(fx, 0, sizeof *fx);
    fx->root = seeded(HM_ALG_ED25519, 1);
    fx->publisher = seeded(HM_ALG_ED25519, 2);
    fx->brand = seeded(HM_ALG_ED25519, 3);
    fx->key_state = "active";
    if (fx->root == NULL || fx->publisher == NULL || fx->brand == NULL) {
        return -1;
    }
    hm_b64url_encode(fx->root_b64, sizeof fx->root_b64, hm_signkey_public(fx->root)->raw, 32, NULL);
    return fx_set_level(fx, "organization", NULL);
}

int
fx_set_level(struct fx *fx, const char *level, const char *domain)
{
    json_t *cred = json_pack(
        "{s:i,s:s,s:s,s:{s:s,s:i,s:i},s:{s:s,s:s},s:s,s:[{s:s,s:s},{s:s,s:s},{s:s,s:s}],"
        "s:[s],s:I,s:I}",
        "v", 1, "sub", "acme-bank", "name", "Acme Bank", "logo", "sha256",
        "LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "width", 256, "height", 256, "colors",
        "primary", "#0B5FFF", "background", "#FFFFFF", "level", level, "senders", "channel", "sms",
        "id", "ACMEBANK", "channel", "sms", "prefix", "+4477009", "channel", "email", "id",
        "acme.example", "link_domains", "acme.example", "nbf", (json_int_t)(FX_NOW - FX_DAY * 30),
        "exp", (json_int_t)(FX_NOW + FX_DAY * 365));

    if (cred == NULL) {
        return -1;
    }
    if (domain != NULL) {
        json_object_set_new(cred, "domain", json_string(domain));
    }
    free(fx->credential);
    fx->credential = fx_sign(fx->publisher, "hallmark-brand+jwt", "Ed25519", cred);
    json_decref(cred);
    return fx->credential != NULL ? 0 : -1;
}

int
fx_set_senders(struct fx *fx, const json_t *senders)
{
    const char *d1 = strchr(fx->credential, '.'), *d2 = strrchr(fx->credential, '.');
    unsigned char raw[4096];
    size_t n = 0;
    json_t *cred;
    char *signed_cred;

    if (d1 == NULL || d2 == d1 ||
        hm_b64url_decode(raw, sizeof raw - 1, d1 + 1, (size_t)(d2 - d1 - 1), &n) != HALLMARK_OK) {
        return -1;
    }
    raw[n] = '\0';
    if ((cred = json_loads((const char *)raw, 0, NULL)) == NULL) {
        return -1;
    }
    json_object_set_new(cred, "senders", json_deep_copy(senders));
    signed_cred = fx_sign(fx->publisher, "hallmark-brand+jwt", "Ed25519", cred);
    json_decref(cred);
    if (signed_cred == NULL) {
        return -1;
    }
    free(fx->credential);
    fx->credential = signed_cred;
    return 0;
}

void
fx_free(struct fx *fx)
{
    hm_signkey_free(fx->root);
    hm_signkey_free(fx->publisher);
    hm_signkey_free(fx->brand);
    free(fx->credential);
    memset(fx, 0, sizeof *fx);
}

char *
fx_bundle(const struct fx *fx, long long serial, long long exp)
{
    json_t *cert =
        json_pack("{s:i,s:o,s:I,s:I}", "v", 1, "jwk", public_jwk(fx->publisher), "nbf",
                  (json_int_t)(FX_NOW - FX_DAY * 365), "exp", (json_int_t)(FX_NOW + FX_DAY * 365));
    char *cert_jws = fx_sign(fx->root, "hallmark-publisher+jwt", "Ed25519", cert);
    json_t *key = public_jwk(fx->brand), *payload;
    char *out;

    json_object_set_new(key, "kid", json_string(hm_signkey_public(fx->brand)->kid));
    json_object_set_new(key, "alg", json_string("Ed25519"));
    json_object_set_new(key, "state", json_string(fx->key_state));
    json_object_set_new(key, "nbf", json_integer(FX_NOW - FX_DAY * 30));
    json_object_set_new(key, "exp", json_integer(FX_NOW + FX_DAY * 365));
    if (strcmp(fx->key_state, "revoked") == 0) {
        json_object_set_new(key, "revoked_at", json_integer(FX_NOW - 60));
    }
    payload = json_pack("{s:i,s:s,s:I,s:I,s:I,s:[],s:s,s:[{s:s,s:[o]}]}", "v", 1, "platform",
                        "Hallmark Test", "serial", (json_int_t)serial, "iat",
                        (json_int_t)(FX_NOW - 3600), "exp", (json_int_t)exp, "roots", "publisher",
                        cert_jws, "brands", "credential", fx->credential, "keys", key);
    out = fx_sign(fx->publisher, "hallmark-bundle+jwt", "Ed25519", payload);
    json_decref(payload);
    json_decref(cert);
    free(cert_jws);
    return out;
}

hallmark_result
fx_verifier(hallmark_verifier **out, const char *root_b64)
{
    const char *roots[1];

    roots[0] = root_b64;
    return hallmark_verifier_create(out, FX_PLATFORM, roots, 1, 1);
}

hallmark_result
fx_load(hallmark_verifier *v, const char *bundle, size_t len, int64_t now, uint64_t *serial,
        hallmark_error *err)
{
    unsigned char state[HALLMARK_TRUST_STATE_MAX];
    size_t state_len = 0;
    hallmark_result rc = hallmark_verifier_load(v, (const unsigned char *)bundle, len, NULL, 0, now,
                                                state, sizeof state, &state_len, err);

    if (rc == HALLMARK_OK && serial != NULL) {
        json_t *doc = json_loadb((const char *)state, state_len, 0, NULL);
        *serial = (uint64_t)json_integer_value(json_object_get(doc, "serial"));
        json_decref(doc);
    }
    return rc;
}

json_t *
fx_claims(const struct fx *fx, const char *body)
{
    unsigned char d[32];
    char body_b64[48], rcpt_b64[48], cred_b64[48];

    hm_body_digest((const unsigned char *)body, strlen(body), d);
    hm_b64url_encode(body_b64, sizeof body_b64, d, 32, NULL);
    hm_recipient_stem("sms", "ACMEBANK", "+447700900123", d);
    hm_recipient_digest("dGVzdC1qdGktMDAx", "sms", d, d);
    hm_b64url_encode(rcpt_b64, sizeof rcpt_b64, d, 32, NULL);
    hm_jws_payload_digest(fx->credential, cred_b64);
    return json_pack("{s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s}}", "iss", "acme-bank", "iat",
                     (json_int_t)FX_NOW, "exp", (json_int_t)(FX_NOW + 86400), "jti",
                     "dGVzdC1qdGktMDAx", "channel", "sms", "from", "ACMEBANK", "rcpt", rcpt_b64,
                     "body", body_b64, "cred", cred_b64, "category", "transactional", "sender",
                     "kind", "automated");
}

char *
fx_token(const struct fx *fx, const json_t *claims)
{
    return fx_sign(fx->brand, "hallmark-msg+jwt", "Ed25519", claims);
}
