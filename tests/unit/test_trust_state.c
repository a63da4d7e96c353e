/* The load call with the persisted trust state (spec §6.6-§6.8, issue 20): the calls it replaces
 * answer HALLMARK_ERR_API_REPLACED, the anchor's argument checks, the state's round trip, and a
 * failed load that leaves the caller's state and the bundle in force as they were. The rules on
 * generations and chain positions are held by the vectors 330-359. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "test.h"

TEST(trust_state_replaced_calls_give_a_clear_answer)
{
    struct fx fx;
    hallmark_verifier *v = (hallmark_verifier *)&fx; /* must be reset to NULL */
    const char *roots[1];
    char *bundle;
    uint64_t serial = 99;
    hallmark_error err;
    hallmark_verification out;
    hallmark_message m = {.channel = "sms",
                          .from = "ACMEBANK",
                          .to = "+447700900123",
                          .body = NULL,
                          .body_len = 0,
                          .token = "x.y.z",
                          .token_len = 5};

    CHECK(fx_init(&fx) == 0);
    roots[0] = fx.root_b64;
    CHECK_RC(hallmark_verifier_new(&v, roots, 1), HALLMARK_ERR_API_REPLACED);
    CHECK(v == NULL);
    CHECK_RC(hallmark_verifier_new(NULL, roots, 1), HALLMARK_ERR_API_REPLACED);
    CHECK_RC(fx_verifier(&v, fx.root_b64), HALLMARK_OK);
    bundle = fx_bundle(&fx, 7, FX_NOW + FX_DAY);
    memset(&err, 0, sizeof err);
    CHECK_RC(hallmark_verifier_load_bundle(v, (const unsigned char *)bundle, strlen(bundle), 0,
                                           FX_NOW, &serial, &err),
             HALLMARK_ERR_API_REPLACED);
    CHECK(err.code == HALLMARK_ERR_API_REPLACED && err.message != NULL &&
          strstr(err.message, "hallmark_verifier_load") != NULL);
    CHECK(serial == 99);
    /* Nothing was loaded: the verifier has no bundle, never a checkmark. */
    CHECK_RC(hallmark_verify(v, &m, FX_NOW, &out), HALLMARK_NO_BUNDLE);
    CHECK(hallmark_ui_class(HALLMARK_ERR_API_REPLACED) == HALLMARK_UI_API_ERROR);
    free(bundle);
    hallmark_verifier_free(v);
    fx_free(&fx);
}

