/* Sender ownership (spec §5.6 HM-CRED-28 to HM-CRED-30): the pairwise overlap rule that
 * hallmark-keys enforces, and the bundle's claim index that the verifier consults, agree with the
 * one definition of what an entry claims (hm_sender_entry_claims). */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "hm_bundle.h"
#include "hm_ids.h"
#include "test.h"

struct pair {
    const char *ca, *a;
    int pa;
    const char *cb, *b;
    int pb, overlap;
    const char *country_a, *country_b; /* [HM-CRED-62]; NULL: none */
};

static const struct pair pairs[] = {
    {"sms", "NORTHWIND", 0, "sms", "NORTHWIND", 0, 1, NULL, NULL},
    {"sms", "NORTHWIND", 0, "sms", "Northwind", 0, 0, NULL, NULL}, /* ids are case-sensitive (§4) */
    {"sms", "NORTHWIND", 0, "rcs", "NORTHWIND", 0, 0, NULL, NULL},
    {"sms", "72233", 0, "sms", "72233", 0, 1, NULL, NULL},
    {"sms", "72233", 0, "sms", "722334", 0, 0, NULL, NULL},
    {"sms", "+447700900123", 0, "sms", "+4477009", 1, 1, NULL, NULL},
    {"sms", "+447700900123", 0, "sms", "+447700900123", 1, 1, NULL,
     NULL}, /* a prefix as long as the id */
    {"sms", "+447700800123", 0, "sms", "+4477009", 1, 0, NULL, NULL},
    {"sms", "+447700900123", 0, "whatsapp", "+4477009", 1, 0, NULL, NULL},
    {"whatsapp", "+447700900123", 0, "whatsapp", "+4477009", 1, 1, NULL, NULL},
    {"sms", "+4477009", 1, "sms", "+44770090", 1, 1, NULL, NULL},
    {"sms", "+4477009", 1, "sms", "+4477009", 1, 1, NULL, NULL},
    {"sms", "+4477009", 1, "sms", "+4477010", 1, 0, NULL, NULL},
    {"sms", "+4", 1, "sms", "+447700900123", 0, 1, NULL, NULL},
    {"push", "+4477009", 1, "push", "+4477009", 1, 0, NULL,
     NULL}, /* a prefix off sms/whatsapp claims nothing */
    {"sms", "72233", 0, "sms", "+7", 1, 0, NULL, NULL}, /* a short code is not E.164 */
    {"email", "acme.example", 0, "email", "acme.example", 0, 1, NULL, NULL},
    {"email", "acme.example", 0, "email", "mail.acme.example", 0, 1, NULL, NULL},
    {"email", "acme.example", 0, "email", "a.b.acme.example", 0, 1, NULL, NULL},
    {"email", "acme.example", 0, "email", "evilacme.example", 0, 0, NULL, NULL},
    {"email", "acme.example", 0, "email", "acme.example.evil", 0, 0, NULL, NULL},
    {"rcs", "a@acme.example", 0, "rcs", "a@mail.acme.example", 0, 0, NULL,
     NULL}, /* exact off e-mail */
    {"push", "com.acme.bank", 0, "push", "com.acme.bank", 0, 1, NULL, NULL},
    {"push", "com.acme.bank", 0, "push", "com.acme.bank.beta", 0, 0, NULL, NULL},
    {"push", "com.acme.bank", 0, "inapp", "com.acme.bank", 0, 0, NULL, NULL},
    /* [HM-CRED-66]: a short code or alphanumeric id per recipient country */
    {"sms", "72233", 0, "sms", "72233", 0, 0, "+44", "+1"},
    {"sms", "72233", 0, "sms", "72233", 0, 1, "+44", "+44"},
    {"sms", "ACMEBANK", 0, "sms", "ACMEBANK", 0, 0, "+44", "+33"},
    {"sms", "ACMEBANK", 0, "sms", "ACMEBANK", 0, 1, "+44", NULL}, /* [HM-CRED-64] */
    {"sms", "ACMEBANK", 0, "sms", "ACMEBANK", 0, 1, NULL, NULL},
    {"sms", "ACMEBANK", 0, "sms", "ACMEBAN", 0, 0, "+44", "+44"},
};

