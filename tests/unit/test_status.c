/* The status object and the re-check of stored verdicts (spec §6.9, §7.5, issue 21), beyond the
 * vectors 440-471: the calls' arguments, the status floor kept within a process and across a
 * restart, a failed status load that changes nothing, a new bundle that drops the old bundle's
 * status, and the state bytes each load writes. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "hm_b64url.h"
#include "hm_digest.h"
#include "test.h"

/* A status over bundle (serial 7 unless told), issued at iat for six hours, revoking kid (may be
 * NULL), signed by the fixture's publisher. malloc'd. */
static char *
status_over(const struct fx *fx, const char *bundle, long long serial, long long iat,
            const char *kid)
{
    char digest[HM_SHA256_B64_LEN + 1];
    json_t *p;
    char *out;

    if (hm_sha256_b64url(digest, (const unsigned char *)bundle, strlen(bundle)) != HALLMARK_OK) {
        return NULL;
    }
    p = json_pack("{s:i,s:s,s:I,s:s,s:I,s:I,s:[],s:[]}", "v", 1, "platform", FX_PLATFORM, "serial",
                  (json_int_t)serial, "bundle", digest, "iat", (json_int_t)iat, "exp",
                  (json_int_t)(iat + 6LL * 3600), "revoked_keys", "revoked_brands");
    if (kid != NULL) {
        json_array_append_new(json_object_get(p, "revoked_keys"), json_string(kid));
    }
    out = fx_sign(fx->publisher, "hallmark-status+jwt", "Ed25519", p);
    json_decref(p);
    return out;
}

/* fx_bundle's bundle with "status_every" set, re-signed by the publisher. malloc'd. */
static char *
bundle_needing_status(const struct fx *fx, long long serial)
{
    char *b = fx_bundle(fx, serial, FX_NOW + FX_DAY), *out = NULL;
    const char *d1 = strchr(b, '.'), *d2 = strrchr(b, '.');
    unsigned char raw[16384];
    size_t n = 0;
    json_t *p;

    if (hm_b64url_decode(raw, sizeof raw, d1 + 1, (size_t)(d2 - d1 - 1), &n) == HALLMARK_OK &&
        (p = json_loadb((const char *)raw, n, 0, NULL)) != NULL) {
        json_object_set_new(p, "status_every", json_integer(3600));
        out = fx_sign(fx->publisher, "hallmark-bundle+jwt", "Ed25519", p);
        json_decref(p);
    }
    free(b);
    return out;
}

static hallmark_result
load_status(hallmark_verifier *v, const char *status, const unsigned char *state, size_t state_len,
            unsigned char *out, size_t *out_len)
{
    return hallmark_verifier_load_status(v, (const unsigned char *)status, strlen(status), state,
                                         state_len, FX_NOW, out, HALLMARK_TRUST_STATE_MAX, out_len,
                                         NULL);
}

static hallmark_result
verify_token(hallmark_verifier *v, const char *token)
{
    static const char body[] = "Your code is 123456";
    hallmark_message m = {.channel = "sms",
                          .from = "ACMEBANK",
                          .to = "+447700900123",
                          .body = (const unsigned char *)body,
                          .body_len = sizeof body - 1,
                          .token = token,
                          .token_len = strlen(token)};
    hallmark_verification out;

    return hallmark_verify(v, &m, FX_NOW, &out);
}

/* 1 if the state's bytes end with the status floor (a version 2 state) or hold none. */
static int
state_floor_is(const unsigned char *state, size_t len, long long floor)
{
    char tail[64];
    size_t n;

    if (floor == 0) {
        char text[HALLMARK_TRUST_STATE_MAX + 1];

        memcpy(text, state, len);
        text[len] = '\0';
        return len > 7 && memcmp(state, "{\"v\":1,", 7) == 0 && strstr(text, "\"status\"") == NULL;
    }
    n = (size_t)snprintf(tail, sizeof tail, ",\"status\":%lld}", floor);
    return len > n && memcmp(state, "{\"v\":2,", 7) == 0 && memcmp(state + len - n, tail, n) == 0;
}

