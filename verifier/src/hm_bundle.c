#include "hm_bundle.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hm_b64url.h"
#include "hm_brand_reuse.h"
#include "hm_brand_split.h"
#include "hm_claims.h"
#include "hm_ids.h"
#include "hm_jdoc.h"
#include "hm_json.h"
#include "hm_jws.h"
#include "hm_text.h"

#define BUNDLE_DEPTH 8U
/* A reload reads the payload in parts and copies the unchanged brands ([HM-BUNDLE-114], a MAY);
 * the WebAssembly build leaves it out (tools/build-wasm.sh): a page loads its bundle once, and
 * the .wasm stays within its size budget (150 KB, issue 17). */
#ifndef HALLMARK_BUNDLE_PARTS
#define HALLMARK_BUNDLE_PARTS 1
#endif
#define MAX_ROOT_STATEMENTS 16U
#define COSIGN_MAX 16U

/* A co-signed object (§6.4): 1 to 16 compact JWS over one payload, each by one key. */
struct cosigned {
    hm_jws sigs[COSIGN_MAX];
    size_t count;
};

/* A root set with its threshold (§6.5): the set a root statement names. */
struct root_set {
    hm_pubkey keys[HM_ROOT_SET_MAX];
    size_t count, threshold;
};

/* Everything one load holds until it either becomes an hm_trust or is thrown away. */
struct load {
    hm_trust *trust;
    const hm_anchor *anchor;
    hm_jws bundle, *creds;
    struct cosigned publisher, *roots;
    json_t *payload;
    struct root_set *sets;                  /* sets[i] = the set statement i names (K[i+1]) */
    char (*digests)[HM_SHA256_B64_LEN + 1]; /* digests[i] = statement i's payload digest */
    long long *seqs;
    hm_pubkey publisher_key;
    size_t root_count, cred_count;
    long long publisher_nbf, publisher_exp, generation;
    const char *platform;   /* the bundle's, borrowed from payload */
    int foreign_credential; /* a credential names another platform ([HM-CRED-60]) */
    int deferred;           /* brand entries checked on first use ([HM-BUNDLE-110]) */
    const hm_trust *previous;
    /* A payload read in parts ([HM-BUNDLE-114]): its brand entries' ranges; per entry, the
     * parsed element (NULL while reuse[i] names the previous bundle's brand that gave the same
     * bytes, else -1). NULL entries: the payload was read whole. An element is kept as an hm_jdoc
     * document (one allocation) and made a jansson tree only while parse_brand reads it: 10,000
     * trees held to the end were ~150,000 small blocks, whose frees made glibc consolidate its
     * fast bins at length (a tenth of the cold load, perf). */
    hm_brand_split split;
    hm_jv **entries;
    long *reuse;
    hm_sha256_stream sha; /* the entries' and credentials' digests: one context for all */
    hallmark_error *err;
};

static hallmark_result
fail(struct load *ld, hallmark_result code, const char *message, const char *field)
{
    if (ld->err != NULL) {
        ld->err->code = code;
        ld->err->message = message;
        ld->err->field = field;
    }
    return code;
}

static char *
dup_string(const json_t *v)
{
    size_t n = json_string_length(v);
    char *s = malloc(n + 1);

    if (s != NULL) {
        memcpy(s, json_string_value(v), n + 1);
    }
    return s;
}

/* A required integer member in [0, 2^53). */
static int
get_time(const json_t *obj, const char *name, long long *out)
{
    return hm_json_uint(obj, name, out);
}

static int
version_one(const json_t *obj)
{
    long long v = 0;

    return hm_json_uint(obj, "v", &v) && v == 1;
}

/* One compact JWS of the bundle: typ as given, alg Ed25519; the payload is not read. */
static hallmark_result
parse_jws(struct load *ld, hm_jws *jws, const json_t *text, const char *typ, const char *field)
{
    hallmark_result rc;

    if (!json_is_string(text)) {
        return fail(ld, HALLMARK_BUNDLE_MALFORMED, "not a compact JWS string", field);
    }
    rc = hm_jws_parse(jws, json_string_value(text), json_string_length(text), HM_BUNDLE_MAX, typ);
    if (rc == HALLMARK_ERR_NOMEM) {
        return rc;
    }
    if (rc != HALLMARK_OK || strcmp(jws->alg, "Ed25519") != 0) {
        return fail(ld, HALLMARK_BUNDLE_MALFORMED, "bad JWS, header or alg", field);
    }
    return HALLMARK_OK;
}

/* The payload of a parsed JWS: an object of depth <= 8. */
static hallmark_result
nested_payload(struct load *ld, const hm_jws *jws, json_t **payload, const char *field)
{
    hallmark_result rc = hm_jws_payload_json(jws, BUNDLE_DEPTH, payload);

    if (rc != HALLMARK_OK) {
        return rc == HALLMARK_ERR_NOMEM ? rc
                                        : fail(ld, HALLMARK_BUNDLE_MALFORMED, "bad payload", field);
    }
    return HALLMARK_OK;
}

/* A JWS nested in the bundle: typ as given, alg Ed25519, payload an object of depth <= 8. */
static hallmark_result
parse_nested(struct load *ld, hm_jws *jws, const json_t *text, const char *typ, json_t **payload,
             const char *field)
{
    hallmark_result rc = parse_jws(ld, jws, text, typ, field);

    return rc == HALLMARK_OK ? nested_payload(ld, jws, payload, field) : rc;
}

/* A co-signed object (§6.4, [HM-BUNDLE-60]): one compact JWS, or an array of 1 to 16 over one
 * payload with no kid twice. *payload gets the shared payload. */
static hallmark_result
parse_cosigned(struct load *ld, struct cosigned *cs, const json_t *text, const char *typ,
               json_t **payload, const char *field)
{
    size_t i, j, n = json_array_size(text);
    hallmark_result rc;

    if (json_is_string(text)) {
        cs->count = 1;
        return parse_nested(ld, &cs->sigs[0], text, typ, payload, field);
    }
    if (!json_is_array(text) || n == 0 || n > COSIGN_MAX) {
        return fail(ld, HALLMARK_BUNDLE_MALFORMED, "not a co-signed object (1 to 16 JWS)", field);
    }
    for (i = 0; i < n; i++) {
        const hm_jws *first = &cs->sigs[0], *sig = &cs->sigs[i];

        cs->count = i + 1;
        rc = parse_jws(ld, &cs->sigs[i], json_array_get(text, i), typ, field);
        if (rc != HALLMARK_OK) {
            return rc;
        }
        if (sig->payload_len != first->payload_len ||
            memcmp(sig->payload, first->payload, first->payload_len) != 0) {
            return fail(ld, HALLMARK_BUNDLE_MALFORMED, "co-signatures over different payloads",
                        field);
        }
        for (j = 0; j < i; j++) {
            if (hm_jws_kid_is(&cs->sigs[j], sig->kid)) {
                return fail(ld, HALLMARK_BUNDLE_MALFORMED, "a key co-signs twice", field);
            }
        }
    }
    return nested_payload(ld, &cs->sigs[0], payload, field);
}

/* 1 when every signature of cs is by a key of keys[0..n) and verifies, and there are at least
 * threshold of them ([HM-BUNDLE-60]). */
static int
cosigned_by(const struct cosigned *cs, const hm_pubkey *keys, size_t n, size_t threshold)
{
    size_t i, k;

    for (i = 0; i < cs->count; i++) {
        for (k = 0; k < n && !hm_jws_kid_is(&cs->sigs[i], keys[k].kid); k++) {
        }
        if (k == n || hm_jws_verify(&cs->sigs[i], &keys[k]) != HALLMARK_OK) {
            return 0;
        }
    }
    return cs->count >= threshold;
}

/* An Ed25519 public JWK (the value itself). */
static hallmark_result
ed25519_key(struct load *ld, const json_t *jwk, hm_pubkey *key, const char *field)
{
    const char *kty = hm_json_string(jwk, "kty", NULL);

    if (!json_is_object(jwk) || kty == NULL || strcmp(kty, "OKP") != 0 ||
        hm_pubkey_from_jwk(key, jwk) != HALLMARK_OK || key->alg != HM_ALG_ED25519) {
        return fail(ld, HALLMARK_BUNDLE_MALFORMED, "not a valid Ed25519 public JWK", field);
    }
    return HALLMARK_OK;
}

/* The root set a statement names ([HM-BUNDLE-62]): keys and threshold, or one jwk. */
static hallmark_result
parse_root_set(struct load *ld, const json_t *p, struct root_set *set)
{
    const json_t *keys = json_object_get(p, "keys"), *jwk = json_object_get(p, "jwk");
    size_t i, j, n = json_array_size(keys);
    long long threshold = 0;
    hallmark_result rc;

    if ((keys == NULL) == (jwk == NULL)) {
        return fail(ld, HALLMARK_BUNDLE_MALFORMED, "a root statement names keys or one jwk",
                    "roots");
    }
    if (jwk != NULL) {
        if (json_object_get(p, "threshold") != NULL) {
            return fail(ld, HALLMARK_BUNDLE_MALFORMED, "threshold without keys", "roots");
        }
        set->count = 1;
        set->threshold = 1;
        return ed25519_key(ld, jwk, &set->keys[0], "roots");
    }
    if (!json_is_array(keys) || n == 0 || n > HM_ROOT_SET_MAX) {
        return fail(ld, HALLMARK_BUNDLE_MALFORMED, "keys must hold 1 to 16 root keys", "roots");
    }
    for (i = 0; i < n; i++) {
        set->count = i + 1;
        rc = ed25519_key(ld, json_array_get(keys, i), &set->keys[i], "roots");
        if (rc != HALLMARK_OK) {
            return rc;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(set->keys[j].kid, set->keys[i].kid) == 0) {
                return fail(ld, HALLMARK_BUNDLE_MALFORMED, "a root key listed twice", "roots");
            }
        }
    }
    if (!hm_json_uint(p, "threshold", &threshold) || threshold < 1 || (size_t)threshold > n) {
        return fail(ld, HALLMARK_BUNDLE_MALFORMED, "threshold must be in [1, keys]", "roots");
    }
    set->threshold = (size_t)threshold;
    return HALLMARK_OK;
}