TEST(ownership_overlap_rule_is_symmetric_and_covers_each_kind)
{
    size_t i;

    for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        const struct pair *p = &pairs[i];
        int ab = hm_sender_entries_overlap(p->ca, p->a, p->pa, p->country_a, p->cb, p->b, p->pb,
                                           p->country_b);
        int ba = hm_sender_entries_overlap(p->cb, p->b, p->pb, p->country_b, p->ca, p->a, p->pa,
                                           p->country_a);
        if (ab != p->overlap || ba != p->overlap) {
            test_note("pair %zu: %s:%s%s / %s:%s%s gives %d/%d, want %d", i, p->ca, p->a,
                      p->pa ? "*" : "", p->cb, p->b, p->pb ? "*" : "", ab, ba, p->overlap);
        }
        CHECK(ab == p->overlap && ba == p->overlap);
    }
    CHECK(hm_link_domains_overlap("acme.example", "pay.acme.example"));
    CHECK(hm_link_domains_overlap("pay.acme.example", "acme.example"));
    CHECK(hm_link_domains_overlap("acme.example", "acme.example"));
    CHECK(!hm_link_domains_overlap("acme.example", "evilacme.example"));
    CHECK(!hm_link_domains_overlap("acme.example", "acme.example.evil.example"));
    CHECK(!hm_link_domains_overlap(NULL, "acme.example"));
    CHECK(!hm_sender_entries_overlap(NULL, "x", 0, NULL, "sms", "x", 0, NULL));
}

/* ---- a bundle of many brands with random entries ----------------------------------------------
 */

static const char *const universe[][2] = {
    {"sms", "NORTHWIND"},
    {"sms", "ACME"},
    {"sms", "72233"},
    {"sms", "+447700900123"},
    {"sms", "+447700900124"},
    {"sms", "+447700800555"},
    {"sms", "+4477009*"},
    {"sms", "+44770090*"},
    {"sms", "+447700901*"},
    {"sms", "+4477008*"},
    {"sms", "+447700900*"},
    {"sms", "ACME@+44"}, /* "@": the entry's country ([HM-CRED-62]) */
    {"sms", "ACME@+33"},
    {"sms", "72233@+44"},
    {"sms", "72233@+1"},
    {"whatsapp", "+447700900123"},
    {"whatsapp", "+4477009*"},
    {"email", "acme.example"},
    {"email", "mail.acme.example"},
    {"email", "a.mail.acme.example"},
    {"email", "evilacme.example"},
    {"push", "com.acme.bank"},
    {"inapp", "com.acme.bank"},
    {"push", "+4477009*"},
};
#define UNIVERSE (sizeof universe / sizeof universe[0])

/* The message senders each test asks about: every id above, and a few ids no entry equals. */
/* The recipients each sender is asked about ([HM-CRED-63]); NULL: not a valid recipient. */
static const char *const recipients[] = {"+447700900123", "+33612345678", "+12025550123", NULL};
#define RECIPIENTS (sizeof recipients / sizeof recipients[0])

static const char *const asked[][2] = {
    {"sms", "+447700900999"},       {"sms", "+447700901000"},    {"sms", "+449999999999"},
    {"whatsapp", "+447700900999"},  {"email", "b.acme.example"}, {"email", "x.a.mail.acme.example"},
    {"push", "com.acme.bank.beta"}, {"sms", "NORTHWINDS"},
};

static unsigned long long rng = 88172645463325252ULL;

