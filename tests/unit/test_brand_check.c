/* Brand entries checked on first use and their results kept across loads (spec §6.6
 * [HM-BUNDLE-110] to [HM-BUNDLE-113]). */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "hm_b64url.h"
#include "hm_bundle.h"
#include "test.h"

#define BRANDS 6
#define GOOD 0      /* a good entry */
#define FORGED 1    /* its credential signed by another key than the publisher */
#define SMALL 2     /* lists an Ed25519 key of order 8 */
#define CHANGED 3   /* renamed in the second bundle */
#define UNTOUCHED 4 /* never checked in the first bundle */

static const unsigned char ORDER8[32] = {
    0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
    0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05};

/* A key entry for raw Ed25519 bytes, its kid the thumbprint (no point check: that is the
 * entry's check on first use). New reference. */
static json_t *
key_entry(const unsigned char raw[32])
{
    char x[48];
    json_t *jwk, *e;
    hm_pubkey k;

    (void)hm_b64url_encode(x, sizeof x, raw, 32, NULL);
    jwk = json_pack("{s:s,s:s,s:s}", "kty", "OKP", "crv", "Ed25519", "x", x);
    if (hm_pubkey_from_jwk_unchecked(&k, jwk) != HALLMARK_OK) {
        json_decref(jwk);
        return NULL;
    }
    e = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "kty", "OKP", "crv", "Ed25519", "x", x,
                  "kid", k.kid, "alg", "Ed25519", "state", "active", "nbf",
                  (json_int_t)(FX_NOW - FX_DAY), "exp", (json_int_t)(FX_NOW + FX_DAY));
    hm_pubkey_clear(&k);
    json_decref(jwk);
    return e;
}

/* Brands "c0".."c5", each with a fresh key (SMALL: the order-8 key); rename gives CHANGED a
 * new name; serial as given. */
static char *
bundle_of(const struct fx *fx, unsigned char keys[BRANDS][32], int rename, long long serial)
{
    char jwk[HM_JWK_MAX], x[48];
    json_t *cert, *brands = json_array(), *payload;
    char *cert_jws, *out;
    size_t i;

    (void)hm_b64url_encode(x, sizeof x, hm_signkey_public(fx->publisher)->raw, 32, NULL);
    (void)snprintf(jwk, sizeof jwk, "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\"}", x);
    cert = json_pack("{s:i,s:o,s:I,s:I}", "v", 1, "jwk", json_loads(jwk, 0, NULL), "nbf",
                     (json_int_t)(FX_NOW - FX_DAY), "exp", (json_int_t)(FX_NOW + FX_DAY));
    cert_jws = fx_sign(fx->root, "hallmark-publisher+jwt", "Ed25519", cert);
    for (i = 0; i < BRANDS; i++) {
        char id[8], name[16], sms[16], *cred_jws;
        json_t *cred;

        (void)snprintf(id, sizeof id, "c%zu", i);
        (void)snprintf(name, sizeof name, "%s%s", id, rename && i == CHANGED ? " New" : "");
        (void)snprintf(sms, sizeof sms, "SENDER%zu", i);
        cred = json_pack("{s:i,s:s,s:s,s:{s:s,s:i,s:i},s:{s:s},s:s,s:[{s:s,s:s}],s:[],s:I,s:I}",
                         "v", 1, "sub", id, "name", name, "logo", "sha256",
                         "LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "width", 256, "height", 256,
                         "colors", "primary", "#0B5FFF", "level", "organization", "senders",
                         "channel", "sms", "id", sms, "link_domains", "nbf",
                         (json_int_t)(FX_NOW - FX_DAY), "exp", (json_int_t)(FX_NOW + FX_DAY));
        cred_jws =
            fx_sign(i == FORGED ? fx->brand : fx->publisher, "hallmark-brand+jwt", "Ed25519", cred);
        json_array_append_new(brands, json_pack("{s:s,s:[o]}", "credential", cred_jws, "keys",
                                                key_entry(i == SMALL ? ORDER8 : keys[i])));
        free(cred_jws);
        json_decref(cred);
    }
    payload =
        json_pack("{s:i,s:s,s:I,s:I,s:I,s:[],s:s,s:o}", "v", 1, "platform", "Checks", "serial",
                  (json_int_t)serial, "iat", (json_int_t)(FX_NOW - 60), "exp",
                  (json_int_t)(FX_NOW + FX_DAY), "roots", "publisher", cert_jws, "brands", brands);
    out = fx_sign(fx->publisher, "hallmark-bundle+jwt", "Ed25519", payload);
    json_decref(payload);
    json_decref(cert);
    free(cert_jws);
    return out;
}

