/* End-to-end verification against bundles and tokens minted by the fixture. The full vector set
 * lives in spec/vectors/; these tests pin the API behaviour around it. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "hm_b64url.h"
#include "hm_digest.h"
#include "hm_text.h"
#include "test.h"

#define BODY                                                                                       \
    "Your card ending 4242 was charged \xc2\xa3"                                                   \
    "10.00 at Acme Store."

struct env {
    struct fx fx;
    hallmark_verifier *v;
    char *bundle;
};

static int
env_open(struct env *e)
{
    const char *roots[1];
    uint64_t serial = 0;

    memset(e, 0, sizeof *e);
    if (fx_init(&e->fx) != 0) {
        return -1;
    }
    roots[0] = e->fx.root_b64;
    e->bundle = fx_bundle(&e->fx, 7, FX_NOW + FX_DAY * 7);
    if (fx_verifier(&e->v, roots[0]) != HALLMARK_OK ||
        fx_load(e->v, e->bundle, strlen(e->bundle), FX_NOW, &serial, NULL) != HALLMARK_OK ||
        serial != 7) {
        return -1;
    }
    return 0;
}

static void
env_close(struct env *e)
{
    hallmark_verifier_free(e->v);
    free(e->bundle);
    fx_free(&e->fx);
}

/* Drops the env's verifier and bundle, to load one made from an edited fixture (env_load). */
static void
env_drop(struct env *e)
{
    hallmark_verifier_free(e->v);
    free(e->bundle);
    e->v = NULL;
    e->bundle = NULL;
}

/* A fresh verifier with a bundle of the fixture as it is now (serial 7). */
static hallmark_result
env_load(struct env *e)
{
    hallmark_result rc;

    e->bundle = fx_bundle(&e->fx, 7, FX_NOW + FX_DAY * 7);
    rc = fx_verifier(&e->v, e->fx.root_b64);
    return rc != HALLMARK_OK ? rc : fx_load(e->v, e->bundle, strlen(e->bundle), FX_NOW, NULL, NULL);
}

static hallmark_result
run(struct env *e, const char *channel, const char *from, const char *to, const char *body,
    const char *token, hallmark_verification *out)
{
    hallmark_message m = {.channel = channel,
                          .from = from,
                          .to = to,
                          .body = (const unsigned char *)body,
                          .body_len = strlen(body),
                          .token = token,
                          .token_len = token == NULL ? 0 : strlen(token)};

    return hallmark_verify(e->v, &m, FX_NOW + 60, out);
}

TEST(verify_full_pass_fills_brand_data)
{
    struct env e;
    json_t *c;
    char *tok;
    hallmark_verification out;

    CHECK(env_open(&e) == 0);
    c = fx_claims(&e.fx, BODY);
    tok = fx_token(&e.fx, c);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", BODY, tok, &out), HALLMARK_VERIFIED);
    CHECK(strcmp(out.brand_id, "acme-bank") == 0 && strcmp(out.display_name, "Acme Bank") == 0);
    CHECK(out.level == HALLMARK_LEVEL_ORGANIZATION &&
          out.category == HALLMARK_CATEGORY_TRANSACTIONAL);
    CHECK(out.sender_kind == HALLMARK_SENDER_AUTOMATED && strcmp(out.alg, "Ed25519") == 0);
    CHECK(strcmp(out.key_id, hm_signkey_public(e.fx.brand)->kid) == 0);
    /* Harmless transport changes still verify: CRLF, trailing spaces, a final newline. */
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", BODY "  \r\n", tok, &out),
             HALLMARK_VERIFIED);
    free(tok);
    json_decref(c);
    env_close(&e);
}

/* [HM-CRED-61], [HM-VERIFY-42]-[HM-VERIFY-44], [HM-CARRY-23]: a message from an always-signing
 * sender with no token of a brand is a warning that names no brand; a genuine token still
 * verifies, and a clock or bundle verdict is not turned into a warning. [HM-CRED-63]: a short
 * code or alphanumeric id is authorized only for recipients in its country. */
