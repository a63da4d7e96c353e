/* libFuzzer target: brand credential parsing (spec §5.1) as the bundle loader reaches it. The
 * input becomes the `credential` of the only brand of a bundle that is otherwise valid: the
 * harness mints the publisher certificate and signs the bundle with the vectors' root and
 * publisher keys (the generator's fixed seeds). An input that starts with '{' is a credential
 * payload, signed with the publisher key as hallmark-keys would; any other input is taken as the
 * compact credential JWS itself. A bundle that loads must verify a message without crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hallmark.h"
#include "hm_jws_sign.h"
#include "hm_key.h"
#include "hm_signkey.h"
#include "vector_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char credential_header[] =
    "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-brand+jwt\",\"kid\":"
    "\"aVBtapLd11SUVKIMGJfPzOEDuN0sXcmzJQNVT-_sKEU\"}";

static hm_signkey *publisher_key;
static json_t *payload; /* the bundle payload; brands[0].credential is replaced by each input */
static json_t *brand_entry;

static json_t *
public_jwk(const hm_signkey *key)
{
    char canon[HM_JWK_MAX];
    json_t *jwk;

    if (hm_pubkey_canonical_jwk(hm_signkey_public(key), canon, sizeof canon, NULL) != HALLMARK_OK ||
        (jwk = json_loads(canon, 0, NULL)) == NULL) {
        abort();
    }
    return jwk;
}

static void
setup(void)
{
    hm_signkey *root = vector_key(VECTOR_ROOT_SEED), *brand = vector_key(VECTOR_ACME_KEY_SEED);
    json_t *cert, *key;
    char *cert_jws = NULL;

    publisher_key = vector_key(VECTOR_PUBLISHER_SEED);
    cert = json_pack("{s:i,s:o,s:I,s:I}", "v", 1, "jwk", public_jwk(publisher_key), "nbf",
                     (json_int_t)1764061200, "exp", (json_int_t)1827133200);
    key = public_jwk(brand);
    if (cert == NULL || key == NULL ||
        hm_jws_sign_json(root, "hallmark-publisher+jwt", cert, &cert_jws) != HALLMARK_OK ||
        json_object_set_new(key, "kid", json_string(hm_signkey_public(brand)->kid)) != 0 ||
        json_object_set_new(key, "alg", json_string("Ed25519")) != 0 ||
        json_object_set_new(key, "state", json_string("active")) != 0 ||
        json_object_set_new(key, "nbf", json_integer(1793005200)) != 0 ||
        json_object_set_new(key, "exp", json_integer(1827133200)) != 0) {
        abort();
    }
    brand_entry = json_pack("{s:s,s:[o]}", "credential", "", "keys", key);
    payload =
        json_pack("{s:i,s:s,s:I,s:I,s:I,s:[],s:s,s:[O]}", "v", 1, "platform", "Hallmark Vectors",
                  "serial", (json_int_t)7, "iat", (json_int_t)1795593600, "exp",
                  (json_int_t)1796202000, "roots", "publisher", cert_jws, "brands", brand_entry);
    if (brand_entry == NULL || payload == NULL) {
        abort();
    }
    json_decref(cert);
    free(cert_jws);
    hm_signkey_free(root);
    hm_signkey_free(brand);
}

static void
load_and_verify(const char *bundle)
{
    const char *roots[1] = {vector_root};
    hallmark_verifier *v = NULL;
    hallmark_verification out;
    hallmark_message m = {.channel = NULL};
    unsigned char state[HALLMARK_TRUST_STATE_MAX];
    size_t state_len = 0;

    if (hallmark_verifier_create(&v, "Hallmark Vectors", roots, 1, 1) != HALLMARK_OK) {
        abort();
    }
    if (hallmark_verifier_load(v, (const unsigned char *)bundle, strlen(bundle), NULL, 0,
                               VECTOR_NOW, state, sizeof state, &state_len, NULL) == HALLMARK_OK) {
        m.channel = "sms";
        m.from = "ACMEBANK";
        m.to = "+447700900123";
        m.body = (const unsigned char *)vector_body;
        m.body_len = strlen(vector_body);
        m.token = vector_token;
        m.token_len = strlen(vector_token);
        if (state_len < 11 || memcmp(state + state_len - 11, "\"serial\":7}", 11) != 0 ||
            hallmark_verify(v, &m, VECTOR_NOW, &out) != out.code || out.detail == NULL) {
            abort();
        }
    }
    hallmark_verifier_free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *credential = NULL, *bundle = NULL;
    const char *text = (const char *)data;
    size_t text_len = size;

    if (payload == NULL) {
        setup();
    }
    if (size > 0 && data[0] == '{') {
        if (hm_jws_sign_raw(publisher_key, credential_header, sizeof credential_header - 1,
                            (const char *)data, size, &credential) != HALLMARK_OK) {
            return 0;
        }
        text = credential;
        text_len = strlen(credential);
    }
    /* jansson refuses to serialize a string that is not UTF-8: such inputs end here. */
    if (json_object_set_new(brand_entry, "credential", json_stringn_nocheck(text, text_len)) == 0 &&
        hm_jws_sign_json(publisher_key, "hallmark-bundle+jwt", payload, &bundle) == HALLMARK_OK) {
        load_and_verify(bundle);
    }
    free(bundle);
    free(credential);
    return 0;
}