TEST(trust_state_anchor_arguments)
{
    struct fx fx;
    hallmark_verifier *v = NULL;
    const char *roots[17];
    char long_id[66];
    size_t i;

    CHECK(fx_init(&fx) == 0);
    for (i = 0; i < 17; i++) {
        roots[i] = fx.root_b64;
    }
    memset(long_id, 'p', 65);
    long_id[65] = '\0';
    CHECK_RC(hallmark_verifier_create(&v, FX_PLATFORM, roots, 1, 0), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verifier_create(&v, FX_PLATFORM, roots, 1, 2), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verifier_create(&v, FX_PLATFORM, roots, 2, 1),
             HALLMARK_ERR_INVALID_ARGUMENT); /* one root listed twice */
    CHECK_RC(hallmark_verifier_create(&v, FX_PLATFORM, roots, 17, 1),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verifier_create(&v, NULL, roots, 1, 1), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verifier_create(&v, "", roots, 1, 1), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verifier_create(&v, long_id, roots, 1, 1), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verifier_create(&v, "Hall\nmark", roots, 1, 1),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(v == NULL);
    long_id[64] = '\0';
    CHECK_RC(hallmark_verifier_create(&v, long_id, roots, 1, 1), HALLMARK_OK);
    hallmark_verifier_free(v);
    CHECK(hallmark_trust_state_max() == HALLMARK_TRUST_STATE_MAX);
    fx_free(&fx);
}

TEST(trust_state_round_trip_and_failed_loads)
{
    struct fx fx;
    hallmark_verifier *v = NULL, *later = NULL, *other = NULL;
    unsigned char state[HALLMARK_TRUST_STATE_MAX], next[HALLMARK_TRUST_STATE_MAX];
    unsigned char untouched[HALLMARK_TRUST_STATE_MAX];
    const char *roots[1], *prefix = "{\"v\":1,\"platform\":\"Hallmark Test\",\"anchor\":";
    size_t state_len = 0, next_len = 0;
    char *b7, *b6, *b8;
    hallmark_error err;

    CHECK(fx_init(&fx) == 0);
    roots[0] = fx.root_b64;
    b6 = fx_bundle(&fx, 6, FX_NOW + FX_DAY);
    b7 = fx_bundle(&fx, 7, FX_NOW + FX_DAY);
    b8 = fx_bundle(&fx, 8, FX_NOW + FX_DAY);
    CHECK_RC(fx_verifier(&v, fx.root_b64), HALLMARK_OK);
    CHECK_RC(hallmark_verifier_load(v, (const unsigned char *)b7, strlen(b7), NULL, 0, FX_NOW,
                                    state, HALLMARK_TRUST_STATE_MAX - 1, &state_len, &err),
             HALLMARK_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(hallmark_verifier_load(v, (const unsigned char *)b7, strlen(b7), NULL, 3, FX_NOW,
                                    state, sizeof state, &state_len, &err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verifier_load(v, (const unsigned char *)b7, strlen(b7), NULL, 0, -1, state,
                                    sizeof state, &state_len, &err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verifier_load(v, (const unsigned char *)b7, strlen(b7), NULL, 0, FX_NOW,
                                    state, sizeof state, &state_len, &err),
             HALLMARK_OK);
    CHECK(state_len > 0 && state_len <= HALLMARK_TRUST_STATE_MAX);
    CHECK(state_len > strlen(prefix) && memcmp(state, prefix, strlen(prefix)) == 0);
    CHECK(memcmp(state + state_len - 11, "\"serial\":7}", 11) == 0);

    /* A new process (a new verifier) with the persisted state refuses serial 6... */
    CHECK_RC(fx_verifier(&later, fx.root_b64), HALLMARK_OK);
    memset(untouched, 0xA5, sizeof untouched);
    memcpy(next, untouched, sizeof next);
    CHECK_RC(hallmark_verifier_load(later, (const unsigned char *)b6, strlen(b6), state, state_len,
                                    FX_NOW, next, sizeof next, &next_len, &err),
             HALLMARK_BUNDLE_ROLLBACK);
    CHECK(err.code == HALLMARK_BUNDLE_ROLLBACK && strcmp(err.field, "serial") == 0);
    CHECK(memcmp(next, untouched, sizeof next) == 0); /* untouched on failure */
    /* ...and takes serial 8, writing the state over the one it read (same buffer). */
    CHECK_RC(hallmark_verifier_load(later, (const unsigned char *)b8, strlen(b8), state, state_len,
                                    FX_NOW, state, sizeof state, &state_len, &err),
             HALLMARK_OK);
    CHECK(memcmp(state + state_len - 11, "\"serial\":8}", 11) == 0);
    /* A damaged state is reported, never taken for none. */
    state[state_len - 2] = 'x';
    CHECK_RC(hallmark_verifier_load(later, (const unsigned char *)b8, strlen(b8), state, state_len,
                                    FX_NOW, next, sizeof next, &next_len, &err),
             HALLMARK_ERR_STATE_INVALID);
    /* The state of one platform is refused by another platform's verifier. */
    state[state_len - 2] = '8';
    CHECK_RC(hallmark_verifier_create(&other, "Other Platform", roots, 1, 1), HALLMARK_OK);
    CHECK_RC(hallmark_verifier_load(other, (const unsigned char *)b8, strlen(b8), state, state_len,
                                    FX_NOW, next, sizeof next, &next_len, &err),
             HALLMARK_ERR_STATE_INVALID);
    /* And its bundles too, even with no state. */
    CHECK_RC(hallmark_verifier_load(other, (const unsigned char *)b8, strlen(b8), NULL, 0, FX_NOW,
                                    next, sizeof next, &next_len, &err),
             HALLMARK_BUNDLE_WRONG_PLATFORM);
    CHECK(hallmark_ui_class(HALLMARK_BUNDLE_WRONG_PLATFORM) == HALLMARK_UI_NONE);
    free(b6);
    free(b7);
    free(b8);
    hallmark_verifier_free(v);
    hallmark_verifier_free(later);
    hallmark_verifier_free(other);
    fx_free(&fx);
}