static hallmark_result
load(const struct fx *fx, const char *b, int deferred, const hm_trust *previous, hm_trust **t)
{
    hm_anchor anchor;
    hallmark_result rc = hm_anchor_init_key(&anchor, NULL, hm_signkey_public(fx->root));

    if (rc == HALLMARK_OK) {
        rc = deferred ? hm_trust_load_deferred(&anchor, (const unsigned char *)b, strlen(b), NULL,
                                               0, FX_NOW, previous, t, NULL)
                      : hm_trust_load(&anchor, (const unsigned char *)b, strlen(b), NULL, 0, FX_NOW,
                                      t, NULL);
    }
    hm_anchor_clear(&anchor);
    return rc;
}

static size_t
brand(const hm_trust *t, const char *id)
{
    long i = hm_trust_brand_index(t, id, strlen(id));

    return i < 0 ? (size_t)-1 : (size_t)i;
}

static void
fresh_keys(unsigned char keys[BRANDS][32])
{
    unsigned char sk[64];
    size_t i;

    for (i = 0; i < BRANDS; i++) {
        crypto_sign_keypair(keys[i], sk);
    }
    sodium_memzero(sk, sizeof sk);
}

TEST(brand_check_full_load_refuses_what_the_deferred_load_defers)
{
    struct fx fx;
    unsigned char keys[BRANDS][32];
    char *b;
    hm_trust *t = NULL;

    CHECK(fx_init(&fx) == 0);
    fresh_keys(keys);
    b = bundle_of(&fx, keys, 0, 1);
    /* Steps 4 then 9 ([HM-BUNDLE-113]): the point check comes first. */
    CHECK_RC(load(&fx, b, 0, NULL, &t), HALLMARK_BUNDLE_MALFORMED);
    CHECK(t == NULL);
    CHECK_RC(load(&fx, b, 1, NULL, &t), HALLMARK_OK);
    CHECK(t != NULL && t->brand_count == BRANDS);
    if (t != NULL) {
        size_t i;

        for (i = 0; i < BRANDS; i++) {
            CHECK(t->checks[i] == HM_CHECK_UNKNOWN); /* nothing checked at load */
        }
        CHECK_RC(hm_trust_brand_check(t, brand(t, "c1")), HALLMARK_BUNDLE_BAD_SIGNATURE);
        CHECK_RC(hm_trust_brand_check(t, brand(t, "c2")), HALLMARK_BUNDLE_MALFORMED);
        CHECK_RC(hm_trust_brand_check(t, brand(t, "c0")), HALLMARK_OK);
        CHECK(t->checks[brand(t, "c0")] == HM_CHECK_OK);
        CHECK(t->checks[brand(t, "c1")] == HM_CHECK_BAD_CREDENTIAL);
        CHECK(t->checks[brand(t, "c2")] == HM_CHECK_BAD_KEY);
        CHECK(t->checks[brand(t, "c5")] == HM_CHECK_UNKNOWN);
        CHECK(brand(t, "c9") == (size_t)-1);
    }
    hm_trust_free(t);
    free(b);
    fx_free(&fx);
}