static unsigned
next_random(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static json_t *
jwk_of(const hm_signkey *k)
{
    char canon[HM_JWK_MAX];

    (void)hm_pubkey_canonical_jwk(hm_signkey_public(k), canon, sizeof canon, NULL);
    return json_loads(canon, 0, NULL);
}

/* Universe entry u as (value, is_prefix, country): "X*" is a prefix, "X@+CC" an id for a
 * country. */
static void
split_entry(size_t u, char value[32], int *prefix, const char **country)
{
    const char *v = universe[u][1], *at = strchr(v, '@');
    size_t n = at != NULL ? (size_t)(at - v) : strlen(v);

    *prefix = v[n - 1] == '*';
    *country = at != NULL ? at + 1 : NULL;
    (void)snprintf(value, 32, "%.*s", (int)(n - (size_t)*prefix), v);
}

static json_t *
sender_entry(size_t u)
{
    char value[32];
    const char *country;
    int prefix;

    split_entry(u, value, &prefix, &country);
    if (prefix) {
        return json_pack("{s:s,s:s}", "channel", universe[u][0], "prefix", value);
    }
    if (country != NULL) {
        return json_pack("{s:s,s:s,s:s}", "channel", universe[u][0], "id", value, "country",
                         country);
    }
    return json_pack("{s:s,s:s}", "channel", universe[u][0], "id", value);
}

/* A bundle of n brands "b0".."b{n-1}"; brand i lists the universe entries of held[i] (a bit set)
 * and is revoked when revoked[i]. */
static char *
many_brands(const struct fx *fx, size_t n, const unsigned *held, const int *revoked)
{
    json_t *cert = json_pack("{s:i,s:o,s:I,s:I}", "v", 1, "jwk", jwk_of(fx->publisher), "nbf",
                             (json_int_t)(FX_NOW - FX_DAY), "exp", (json_int_t)(FX_NOW + FX_DAY));
    char *cert_jws = fx_sign(fx->root, "hallmark-publisher+jwt", "Ed25519", cert), *out, id[24];
    json_t *brands = json_array(), *gone = json_array(), *payload;
    size_t i, u;

    for (i = 0; i < n; i++) {
        json_t *senders = json_array(), *cred;
        char *cred_jws;

        for (u = 0; u < UNIVERSE; u++) {
            if (held[i] & (1U << u)) {
                json_array_append_new(senders, sender_entry(u));
            }
        }
        (void)snprintf(id, sizeof id, "b%zu", i);
        cred = json_pack("{s:i,s:s,s:s,s:{s:s,s:i,s:i},s:{s:s},s:s,s:o,s:[],s:I,s:I}", "v", 1,
                         "sub", id, "name", id, "logo", "sha256",
                         "LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "width", 256, "height", 256,
                         "colors", "primary", "#0B5FFF", "level", "organization", "senders",
                         senders, "link_domains", "nbf", (json_int_t)(FX_NOW - FX_DAY), "exp",
                         (json_int_t)(FX_NOW + FX_DAY));
        cred_jws = fx_sign(fx->publisher, "hallmark-brand+jwt", "Ed25519", cred);
        json_array_append_new(brands, json_pack("{s:s,s:[]}", "credential", cred_jws, "keys"));
        if (revoked[i]) {
            json_array_append_new(
                gone, json_pack("{s:s,s:I}", "id", id, "revoked_at", (json_int_t)(FX_NOW - 60)));
        }
        free(cred_jws);
        json_decref(cred);
    }
    payload =
        json_pack("{s:i,s:s,s:i,s:I,s:I,s:[],s:s,s:o,s:o}", "v", 1, "platform", "Owners", "serial",
                  1, "iat", (json_int_t)(FX_NOW - 60), "exp", (json_int_t)(FX_NOW + FX_DAY),
                  "roots", "publisher", cert_jws, "brands", brands, "revoked_brands", gone);
    out = fx_sign(fx->publisher, "hallmark-bundle+jwt", "Ed25519", payload);
    json_decref(payload);
    json_decref(cert);
    free(cert_jws);
    return out;
}

/* The definition: two brands that are not revoked both claim (channel, f) for recipient to. */
static int
contested_by_definition(size_t n, const unsigned *held, const int *revoked, const char *channel,
                        const char *f, const char *to)
{
    size_t i, u, claimants = 0;

    for (i = 0; i < n; i++) {
        int claims = 0;
        for (u = 0; u < UNIVERSE && !revoked[i] && !claims; u++) {
            char value[32];
            const char *country;
            int prefix;

            if (!(held[i] & (1U << u))) {
                continue;
            }
            split_entry(u, value, &prefix, &country);
            claims = hm_sender_entry_claims(universe[u][0], value, prefix, country, channel, f, to);
        }
        claimants += (size_t)claims;
    }
    return claimants >= 2;
}

/* The definition again, for whole bundles: entries of two brands that are not revoked overlap. */
static int
overlap_by_definition(size_t n, const unsigned *held, const int *revoked)
{
    size_t i, j, u, w;

    for (i = 0; i < n; i++) {
        for (j = i + 1; j < n && !revoked[i]; j++) {
            for (u = 0; u < UNIVERSE && !revoked[j]; u++) {
                for (w = 0; w < UNIVERSE; w++) {
                    char va[32], vb[32];
                    const char *ca, *cb;
                    int pa, pb;

                    if (!(held[i] & (1U << u)) || !(held[j] & (1U << w))) {
                        continue;
                    }
                    split_entry(u, va, &pa, &ca);
                    split_entry(w, vb, &pb, &cb);
                    if (hm_sender_entries_overlap(universe[u][0], va, pa, ca, universe[w][0], vb,
                                                  pb, cb)) {
                        return 1;
                    }
                }
            }
        }
    }
    return 0;
}

static void
ask(const hm_trust *t, size_t n, const unsigned *held, const int *revoked, const char *channel,
    const char *f, size_t *asked_count, size_t *contested)
{
    char id[32];
    size_t len = strcspn(f, "@"), r;
    int want, got;

    (void)snprintf(id, sizeof id, "%.*s", (int)(len - (f[len - 1] == '*')), f);
    for (r = 0; r < RECIPIENTS; r++) {
        want = contested_by_definition(n, held, revoked, channel, id, recipients[r]);
        got = hm_trust_sender_contested(t, channel, id, recipients[r]);
        if (want != got) {
            test_note("%s:%s to %s: index says %d, the definition %d", channel, id,
                      recipients[r] != NULL ? recipients[r] : "(none)", got, want);
        }
        CHECK(want == got);
        *asked_count += 1;
        *contested += (size_t)got;
    }
}

TEST(ownership_index_agrees_with_the_definition)
{
    struct fx fx;
    unsigned held[24];
    int revoked[24];
    size_t round, i, u, total = 0, contested = 0, overlapping = 0;

    CHECK(fx_init(&fx) == 0);
    for (round = 0; round < 40; round++) {
        size_t n = 2 + next_random(round < 20 ? 4 : 22); /* few brands: some without overlaps */
        hm_trust *t = NULL;
        hm_anchor anchor;
        char *bundle;

        for (i = 0; i < n; i++) {
            held[i] = 0;
            for (u = 0; u < 1 + next_random(3); u++) {
                held[i] |= 1U << next_random((unsigned)UNIVERSE);
            }
            revoked[i] = next_random(5) == 0;
        }
        bundle = many_brands(&fx, n, held, revoked);
        CHECK_RC(hm_anchor_init_key(&anchor, NULL, hm_signkey_public(fx.root)), HALLMARK_OK);
        CHECK_RC(hm_trust_load(&anchor, (const unsigned char *)bundle, strlen(bundle), NULL, 0,
                               FX_NOW, &t, NULL),
                 HALLMARK_OK);
        hm_anchor_clear(&anchor);
        for (u = 0; t != NULL && u < UNIVERSE; u++) {
            ask(t, n, held, revoked, universe[u][0], universe[u][1], &total, &contested);
        }
        for (u = 0; t != NULL && u < sizeof asked / sizeof asked[0]; u++) {
            ask(t, n, held, revoked, asked[u][0], asked[u][1], &total, &contested);
        }
        if (t != NULL) {
            const hm_sender_entry *a = NULL, *b = NULL;
            size_t ba = 0, bb = 0;
            int found = hm_trust_first_overlap(t, &a, &ba, &b, &bb);

            CHECK(found == overlap_by_definition(n, held, revoked));
            CHECK(!found ||
                  (ba != bb && !revoked[ba] && !revoked[bb] &&
                   hm_sender_entries_overlap(a->channel, a->value, a->is_prefix, a->country,
                                             b->channel, b->value, b->is_prefix, b->country)));
            overlapping += (size_t)found;
        }
        hm_trust_free(t);
        free(bundle);
    }
    test_note("%zu questions, %zu contested; %zu of 40 bundles with an overlap", total, contested,
              overlapping);
    CHECK(contested > 0 && contested < total && overlapping > 0 && overlapping < 40);
    fx_free(&fx);
}

TEST(ownership_index_serves_a_thousand_brands)
{
    struct fx fx;
    enum { N = 1000 };
    static unsigned held[N];
    static int revoked[N];
    hm_trust *t = NULL;
    hm_anchor anchor;
    char *bundle;

    CHECK(fx_init(&fx) == 0);
    /* Brand 3 holds Acme's prefix, brand 997 a number inside it; everyone else nothing. */
    held[3] = 1U << 6;
    held[997] = 1U << 3;
    bundle = many_brands(&fx, N, held, revoked);
    CHECK_RC(hm_anchor_init_key(&anchor, NULL, hm_signkey_public(fx.root)), HALLMARK_OK);
    CHECK_RC(hm_trust_load(&anchor, (const unsigned char *)bundle, strlen(bundle), NULL, 0, FX_NOW,
                           &t, NULL),
             HALLMARK_OK);
    hm_anchor_clear(&anchor);
    CHECK(hm_trust_sender_contested(t, "sms", "+447700900123", NULL));
    CHECK(!hm_trust_sender_contested(t, "sms", "+447700900124", NULL));
    CHECK(!hm_trust_sender_contested(t, "whatsapp", "+447700900123", NULL));
    CHECK(!hm_trust_sender_contested(t, "sms", "NORTHWIND", NULL));
    CHECK(!hm_trust_sender_contested(NULL, "sms", "NORTHWIND", NULL));
    {
        const hm_sender_entry *a = NULL, *b = NULL;
        size_t ba = 0, bb = 0;
        CHECK(hm_trust_first_overlap(t, &a, &ba, &b, &bb) && ba + bb == 1000 &&
              (ba == 3 || bb == 3));
    }
    hm_trust_free(t);
    free(bundle);
    fx_free(&fx);
}

/* [HM-CRED-48], [HM-CRED-50]: an entry is its exact host; "*.d" is every host below d, not d. For
 * ownership ([HM-CRED-51]) both count by d, with its subdomains. */
TEST(link_entries_are_exact_hosts_or_explicit_wildcards)
{
    CHECK(hm_link_entry_matches("acme.example", "acme.example"));
    CHECK(!hm_link_entry_matches("pay.acme.example", "acme.example"));
    CHECK(hm_link_entry_matches("pay.acme.example", "*.acme.example"));
    CHECK(hm_link_entry_matches("a.b.acme.example", "*.acme.example"));
    CHECK(!hm_link_entry_matches("acme.example", "*.acme.example"));
    CHECK(!hm_link_entry_matches("evilacme.example", "*.acme.example"));
    CHECK(!hm_link_entry_matches("acme.example.evil.example", "*.acme.example"));
    CHECK(!hm_link_entry_matches(NULL, "acme.example") && !hm_link_entry_matches("a.b", NULL));
    CHECK(hm_link_entry_ok("*.acme.example", 14) && hm_link_entry_ok("acme.example", 12));
    CHECK(!hm_link_entry_ok("*", 1) && !hm_link_entry_ok("*.", 2) &&
          !hm_link_entry_ok("*.*.acme.example", 16) &&
          !hm_link_entry_ok("pay.*.acme.example", 18) && !hm_link_entry_ok("*acme.example", 13) &&
          !hm_link_entry_ok("*.com", 5));
    CHECK(hm_link_domains_overlap("*.acme.example", "pay.acme.example"));
    CHECK(hm_link_domains_overlap("acme.example", "*.acme.example"));
    CHECK(hm_link_domains_overlap("*.pay.acme.example", "acme.example"));
    CHECK(!hm_link_domains_overlap("*.acme.example", "*.globex.example"));
}

/* [HM-CRED-62]: whole country codes by the E.164 length table; [HM-CRED-65]: a prefix has five
 * digits or more after its country code; which sender ids take a country. */
TEST(sender_countries_are_whole_codes_and_prefixes_have_a_minimum)
{
    static const char *const good[] = {"+1",  "+7",   "+20",  "+27",  "+33",  "+44",  "+49", "+86",
                                       "+98", "+212", "+353", "+420", "+852", "+971", "+998"};
    static const char *const bad[] = {"+",  "+0",  "+4",   "+35",  "+441", "+12", "+3531",
                                      "44", "+4a", "+044", "+ 44", "",     "+2",  "+9999"};
    size_t i;

    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        CHECK(hm_country_code_ok(good[i]));
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (hm_country_code_ok(bad[i])) {
            test_note("%s taken for a country code", bad[i]);
        }
        CHECK(!hm_country_code_ok(bad[i]));
    }
    CHECK(!hm_country_code_ok(NULL));
    CHECK(hm_country_code_len("447700900123") == 2 && hm_country_code_len("12025550123") == 1 &&
          hm_country_code_len("353861234567") == 3 && hm_country_code_len("0") == 0);
    CHECK(hm_sender_prefix_ok("+4477009") && hm_sender_prefix_ok("+120255") &&
          hm_sender_prefix_ok("+35386123") && hm_sender_prefix_ok("+44770090012345"));
    CHECK(!hm_sender_prefix_ok("+1") && !hm_sender_prefix_ok("+44") &&
          !hm_sender_prefix_ok("+447") && !hm_sender_prefix_ok("+447700") &&
          !hm_sender_prefix_ok("+12025") && !hm_sender_prefix_ok("+3538612") &&
          !hm_sender_prefix_ok("+447700900123456") && !hm_sender_prefix_ok(NULL));
    CHECK(hm_sender_takes_country("sms", "ACMEBANK") && hm_sender_takes_country("sms", "72233"));
    CHECK(!hm_sender_takes_country("sms", "+447700900123") &&
          !hm_sender_takes_country("whatsapp", "+447700900123") &&
          !hm_sender_takes_country("email", "acme.example") &&
          !hm_sender_takes_country("sms", "ACME@+44") && !hm_sender_takes_country(NULL, "X"));
    CHECK(hm_recipient_in_country("+44", "+447700900123") &&
          hm_recipient_in_country(NULL, "+33612345678") &&
          !hm_recipient_in_country("+44", "+33612345678") &&
          !hm_recipient_in_country("+44", NULL) && !hm_recipient_in_country("+1", "1202555012"));
}
