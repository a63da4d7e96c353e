/* A reload reads again only the brand entries that changed, and its result is the cold load's of
 * the same bytes (spec §6.6 [HM-BUNDLE-114]): for many random edits of a bundle (entries
 * changed, added, removed, reordered, spaced out, duplicated, bad), the whole read, the cold
 * deferred load and the reload from the held bundle give the same result, error and brands. */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "hm_b64url.h"
#include "hm_bundle.h"
#include "test.h"

#define POOL 14       /* brand ids b00..b13, each in two versions */
#define PLAIN_BASE 10 /* the held bundle: version 0 of b00..b09, */
#define BASE 16   /* then the specials that load: spaced, deep, escaped, scoped, foreign, sharing */
#define MAX_EL 24 /* elements of one edited bundle */
#define TRIALS 400
#define HEADER "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-bundle+jwt\",\"kid\":\"%s\"}"

struct pool {
    struct fx fx;
    const hm_signkey *signer; /* the bundle's publishing key: fx.publisher, or fx.brand */
    char *cert, *other_cert;  /* their certificates by the root */
    /* NULL, or the key that signs credentials under the publisher's kid (a forgery) */
    const hm_signkey *forger;
    char *elem[POOL][2];
    char *special[12];
    size_t special_count;
};

/* A key entry with a fresh Ed25519 key, as text; with sms, scoped to that sender. malloc'd. */
static char *
key_text(const char *sms)
{
    hm_signkey *k = NULL;
    char x[48], *out = NULL;

    if (hm_signkey_generate(&k, HM_ALG_ED25519) == HALLMARK_OK &&
        hm_b64url_encode(x, sizeof x, hm_signkey_public(k)->raw, 32, NULL) == HALLMARK_OK &&
        asprintf(&out,
                 "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\",\"kid\":\"%s\",\"alg\":"
                 "\"Ed25519\",\"state\":\"active\",\"nbf\":%lld,\"exp\":%lld%s%s%s}",
                 x, hm_signkey_public(k)->kid, FX_NOW - FX_DAY, FX_NOW + FX_DAY,
                 sms != NULL ? ",\"scope\":{\"channels\":[\"sms\"],\"senders\":[{\"channel\":"
                               "\"sms\",\"id\":\""
                             : "",
                 sms != NULL ? sms : "", sms != NULL ? "\"}]}" : "") < 0) {
        out = NULL;
    }
    hm_signkey_free(k);
    return out;
}

/* A brand credential signed by the publisher; sms is its one sender. malloc'd. */
static char *
credential(const struct pool *p, const char *id, const char *name, const char *sms,
           const char *platform)
{
    json_t *c = json_pack("{s:i,s:s,s:s,s:{s:s,s:i,s:i},s:{s:s},s:s,s:[{s:s,s:s}],s:[],s:I,s:I}",
                          "v", 1, "sub", id, "name", name, "logo", "sha256",
                          "LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "width", 256, "height",
                          256, "colors", "primary", "#0B5FFF", "level", "organization", "senders",
                          "channel", "sms", "id", sms, "link_domains", "nbf",
                          (json_int_t)(FX_NOW - FX_DAY), "exp", (json_int_t)(FX_NOW + FX_DAY));
    char *out;

    if (platform != NULL) {
        json_object_set_new(c, "platform", json_string(platform));
    }
    if (p->forger != NULL) {
        char header[160], *text = json_dumps(c, JSON_COMPACT);
        (void)snprintf(header, sizeof header,
                       "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-brand+jwt\",\"kid\":\"%s\"}",
                       hm_signkey_public(p->fx.publisher)->kid);
        out = fx_sign_raw(p->forger, header, text);
        free(text);
    } else {
        out = fx_sign(p->fx.publisher, "hallmark-brand+jwt", "Ed25519", c);
    }
    json_decref(c);
    return out;
}

/* An element of "brands" as text: form with @C put for the credential, @K for a key entry and @S
 * for one scoped to the brand's sender. malloc'd. */
static char *
element(const struct pool *p, const char *form, const char *id, const char *name, const char *sms,
        const char *platform)
{
    char *cred = credential(p, id, name, sms, platform), *key = key_text(NULL);
    char *scoped = key_text(sms), *out = NULL;
    size_t len = 0;
    FILE *f = cred != NULL && key != NULL && scoped != NULL ? open_memstream(&out, &len) : NULL;

    for (; f != NULL && *form != '\0'; form++) {
        if (form[0] == '@' && (form[1] == 'C' || form[1] == 'K' || form[1] == 'S')) {
            (void)fputs(form[1] == 'C' ? cred : form[1] == 'K' ? key : scoped, f);
            form++;
        } else {
            (void)fputc(*form, f);
        }
    }
    if (f != NULL) {
        (void)fclose(f);
    }
    free(cred);
    free(key);
    free(scoped);
    return out;
}