TEST(status_arguments_and_no_bundle)
{
    struct fx fx;
    hallmark_verifier *v = NULL;
    unsigned char out[HALLMARK_TRUST_STATE_MAX];
    size_t out_len = 0;
    char *bundle, *status;

    CHECK(fx_init(&fx) == 0);
    bundle = fx_bundle(&fx, 7, FX_NOW + FX_DAY);
    status = status_over(&fx, bundle, 7, FX_NOW - 600, NULL);
    CHECK_RC(fx_verifier(&v, fx.root_b64), HALLMARK_OK);
    CHECK_RC(load_status(v, status, NULL, 0, out, &out_len), HALLMARK_NO_BUNDLE);
    CHECK_RC(hallmark_verifier_load_status(NULL, (const unsigned char *)status, strlen(status),
                                           NULL, 0, FX_NOW, out, sizeof out, &out_len, NULL),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(
        hallmark_verifier_load_status(v, NULL, 0, NULL, 0, FX_NOW, out, sizeof out, &out_len, NULL),
        HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verifier_load_status(v, (const unsigned char *)status, strlen(status), NULL,
                                           0, -1, out, sizeof out, &out_len, NULL),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verifier_load_status(v, (const unsigned char *)status, strlen(status), NULL,
                                           0, FX_NOW, out, sizeof out - 1, &out_len, NULL),
             HALLMARK_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(hallmark_verifier_load_status(v, (const unsigned char *)status, strlen(status),
                                           (const unsigned char *)"{}", 2, FX_NOW, out, sizeof out,
                                           &out_len, NULL),
             HALLMARK_ERR_STATE_INVALID);
    CHECK_RC(hallmark_verdict_still_valid(v, "acme-bank", hm_signkey_public(fx.brand)->kid, FX_NOW,
                                          FX_NOW),
             HALLMARK_NO_BUNDLE);
    CHECK_RC(hallmark_verdict_still_valid(NULL, "acme-bank", "k", 0, FX_NOW),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verdict_still_valid(v, NULL, "k", 0, FX_NOW), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verdict_still_valid(v, "acme-bank", NULL, 0, FX_NOW),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verdict_still_valid(v, "acme-bank", "k", 0, -1),
             HALLMARK_ERR_INVALID_ARGUMENT);
    free(bundle);
    free(status);
    hallmark_verifier_free(v);
    fx_free(&fx);
}

TEST(status_floor_kept_in_process_and_across_a_restart)
{
    struct fx fx;
    hallmark_verifier *v = NULL;
    unsigned char state[HALLMARK_TRUST_STATE_MAX], out[HALLMARK_TRUST_STATE_MAX];
    size_t state_len = 0, out_len = 0;
    const char *kid;
    char *b7, *b8, *revoking, *older, *tampered, *token;
    json_t *claims;

    CHECK(fx_init(&fx) == 0);
    kid = hm_signkey_public(fx.brand)->kid;
    claims = fx_claims(&fx, "Your code is 123456");
    token = fx_token(&fx, claims);
    json_decref(claims);
    b7 = fx_bundle(&fx, 7, FX_NOW + FX_DAY);
    b8 = fx_bundle(&fx, 8, FX_NOW + FX_DAY);
    revoking = status_over(&fx, b7, 7, FX_NOW - 600, kid);
    older = status_over(&fx, b7, 7, FX_NOW - 1200, NULL);
    tampered = status_over(&fx, b7, 7, FX_NOW - 600, kid);
    tampered[strlen(tampered) - 5] = tampered[strlen(tampered) - 5] == 'A' ? 'B' : 'A';
    CHECK_RC(fx_verifier(&v, fx.root_b64), HALLMARK_OK);
    CHECK_RC(hallmark_verifier_load(v, (const unsigned char *)b7, strlen(b7), NULL, 0, FX_NOW,
                                    state, sizeof state, &state_len, NULL),
             HALLMARK_OK);
    CHECK(state_floor_is(state, state_len, 0));
    CHECK_RC(verify_token(v, token), HALLMARK_VERIFIED);
    /* The status revokes the key: the next verify refuses it, the stored verdict is withdrawn. */
    CHECK_RC(load_status(v, revoking, state, state_len, state, &state_len), HALLMARK_OK);
    CHECK(state_floor_is(state, state_len, FX_NOW - 600));
    CHECK_RC(verify_token(v, token), HALLMARK_KEY_REVOKED);
    CHECK_RC(hallmark_verdict_still_valid(v, "acme-bank", kid, FX_NOW - 60, FX_NOW),
             HALLMARK_KEY_REVOKED);
    /* An older status is refused even when the app passes no state: the verifier's own floor. */
    memset(out, 0xAA, sizeof out);
    out_len = 77;
    CHECK_RC(load_status(v, older, NULL, 0, out, &out_len), HALLMARK_STATUS_ROLLBACK);
    CHECK(out[0] == 0xAA && out_len == 77);
    CHECK_RC(load_status(v, tampered, state, state_len, out, &out_len), HALLMARK_STATUS_INVALID);
    CHECK_RC(verify_token(v, token), HALLMARK_KEY_REVOKED); /* the status in force stays */
    /* A new bundle keeps the floor in the state, and drops the old bundle's status. */
    CHECK_RC(hallmark_verifier_load(v, (const unsigned char *)b8, strlen(b8), state, state_len,
                                    FX_NOW, state, sizeof state, &state_len, NULL),
             HALLMARK_OK);
    CHECK(state_floor_is(state, state_len, FX_NOW - 600));
    CHECK_RC(verify_token(v, token), HALLMARK_VERIFIED);
    CHECK_RC(load_status(v, revoking, state, state_len, out, &out_len),
             HALLMARK_STATUS_OTHER_BUNDLE);
    hallmark_verifier_free(v);
    /* After a restart the persisted floor alone refuses the older status. */
    CHECK_RC(fx_verifier(&v, fx.root_b64), HALLMARK_OK);
    CHECK_RC(hallmark_verifier_load(v, (const unsigned char *)b7, strlen(b7), NULL, 0, FX_NOW, out,
                                    sizeof out, &out_len, NULL),
             HALLMARK_OK);
    CHECK_RC(load_status(v, older, state, state_len, out, &out_len), HALLMARK_STATUS_ROLLBACK);
    free(b7);
    free(b8);
    free(revoking);
    free(older);
    free(tampered);
    free(token);
    hallmark_verifier_free(v);
    fx_free(&fx);
}

TEST(status_needed_by_the_bundle_gates_every_checkmark)
{
    struct fx fx;
    hallmark_verifier *v = NULL;
    unsigned char state[HALLMARK_TRUST_STATE_MAX];
    size_t state_len = 0;
    const char *kid;
    char *b, *status, *token;
    json_t *claims;

    CHECK(fx_init(&fx) == 0);
    kid = hm_signkey_public(fx.brand)->kid;
    claims = fx_claims(&fx, "Your code is 123456");
    token = fx_token(&fx, claims);
    json_decref(claims);
    b = bundle_needing_status(&fx, 7);
    CHECK(b != NULL);
    status = status_over(&fx, b, 7, FX_NOW - 600, NULL);
    CHECK_RC(fx_verifier(&v, fx.root_b64), HALLMARK_OK);
    CHECK_RC(hallmark_verifier_load(v, (const unsigned char *)b, strlen(b), NULL, 0, FX_NOW, state,
                                    sizeof state, &state_len, NULL),
             HALLMARK_OK);
    CHECK_RC(verify_token(v, token), HALLMARK_STATUS_STALE);
    CHECK(hallmark_ui_class(HALLMARK_STATUS_STALE) == HALLMARK_UI_NEUTRAL);
    CHECK_RC(hallmark_verdict_still_valid(v, "acme-bank", kid, FX_NOW - 60, FX_NOW),
             HALLMARK_STATUS_STALE);
    CHECK_RC(load_status(v, status, state, state_len, state, &state_len), HALLMARK_OK);
    CHECK_RC(verify_token(v, token), HALLMARK_VERIFIED);
    CHECK_RC(hallmark_verdict_still_valid(v, "acme-bank", kid, FX_NOW - 60, FX_NOW), HALLMARK_OK);
    /* Six hours and a second later the status is stale: no checkmark, new or stored. */
    CHECK_RC(hallmark_verdict_still_valid(v, "acme-bank", kid, FX_NOW - 60, FX_NOW - 600 + 21601),
             HALLMARK_STATUS_STALE);
    free(b);
    free(status);
    free(token);
    hallmark_verifier_free(v);
    fx_free(&fx);
}

TEST(two_times_and_the_clock_floor)
{
    struct fx fx;
    hallmark_verifier *v = NULL;
    unsigned char state[HALLMARK_TRUST_STATE_MAX];
    size_t state_len = 0;
    static const char body[] = "Your code is 123456";
    const char *none[1] = {NULL};
    hallmark_verification out;
    hallmark_message m;
    char *b, *status, *token;
    json_t *claims;

    CHECK(fx_init(&fx) == 0);
    claims = fx_claims(&fx, body);
    token = fx_token(&fx, claims);
    json_decref(claims);
    b = fx_bundle(&fx, 7, FX_NOW + 7 * FX_DAY);
    status = status_over(&fx, b, 7, FX_NOW - 600, NULL);
    memset(&m, 0, sizeof m);
    m.channel = "sms";
    m.from = "ACMEBANK";
    m.to = "+447700900123";
    m.body = (const unsigned char *)body;
    m.body_len = sizeof body - 1;
    m.token = token;
    m.token_len = strlen(token);
    CHECK_RC(fx_verifier(&v, fx.root_b64), HALLMARK_OK);
    CHECK_RC(hallmark_verifier_load(v, (const unsigned char *)b, strlen(b), NULL, 0, FX_NOW, state,
                                    sizeof state, &state_len, NULL),
             HALLMARK_OK);
    /* Three days later, by its receipt time: verified; by the one-time call, expired. */
    CHECK_RC(hallmark_verify_at(v, &m, FX_NOW, FX_NOW + 3 * FX_DAY, &out), HALLMARK_VERIFIED);
    CHECK_RC(hallmark_verify(v, &m, FX_NOW + 3 * FX_DAY, &out), HALLMARK_TOKEN_EXPIRED);
    CHECK_RC(hallmark_verify_sized_at(v, &m, 3, 8, 13, FX_NOW, FX_NOW + 3 * FX_DAY, &out),
             HALLMARK_VERIFIED);
    /* received_at after now + 300, or negative: an argument error, for every call. */
    CHECK_RC(hallmark_verify_at(v, &m, FX_NOW + 301, FX_NOW, &out), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verify_at(v, &m, -1, FX_NOW, &out), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verify_sized_at(v, &m, 3, 8, 13, FX_NOW + 301, FX_NOW, &out),
             HALLMARK_ERR_INVALID_ARGUMENT);
    m.token = NULL;
    m.token_len = 0;
    CHECK_RC(hallmark_verify_fetched_at(v, &m, none, 0, FX_NOW + 301, FX_NOW, &out),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verify_fetched_at(v, &m, none, 0, FX_NOW, FX_NOW, &out), HALLMARK_UNSIGNED);
    m.token = token;
    m.token_len = strlen(token);
    /* The floor is the bundle's iat (FX_NOW - 3600) until a status raises it to its own. */
    CHECK_RC(hallmark_verify(v, &m, FX_NOW - 3600 - 300, &out), HALLMARK_TOKEN_NOT_YET_VALID);
    CHECK_RC(hallmark_verify(v, &m, FX_NOW - 3600 - 301, &out), HALLMARK_CLOCK_BEHIND);
    CHECK(out.ui == HALLMARK_UI_NEUTRAL);
    CHECK_RC(load_status(v, status, state, state_len, state, &state_len), HALLMARK_OK);
    CHECK_RC(hallmark_verify_at(v, &m, FX_NOW - 600 - 300, FX_NOW - 600 - 300, &out),
             HALLMARK_TOKEN_NOT_YET_VALID); /* past step 1: the token's own time */
    CHECK_RC(hallmark_verify_at(v, &m, FX_NOW - 600 - 301, FX_NOW - 600 - 301, &out),
             HALLMARK_CLOCK_BEHIND);
    CHECK_RC(hallmark_verdict_still_valid(v, "acme-bank", hm_signkey_public(fx.brand)->kid,
                                          FX_NOW - 60, FX_NOW - 600 - 301),
             HALLMARK_CLOCK_BEHIND);
    /* An app that re-verifies a stored message with the one-time call and its receipt time is
     * told, not given a verdict against data taken for fresh ([HM-VERIFY-63]). */
    CHECK_RC(hallmark_verify(v, &m, FX_NOW - 1200, &out), HALLMARK_CLOCK_BEHIND);
    free(b);
    free(status);
    free(token);
    hallmark_verifier_free(v);
    fx_free(&fx);
}

/* Verifies fx's message with its claims' iat, exp and category replaced, received at
 * received_at and judged at now ([HM-VERIFY-64], [HM-TOKEN-60]). */
static hallmark_result
verify_aged(struct fx *fx, hallmark_verifier *v, const char *category, long long iat, long long exp,
            long long received_at, long long now, hallmark_verification *out)
{
    static const char body[] = "Your code is 123456";
    json_t *claims = fx_claims(fx, body);
    hallmark_message m;
    hallmark_result rc;
    char *token;

    json_object_set_new(claims, "category", json_string(category));
    json_object_set_new(claims, "iat", json_integer(iat));
    json_object_set_new(claims, "exp", json_integer(exp));
    token = fx_token(fx, claims);
    json_decref(claims);
    memset(&m, 0, sizeof m);
    m.channel = "sms";
    m.from = "ACMEBANK";
    m.to = "+447700900123";
    m.body = (const unsigned char *)body;
    m.body_len = sizeof body - 1;
    m.token = token;
    m.token_len = strlen(token);
    rc = hallmark_verify_at(v, &m, received_at, now, out);
    free(token);
    return rc;
}

TEST(delivery_age_by_category_and_the_7_day_lifetime)
{
    static const struct {
        const char *category;
        long long max;
    } ages[] = {{"otp", 600},
                {"alert", 86400},
                {"transactional", 3LL * 86400},
                {"service", 3LL * 86400},
                {"marketing", 3LL * 86400}};
    struct fx fx;
    hallmark_verifier *v = NULL;
    unsigned char state[HALLMARK_TRUST_STATE_MAX];
    size_t i, state_len = 0;
    hallmark_verification out;
    char *b;

    CHECK(fx_init(&fx) == 0);
    b = fx_bundle(&fx, 7, FX_NOW + 7 * FX_DAY);
    CHECK_RC(fx_verifier(&v, fx.root_b64), HALLMARK_OK);
    CHECK_RC(hallmark_verifier_load(v, (const unsigned char *)b, strlen(b), NULL, 0, FX_NOW, state,
                                    sizeof state, &state_len, NULL),
             HALLMARK_OK);
    for (i = 0; i < sizeof ages / sizeof ages[0]; i++) {
        long long iat = FX_NOW - ages[i].max - 299, exp = iat + 4 * FX_DAY;

        /* The last second of the category's age plus the skew, then one more. */
        CHECK_RC(verify_aged(&fx, v, ages[i].category, iat, exp, FX_NOW, FX_NOW, &out),
                 HALLMARK_VERIFIED);
        /* The replay pair an app remembers ([HM-VERIFY-65]). */
        CHECK(strcmp(out.brand_id, "acme-bank") == 0 &&
              strcmp(out.token_id, "dGVzdC1qdGktMDAx") == 0 && out.expires_at == exp);
        CHECK_RC(verify_aged(&fx, v, ages[i].category, iat - 1, exp, FX_NOW, FX_NOW, &out),
                 HALLMARK_DELIVERY_TOO_LATE);
        CHECK(out.ui == HALLMARK_UI_NEUTRAL && out.brand_id[0] == '\0' && out.token_id[0] == '\0');
        CHECK(hallmark_ui_class_on(HALLMARK_DELIVERY_TOO_LATE, "push") == HALLMARK_UI_NEUTRAL);
    }
    /* Judged at received_at, not now: an otp received in time and shown again two days later. */
    CHECK_RC(
        verify_aged(&fx, v, "otp", FX_NOW - 60, FX_NOW + FX_DAY, FX_NOW, FX_NOW + 2 * FX_DAY, &out),
        HALLMARK_VERIFIED);
    /* Expiry first, then the delivery age. */
    CHECK_RC(verify_aged(&fx, v, "otp", FX_NOW - 2 * FX_DAY, FX_NOW - FX_DAY - 300, FX_NOW, FX_NOW,
                         &out),
             HALLMARK_TOKEN_EXPIRED);
    /* A token lives at most 7 days ([HM-TOKEN-60]). */
    CHECK_RC(verify_aged(&fx, v, "transactional", FX_NOW - 60, FX_NOW - 60 + 7 * FX_DAY, FX_NOW,
                         FX_NOW, &out),
             HALLMARK_VERIFIED);
    CHECK_RC(verify_aged(&fx, v, "transactional", FX_NOW - 60, FX_NOW - 60 + 7 * FX_DAY + 1, FX_NOW,
                         FX_NOW, &out),
             HALLMARK_MALFORMED);
    CHECK(strcmp(hallmark_result_name(HALLMARK_DELIVERY_TOO_LATE), "HALLMARK_DELIVERY_TOO_LATE") ==
          0);
    free(b);
    hallmark_verifier_free(v);
    fx_free(&fx);
}