TEST(verify_always_signed_sender_without_token_is_a_warning)
{
    static const char *const no_tokens[1] = {NULL};
    struct env e;
    hallmark_message m;
    json_t *c, *senders;
    char *tok, *other, *tok_fr;
    hallmark_verification out;

    CHECK(env_open(&e) == 0);
    env_drop(&e);
    senders =
        json_pack("[{s:s,s:s,s:s,s:b},{s:s,s:s,s:s},{s:s,s:s,s:b}]", "channel", "sms", "id",
                  "ACMEBANK", "country", "+44", "always_signed", 1, "channel", "sms", "id", "72233",
                  "country", "+44", "channel", "email", "id", "acme.example", "always_signed", 0);
    CHECK(fx_set_senders(&e.fx, senders) == 0);
    json_decref(senders);
    CHECK_RC(env_load(&e), HALLMARK_OK);

    /* No token, an empty one, garbage, a token of a key the bundle does not hold. */
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", BODY, NULL, &out),
             HALLMARK_SENDER_ALWAYS_SIGNED);
    CHECK(out.code == HALLMARK_SENDER_ALWAYS_SIGNED && out.brand_id[0] == '\0' &&
          out.display_name[0] == '\0' && out.signed_domain[0] == '\0' &&
          out.color_primary[0] == '\0' && out.logo_width == 0 && out.detail != NULL);
    CHECK(hallmark_ui_class(out.code) == HALLMARK_UI_WARNING);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", BODY, "", &out),
             HALLMARK_SENDER_ALWAYS_SIGNED);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", BODY, "a.b.c", &out),
             HALLMARK_SENDER_ALWAYS_SIGNED);
    c = fx_claims(&e.fx, BODY);
    other = fx_sign(e.fx.publisher, "hallmark-msg+jwt", "Ed25519", c); /* kid not a brand key */
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", BODY, other, &out),
             HALLMARK_SENDER_ALWAYS_SIGNED);
    /* The genuine token verifies; a token failing another check keeps its own code. */
    tok = fx_token(&e.fx, c);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", BODY, tok, &out), HALLMARK_VERIFIED);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", "Pay now", tok, &out),
             HALLMARK_BODY_MODIFIED);
    /* Senders the brand did not mark, or that the entry does not cover, stay unsigned. */
    CHECK_RC(run(&e, "sms", "72233", "+447700900123", BODY, NULL, &out), HALLMARK_UNSIGNED);
    CHECK_RC(run(&e, "email", "acme.example", "a@b.example", BODY, NULL, &out), HALLMARK_UNSIGNED);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+33612345678", BODY, NULL, &out), HALLMARK_UNSIGNED);
    CHECK_RC(run(&e, "sms", "ACMEBAN", "+447700900123", BODY, NULL, &out), HALLMARK_UNSIGNED);
    CHECK_RC(run(&e, "whatsapp", "ACMEBANK", "+447700900123", BODY, NULL, &out), HALLMARK_UNSIGNED);
    /* An id cut at U+0000 is no id ([HM-ID-7]): neutral, as before. */
    m = (hallmark_message){.channel = "sms",
                           .from = "ACMEBANK",
                           .to = "+447700900123",
                           .body = (const unsigned char *)BODY,
                           .body_len = strlen(BODY)};
    CHECK_RC(hallmark_verify_sized(e.v, &m, 3, 9, 13, FX_NOW + 60, &out), HALLMARK_UNSIGNED);
    /* A bundle past its exp cannot tell: step 1 comes first. */
    CHECK_RC(hallmark_verify(e.v, &m, FX_NOW + FX_DAY * 8, &out), HALLMARK_BUNDLE_EXPIRED);
    /* The directory's "none", or only another recipient's token ([HM-CARRY-23]). */
    CHECK_RC(hallmark_verify_fetched(e.v, &m, no_tokens, 0, FX_NOW + 60, &out),
             HALLMARK_SENDER_ALWAYS_SIGNED);
    CHECK(out.brand_id[0] == '\0' && out.display_name[0] == '\0');
    json_object_set_new(c, "jti", json_string("fr-1"));
    {
        unsigned char d[32];
        char rcpt[48];
        hm_recipient_stem("sms", "ACMEBANK", "+33612345678", d);
        hm_recipient_digest("fr-1", "sms", d, d);
        hm_b64url_encode(rcpt, sizeof rcpt, d, sizeof d, NULL);
        json_object_set_new(c, "rcpt", json_string(rcpt));
    }
    tok_fr = fx_token(&e.fx, c);
    CHECK_RC(hallmark_verify_fetched(e.v, &m, (const char *const *)&tok_fr, 1, FX_NOW + 60, &out),
             HALLMARK_SENDER_ALWAYS_SIGNED);
    CHECK_RC(hallmark_verify_fetched(e.v, &m, (const char *const *)&tok, 1, FX_NOW + 60, &out),
             HALLMARK_VERIFIED);
    /* [HM-CRED-63]: the French recipient's genuine token from ACMEBANK (+44) is not authorized. */
    m.to = "+33612345678";
    m.token = tok_fr;
    m.token_len = strlen(tok_fr);
    CHECK_RC(hallmark_verify(e.v, &m, FX_NOW + 60, &out), HALLMARK_SENDER_NOT_AUTHORIZED);
    free(tok_fr);
    free(tok);
    free(other);
    json_decref(c);
    env_close(&e);
}

/* [HM-CRED-40], [HM-VERIFY-41]: a brand at level basic proved only its domain. Its pass is
 * HALLMARK_VERIFIED_DOMAIN, UI class domain, with the domain and no name, logo or colours to draw;
 * its logo cannot be "checked" into view; a basic credential without a domain is refused at load.
 */
TEST(verify_basic_level_shows_the_domain_only)
{
    static const unsigned char zero[32];
    struct env e;
    const char *roots[1];
    hallmark_verifier *v = NULL;
    hallmark_message m;
    json_t *c;
    char *tok, *bundle;
    hallmark_verification out;

    CHECK(env_open(&e) == 0);
    hallmark_verifier_free(e.v);
    free(e.bundle);
    e.v = NULL;
    roots[0] = e.fx.root_b64;
    CHECK(fx_set_level(&e.fx, "basic", "acme.example") == 0);
    e.bundle = fx_bundle(&e.fx, 7, FX_NOW + FX_DAY * 7);
    CHECK_RC(fx_verifier(&e.v, roots[0]), HALLMARK_OK);
    CHECK_RC(fx_load(e.v, e.bundle, strlen(e.bundle), FX_NOW, NULL, NULL), HALLMARK_OK);
    c = fx_claims(&e.fx, BODY);
    tok = fx_token(&e.fx, c);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", BODY, tok, &out),
             HALLMARK_VERIFIED_DOMAIN);
    CHECK(out.code == HALLMARK_VERIFIED_DOMAIN);
    CHECK(hallmark_ui_class(out.code) == HALLMARK_UI_DOMAIN);
    CHECK(strcmp(out.signed_domain, "acme.example") == 0 && strcmp(out.brand_id, "acme-bank") == 0);
    CHECK(out.level == HALLMARK_LEVEL_BASIC && out.category == HALLMARK_CATEGORY_TRANSACTIONAL);
    CHECK(out.display_name[0] == '\0' && out.logo_url[0] == '\0' && out.logo_width == 0 &&
          out.logo_height == 0 && memcmp(out.logo_sha256, zero, 32) == 0);
    CHECK(out.color_primary[0] == '\0' && out.color_background[0] == '\0');
    CHECK(strcmp(out.key_id, hm_signkey_public(e.fx.brand)->kid) == 0 && out.issued_at > 0);
    /* No logo of a basic brand is ever "checked" into view. */
    CHECK_RC(hallmark_logo_check(&out, zero, sizeof zero), HALLMARK_ERR_INVALID_ARGUMENT);
    /* A failure is the same at every level ([HM-VERIFY-40]), and carries nothing. */
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900999", BODY, tok, &out),
             HALLMARK_RECIPIENT_MISMATCH);
    CHECK(out.signed_domain[0] == '\0' && out.brand_id[0] == '\0');
    /* The directory path passes a domain-only verdict on (HM-CARRY-40). */
    m = (hallmark_message){.channel = "sms",
                           .from = "ACMEBANK",
                           .to = "+447700900123",
                           .body = (const unsigned char *)BODY,
                           .body_len = strlen(BODY)};
    CHECK_RC(hallmark_verify_fetched(e.v, &m, (const char *const *)&tok, 1, FX_NOW + 60, &out),
             HALLMARK_VERIFIED_DOMAIN);
    CHECK(strcmp(out.signed_domain, "acme.example") == 0 && out.display_name[0] == '\0');
    /* [HM-CRED-41]: basic without a domain, or a domain that is not a DNS name: malformed. */
    CHECK(fx_set_level(&e.fx, "basic", NULL) == 0);
    bundle = fx_bundle(&e.fx, 8, FX_NOW + FX_DAY * 7);
    CHECK_RC(fx_verifier(&v, roots[0]), HALLMARK_OK);
    CHECK_RC(fx_load(v, bundle, strlen(bundle), FX_NOW, NULL, NULL), HALLMARK_BUNDLE_MALFORMED);
    free(bundle);
    CHECK(fx_set_level(&e.fx, "trademark", "Acme.example") == 0);
    bundle = fx_bundle(&e.fx, 8, FX_NOW + FX_DAY * 7);
    CHECK_RC(fx_load(v, bundle, strlen(bundle), FX_NOW, NULL, NULL), HALLMARK_BUNDLE_MALFORMED);
    free(bundle);
    hallmark_verifier_free(v);
    free(tok);
    json_decref(c);
    env_close(&e);
}