#define PLAIN "{\"credential\":\"@C\",\"keys\":[@K]}"

/* A publisher certificate for key by the fixture's root. malloc'd. */
static char *
certificate(const struct pool *p, const hm_signkey *key)
{
    char text[256], x[48], *out;
    json_t *cert;

    (void)hm_b64url_encode(x, sizeof x, hm_signkey_public(key)->raw, 32, NULL);
    (void)snprintf(
        text, sizeof text,
        "{\"v\":1,\"jwk\":{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\"},\"nbf\":%lld,"
        "\"exp\":%lld}",
        x, FX_NOW - FX_DAY, FX_NOW + FX_DAY);
    cert = json_loads(text, 0, NULL);
    out = fx_sign(p->fx.root, "hallmark-publisher+jwt", "Ed25519", cert);
    json_decref(cert);
    return out;
}

static int
pool_init(struct pool *p)
{
    /* Entries that must fail or differ as a whole read does: spacing, a duplicate key, a member
     * of the wrong type, not JSON, not an object, another platform, too deep and just deep
     * enough, a string holding the scanner's delimiters. */
    static const char *const fmts[] = {
        " {\n \"keys\" : [ @K ] ,\t\"credential\" : \"@C\" }\r\n",
        "{\"credential\":\"@C\",\"keys\":[@K],\"keys\":[]}",
        "{\"credential\":5,\"keys\":[@K],\"c\":\"@C\"}",
        "{\"credential\":\"@C\",\"keys\":[@K],}",
        "{\"credential\":\"@C\",\"keys\":[@K],\"x\":[[[[[[1]]]]]]}",
        "{\"credential\":\"@C\",\"keys\":[@K],\"x\":[[[[[1]]]]]}",
        "{\"credential\":\"@C\",\"keys\":[@K],\"x\":\"a\\\"],}{[\\\\\"}",
        "{\"credential\":\"@C\",\"keys\":[@S,@K]}",
    };
    char name[32], id[8], sms[16];
    size_t i, v;

    memset(p, 0, sizeof *p);
    if (fx_init(&p->fx) != 0 || (p->cert = certificate(p, p->fx.publisher)) == NULL ||
        (p->other_cert = certificate(p, p->fx.brand)) == NULL) {
        return -1;
    }
    p->signer = p->fx.publisher;
    for (i = 0; i < POOL; i++) {
        for (v = 0; v < 2; v++) {
            (void)snprintf(id, sizeof id, "b%02zu", i);
            (void)snprintf(name, sizeof name, "Brand %zu%s", i, v ? " New" : "");
            (void)snprintf(sms, sizeof sms, "SENDER%zu", i);
            if ((p->elem[i][v] = element(p, PLAIN, id, name, sms, NULL)) == NULL) {
                return -1;
            }
        }
    }
    for (i = 0; i < sizeof fmts / sizeof *fmts; i++) {
        (void)snprintf(id, sizeof id, "s%02zu", i);
        (void)snprintf(sms, sizeof sms, "SPECIAL%zu", i);
        p->special[p->special_count++] = element(p, fmts[i], id, "Special", sms, NULL);
    }
    p->special[p->special_count++] = element(p, PLAIN, "s90", "Foreign", "FOREIGN", "Other");
    p->special[p->special_count++] = element(p, PLAIN, "s91", "Shares", "SENDER0", NULL);
    p->special[p->special_count++] = strdup("7");
    for (i = 0; i < p->special_count; i++) {
        if (p->special[i] == NULL) {
            return -1;
        }
    }
    return 0;
}

static void
pool_free(struct pool *p)
{
    size_t i;

    for (i = 0; i < POOL; i++) {
        free(p->elem[i][0]);
        free(p->elem[i][1]);
    }
    for (i = 0; i < p->special_count; i++) {
        free(p->special[i]);
    }
    free(p->cert);
    free(p->other_cert);
    fx_free(&p->fx);
}

/* A bundle of these elements (borrowed texts), serial as given, signed by the publisher; tail
 * is put after the brands member (a revocation, or nothing). malloc'd. */