TEST(brand_check_results_carry_over_only_for_the_same_bytes)
{
    struct fx fx;
    unsigned char keys[BRANDS][32];
    char *b1, *b2, *b3;
    hm_trust *t1 = NULL, *t2 = NULL, *t3 = NULL;
    size_t i;

    CHECK(fx_init(&fx) == 0);
    fresh_keys(keys);
    b1 = bundle_of(&fx, keys, 0, 1);
    b2 = bundle_of(&fx, keys, 1, 2);
    CHECK_RC(load(&fx, b1, 1, NULL, &t1), HALLMARK_OK);
    for (i = 0; t1 != NULL && i < BRANDS; i++) {
        if (i != UNTOUCHED) {
            (void)hm_trust_brand_check(t1, i);
        }
    }
    CHECK_RC(load(&fx, b2, 1, t1, &t2), HALLMARK_OK);
    if (t2 != NULL) {
        CHECK(t2->checks[brand(t2, "c0")] == HM_CHECK_OK);
        CHECK(t2->checks[brand(t2, "c1")] == HM_CHECK_BAD_CREDENTIAL);
        CHECK(t2->checks[brand(t2, "c2")] == HM_CHECK_BAD_KEY);
        CHECK(t2->checks[brand(t2, "c3")] == HM_CHECK_UNKNOWN); /* its credential changed */
        CHECK(t2->checks[brand(t2, "c4")] == HM_CHECK_UNKNOWN); /* never checked */
        CHECK(t2->checks[brand(t2, "c5")] == HM_CHECK_OK);
        CHECK_RC(hm_trust_brand_check(t2, brand(t2, "c3")), HALLMARK_OK);
    }
    /* A key replaced: that brand checks again, the others carry over. */
    crypto_sign_keypair(keys[GOOD], (unsigned char[64]){0});
    b3 = bundle_of(&fx, keys, 1, 3);
    CHECK_RC(load(&fx, b3, 1, t2, &t3), HALLMARK_OK);
    if (t3 != NULL) {
        CHECK(t3->checks[brand(t3, "c0")] == HM_CHECK_UNKNOWN);
        CHECK(t3->checks[brand(t3, "c3")] == HM_CHECK_OK);
        CHECK(t3->checks[brand(t3, "c5")] == HM_CHECK_OK);
    }
    hm_trust_free(t1);
    hm_trust_free(t2);
    hm_trust_free(t3);
    free(b1);
    free(b2);
    free(b3);
    fx_free(&fx);
}

struct race {
    const hm_trust *t;
    hallmark_result got[BRANDS];
};

static void *
check_every_brand(void *arg)
{
    struct race *r = arg;
    size_t i;

    for (i = 0; i < BRANDS; i++) {
        r->got[i] = hm_trust_brand_check(r->t, i);
    }
    return NULL;
}

/* Threads that meet an unchecked brand at once all reach its one result, with no lock. */
TEST(brand_check_threads_agree_on_first_use)
{
    struct fx fx;
    unsigned char keys[BRANDS][32];
    char *b;
    hm_trust *t = NULL;
    struct race r[4];
    pthread_t th[4];
    size_t i, j;
    int agree = 1;

    CHECK(fx_init(&fx) == 0);
    fresh_keys(keys);
    b = bundle_of(&fx, keys, 0, 1);
    CHECK_RC(load(&fx, b, 1, NULL, &t), HALLMARK_OK);
    for (i = 0; t != NULL && i < 4; i++) {
        r[i].t = t;
        CHECK(pthread_create(&th[i], NULL, check_every_brand, &r[i]) == 0);
    }
    for (i = 0; t != NULL && i < 4; i++) {
        CHECK(pthread_join(th[i], NULL) == 0);
        for (j = 0; j < BRANDS; j++) {
            hallmark_result want = j == FORGED  ? HALLMARK_BUNDLE_BAD_SIGNATURE
                                   : j == SMALL ? HALLMARK_BUNDLE_MALFORMED
                                                : HALLMARK_OK;
            agree &= r[i].got[j] == want;
        }
    }
    CHECK(agree);
    hm_trust_free(t);
    free(b);
    fx_free(&fx);
}