TEST(verify_each_replay_and_tamper_gets_its_code)
{
    struct env e;
    json_t *c;
    char *tok;
    hallmark_verification out;

    CHECK(env_open(&e) == 0);
    c = fx_claims(&e.fx, BODY);
    tok = fx_token(&e.fx, c);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123",
                 "Your card ending 4242 was charged "
                 "\xc2\xa3"
                 "100.00 at Acme Store.",
                 tok, &out),
             HALLMARK_BODY_MODIFIED);
    CHECK(out.brand_id[0] == '\0' && out.display_name[0] == '\0'); /* nothing to render */
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900999", BODY, tok, &out),
             HALLMARK_RECIPIENT_MISMATCH);
    CHECK_RC(run(&e, "sms", "ACMEBANKX", "+447700900123", BODY, tok, &out),
             HALLMARK_SENDER_MISMATCH);
    CHECK_RC(run(&e, "rcs", "ACMEBANK", "+447700900123", BODY, tok, &out),
             HALLMARK_CHANNEL_MISMATCH);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", BODY, NULL, &out), HALLMARK_UNSIGNED);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", "\xff", tok, &out),
             HALLMARK_BODY_MODIFIED);
    CHECK(strcmp(out.detail, "not UTF-8") == 0);
    /* Substitute another alphabet character (a bit flip may leave the alphabet: MALFORMED). */
    tok[strlen(tok) - 5] = tok[strlen(tok) - 5] == 'A' ? 'B' : 'A';
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", BODY, tok, &out), HALLMARK_BAD_SIGNATURE);
    free(tok);
    /* A sender the credential does not list, signed by the brand's real key. */
    json_object_set_new(c, "from", json_string("EVILBANK"));
    tok = fx_token(&e.fx, c);
    CHECK_RC(run(&e, "sms", "EVILBANK", "+447700900123", BODY, tok, &out),
             HALLMARK_SENDER_NOT_AUTHORIZED);
    free(tok);
    /* An action outside the brand's link domains, by userinfo. */
    json_object_set_new(c, "from", json_string("ACMEBANK"));
    json_object_set_new(c, "actions",
                        json_pack("[{s:s,s:s,s:s}]", "kind", "link", "label", "Pay now", "url",
                                  "https://acme.example@evil.example/pay"));
    tok = fx_token(&e.fx, c);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", BODY, tok, &out),
             HALLMARK_ACTION_NOT_AUTHORIZED);
    free(tok);
    json_decref(c);
    env_close(&e);
}

TEST(verify_bundle_rollback_freeze_and_tamper)
{
    struct env e;
    char *older, *stale;
    uint64_t serial = 0;
    hallmark_error err;
    hallmark_verification out;

    CHECK(env_open(&e) == 0);
    older = fx_bundle(&e.fx, 6, FX_NOW + 86400);
    CHECK_RC(fx_load(e.v, older, strlen(older), FX_NOW, &serial, &err), HALLMARK_BUNDLE_ROLLBACK);
    stale = fx_bundle(&e.fx, 8, FX_NOW - 10);
    CHECK_RC(fx_load(e.v, stale, strlen(stale), FX_NOW, &serial, &err), HALLMARK_BUNDLE_EXPIRED);
    e.bundle[strlen(e.bundle) - 3] ^= 0x01;
    CHECK_RC(fx_load(e.v, e.bundle, strlen(e.bundle), FX_NOW, &serial, &err),
             HALLMARK_BUNDLE_BAD_SIGNATURE);
    /* Failed loads left serial 7 in force; a later now freezes it: stale, never a checkmark. */
    {
        hallmark_message m = {.channel = "sms",
                              .from = "ACMEBANK",
                              .to = "+447700900123",
                              .body = NULL,
                              .body_len = 0,
                              .token = "x.y.z",
                              .token_len = 5};
        CHECK_RC(hallmark_verify(e.v, &m, FX_NOW + FX_DAY * 8, &out), HALLMARK_BUNDLE_EXPIRED);
        CHECK_RC(hallmark_verify(e.v, &m, FX_NOW, &out), HALLMARK_MALFORMED);
    }
    free(older);
    free(stale);
    env_close(&e);
}