static char *
bundle(const struct pool *p, char *const *el, size_t n, long long serial, const char *tail)
{
    char *payload = NULL, *out, header[160];
    size_t len = 0, i;
    FILE *f = open_memstream(&payload, &len);

    if (f == NULL) {
        return NULL;
    }
    (void)fprintf(f,
                  "{\"v\":1,\"platform\":\"Checks\",\"serial\":%lld,\"iat\":%lld,\"exp\":%lld,"
                  "\"roots\":[],\"publisher\":\"%s\",\"brands\":[",
                  serial, FX_NOW - 60, FX_NOW + FX_DAY,
                  p->signer == p->fx.publisher ? p->cert : p->other_cert);
    for (i = 0; i < n; i++) {
        (void)fprintf(f, "%s%s", i > 0 ? "," : "", el[i]);
    }
    (void)fprintf(f, "]%s}", tail);
    (void)fclose(f);
    (void)snprintf(header, sizeof header, HEADER, hm_signkey_public(p->signer)->kid);
    out = fx_sign_raw(p->signer, header, payload);
    free(payload);
    return out;
}

/* Everything a verification reads of a snapshot, with each brand entry's check, as text. */
static char *
snapshot_text(const hm_trust *t)
{
    char *out = NULL;
    size_t len = 0, i, j;
    FILE *f = open_memstream(&out, &len);

    if (f == NULL) {
        return NULL;
    }
    (void)fprintf(f, "%s %llu %lld %lld %s %zu %zu\n", t->platform, (unsigned long long)t->serial,
                  t->iat, t->exp, t->digest, t->brand_count, t->key_count);
    for (i = 0; i < t->brand_count; i++) {
        const hm_brand *b = &t->brands[i];
        (void)fprintf(f, "%s|%s|%s|%d|%d|%lld|%lld|%zu|%zu|%zu|%d|", b->id, b->name,
                      b->domain != NULL ? b->domain : "-", b->level, b->revoked, b->nbf, b->exp,
                      b->first_key, b->key_total, b->cred_input_len, b->foreign);
        for (j = 0; j < b->sender_count; j++) {
            (void)fprintf(
                f, "%s:%s:%d:%d,", b->senders[j].channel, b->senders[j].value,
                b->senders[j].is_prefix,
                hm_trust_sender_contested(t, b->senders[j].channel, b->senders[j].value, NULL));
        }
        for (j = 0; j < HM_SHA256_BYTES; j++) {
            (void)fprintf(f, "%02x", b->cred[j]);
        }
        (void)fprintf(f, "|%ld %s\n", hm_trust_brand_index(t, b->id, strlen(b->id)),
                      hallmark_result_name(hm_trust_brand_check(t, i)));
    }
    for (i = 0; i < t->key_count; i++) {
        const hm_brand_key *k = &t->keys[i];
        (void)fprintf(f, "%s %d %zu %lld %lld %d", k->pub.kid, k->state, k->brand, k->nbf, k->exp,
                      k->scoped);
        for (j = 0; j < k->scope_channel_count; j++) {
            (void)fprintf(f, " %s", k->scope_channels[j]);
        }
        for (j = 0; j < k->scope_sender_count; j++) {
            (void)fprintf(f, " %zu", k->scope_senders[j]);
        }
        (void)fputc('\n', f);
    }
    (void)fclose(f);
    return out;
}

struct outcome {
    hallmark_result rc;
    const char *message, *field;
    char *text; /* snapshot_text on success */
};

/* Loads b: whole and checked (deferred 0), deferred cold (previous NULL), or as a reload; keep
 * (may be NULL) gets the snapshot on success. */
static struct outcome
outcome_of(const struct pool *p, const char *platform, const char *b, int deferred,
           const hm_trust *previous, hm_trust **keep)
{
    struct outcome o = {HALLMARK_OK, NULL, NULL, NULL};
    hallmark_error err = {HALLMARK_OK, NULL, NULL};
    hm_anchor anchor;
    hm_trust *t = NULL;

    o.rc = hm_anchor_init_key(&anchor, platform, hm_signkey_public(p->fx.root));
    if (o.rc == HALLMARK_OK) {
        o.rc = deferred ? hm_trust_load_deferred(&anchor, (const unsigned char *)b, strlen(b), NULL,
                                                 0, FX_NOW, previous, &t, &err)
                        : hm_trust_load(&anchor, (const unsigned char *)b, strlen(b), NULL, 0,
                                        FX_NOW, &t, &err);
    }
    hm_anchor_clear(&anchor);
    o.message = o.rc == HALLMARK_OK ? NULL : err.message;
    o.field = o.rc == HALLMARK_OK ? NULL : err.field;
    o.text = t != NULL ? snapshot_text(t) : NULL;
    if (keep != NULL) {
        *keep = t;
    } else {
        hm_trust_free(t);
    }
    return o;
}

