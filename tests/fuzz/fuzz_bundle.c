/* libFuzzer target: trust bundle loading (spec §6.6) against the vectors' pinned root. An input
 * is a compact bundle JWS, or, when it starts with '{', a bundle payload that the harness signs
 * with the vectors' publisher key (the generator's fixed seed), so that everything behind the
 * bundle signature (root chain, publisher certificate, brands, credentials, keys) is fuzzed too.
 * A bundle that loads must load again with its own state and verify a message without crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hallmark.h"
#include "hm_jws_sign.h"
#include "hm_signkey.h"
#include "vector_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char bundle_header[] = "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-bundle+jwt\",\"kid\":"
                                    "\"aVBtapLd11SUVKIMGJfPzOEDuN0sXcmzJQNVT-_sKEU\"}";

static hm_signkey *publisher_key;

static void
setup(void)
{
    publisher_key = vector_key(VECTOR_PUBLISHER_SEED);
}

static void
load_and_use(const unsigned char *bundle, size_t len)
{
    const char *roots[1] = {vector_root};
    hallmark_verifier *v = NULL, *again = NULL;
    hallmark_verification out;
    hallmark_message m = {.channel = NULL};
    hallmark_error err;
    unsigned char state[HALLMARK_TRUST_STATE_MAX], state2[HALLMARK_TRUST_STATE_MAX];
    size_t state_len = 0, state2_len = 0;
    hallmark_result rc;

    if (hallmark_verifier_create(&v, "Hallmark Vectors", roots, 1, 1) != HALLMARK_OK) {
        abort();
    }
    rc = hallmark_verifier_load(v, bundle, len, NULL, 0, VECTOR_NOW, state, sizeof state,
                                &state_len, &err);
    /* The detail names the same cause as the result (an allocation failure may leave none). */
    if ((rc != err.code && rc != HALLMARK_ERR_NOMEM) || err.message == NULL) {
        abort();
    }
    if (rc == HALLMARK_OK) {
        m.channel = "sms";
        m.from = "ACMEBANK";
        m.to = "+447700900123";
        m.body = (const unsigned char *)vector_body;
        m.body_len = strlen(vector_body);
        m.token = vector_token;
        m.token_len = strlen(vector_token);
        if (hallmark_verify(v, &m, VECTOR_NOW, &out) != out.code || out.detail == NULL) {
            abort();
        }
        /* The same bytes with their own state are no rollback, and give the same state. */
        if (hallmark_verifier_create(&again, "Hallmark Vectors", roots, 1, 1) != HALLMARK_OK ||
            hallmark_verifier_load(again, bundle, len, state, state_len, VECTOR_NOW, state2,
                                   sizeof state2, &state2_len, NULL) != HALLMARK_OK ||
            state2_len != state_len || memcmp(state, state2, state_len) != 0) {
            abort();
        }
        hallmark_verifier_free(again);
    }
    hallmark_verifier_free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy;
    char *signed_bundle = NULL;

    if (publisher_key == NULL) {
        setup();
    }
    if (size > 0 && data[0] == '{') {
        if (hm_jws_sign_raw(publisher_key, bundle_header, sizeof bundle_header - 1,
                            (const char *)data, size, &signed_bundle) != HALLMARK_OK) {
            return 0;
        }
        load_and_use((const unsigned char *)signed_bundle, strlen(signed_bundle));
        free(signed_bundle);
        return 0;
    }
    /* An exact-size copy, without a terminator: the loader must keep to len. */
    copy = malloc(size > 0 ? size : 1);
    if (copy == NULL) {
        return 0;
    }
    if (size > 0) {
        memcpy(copy, data, size);
    }
    load_and_use(copy, size);
    free(copy);
    return 0;
}