TEST(verify_revoked_key_and_untrusted_root)
{
    struct fx fx;
    hallmark_verifier *v = NULL;
    const char *other_root = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"; /* RFC 8037's key */
    const char *roots[1];
    char *bundle, *tok;
    json_t *c;
    hallmark_verification out;
    hallmark_message m;

    CHECK(fx_init(&fx) == 0);
    fx.key_state = "revoked";
    bundle = fx_bundle(&fx, 1, FX_NOW + 3600);
    roots[0] = other_root;
    CHECK_RC(fx_verifier(&v, roots[0]), HALLMARK_OK);
    CHECK_RC(fx_load(v, bundle, strlen(bundle), FX_NOW, NULL, NULL), HALLMARK_BUNDLE_UNTRUSTED);
    hallmark_verifier_free(v);
    roots[0] = fx.root_b64;
    CHECK_RC(fx_verifier(&v, roots[0]), HALLMARK_OK);
    CHECK_RC(fx_load(v, bundle, strlen(bundle), FX_NOW, NULL, NULL), HALLMARK_OK);
    c = fx_claims(&fx, "hi");
    tok = fx_token(&fx, c);
    m = (hallmark_message){.channel = "sms",
                           .from = "ACMEBANK",
                           .to = "+447700900123",
                           .body = (const unsigned char *)"hi",
                           .body_len = 2,
                           .token = tok,
                           .token_len = strlen(tok)};
    CHECK_RC(hallmark_verify(v, &m, FX_NOW, &out), HALLMARK_KEY_REVOKED);
    CHECK_RC(hallmark_verify(v, NULL, FX_NOW, &out), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verify(v, &m, FX_NOW, NULL), HALLMARK_ERR_INVALID_ARGUMENT);
    free(tok);
    json_decref(c);
    free(bundle);
    hallmark_verifier_free(v);
    CHECK_RC(hallmark_verifier_create(&v, FX_PLATFORM, NULL, 1, 1), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(v == NULL);
    roots[0] = "AAAA";
    CHECK_RC(hallmark_verifier_create(&v, FX_PLATFORM, roots, 1, 1), HALLMARK_ERR_INVALID_KEY);
    fx_free(&fx);
}

TEST(verify_logo_check_against_signed_digest)
{
    struct env e;
    json_t *c;
    char *tok;
    hallmark_verification out, unverified;
    unsigned char png[64];

    CHECK(env_open(&e) == 0);
    c = fx_claims(&e.fx, BODY);
    tok = fx_token(&e.fx, c);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", BODY, tok, &out), HALLMARK_VERIFIED);
    /* The fixture's credential pins SHA-256 "LCa0a2j_..." which no 64 zero bytes match. */
    memset(png, 0, sizeof png);
    CHECK_RC(hallmark_logo_check(&out, png, sizeof png), HALLMARK_LOGO_MISMATCH);
    /* With the digest of these bytes pinned, they pass. */
    CHECK_RC(hm_sha256(out.logo_sha256, png, sizeof png), HALLMARK_OK);
    CHECK_RC(hallmark_logo_check(&out, png, sizeof png), HALLMARK_OK);
    png[0] = 1;
    CHECK_RC(hallmark_logo_check(&out, png, sizeof png), HALLMARK_LOGO_MISMATCH);
    /* Only a verified result can vouch for a logo. */
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900999", BODY, tok, &unverified),
             HALLMARK_RECIPIENT_MISMATCH);
    CHECK_RC(hallmark_logo_check(&unverified, png, sizeof png), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_logo_check(&out, NULL, 0), HALLMARK_ERR_INVALID_ARGUMENT);
    free(tok);
    json_decref(c);
    env_close(&e);
}

/* [HM-CRED-78], [HM-CRED-79]: the logos to fetch at load, each digest once, checked before they
 * are kept. */