static hallmark_result
parse_roots(struct load *ld, const json_t *roots)
{
    size_t i, n = json_array_size(roots);
    long long prev_seq = -1;

    if (!json_is_array(roots) || n > MAX_ROOT_STATEMENTS) {
        return fail(ld, HALLMARK_BUNDLE_MALFORMED, "roots must be an array of at most 16", "roots");
    }
    ld->roots = calloc(n + 1, sizeof *ld->roots);
    ld->sets = calloc(n + 1, sizeof *ld->sets);
    ld->digests = calloc(n + 1, sizeof *ld->digests);
    ld->seqs = calloc(n + 1, sizeof *ld->seqs);
    if (ld->roots == NULL || ld->sets == NULL || ld->digests == NULL || ld->seqs == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        json_t *p = NULL;
        long long seq = 0, iat = 0;
        hallmark_result rc = parse_cosigned(ld, &ld->roots[i], json_array_get(roots, i),
                                            "hallmark-root+jwt", &p, "roots");

        ld->root_count = i + 1;
        if (rc == HALLMARK_OK &&
            (!version_one(p) || !hm_json_uint(p, "seq", &seq) || !get_time(p, "iat", &iat))) {
            rc = fail(ld, HALLMARK_BUNDLE_MALFORMED, "root statement fields", "roots");
        }
        if (rc == HALLMARK_OK) {
            rc = parse_root_set(ld, p, &ld->sets[i]);
        }
        if (rc == HALLMARK_OK) {
            rc = hm_sha256_b64url(ld->digests[i], ld->roots[i].sigs[0].payload,
                                  ld->roots[i].sigs[0].payload_len);
        }
        json_decref(p);
        if (rc != HALLMARK_OK) {
            return rc;
        }
        if (seq <= prev_seq) {
            return fail(ld, HALLMARK_BUNDLE_UNTRUSTED, "root statement seq does not increase",
                        "roots");
        }
        ld->seqs[i] = seq;
        prev_seq = seq;
    }
    return HALLMARK_OK;
}

static hallmark_result
parse_publisher(struct load *ld, const json_t *text)
{
    json_t *p = NULL;
    hallmark_result rc =
        parse_cosigned(ld, &ld->publisher, text, "hallmark-publisher+jwt", &p, "publisher");

    if (rc == HALLMARK_OK &&
        (!version_one(p) || !get_time(p, "nbf", &ld->publisher_nbf) ||
         !get_time(p, "exp", &ld->publisher_exp) || ld->publisher_exp <= ld->publisher_nbf ||
         (json_object_get(p, "generation") != NULL &&
          !hm_json_uint(p, "generation", &ld->generation)))) {
        rc = fail(ld, HALLMARK_BUNDLE_MALFORMED, "publisher certificate fields", "publisher");
    }
    if (rc == HALLMARK_OK) {
        rc = ed25519_key(ld, json_object_get(p, "jwk"), &ld->publisher_key, "publisher");
    }
    json_decref(p);
    return rc;
}

static int
color_ok(const char *s)
{
    size_t i;

    if (s == NULL || strlen(s) != 7 || s[0] != '#') {
        return 0;
    }
    for (i = 1; i < 7; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F'))) {
            return 0;
        }
    }
    return 1;
}

static hallmark_level
level_from(const char *s)
{
    static const char *const names[] = {"basic", "organization", "trademark"};

    return (hallmark_level)(hm_name_index(s, names, sizeof names / sizeof names[0]) + 1);
}

static hallmark_result
digest_member(const json_t *obj, const char *name, unsigned char out[HM_SHA256_BYTES])
{
    size_t len = 0;
    const char *s = hm_json_string(obj, name, &len);

    return s == NULL ? HALLMARK_MALFORMED : hm_b64url_decode_exact(out, HM_SHA256_BYTES, s, len);
}