static int
same_text(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
same_outcome(const struct outcome *a, const struct outcome *b)
{
    return a->rc == b->rc && same_text(a->message, b->message) && same_text(a->field, b->field) &&
           same_text(a->text, b->text);
}

/* One random edit of the element list (n in/out, at most MAX_EL). */
static void
edit(const struct pool *p, char **el, size_t *n, unsigned r)
{
    size_t i = *n > 0 ? (r >> 4) % *n : 0, j = *n > 0 ? (r >> 12) % *n : 0;
    char *tmp;

    switch (r % 7) {
    case 0: /* a brand changed: the other version of the same id (or a special in its place) */
        if (*n > 0) {
            size_t id, v;
            for (id = 0; id < POOL; id++) {
                for (v = 0; v < 2; v++) {
                    if (el[i] == p->elem[id][v]) {
                        el[i] = p->elem[id][!v];
                        return;
                    }
                }
            }
        }
        return;
    case 1: /* a brand added (possibly one listed already) */
        if (*n < MAX_EL) {
            el[(*n)++] = p->elem[(r >> 8) % POOL][(r >> 20) & 1];
        }
        return;
    case 2: /* a brand removed */
        if (*n > 0) {
            memmove(&el[i], &el[i + 1], (*n - i - 1) * sizeof *el);
            (*n)--;
        }
        return;
    case 3: /* two swapped */
        if (*n > 0) {
            tmp = el[i];
            el[i] = el[j];
            el[j] = tmp;
        }
        return;
    case 4: /* a special entry in place of one */
    case 5:
        if (*n > 0 && (r & 0x100) != 0) {
            el[i] = p->special[(r >> 16) % p->special_count];
        } else if (*n < MAX_EL) {
            el[(*n)++] = p->special[(r >> 16) % p->special_count];
        }
        return;
    default: /* nothing */
        return;
    }
}

TEST(bundle_reload_equals_a_cold_load_of_the_same_bytes)
{
    static const char *const tails[] = {
        "", ",\"revoked_brands\":[{\"id\":\"b01\",\"revoked_at\":1795510800}]", " \n",
        ",\"brands\":[]", ",\"br\\u0061nds\":[]"};
    struct pool p;
    char *base_el[BASE], *el[MAX_EL], *b;
    hm_trust *held = NULL;
    struct outcome o;
    size_t i, n, fast = 0, failed = 0;
    unsigned seed = 20261205;
    int trial;

    CHECK(pool_init(&p) == 0);
    for (i = 0; i < PLAIN_BASE; i++) {
        base_el[i] = p.elem[i][0];
    }
    base_el[i++] = p.special[0];
    base_el[i++] = p.special[5];
    base_el[i++] = p.special[6];
    base_el[i++] = p.special[7];
    base_el[i++] = p.special[8];
    base_el[i++] = p.special[9];
    b = bundle(&p, base_el, BASE, 1, ",\"revoked_brands\":[{\"id\":\"b02\",\"revoked_at\":1}]");
    o = outcome_of(&p, NULL, b, 1, NULL, &held);
    free(b);
    free(o.text);
    CHECK_RC(o.rc, HALLMARK_OK);
    CHECK(held->entry_digests != NULL && held->brand_count == BASE);
    for (trial = 0; trial < TRIALS && !test_failed(); trial++) {
        struct outcome whole, cold, reload;
        const char *platform = trial % 2 ? "Checks" : NULL; /* "Checks" refuses s90 */
        int edits;

        memcpy(el, base_el, sizeof base_el);
        n = BASE;
        for (edits = 1 + (int)(seed % 3); edits > 0; edits--) {
            seed = seed * 1103515245U + 12345U;
            edit(&p, el, &n, seed >> 1);
        }
        seed = seed * 1103515245U + 12345U;
        b = bundle(&p, el, n, 2, tails[(seed >> 8) % 8 < 4 ? 0 : (seed >> 8) % 5]);
        CHECK(b != NULL);
        whole = outcome_of(&p, platform, b, 0, NULL, NULL);
        cold = outcome_of(&p, platform, b, 1, NULL, NULL);
        reload = outcome_of(&p, platform, b, 1, held, NULL);
        if (!same_outcome(&whole, &cold) || !same_outcome(&cold, &reload)) {
            test_note("trial %d: whole %s (%s), cold %s (%s), reload %s (%s)", trial,
                      hallmark_result_name(whole.rc), whole.message ? whole.message : "",
                      hallmark_result_name(cold.rc), cold.message ? cold.message : "",
                      hallmark_result_name(reload.rc), reload.message ? reload.message : "");
        }
        CHECK(same_outcome(&whole, &cold));
        CHECK(same_outcome(&cold, &reload));
        fast += reload.rc == HALLMARK_OK;
        failed += reload.rc != HALLMARK_OK;
        free(whole.text);
        free(cold.text);
        free(reload.text);
        free(b);
    }
    test_note("%d edited bundles: %zu loaded, %zu refused, each alike three ways", trial, fast,
              failed);
    CHECK(fast > TRIALS / 10 && failed > TRIALS / 10); /* both kinds were exercised */
    hm_trust_free(held);
    pool_free(&p);
}

/* The pool, and version 0 of b00..b09 in el. 0 on success. */
static int
plain_pool(struct pool *p, char *el[PLAIN_BASE])
{
    size_t i;

    if (pool_init(p) != 0) {
        return -1;
    }
    for (i = 0; i < PLAIN_BASE; i++) {
        el[i] = p->elem[i][0];
    }
    return 0;
}

/* The entries a reload copies are those byte for byte equal to the held bundle's: a change in
 * one brand leaves the other brands' entries as they were, and the reload reads no JSON for
 * them (its snapshot keeps their digests). */
TEST(bundle_reload_keeps_the_digest_of_each_entry)
{
    struct pool p;
    char *el[PLAIN_BASE], *b1, *b2;
    hm_trust *t1 = NULL, *t2 = NULL;
    struct outcome o1, o2;
    size_t i;

    CHECK(plain_pool(&p, el) == 0);
    b1 = bundle(&p, el, PLAIN_BASE, 1, "");
    el[3] = p.elem[3][1];
    b2 = bundle(&p, el, PLAIN_BASE, 2, "");
    o1 = outcome_of(&p, "Checks", b1, 1, NULL, &t1);
    o2 = outcome_of(&p, "Checks", b2, 1, t1, &t2);
    CHECK_RC(o1.rc, HALLMARK_OK);
    CHECK_RC(o2.rc, HALLMARK_OK);
    CHECK(t1->entry_digests != NULL && t2->entry_digests != NULL);
    for (i = 0; i < PLAIN_BASE; i++) {
        CHECK((memcmp(t1->entry_digests[i], t2->entry_digests[i], HM_SHA256_BYTES) == 0) ==
              (i != 3));
    }
    CHECK(strcmp(t2->brands[3].name, "Brand 3 New") == 0);
    CHECK(t2->brands[4].id != t1->brands[4].id && strcmp(t2->brands[4].id, "b04") == 0);
    free(o1.text);
    free(o2.text);
    free(b1);
    free(b2);
    hm_trust_free(t1);
    hm_trust_free(t2);
    pool_free(&p);
}

/* Under another publishing key the same entry bytes give another brand (a credential is the
 * publisher's only under its kid), so the reload parses them again: here a credential signed by
 * the next publishing key under the kid of the first fails as the cold load says, not as a copy
 * of the first bundle's entry would (its signature kept, then valid under the new key). */
TEST(bundle_reload_under_another_publisher_parses_again)
{
    struct pool p;
    char *el[PLAIN_BASE], *b1, *b2;
    hm_trust *t1 = NULL, *t2 = NULL;
    struct outcome o1, cold, reload;

    CHECK(plain_pool(&p, el) == 0);
    p.forger = p.fx.brand;
    el[0] = element(&p, PLAIN, "b00", "Brand 0", "SENDER0", NULL);
    p.forger = NULL;
    CHECK(el[0] != NULL);
    b1 = bundle(&p, el, PLAIN_BASE, 1, "");
    p.signer = p.fx.brand;
    b2 = bundle(&p, el, PLAIN_BASE, 2, "");
    o1 = outcome_of(&p, "Checks", b1, 1, NULL, &t1);
    cold = outcome_of(&p, "Checks", b2, 1, NULL, NULL);
    reload = outcome_of(&p, "Checks", b2, 1, t1, &t2);
    CHECK_RC(o1.rc, HALLMARK_OK);
    CHECK_RC(reload.rc, HALLMARK_OK);
    CHECK(same_outcome(&cold, &reload));
    CHECK_RC(hm_trust_brand_check(t1, 0), HALLMARK_BUNDLE_BAD_SIGNATURE);
    CHECK_RC(hm_trust_brand_check(t2, 0), HALLMARK_BUNDLE_BAD_SIGNATURE);
    CHECK_RC(hm_trust_brand_check(t1, 1), HALLMARK_OK);
    CHECK_RC(hm_trust_brand_check(t2, 1), HALLMARK_BUNDLE_BAD_SIGNATURE);
    free(el[0]);
    free(o1.text);
    free(cold.text);
    free(reload.text);
    free(b1);
    free(b2);
    hm_trust_free(t1);
    hm_trust_free(t2);
    pool_free(&p);
}