TEST(verifier_logos_lists_each_shown_logo_once_for_the_fetch_at_load)
{
    struct env e;
    hallmark_logo_ref refs[8], one;
    hallmark_verification out;
    hallmark_verifier *empty = NULL;
    const char *roots[1];
    json_t *c;
    char *tok;
    size_t n = 99, i;
    unsigned char png[64];

    CHECK(env_open(&e) == 0);
    CHECK_RC(hallmark_verifier_logos(e.v, NULL, 0, &n), HALLMARK_ERR_BUFFER_TOO_SMALL);
    CHECK(n >= 1 && n <= 8);
    CHECK_RC(hallmark_verifier_logos(e.v, refs, n - 1, &n), HALLMARK_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(hallmark_verifier_logos(e.v, refs, 8, &n), HALLMARK_OK);
    c = fx_claims(&e.fx, BODY);
    tok = fx_token(&e.fx, c);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", BODY, tok, &out), HALLMARK_VERIFIED);
    for (i = 0; i < n && memcmp(refs[i].sha256, out.logo_sha256, 32) != 0; i++) {
    }
    CHECK(i < n); /* the verified brand's logo is on the list, named for GET /v1/logos/<b64> */
    CHECK(i < n && strlen(refs[i].sha256_b64) == 43 && strcmp(refs[i].url, out.logo_url) == 0);
    for (i = 1; i < n; i++) { /* in digest order, each once */
        CHECK(memcmp(refs[i - 1].sha256, refs[i].sha256, 32) < 0);
    }
    memset(png, 7, sizeof png);
    memset(&one, 0, sizeof one);
    CHECK_RC(hm_sha256(one.sha256, png, sizeof png), HALLMARK_OK);
    CHECK_RC(hallmark_logo_ref_check(&one, png, sizeof png), HALLMARK_OK);
    png[63] ^= 1;
    CHECK_RC(hallmark_logo_ref_check(&one, png, sizeof png), HALLMARK_LOGO_MISMATCH);
    CHECK_RC(hallmark_logo_ref_check(&one, NULL, 0), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(hallmark_ui_class(HALLMARK_LOGO_MISMATCH) == HALLMARK_UI_NONE);
    CHECK_RC(hallmark_verifier_logos(NULL, refs, 8, &n), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verifier_logos(e.v, refs, 8, NULL), HALLMARK_ERR_INVALID_ARGUMENT);
    roots[0] = e.fx.root_b64;
    CHECK_RC(hallmark_verifier_create(&empty, FX_PLATFORM, roots, 1, 1), HALLMARK_OK);
    CHECK_RC(hallmark_verifier_logos(empty, refs, 8, &n), HALLMARK_NO_BUNDLE);
    CHECK(n == 0);
    hallmark_verifier_free(empty);
    free(tok);
    json_decref(c);
    env_close(&e);
}

/* HM-BUNDLE-18: a bundle over 32 MiB is refused before any parsing; one at the cap is parsed. */
TEST(verify_bundle_size_cap_is_checked_before_parsing)
{
    struct env e;
    const size_t cap = (size_t)32 * 1024 * 1024;
    unsigned char *big;
    uint64_t serial = 0;
    hallmark_error over, at;
    hallmark_result rc_over = HALLMARK_ERR_INTERNAL, rc_at = HALLMARK_ERR_INTERNAL;

    CHECK(env_open(&e) == 0);
    memset(&over, 0, sizeof over);
    memset(&at, 0, sizeof at);
    if ((big = malloc(cap + 1)) != NULL) {
        memset(big, 'A', cap + 1);
        rc_over = fx_load(e.v, (const char *)big, cap + 1, FX_NOW, &serial, &over);
        rc_at = fx_load(e.v, (const char *)big, cap, FX_NOW, &serial, &at);
        free(big);
    }
    CHECK_RC(rc_over, HALLMARK_BUNDLE_MALFORMED);
    CHECK(over.message != NULL && strcmp(over.message, "bundle larger than 32 MiB") == 0);
    CHECK(rc_at != HALLMARK_OK);
    CHECK(at.message == NULL || strcmp(at.message, "bundle larger than 32 MiB") != 0);
    CHECK(serial == 0); /* untouched on failure */
    {                   /* the bundle in force stays: a bad token is judged, not "no bundle" */
        hallmark_message m = {.channel = "sms",
                              .from = "ACMEBANK",
                              .to = "+447700900123",
                              .body = NULL,
                              .body_len = 0,
                              .token = "x.y.z",
                              .token_len = 5};
        hallmark_verification out;
        CHECK_RC(hallmark_verify(e.v, &m, FX_NOW, &out), HALLMARK_MALFORMED);
    }
    env_close(&e);
}

/* [HM-ID-7]: hallmark_verify_sized never cuts an id at a zero byte; such an id is valid for no
 * channel and gets the verdict of any invalid id, at its step. */
static hallmark_result
run_sized(struct env *e, const char *channel, size_t channel_len, const char *from, size_t from_len,
          const char *to, size_t to_len, const char *token, hallmark_verification *out)
{
    hallmark_message m = {.channel = channel,
                          .from = from,
                          .to = to,
                          .body = (const unsigned char *)BODY,
                          .body_len = strlen(BODY),
                          .token = token,
                          .token_len = token == NULL ? 0 : strlen(token)};

    return hallmark_verify_sized(e->v, &m, channel_len, from_len, to_len, FX_NOW + 60, out);
}

TEST(verify_sized_refuses_ids_with_a_zero_byte)
{
    static const char from_nul[] = "ACMEBANK\0.evil", to_nul[] = "+447700900123\0999",
                      channel_nul[] = "sms\0x";
    struct env e;
    json_t *c;
    char *tok;
    hallmark_verification out;

    CHECK(env_open(&e) == 0);
    c = fx_claims(&e.fx, BODY);
    tok = fx_token(&e.fx, c);
    json_decref(c);
    /* Whole ids: the same verdict as hallmark_verify. */
    CHECK_RC(run_sized(&e, "sms", 3, "ACMEBANK", 8, "+447700900123", 13, tok, &out),
             HALLMARK_VERIFIED);
    /* A genuine token shown with a sender or recipient that goes on after a zero byte. */
    CHECK_RC(run_sized(&e, "sms", 3, from_nul, sizeof from_nul - 1, "+447700900123", 13, tok, &out),
             HALLMARK_SENDER_MISMATCH);
    CHECK(out.code == HALLMARK_SENDER_MISMATCH && out.brand_id[0] == '\0');
    CHECK_RC(run_sized(&e, "sms", 3, "ACMEBANK", 8, to_nul, sizeof to_nul - 1, tok, &out),
             HALLMARK_RECIPIENT_MISMATCH);
    CHECK(out.display_name[0] == '\0');
    CHECK_RC(run_sized(&e, channel_nul, sizeof channel_nul - 1, "ACMEBANK", 8, "+447700900123", 13,
                       tok, &out),
             HALLMARK_ERR_INVALID_ARGUMENT);
    /* The step order holds: an unsigned message is unsigned whatever its sender. */
    CHECK_RC(
        run_sized(&e, "sms", 3, from_nul, sizeof from_nul - 1, "+447700900123", 13, NULL, &out),
        HALLMARK_UNSIGNED);
    /* Lengths past the terminator break the contract. */
    CHECK_RC(run_sized(&e, "sms", 3, "ACMEBANK", 7, "+447700900123", 13, tok, &out),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(run_sized(&e, "sms", 3, "ACMEBANK", 8, "+447700900123", 12, tok, &out),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(run_sized(&e, "sms", 2, "ACMEBANK", 8, "+447700900123", 13, tok, &out),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verify_sized(e.v, NULL, 0, 0, 0, FX_NOW, &out),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(run_sized(&e, "sms", 3, "ACMEBANK", 8, "+447700900123", 13, tok, NULL),
             HALLMARK_ERR_INVALID_ARGUMENT);
    free(tok);
    env_close(&e);
}

/* The token directory's calls (§9.6): the lookup key's edges, and verification of fetched tokens
 * beyond what the vectors show. */
TEST(directory_lookup_key_and_fetched_tokens_api)
{
    struct env e;
    json_t *c;
    char *tok, key[HALLMARK_LOOKUP_KEY_LEN + 1], again[HALLMARK_LOOKUP_KEY_LEN + 1];
    const char *tokens[HALLMARK_FETCHED_TOKENS_MAX + 1];
    hallmark_message m = {.channel = "sms",
                          .from = "ACMEBANK",
                          .to = "+447700900123",
                          .body = (const unsigned char *)BODY,
                          .body_len = strlen(BODY),
                          .token = NULL,
                          .token_len = 0};
    hallmark_verification out;
    hallmark_verifier *empty = NULL;
    const char *roots[1];
    size_t i;

    CHECK(env_open(&e) == 0);
    CHECK_RC(hallmark_token_lookup_key(&m, key, sizeof key), HALLMARK_OK);
    CHECK(strlen(key) == HALLMARK_LOOKUP_KEY_LEN);
    /* The token does not enter the key; a harmless transport change does not change it. */
    m.token = "x.y.z";
    m.token_len = 5;
    m.body = (const unsigned char *)BODY "  \r\n";
    m.body_len = strlen(BODY "  \r\n");
    CHECK_RC(hallmark_token_lookup_key(&m, again, sizeof again), HALLMARK_OK);
    CHECK(strcmp(key, again) == 0);
    CHECK_RC(hallmark_token_lookup_key(&m, again, HALLMARK_LOOKUP_KEY_LEN),
             HALLMARK_ERR_BUFFER_TOO_SMALL);
    CHECK_RC(hallmark_token_lookup_key(NULL, again, sizeof again), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_token_lookup_key(&m, NULL, sizeof again), HALLMARK_ERR_INVALID_ARGUMENT);

    c = fx_claims(&e.fx, BODY);
    tok = fx_token(&e.fx, c);
    m.body = (const unsigned char *)BODY;
    m.body_len = strlen(BODY);
    /* A message that carries a token is not a directory case. */
    tokens[0] = tok;
    CHECK_RC(hallmark_verify_fetched(e.v, &m, tokens, 1, FX_NOW + 60, &out),
             HALLMARK_ERR_INVALID_ARGUMENT);
    m.token = NULL;
    m.token_len = 0;
    CHECK_RC(hallmark_verify_fetched(e.v, &m, tokens, 1, FX_NOW + 60, &out), HALLMARK_VERIFIED);
    CHECK(strcmp(out.brand_id, "acme-bank") == 0 && out.code == HALLMARK_VERIFIED);
    /* More than the directory may return, a NULL entry, a NULL list. */
    for (i = 0; i <= HALLMARK_FETCHED_TOKENS_MAX; i++) {
        tokens[i] = tok;
    }
    CHECK_RC(hallmark_verify_fetched(e.v, &m, tokens, HALLMARK_FETCHED_TOKENS_MAX + 1, FX_NOW + 60,
                                     &out),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(
        hallmark_verify_fetched(e.v, &m, tokens, HALLMARK_FETCHED_TOKENS_MAX, FX_NOW + 60, &out),
        HALLMARK_VERIFIED);
    tokens[1] = NULL;
    CHECK_RC(hallmark_verify_fetched(e.v, &m, tokens, 2, FX_NOW + 60, &out),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verify_fetched(e.v, &m, NULL, 1, FX_NOW + 60, &out),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_verify_fetched(e.v, &m, NULL, 0, FX_NOW + 60, &out), HALLMARK_UNSIGNED);
    CHECK(out.brand_id[0] == '\0');
    /* A token of this message, fetched days later: judged at the receipt time the app passes. */
    tokens[0] = tok;
    CHECK_RC(hallmark_verify_fetched(e.v, &m, tokens, 1, FX_NOW + 3 * FX_DAY, &out),
             HALLMARK_TOKEN_EXPIRED);
    CHECK(out.brand_id[0] == '\0');
    /* No bundle yet. */
    roots[0] = e.fx.root_b64;
    CHECK_RC(fx_verifier(&empty, roots[0]), HALLMARK_OK);
    CHECK_RC(hallmark_verify_fetched(empty, &m, tokens, 1, FX_NOW + 60, &out), HALLMARK_NO_BUNDLE);
    hallmark_verifier_free(empty);
    free(tok);
    json_decref(c);
    env_close(&e);
}

/* [HM-TOKEN-55]: the recipient stem is Argon2id of the recipient, salted per (channel, sender);
 * the thread's memo of the last stem never answers for other inputs. */
TEST(recipient_stem_is_argon2id_per_sender_and_the_memo_keys_on_every_input)
{
    unsigned char a[32], b[32], again[32];
    char text[48];

    CHECK_RC(hm_recipient_stem("sms", "ACMEBANK", "+447700900123", a), HALLMARK_OK);
    CHECK(hm_b64url_encode(text, sizeof text, a, sizeof a, NULL) == HALLMARK_OK);
    /* The example of spec §2.5, recomputed there with the reference Argon2 (libargon2). */
    CHECK(strcmp(text, "_dZBi4QO02zITdNijcH760cjtO0U2Vbez3k3hSIYcuk") == 0);
    CHECK_RC(hm_recipient_stem("sms", "ACMEBANK", "+447700900124", b), HALLMARK_OK);
    CHECK(memcmp(a, b, 32) != 0);
    CHECK_RC(hm_recipient_stem("sms", "ACMEBANKX", "+447700900123", b), HALLMARK_OK);
    CHECK(memcmp(a, b, 32) != 0);
    CHECK_RC(hm_recipient_stem("whatsapp", "ACMEBANK", "+447700900123", b), HALLMARK_OK);
    CHECK(memcmp(a, b, 32) != 0);
    /* Moving a byte between the sender and the recipient is another input, not a memo hit. */
    CHECK_RC(hm_recipient_stem("sms", "ACMEBANK+", "447700900123", b), HALLMARK_OK);
    CHECK(memcmp(a, b, 32) != 0);
    CHECK_RC(hm_recipient_stem("sms", "ACMEBANK", "+447700900123", again), HALLMARK_OK);
    CHECK(memcmp(a, again, 32) == 0);
    CHECK_RC(hm_recipient_stem("sms", "ACMEBANK", "+447700900123", again), HALLMARK_OK);
    CHECK(memcmp(a, again, 32) == 0);
    CHECK_RC(hm_recipient_stem(NULL, "ACMEBANK", "+447700900123", b),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_recipient_stem("sms", "ACMEBANK", NULL, b), HALLMARK_ERR_INVALID_ARGUMENT);
}

/* The thread's larger memo (hm_stem_memo_reserve, the signer's repeat customers): every answer
 * equals the Argon2id's, also when recipients collide in one slot (a memo of 2 for 5 recipients),
 * and it takes no bad size. */
TEST(recipient_stem_memo_answers_only_what_the_argon2id_would)
{
    static const char *const to[] = {"+447700900201", "+447700900202", "+447700900203",
                                     "+447700900204", "+447700900205"};
    unsigned char want[5][32], got[32];
    size_t i, round;

    for (i = 0; i < 5; i++) {
        CHECK_RC(hm_recipient_stem("sms", "ACMEBANK", to[i], want[i]), HALLMARK_OK);
    }
    CHECK_RC(hm_stem_memo_reserve(0), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_stem_memo_reserve((size_t)HM_STEM_MEMO_MAX + 1), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_stem_memo_reserve(2), HALLMARK_OK);
    for (round = 0; round < 3; round++) {
        for (i = 0; i < 5; i++) {
            CHECK_RC(hm_recipient_stem("sms", "ACMEBANK", to[i], got), HALLMARK_OK);
            CHECK(memcmp(got, want[i], 32) == 0);
            /* Another sender of the same recipient is another slot key, never this stem. */
            CHECK_RC(hm_recipient_stem("sms", "ACMEBANKX", to[i], got), HALLMARK_OK);
            CHECK(memcmp(got, want[i], 32) != 0);
        }
    }
    hm_stem_memo_release();
    hm_stem_memo_release(); /* twice is harmless */
    CHECK_RC(hm_recipient_stem("sms", "ACMEBANK", to[4], got), HALLMARK_OK);
    CHECK(memcmp(got, want[4], 32) == 0);
}

/* The thread's ring of recent stems (a phone's verifier): the last 32 stems computed are answered
 * without the Argon2id, each equal to what it would give; the 33rd back is computed again. */
TEST(recipient_stem_ring_keeps_a_phones_last_32_senders)
{
    unsigned char want[33][32], got[32];
    char from[33][16];
    unsigned long before;
    size_t i;

    for (i = 0; i < 33; i++) {
        (void)snprintf(from[i], sizeof from[i], "RINGTEST%02zu", i);
        CHECK_RC(hm_recipient_stem("sms", from[i], "+447700900777", want[i]), HALLMARK_OK);
    }
    before = hm_stem_computed();
    for (i = 32; i >= 1; i--) { /* newest first, so the check itself replaces nothing */
        CHECK_RC(hm_recipient_stem("sms", from[i], "+447700900777", got), HALLMARK_OK);
        CHECK(memcmp(got, want[i], 32) == 0);
    }
    CHECK(hm_stem_computed() == before);
    CHECK_RC(hm_recipient_stem("sms", from[0], "+447700900777", got), HALLMARK_OK);
    CHECK(memcmp(got, want[0], 32) == 0);
    CHECK(hm_stem_computed() == before + 1);
    CHECK_RC(hm_recipient_stem("sms", from[0], "+447700900778", got), HALLMARK_OK);
    CHECK(memcmp(got, want[0], 32) != 0);
    CHECK(hm_stem_computed() == before + 2);
}

static void
digest_b64(const char *text, char out[48])
{
    unsigned char d[32];

    hm_body_digest((const unsigned char *)text, strlen(text), d);
    hm_b64url_encode(out, 48, d, 32, NULL);
}

/* An e-mail token of the fixture's brand to ann@example.net, with optional subject and reply_to. */
static char *
email_token(struct env *e, const char *subject, const char *reply_to)
{
    unsigned char d[32];
    char rcpt[48], subject_b64[48];
    json_t *c = fx_claims(&e->fx, BODY);
    char *t;

    hm_recipient_stem("email", "acme.example", "ann@example.net", d);
    hm_recipient_digest("dGVzdC1qdGktMDAx", "email", d, d);
    hm_b64url_encode(rcpt, sizeof rcpt, d, 32, NULL);
    json_object_set_new(c, "channel", json_string("email"));
    json_object_set_new(c, "from", json_string("acme.example"));
    json_object_set_new(c, "rcpt", json_string(rcpt));
    if (subject != NULL) {
        digest_b64(subject, subject_b64);
        json_object_set_new(c, "subject", json_string(subject_b64));
    }
    if (reply_to != NULL) {
        json_object_set_new(c, "reply_to", json_string(reply_to));
    }
    t = fx_token(&e->fx, c);
    json_decref(c);
    return t;
}

static hallmark_result
run_email(struct env *e, const char *token, const char *body, const char *subject,
          size_t subject_len, const char *reply_to, hallmark_verification *out)
{
    hallmark_message m = {.channel = "email",
                          .from = "acme.example",
                          .to = "ann@example.net",
                          .body = (const unsigned char *)body,
                          .body_len = strlen(body),
                          .token = token,
                          .token_len = strlen(token),
                          .subject = subject,
                          .subject_len = subject_len,
                          .reply_to = reply_to,
                          .reply_to_len = reply_to != NULL ? strlen(reply_to) : 0};

    return hallmark_verify(e->v, &m, FX_NOW + 60, out);
}

#define SUBJECT "Your statement is ready"

/* [HM-VERIFY-47], [HM-VERIFY-49], [HM-RESULT-44]: a signed subject and Reply-To are compared only
 * when the app displays them; a pass says which displayed fields are signed; a change on e-mail
 * is neutral, never a checkmark; an address outside the brand's e-mail senders is refused. */
TEST(verify_displayed_subject_and_reply_to)
{
    struct env e;
    hallmark_verification out;
    char *tok, *bad;

    CHECK(env_open(&e) == 0);
    tok = email_token(&e, SUBJECT, "help@acme.example");
    CHECK_RC(run_email(&e, tok, BODY, SUBJECT, strlen(SUBJECT), "help@ACME.Example", &out),
             HALLMARK_VERIFIED);
    CHECK(out.signed_fields == (HALLMARK_SIGNED_SUBJECT | HALLMARK_SIGNED_REPLY_TO));
    CHECK(strcmp(out.reply_to, "help@acme.example") == 0 && out.ui == HALLMARK_UI_CHECKMARK);
    /* Not displayed: not checked, not marked; the signed address is still given. */
    CHECK_RC(run_email(&e, tok, BODY, NULL, 0, NULL, &out), HALLMARK_VERIFIED);
    CHECK(out.signed_fields == 0 && strcmp(out.reply_to, "help@acme.example") == 0);
    /* Folded trailing white space is a transport change of the subject too (§3.1). */
    CHECK_RC(run_email(&e, tok, BODY, SUBJECT " \r\n", strlen(SUBJECT " \r\n"), NULL, &out),
             HALLMARK_VERIFIED);
    CHECK(out.signed_fields == HALLMARK_SIGNED_SUBJECT);
    /* A mailing list's prefix, a swapped subject, a zero byte inside: 12a. */
    CHECK_RC(run_email(&e, tok, BODY, "[list] " SUBJECT, strlen("[list] " SUBJECT), NULL, &out),
             HALLMARK_SUBJECT_MODIFIED);
    CHECK(out.ui == HALLMARK_UI_NEUTRAL && out.brand_id[0] == '\0' && out.signed_fields == 0);
    CHECK_RC(run_email(&e, tok, BODY, SUBJECT "\0x", strlen(SUBJECT) + 2, NULL, &out),
             HALLMARK_SUBJECT_MODIFIED);
    CHECK_RC(run_email(&e, tok, BODY, "Your account is locked", 22, NULL, &out),
             HALLMARK_SUBJECT_MODIFIED);
    /* A Reply-To added or changed in transit: 12b. */
    CHECK_RC(run_email(&e, tok, BODY, NULL, 0, "help@evil.example", &out),
             HALLMARK_REPLY_TO_MISMATCH);
    CHECK(out.ui == HALLMARK_UI_NEUTRAL && out.reply_to[0] == '\0');
    CHECK_RC(run_email(&e, tok, BODY, NULL, 0, "not an address", &out), HALLMARK_REPLY_TO_MISMATCH);
    /* A body changed on e-mail (a list footer) is neutral ([HM-RESULT-44]). */
    CHECK_RC(run_email(&e, tok, BODY "\n-- \nlist footer", SUBJECT, strlen(SUBJECT), NULL, &out),
             HALLMARK_BODY_MODIFIED);
    CHECK(out.ui == HALLMARK_UI_NEUTRAL);
    free(tok);
    /* No claims: whatever the app displays is unsigned, and the token verifies. */
    tok = email_token(&e, NULL, NULL);
    CHECK_RC(run_email(&e, tok, BODY, SUBJECT, strlen(SUBJECT), "x@evil.example", &out),
             HALLMARK_VERIFIED);
    CHECK(out.signed_fields == 0 && out.reply_to[0] == '\0');
    free(tok);
    /* 10f: the brand signed an address outside its e-mail senders. */
    bad = email_token(&e, NULL, "help@acme-support.example");
    CHECK_RC(run_email(&e, bad, BODY, NULL, 0, NULL, &out), HALLMARK_REPLY_TO_NOT_AUTHORIZED);
    CHECK(out.ui == HALLMARK_UI_WARNING);
    free(bad);
    /* [HM-TOKEN-48]: not canonical (capital domain) or on another channel: malformed. */
    bad = email_token(&e, NULL, "help@ACME.example");
    CHECK_RC(run_email(&e, bad, BODY, NULL, 0, NULL, &out), HALLMARK_MALFORMED);
    free(bad);
    {
        json_t *c = fx_claims(&e.fx, BODY);
        json_object_set_new(c, "reply_to", json_string("help@acme.example"));
        bad = fx_token(&e.fx, c);
        json_decref(c);
        CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", BODY, bad, &out), HALLMARK_MALFORMED);
        free(bad);
    }
    env_close(&e);
}

#define CURLY "It\xe2\x80\x99s due \xe2\x80\x93 pay by 1 Dec\xe2\x80\xa6"
#define GSM7 "It's due - pay by 1 Dec..."

/* [HM-TOKEN-45], [HM-VERIFY-15]: a body delivered in one of the signer's renderings verifies,
 * and the result says so; any other text does not; the claim's limits hold. */
TEST(verify_body_renderings_in_alt_body)
{
    struct env e;
    hallmark_verification out;
    char alt[48], other[48], *tok;
    json_t *c;

    CHECK(env_open(&e) == 0);
    digest_b64(GSM7, alt);
    c = fx_claims(&e.fx, CURLY);
    json_object_set_new(c, "alt_body", json_pack("[s]", alt));
    tok = fx_token(&e.fx, c);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", CURLY, tok, &out), HALLMARK_VERIFIED);
    CHECK(out.signed_fields == 0);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", GSM7 "\r\n", tok, &out),
             HALLMARK_VERIFIED);
    CHECK(out.signed_fields == HALLMARK_SIGNED_BODY_RENDERING && out.ui == HALLMARK_UI_CHECKMARK);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", "It's due - pay by 2 Dec...", tok, &out),
             HALLMARK_BODY_MODIFIED);
    CHECK(out.ui == HALLMARK_UI_NEUTRAL); /* SMS: as no signature ([HM-RESULT-44]) */
    free(tok);
    /* Empty, four digests, a digest that is not one: malformed. */
    digest_b64("other", other);
    json_object_set_new(c, "alt_body", json_array());
    tok = fx_token(&e.fx, c);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", CURLY, tok, &out), HALLMARK_MALFORMED);
    free(tok);
    json_object_set_new(c, "alt_body", json_pack("[s,s,s,s]", alt, other, other, other));
    tok = fx_token(&e.fx, c);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", CURLY, tok, &out), HALLMARK_MALFORMED);
    free(tok);
    json_object_set_new(c, "alt_body", json_pack("[s]", "not-a-digest"));
    tok = fx_token(&e.fx, c);
    CHECK_RC(run(&e, "sms", "ACMEBANK", "+447700900123", CURLY, tok, &out), HALLMARK_MALFORMED);
    free(tok);
    json_decref(c);
    env_close(&e);
}