static hallmark_result
parse_senders(hm_brand *b, const json_t *senders)
{
    size_t i;

    if (!json_is_array(senders)) {
        return HALLMARK_BUNDLE_MALFORMED;
    }
    b->senders = calloc(json_array_size(senders) + 1, sizeof *b->senders);
    if (b->senders == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    for (i = 0; i < json_array_size(senders); i++) {
        const json_t *e = json_array_get(senders, i), *id = json_object_get(e, "id"),
                     *prefix = json_object_get(e, "prefix"),
                     *country = json_object_get(e, "country"),
                     *always = json_object_get(e, "always_signed");
        const char *channel = hm_json_string(e, "channel", NULL);
        hm_sender_entry *s = &b->senders[i];

        if (!hm_channel_ok(channel) || (id == NULL) == (prefix == NULL)) {
            return HALLMARK_BUNDLE_MALFORMED;
        }
        if (id != NULL
                ? !json_is_string(id) || !hm_sender_id_ok(channel, json_string_value(id))
                : !json_is_string(prefix) || !hm_sender_prefix_ok(json_string_value(prefix))) {
            return HALLMARK_BUNDLE_MALFORMED;
        }
        /* [HM-CRED-62]: a whole country code, on short codes and alphanumeric ids only; an
         * entry of an earlier release names none ([HM-CRED-64]). [HM-CRED-61]: a boolean. */
        if ((country != NULL &&
             (id == NULL || !hm_sender_takes_country(channel, json_string_value(id)) ||
              !hm_country_code_ok(json_string_value(country)))) ||
            (always != NULL && !json_is_boolean(always))) {
            return HALLMARK_BUNDLE_MALFORMED;
        }
        s->is_prefix = id == NULL;
        s->always_signed = json_is_true(always);
        s->channel = dup_string(json_object_get(e, "channel"));
        s->value = dup_string(id != NULL ? id : prefix);
        s->country = country != NULL ? dup_string(country) : NULL;
        b->sender_count = i + 1;
        if (s->channel == NULL || s->value == NULL || (country != NULL && s->country == NULL)) {
            return HALLMARK_ERR_NOMEM;
        }
    }
    return HALLMARK_OK;
}

static hallmark_result
parse_domains(hm_brand *b, const json_t *domains)
{
    size_t i;

    if (!json_is_array(domains)) {
        return HALLMARK_BUNDLE_MALFORMED;
    }
    b->domains = calloc(json_array_size(domains) + 1, sizeof *b->domains);
    if (b->domains == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    for (i = 0; i < json_array_size(domains); i++) {
        const json_t *d = json_array_get(domains, i);

        if (!json_is_string(d) || !hm_link_entry_ok(json_string_value(d), json_string_length(d))) {
            return HALLMARK_BUNDLE_MALFORMED;
        }
        b->domains[i] = dup_string(d);
        b->domain_count = i + 1;
        if (b->domains[i] == NULL) {
            return HALLMARK_ERR_NOMEM;
        }
    }
    return HALLMARK_OK;
}

#define PHONES_MAX 16

/* [HM-CRED-45]: at most 16 distinct E.164 numbers; absent means none. */
/* [HM-CRED-75]: 1 to 5 distinct category names; absent means every category ([HM-CRED-76]). */
static hallmark_result
parse_categories(hm_brand *b, const json_t *list)
{
    size_t i;

    b->categories = HM_ALL_CATEGORIES;
    if (list == NULL) {
        return HALLMARK_OK;
    }
    if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > 5) {
        return HALLMARK_BUNDLE_MALFORMED;
    }
    b->categories = 0;
    for (i = 0; i < json_array_size(list); i++) {
        hallmark_category c = hm_category_from(json_string_value(json_array_get(list, i)));

        if (c == HALLMARK_CATEGORY_UNKNOWN || (b->categories & (1u << c)) != 0) {
            return HALLMARK_BUNDLE_MALFORMED;
        }
        b->categories |= 1u << c;
    }
    return HALLMARK_OK;
}

/* [HM-CRED-90]: the messaging policy; absent: no caps, no opt-in needed. */
static hallmark_result
parse_policy(hm_brand *b, const json_t *policy)
{
    static const char *const policy_members[] = {"caps", "marketing_opt_in", NULL};
    static const char *const cap_members[] = {"category", "max", "period", NULL};
    const json_t *caps, *opt_in;
    unsigned seen = 0;
    size_t i;

    if (policy == NULL) {
        return HALLMARK_OK;
    }
    caps = json_object_get(policy, "caps");
    opt_in = json_object_get(policy, "marketing_opt_in");
    if (!json_is_object(policy) || json_object_size(policy) == 0 ||
        !hm_json_members_known(policy, policy_members) ||
        (opt_in != NULL && !json_is_boolean(opt_in)) ||
        (caps != NULL && (!json_is_array(caps) || json_array_size(caps) == 0 ||
                          json_array_size(caps) > HM_CAPS_MAX))) {
        return HALLMARK_BUNDLE_MALFORMED;
    }
    b->marketing_opt_in = json_is_true(opt_in);
    for (i = 0; i < json_array_size(caps); i++) {
        const json_t *e = json_array_get(caps, i);
        hallmark_category c = hm_category_from(hm_json_string(e, "category", NULL));
        long long max = 0, period = 0;

        if (!json_is_object(e) || json_object_size(e) != 3 ||
            !hm_json_members_known(e, cap_members) || c == HALLMARK_CATEGORY_UNKNOWN ||
            (seen & (1u << c)) != 0 || !hm_json_uint(e, "max", &max) || max < 1 || max > 1000 ||
            !hm_json_uint(e, "period", &period) || period < 3600 || period > 31536000) {
            return HALLMARK_BUNDLE_MALFORMED;
        }
        seen |= 1u << c;
        b->caps[i] = (hm_cap){c, (unsigned)max, period};
        b->cap_count = i + 1;
    }
    return HALLMARK_OK;
}

static hallmark_result
parse_phones(hm_brand *b, const json_t *phones)
{
    size_t i, j;

    if (phones == NULL) {
        return HALLMARK_OK;
    }
    if (!json_is_array(phones) || json_array_size(phones) > PHONES_MAX) {
        return HALLMARK_BUNDLE_MALFORMED;
    }
    b->phones = calloc(json_array_size(phones) + 1, sizeof *b->phones);
    if (b->phones == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    for (i = 0; i < json_array_size(phones); i++) {
        const json_t *p = json_array_get(phones, i);

        if (!json_is_string(p) || !hm_e164_ok(json_string_value(p))) {
            return HALLMARK_BUNDLE_MALFORMED;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(b->phones[j], json_string_value(p)) == 0) {
                return HALLMARK_BUNDLE_MALFORMED;
            }
        }
        b->phones[i] = dup_string(p);
        b->phone_count = i + 1;
        if (b->phones[i] == NULL) {
            return HALLMARK_ERR_NOMEM;
        }
    }
    return HALLMARK_OK;
}

/* The credential payload's fields (§5.1) into b. *foreign is set when the credential names
 * another platform than bundle_platform ([HM-CRED-60]). */
static hallmark_result
parse_credential(hm_brand *b, const json_t *p, const hm_jws *jws, struct load *ld, int *foreign)
{
    const json_t *logo = json_object_get(p, "logo"), *colors = json_object_get(p, "colors");
    const json_t *platform = json_object_get(p, "platform");
    const json_t *name = json_object_get(p, "name"), *url = json_object_get(logo, "url");
    const json_t *domain = json_object_get(p, "domain");
    const char *bg = hm_json_string(colors, "background", NULL);
    long long w = 0, h = 0;
    hallmark_result rc;

    if (!version_one(p) || !hm_brand_id_ok(hm_json_string(p, "sub", NULL)) ||
        !json_is_string(name) ||
        !hm_display_name_ok(json_string_value(name), json_string_length(name)) ||
        !json_is_object(logo) || digest_member(logo, "sha256", b->logo_sha256) != HALLMARK_OK ||
        !hm_json_uint(logo, "width", &w) || !hm_json_uint(logo, "height", &h) || w == 0 || h == 0 ||
        w > 65535 || h > 65535 || !json_is_object(colors) ||
        !color_ok(hm_json_string(colors, "primary", NULL)) ||
        (json_object_get(colors, "background") != NULL && !color_ok(bg)) ||
        (b->level = level_from(hm_json_string(p, "level", NULL))) == HALLMARK_LEVEL_UNKNOWN ||
        !get_time(p, "nbf", &b->nbf) || !get_time(p, "exp", &b->exp) || b->exp <= b->nbf ||
        (platform != NULL && !hm_utf8_no_controls(json_string_value(platform), 1, 64))) {
        return HALLMARK_BUNDLE_MALFORMED;
    }
    if (platform != NULL && strcmp(json_string_value(platform), ld->platform) != 0) {
        *foreign = 1;
    }
    if (url != NULL) {
        char host[HM_ID_MAX];
        if (!json_is_string(url) || !hm_action_url_host(json_string_value(url), host)) {
            return HALLMARK_BUNDLE_MALFORMED;
        }
        b->logo_url = dup_string(url);
    }
    /* [HM-CRED-41]: basic shows only this domain, so a basic credential must name one. */
    if (domain != NULL ? !json_is_string(domain) ||
                             !hm_dns_name_ok(json_string_value(domain), json_string_length(domain))
                       : b->level == HALLMARK_LEVEL_BASIC) {
        return HALLMARK_BUNDLE_MALFORMED;
    }
    if (domain != NULL && (b->domain = dup_string(domain)) == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    b->logo_width = (uint32_t)w;
    b->logo_height = (uint32_t)h;
    memcpy(b->primary, hm_json_string(colors, "primary", NULL), 8);
    memcpy(b->background, bg != NULL ? bg : "#FFFFFF", 8);
    b->id = dup_string(json_object_get(p, "sub"));
    b->name = dup_string(name);
    if (b->id == NULL || b->name == NULL || (url != NULL && b->logo_url == NULL)) {
        return HALLMARK_ERR_NOMEM;
    }
    rc = parse_senders(b, json_object_get(p, "senders"));
    if (rc == HALLMARK_OK) {
        rc = parse_domains(b, json_object_get(p, "link_domains"));
    }
    if (rc == HALLMARK_OK) {
        rc = parse_phones(b, json_object_get(p, "phones"));
    }
    if (rc == HALLMARK_OK) {
        rc = parse_categories(b, json_object_get(p, "categories"));
    }
    if (rc == HALLMARK_OK) {
        rc = parse_policy(b, json_object_get(p, "policy"));
    }
    if (rc == HALLMARK_OK) {
        hm_sha256_next(&ld->sha, jws->payload, jws->payload_len, b->cred);
    }
    return rc;
}

static hallmark_result
parse_superseded(hm_brand *b, const json_t *list)
{
    size_t i;

    if (list == NULL) {
        return HALLMARK_OK;
    }
    if (!json_is_array(list)) {
        return HALLMARK_BUNDLE_MALFORMED;
    }
    b->superseded = calloc(json_array_size(list) + 1, sizeof *b->superseded);
    if (b->superseded == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    for (i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        if (digest_member(e, "cred", b->superseded[i].cred) != HALLMARK_OK ||
            !get_time(e, "until", &b->superseded[i].until)) {
            return HALLMARK_BUNDLE_MALFORMED;
        }
        b->superseded_count = i + 1;
    }
    return HALLMARK_OK;
}

static int
state_from(const char *s, hm_key_state *out)
{
    static const char *const names[] = {"pending", "active", "retiring", "retired", "revoked"};
    int i = hm_name_index(s, names, sizeof names / sizeof names[0]);

    *out = (hm_key_state)(i < 0 ? 0 : i);
    return i >= 0;
}

#define SCOPE_CHANNELS_MAX 16U
#define SCOPE_SENDERS_MAX 64U

/* [HM-BUNDLE-81]: each channel names a channel of the credential's senders, once. */
static hallmark_result
parse_scope_channels(hm_brand_key *k, const hm_brand *b, const json_t *channels)
{
    size_t i, j;

    if (!json_is_array(channels) || json_array_size(channels) == 0 ||
        json_array_size(channels) > SCOPE_CHANNELS_MAX) {
        return HALLMARK_BUNDLE_MALFORMED;
    }
    if ((k->scope_channels = calloc(json_array_size(channels), sizeof *k->scope_channels)) ==
        NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    for (i = 0; i < json_array_size(channels); i++) {
        const char *ch = json_string_value(json_array_get(channels, i));
        int held = 0;

        if (!hm_channel_ok(ch)) {
            return HALLMARK_BUNDLE_MALFORMED;
        }
        for (j = 0; j < b->sender_count && !held; j++) {
            held = strcmp(b->senders[j].channel, ch) == 0;
        }
        for (j = 0; j < i && held; j++) {
            held = strcmp(k->scope_channels[j], ch) != 0;
        }
        if (!held) {
            return HALLMARK_BUNDLE_MALFORMED;
        }
        if ((k->scope_channels[i] = strdup(ch)) == NULL) {
            return HALLMARK_ERR_NOMEM;
        }
        k->scope_channel_count = i + 1;
    }
    return HALLMARK_OK;
}

/* [HM-BUNDLE-81]: each entry equals, member for member, an entry of the credential's senders
 * (cred_senders, the credential's own JSON), once. */
static hallmark_result
parse_scope_senders(hm_brand_key *k, const json_t *cred_senders, const json_t *senders)
{
    size_t i, j;

    if (!json_is_array(senders) || json_array_size(senders) == 0 ||
        json_array_size(senders) > SCOPE_SENDERS_MAX) {
        return HALLMARK_BUNDLE_MALFORMED;
    }
    if ((k->scope_senders = calloc(json_array_size(senders), sizeof *k->scope_senders)) == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    for (i = 0; i < json_array_size(senders); i++) {
        const json_t *e = json_array_get(senders, i);

        for (j = 0; j < json_array_size(cred_senders); j++) {
            if (json_equal(e, json_array_get(cred_senders, j))) {
                break;
            }
        }
        if (!json_is_object(e) || j == json_array_size(cred_senders)) {
            return HALLMARK_BUNDLE_MALFORMED;
        }
        for (size_t seen = 0; seen < i; seen++) {
            if (k->scope_senders[seen] == j) {
                return HALLMARK_BUNDLE_MALFORMED;
            }
        }
        k->scope_senders[i] = j;
        k->scope_sender_count = i + 1;
    }
    return HALLMARK_OK;
}

/* [HM-BUNDLE-81]: absent, or an object of channels and/or senders and nothing else. */
static hallmark_result
parse_scope(hm_brand_key *k, const hm_brand *b, const json_t *cred_senders, const json_t *scope)
{
    const json_t *channels = json_object_get(scope, "channels"),
                 *senders = json_object_get(scope, "senders");
    hallmark_result rc = HALLMARK_OK;

    if (scope == NULL) {
        return HALLMARK_OK;
    }
    if (!json_is_object(scope) || json_object_size(scope) == 0 ||
        json_object_size(scope) != (size_t)(channels != NULL) + (size_t)(senders != NULL)) {
        return HALLMARK_BUNDLE_MALFORMED;
    }
    k->scoped = 1;
    if (channels != NULL) {
        rc = parse_scope_channels(k, b, channels);
    }
    if (rc == HALLMARK_OK && senders != NULL) {
        rc = parse_scope_senders(k, cred_senders, senders);
    }
    return rc;
}

static hallmark_result
parse_key(hm_brand_key *k, const json_t *e, size_t brand)
{
    size_t kid_len = 0;
    const char *kid = hm_json_string(e, "kid", &kid_len);
    long long revoked_at = 0;
    hallmark_result rc;

    k->brand = brand;
    k->alg = hm_alg_from_name(hm_json_string(e, "alg", NULL));
    if (!json_is_object(e) || k->alg == HM_ALG_UNKNOWN || kid == NULL ||
        !state_from(hm_json_string(e, "state", NULL), &k->state) || !get_time(e, "nbf", &k->nbf) ||
        !get_time(e, "exp", &k->exp) || k->exp <= k->nbf ||
        (k->state == HM_KEY_REVOKED) != (json_object_get(e, "revoked_at") != NULL) ||
        (k->state == HM_KEY_REVOKED && !get_time(e, "revoked_at", &revoked_at))) {
        return HALLMARK_BUNDLE_MALFORMED;
    }
    /* The point check is the brand entry's, with its credential signature ([HM-BUNDLE-110]). */
    rc = hm_pubkey_from_jwk_unchecked(&k->pub, e);
    if (rc == HALLMARK_UNSUPPORTED_ALG && k->alg == HM_ALG_ES256) {
        /* This build verifies no ES256: keep the entry so its tokens get UNSUPPORTED_ALG. */
        const char *kty = hm_json_string(e, "kty", NULL);
        if (kty == NULL || strcmp(kty, "EC") != 0 || kid_len != HM_KID_LEN) {
            return HALLMARK_BUNDLE_MALFORMED;
        }
        memcpy(k->pub.kid, kid, HM_KID_LEN + 1);
        return HALLMARK_OK;
    }
    if (rc != HALLMARK_OK) {
        return rc == HALLMARK_ERR_NOMEM ? rc : HALLMARK_BUNDLE_MALFORMED;
    }
    if (k->pub.alg != k->alg || kid_len != HM_KID_LEN || strcmp(kid, k->pub.kid) != 0) {
        return HALLMARK_BUNDLE_MALFORMED;
    }
    return HALLMARK_OK;
}

/* A key's place in kid order: the kid's first 8 bytes as a big-endian number (0 past its end),
 * which orders as strcmp does, and the key's index; kids with the same 8 bytes go to strcmp.
 * Sorting these 24-byte records and then moving each key once in place was a tenth of a reload
 * less than qsort on the keys themselves (glibc sorts pointers to elements this large, and called
 * strcmp on each step). */
struct kid_order {
    uint64_t prefix;
    size_t from; /* the key's index in t->keys before the sort */
    const char *kid;
};

static int
compare_kid_order(const void *a, const void *b)
{
    const struct kid_order *x = a, *y = b;

    if (x->prefix != y->prefix) {
        return x->prefix < y->prefix ? -1 : 1;
    }
    return strcmp(x->kid, y->kid);
}

static uint64_t
kid_prefix(const char *kid)
{
    uint64_t v = 0;
    size_t i, ended = 0;

    for (i = 0; i < 8; i++) {
        ended |= kid[i] == '\0';
        v = (v << 8) | (ended ? 0U : (unsigned char)kid[i]);
    }
    return v;
}

/* Moves key order[i].from to place i for every i, each key once: the permutation's cycles are
 * followed with one key held aside, and a place done is marked by from == its index. */
static void
permute_keys(hm_brand_key *keys, struct kid_order *order, size_t n)
{
    size_t i, j, from;

    for (i = 0; i < n; i++) {
        hm_brand_key held;

        if (order[i].from == i) {
            continue;
        }
        held = keys[i];
        for (j = i; (from = order[j].from) != i; j = from) {
            keys[j] = keys[from];
            order[j].from = j;
        }
        keys[j] = held;
        order[j].from = j;
    }
}

/* t->keys in strcmp order of their kids (hm_trust_find_key's binary search). */
static hallmark_result
sort_keys(hm_trust *t)
{
    struct kid_order *order = calloc(t->key_count + 1, sizeof *order);
    size_t i;

    if (order == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    for (i = 0; i < t->key_count; i++) {
        order[i].prefix = kid_prefix(t->keys[i].pub.kid);
        order[i].from = i;
        order[i].kid = t->keys[i].pub.kid;
    }
    qsort(order, t->key_count, sizeof *order, compare_kid_order);
    permute_keys(t->keys, order, t->key_count);
    free(order);
    return HALLMARK_OK;
}

/* The brand ids seen so far, for "brand listed twice": an open-addressing set of brand indices
 * (FNV-1a of the id), so that a bundle of n brands costs O(n), not the n^2 / 2 string compares
 * that made the duplicate check ~10% of loading 10,000 brands (make bench). */
struct id_set {
    size_t *slots; /* brand index + 1; 0 is empty */
    size_t mask;
};

static int
id_set_init(struct id_set *set, size_t n)
{
    size_t cap = 16;

    while (cap < 2 * n) {
        cap *= 2;
    }
    set->mask = cap - 1;
    set->slots = calloc(cap, sizeof *set->slots);
    return set->slots != NULL;
}

static size_t
id_hash(const char *id, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    size_t i;

    for (i = 0; i < n; i++) {
        h = (h ^ (unsigned char)id[i]) * 1099511628211ULL;
    }
    return (size_t)h;
}

/* Adds brand i of brands; 0 if a brand with the same id is already in. */
static int
id_set_add(struct id_set *set, const hm_brand *brands, size_t i)
{
    size_t slot;

    for (slot = id_hash(brands[i].id, strlen(brands[i].id)) & set->mask; set->slots[slot] != 0;
         slot = (slot + 1) & set->mask) {
        if (strcmp(brands[set->slots[slot] - 1].id, brands[i].id) == 0) {
            return 0;
        }
    }
    set->slots[slot] = i + 1;
    return 1;
}

long
hm_trust_brand_index(const hm_trust *t, const char *id, size_t n)
{
    size_t slot, b;

    if (t == NULL || t->brand_ids == NULL) {
        return -1;
    }
    for (slot = id_hash(id, n) & t->brand_id_mask; (b = t->brand_ids[slot]) != 0;
         slot = (slot + 1) & t->brand_id_mask) {
        if (strncmp(t->brands[b - 1].id, id, n) == 0 && t->brands[b - 1].id[n] == '\0') {
            return (long)(b - 1);
        }
    }
    return -1;
}

/* What the brand entry's check on first use reads ([HM-BUNDLE-110]): the credential's signing
 * input and signature, kept from the bundle's bytes; a kid other than the publishing key's
 * fails that check as a bad signature does (step 9). */
static hallmark_result
keep_credential(struct load *ld, hm_brand *b, const hm_jws *cred)
{
    if ((b->cred_input = hm_cred_input_new(cred->signing_input, cred->signing_input_len)) == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    b->cred_input_len = cred->signing_input_len;
    if (hm_jws_kid_is(cred, ld->publisher_key.kid) && cred->sig_len == HM_SIG_BYTES) {
        memcpy(b->cred_sig, cred->sig, HM_SIG_BYTES);
        b->cred_sig_len = HM_SIG_BYTES;
    }
    return HALLMARK_OK;
}

/* Each brand's keys, grouped in brand order (hm_brand.first_key, key_total). */
static hallmark_result
group_keys(hm_trust *t)
{
    size_t i, *next;

    t->brand_keys = calloc(t->key_count + 1, sizeof *t->brand_keys);
    t->checks = calloc(t->brand_count + 1, 1);
    next = calloc(t->brand_count + 1, sizeof *next);
    if (t->brand_keys == NULL || t->checks == NULL || next == NULL) {
        free(next);
        return HALLMARK_ERR_NOMEM;
    }
    for (i = 0; i < t->key_count; i++) {
        t->brands[t->keys[i].brand].key_total++;
    }
    for (i = 1; i < t->brand_count; i++) {
        t->brands[i].first_key = t->brands[i - 1].first_key + t->brands[i - 1].key_total;
    }
    for (i = 0; i < t->brand_count; i++) {
        next[i] = t->brands[i].first_key;
    }
    for (i = 0; i < t->key_count; i++) {
        t->brand_keys[next[t->keys[i].brand]++] = i;
    }
    free(next);
    return HALLMARK_OK;
}

/* The brand entries of the previous bundle this one may copy ([HM-BUNDLE-114]): a brand is the
 * same function of its entry's bytes in both only under the same platform (credentials naming
 * another) and publishing key (keep_credential). An entry it cannot copy is parsed here, which
 * cannot fail for want of valid JSON: its bytes were read as an entry of the previous bundle. */
static hallmark_result
settle_reuse(struct load *ld)
{
    const hm_trust *p = ld->previous;
    int same = p != NULL && strcmp(p->platform, ld->platform) == 0 &&
               strcmp(p->position.publisher, ld->publisher_key.kid) == 0;
    size_t i;

    for (i = 0; i < ld->split.count; i++) {
        const hm_brand_span *e = &ld->split.entries[i];
        hallmark_result rc;

        if (ld->reuse[i] < 0 || (same && hm_brand_copyable(p, (size_t)ld->reuse[i]))) {
            continue;
        }
        ld->reuse[i] = -1;
        rc = hm_jdoc_parse(ld->bundle.payload + e->off, e->len, e->len, BUNDLE_DEPTH - 2,
                           &ld->entries[i]);
        if (rc != HALLMARK_OK) {
            return rc == HALLMARK_ERR_NOMEM
                       ? rc
                       : fail(ld, HALLMARK_BUNDLE_MALFORMED, "not a well-formed bundle JWS", NULL);
        }
    }
    return HALLMARK_OK;
}

/* Brand entry i: its element of "brands" as parsed, a new reference in *out (NULL: no such
 * element). An entry read alone is made a tree now, and its document freed. */
static hallmark_result
entry_at(struct load *ld, const json_t *brands, size_t i, json_t **out)
{
    if (ld->entries == NULL) {
        *out = json_incref(json_array_get(brands, i));
        return HALLMARK_OK;
    }
    *out = hm_jdoc_to_json(ld->entries[i]);
    hm_jdoc_free(ld->entries[i]);
    ld->entries[i] = NULL;
    return *out != NULL ? HALLMARK_OK : HALLMARK_ERR_NOMEM;
}

/* The length of brand entry i's "keys" (0 when it is no array): what it adds to t->keys. */
static size_t
entry_key_count(const struct load *ld, const json_t *brands, size_t i)
{
    const hm_jv *keys;

    if (ld->entries == NULL) {
        return json_array_size(json_object_get(json_array_get(brands, i), "keys"));
    }
    if (ld->reuse[i] >= 0) {
        return ld->previous->brands[ld->reuse[i]].key_total;
    }
    keys = hm_jv_get(ld->entries[i], "keys");
    return keys != NULL && keys->type == HM_JV_ARRAY ? keys->len : 0;
}

/* Brand entry i parsed into t->brands[i] and its keys appended to t->keys. */
static hallmark_result
parse_brand(struct load *ld, const json_t *entry, size_t i)
{
    hm_trust *t = ld->trust;
    const json_t *keys = json_object_get(entry, "keys");
    json_t *p = NULL;
    hallmark_result rc;
    size_t j;

    rc = parse_nested(ld, &ld->creds[i], json_object_get(entry, "credential"), "hallmark-brand+jwt",
                      &p, "brands.credential");
    if (rc == HALLMARK_OK) {
        rc = parse_credential(&t->brands[i], p, &ld->creds[i], ld, &t->brands[i].foreign);
    }
    if (rc == HALLMARK_OK) {
        rc = keep_credential(ld, &t->brands[i], &ld->creds[i]);
    }
    if (rc == HALLMARK_OK) {
        rc = parse_superseded(&t->brands[i], json_object_get(entry, "superseded"));
    }
    if (rc == HALLMARK_OK && !json_is_array(keys)) {
        rc = HALLMARK_BUNDLE_MALFORMED;
    }
    for (j = 0; rc == HALLMARK_OK && j < json_array_size(keys); j++) {
        const json_t *e = json_array_get(keys, j);
        hm_brand_key *k = &t->keys[t->key_count];

        t->key_count++;
        rc = parse_key(k, e, i);
        if (rc == HALLMARK_OK) {
            rc = parse_scope(k, &t->brands[i], json_object_get(p, "senders"),
                             json_object_get(e, "scope"));
        }
    }
    json_decref(p);
    return rc;
}

/* Brand entry i parsed, or copied from the previous bundle ([HM-BUNDLE-114]). */
static hallmark_result
take_brand(struct load *ld, const json_t *brands, size_t i)
{
    json_t *entry = NULL;
    hallmark_result rc;

    if (ld->entries != NULL && ld->reuse[i] >= 0) {
        return hm_brand_copy(ld->trust, i, ld->previous, (size_t)ld->reuse[i]);
    }
    rc = entry_at(ld, brands, i, &entry);
    if (rc == HALLMARK_OK) {
        rc = parse_brand(ld, entry, i);
    }
    json_decref(entry);
    return rc;
}

static hallmark_result
parse_brands(struct load *ld, const json_t *brands)
{
    hm_trust *t = ld->trust;
    size_t i, n, nkeys = 0;
    struct id_set seen = {NULL, 0};
    hallmark_result rc = HALLMARK_OK;

    if (!json_is_array(brands)) {
        return fail(ld, HALLMARK_BUNDLE_MALFORMED, "brands must be an array", "brands");
    }
    if (ld->entries != NULL && (rc = settle_reuse(ld)) != HALLMARK_OK) {
        return rc;
    }
    n = ld->entries != NULL ? ld->split.count : json_array_size(brands);
    for (i = 0; i < n; i++) {
        nkeys += entry_key_count(ld, brands, i);
    }
    t->brands = calloc(n + 1, sizeof *t->brands);
    t->keys = calloc(nkeys + 1, sizeof *t->keys);
    ld->creds = calloc(n + 1, sizeof *ld->creds);
    if (t->brands == NULL || t->keys == NULL || ld->creds == NULL || !id_set_init(&seen, n)) {
        free(seen.slots);
        return HALLMARK_ERR_NOMEM;
    }
    for (i = 0; rc == HALLMARK_OK && i < n; i++) {
        ld->cred_count = i + 1;
        t->brand_count = i + 1;
        rc = take_brand(ld, brands, i);
        ld->foreign_credential |= t->brands[i].foreign;
        if (rc != HALLMARK_OK) {
            rc = rc == HALLMARK_ERR_NOMEM ? rc
                                          : fail(ld, rc, "brand entry breaks §5 or §6.2", "brands");
        } else if (!id_set_add(&seen, t->brands, i)) {
            rc = fail(ld, HALLMARK_BUNDLE_MALFORMED, "brand listed twice", "brands");
        }
    }
    t->brand_ids = seen.slots; /* kept: the brand index of hm_trust_brand_index */
    t->brand_id_mask = seen.mask;
    if (rc != HALLMARK_OK) {
        return rc;
    }
    if ((rc = sort_keys(t)) != HALLMARK_OK) {
        return rc;
    }
    for (i = 1; i < t->key_count; i++) {
        if (strcmp(t->keys[i - 1].pub.kid, t->keys[i].pub.kid) == 0) {
            return fail(ld, HALLMARK_BUNDLE_MALFORMED, "key listed twice", "brands.keys");
        }
    }
    return group_keys(t);
}

static hallmark_result
parse_revoked(struct load *ld, const json_t *list)
{
    size_t i, j;

    if (list == NULL) {
        return HALLMARK_OK;
    }
    if (!json_is_array(list)) {
        return fail(ld, HALLMARK_BUNDLE_MALFORMED, "must be an array", "revoked_brands");
    }
    for (i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        const char *id = hm_json_string(e, "id", NULL);
        long long at = 0;

        if (!hm_brand_id_ok(id) || !get_time(e, "revoked_at", &at)) {
            return fail(ld, HALLMARK_BUNDLE_MALFORMED, "bad entry", "revoked_brands");
        }
        for (j = 0; j < ld->trust->brand_count; j++) {
            if (ld->trust->brands[j].id != NULL && strcmp(ld->trust->brands[j].id, id) == 0) {
                ld->trust->brands[j].revoked = 1;
            }
        }
    }
    return HALLMARK_OK;
}

/* ---- the sender claim index (§5.6 ownership) ----------------------------------------------- */

/* The country part of a claim's key: "" for an entry that names none. */
static const char *
country_key(const hm_sender_entry *e)
{
    return e->country != NULL ? e->country : "";
}

static uint64_t
claim_hash(int is_prefix, const char *channel, const char *value, size_t n, const char *country)
{
    const unsigned char *p = (const unsigned char *)channel;
    uint64_t h = 14695981039346656037ULL;
    size_t i;

    h = (h ^ (is_prefix ? 'p' : 'i')) * 1099511628211ULL;
    while (*p != '\0') {
        h = (h ^ *p++) * 1099511628211ULL;
    }
    h *= 1099511628211ULL; /* the channel's terminator */
    for (i = 0; i < n; i++) {
        h = (h ^ (unsigned char)value[i]) * 1099511628211ULL;
    }
    h *= 1099511628211ULL; /* the value's end */
    for (p = (const unsigned char *)country; *p != '\0'; p++) {
        h = (h ^ *p) * 1099511628211ULL;
    }
    return h;
}

/* The slot of (kind, channel, the n bytes of value, country), or where it would go (entry NULL).
 * The country is "" for entries that name none ([HM-CRED-64]) and for every other kind. */
static hm_claim_slot *
claim_slot(const hm_trust *t, int is_prefix, const char *channel, const char *value, size_t n,
           const char *country)
{
    size_t slot = (size_t)claim_hash(is_prefix, channel, value, n, country) & t->claim_mask;

    for (; t->claims[slot].entry != NULL; slot = (slot + 1) & t->claim_mask) {
        const hm_sender_entry *e = t->claims[slot].entry;
        if (e->is_prefix == is_prefix && strcmp(e->channel, channel) == 0 &&
            strlen(e->value) == n && memcmp(e->value, value, n) == 0 &&
            strcmp(country_key(e), country) == 0) {
            break;
        }
    }
    return &t->claims[slot];
}

/* Indexes the sender entries of every brand that is not revoked (after parse_revoked): a revoked
 * brand verifies nothing, so it contests nothing (§5.6). O(entries). */
static hallmark_result
index_claims(hm_trust *t)
{
    size_t i, j, n = 0, cap = 16;

    for (i = 0; i < t->brand_count; i++) {
        n += t->brands[i].revoked ? 0 : t->brands[i].sender_count;
    }
    while (cap < 2 * n) {
        cap *= 2;
    }
    t->claims = calloc(cap, sizeof *t->claims);
    if (t->claims == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    t->claim_mask = cap - 1;
    for (i = 0; i < t->brand_count; i++) {
        for (j = 0; !t->brands[i].revoked && j < t->brands[i].sender_count; j++) {
            const hm_sender_entry *e = &t->brands[i].senders[j];
            hm_claim_slot *slot;

            if (e->is_prefix && !hm_channel_takes_prefix(e->channel)) {
                continue; /* never matches (HM-CRED-16), so claims nothing */
            }
            slot =
                claim_slot(t, e->is_prefix, e->channel, e->value, strlen(e->value), country_key(e));
            if (slot->entry == NULL) {
                slot->entry = e;
                slot->brand = i;
            } else if (slot->brand != i) {
                slot->shared = 1;
            }
        }
    }
    return HALLMARK_OK;
}

/* Notes the brand that lists (kind, channel, value[0..n), country), if any; *contested once two
 * do. */
static void
note_claim(const hm_trust *t, int is_prefix, const char *channel, const char *value, size_t n,
           const char *country, const hm_brand **first, int *contested)
{
    const hm_claim_slot *slot = claim_slot(t, is_prefix, channel, value, n, country);

    if (slot->entry == NULL) {
        return;
    }
    if (slot->shared || (*first != NULL && *first != &t->brands[slot->brand])) {
        *contested = 1;
    }
    *first = &t->brands[slot->brand];
}

/* The brands that claim (channel, from) for recipient to: *first one of them (NULL: none),
 * *contested 1 when two do. */
static void
claimants(const hm_trust *t, const char *channel, const char *from, const char *to,
          const hm_brand **first, int *contested)
{
    size_t k, n = strlen(from);

    *first = NULL;
    *contested = 0;
    note_claim(t, 0, channel, from, n, "", first, contested);
    if (hm_sender_takes_country(channel, from) && to != NULL && hm_e164_ok(to)) {
        char country[5];
        size_t cc = hm_country_code_len(to + 1);

        memcpy(country, to, cc + 1);
        country[cc + 1] = '\0';
        note_claim(t, 0, channel, from, n, country, first, contested); /* [HM-CRED-66] */
    }
    if (hm_channel_takes_prefix(channel) && hm_e164_ok(from)) {
        for (k = 2; k <= n; k++) { /* "+" and a digit is the shortest prefix */
            note_claim(t, 1, channel, from, k, "", first, contested);
        }
    }
    if (strcmp(channel, "email") == 0) {
        for (k = 0; k < n; k++) { /* every parent domain: an e-mail entry claims its subdomains */
            if (from[k] == '.') {
                note_claim(t, 0, channel, from + k + 1, n - k - 1, "", first, contested);
            }
        }
    }
}

int
hm_trust_sender_contested(const hm_trust *t, const char *channel, const char *from, const char *to)
{
    const hm_brand *first;
    int contested;

    if (t == NULL || t->claims == NULL || channel == NULL || from == NULL) {
        return 0;
    }
    claimants(t, channel, from, to, &first, &contested);
    return contested;
}

int
hm_trust_sender_always_signed(const hm_trust *t, const char *channel, const char *from,
                              const char *to, long long now)
{
    const hm_brand *b;
    int contested;

    if (t == NULL || t->claims == NULL || channel == NULL || from == NULL || to == NULL) {
        return 0;
    }
    claimants(t, channel, from, to, &b, &contested);
    /* A brand entry that fails its check on first use declares nothing ([HM-BUNDLE-110]). */
    return b != NULL && !contested && !b->revoked && now >= b->nbf - HM_SKEW &&
           now < b->exp + HM_SKEW && hm_brand_sender_always_signed(b, channel, from, to) &&
           hm_trust_brand_check(t, (size_t)(b - t->brands)) == HALLMARK_OK;
}

/* 1 if a brand other than `brand` lists (kind, channel, value[0..n), country). */
static int
listed_by_other(const hm_trust *t, size_t brand, int is_prefix, const char *channel,
                const char *value, size_t n, const char *country)
{
    const hm_claim_slot *slot = claim_slot(t, is_prefix, channel, value, n, country);

    return slot->entry != NULL && (slot->shared || slot->brand != brand);
}

/* 1 if an entry of another brand overlaps e (of brand i): the same entry (an id for the same
 * country, or for none); for an E.164 id or a prefix, a shorter prefix it starts with; for an
 * e-mail domain, a parent domain. A longer entry under e (a number or prefix under a prefix, a
 * subdomain), or an id for a country under e without one, is found from that entry's side. */
static int
overlaps_other(const hm_trust *t, size_t i, const hm_sender_entry *e)
{
    size_t k, n = strlen(e->value);

    if (listed_by_other(t, i, e->is_prefix, e->channel, e->value, n, country_key(e)) ||
        (e->country != NULL && listed_by_other(t, i, 0, e->channel, e->value, n, ""))) {
        return 1;
    }
    if (hm_channel_takes_prefix(e->channel) && (e->is_prefix || hm_e164_ok(e->value))) {
        for (k = 2; k < (e->is_prefix ? n : n + 1); k++) { /* an id may equal a prefix */
            if (listed_by_other(t, i, 1, e->channel, e->value, k, "")) {
                return 1;
            }
        }
    }
    if (!e->is_prefix && strcmp(e->channel, "email") == 0) {
        for (k = 0; k < n; k++) {
            if (e->value[k] == '.' &&
                listed_by_other(t, i, 0, e->channel, e->value + k + 1, n - k - 1, "")) {
                return 1;
            }
        }
    }
    return 0;
}

int
hm_trust_first_overlap(const hm_trust *t, const hm_sender_entry **a, size_t *brand_a,
                       const hm_sender_entry **b, size_t *brand_b)
{
    size_t i, j, x, y;

    for (i = 0; t != NULL && t->claims != NULL && i < t->brand_count; i++) {
        for (j = 0; !t->brands[i].revoked && j < t->brands[i].sender_count; j++) {
            const hm_sender_entry *e = &t->brands[i].senders[j];

            if ((e->is_prefix && !hm_channel_takes_prefix(e->channel)) ||
                !overlaps_other(t, i, e)) {
                continue;
            }
            for (x = 0; x < t->brand_count; x++) { /* name the other side: once, so a scan */
                for (y = 0; x != i && !t->brands[x].revoked && y < t->brands[x].sender_count; y++) {
                    const hm_sender_entry *o = &t->brands[x].senders[y];
                    if (hm_sender_entries_overlap(e->channel, e->value, e->is_prefix, e->country,
                                                  o->channel, o->value, o->is_prefix, o->country)) {
                        *a = e;
                        *brand_a = i;
                        *b = o;
                        *brand_b = x;
                        return 1;
                    }
                }
            }
        }
    }
    return 0;
}

/* 1 when set is the anchor's pinned set: the same keys, in any order, and the same threshold
 * (both sides hold no key twice). */
static int
set_is_anchor(const struct root_set *set, const hm_anchor *a)
{
    size_t i, k;

    if (set->count != a->root_count || set->threshold != a->threshold) {
        return 0;
    }
    for (i = 0; i < set->count; i++) {
        for (k = 0; k < a->root_count &&
                    memcmp(a->roots[k].raw, set->keys[i].raw, HM_ED25519_PUBLIC_BYTES) != 0;
             k++) {
        }
        if (k == a->root_count) {
            return 0;
        }
    }
    return 1;
}

/* §6.5 [HM-BUNDLE-14]: start at the last mention of the pinned set (or at the pinned set as
 * K[0]), verify every later statement with the set before it, and check the publisher
 * certificate with the current set (§6.4). */
static hallmark_result
walk_roots(struct load *ld)
{
    const hm_anchor *a = ld->anchor;
    const hm_pubkey *keys = a->roots;
    size_t n = a->root_count, threshold = a->threshold, m = ld->root_count, j = 0, i;

    for (i = 1; i <= m && j == 0; i++) {
        if (set_is_anchor(&ld->sets[i - 1], a)) {
            j = i;
        }
    }
    for (i = j; i < m; i++) {
        if (!cosigned_by(&ld->roots[i], keys, n, threshold)) {
            return fail(ld, HALLMARK_BUNDLE_UNTRUSTED,
                        "root statement not signed by a quorum of the root set before it", "roots");
        }
        keys = ld->sets[i].keys;
        n = ld->sets[i].count;
        threshold = ld->sets[i].threshold;
    }
    if (!cosigned_by(&ld->publisher, keys, n, threshold)) {
        return fail(ld, HALLMARK_BUNDLE_UNTRUSTED,
                    "publisher certificate not signed by a quorum of the current root set",
                    "publisher");
    }
    return HALLMARK_OK;
}

static hallmark_result
check_signatures(struct load *ld)
{
    hallmark_result rc = walk_roots(ld);

    if (rc != HALLMARK_OK) {
        return rc;
    }
    if (ld->trust->iat < ld->publisher_nbf || ld->trust->iat > ld->publisher_exp) {
        return fail(ld, HALLMARK_BUNDLE_UNTRUSTED, "bundle issued outside its certificate",
                    "publisher");
    }
    if (ld->trust->exp > ld->publisher_exp) {
        return fail(ld, HALLMARK_BUNDLE_UNTRUSTED, "bundle outlives its publisher certificate",
                    "exp");
    }
    if (ld->trust->exp - ld->trust->iat > HM_BUNDLE_LIFETIME_MAX) {
        return fail(ld, HALLMARK_BUNDLE_UNTRUSTED, "bundle lifetime longer than 14 days", "exp");
    }
    if (!hm_jws_kid_is(&ld->bundle, ld->publisher_key.kid)) {
        return fail(ld, HALLMARK_BUNDLE_UNTRUSTED, "bundle not signed by the certified publisher",
                    "kid");
    }
    if (hm_jws_verify(&ld->bundle, &ld->publisher_key) != HALLMARK_OK) {
        return fail(ld, HALLMARK_BUNDLE_BAD_SIGNATURE, "bundle signature invalid", NULL);
    }
    return HALLMARK_OK;
}

/* Step 4's point checks and step 9, once the brand entries are read: every brand entry now
 * (hm_trust_load), or on first use with the results of previous carried over ([HM-BUNDLE-110]). */
static hallmark_result
check_brands(struct load *ld)
{
    hallmark_result rc;

    ld->trust->publisher_key = ld->publisher_key;
    if (ld->deferred) {
        hm_trust_carry_checks(ld->trust, ld->previous);
        return HALLMARK_OK;
    }
    rc = hm_trust_check_all(ld->trust);
    if (rc == HALLMARK_BUNDLE_MALFORMED) {
        return fail(ld, rc, "brand key is not a valid point", "brands.keys");
    }
    if (rc == HALLMARK_BUNDLE_BAD_SIGNATURE) {
        return fail(ld, rc, "credential signature invalid", "brands.credential");
    }
    return rc;
}

static hallmark_result
parse_payload(struct load *ld)
{
    const json_t *p = ld->payload;
    const json_t *platform = json_object_get(p, "platform");
    long long serial = 0;
    hallmark_result rc;

    const json_t *every = json_object_get(p, "status_every");

    if (!version_one(p) || !hm_utf8_no_controls(json_string_value(platform), 1, 64) ||
        !hm_json_uint(p, "serial", &serial) || !get_time(p, "iat", &ld->trust->iat) ||
        !get_time(p, "exp", &ld->trust->exp) || ld->trust->exp <= ld->trust->iat) {
        return fail(ld, HALLMARK_BUNDLE_MALFORMED, "bundle payload fields", NULL);
    }
    if (every != NULL && (!hm_json_uint(p, "status_every", &ld->trust->status_every) ||
                          ld->trust->status_every < HM_STATUS_EVERY_MIN ||
                          ld->trust->status_every > HM_STATUS_EVERY_MAX)) {
        return fail(ld, HALLMARK_BUNDLE_MALFORMED, "status_every is not 300 to 86400 seconds",
                    "status_every");
    }
    ld->platform = json_string_value(platform);
    ld->trust->platform = dup_string(platform);
    if (ld->trust->platform == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    ld->trust->serial = (uint64_t)serial;
    if (json_object_get(p, "consent_url") != NULL) { /* [HM-BUNDLE-96] */
        const json_t *u = json_object_get(p, "consent_url");
        const char *url = json_string_value(u);
        char host[HM_ID_MAX];
        if (url == NULL || json_string_length(u) > 512 || !hm_action_url_host(url, host) ||
            strpbrk(url, "?#") != NULL) {
            return fail(ld, HALLMARK_BUNDLE_MALFORMED,
                        "consent_url is not a plain https URL without query or fragment",
                        "consent_url");
        }
        if ((ld->trust->consent_url = dup_string(u)) == NULL) {
            return HALLMARK_ERR_NOMEM;
        }
    }
    rc = parse_roots(ld, json_object_get(p, "roots"));
    if (rc == HALLMARK_OK) {
        rc = parse_publisher(ld, json_object_get(p, "publisher"));
    }
    return rc;
}

/* [HM-BUNDLE-93]: the brand entries, read only once the bundle's signature has been verified. */
static hallmark_result
parse_entries(struct load *ld)
{
    hallmark_result rc = parse_brands(ld, json_object_get(ld->payload, "brands"));

    if (rc == HALLMARK_OK) {
        rc = parse_revoked(ld, json_object_get(ld->payload, "revoked_brands"));
    }
    if (rc == HALLMARK_OK) {
        rc = index_claims(ld->trust);
    }
    if (rc == HALLMARK_OK) {
        rc = check_brands(ld);
    }
    return rc;
}

/* §6.6 steps 11-13 against one state: the chain must hold the position seen; within that
 * position, the generation must not go back (nor change keys), and within that generation the
 * serial must not go back. A later position or generation resets the floors below it. */
static hallmark_result
check_floor(struct load *ld, const hm_trust_state *f)
{
    const hm_trust_state *b = &ld->trust->position;
    size_t i;

    if (f == NULL || !f->present) {
        return HALLMARK_OK;
    }
    if (f->root_seq > 0) {
        for (i = 0; i < ld->root_count && ld->seqs[i] != f->root_seq; i++) {
        }
        if (i == ld->root_count || strcmp(ld->digests[i], f->root) != 0) {
            return fail(ld, HALLMARK_BUNDLE_ROOT_FORKED,
                        "the root chain does not hold the position already accepted", "roots");
        }
    }
    if (b->root_seq > f->root_seq) {
        return HALLMARK_OK; /* [HM-BUNDLE-65] */
    }
    if (b->generation < f->generation ||
        (b->generation == f->generation && strcmp(b->publisher, f->publisher) != 0)) {
        return fail(ld, HALLMARK_BUNDLE_PUBLISHER_SUPERSEDED,
                    "publisher generation older than the one accepted, or held by another key",
                    "publisher");
    }
    if (b->generation == f->generation && b->serial < f->serial) {
        return fail(ld, HALLMARK_BUNDLE_ROLLBACK, "older than the last accepted bundle", "serial");
    }
    return HALLMARK_OK;
}

/* The state this bundle would leave (§6.8): its chain position, generation, key and serial. */
static void
note_position(struct load *ld)
{
    hm_trust_state *b = &ld->trust->position;

    b->present = 1;
    b->root_seq = ld->root_count > 0 ? ld->seqs[ld->root_count - 1] : 0;
    memcpy(b->root, ld->root_count > 0 ? ld->digests[ld->root_count - 1] : "",
           ld->root_count > 0 ? sizeof b->root : 1);
    b->generation = ld->generation;
    memcpy(b->publisher, ld->publisher_key.kid, sizeof b->publisher);
    b->serial = (long long)ld->trust->serial;
    memcpy(ld->trust->publisher_raw, ld->publisher_key.raw, HM_ED25519_PUBLIC_BYTES);
}

static void
forget_parts(struct load *ld)
{
    size_t i;

    for (i = 0; ld->entries != NULL && i < ld->split.count; i++) {
        hm_jdoc_free(ld->entries[i]);
    }
    free(ld->entries);
    free(ld->reuse);
    ld->entries = NULL;
    ld->reuse = NULL;
    hm_brand_split_clear(&ld->split);
}

/* The payload read in parts ([HM-BUNDLE-114]): the top-level object with "brands" cut to [],
 * and each element that is not byte for byte one of the previous bundle's alone (depth 6: the
 * array and the object hold it). 1 when every part parses: the payload then parses whole, with
 * the same members; 0 on any doubt, and the caller reads it whole, so that a bad payload fails
 * exactly as it does whole. */
static int
read_parts(struct load *ld, const hm_entry_index *index, unsigned char *cut)
{
    const unsigned char *p = ld->bundle.payload;
    const hm_brand_split *sp = &ld->split;
    size_t n = ld->bundle.payload_len, rest = sp->array_off + sp->array_len, i;
    unsigned char(*digests)[HM_SHA256_BYTES];

    memcpy(cut, p, sp->array_off);
    cut[sp->array_off] = '[';
    cut[sp->array_off + 1] = ']';
    memcpy(cut + sp->array_off + 2, p + rest, n - rest);
    ld->entries = calloc(sp->count + 1, sizeof(hm_jv *));
    ld->reuse = calloc(sp->count + 1, sizeof *ld->reuse);
    digests = calloc(sp->count + 1, sizeof *digests);
    ld->trust->entry_digests = digests;
    if (ld->entries == NULL || ld->reuse == NULL || digests == NULL ||
        hm_jdoc_parse_json(cut, n - sp->array_len + 2, n - sp->array_len + 2, BUNDLE_DEPTH,
                           &ld->payload) != HALLMARK_OK) {
        return 0;
    }
    for (i = 0; i < sp->count; i++) {
        const hm_brand_span *e = &sp->entries[i];
        /* The stream, not hm_sha256: an entry is ~2 KB, under the length from which hm_sha256
         * leaves libsodium's portable SHA-256, which made these digests a third of a reload. */
        hm_sha256_next(&ld->sha, p + e->off, e->len, digests[i]);
        ld->reuse[i] = hm_entry_index_find(index, digests[i]);
        if (ld->reuse[i] < 0 && hm_jdoc_parse(p + e->off, e->len, e->len, BUNDLE_DEPTH - 2,
                                              &ld->entries[i]) != HALLMARK_OK) {
            return 0;
        }
    }
    return 1;
}

/* The bundle's payload: in parts for a deferred load (so that the next reload can copy the
 * entries that did not change), else, or on any doubt, whole. */
static hallmark_result
read_payload(struct load *ld)
{
    hm_entry_index index;
    unsigned char *cut = NULL;
    int ok = 0;

    memset(&index, 0, sizeof index);
    if (HALLMARK_BUNDLE_PARTS && ld->deferred &&
        hm_brand_split_scan(&ld->split, ld->bundle.payload, ld->bundle.payload_len)) {
        cut = malloc(ld->bundle.payload_len - ld->split.array_len + 2);
        ok =
            cut != NULL && hm_entry_index_init(&index, ld->previous) && read_parts(ld, &index, cut);
        hm_entry_index_clear(&index);
        free(cut);
    }
    if (ok) {
        return HALLMARK_OK;
    }
    forget_parts(ld);
    json_decref(ld->payload);
    ld->payload = NULL;
    free(ld->trust->entry_digests);
    ld->trust->entry_digests = NULL;
    return hm_jws_payload_json(&ld->bundle, BUNDLE_DEPTH, &ld->payload);
}

static hallmark_result
load(const hm_anchor *anchor, const unsigned char *bundle, size_t len,
     const hm_trust_state *const *floors, size_t floor_count, int64_t now, const hm_trust *previous,
     int deferred, hm_trust **out, hallmark_error *err)
{
    struct load ld;
    hallmark_result rc;
    size_t i, j;

    memset(&ld, 0, sizeof ld);
    ld.err = err;
    ld.deferred = deferred;
    ld.previous = previous;
    ld.anchor = anchor;
    if (out == NULL || anchor == NULL || anchor->root_count == 0 || bundle == NULL ||
        (floors == NULL && floor_count > 0)) {
        return fail(&ld, HALLMARK_ERR_INVALID_ARGUMENT, "missing argument", NULL);
    }
    *out = NULL;
    if (len > HM_BUNDLE_MAX) {
        return fail(&ld, HALLMARK_BUNDLE_MALFORMED, "bundle larger than 32 MiB", NULL);
    }
    ld.trust = calloc(1, sizeof *ld.trust);
    if (ld.trust == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    hm_sha256_begin(&ld.sha);
    rc = hm_jws_parse(&ld.bundle, (const char *)bundle, len, HM_BUNDLE_MAX, "hallmark-bundle+jwt");
    if (rc == HALLMARK_OK && strcmp(ld.bundle.alg, "Ed25519") != 0) {
        rc = HALLMARK_MALFORMED;
    }
    if (rc == HALLMARK_OK) {
        rc = read_payload(&ld);
    }
    if (rc != HALLMARK_OK && rc != HALLMARK_ERR_NOMEM) {
        rc = fail(&ld, HALLMARK_BUNDLE_MALFORMED, "not a well-formed bundle JWS", NULL);
    }
    /* Verify before parsing ([HM-BUNDLE-93]): the header fields, the chain and the certificate,
     * then the signature over the exact bytes, and only then the brand entries. */
    if (rc == HALLMARK_OK) {
        rc = parse_payload(&ld);
    }
    if (rc == HALLMARK_OK) {
        rc = check_signatures(&ld);
    }
    if (rc == HALLMARK_OK) {
        rc = parse_entries(&ld);
    }
    if (rc == HALLMARK_OK && anchor->platform != NULL &&
        (strcmp(ld.platform, anchor->platform) != 0 || ld.foreign_credential)) {
        rc = fail(&ld, HALLMARK_BUNDLE_WRONG_PLATFORM, "bundle of another platform", "platform");
    }
    if (rc == HALLMARK_OK) {
        note_position(&ld);
        rc = hm_sha256_b64url(ld.trust->digest, bundle, len);
    }
    for (i = 0; rc == HALLMARK_OK && i < floor_count; i++) {
        rc = check_floor(&ld, floors[i]);
    }
    if (rc == HALLMARK_OK && now > ld.trust->exp) {
        rc = fail(&ld, HALLMARK_BUNDLE_EXPIRED, "bundle has expired", "exp");
    }
    if (rc == HALLMARK_OK) {
        *out = ld.trust;
        ld.trust = NULL;
    }
    hm_trust_free(ld.trust);
    json_decref(ld.payload);
    hm_jws_clear(&ld.bundle);
    for (j = 0; j < ld.publisher.count; j++) {
        hm_jws_clear(&ld.publisher.sigs[j]);
    }
    hm_pubkey_clear(&ld.publisher_key);
    for (i = 0; i < ld.root_count; i++) {
        for (j = 0; j < ld.roots[i].count; j++) {
            hm_jws_clear(&ld.roots[i].sigs[j]);
        }
        for (j = 0; j < ld.sets[i].count; j++) {
            hm_pubkey_clear(&ld.sets[i].keys[j]);
        }
    }
    for (i = 0; i < ld.cred_count; i++) {
        hm_jws_clear(&ld.creds[i]);
    }
    forget_parts(&ld);
    hm_sha256_drop(&ld.sha);
    free(ld.roots);
    free(ld.sets);
    free(ld.digests);
    free(ld.seqs);
    free(ld.creds);
    return rc;
}

hallmark_result
hm_trust_load(const hm_anchor *anchor, const unsigned char *bundle, size_t len,
              const hm_trust_state *const *floors, size_t floor_count, int64_t now, hm_trust **out,
              hallmark_error *err)
{
    return load(anchor, bundle, len, floors, floor_count, now, NULL, 0, out, err);
}

hallmark_result
hm_trust_load_deferred(const hm_anchor *anchor, const unsigned char *bundle, size_t len,
                       const hm_trust_state *const *floors, size_t floor_count, int64_t now,
                       const hm_trust *previous, hm_trust **out, hallmark_error *err)
{
    return load(anchor, bundle, len, floors, floor_count, now, previous, 1, out, err);
}

/* ---- the app's anchor and its persisted state (§1.2, §6.8) --------------------------------- */

static int
compare_raw(const void *a, const void *b)
{
    return memcmp(*(const unsigned char *const *)a, *(const unsigned char *const *)b,
                  HM_ED25519_PUBLIC_BYTES);
}

/* "anchor" of §6.8: SHA-256 of platform, 0x00, the threshold byte, the raw keys sorted. */
static hallmark_result
anchor_digest(hm_anchor *a)
{
    const unsigned char *sorted[HM_ROOT_SET_MAX] = {NULL};
    unsigned char buf[64 + 2 + HM_ROOT_SET_MAX * HM_ED25519_PUBLIC_BYTES];
    size_t i, n = 0, plen = a->platform != NULL ? strlen(a->platform) : 0;

    for (i = 0; i < a->root_count; i++) {
        sorted[i] = a->roots[i].raw;
    }
    qsort(sorted, a->root_count, sizeof sorted[0], compare_raw);
    memcpy(buf, a->platform != NULL ? a->platform : "", plen);
    n = plen;
    buf[n++] = 0;
    buf[n++] = (unsigned char)a->threshold;
    for (i = 0; i < a->root_count; i++) {
        memcpy(buf + n, sorted[i], HM_ED25519_PUBLIC_BYTES);
        n += HM_ED25519_PUBLIC_BYTES;
    }
    return hm_sha256_b64url(a->digest, buf, n);
}

hallmark_result
hm_anchor_init(hm_anchor *a, const char *platform, const char *const *roots, size_t root_count,
               size_t threshold)
{
    size_t i, j;

    memset(a, 0, sizeof *a);
    if (roots == NULL || root_count == 0 || root_count > HM_ROOT_SET_MAX || threshold < 1 ||
        threshold > root_count || (platform != NULL && !hm_utf8_no_controls(platform, 1, 64))) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    a->threshold = threshold;
    a->roots = calloc(root_count, sizeof *a->roots);
    a->platform = platform != NULL ? malloc(strlen(platform) + 1) : NULL;
    if (a->roots == NULL || (platform != NULL && a->platform == NULL)) {
        return HALLMARK_ERR_NOMEM;
    }
    if (platform != NULL) {
        memcpy(a->platform, platform, strlen(platform) + 1);
    }
    for (i = 0; i < root_count; i++) {
        unsigned char raw[HM_ED25519_PUBLIC_BYTES];
        hallmark_result rc;

        if (roots[i] == NULL) {
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        rc = hm_b64url_decode_exact(raw, sizeof raw, roots[i], strlen(roots[i]));
        rc = rc == HALLMARK_OK ? hm_pubkey_from_raw(&a->roots[i], HM_ALG_ED25519, raw, sizeof raw)
                               : HALLMARK_ERR_INVALID_KEY;
        a->root_count = i + 1;
        if (rc != HALLMARK_OK) {
            return rc;
        }
        for (j = 0; j < i; j++) {
            if (memcmp(a->roots[j].raw, a->roots[i].raw, HM_ED25519_PUBLIC_BYTES) == 0) {
                return HALLMARK_ERR_INVALID_ARGUMENT;
            }
        }
    }
    return anchor_digest(a);
}

hallmark_result
hm_anchor_init_key(hm_anchor *a, const char *platform, const hm_pubkey *root)
{
    char x[HM_SHA256_B64_LEN + 1];
    const char *list[1] = {x};

    memset(a, 0, sizeof *a);
    if (root == NULL || root->alg != HM_ALG_ED25519 ||
        hm_b64url_encode(x, sizeof x, root->raw, HM_ED25519_PUBLIC_BYTES, NULL) != HALLMARK_OK) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return hm_anchor_init(a, platform, list, 1, 1);
}

void
hm_anchor_clear(hm_anchor *a)
{
    size_t i;

    if (a == NULL) {
        return;
    }
    for (i = 0; i < a->root_count; i++) {
        hm_pubkey_clear(&a->roots[i]);
    }
    free(a->roots);
    free(a->platform);
    memset(a, 0, sizeof *a);
}

/* The state of §6.8 under (platform, anchor digest), members in the spec's order: a new
 * reference, NULL without memory. */
static json_t *
state_doc(const char *platform, const char *anchor, const hm_trust_state *st)
{
    /* [HM-BUNDLE-92]: version 1 while no status was accepted, so such states stay as they were. */
    json_t *doc = json_pack(
        "{s:i,s:s,s:s,s:I,s:s,s:I,s:s,s:I}", "v", st->status > 0 ? 2 : 1, "platform", platform,
        "anchor", anchor, "root_seq", (json_int_t)st->root_seq, "root", st->root, "generation",
        (json_int_t)st->generation, "publisher", st->publisher, "serial", (json_int_t)st->serial);

    if (doc != NULL && st->status > 0 &&
        json_object_set_new(doc, "status", json_integer((json_int_t)st->status)) != 0) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

#define STATE_FLAGS (JSON_COMPACT | JSON_ENSURE_ASCII)

/* Its text: malloc'd, NULL without memory. */
static char *
state_text(const char *platform, const char *anchor, const hm_trust_state *st)
{
    json_t *doc = state_doc(platform, anchor, st);
    char *text = doc != NULL ? json_dumps(doc, STATE_FLAGS) : NULL;

    json_decref(doc);
    return text;
}

hallmark_result
hm_trust_state_write(const hm_anchor *a, const hm_trust_state *st, unsigned char *out, size_t cap,
                     size_t *len)
{
    json_t *doc = state_doc(a->platform != NULL ? a->platform : "", a->digest, st);
    size_t n;

    if (doc == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    n = json_dumpb(doc, (char *)out, cap < HM_STATE_MAX ? cap : HM_STATE_MAX, STATE_FLAGS);
    json_decref(doc);
    if (n == 0) {
        return HALLMARK_ERR_NOMEM;
    }
    if (n > cap || n > HM_STATE_MAX) {
        return HALLMARK_ERR_BUFFER_TOO_SMALL;
    }
    *len = n;
    return HALLMARK_OK;
}

/* 1 if s is 43 base64url characters (a digest or a thumbprint). */
static int
b64u43(const char *s)
{
    unsigned char raw[HM_SHA256_BYTES];

    return s != NULL && strlen(s) == HM_SHA256_B64_LEN &&
           hm_b64url_decode_exact(raw, sizeof raw, s, HM_SHA256_B64_LEN) == HALLMARK_OK;
}

hallmark_result
hm_trust_state_read(const hm_anchor *a, const unsigned char *buf, size_t len, hm_trust_state *out)
{
    json_t *doc = NULL;
    const char *platform, *anchor, *root, *publisher;
    char *canon = NULL;
    long long v = 0;
    hallmark_result rc = HALLMARK_ERR_STATE_INVALID;

    memset(out, 0, sizeof *out);
    if (len == 0) {
        return HALLMARK_OK;
    }
    if (buf == NULL || len > HM_STATE_MAX ||
        hm_json_parse_object(buf, len, HM_STATE_MAX, 1, &doc) != HALLMARK_OK) {
        return HALLMARK_ERR_STATE_INVALID;
    }
    platform = hm_json_string(doc, "platform", NULL);
    anchor = hm_json_string(doc, "anchor", NULL);
    root = hm_json_string(doc, "root", NULL);
    publisher = hm_json_string(doc, "publisher", NULL);
    /* [HM-BUNDLE-92]: version 1 (no status floor) or 2 (a floor of at least 1). */
    if (hm_json_uint(doc, "v", &v) && v == 2 &&
        (!hm_json_uint(doc, "status", &out->status) || out->status < 1)) {
        v = 0;
    }
    if (json_object_size(doc) == (size_t)(v == 2 ? 9 : 8) && (v == 1 || v == 2) &&
        platform != NULL && b64u43(anchor) && hm_json_uint(doc, "root_seq", &out->root_seq) &&
        root != NULL && (out->root_seq == 0 ? root[0] == '\0' : b64u43(root)) &&
        hm_json_uint(doc, "generation", &out->generation) && b64u43(publisher) &&
        hm_json_uint(doc, "serial", &out->serial) &&
        strcmp(platform, a->platform != NULL ? a->platform : "") == 0) {
        memcpy(out->root, root, strlen(root) + 1);
        memcpy(out->publisher, publisher, sizeof out->publisher);
        /* Only the exact form the library writes ([HM-BUNDLE-72]): same members, order, escapes. */
        canon = state_text(platform, anchor, out);
        if (canon == NULL) {
            rc = HALLMARK_ERR_NOMEM;
        } else if (strlen(canon) == len && memcmp(canon, buf, len) == 0) {
            rc = HALLMARK_OK;
            /* Other pins (an app release changed them) start a new history ([HM-BUNDLE-71]). */
            out->present = strcmp(anchor, a->digest) == 0;
        }
    }
    free(canon);
    json_decref(doc);
    if (rc != HALLMARK_OK || !out->present) {
        memset(out, 0, sizeof *out);
    }
    return rc;
}

const hm_brand_key *
hm_trust_find_key(const hm_trust *trust, const char *kid, size_t kid_len)
{
    size_t lo = 0, hi;

    if (trust == NULL || kid == NULL || kid_len != HM_KID_LEN) {
        return NULL;
    }
    hi = trust->key_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(trust->keys[mid].pub.kid, kid);
        if (c == 0) {
            return &trust->keys[mid];
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

void
hm_trust_free(hm_trust *trust)
{
    size_t i, j;

    if (trust == NULL) {
        return;
    }
    for (i = 0; i < trust->brand_count; i++) {
        hm_brand *b = &trust->brands[i];
        for (j = 0; j < b->sender_count; j++) {
            free(b->senders[j].channel);
            free(b->senders[j].value);
            free(b->senders[j].country);
        }
        for (j = 0; j < b->domain_count; j++) {
            free(b->domains[j]);
        }
        for (j = 0; j < b->phone_count; j++) {
            free(b->phones[j]);
        }
        free(b->senders);
        free(b->domains);
        free(b->phones);
        free(b->superseded);
        free(b->id);
        free(b->name);
        free(b->logo_url);
        free(b->domain);
        hm_cred_input_release(b->cred_input);
    }
    for (i = 0; i < trust->key_count; i++) {
        hm_pubkey_clear(&trust->keys[i].pub);
        for (j = 0; j < trust->keys[i].scope_channel_count; j++) {
            free(trust->keys[i].scope_channels[j]);
        }
        free(trust->keys[i].scope_channels);
        free(trust->keys[i].scope_senders);
    }
    free(trust->brands);
    free(trust->keys);
    free(trust->claims);
    free(trust->brand_keys);
    free(trust->brand_ids);
    free(trust->checks);
    free(trust->entry_digests);
    free(trust->platform);
    free(trust->consent_url);
    free(trust);
}

struct cred_block {
    atomic_size_t holders;
    char bytes[];
};

static struct cred_block *
cred_block_of(char *input)
{
    return (struct cred_block *)(void *)(input - offsetof(struct cred_block, bytes));
}

char *
hm_cred_input_new(const char *src, size_t len)
{
    struct cred_block *block = malloc(sizeof *block + len + 1);

    if (block == NULL) {
        return NULL;
    }
    atomic_init(&block->holders, 1);
    memcpy(block->bytes, src, len);
    block->bytes[len] = '\0';
    return block->bytes;
}

char *
hm_cred_input_share(char *input)
{
    if (input != NULL) {
        atomic_fetch_add_explicit(&cred_block_of(input)->holders, 1, memory_order_relaxed);
    }
    return input;
}

void
hm_cred_input_release(char *input)
{
    struct cred_block *block;

    if (input == NULL) {
        return;
    }
    block = cred_block_of(input);
    if (atomic_fetch_sub_explicit(&block->holders, 1, memory_order_acq_rel) == 1) {
        free(block);
    }
}
