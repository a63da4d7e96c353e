/* Rebuilds spec/vectors/ (spec §12). Deterministic: fixed seeds, fixed times, Ed25519 signing.
 * ES256 signing is randomized, so an ES256 token already in KEPT_DIR is reused when its signing
 * input is unchanged (§12.4). usage: gen-vectors OUT_DIR [KEPT_DIR] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "../unit/fixture.h"
#include "hm_b64url.h"
#include "hm_digest.h"
#include "hm_jws_sign.h"
#include "hm_text.h"

#define NOW FX_NOW
#define DAY FX_DAY
#define LOGO "LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564"
#define TO_SMS "+447700900123"
#define UNICODE_BODY                                                                               \
    "Caf\xc3\xa9 \xe2\x98\x95 \xf0\x9f\x8e\x89 r\xc3\xa9"                                          \
    "servation confirm\xc3\xa9"                                                                    \
    "e"

static const char *out_dir, *kept_dir;
/* The token of vector "es256": every derived ES256 vector starts from it, so a kept file stays
 * byte-identical across rebuilds. */
static char *es256_kept;
static int counter, failures;

/* ---- keys ------------------------------------------------------------------------------------ */

static hm_signkey *root0, *root1, *publisher, *acme, *acme_retiring, *acme_pending, *acme_revoked,
    *acme_old, *acme_es, *globex, *rogue, *oldco, *expco, *fabx, *oldfab;

static hm_signkey *
seeded(hm_alg alg, unsigned char fill)
{
    unsigned char seed[32];
    hm_signkey *k = NULL;

    memset(seed, fill, sizeof seed);
    if (hm_signkey_from_secret(&k, alg, seed, sizeof seed) != HALLMARK_OK) {
        fprintf(stderr, "gen-vectors: key %u\n", fill);
        exit(2);
    }
    return k;
}

static const char *
kid(const hm_signkey *k)
{
    return hm_signkey_public(k)->kid;
}

static char *
b64(const unsigned char *bin, size_t len)
{
    char *s = malloc(hm_b64url_encoded_len(len) + 1);

    hm_b64url_encode(s, hm_b64url_encoded_len(len) + 1, bin, len, NULL);
    return s;
}

static json_t *
jwk(const hm_signkey *k)
{
    char canon[HM_JWK_MAX];

    hm_pubkey_canonical_jwk(hm_signkey_public(k), canon, sizeof canon, NULL);
    return json_loads(canon, 0, NULL);
}

static json_t *
key_entry(const hm_signkey *k, const char *state, long long nbf, long long exp)
{
    json_t *e = jwk(k);

    json_object_set_new(e, "kid", json_string(kid(k)));
    json_object_set_new(e, "alg", json_string(hm_alg_name(hm_signkey_public(k)->alg)));
    json_object_set_new(e, "state", json_string(state));
    json_object_set_new(e, "nbf", json_integer(nbf));
    json_object_set_new(e, "exp", json_integer(exp));
    if (strcmp(state, "revoked") == 0) {
        json_object_set_new(e, "revoked_at", json_integer(NOW - DAY));
    }
    return e;
}

/* ---- credentials and bundles ----------------------------------------------------------------- */

static json_t *
credential_payload(const char *id, const char *name, json_t *senders, long long nbf, long long exp)
{
    return json_pack("{s:i,s:s,s:s,s:{s:s,s:i,s:i,s:s},s:{s:s,s:s},s:s,s:o,s:[s],s:I,s:I}", "v", 1,
                     "sub", id, "name", name, "logo", "sha256", LOGO, "width", 256, "height", 256,
                     "url", "https://cdn.acme.example/logo.png", "colors", "primary", "#0B5FFF",
                     "background", "#FFFFFF", "level", "organization", "senders", senders,
                     "link_domains", "acme.example", "nbf", (json_int_t)nbf, "exp",
                     (json_int_t)exp);
}

static json_t *
acme_senders(void)
{
    return json_pack("[{s:s,s:s},{s:s,s:s},{s:s,s:s},{s:s,s:s},{s:s,s:s},{s:s,s:s},{s:s,s:s},"
                     "{s:s,s:s},{s:s,s:s}]",
                     "channel", "sms", "id", "ACMEBANK", "channel", "sms", "id", "72233", "channel",
                     "sms", "prefix", "+4477009", "channel", "whatsapp", "id", "+447700900500",
                     "channel", "rcs", "id", "acme_bank_agent@rbm.goog", "channel", "email", "id",
                     "acme.example", "channel", "push", "id", "com.acme.bank", "channel", "inapp",
                     "id", "com.acme.bank", "channel", "fax-ng", "id", "ACME FAX 1");
}

static char *acme_credential, *old_acme_credential, *globex_credential, *oldco_credential,
    *expco_credential;
static char acme_cred_digest[48], old_acme_cred_digest[48];

static void
credential_digest(const char *jws, char out[48])
{
    if (hm_jws_payload_digest(jws, out) != HALLMARK_OK) {
        fprintf(stderr, "gen-vectors: credential digest\n");
        exit(2);
    }
}

static char *
sign_json(const hm_signkey *k, const char *typ, json_t *payload)
{
    char *s = fx_sign(k, typ, "Ed25519", payload);

    json_decref(payload);
    return s;
}

static void
make_credentials(void)
{
    json_t *old = credential_payload("acme-bank", "Acme Bank", acme_senders(), NOW - 400 * DAY,
                                     NOW + 365 * DAY);

    json_object_set_new(json_object_get(old, "colors"), "primary", json_string("#003399"));
    old_acme_credential = sign_json(publisher, "hallmark-brand+jwt", old);
    acme_credential = sign_json(publisher, "hallmark-brand+jwt",
                                credential_payload("acme-bank", "Acme Bank", acme_senders(),
                                                   NOW - 30 * DAY, NOW + 365 * DAY));
    globex_credential =
        sign_json(publisher, "hallmark-brand+jwt",
                  credential_payload("globex", "Globex",
                                     json_pack("[{s:s,s:s}]", "channel", "sms", "id", "GLOBEX"),
                                     NOW - 30 * DAY, NOW + 365 * DAY));
    oldco_credential =
        sign_json(publisher, "hallmark-brand+jwt",
                  credential_payload("oldco", "OldCo",
                                     json_pack("[{s:s,s:s}]", "channel", "sms", "id", "OLDCO"),
                                     NOW - 30 * DAY, NOW + 365 * DAY));
    expco_credential =
        sign_json(publisher, "hallmark-brand+jwt",
                  credential_payload("expco", "ExpCo",
                                     json_pack("[{s:s,s:s}]", "channel", "sms", "id", "EXPCO"),
                                     NOW - 400 * DAY, NOW - DAY));
    credential_digest(acme_credential, acme_cred_digest);
    credential_digest(old_acme_credential, old_acme_cred_digest);
}

struct bundle_opts {
    long long serial, exp;
    int chain;          /* roots: R0 -> R1, publisher certified by R1 */
    int tamper;         /* flip one payload character after signing */
    int foreign_signer; /* bundle signed by the rogue key instead of the publisher */
    int bad_cred_sig;   /* acme's credential signed by the rogue key */
    int dup_brand;      /* acme listed twice */
    const char *acme_key_alg_override;
    const hm_signkey *signer;       /* signs the bundle instead of the publisher */
    const hm_signkey *cert_signer;  /* signs the publisher certificate instead of the root */
    const json_t *extra_acme_key;   /* appended to acme's keys */
    const json_t *extra_brands;     /* brand entries appended to the four */
    const char *extra_revoked;      /* a brand id appended to revoked_brands */
    const char *acme_cred_override; /* acme's credential JWS */
    long long status_every;         /* 0: no "status_every" member (issue 21) */
    long long iat;                  /* 0: NOW - 3600 */
    const char *consent_url;        /* the bundle's consent_url (HM-BUNDLE-96) */
};

/* An Ed25519 public key of order 8: small-order keys (spec [HM-BUNDLE-3], [HM-TRUST-7]). */
static const unsigned char ORDER8[32] = {
    0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
    0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05};

static char *
bundle(const struct bundle_opts *o)
{
    json_t *cert = json_pack("{s:i,s:o,s:I,s:I}", "v", 1, "jwk", jwk(publisher), "nbf",
                             (json_int_t)(NOW - 365 * DAY), "exp", (json_int_t)(NOW + 365 * DAY));
    json_t *roots = json_array(), *acme_keys, *brands, *payload;
    char *cert_jws, *out;
    const char *acme_cred = o->acme_cred_override ? o->acme_cred_override : acme_credential;
    char *bad_cred = NULL;

    if (o->chain) {
        char *statement = sign_json(root0, "hallmark-root+jwt",
                                    json_pack("{s:i,s:i,s:o,s:I}", "v", 1, "seq", 1, "jwk",
                                              jwk(root1), "iat", (json_int_t)(NOW - 10 * DAY)));
        json_array_append_new(roots, json_string(statement));
        free(statement);
    }
    cert_jws = fx_sign(o->cert_signer ? o->cert_signer
                       : o->chain     ? root1
                                      : root0,
                       "hallmark-publisher+jwt", "Ed25519", cert);
    json_decref(cert);
    if (o->bad_cred_sig) {
        const char *d1 = strchr(acme_credential, '.'), *d2 = strrchr(acme_credential, '.');
        unsigned char p[8192];
        size_t n = 0;
        hm_b64url_decode(p, sizeof p, d1 + 1, (size_t)(d2 - d1 - 1), &n);
        p[n] = '\0';
        bad_cred =
            fx_sign_raw(rogue, "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-brand+jwt\",\"kid\":\"x\"}",
                        (const char *)p);
        acme_cred = bad_cred;
    }
    acme_keys =
        json_pack("[o,o,o,o,o,o]", key_entry(acme, "active", NOW - 30 * DAY, NOW + 365 * DAY),
                  key_entry(acme_retiring, "retiring", NOW - 200 * DAY, NOW + 30 * DAY),
                  key_entry(acme_pending, "pending", NOW - DAY, NOW + 400 * DAY),
                  key_entry(acme_revoked, "revoked", NOW - 100 * DAY, NOW + 300 * DAY),
                  key_entry(acme_old, "retired", NOW - 400 * DAY, NOW - 40 * DAY),
                  key_entry(acme_es, "active", NOW - 30 * DAY, NOW + 365 * DAY));
    if (o->extra_acme_key != NULL) {
        json_array_append_new(acme_keys, json_deep_copy(o->extra_acme_key));
    }
    if (o->acme_key_alg_override != NULL) {
        json_object_set_new(json_array_get(acme_keys, 0), "alg",
                            json_string(o->acme_key_alg_override));
    }
    brands =
        json_pack("[{s:s,s:[{s:s,s:I}],s:o},{s:s,s:o},{s:s,s:o},{s:s,s:o}]", "credential",
                  acme_cred, "superseded", "cred", old_acme_cred_digest, "until", (json_int_t)NOW,
                  "keys", acme_keys, "credential", globex_credential, "keys",
                  json_pack("[o]", key_entry(globex, "active", NOW - 30 * DAY, NOW + 365 * DAY)),
                  "credential", oldco_credential, "keys",
                  json_pack("[o]", key_entry(oldco, "active", NOW - 30 * DAY, NOW + 365 * DAY)),
                  "credential", expco_credential, "keys",
                  json_pack("[o]", key_entry(expco, "active", NOW - 300 * DAY, NOW + 365 * DAY)));
    if (o->dup_brand) {
        json_array_append(brands, json_array_get(brands, 1));
    }
    if (o->extra_brands != NULL) {
        json_array_extend(brands, (json_t *)o->extra_brands);
    }
    payload = json_pack("{s:i,s:s,s:I,s:I,s:I,s:o,s:s,s:o,s:[{s:s,s:I}]}", "v", 1, "platform",
                        "Hallmark Vectors", "serial", (json_int_t)o->serial, "iat",
                        (json_int_t)(o->iat != 0 ? o->iat : NOW - 3600), "exp", (json_int_t)o->exp,
                        "roots", roots, "publisher", cert_jws, "brands", brands, "revoked_brands",
                        "id", "oldco", "revoked_at", (json_int_t)(NOW - 2 * DAY));
    if (o->status_every != 0) {
        json_object_set_new(payload, "status_every", json_integer(o->status_every));
    }
    if (o->consent_url != NULL) {
        json_object_set_new(payload, "consent_url", json_string(o->consent_url));
    }
    if (o->extra_revoked != NULL) {
        json_array_append_new(json_object_get(payload, "revoked_brands"),
                              json_pack("{s:s,s:I}", "id", o->extra_revoked, "revoked_at",
                                        (json_int_t)(NOW - 2 * DAY)));
    }
    out = fx_sign(o->signer           ? o->signer
                  : o->foreign_signer ? rogue
                                      : publisher,
                  "hallmark-bundle+jwt", "Ed25519", payload);
    if (o->tamper) { /* one signature character, inside the alphabet */
        char *dot = strrchr(out, '.');
        dot[10] = dot[10] == 'A' ? 'B' : 'A';
    }
    json_decref(payload);
    free(cert_jws);
    free(bad_cred);
    return out;
}

static char *default_bundle;

/* ---- tokens ---------------------------------------------------------------------------------- */

static json_t *
claims(const char *channel, const char *from, const char *to, const char *body, const char *jti)
{
    unsigned char d[32];
    char *body_b64, *rcpt_b64;
    json_t *c;

    hm_body_digest((const unsigned char *)body, strlen(body), d);
    body_b64 = b64(d, 32);
    hm_recipient_stem(channel, from, to, d);
    hm_recipient_digest(jti, channel, d, d);
    rcpt_b64 = b64(d, 32);
    c = json_pack("{s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s}}", "iss", "acme-bank", "iat",
                  (json_int_t)(NOW - 60), "exp", (json_int_t)(NOW - 60 + DAY), "jti", jti,
                  "channel", channel, "from", from, "rcpt", rcpt_b64, "body", body_b64, "cred",
                  acme_cred_digest, "category", "transactional", "sender", "kind", "automated");
    free(body_b64);
    free(rcpt_b64);
    return c;
}

static char *
token_alg(const hm_signkey *k, const char *alg, json_t *c)
{
    return fx_sign(k, "hallmark-msg+jwt", alg, c);
}

static char *
token(const hm_signkey *k, json_t *c)
{
    return token_alg(k, hm_alg_name(hm_signkey_public(k)->alg), c);
}

/* An ES256 token of key k: the kept one when its header.payload is unchanged, else freshly
 * signed. */
static char *
es256_token_of(const hm_signkey *k, const char *name, json_t *c)
{
    char *fresh = token(k, c), path[1024];
    json_t *old;
    const char *kept;

    if (kept_dir == NULL) {
        return fresh;
    }
    (void)snprintf(path, sizeof path, "%s/%03d-%s.json", kept_dir, counter + 1, name);
    old = json_load_file(path, 0, NULL);
    kept = json_string_value(json_object_get(json_object_get(old, "message"), "token"));
    if (kept != NULL && strrchr(kept, '.') - kept == strrchr(fresh, '.') - fresh &&
        strncmp(kept, fresh, (size_t)(strrchr(fresh, '.') - fresh)) == 0) {
        free(fresh);
        fresh = strdup(kept);
    }
    json_decref(old);
    if (strcmp(name, "es256") == 0) {
        free(es256_kept);
        es256_kept = strdup(fresh);
    }
    return fresh;
}

static char *
es256_token(const char *name, json_t *c)
{
    return es256_token_of(acme_es, name, c);
}

/* ---- emitting -------------------------------------------------------------------------------- */

struct vec {
    const char *name, *description, *spec, *bundle, *channel, *from, *to, *body, *body_b64, *token,
        *result;
    long long last_serial, now, load_now, serial;
    json_t *brand; /* consumed */
    const char *root_override;
    /* Trust anchor and state (§6.8); zero values: root0 alone, threshold 1, "Hallmark Vectors",
     * and a state at the default bundle's position when last_serial > 0. */
    json_t *roots;            /* consumed: the pinned set, overrides root_override */
    int threshold;            /* 0: 1 */
    const char *platform;     /* NULL: the bundles' platform */
    const char *state;        /* the persisted state passed to the load, or NULL */
    const char *expect_state; /* the state a successful load returns, or NULL */
};

#define PLATFORM "Hallmark Vectors"

/* The displayed fields passed to verify and the expected UI class (§12.2), for the next emit only
 * (issue 22 items 6 and 7); emit_with clears them. Kept out of struct vec so that its positional
 * initializers stay as they are. */
static struct {
    const char *subject, *reply_to, *ui;
} displayed;

/* The status object loaded after the bundle and the stored verdict re-checked (§12.2, issue 21),
 * for the next emit only; emit_with clears them. */
static struct {
    const char *status;
    json_t *recheck;       /* consumed */
    long long received_at; /* 0: absent, now is both times ([HM-VERIFY-60]) */
} after_load;

static int
compare_raw(const void *a, const void *b)
{
    return memcmp(a, b, 32);
}

/* The state text of §6.8, written here from the spec, not by the library: anchor of (platform,
 * threshold, roots sorted), then the position. */
static char *
state_for(const char *platform, const json_t *roots, int threshold, long long root_seq,
          const char *root, long long generation, const char *publisher_kid, long long serial)
{
    unsigned char raw[16][32], buf[64 + 2 + 16 * 32];
    char anchor[48], *text;
    size_t i, n = json_array_size(roots), len = strlen(platform), got = 0;
    json_t *doc;

    for (i = 0; i < n && i < 16; i++) {
        const json_t *r = json_array_get(roots, i);
        if (hm_b64url_decode(raw[i], 32, json_string_value(r), json_string_length(r), &got) !=
                HALLMARK_OK ||
            got != 32) {
            failures++;
        }
    }
    qsort(raw, n, 32, compare_raw);
    memcpy(buf, platform, len);
    buf[len] = 0;
    buf[len + 1] = (unsigned char)threshold;
    for (i = 0; i < n; i++) {
        memcpy(buf + len + 2 + 32 * i, raw[i], 32);
    }
    hm_sha256_b64url(anchor, buf, len + 2 + 32 * n);
    doc =
        json_pack("{s:i,s:s,s:s,s:I,s:s,s:I,s:s,s:I}", "v", 1, "platform", platform, "anchor",
                  anchor, "root_seq", (json_int_t)root_seq, "root", root, "generation",
                  (json_int_t)generation, "publisher", publisher_kid, "serial", (json_int_t)serial);
    text = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(doc);
    return text;
}

/* Writes one vector file as HM-VEC-2 says: two-space indentation and a final LF. */
static void
write_vector(const json_t *doc, const char *path)
{
    FILE *f;

    if (json_dump_file(doc, path, JSON_INDENT(2)) != 0) {
        fprintf(stderr, "gen-vectors: cannot write %s\n", path);
        failures++;
    } else if ((f = fopen(path, "a")) == NULL || fputc('\n', f) == EOF || fclose(f) != 0) {
        failures++;
    }
}

/* Writes the vector; with fetched (consumed), the message carries the directory's tokens
 * (§9.6) instead of a token. */
static void
emit_with(struct vec *v, json_t *fetched)
{
    char path[1024], *root_b64 = b64(hm_signkey_public(root0)->raw, 32), *state = NULL;
    json_t *spec = json_array(), *doc, *msg, *expect, *roots;
    char *ids = strdup(v->spec), *tok, *save = NULL;

    counter++;
    for (tok = strtok_r(ids, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
        json_array_append_new(spec, json_string(tok));
    }
    free(ids);
    msg = json_pack("{s:s,s:s,s:s}", "channel", v->channel, "from", v->from, "to", v->to);
    if (v->body_b64 != NULL) {
        json_object_set_new(msg, "body_b64", json_string(v->body_b64));
    } else {
        json_object_set_new(msg, "body", json_string(v->body));
    }
    if (fetched != NULL) {
        json_object_set_new(msg, "tokens", fetched);
    } else {
        json_object_set_new(msg, "token", json_string(v->token != NULL ? v->token : ""));
    }
    if (displayed.subject != NULL) {
        json_object_set_new(msg, "subject", json_string(displayed.subject));
    }
    if (displayed.reply_to != NULL) {
        json_object_set_new(msg, "reply_to", json_string(displayed.reply_to));
    }
    expect = json_pack("{s:s}", "result", v->result);
    if (v->serial > 0) {
        json_object_set_new(expect, "serial", json_integer(v->serial));
    }
    if (v->expect_state != NULL) {
        json_object_set_new(expect, "state", json_string(v->expect_state));
    }
    if (v->brand != NULL) {
        json_object_set_new(expect, "brand", v->brand);
    }
    if (displayed.ui != NULL) {
        json_object_set_new(expect, "ui", json_string(displayed.ui));
    }
    memset(&displayed, 0, sizeof displayed);
    roots = v->roots != NULL
                ? v->roots
                : json_pack("[s]", v->root_override != NULL ? v->root_override : root_b64);
    if (v->state == NULL && v->last_serial > 0) { /* after the default bundle's position */
        state = state_for(PLATFORM, roots, 1, 0, "", 0, kid(publisher), v->last_serial);
    }
    doc = json_pack("{s:s,s:o,s:o,s:o,s:s,s:i,s:o,s:I}", "description", v->description, "spec",
                    spec, "roots", roots, "bundle",
                    v->bundle != NULL ? json_string(v->bundle) : json_null(), "platform",
                    v->platform != NULL ? v->platform : PLATFORM, "threshold",
                    v->threshold > 0 ? v->threshold : 1, "state",
                    v->state != NULL ? json_string(v->state)
                    : state != NULL  ? json_string(state)
                                     : json_null(),
                    "now", (json_int_t)(v->now ? v->now : NOW));
    free(state);
    if (v->load_now) {
        json_object_set_new(doc, "load_now", json_integer(v->load_now));
    }
    if (after_load.received_at != 0) {
        json_object_set_new(doc, "received_at", json_integer(after_load.received_at));
    }
    if (after_load.status != NULL) {
        json_object_set_new(doc, "status", json_string(after_load.status));
    }
    if (after_load.recheck != NULL) {
        json_object_set_new(doc, "recheck", after_load.recheck);
    }
    memset(&after_load, 0, sizeof after_load);
    json_object_set_new(doc, "message", msg);
    json_object_set_new(doc, "expect", expect);
    (void)snprintf(path, sizeof path, "%s/%03d-%s.json", out_dir, counter, v->name);
    write_vector(doc, path);
    json_decref(doc);
    free(root_b64);
}

static void
emit(struct vec *v)
{
    emit_with(v, NULL);
}

/* The expected verified result for an acme token, written from the generator's own inputs. */
static json_t *
acme_brand(const hm_signkey *k, const json_t *c)
{
    json_t *b =
        json_pack("{s:s,s:s,s:s,s:O,s:O,s:[],s:s,s:s,s:O,s:O,s:{s:s,s:i,s:i,s:s},s:{s:s,s:s}}",
                  "id", "acme-bank", "name", "Acme Bank", "level", "organization", "category",
                  json_object_get(c, "category"), "sender", json_object_get(c, "sender"), "actions",
                  "kid", kid(k), "alg", hm_alg_name(hm_signkey_public(k)->alg), "iat",
                  json_object_get(c, "iat"), "exp", json_object_get(c, "exp"), "logo", "sha256",
                  LOGO, "width", 256, "height", 256, "url", "https://cdn.acme.example/logo.png",
                  "colors", "primary", "#0B5FFF", "background", "#FFFFFF");

    if (json_object_get(c, "actions") != NULL) {
        json_object_set(b, "actions", json_object_get(c, "actions"));
    }
    if (json_object_get(c, "conv") != NULL) { /* scoped to its brand ([HM-VERIFY-51]) */
        json_object_set_new(b, "conv",
                            json_pack("s++", json_string_value(json_object_get(c, "iss")), "/",
                                      json_string_value(json_object_get(c, "conv"))));
    }
    return b;
}

/* ---- cases ----------------------------------------------------------------------------------- */

#define BODY                                                                                       \
    "Acme Bank: your card ending 4242 was charged \xc2\xa3"                                        \
    "10.00 at Acme Store."

static void
positive(const char *name, const char *description, const char *spec, const hm_signkey *k,
         const char *channel, const char *msg_from, const char *msg_to, const char *msg_body,
         json_t *c)
{
    char *t = k == acme_es ? es256_token(name, c) : token(k, c);
    struct vec v = {name,
                    description,
                    spec,
                    default_bundle,
                    channel,
                    msg_from,
                    msg_to,
                    msg_body,
                    NULL,
                    t,
                    "HALLMARK_VERIFIED",
                    0,
                    0,
                    0,
                    7,
                    acme_brand(k, c),
                    NULL,
                    NULL,
                    0,
                    NULL,
                    NULL,
                    NULL};

    emit(&v);
    free(t);
    json_decref(c);
}

static void
negative(const char *name, const char *description, const char *spec, const char *result,
         const char *channel, const char *msg_from, const char *msg_to, const char *msg_body,
         const char *t)
{
    struct vec v = {name,     description, spec, default_bundle, channel, msg_from, msg_to,
                    msg_body, NULL,        t,    result,         0,       0,        0,
                    0,        NULL,        NULL, NULL,           0,       NULL,     NULL,
                    NULL};

    emit(&v);
}

static json_t *
sms_claims(const char *body, const char *jti)
{
    return claims("sms", "ACMEBANK", TO_SMS, body, jti);
}

/* A verified case whose token is made by the caller (custom header, derived signature...). */
static void
positive_token(const char *name, const char *description, const char *spec, const hm_signkey *k,
               const char *t, const char *bundle_text, json_t *c)
{
    char *body = strdup(json_string_value(json_object_get(c, "x-body")));
    struct vec v = {name,
                    description,
                    spec,
                    bundle_text,
                    "sms",
                    "ACMEBANK",
                    TO_SMS,
                    body,
                    NULL,
                    t,
                    "HALLMARK_VERIFIED",
                    0,
                    0,
                    0,
                    7,
                    NULL,
                    NULL,
                    NULL,
                    0,
                    NULL,
                    NULL,
                    NULL};

    json_object_del(c, "x-body"); /* frees the string body was copied from */
    v.brand = acme_brand(k, c);
    emit(&v);
    free(body);
    json_decref(c);
}

/* n - s for P-256, in place on 32 big-endian bytes. */
static void
negate_s(unsigned char s[32])
{
    static const unsigned char n[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
                                        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                        0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
                                        0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
    int i, borrow = 0;

    for (i = 31; i >= 0; i--) {
        int d = n[i] - s[i] - borrow;
        borrow = d < 0;
        s[i] = (unsigned char)(d + (borrow ? 256 : 0));
    }
}

/* Replaces the signature segment of t by sig (len bytes). */
static char *
with_signature(const char *t, const unsigned char *sig, size_t len)
{
    const char *dot = strrchr(t, '.');
    size_t head = (size_t)(dot - t) + 1;
    char *s = b64(sig, len), *out = malloc(head + strlen(s) + 1);

    memcpy(out, t, head);
    memcpy(out + head, s, strlen(s) + 1);
    free(s);
    return out;
}

/* The same token with its ES256 s replaced by n - s: the high-S twin (§11, HM-VEC-5). */
static char *
high_s_twin(const char *t)
{
    unsigned char sig[64];

    hm_b64url_decode_exact(sig, 64, strrchr(t, '.') + 1, strlen(strrchr(t, '.') + 1));
    negate_s(sig + 32);
    return with_signature(t, sig, 64);
}

static void
more_positives(void)
{
    json_t *c;
    char *t, *twin, *chain;
    struct bundle_opts chained = {.serial = 7, .exp = NOW + 7 * DAY, .chain = 1};

    c = sms_claims(BODY, "v017");
    t = token_alg(acme, "EdDSA", c);
    json_object_set_new(c, "x-body", json_string(BODY));
    positive_token("eddsa-header",
                   "alg \"EdDSA\" also names an Ed25519 key; alg in the result "
                   "is the key's",
                   "HM-VERIFY-9 HM-VERIFY-20", acme, t, default_bundle, c);
    free(t);
    positive("es256", "ES256 brand key (kept token: ECDSA signing is randomized)",
             "HM-VERIFY-10 HM-VEC-5", acme_es, "sms", "ACMEBANK", TO_SMS, BODY,
             sms_claims(BODY, "v018"));
    c = sms_claims(BODY, "v018");
    twin = high_s_twin(es256_kept);
    json_object_set_new(c, "x-body", json_string(BODY));
    positive_token("es256-high-s", "The high-S twin (n - s) of vector es256 is accepted",
                   "HM-VEC-5", acme_es, twin, default_bundle, c);
    free(twin);
    c = sms_claims(BODY, "v020");
    json_object_set_new(c, "cred", json_string(old_acme_cred_digest));
    positive("superseded-credential",
             "A token bound to a superseded credential, issued before "
             "its until",
             "HM-BUNDLE-8 HM-BUNDLE-9", acme, "sms", "ACMEBANK", TO_SMS, BODY, c);
    positive("pending-key",
             "A published pending key verifies (rotation publishes before it "
             "promotes)",
             "HM-TRUST-14 HM-BUNDLE-7", acme_pending, "sms", "ACMEBANK", TO_SMS, BODY,
             sms_claims(BODY, "v021"));
    positive("retiring-key", "A retiring key still verifies what it signed", "HM-VERIFY-11",
             acme_retiring, "sms", "ACMEBANK", TO_SMS, BODY, sms_claims(BODY, "v022"));
    chain = bundle(&chained);
    c = sms_claims(BODY, "v023");
    t = token(acme, c);
    json_object_set_new(c, "x-body", json_string(BODY));
    positive_token("root-rotation-chain",
                   "Bundle whose publisher is certified by a rotated root "
                   "(R0 -> R1)",
                   "HM-BUNDLE-13 HM-BUNDLE-14", acme, t, chain, c);
    free(t);
    free(chain);
    positive("emoji-and-accents", "Non-ASCII UTF-8 body", "HM-CANON-1", acme, "sms", "ACMEBANK",
             TO_SMS, UNICODE_BODY, sms_claims(UNICODE_BODY, "v024"));
    positive("other-channel", "An extensible channel the credential authorizes", "HM-TOKEN-13",
             acme, "fax-ng", "ACME FAX 1", "+15551234567", "Fax body",
             claims("fax-ng", "ACME FAX 1", "+15551234567", "Fax body", "v025"));
}

static void
positives(void)
{
    json_t *c;

    positive("sms-alphanumeric", "SMS from an alphanumeric sender id, Ed25519, automated",
             "HM-VERIFY-19 HM-CRED-15", acme, "sms", "ACMEBANK", TO_SMS, BODY,
             sms_claims(BODY, "v001"));
    positive("sms-short-code", "SMS from a short code", "HM-VERIFY-19 HM-ID-1", acme, "sms",
             "72233", TO_SMS, "Your code is 123456",
             claims("sms", "72233", TO_SMS, "Your code is 123456", "v002"));
    c = claims("sms", "+447700900777", TO_SMS, BODY, "v003");
    positive("sms-e164-prefix", "SMS from an E.164 number authorized by a prefix entry",
             "HM-CRED-14 HM-CRED-15 HM-CRED-16", acme, "sms", "+447700900777", TO_SMS, BODY, c);
    positive("crlf-transport", "CRLF line ends in transit still verify", "HM-CANON-2", acme, "sms",
             "ACMEBANK", TO_SMS, "Line one\r\nLine two\r\n",
             sms_claims("Line one\nLine two", "v004"));
    positive("trailing-whitespace", "Trailing spaces, tabs and blank lines are not significant",
             "HM-CANON-3 HM-CANON-4", acme, "sms", "ACMEBANK", TO_SMS, "Hello  \t\nWorld \n\n\n",
             sms_claims("Hello\nWorld", "v005"));
    positive("bom-removed", "A leading byte order mark is removed", "HM-CANON-1", acme, "sms",
             "ACMEBANK", TO_SMS, "\xef\xbb\xbfHello", sms_claims("Hello", "v006"));
    positive("email-canonical-ids", "E-mail: sender domain and recipient domain lowercased",
             "HM-ID-3 HM-VERIFY-19", acme, "email", "ACME.Example.", "Jane.Doe@EXAMPLE.org",
             "Your statement is ready.",
             claims("email", "acme.example", "Jane.Doe@example.org", "Your statement is ready.",
                    "v007"));
    positive("rcs-agent-lowercased", "RCS: the agent id is lowercased before comparison", "HM-ID-3",
             acme, "rcs", "ACME_BANK_AGENT@rbm.goog", TO_SMS, BODY,
             claims("rcs", "acme_bank_agent@rbm.goog", TO_SMS, BODY, "v008"));
    positive("whatsapp", "WhatsApp from the brand's business number", "HM-VERIFY-19", acme,
             "whatsapp", "+447700900500", TO_SMS, BODY,
             claims("whatsapp", "+447700900500", TO_SMS, BODY, "v009"));
    positive("push", "Push notification from the brand's app id", "HM-VERIFY-19", acme, "push",
             "com.acme.bank", "user-8f2c1a", "Payment received",
             claims("push", "com.acme.bank", "user-8f2c1a", "Payment received", "v010"));
    positive("inapp", "In-app message", "HM-VERIFY-19", acme, "inapp", "com.acme.bank",
             "user-8f2c1a", "Welcome back",
             claims("inapp", "com.acme.bank", "user-8f2c1a", "Welcome back", "v011"));
    c = sms_claims("Hi, this is Sam from Acme support.", "v012");
    json_object_set_new(c, "sender", json_pack("{s:s,s:s}", "kind", "human", "name", "Sam"));
    json_object_set_new(c, "category", json_string("service"));
    json_object_set_new(c, "conv", json_string("conv-7f3a9e"));
    positive("human-agent", "A person writes, with an agent name and a conversation id",
             "HM-TOKEN-15 HM-TOKEN-16 HM-VERIFY-20", acme, "sms", "ACMEBANK", TO_SMS,
             "Hi, this is Sam from Acme support.", c);
    c = sms_claims("I can help with that.", "v013");
    json_object_set_new(c, "sender", json_pack("{s:s}", "kind", "ai"));
    json_object_set_new(c, "conv", json_string("conv-7f3a9e"));
    positive("ai-assistant", "An AI writes in the same conversation", "HM-TOKEN-15", acme, "sms",
             "ACMEBANK", TO_SMS, "I can help with that.", c);
    c = sms_claims("Your code is 904211", "v014");
    json_object_set_new(c, "category", json_string("otp"));
    positive("otp", "One-time code category", "HM-TOKEN-12", acme, "sms", "ACMEBANK", TO_SMS,
             "Your code is 904211", c);
    c = sms_claims("Spring offers are here.", "v015");
    json_object_set_new(c, "category", json_string("marketing"));
    json_object_set_new(c, "actions",
                        json_pack("[{s:s,s:s,s:s}]", "kind", "unsubscribe", "label", "Stop offers",
                                  "url", "https://acme.example/unsubscribe?u=1"));
    positive("marketing-unsubscribe", "Marketing with a signed unsubscribe action",
             "HM-TOKEN-17 HM-CRED-27", acme, "sms", "ACMEBANK", TO_SMS, "Spring offers are here.",
             c);
    c = sms_claims("Invoice 118 is due.", "v016");
    json_object_set_new(
        c, "actions",
        json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s}]", "kind", "link",
                  "label", "Pay now", "url", "https://acme.example/pay/i/118", "kind", "reply",
                  "label", "Ask a question", "url", "https://acme.example/help", "kind", "call",
                  "label", "Call us", "url", "https://acme.example:443/call", "kind", "preferences",
                  "label", "Preferences", "url", "https://Acme.Example/prefs#sms"));
    positive("four-actions", "Four actions: port 443 and a mixed-case host are inside",
             "HM-CRED-22 HM-CRED-25 HM-CRED-26 HM-CRED-50", acme, "sms", "ACMEBANK", TO_SMS,
             "Invoice 118 is due.", c);
    more_positives();
}

/* Signs claims with k's own alg and releases them. */
static char *
sign_claims(const hm_signkey *k, json_t *c)
{
    char *t = token(k, c);

    json_decref(c);
    return t;
}

/* A token over exact header and payload texts, signed by k. */
static char *
raw_token(const hm_signkey *k, const char *header_fmt, const char *payload)
{
    char header[512];
    const char *mark = strstr(header_fmt, "%s");
    size_t before = mark == NULL ? strlen(header_fmt) : (size_t)(mark - header_fmt);

    /* header_fmt holds one %s for the kid; spliced by hand (no runtime format strings). */
    memcpy(header, header_fmt, before);
    header[before] = '\0';
    if (mark != NULL) {
        (void)snprintf(header + before, sizeof header - before, "%s%s", kid(k), mark + 2);
    }
    return fx_sign_raw(k, header, payload);
}

static void
neg_token(const char *name, const char *description, const char *spec, const char *result, char *t)
{
    negative(name, description, spec, result, "sms", "ACMEBANK", TO_SMS, BODY, t);
    free(t);
}

static char *
compact(json_t *c)
{
    char *s = json_dumps(c, JSON_COMPACT);

    json_decref(c);
    return s;
}

static void
header_negatives(void)
{
    static const char *const refused[][2] = {
        {"header-jwk", "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\",\"jwk\":"
                       "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_"
                       "7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}}"},
        {"header-jku", "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\",\"jku\":"
                       "\"https://evil.example/jwks.json\"}"},
        {"header-x5u", "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\",\"x5u\":"
                       "\"https://evil.example/cert.pem\"}"},
        {"header-x5c", "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\",\"x5c\":"
                       "[\"MIIB\"]}"},
        {"header-crit", "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\","
                        "\"crit\":[\"exp\"]}"},
        {"header-b64-false", "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\","
                             "\"b64\":false}"},
        {"header-zip", "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\",\"zip\":"
                       "\"DEF\"}"},
    };
    static const char *const algs[][2] = {
        {"alg-none", "none"}, {"alg-hs256", "HS256"}, {"alg-rs256", "RS256"}};
    char *payload = compact(sms_claims(BODY, "n001")), header[256];
    size_t i;

    for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        neg_token(refused[i][0],
                  "A refused header member (embedded or remote key, processing "
                  "switch)",
                  "HM-VERIFY-9 HM-TOKEN-5", "HALLMARK_HEADER_REFUSED",
                  raw_token(acme, refused[i][1], payload));
    }
    for (i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        (void)snprintf(header, sizeof header,
                       "{\"alg\":\"%s\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%%s\"}", algs[i][1]);
        neg_token(algs[i][0], "An algorithm Hallmark does not support", "HM-VERIFY-9",
                  "HALLMARK_UNSUPPORTED_ALG", raw_token(acme, header, payload));
    }
    neg_token("alg-confusion-es256-on-ed25519", "ES256 named for an Ed25519 key", "HM-VERIFY-9",
              "HALLMARK_ALG_MISMATCH",
              raw_token(acme, "{\"alg\":\"ES256\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\"}",
                        payload));
    /* The attacker signs with an Ed25519 key of their own under the P-256 key's kid. */
    (void)snprintf(header, sizeof header,
                   "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\"}",
                   kid(acme_es));
    neg_token("alg-confusion-ed25519-on-p256", "Ed25519 named for a P-256 key", "HM-VERIFY-9",
              "HALLMARK_ALG_MISMATCH", fx_sign_raw(rogue, header, payload));
    neg_token("typ-jwt", "typ other than hallmark-msg+jwt", "HM-VERIFY-9", "HALLMARK_MALFORMED",
              raw_token(acme, "{\"alg\":\"Ed25519\",\"typ\":\"JWT\",\"kid\":\"%s\"}", payload));
    neg_token("duplicate-header-member", "Duplicate alg in the header", "HM-TOKEN-5",
              "HALLMARK_MALFORMED",
              raw_token(acme,
                        "{\"alg\":\"Ed25519\",\"alg\":\"Ed25519\",\"typ\":"
                        "\"hallmark-msg+jwt\",\"kid\":\"%s\"}",
                        payload));
    neg_token("missing-kid", "No kid", "HM-VERIFY-9", "HALLMARK_MALFORMED",
              fx_sign_raw(acme, "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\"}", payload));
    free(payload);
}

static void
structure_negatives(void)
{
    char *good = sign_claims(acme, sms_claims(BODY, "n010")), *t, *payload;
    json_t *c;
    size_t n = strlen(good);

    negative("unsigned", "A message with no token", "HM-VERIFY-6", "HALLMARK_UNSIGNED", "sms",
             "ACMEBANK", TO_SMS, BODY, "");
    t = malloc(n + 2);
    memcpy(t, good, n);
    t[n] = '=';
    t[n + 1] = '\0';
    neg_token("base64-padding", "Padding after the signature segment", "HM-VERIFY-8 HM-TOKEN-4",
              "HALLMARK_MALFORMED", t);
    t = strdup(good);
    t[5] = '+';
    neg_token("base64-plus", "'+' from the standard alphabet", "HM-VERIFY-8", "HALLMARK_MALFORMED",
              t);
    t = malloc(n + 2);
    memcpy(t, good, 10);
    t[10] = ' ';
    memcpy(t + 11, good + 10, n - 10 + 1);
    neg_token("base64-whitespace", "A space inside the header segment", "HM-VERIFY-8",
              "HALLMARK_MALFORMED", t);
    t = strdup(good);
    *strrchr(t, '.') = '\0';
    neg_token("two-segments", "Only header and payload", "HM-VERIFY-8", "HALLMARK_MALFORMED", t);
    t = malloc(8194);
    memset(t, 'A', 8193);
    t[100] = '.';
    t[200] = '.';
    t[8193] = '\0';
    neg_token("oversized", "A token over 8192 bytes", "HM-VERIFY-7", "HALLMARK_MALFORMED", t);
    neg_token("credential-as-token", "A brand credential presented as a message token",
              "HM-VERIFY-9", "HALLMARK_MALFORMED", strdup(acme_credential));
    c = sms_claims(BODY, "n011");
    payload = compact(c);
    t = malloc(strlen(payload) + 16);
    (void)snprintf(t, strlen(payload) + 16, "{\"iss\":\"globex\",%s", payload + 1);
    neg_token(
        "duplicate-claim", "iss given twice (parser differential)", "HM-VERIFY-12",
        "HALLMARK_MALFORMED",
        raw_token(acme, "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\"}", t));
    free(t);
    t = malloc(strlen(payload) + 4);
    (void)snprintf(t, strlen(payload) + 4, "%s{}", payload);
    neg_token(
        "trailing-data", "Data after the payload object", "HM-VERIFY-12", "HALLMARK_MALFORMED",
        raw_token(acme, "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\"}", t));
    free(t);
    t = malloc(strlen(payload) + 32);
    (void)snprintf(t, strlen(payload) + 32, "{\"x\":[[[[[1]]]]],%s", payload + 1);
    neg_token(
        "too-deep", "Payload nested deeper than 4", "HM-TOKEN-5", "HALLMARK_MALFORMED",
        raw_token(acme, "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\"}", t));
    free(t);
    free(payload);
    c = sms_claims(BODY, "n012");
    json_object_set_new(c, "exp", json_integer(NOW - 60 + 31 * DAY));
    neg_token("lifetime-over-30-days", "exp - iat over 30 days", "HM-TOKEN-18",
              "HALLMARK_MALFORMED", sign_claims(acme, c));
    free(good);
}

static void
signature_negatives(void)
{
    /* Ed25519 group order L, little-endian. */
    static const unsigned char L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                        0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                        0,    0,    0,    0,    0,    0,    0,    0,
                                        0,    0,    0,    0,    0,    0,    0,    0x10};
    char *a = sign_claims(acme, sms_claims(BODY, "n020"));
    char *b = sign_claims(acme, sms_claims("Something else", "n021"));
    const char *es = es256_kept;
    unsigned char sig[64];
    int i, carry = 0;

    hm_b64url_decode_exact(sig, 64, strrchr(b, '.') + 1, strlen(strrchr(b, '.') + 1));
    neg_token("signature-from-other-token", "A valid signature of another token", "HM-VERIFY-10",
              "HALLMARK_BAD_SIGNATURE", with_signature(a, sig, 64));
    hm_b64url_decode_exact(sig, 64, strrchr(a, '.') + 1, strlen(strrchr(a, '.') + 1));
    for (i = 0; i < 32; i++) { /* S + L: the same point, non-canonical scalar (malleability) */
        int v = sig[32 + i] + L[i] + carry;
        sig[32 + i] = (unsigned char)v;
        carry = v >> 8;
    }
    neg_token("ed25519-s-not-canonical", "Ed25519 S replaced by S + L (malleated signature)",
              "HM-VERIFY-10", "HALLMARK_BAD_SIGNATURE", with_signature(a, sig, 64));
    neg_token("signature-63-bytes", "A truncated signature", "HM-VERIFY-10",
              "HALLMARK_BAD_SIGNATURE", with_signature(a, sig, 63));
    hm_b64url_decode_exact(sig, 64, strrchr(es, '.') + 1, strlen(strrchr(es, '.') + 1));
    memset(sig, 0, 32);
    neg_token("es256-r-zero", "ES256 signature with r = 0", "HM-VERIFY-10",
              "HALLMARK_BAD_SIGNATURE", with_signature(es, sig, 64));
    neg_token("unknown-key", "Signed by a key no bundle lists", "HM-VERIFY-9",
              "HALLMARK_UNKNOWN_KEY", sign_claims(rogue, sms_claims(BODY, "n023")));
    free(a);
    free(b);
}

static json_t *
brand_claims(const char *iss, const char *from, const char *jti)
{
    json_t *c = claims("sms", from, TO_SMS, BODY, jti);

    json_object_set_new(c, "iss", json_string(iss));
    return c;
}

/* A negative SMS case whose message comes from `from`; takes ownership of t. */
static void
neg_from(const char *name, const char *description, const char *spec, const char *result,
         const char *from, char *t)
{
    negative(name, description, spec, result, "sms", from, TO_SMS, BODY, t);
    free(t);
}

static void
key_and_brand_negatives(void)
{
    json_t *c;

    c = sms_claims(BODY, "n030");
    json_object_set_new(c, "iat", json_integer(NOW - 200 * DAY));
    json_object_set_new(c, "exp", json_integer(NOW - 200 * DAY + 5 * DAY));
    neg_token("key-revoked-backdated", "A stolen, revoked key with a backdated iat",
              "HM-VERIFY-11 HM-BUNDLE-7", "HALLMARK_KEY_REVOKED", sign_claims(acme_revoked, c));
    neg_token("key-outside-validity", "A retired key used after its exp", "HM-VERIFY-12",
              "HALLMARK_KEY_NOT_VALID", sign_claims(acme_old, sms_claims(BODY, "n031")));
    neg_token("cross-brand-key", "Globex's valid key signs a token claiming to be Acme",
              "HM-VERIFY-12", "HALLMARK_ISSUER_MISMATCH",
              sign_claims(globex, sms_claims(BODY, "n032")));
    neg_from("brand-revoked", "A revoked brand keeps sending", "HM-VERIFY-13",
             "HALLMARK_BRAND_REVOKED", "OLDCO",
             sign_claims(oldco, brand_claims("oldco", "OLDCO", "n033")));
    neg_from("brand-expired", "The brand credential expired", "HM-VERIFY-13",
             "HALLMARK_BRAND_EXPIRED", "EXPCO",
             sign_claims(expco, brand_claims("expco", "EXPCO", "n034")));
    c = sms_claims(BODY, "n035");
    json_object_set_new(c, "cred", json_string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    neg_token("credential-unknown", "cred is no credential the bundle knows", "HM-VERIFY-13",
              "HALLMARK_BRAND_CREDENTIAL_INVALID", sign_claims(acme, c));
    c = sms_claims(BODY, "n036");
    json_object_set_new(c, "cred", json_string(old_acme_cred_digest));
    json_object_set_new(c, "iat", json_integer(NOW));
    json_object_set_new(c, "exp", json_integer(NOW + DAY));
    neg_token("credential-superseded-too-late", "A superseded credential after its until",
              "HM-BUNDLE-8", "HALLMARK_BRAND_CREDENTIAL_INVALID", sign_claims(acme, c));
}

static void
message_negatives(void)
{
    char *t = sign_claims(acme, sms_claims(BODY, "n040"));
    char *e = sign_claims(acme, claims("email", "acme.example", "jane@example.org", BODY, "n041"));
    struct vec v;

    negative("cross-channel-replay", "An e-mail token replayed on an SMS", "HM-VERIFY-14",
             "HALLMARK_CHANNEL_MISMATCH", "sms", "ACMEBANK", TO_SMS, BODY, e);
    negative("token-on-other-sender", "A valid token copied onto a message from another sender",
             "HM-VERIFY-14", "HALLMARK_SENDER_MISMATCH", "sms", "ACMEBANKS", TO_SMS, BODY, t);
    neg_from("sender-not-authorized", "The brand signs for a sender id it does not own",
             "HM-VERIFY-14 HM-CRED-15", "HALLMARK_SENDER_NOT_AUTHORIZED", "EVILBANK",
             sign_claims(acme, claims("sms", "EVILBANK", TO_SMS, BODY, "n042")));
    {
        char *m = sign_claims(
            acme, claims("email", "mail.acme.example", "jane@example.org", BODY, "n043"));
        negative("email-subdomain-sender", "No subdomain matching for e-mail senders", "HM-CRED-17",
                 "HALLMARK_SENDER_NOT_AUTHORIZED", "email", "mail.acme.example", "jane@example.org",
                 BODY, m);
        free(m);
    }
    negative("amount-changed",
             "\xc2\xa3"
             "10.00 changed to \xc2\xa3"
             "100.00",
             "HM-VERIFY-15 HM-CANON-5", "HALLMARK_BODY_MODIFIED", "sms", "ACMEBANK", TO_SMS,
             "Acme Bank: your card ending 4242 was charged \xc2\xa3"
             "100.00 at Acme Store.",
             t);
    {
        char *n = sign_claims(acme, sms_claims("Caf\xc3\xa9", "n044"));
        negative("nfd-is-not-nfc", "NFD body for an NFC-signed body: no normalization",
                 "HM-CANON-6", "HALLMARK_BODY_MODIFIED", "sms", "ACMEBANK", TO_SMS, "Cafe\xcc\x81",
                 n);
        free(n);
    }
    memset(&v, 0, sizeof v);
    v = (struct vec){"body-not-utf8",
                     "A body that is not UTF-8",
                     "HM-VERIFY-15 HM-CANON-1",
                     default_bundle,
                     "sms",
                     "ACMEBANK",
                     TO_SMS,
                     NULL,
                     "_w",
                     t,
                     "HALLMARK_BODY_MODIFIED",
                     0,
                     0,
                     0,
                     0,
                     NULL,
                     NULL,
                     NULL,
                     0,
                     NULL,
                     NULL,
                     NULL};
    emit(&v);
    negative("forwarded-to-other-recipient", "A token forwarded to another recipient",
             "HM-VERIFY-16", "HALLMARK_RECIPIENT_MISMATCH", "sms", "ACMEBANK", "+447700900999",
             BODY, t);
    v = (struct vec){"expired",
                     "now reaches exp + 300",
                     "HM-VERIFY-17",
                     default_bundle,
                     "sms",
                     "ACMEBANK",
                     TO_SMS,
                     BODY,
                     NULL,
                     t,
                     "HALLMARK_TOKEN_EXPIRED",
                     0,
                     NOW - 60 + DAY + 300,
                     0,
                     0,
                     NULL,
                     NULL,
                     NULL,
                     0,
                     NULL,
                     NULL,
                     NULL};
    emit(&v);
    v = (struct vec){"not-yet-valid",
                     "now before iat - 300",
                     "HM-VERIFY-17",
                     default_bundle,
                     "sms",
                     "ACMEBANK",
                     TO_SMS,
                     BODY,
                     NULL,
                     t,
                     "HALLMARK_TOKEN_NOT_YET_VALID",
                     0,
                     NOW - 60 - 301,
                     0,
                     0,
                     NULL,
                     NULL,
                     NULL,
                     0,
                     NULL,
                     NULL,
                     NULL};
    emit(&v);
    v = (struct vec){"bad-channel-argument",
                     "A channel name that is not [a-z0-9-]{1,16}",
                     "HM-VERIFY-1",
                     default_bundle,
                     "SMS",
                     "ACMEBANK",
                     TO_SMS,
                     BODY,
                     NULL,
                     t,
                     "HALLMARK_ERR_INVALID_ARGUMENT",
                     0,
                     0,
                     0,
                     0,
                     NULL,
                     NULL,
                     NULL,
                     0,
                     NULL,
                     NULL,
                     NULL};
    emit(&v);
    free(t);
    free(e);
}

static void
action_negatives(void)
{
    static const char *const urls[][2] = {
        {"action-userinfo", "https://acme.example@evil.example/pay"},
        {"action-suffix-trick", "https://acme.example.evil.example/pay"},
        {"action-lookalike", "https://evilacme.example/pay"},
        {"action-punycode-lookalike", "https://xn--acm-9na.example/pay"},
        {"action-http", "http://acme.example/pay"},
        {"action-javascript", "javascript:alert(1)"},
        {"action-ipv4", "https://192.0.2.10/pay"},
        {"action-ipv6", "https://[2001:db8::1]/pay"},
        {"action-port", "https://acme.example:8443/pay"},
        {"action-trailing-dot", "https://acme.example./pay"},
        {"action-uppercase-scheme", "HTTPS://acme.example/pay"},
    };
    size_t i;

    for (i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        json_t *c = sms_claims(BODY, "n050");
        json_object_set_new(
            c, "actions",
            json_pack("[{s:s,s:s,s:s}]", "kind", "link", "label", "Pay now", "url", urls[i][1]));
        neg_token(urls[i][0], "A phishing action URL", "HM-VERIFY-18 HM-CRED-19",
                  "HALLMARK_ACTION_NOT_AUTHORIZED", sign_claims(acme, c));
    }
}

static void
bundle_case(const char *name, const char *description, const char *spec, const char *result,
            char *bundle_text, long long last_serial, long long now, long long load_now,
            const char *root)
{
    char *t = sign_claims(acme, sms_claims(BODY, "n060"));
    struct vec v = {name, description, spec,   bundle_text, "sms", "ACMEBANK", TO_SMS, BODY,
                    NULL, t,           result, last_serial, now,   load_now,   0,      NULL,
                    root, NULL,        0,      NULL,        NULL,  NULL};

    emit(&v);
    free(t);
    free(bundle_text);
}

static void
bundle_negatives(void)
{
    struct bundle_opts o = {.serial = 7, .exp = NOW + 7 * DAY};
    char *root1_b64 = b64(hm_signkey_public(root1)->raw, 32);

    bundle_case("no-bundle", "No trust bundle loaded", "HM-VERIFY-5", "HALLMARK_NO_BUNDLE", NULL, 0,
                0, 0, NULL);
    bundle_case("bundle-garbage", "Bytes that are not a bundle", "HM-BUNDLE-19",
                "HALLMARK_BUNDLE_MALFORMED", strdup("not a bundle"), 0, 0, 0, NULL);
    o.dup_brand = 1;
    bundle_case("bundle-duplicate-brand", "A brand listed twice", "HM-BUNDLE-4",
                "HALLMARK_BUNDLE_MALFORMED", bundle(&o), 0, 0, 0, NULL);
    o.dup_brand = 0;
    o.acme_key_alg_override = "EdDSA";
    bundle_case("bundle-key-alg-eddsa", "A key entry must pin Ed25519, not EdDSA", "HM-BUNDLE-1",
                "HALLMARK_BUNDLE_MALFORMED", bundle(&o), 0, 0, 0, NULL);
    o.acme_key_alg_override = NULL;
    o.tamper = 1;
    bundle_case("bundle-tampered", "A bundle whose signature does not verify", "HM-BUNDLE-24",
                "HALLMARK_BUNDLE_BAD_SIGNATURE", bundle(&o), 0, 0, 0, NULL);
    o.tamper = 0;
    o.bad_cred_sig = 1;
    bundle_case("bundle-credential-forged", "A credential not signed by the publisher",
                "HM-BUNDLE-25", "HALLMARK_BUNDLE_BAD_SIGNATURE", bundle(&o), 0, 0, 0, NULL);
    o.bad_cred_sig = 0;
    o.foreign_signer = 1;
    bundle_case("bundle-foreign-signer", "A bundle signed by a key the root did not certify",
                "HM-BUNDLE-23", "HALLMARK_BUNDLE_UNTRUSTED", bundle(&o), 0, 0, 0, NULL);
    o.foreign_signer = 0;
    bundle_case("bundle-other-root", "The app pins another root", "HM-BUNDLE-21",
                "HALLMARK_BUNDLE_UNTRUSTED", bundle(&o), 0, 0, 0, root1_b64);
    bundle_case("bundle-rollback", "An older bundle after serial 8 was accepted",
                "HM-BUNDLE-26 HM-BUNDLE-31", "HALLMARK_BUNDLE_ROLLBACK", bundle(&o), 8, 0, 0, NULL);
    o.exp = NOW - 1;
    bundle_case("bundle-expired-at-load", "A bundle already expired when loaded", "HM-BUNDLE-27",
                "HALLMARK_BUNDLE_EXPIRED", bundle(&o), 0, 0, 0, NULL);
    o.exp = NOW + DAY;
    bundle_case("bundle-frozen", "Updates blocked: the loaded bundle expires before verify",
                "HM-VERIFY-5 HM-BUNDLE-33", "HALLMARK_BUNDLE_EXPIRED", bundle(&o), 0, NOW + 2 * DAY,
                NOW, NULL);
    bundle_case("root-not-a-point", "A pinned root that is not a valid Ed25519 key", "HM-BUNDLE-17",
                "HALLMARK_ERR_INVALID_KEY", bundle(&o), 0, 0, 0,
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    free(root1_b64);
}

/* ---- attack corpus (issue 6: each class of the issue's list, spec §7.4) -------------------- */

static const char B64U_ALPHABET[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
#define TOKEN_HEADER_FMT "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\"}"

static char *
concat3(const char *a, const char *sep, const char *b)
{
    size_t n = strlen(a) + strlen(sep) + strlen(b) + 1;
    char *s = malloc(n);

    (void)snprintf(s, n, "%s%s%s", a, sep, b);
    return s;
}

/* "h64.p64" signed over exactly those bytes (possibly non-canonical base64url). */
static char *
sign_input(const hm_signkey *k, const char *input)
{
    unsigned char sig[64];
    char *s, *out;

    hm_signkey_sign(k, (const unsigned char *)input, strlen(input), sig);
    s = b64(sig, 64);
    out = concat3(input, ".", s);
    free(s);
    return out;
}

/* The base64url of text (bytes up to len). */
static char *
b64_text(const char *text, size_t len)
{
    return b64((const unsigned char *)text, len);
}

/* The standard token header text for k, with `spaces` blanks after the brace. */
static char *
header_text(const hm_signkey *k, int spaces)
{
    char h[256];

    (void)snprintf(h, sizeof h, "{%*s\"alg\":\"%s\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\"}",
                   spaces, "", hm_alg_name(hm_signkey_public(k)->alg), kid(k));
    return strdup(h);
}

/* payload with `ins` inserted right after its opening brace. */
static char *
splice(const char *payload, const char *ins)
{
    size_t n = strlen(payload) + strlen(ins) + 1;
    char *s = malloc(n);

    (void)snprintf(s, n, "{%s%s", ins, payload + 1);
    return s;
}

/* Text with enough leading blanks after its brace that its length mod 3 equals mod3. */
static char *
pad_to_mod3(const char *text, size_t mod3)
{
    char blanks[3] = "";
    size_t n = strlen(text), i = 0;

    while ((n + i) % 3 != mod3) {
        blanks[i++] = ' ';
    }
    blanks[i] = '\0';
    return splice(text, blanks);
}

/* Sets an unused low-order bit of the last character of a segment (length mod 4 is 2 or 3). */
static void
set_unused_bit(char *seg, size_t len)
{
    const char *p = strchr(B64U_ALPHABET, seg[len - 1]);

    seg[len - 1] = B64U_ALPHABET[(p - B64U_ALPHABET) | 1];
}

static void
neg_raw(const char *name, const char *description, const char *spec, const char *result,
        const char *header, const char *payload)
{
    neg_token(name, description, spec, result, fx_sign_raw(acme, header, payload));
}

static char *
header_for(const hm_signkey *k)
{
    char h[256];

    (void)snprintf(h, sizeof h, TOKEN_HEADER_FMT, kid(k));
    return strdup(h);
}

static void
attack_algorithms(void)
{
    static const char *const unsupported[][2] = {
        {"alg-ed25519-uppercase", "ED25519"},
        {"alg-eddsa-lowercase", "eddsa"},
        {"alg-none-capitalized", "None"},
        {"alg-es384", "ES384"},
        {"alg-ps256", "PS256"},
        {"alg-ed448", "Ed448"},
        {"alg-es256k", "ES256K"},
        {"alg-empty", ""},
    };
    char *payload = compact(sms_claims(BODY, "a001")), h[256], *p64, *h64, *in, *t;
    unsigned char mac[32];
    size_t i;

    for (i = 0; i < sizeof unsupported / sizeof unsupported[0]; i++) {
        (void)snprintf(h, sizeof h, "{\"alg\":\"%s\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\"}",
                       unsupported[i][1], kid(acme));
        neg_raw(unsupported[i][0],
                "alg names no algorithm Hallmark accepts (names are case-sensitive)",
                "HM-VERIFY-9 HM-TOKEN-11", "HALLMARK_UNSUPPORTED_ALG", h, payload);
    }
    p64 = b64_text(payload, strlen(payload));
    /* HS256 keyed with the brand's public key bytes: a real HMAC, the classic confusion. */
    (void)snprintf(h, sizeof h, "{\"alg\":\"HS256\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\"}",
                   kid(acme));
    h64 = b64_text(h, strlen(h));
    in = concat3(h64, ".", p64);
    crypto_auth_hmacsha256(mac, (const unsigned char *)in, strlen(in),
                           hm_signkey_public(acme)->raw);
    t = b64(mac, 32);
    neg_token("alg-hs256-keyed-with-public-key",
              "HS256 with a valid HMAC keyed with the brand's public key", "HM-VERIFY-9",
              "HALLMARK_UNSUPPORTED_ALG", concat3(in, ".", t));
    free(t);
    free(h64);
    free(in);
    free(p64);
    (void)snprintf(h, sizeof h, "{\"alg\":\"EdDSA\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\"}",
                   kid(acme_es));
    neg_token("alg-confusion-eddsa-on-p256",
              "EdDSA named for a P-256 key, signed with the attacker's Ed25519 key",
              "HM-VERIFY-9 HM-TOKEN-11", "HALLMARK_ALG_MISMATCH", fx_sign_raw(rogue, h, payload));
    (void)snprintf(h, sizeof h,
                   "{\"alg\":[\"Ed25519\"],\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\"}",
                   kid(acme));
    neg_raw("alg-not-a-string", "alg is an array", "HM-VERIFY-9", "HALLMARK_MALFORMED", h, payload);
    neg_raw("typ-uppercase", "typ differs in case", "HM-VERIFY-9 HM-TOKEN-7", "HALLMARK_MALFORMED",
            "{\"alg\":\"Ed25519\",\"typ\":\"HALLMARK-MSG+JWT\",\"kid\":\"x\"}", payload);
    (void)snprintf(h, sizeof h, "{\"alg\":\"Ed25519\",\"kid\":\"%s\"}", kid(acme));
    neg_raw("typ-missing", "No typ", "HM-VERIFY-9 HM-TOKEN-6", "HALLMARK_MALFORMED", h, payload);
    (void)snprintf(h, sizeof h,
                   "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-brand+jwt\",\"kid\":\"%s\"}",
                   kid(acme));
    neg_raw("typ-brand-credential", "Token claims under the credential typ (type confusion)",
            "HM-VERIFY-9 HM-TOKEN-7", "HALLMARK_MALFORMED", h, payload);
    free(payload);
}

static void
attack_header_members(void)
{
    static const char *const refused[][2] = {
        {"header-x5t", "\"x5t\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAA\""},
        {"header-x5t-s256", "\"x5t#S256\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\""},
        {"header-cty", "\"cty\":\"JWT\""},
        {"header-unknown-member", "\"hallmark-ext\":1"},
        {"header-crit-empty", "\"crit\":[]"},
        {"header-jku-and-x5c", "\"jku\":\"https://evil.example/k\",\"x5c\":[\"MIIB\"]"},
    };
    char *payload = compact(sms_claims(BODY, "a010")), *base = header_for(acme), *h;
    char jwk_member[256], canon[HM_JWK_MAX];
    size_t i;

    for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        char ins[128];
        (void)snprintf(ins, sizeof ins, "%s,", refused[i][1]);
        h = splice(base, ins);
        neg_raw(refused[i][0], "A header member other than alg, typ and kid",
                "HM-VERIFY-9 HM-TOKEN-6 HM-TOKEN-10", "HALLMARK_HEADER_REFUSED", h, payload);
        free(h);
    }
    /* Even the brand's own, genuine key is refused when embedded. */
    hm_pubkey_canonical_jwk(hm_signkey_public(acme), canon, sizeof canon, NULL);
    (void)snprintf(jwk_member, sizeof jwk_member, "\"jwk\":%s,", canon);
    h = splice(base, jwk_member);
    neg_raw("header-jwk-own-key", "jwk header carrying the brand's own genuine public key",
            "HM-VERIFY-9 HM-TOKEN-6", "HALLMARK_HEADER_REFUSED", h, payload);
    free(h);
    free(base);
    free(payload);
}

static void
attack_kid(void)
{
    char *payload = compact(sms_claims(BODY, "a020")), h[8192], *longkid;

    neg_raw("kid-path-traversal", "kid with a path: never a file name", "HM-VERIFY-9 HM-TOKEN-8",
            "HALLMARK_UNKNOWN_KEY",
            "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"../../../../etc/passwd\"}",
            payload);
    (void)snprintf(h, sizeof h,
                   "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\\n\"}",
                   kid(acme));
    neg_raw("kid-control-character", "The brand's kid followed by an escaped line feed",
            "HM-VERIFY-9 HM-TOKEN-8", "HALLMARK_UNKNOWN_KEY", h, payload);
    (void)snprintf(h, sizeof h,
                   "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\\u0000\"}",
                   kid(acme));
    neg_raw("kid-nul", "kid with an escaped U+0000 (C string truncation)", "HM-VERIFY-9 HM-TOKEN-5",
            "HALLMARK_MALFORMED", h, payload);
    longkid = malloc(401);
    memset(longkid, 'A', 400);
    longkid[400] = '\0';
    (void)snprintf(h, sizeof h, "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\"}",
                   longkid);
    neg_raw("kid-oversize-400", "A 400-character kid (ten times a thumbprint)", "HM-VERIFY-9",
            "HALLMARK_UNKNOWN_KEY", h, payload);
    free(longkid);
    longkid = malloc(6001);
    memset(longkid, 'A', 6000);
    longkid[6000] = '\0';
    (void)snprintf(h, sizeof h, "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\"}",
                   longkid);
    neg_raw("kid-oversize-over-cap", "A 6000-character kid makes the token exceed 8192 bytes",
            "HM-VERIFY-7 HM-TOKEN-2", "HALLMARK_MALFORMED", h, payload);
    free(longkid);
    (void)snprintf(h, sizeof h, "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":7}");
    neg_raw("kid-not-a-string", "kid is a number", "HM-VERIFY-9", "HALLMARK_MALFORMED", h, payload);
    neg_token("kid-publishing-key", "Signed by the platform's publishing key under its own kid",
              "HM-VERIFY-9 HM-BUNDLE-6", "HALLMARK_UNKNOWN_KEY",
              sign_claims(publisher, sms_claims(BODY, "a021")));
    neg_token("kid-root-key", "Signed by the pinned root key under its own kid",
              "HM-VERIFY-9 HM-BUNDLE-6", "HALLMARK_UNKNOWN_KEY",
              sign_claims(root0, sms_claims(BODY, "a022")));
    {
        /* Another brand's kid on acme's signed token: replay under another brand. */
        char *t = sign_claims(acme, sms_claims(BODY, "a023")), *h64;
        const char *dot = strchr(t, '.');
        (void)snprintf(h, sizeof h, TOKEN_HEADER_FMT, kid(globex));
        h64 = b64_text(h, strlen(h));
        neg_token("kid-swapped-to-other-brand",
                  "A valid acme token whose header now names Globex's key", "HM-VERIFY-10",
                  "HALLMARK_BAD_SIGNATURE", concat3(h64, "", dot));
        free(h64);
        free(t);
    }
    free(payload);
}

static void
attack_duplicates(void)
{
    char *payload = compact(sms_claims(BODY, "a030")), h[512], *p;
    json_t *c;

    (void)snprintf(h, sizeof h,
                   "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\","
                   "\"k\\u0069d\":\"%s\"}",
                   kid(acme), kid(globex));
    neg_raw("duplicate-header-kid-escaped", "kid twice, the second spelled with an escape",
            "HM-TOKEN-5 HM-VERIFY-9", "HALLMARK_MALFORMED", h, payload);
    (void)snprintf(
        h, sizeof h,
        "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"typ\":\"JWT\",\"kid\":\"%s\"}",
        kid(acme));
    neg_raw("duplicate-header-typ", "typ twice with different values", "HM-TOKEN-5 HM-VERIFY-9",
            "HALLMARK_MALFORMED", h, payload);
    (void)snprintf(h, sizeof h, TOKEN_HEADER_FMT, kid(acme));
    p = splice(payload, "\"\\u0069ss\":\"globex\",");
    neg_raw("duplicate-claim-escaped", "iss twice, one spelled with an escape",
            "HM-TOKEN-5 HM-VERIFY-12", "HALLMARK_MALFORMED", h, p);
    free(p);
    p = splice(payload, "\"x-ext\":{\"a\":1,\"a\":2},");
    neg_raw("duplicate-in-unknown-object", "A duplicate inside an unknown nested member",
            "HM-TOKEN-5 HM-TOKEN-10", "HALLMARK_MALFORMED", h, p);
    free(p);
    free(payload);
    c = sms_claims(BODY, "a031");
    json_object_del(c, "sender");
    payload = compact(c);
    p = splice(payload, "\"sender\":{\"kind\":\"automated\",\"kind\":\"human\",\"name\":\"Sam\"},");
    neg_raw("duplicate-sender-member", "sender.kind twice (automated, then human)",
            "HM-TOKEN-5 HM-TOKEN-15", "HALLMARK_MALFORMED", h, p);
    free(p);
    p = splice(payload, "\"actions\":[{\"kind\":\"link\",\"label\":\"Pay\",\"url\":"
                        "\"https://acme.example/pay\",\"url\":\"https://evil.example/pay\"}],"
                        "\"sender\":{\"kind\":\"automated\"},");
    neg_raw("duplicate-action-member", "An action url twice (inside, then outside the domains)",
            "HM-TOKEN-5 HM-TOKEN-17", "HALLMARK_MALFORMED", h, p);
    free(p);
    free(payload);
}

static void
attack_base64(void)
{
    char *good = sign_claims(acme, sms_claims(BODY, "a040"));
    char *payload = compact(sms_claims(BODY, "a041")), *hdr = header_for(acme);
    char *hp, *pp, *h64, *p64, *in, *t, *u;
    size_t i, n;

    /* Header and payload whose encodings need "==" padding, signed with the padding. */
    hp = pad_to_mod3(hdr, 1);
    pp = pad_to_mod3(payload, 1);
    h64 = b64_text(hp, strlen(hp));
    p64 = b64_text(pp, strlen(pp));
    t = concat3(h64, "==.", p64);
    neg_token("base64-padding-header", "Header segment with '==' padding, signed as sent",
              "HM-VERIFY-8 HM-TOKEN-4", "HALLMARK_MALFORMED", sign_input(acme, t));
    free(t);
    t = concat3(h64, ".", p64);
    u = concat3(t, "==", "");
    neg_token("base64-padding-payload", "Payload segment with '==' padding, signed as sent",
              "HM-VERIFY-8 HM-TOKEN-4", "HALLMARK_MALFORMED", sign_input(acme, u));
    free(u);
    /* Non-zero unused bits: the same bytes under another spelling. */
    u = strdup(t);
    set_unused_bit(u, strlen(h64));
    neg_token("base64-trailing-bits-header", "Header segment with non-zero unused bits",
              "HM-VERIFY-8 HM-TOKEN-4", "HALLMARK_MALFORMED", sign_input(acme, u));
    free(u);
    u = strdup(t);
    set_unused_bit(u, strlen(u));
    neg_token("base64-trailing-bits-payload", "Payload segment with non-zero unused bits",
              "HM-VERIFY-8 HM-TOKEN-4", "HALLMARK_MALFORMED", sign_input(acme, u));
    free(u);
    u = strdup(good);
    set_unused_bit(u, strlen(u));
    neg_token("base64-trailing-bits-signature", "Signature segment with non-zero unused bits",
              "HM-VERIFY-8 HM-TOKEN-4", "HALLMARK_MALFORMED", u);
    free(t);
    free(h64);
    free(p64);
    free(hp);
    free(pp);
    /* Length 1 mod 4 in the header segment. */
    hp = pad_to_mod3(hdr, 0);
    h64 = b64_text(hp, strlen(hp));
    p64 = b64_text(payload, strlen(payload));
    t = concat3(h64, "A.", p64);
    neg_token("base64-length-1-mod-4", "A header segment of length 1 mod 4",
              "HM-VERIFY-8 HM-TOKEN-4", "HALLMARK_MALFORMED", sign_input(acme, t));
    free(t);
    /* The whole token in the standard alphabet, signed as sent. */
    in = concat3(h64, ".", p64);
    for (i = 0, n = strlen(in); i < n; i++) {
        in[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
    }
    t = sign_input(acme, in);
    for (i = 0, n = strlen(t); i < n; i++) {
        t[i] = t[i] == '-' ? '+' : t[i] == '_' ? '/' : t[i];
    }
    neg_token("base64-standard-alphabet", "Every segment in the '+' '/' alphabet, signed as sent",
              "HM-VERIFY-8 HM-TOKEN-4", "HALLMARK_MALFORMED", t);
    free(in);
    t = strdup(good);
    *(strchr(t, '.') + 7) = '/';
    neg_token("base64-slash", "'/' inside the payload segment", "HM-VERIFY-8 HM-TOKEN-4",
              "HALLMARK_MALFORMED", t);
    t = strdup(good);
    *(strrchr(t, '.') + 3) = '+';
    neg_token("base64-plus-signature", "'+' inside the signature segment", "HM-VERIFY-8 HM-TOKEN-4",
              "HALLMARK_MALFORMED", t);
    /* Whitespace inside the payload, signed as sent. */
    t = concat3(h64, ".", p64);
    u = malloc(strlen(t) + 2);
    n = strlen(h64) + 1 + 8;
    memcpy(u, t, n);
    u[n] = '\n';
    memcpy(u + n + 1, t + n, strlen(t) - n + 1);
    neg_token("base64-newline-payload", "A line feed inside the payload segment, signed as sent",
              "HM-VERIFY-8 HM-TOKEN-4", "HALLMARK_MALFORMED", sign_input(acme, u));
    free(u);
    free(t);
    neg_token("base64-trailing-newline", "A line feed after the signature segment",
              "HM-VERIFY-8 HM-TOKEN-4", "HALLMARK_MALFORMED", concat3(good, "\n", ""));
    neg_token("base64-non-ascii", "A non-ASCII character inside the signature segment",
              "HM-VERIFY-8 HM-TOKEN-4", "HALLMARK_MALFORMED", concat3(good, "\xc3\xa9", ""));
    neg_token("empty-header-segment", "An empty header segment", "HM-VERIFY-8 HM-VERIFY-9",
              "HALLMARK_MALFORMED", concat3("", "", strchr(good, '.')));
    neg_token("four-segments", "A fourth segment", "HM-VERIFY-8 HM-TOKEN-3", "HALLMARK_MALFORMED",
              concat3(good, ".", "AAAA"));
    neg_token("only-dots", "Two dots and nothing else", "HM-VERIFY-8 HM-TOKEN-3",
              "HALLMARK_MALFORMED", strdup(".."));
    free(h64);
    free(p64);
    free(hp);
    free(hdr);
    free(payload);
    free(good);
}

/* DER (ASN.1 SEQUENCE of two INTEGERs) of a raw r||s signature. */
static size_t
der_signature(const unsigned char rs[64], unsigned char out[72])
{
    size_t n = 2, part;

    for (part = 0; part < 2; part++) {
        const unsigned char *v = rs + 32 * part;
        size_t skip = 0, len;
        while (skip < 31 && v[skip] == 0) {
            skip++;
        }
        len = 32 - skip + (v[skip] & 0x80 ? 1 : 0);
        out[n++] = 0x02;
        out[n++] = (unsigned char)len;
        if (v[skip] & 0x80) {
            out[n++] = 0;
        }
        memcpy(out + n, v + skip, 32 - skip);
        n += 32 - skip;
    }
    out[0] = 0x30;
    out[1] = (unsigned char)(n - 2);
    return n;
}

static void
attack_signatures(void)
{
    static const unsigned char L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                        0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                        0,    0,    0,    0,    0,    0,    0,    0,
                                        0,    0,    0,    0,    0,    0,    0,    0x10};
    static const unsigned char P256_N[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
                                             0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                             0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
                                             0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
    /* A point of order 8 (libsodium's blocklist). */
    char *a = sign_claims(acme, sms_claims(BODY, "a050"));
    const char *es = es256_kept;
    unsigned char sig[128], orig[64], der[72];
    size_t n;

    hm_b64url_decode_exact(orig, 64, strrchr(a, '.') + 1, strlen(strrchr(a, '.') + 1));
    memcpy(sig, orig, 64);
    sig[64] = 0;
    neg_token("signature-65-bytes", "The valid signature plus one zero byte",
              "HM-VERIFY-10 HM-TOKEN-9", "HALLMARK_BAD_SIGNATURE", with_signature(a, sig, 65));
    memcpy(sig + 64, orig, 32);
    neg_token("signature-96-bytes", "The valid signature followed by 32 more bytes",
              "HM-VERIFY-10 HM-TOKEN-9", "HALLMARK_BAD_SIGNATURE", with_signature(a, sig, 96));
    memset(sig, 0, 64);
    neg_token("signature-all-zero", "64 zero bytes", "HM-VERIFY-10", "HALLMARK_BAD_SIGNATURE",
              with_signature(a, sig, 64));
    memcpy(sig, orig, 32);
    memcpy(sig + 32, L, 32);
    neg_token("ed25519-s-equals-l", "Ed25519 S = L", "HM-VERIFY-10 HM-TRUST-6",
              "HALLMARK_BAD_SIGNATURE", with_signature(a, sig, 64));
    memset(sig + 32, 0xff, 32);
    neg_token("ed25519-s-all-ones", "Ed25519 S = 2^256 - 1", "HM-VERIFY-10 HM-TRUST-6",
              "HALLMARK_BAD_SIGNATURE", with_signature(a, sig, 64));
    memset(sig, 0, 64);
    sig[0] = 1; /* R = identity, S = 0: valid for a small-order key under a lax check */
    neg_token("ed25519-small-order-r-identity", "Ed25519 R = identity point, S = 0",
              "HM-VERIFY-10 HM-TRUST-6", "HALLMARK_BAD_SIGNATURE", with_signature(a, sig, 64));
    memcpy(sig, ORDER8, 32);
    neg_token("ed25519-small-order-r-order-8", "Ed25519 R of order 8, S = 0",
              "HM-VERIFY-10 HM-TRUST-6", "HALLMARK_BAD_SIGNATURE", with_signature(a, sig, 64));
    memcpy(sig, ORDER8, 32);
    memcpy(sig + 32, orig + 32, 32);
    neg_token("ed25519-small-order-r-real-s", "Ed25519 R replaced by a point of order 8",
              "HM-VERIFY-10 HM-TRUST-6", "HALLMARK_BAD_SIGNATURE", with_signature(a, sig, 64));
    /* ES256, all derived from the kept token. */
    hm_b64url_decode_exact(orig, 64, strrchr(es, '.') + 1, strlen(strrchr(es, '.') + 1));
    memcpy(sig, orig, 64);
    memset(sig + 32, 0, 32);
    neg_token("es256-s-zero", "ES256 signature with s = 0", "HM-VERIFY-10 HM-TRUST-5",
              "HALLMARK_BAD_SIGNATURE", with_signature(es, sig, 64));
    memset(sig, 0, 64);
    neg_token("es256-r-and-s-zero", "ES256 r = s = 0 (CVE-2022-21449, psychic signature)",
              "HM-VERIFY-10 HM-TRUST-5", "HALLMARK_BAD_SIGNATURE", with_signature(es, sig, 64));
    memcpy(sig, P256_N, 32);
    memcpy(sig + 32, orig + 32, 32);
    neg_token("es256-r-equals-n", "ES256 r = n", "HM-VERIFY-10 HM-TRUST-5",
              "HALLMARK_BAD_SIGNATURE", with_signature(es, sig, 64));
    memcpy(sig, orig, 32);
    memcpy(sig + 32, P256_N, 32);
    neg_token("es256-s-equals-n", "ES256 s = n", "HM-VERIFY-10 HM-TRUST-5",
              "HALLMARK_BAD_SIGNATURE", with_signature(es, sig, 64));
    memset(sig, 0xff, 32);
    memcpy(sig + 32, orig + 32, 32);
    neg_token("es256-r-all-ones", "ES256 r = 2^256 - 1 (>= n)", "HM-VERIFY-10 HM-TRUST-5",
              "HALLMARK_BAD_SIGNATURE", with_signature(es, sig, 64));
    memcpy(sig, orig, 32);
    memset(sig + 32, 0xff, 32);
    neg_token("es256-s-all-ones", "ES256 s = 2^256 - 1 (>= n)", "HM-VERIFY-10 HM-TRUST-5",
              "HALLMARK_BAD_SIGNATURE", with_signature(es, sig, 64));
    n = der_signature(orig, der);
    neg_token("es256-der-signature", "The kept ES256 signature in DER form instead of r||s",
              "HM-VERIFY-10 HM-TRUST-5", "HALLMARK_BAD_SIGNATURE", with_signature(es, der, n));
    free(a);
}

static void
attack_json(void)
{
    char *payload = compact(sms_claims(BODY, "a060")), *hdr = header_for(acme), *p, *t;
    size_t n, i;

    t = concat3(hdr, "x", "");
    neg_raw("header-trailing-data", "Data after the header object", "HM-TOKEN-5 HM-VERIFY-9",
            "HALLMARK_MALFORMED", t, payload);
    free(t);
    {
        char *tok;
        n = strlen(payload);
        p = malloc(n + 2);
        memcpy(p, payload, n);
        p[n] = '\0';
        p[n + 1] = '\0';
        hm_jws_sign_raw(acme, hdr, strlen(hdr), p, n + 1, &tok);
        neg_token("payload-trailing-nul", "A NUL byte after the payload object",
                  "HM-TOKEN-5 HM-VERIFY-12", "HALLMARK_MALFORMED", tok);
        free(p);
    }
    t = concat3("\xef\xbb\xbf", "", hdr);
    neg_raw("header-bom", "A byte order mark before the header JSON", "HM-TOKEN-5 HM-VERIFY-9",
            "HALLMARK_MALFORMED", t, payload);
    free(t);
    t = concat3(hdr, "", "");
    t[strlen(t) - 1] = '\0';
    p = concat3(t, ",\"x\":[[[[1]]]]}", "");
    neg_raw("header-too-deep", "Header nested deeper than 4 (depth before member rules)",
            "HM-TOKEN-5 HM-VERIFY-9", "HALLMARK_MALFORMED", p, payload);
    free(p);
    free(t);
    n = 2500;
    p = malloc(2 * n + 16);
    memcpy(p, "{\"x\":", 5);
    for (i = 0; i < n; i++) {
        p[5 + i] = '[';
        p[5 + n + i] = ']';
    }
    memcpy(p + 5 + 2 * n, "}", 2);
    neg_raw("deeply-nested-2500", "2500 nested arrays (a recursive parser's stack)",
            "HM-TOKEN-5 HM-VERIFY-12", "HALLMARK_MALFORMED", hdr, p);
    free(p);
    neg_raw("payload-not-object", "A payload that is an array", "HM-TOKEN-5 HM-VERIFY-12",
            "HALLMARK_MALFORMED", hdr, "[]");
    p = splice(payload, "\"x-ext\":\"\\ud800\",");
    neg_raw("escaped-lone-surrogate", "An escaped lone surrogate in an unknown claim",
            "HM-TOKEN-5 HM-VERIFY-12", "HALLMARK_MALFORMED", hdr, p);
    free(p);
    p = splice(payload, "\"x-ext\":\"a\\u0000b\",");
    neg_raw("escaped-nul-in-claim", "An escaped U+0000 in an unknown claim",
            "HM-TOKEN-5 HM-VERIFY-12", "HALLMARK_MALFORMED", hdr, p);
    free(p);
    p = splice(payload, "\"x-ext\":\"\xff\xfe\",");
    neg_raw("payload-not-utf8", "Bytes that are not UTF-8 inside a string",
            "HM-TOKEN-5 HM-VERIFY-12", "HALLMARK_MALFORMED", hdr, p);
    free(p);
    {
        static const char *const ints[][3] = {
            {"iat-fraction", "\"iat\":", "1795597140.0"},
            {"iat-exponent", "\"iat\":", "1.79559714e9"},
            {"iat-negative", "\"iat\":", "-1"},
            {"iat-over-2-53", "\"iat\":", "9007199254740992"},
        };
        json_t *c = sms_claims(BODY, "a061");
        char *base;
        json_object_del(c, "iat");
        base = compact(c);
        for (i = 0; i < sizeof ints / sizeof ints[0]; i++) {
            char ins[64];
            (void)snprintf(ins, sizeof ins, "%s%s,", ints[i][1], ints[i][2]);
            p = splice(base, ins);
            neg_raw(ints[i][0], "iat is not an integer in [0, 2^53 - 1]",
                    "HM-TOKEN-5 HM-TOKEN-12 HM-VERIFY-12", "HALLMARK_MALFORMED", hdr, p);
            free(p);
        }
        free(base);
    }
    free(hdr);
    free(payload);
}

/* A verified-shape token of exactly `len` bytes: an unknown claim pads it. NULL if unreachable. */
static char *
token_of_length(size_t len, const char *jti, json_t **claims_out)
{
    size_t pad, spaces;

    for (spaces = 0; spaces < 3; spaces++) {
        for (pad = 0; pad < 8192; pad++) {
            json_t *c = sms_claims(BODY, jti);
            char *h = header_text(acme, (int)spaces), *p, *fill = malloc(pad + 1), *t;
            size_t hl, pl;
            memset(fill, 'x', pad);
            fill[pad] = '\0';
            json_object_set_new(c, "x-pad", json_string(fill));
            free(fill);
            p = json_dumps(c, JSON_COMPACT);
            hl = hm_b64url_encoded_len(strlen(h));
            pl = hm_b64url_encoded_len(strlen(p));
            if (hl + 1 + pl + 1 + 86 == len) {
                t = fx_sign_raw(acme, h, p);
                free(h);
                free(p);
                *claims_out = c;
                return t;
            }
            free(h);
            free(p);
            json_decref(c);
            if (hl + 1 + pl + 1 + 86 > len) {
                break;
            }
        }
    }
    return NULL;
}

static void
attack_size(void)
{
    json_t *c;
    char *t = token_of_length(8192, "a070", &c), *bad;

    json_object_set_new(c, "x-body", json_string(BODY));
    json_object_del(c, "x-pad");
    positive_token("token-exactly-8192-bytes", "A valid token of exactly the 8192-byte cap",
                   "HM-TOKEN-2 HM-VERIFY-7 HM-TOKEN-10", acme, t, default_bundle, c);
    free(t);
    bad = token_of_length(8193, "a071", &c);
    json_decref(c);
    neg_token("token-8193-bytes-signed", "A validly signed token one byte over the cap",
              "HM-TOKEN-2 HM-VERIFY-7", "HALLMARK_MALFORMED", bad);
    c = sms_claims(BODY, "a072");
    json_object_set_new(c, "x-ext", json_pack("[[[1]]]"));
    t = token(acme, c);
    json_object_del(c, "x-ext");
    json_object_set_new(c, "x-body", json_string(BODY));
    positive_token("unknown-claim-depth-4", "An unknown claim nested to exactly depth 4 is ignored",
                   "HM-TOKEN-5 HM-TOKEN-10", acme, t, default_bundle, c);
    free(t);
    {
        char *payload = compact(sms_claims(BODY, "a073")), *h = header_for(acme);
        char *p = concat3(payload, " \r\n\t", "");
        c = sms_claims(BODY, "a073");
        t = fx_sign_raw(acme, h, p);
        json_object_set_new(c, "x-body", json_string(BODY));
        positive_token("payload-trailing-whitespace",
                       "JSON whitespace after the payload object is allowed", "HM-TOKEN-5", acme, t,
                       default_bundle, c);
        free(t);
        free(p);
        free(h);
        free(payload);
    }
}

static void
attack_replay(void)
{
    char *t = sign_claims(acme, sms_claims(BODY, "a080"));
    char *e = sign_claims(acme, claims("email", "acme.example", "jane@example.org", BODY, "a081"));
    char *p = sign_claims(
        acme, claims("push", "com.acme.bank", "user-8f2c1a", "Payment received", "a082"));

    negative("replay-on-other-brand-sender", "Acme's token on a message from GLOBEX",
             "HM-VERIFY-14", "HALLMARK_SENDER_MISMATCH", "sms", "GLOBEX", TO_SMS, BODY, t);
    negative("replay-on-whatsapp", "An SMS token replayed on WhatsApp", "HM-VERIFY-14",
             "HALLMARK_CHANNEL_MISMATCH", "whatsapp", "ACMEBANK", TO_SMS, BODY, t);
    negative("replay-body-link-appended", "A phishing link appended to the signed body",
             "HM-VERIFY-15", "HALLMARK_BODY_MODIFIED", "sms", "ACMEBANK", TO_SMS,
             BODY " https://evil.example/pay", t);
    negative("replay-body-zero-width", "A zero-width space inserted into the body", "HM-VERIFY-15",
             "HALLMARK_BODY_MODIFIED", "sms", "ACMEBANK", TO_SMS,
             "Acme Bank: your card ending 42\xe2\x80\x8b"
             "42 was charged \xc2\xa3"
             "10.00 at Acme Store.",
             t);
    negative("replay-email-other-recipient", "An e-mail token forwarded to another mailbox",
             "HM-VERIFY-16", "HALLMARK_RECIPIENT_MISMATCH", "email", "acme.example",
             "mallory@example.org", BODY, e);
    negative("replay-push-other-user", "A push token replayed to another app user", "HM-VERIFY-16",
             "HALLMARK_RECIPIENT_MISMATCH", "push", "com.acme.bank", "user-0000aa",
             "Payment received", p);
    free(t);
    free(e);
    free(p);
}

/* Claims of a Globex token (its own iss and credential) for sender from. */
static json_t *
globex_claims(const char *from, const char *jti)
{
    json_t *c = brand_claims("globex", from, jti);
    char digest[48];

    credential_digest(globex_credential, digest);
    json_object_set_new(c, "cred", json_string(digest));
    return c;
}

static void
attack_other_brand(void)
{
    json_t *c;

    neg_token("other-brand-key-for-acme-sender",
              "Globex's valid key, as Globex, for Acme's sender id", "HM-VERIFY-14 HM-CRED-15",
              "HALLMARK_SENDER_NOT_AUTHORIZED",
              sign_claims(globex, globex_claims("ACMEBANK", "a090")));
    c = brand_claims("globex", "GLOBEX", "a091");
    neg_from("other-brand-key-acme-credential", "Globex's valid key with Acme's credential digest",
             "HM-VERIFY-13 HM-BUNDLE-8", "HALLMARK_BRAND_CREDENTIAL_INVALID", "GLOBEX",
             sign_claims(globex, c));
    neg_token("revoked-brand-key-as-acme", "A revoked brand's key signs as Acme",
              "HM-VERIFY-12 HM-VERIFY-13", "HALLMARK_ISSUER_MISMATCH",
              sign_claims(oldco, sms_claims(BODY, "a092")));
    neg_token("key-revoked", "A revoked key signs a fresh token", "HM-VERIFY-11 HM-BUNDLE-7",
              "HALLMARK_KEY_REVOKED", sign_claims(acme_revoked, sms_claims(BODY, "a093")));
    c = sms_claims(BODY, "a094");
    json_object_set_new(c, "iat", json_integer(NOW - 2 * DAY));
    json_object_set_new(c, "exp", json_integer(NOW + DAY));
    neg_token("key-pending-backdated", "A pending key's token dated before the key's nbf",
              "HM-VERIFY-12", "HALLMARK_KEY_NOT_VALID", sign_claims(acme_pending, c));
}

/* A key entry for a raw Ed25519 public key, with its RFC 7638 thumbprint (no validity check). */
static json_t *
raw_key_entry(const unsigned char raw[32])
{
    char *x = b64(raw, 32), canon[160], thumb[48];
    json_t *e;

    (void)snprintf(canon, sizeof canon, "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}", x);
    hm_sha256_b64url(thumb, (const unsigned char *)canon, strlen(canon));
    e = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "kty", "OKP", "crv", "Ed25519", "x", x,
                  "kid", thumb, "alg", "Ed25519", "state", "active", "nbf",
                  (json_int_t)(NOW - 30 * DAY), "exp", (json_int_t)(NOW + 365 * DAY));
    free(x);
    return e;
}

/* Re-signs a bundle's payload (with ins spliced after its brace) under header h, by k. */
static char *
rebundle(const char *b, const hm_signkey *k, const char *h, const char *ins)
{
    const char *d1 = strchr(b, '.'), *d2 = strrchr(b, '.');
    size_t cap = (size_t)(d2 - d1), n = 0;
    unsigned char *p = malloc(cap + 1);
    char *spliced, *out;

    hm_b64url_decode(p, cap, d1 + 1, (size_t)(d2 - d1 - 1), &n);
    p[n] = '\0';
    spliced = splice((const char *)p, ins);
    out = fx_sign_raw(k, h, spliced);
    free(spliced);
    free(p);
    return out;
}

/* A case of bundle b (consumed) whose message is token t from sender from; ui and check (the
 * stored verdict re-checked, consumed) may be NULL. A verified case is Globex's. */
static void
deferred_case(const char *name, const char *description, const char *spec, const char *result,
              char *b, const char *from, const char *t, const char *ui, json_t *check,
              const json_t *verified)
{
    json_t *brand = strcmp(result, "HALLMARK_VERIFIED") == 0 ? json_deep_copy(verified) : NULL;
    struct vec v = {name, description, spec, b, "sms", from, TO_SMS, BODY, NULL, t,    result,
                    0,    0,           0,    0, brand, NULL, NULL,   0,    NULL, NULL, NULL};

    displayed.ui = ui;
    after_load.recheck = check;
    emit(&v);
    free(b);
}

/* A bundle case whose message carries the given token. */
static void
bundle_case_token(const char *name, const char *description, const char *spec, const char *result,
                  char *bundle_text, const char *t)
{
    deferred_case(name, description, spec, result, bundle_text, "ACMEBANK", t, NULL, NULL, NULL);
}

static void
attack_bundles(void)
{
    struct bundle_opts o = {.serial = 7, .exp = NOW + 7 * DAY};
    unsigned char identity[32] = {1}, sig[64];
    char h[256], *b, *t;
    json_t *e;

    o.signer = root0;
    bundle_case("bundle-signed-by-root", "A bundle signed by the root instead of the publisher",
                "HM-BUNDLE-23", "HALLMARK_BUNDLE_UNTRUSTED", bundle(&o), 0, 0, 0, NULL);
    o.signer = NULL;
    o.cert_signer = rogue;
    bundle_case("bundle-publisher-cert-forged", "A publisher certificate not signed by the root",
                "HM-BUNDLE-22", "HALLMARK_BUNDLE_UNTRUSTED", bundle(&o), 0, 0, 0, NULL);
    o.cert_signer = NULL;
    b = bundle(&o);
    (void)snprintf(h, sizeof h, "{\"alg\":\"none\",\"typ\":\"hallmark-bundle+jwt\",\"kid\":\"%s\"}",
                   kid(publisher));
    bundle_case("bundle-alg-none", "A bundle header with alg none", "HM-BUNDLE-19",
                "HALLMARK_BUNDLE_MALFORMED", rebundle(b, publisher, h, ""), 0, 0, 0, NULL);
    (void)snprintf(h, sizeof h,
                   "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-bundle+jwt\",\"kid\":\"%s\","
                   "\"jku\":\"https://evil.example/k\"}",
                   kid(publisher));
    bundle_case("bundle-header-jku", "A bundle header with a jku member", "HM-BUNDLE-19",
                "HALLMARK_BUNDLE_MALFORMED", rebundle(b, publisher, h, ""), 0, 0, 0, NULL);
    (void)snprintf(h, sizeof h,
                   "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-bundle+jwt\",\"kid\":\"%s\"}",
                   kid(publisher));
    bundle_case("bundle-duplicate-serial", "serial twice in the bundle payload (99, then 7)",
                "HM-BUNDLE-19 HM-TOKEN-5", "HALLMARK_BUNDLE_MALFORMED",
                rebundle(b, publisher, h, "\"serial\":99,"), 0, 0, 0, NULL);
    hm_b64url_decode_exact(sig, 64, strrchr(b, '.') + 1, strlen(strrchr(b, '.') + 1));
    bundle_case("bundle-signature-63-bytes", "A bundle signature cut to 63 bytes", "HM-BUNDLE-24",
                "HALLMARK_BUNDLE_BAD_SIGNATURE", with_signature(b, sig, 63), 0, 0, 0, NULL);
    free(b);
    bundle_case("bundle-credential-as-bundle", "A brand credential presented as the bundle",
                "HM-BUNDLE-19 HM-TOKEN-7", "HALLMARK_BUNDLE_MALFORMED", strdup(acme_credential), 0,
                0, 0, NULL);
    b = bundle(&o);
    bundle_case("bundle-rollback-by-one", "The previous serial after serial 8: one step back",
                "HM-BUNDLE-26 HM-BUNDLE-31", "HALLMARK_BUNDLE_ROLLBACK", b, 8, 0, 0, NULL);
    o.exp = NOW - 1;
    bundle_case("bundle-stale-by-one-second", "A bundle that expired one second before the load",
                "HM-BUNDLE-27 HM-BUNDLE-33", "HALLMARK_BUNDLE_EXPIRED", bundle(&o), 0, 0, 0, NULL);
    o.exp = NOW + 7 * DAY;
    /* Small-order brand keys: R = identity, S = 0 would "verify" any message under them. */
    e = raw_key_entry(identity);
    o.extra_acme_key = e;
    memset(sig, 0, 64);
    sig[0] = 1;
    (void)snprintf(h, sizeof h, TOKEN_HEADER_FMT, json_string_value(json_object_get(e, "kid")));
    {
        char *payload = compact(sms_claims(BODY, "a100")), *h64 = b64_text(h, strlen(h));
        char *p64 = b64_text(payload, strlen(payload)), *in = concat3(h64, ".", p64);
        char *s = b64(sig, 64);
        t = concat3(in, ".", s);
        bundle_case_token("bundle-small-order-key-identity",
                          "A brand key that is the identity point, with a forged R = identity, "
                          "S = 0 token",
                          "HM-BUNDLE-3 HM-TRUST-7 HM-BUNDLE-20", "HALLMARK_BUNDLE_MALFORMED",
                          bundle(&o), t);
        free(t);
        free(s);
        free(in);
        free(p64);
        free(h64);
        free(payload);
    }
    json_decref(e);
    e = raw_key_entry(ORDER8);
    o.extra_acme_key = e;
    bundle_case("bundle-small-order-key-order-8", "A brand key of order 8",
                "HM-BUNDLE-3 HM-TRUST-7 HM-BUNDLE-20", "HALLMARK_BUNDLE_MALFORMED", bundle(&o), 0,
                0, 0, NULL);
    json_decref(e);
    e = key_entry(acme, "active", NOW - 30 * DAY, NOW + 365 * DAY);
    o.extra_acme_key = e;
    bundle_case("bundle-duplicate-kid", "The same key listed twice", "HM-BUNDLE-4",
                "HALLMARK_BUNDLE_MALFORMED", bundle(&o), 0, 0, 0, NULL);
    json_object_set_new(e, "kid", json_string(kid(globex)));
    bundle_case("bundle-kid-not-thumbprint", "A key entry whose kid is another key's thumbprint",
                "HM-BUNDLE-2", "HALLMARK_BUNDLE_MALFORMED", bundle(&o), 0, 0, 0, NULL);
    json_decref(e);
    {
        char *x = b64((const unsigned char *)"secret-seed-bytes-0123456789abcd", 32);
        e = key_entry(rogue, "active", NOW - 30 * DAY, NOW + 365 * DAY);
        json_object_set_new(e, "d", json_string(x));
        free(x);
    }
    o.extra_acme_key = e;
    bundle_case("bundle-key-private-d", "A key entry carrying a private d member", "HM-BUNDLE-5",
                "HALLMARK_BUNDLE_MALFORMED", bundle(&o), 0, 0, 0, NULL);
    json_decref(e);
    o.extra_acme_key = NULL;
    {
        static const char *const names[][2] = {
            {"bundle-name-bidi-override", "Acme \xe2\x80\xae"
                                          "knaB"},
            {"bundle-name-zero-width", "Acme\xe2\x80\x8b Bank"},
            {"bundle-name-control", "Acme\x07 Bank"},
        };
        size_t i;
        for (i = 0; i < sizeof names / sizeof names[0]; i++) {
            char *cred = sign_json(publisher, "hallmark-brand+jwt",
                                   credential_payload("acme-bank", names[i][1], acme_senders(),
                                                      NOW - 30 * DAY, NOW + 365 * DAY));
            o.acme_cred_override = cred;
            bundle_case(names[i][0], "A look-alike display name the verifier re-checks at load",
                        "HM-CRED-5 HM-BUNDLE-20", "HALLMARK_BUNDLE_MALFORMED", bundle(&o), 0, 0, 0,
                        NULL);
            free(cred);
        }
        o.acme_cred_override = NULL;
    }
}

static void
attack_actions(void)
{
    static const char *const urls[][2] = {
        {"action-backslash-userinfo", "https://evil.example\\@acme.example/pay"},
        {"action-fragment-trick", "https://evil.example#.acme.example"},
        {"action-query-trick", "https://evil.example?.acme.example"},
        {"action-port-then-userinfo", "https://acme.example:443@evil.example/pay"},
        {"action-empty-userinfo", "https://@acme.example/pay"},
        {"action-percent-encoded-host", "https://evil.example%2f.acme.example/pay"},
        {"action-cyrillic-homoglyph", "https://\xd0\xb0"
                                      "cme.example/pay"},
        {"action-punycode-suffix", "https://acme.example.xn--80ak6aa92e.com/pay"},
        {"action-punycode-label", "https://xn--acme-bank-9ra.example/pay"},
        {"action-hyphen-suffix", "https://evil-acme.example/pay"},
        {"action-data-uri", "data:text/html,<script>alert(1)</script>"},
        {"action-scheme-relative", "//acme.example/pay"},
        {"action-no-slashes", "https:acme.example/pay"},
        {"action-tab-in-host", "https://acme.example\t.evil.example/pay"},
        {"action-empty-host", "https:///pay"},
        {"action-decimal-ip", "https://3221225994/pay"},
    };
    size_t i;
    json_t *c;

    for (i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        c = sms_claims(BODY, "a110");
        json_object_set_new(
            c, "actions",
            json_pack("[{s:s,s:s,s:s}]", "kind", "link", "label", "Pay now", "url", urls[i][1]));
        neg_token(urls[i][0], "A phishing action URL", "HM-VERIFY-18 HM-CRED-19",
                  "HALLMARK_ACTION_NOT_AUTHORIZED", sign_claims(acme, c));
    }
    c = sms_claims(BODY, "a111");
    json_object_set_new(c, "actions",
                        json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s}]", "kind", "link", "label", "Pay",
                                  "url", "https://acme.example/pay", "kind", "call", "label",
                                  "Call", "url", "https://acme.example.evil.example/call"));
    neg_token("action-second-of-two", "A good first action and a phishing second one",
              "HM-VERIFY-18 HM-CRED-19", "HALLMARK_ACTION_NOT_AUTHORIZED", sign_claims(acme, c));
}

/* ---- sender ownership (§5.6 HM-CRED-28 to HM-CRED-30, §7.2 step 10d) ------------------------- */

static char *contest_bundle, fabx_cred_digest[48];

/* A bundle where brand fab-x lists senders that overlap Acme's, one of each kind, and the revoked
 * brand old-fab lists Acme's RCS agent (a revoked brand contests nothing). */
static void
make_contest_bundle(void)
{
    json_t *fabx_payload = credential_payload(
        "fab-x", "Fab X",
        json_pack("[{s:s,s:s},{s:s,s:s},{s:s,s:s},{s:s,s:s},{s:s,s:s},{s:s,s:s},{s:s,s:s}]",
                  "channel", "sms", "id", "ACMEBANK", "channel", "sms", "id", "+447700900777",
                  "channel", "sms", "prefix", "+4477009005", "channel", "sms", "id", "72233",
                  "channel", "email", "id", "mail.acme.example", "channel", "push", "id",
                  "com.acme.bank", "channel", "sms", "id", "FABX"),
        NOW - 30 * DAY, NOW + 365 * DAY);
    json_t *oldfab_payload = credential_payload(
        "old-fab", "Old Fab",
        json_pack("[{s:s,s:s}]", "channel", "rcs", "id", "acme_bank_agent@rbm.goog"),
        NOW - 30 * DAY, NOW + 365 * DAY);
    char *fabx_cred, *oldfab_cred;
    json_t *extra;
    struct bundle_opts o = {.serial = 7, .exp = NOW + 7 * DAY};

    json_object_set_new(fabx_payload, "link_domains", json_pack("[s]", "fabx.example"));
    json_object_set_new(oldfab_payload, "link_domains", json_pack("[s]", "oldfab.example"));
    fabx_cred = sign_json(publisher, "hallmark-brand+jwt", fabx_payload);
    oldfab_cred = sign_json(publisher, "hallmark-brand+jwt", oldfab_payload);
    credential_digest(fabx_cred, fabx_cred_digest);
    extra = json_pack("[{s:s,s:[o]},{s:s,s:[o]}]", "credential", fabx_cred, "keys",
                      key_entry(fabx, "active", NOW - 30 * DAY, NOW + 365 * DAY), "credential",
                      oldfab_cred, "keys",
                      key_entry(oldfab, "active", NOW - 30 * DAY, NOW + 365 * DAY));
    o.extra_brands = extra;
    o.extra_revoked = "old-fab";
    contest_bundle = bundle(&o);
    json_decref(extra);
    free(fabx_cred);
    free(oldfab_cred);
}

/* Claims of a Fab X token (its own iss and credential). */
static json_t *
fabx_claims(const char *channel, const char *from, const char *to, const char *body,
            const char *jti)
{
    json_t *c = claims(channel, from, to, body, jti);

    json_object_set_new(c, "iss", json_string("fab-x"));
    json_object_set_new(c, "cred", json_string(fabx_cred_digest));
    return c;
}

/* A case against the contest bundle; k signs c (released). The message comes from the token's
 * sender (as the app would pass it). */
static void
contest_case(const char *name, const char *description, const char *spec, const char *result,
             const hm_signkey *k, const char *to, const char *body, json_t *c)
{
    char *t = token(k, c);
    struct vec v = {name,
                    description,
                    spec,
                    contest_bundle,
                    json_string_value(json_object_get(c, "channel")),
                    json_string_value(json_object_get(c, "from")),
                    to,
                    body,
                    NULL,
                    t,
                    result,
                    0,
                    0,
                    0,
                    7,
                    NULL,
                    NULL,
                    NULL,
                    0,
                    NULL,
                    NULL,
                    NULL};

    if (strcmp(result, "HALLMARK_VERIFIED") == 0) {
        v.brand = acme_brand(k, c);
        if (k == fabx) { /* Fab X's own brand data */
            json_object_set_new(v.brand, "id", json_string("fab-x"));
            json_object_set_new(v.brand, "name", json_string("Fab X"));
        }
    }
    emit(&v);
    free(t);
    json_decref(c);
}

static void
attack_sender_ownership(void)
{
    const char *contested = "HALLMARK_SENDER_CONTESTED";

    fabx = seeded(HM_ALG_ED25519, 13);
    oldfab = seeded(HM_ALG_ED25519, 14);
    make_contest_bundle();
    contest_case("contested-alnum-other-brand",
                 "Fab X also lists Acme's alphanumeric id: Fab X's token from ACMEBANK",
                 "HM-VERIFY-14 HM-CRED-29 HM-CRED-28", contested, fabx, TO_SMS, BODY,
                 fabx_claims("sms", "ACMEBANK", TO_SMS, BODY, "o001"));
    contest_case("contested-alnum-own-brand",
                 "Fab X also lists Acme's alphanumeric id: Acme's own token gets no checkmark "
                 "either",
                 "HM-VERIFY-14 HM-CRED-29", contested, acme, TO_SMS, BODY,
                 sms_claims(BODY, "o002"));
    contest_case("contested-e164-in-prefix",
                 "Fab X lists one E.164 number inside Acme's prefix +4477009: Acme's token from it",
                 "HM-VERIFY-14 HM-CRED-28 HM-CRED-29", contested, acme, TO_SMS, BODY,
                 claims("sms", "+447700900777", TO_SMS, BODY, "o003"));
    contest_case("contested-e164-other-brand",
                 "Fab X's token from its own number, which Acme's prefix +4477009 covers",
                 "HM-VERIFY-14 HM-CRED-28 HM-CRED-29", contested, fabx, TO_SMS, BODY,
                 fabx_claims("sms", "+447700900777", TO_SMS, BODY, "o004"));
    contest_case("contested-prefix-in-prefix",
                 "Fab X's prefix +4477009005 lies inside Acme's +4477009: a number in both",
                 "HM-VERIFY-14 HM-CRED-28 HM-CRED-29", contested, acme, TO_SMS, BODY,
                 claims("sms", "+447700900512", TO_SMS, BODY, "o005"));
    contest_case("uncontested-rest-of-prefix",
                 "A number in Acme's prefix that no other brand claims still verifies",
                 "HM-VERIFY-19 HM-CRED-29", "HALLMARK_VERIFIED", acme, TO_SMS, BODY,
                 claims("sms", "+447700900778", TO_SMS, BODY, "o006"));
    contest_case("contested-short-code", "Fab X also lists Acme's short code 72233",
                 "HM-VERIFY-14 HM-CRED-28 HM-CRED-29", contested, acme, TO_SMS,
                 "Your code is 123456",
                 claims("sms", "72233", TO_SMS, "Your code is 123456", "o007"));
    contest_case("contested-email-subdomain",
                 "Fab X lists mail.acme.example, within Acme's e-mail domain acme.example",
                 "HM-VERIFY-14 HM-CRED-28 HM-CRED-29", contested, fabx, "jane@example.org",
                 "Your statement is ready.",
                 fabx_claims("email", "mail.acme.example", "jane@example.org",
                             "Your statement is ready.", "o008"));
    contest_case(
        "uncontested-email-parent",
        "Acme's acme.example still verifies: Fab X's subdomain does not claim its parent",
        "HM-VERIFY-19 HM-CRED-28 HM-CRED-29", "HALLMARK_VERIFIED", acme, "jane@example.org",
        "Your statement is ready.",
        claims("email", "acme.example", "jane@example.org", "Your statement is ready.", "o009"));
    contest_case("contested-push-app-id", "Fab X also lists Acme's push app id com.acme.bank",
                 "HM-VERIFY-14 HM-CRED-28 HM-CRED-29", contested, fabx, "user-8f2c1a",
                 "Payment received",
                 fabx_claims("push", "com.acme.bank", "user-8f2c1a", "Payment received", "o010"));
    contest_case(
        "uncontested-other-channel", "The same app id on another channel (inapp) is not contested",
        "HM-VERIFY-19 HM-CRED-28", "HALLMARK_VERIFIED", acme, "user-8f2c1a", "Welcome back",
        claims("inapp", "com.acme.bank", "user-8f2c1a", "Welcome back", "o011"));
    contest_case("uncontested-revoked-claimant",
                 "A revoked brand lists Acme's RCS agent: a revoked brand contests nothing",
                 "HM-VERIFY-19 HM-CRED-29", "HALLMARK_VERIFIED", acme, TO_SMS, BODY,
                 claims("rcs", "acme_bank_agent@rbm.goog", TO_SMS, BODY, "o012"));
    contest_case("not-authorized-before-contested",
                 "Acme's token from Fab X's id: step 10c (not authorized) comes before 10d",
                 "HM-VERIFY-14", "HALLMARK_SENDER_NOT_AUTHORIZED", acme, TO_SMS, BODY,
                 claims("sms", "FABX", TO_SMS, BODY, "o013"));
    contest_case("uncontested-sender-of-claimant",
                 "Fab X's own id FABX, which no other brand claims, verifies as Fab X",
                 "HM-VERIFY-19 HM-CRED-29", "HALLMARK_VERIFIED", fabx, TO_SMS, BODY,
                 fabx_claims("sms", "FABX", TO_SMS, BODY, "o014"));
    free(contest_bundle);
}

/* ---- the token directory (§9.6) ---------------------------------------------------------------
 */

/* A message without a token, verified against what the directory returned (HM-CARRY-18). */
static void
fetched(const char *name, const char *description, const char *result, json_t *tokens,
        json_t *brand)
{
    struct vec v = {name,
                    description,
                    "HM-CARRY-17 HM-CARRY-18",
                    default_bundle,
                    "sms",
                    "ACMEBANK",
                    TO_SMS,
                    BODY,
                    NULL,
                    NULL,
                    result,
                    0,
                    0,
                    0,
                    brand != NULL ? 7 : 0,
                    brand,
                    NULL,
                    NULL,
                    0,
                    NULL,
                    NULL,
                    NULL};

    emit_with(&v, tokens);
}

static void
fetched_negatives(void)
{
    json_t *c = sms_claims(BODY, "d001"),
           *other_c = claims("sms", "ACMEBANK", "+447700900999", BODY, "d002");
    char *mine = token(acme, c), *other = token(acme, other_c), *forged = strdup(mine);

    forged[strlen(forged) - 2] = forged[strlen(forged) - 2] == 'A' ? 'B' : 'A';
    fetched("fetched-mine-after-another",
            "The directory returns another recipient's token of the "
            "same text first, then this recipient's: verified by the second",
            "HALLMARK_VERIFIED", json_pack("[s,s]", other, mine), acme_brand(acme, c));
    fetched("fetched-only-another-recipient",
            "Only another recipient's token: discarded, so the "
            "message is unsigned",
            "HALLMARK_UNSIGNED", json_pack("[s]", other), NULL);
    fetched("fetched-none", "The directory had nothing (404): unsigned", "HALLMARK_UNSIGNED",
            json_array(), NULL);
    fetched("fetched-forged-first",
            "A forged token before the genuine one: the genuine one "
            "verifies",
            "HALLMARK_VERIFIED", json_pack("[s,s]", forged, mine), acme_brand(acme, c));
    fetched("fetched-forged-only",
            "Another recipient's token, then a forged one: the first "
            "remaining token's result",
            "HALLMARK_BAD_SIGNATURE", json_pack("[s,s]", other, forged), NULL);
    fetched("fetched-empty-string", "An empty string among the tokens: malformed, never a pass",
            "HALLMARK_MALFORMED", json_pack("[s]", ""), NULL);
    free(mine);
    free(other);
    free(forged);
    json_decref(c);
    json_decref(other_c);
}

/* Lookup-key vectors (HM-CARRY-16) go to OUT_DIR/lookup/: the message as the app passes it, the
 * canonical strings K is built from (so that a harness can recompute the key on its own), and
 * the key; or the result when no key exists. The key is computed here from the canonical strings,
 * and the library must agree. */
static int lookup_counter;

static void
lookup(const char *name, const char *description, const char *channel, const char *from,
       const char *to, const char *body, const char *body_b64, const char *canon_from,
       const char *canon_to, const char *canon_body, const char *result)
{
    unsigned char digest[HM_SHA256_BYTES], raw[1024];
    char key[48] = "", got[48] = "", path[1024];
    hallmark_message m = {.channel = channel,
                          .from = from,
                          .to = to,
                          .body = (const unsigned char *)body,
                          .body_len = body != NULL ? strlen(body) : 0,
                          .token = NULL,
                          .token_len = 0};
    json_t *msg = json_pack("{s:s,s:s,s:s}", "channel", channel, "from", from, "to", to),
           *expect = json_pack("{s:s}", "result", result), *doc;
    hallmark_result rc;
    size_t n = 0;

    lookup_counter++;
    if (body_b64 != NULL) {
        (void)hm_b64url_decode(raw, sizeof raw, body_b64, strlen(body_b64), &n);
        m.body = raw;
        m.body_len = n;
        json_object_set_new(msg, "body_b64", json_string(body_b64));
    } else {
        json_object_set_new(msg, "body", json_string(body));
    }
    doc = json_pack("{s:s,s:[s],s:o}", "description", description, "spec", "HM-CARRY-16", "message",
                    msg);
    if (canon_body != NULL) {
        /* K of HM-CARRY-16 from the canonical strings and the recipient stem ([HM-TOKEN-55]),
         * each NUL-terminated but the body. */
        const char *parts[] = {"hallmark-token-key-v3", channel, canon_from};
        unsigned char stem[HM_SHA256_BYTES];
        char stem_b64[48];
        crypto_hash_sha256_state st;
        size_t i;

        (void)hm_recipient_stem(channel, canon_from, canon_to, stem);
        (void)hm_b64url_encode(stem_b64, sizeof stem_b64, stem, sizeof stem, NULL);
        crypto_hash_sha256_init(&st);
        for (i = 0; i < 3; i++) {
            crypto_hash_sha256_update(&st, (const unsigned char *)parts[i], strlen(parts[i]) + 1);
        }
        crypto_hash_sha256_update(&st, stem, sizeof stem);
        crypto_hash_sha256_update(&st, (const unsigned char *)"", 1);
        crypto_hash_sha256_update(&st, (const unsigned char *)canon_body, strlen(canon_body));
        crypto_hash_sha256_final(&st, digest);
        (void)hm_b64url_encode(key, sizeof key, digest, sizeof digest, NULL);
        json_object_set_new(doc, "canonical",
                            json_pack("{s:s,s:s,s:s,s:s}", "from", canon_from, "to", canon_to,
                                      "stem", stem_b64, "body", canon_body));
        json_object_set_new(expect, "key", json_string(key));
    }
    json_object_set_new(doc, "expect", expect);
    rc = hallmark_token_lookup_key(&m, got, sizeof got);
    if (strcmp(hallmark_result_name(rc), result) != 0 || strcmp(got, key) != 0) {
        fprintf(stderr, "gen-vectors: lookup %s: the library gives %s %s, the vector %s %s\n", name,
                hallmark_result_name(rc), got, result, key);
        failures++;
    }
    (void)snprintf(path, sizeof path, "%s/lookup", out_dir);
    (void)mkdir(path, 0755);
    (void)snprintf(path, sizeof path, "%s/lookup/%02d-%s.json", out_dir, lookup_counter, name);
    write_vector(doc, path);
    json_decref(doc);
}

#define SPEC_EXAMPLE_BODY                                                                          \
    "Acme Bank: your payment of \xc2\xa3"                                                          \
    "120.00 to Northwind Energy is scheduled for 1 December."

static void
lookup_keys(void)
{
    lookup("spec-example", "The SMS of §2.6: the example key of §9.6", "sms", "ACMEBANK", TO_SMS,
           SPEC_EXAMPLE_BODY, NULL, "ACMEBANK", TO_SMS, SPEC_EXAMPLE_BODY, "HALLMARK_OK");
    lookup("sms-alphanumeric", "The SMS of vector 001", "sms", "ACMEBANK", TO_SMS, BODY, NULL,
           "ACMEBANK", TO_SMS, BODY, "HALLMARK_OK");
    lookup("sms-other-recipient", "The same text to another number has another key", "sms",
           "ACMEBANK", "+447700900999", BODY, NULL, "ACMEBANK", "+447700900999", BODY,
           "HALLMARK_OK");
    lookup("sms-one-character", "One character changed in the body: another key", "sms", "ACMEBANK",
           TO_SMS,
           "Acme Bank: your card ending 4243 was charged \xc2\xa3"
           "10.00 at Acme Store.",
           NULL, "ACMEBANK", TO_SMS,
           "Acme Bank: your card ending 4243 was charged \xc2\xa3"
           "10.00 at Acme Store.",
           "HALLMARK_OK");
    lookup("sms-canonical-body",
           "CRLF, trailing spaces, a BOM and trailing line ends: the key of "
           "the canonical body (§3)",
           "sms", "ACMEBANK", TO_SMS,
           "\xef\xbb\xbfYour code is 123456 \r\nDo not share it.\t\r\n\r\n", NULL, "ACMEBANK",
           TO_SMS, "Your code is 123456\nDo not share it.", "HALLMARK_OK");
    lookup("sms-short-code", "A short code sender", "sms", "72233", TO_SMS, "Your code is 123456",
           NULL, "72233", TO_SMS, "Your code is 123456", "HALLMARK_OK");
    lookup("rcs-agent-canonical", "An RCS agent id as shown in capitals: lowercased first (§4)",
           "rcs", "ACME_BANK_AGENT@RBM.GOOG", TO_SMS, BODY, NULL, "acme_bank_agent@rbm.goog",
           TO_SMS, BODY, "HALLMARK_OK");
    lookup("whatsapp", "WhatsApp: the business number", "whatsapp", "+447700900500", TO_SMS, BODY,
           NULL, "+447700900500", TO_SMS, BODY, "HALLMARK_OK");
    lookup("empty-body", "An empty body has a key", "sms", "ACMEBANK", TO_SMS, "", NULL, "ACMEBANK",
           TO_SMS, "", "HALLMARK_OK");
    lookup("recipient-not-e164", "A recipient that is not E.164: no key", "sms", "ACMEBANK",
           "07700900123", BODY, NULL, NULL, NULL, NULL, "HALLMARK_ERR_INVALID_ARGUMENT");
    lookup("bad-channel", "A channel name outside the channel syntax: no key", "SMS", "ACMEBANK",
           TO_SMS, BODY, NULL, NULL, NULL, NULL, "HALLMARK_ERR_INVALID_ARGUMENT");
    lookup("body-not-utf8", "A body that is not UTF-8: no token can exist, no key", "sms",
           "ACMEBANK", TO_SMS, NULL, "_w", NULL, NULL, NULL, "HALLMARK_BODY_MODIFIED");
}

static void
attack_corpus(void)
{
    attack_algorithms();
    attack_header_members();
    attack_kid();
    attack_duplicates();
    attack_base64();
    attack_signatures();
    attack_json();
    attack_size();
    attack_replay();
    attack_other_brand();
    attack_bundles();
    attack_actions();
    attack_sender_ownership(); /* appended: numbers 226 on */
}

/* Issue 13: an action label follows the display-name character rule ([HM-TOKEN-28]); labels in
 * other scripts and with symbols still verify. */
static void
label_rules(void)
{
    static const char *const refused[][3] = {
        {"label-bidi-override", "An action label with a right-to-left override (U+202E)",
         "Pay\xe2\x80\xaewon"},
        {"label-bidi-isolate", "An action label with a bidi isolate (U+2066 ... U+2069)",
         "Pay \xe2\x81\xa6now\xe2\x81\xa9"},
        {"label-bidi-mark", "An action label with a right-to-left mark (U+200F)",
         "Pay now\xe2\x80\x8f"},
        {"label-arabic-letter-mark", "An action label with an Arabic letter mark (U+061C)",
         "Pay\xd8\x9c now"},
        {"label-zero-width-space", "An action label with a zero-width space (U+200B)",
         "Pay\xe2\x80\x8bnow"},
        {"label-byte-order-mark", "An action label with a zero-width no-break space (U+FEFF)",
         "\xef\xbb\xbfPay now"},
        {"label-soft-hyphen", "An action label with a soft hyphen (U+00AD)", "Pay\xc2\xadnow"},
        {"label-trailing-space", "An action label that ends with a space", "Pay now "},
    };
    size_t i;
    json_t *c;

    for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        c = sms_claims(BODY, "l120");
        json_object_set_new(c, "actions",
                            json_pack("[{s:s,s:s,s:s}]", "kind", "link", "label", refused[i][2],
                                      "url", "https://pay.acme.example/i/42"));
        neg_token(refused[i][0], refused[i][1], "HM-TOKEN-17 HM-TOKEN-28 HM-VERIFY-12",
                  "HALLMARK_MALFORMED", sign_claims(acme, c));
    }
    c = sms_claims(BODY, "l121");
    json_object_set_new(c, "actions",
                        json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s}]", "kind", "link", "label",
                                  "Payer 10 \xe2\x82\xac", "url", "https://acme.example/pay/i/42",
                                  "kind", "call", "label",
                                  "\xe3\x81\x8a\xe6\x94\xaf\xe6\x89\x95"
                                  "\xe3\x81\x84",
                                  "url", "https://acme.example/call"));
    positive("label-other-scripts", "Action labels with a currency sign and in Japanese verify",
             "HM-TOKEN-17 HM-TOKEN-28 HM-VERIFY-19", acme, "sms", "ACMEBANK", TO_SMS, BODY, c);
}

/* ---- persisted trust state, root quorum, publisher generations (issue 20; §6.4-§6.8) ------ */

static hm_signkey *qa, *qb, *qc, *qd, *qe, *qf, *pub2, *pub3;

/* A co-signed object (§6.4): one compact JWS per signer over one payload (consumed). */
static json_t *
cosign(const char *typ, json_t *payload, const hm_signkey *const *signers, size_t n)
{
    json_t *out = json_array();
    size_t i;

    for (i = 0; i < n; i++) {
        char *jws = fx_sign(signers[i], typ, "Ed25519", payload);
        json_array_append_new(out, json_string(jws));
        free(jws);
    }
    json_decref(payload);
    return out;
}

/* A root statement to the set keys[0..n) with threshold, co-signed by signers. */
static json_t *
statement(long long seq, const hm_signkey *const *keys, size_t n, int threshold,
          const hm_signkey *const *signers, size_t ns)
{
    json_t *list = json_array();
    size_t i;

    for (i = 0; i < n; i++) {
        json_array_append_new(list, jwk(keys[i]));
    }
    return cosign("hallmark-root+jwt",
                  json_pack("{s:i,s:I,s:o,s:i,s:I}", "v", 1, "seq", (json_int_t)seq, "keys", list,
                            "threshold", threshold, "iat", (json_int_t)(NOW - 10 * DAY)),
                  signers, ns);
}

/* The digest of a co-signed statement's payload ([HM-BUNDLE-67]). */
static void
statement_digest(const json_t *st, char out[48])
{
    credential_digest(json_string_value(json_array_get(st, 0)), out);
}

struct qopts {
    const char *platform; /* NULL: PLATFORM */
    const json_t *roots;  /* the chain (borrowed), NULL: [] */
    const hm_signkey *const *cert_signers;
    size_t cert_signer_count;
    const hm_signkey *pub;       /* the publishing key */
    long long generation;        /* < 0: no member */
    long long serial, exp;       /* exp 0: NOW + 7 days */
    long long cert_exp;          /* 0: NOW + 28 days */
    const char *cred_platform;   /* the credential's "platform", or NULL */
    const hm_signkey *brand_key; /* acme's key, NULL: acme */
    json_t *cert_override;       /* consumed: the publisher member as given */
};

static char *
qbundle(const struct qopts *o)
{
    json_t *cert = json_pack("{s:i,s:o,s:I,s:I}", "v", 1, "jwk", jwk(o->pub), "nbf",
                             (json_int_t)(NOW - 7 * DAY), "exp",
                             (json_int_t)(o->cert_exp ? o->cert_exp : NOW + 28 * DAY));
    json_t *cred = credential_payload("acme-bank", "Acme Bank", acme_senders(), NOW - 30 * DAY,
                                      NOW + 365 * DAY);
    json_t *payload, *roots = o->roots != NULL ? json_deep_copy(o->roots) : json_array();
    char *cred_jws, *out;

    if (o->generation >= 0) {
        json_object_set_new(cert, "generation", json_integer(o->generation));
    }
    if (o->cred_platform != NULL) {
        json_object_set_new(cred, "platform", json_string(o->cred_platform));
    }
    cred_jws = sign_json(o->pub, "hallmark-brand+jwt", cred);
    payload = json_pack("{s:i,s:s,s:I,s:I,s:I,s:o,s:o,s:[{s:s,s:[o]}]}", "v", 1, "platform",
                        o->platform != NULL ? o->platform : PLATFORM, "serial",
                        (json_int_t)o->serial, "iat", (json_int_t)(NOW - 3600), "exp",
                        (json_int_t)(o->exp ? o->exp : NOW + 7 * DAY), "roots", roots, "publisher",
                        o->cert_override != NULL ? o->cert_override
                                                 : cosign("hallmark-publisher+jwt", cert,
                                                          o->cert_signers, o->cert_signer_count),
                        "brands", "credential", cred_jws, "keys",
                        key_entry(o->brand_key != NULL ? o->brand_key : acme, "active",
                                  NOW - 30 * DAY, NOW + 365 * DAY));
    if (o->cert_override != NULL) {
        json_decref(cert);
    }
    out = fx_sign(o->pub, "hallmark-bundle+jwt", "Ed25519", payload);
    json_decref(payload);
    free(cred_jws);
    return out;
}

static json_t *
pins(const hm_signkey *const *keys, size_t n)
{
    json_t *out = json_array();
    size_t i;

    for (i = 0; i < n; i++) {
        char *x = b64(hm_signkey_public(keys[i])->raw, 32);
        json_array_append_new(out, json_string(x));
        free(x);
    }
    return out;
}

struct qcase {
    const char *name, *description, *spec, *result;
    char *bundle;  /* consumed */
    json_t *roots; /* consumed */
    int threshold;
    const char *platform;     /* pinned; NULL: PLATFORM */
    char *state;              /* consumed */
    long long serial;         /* expected on success */
    char *expect_state;       /* consumed */
    const hm_signkey *signer; /* the token's key, NULL: acme */
    const char *cred;         /* the token's cred digest, NULL: acme's */
};

static void
qemit(struct qcase *q)
{
    json_t *c = sms_claims(BODY, q->name);
    const hm_signkey *k = q->signer != NULL ? q->signer : acme;
    char *t;
    int verified = strcmp(q->result, "HALLMARK_VERIFIED") == 0;
    struct vec v;

    if (q->cred != NULL) {
        json_object_set_new(c, "cred", json_string(q->cred));
    }
    t = token(k, c);
    memset(&v, 0, sizeof v);
    v.name = q->name;
    v.description = q->description;
    v.spec = q->spec;
    v.bundle = q->bundle;
    v.channel = "sms";
    v.from = "ACMEBANK";
    v.to = TO_SMS;
    v.body = BODY;
    v.token = t;
    v.result = q->result;
    v.serial = verified ? q->serial : 0;
    v.brand = verified ? acme_brand(k, c) : NULL;
    v.roots = q->roots;
    v.threshold = q->threshold;
    v.platform = q->platform;
    v.state = q->state;
    v.expect_state = verified ? q->expect_state : NULL;
    emit(&v);
    free(t);
    json_decref(c);
    free(q->bundle);
    free(q->state);
    free(q->expect_state);
}

static void
trust_state_vectors(void)
{
    const hm_signkey *q1[] = {qa, qb, qc}, *q2[] = {qd, qe, qf}, *q1_two[] = {qa, qb},
                     *q2_two[] = {qd, qe}, *q1_one[] = {qa}, *q1_outsider[] = {qa, qb, rogue},
                     *q1_twice[] = {qa, qa}, *attacker_set[] = {rogue}, *q1_b[] = {qb},
                     *by_rogue[] = {rogue};
    json_t *s1 = statement(1, q2, 3, 2, q1_two, 2), *chain = json_pack("[O]", s1);
    json_t *p1 = pins(q1, 3), *p2 = pins(q2, 3);
    char d1[48], dfork[48], cred_plat[48];
    json_t *fork_chain, *bad_threshold, *short_chain, *mixed, *other_cert, *p_one = pins(q1_b, 1);
    long long max = 9007199254740991LL; /* 2^53 - 1 */
    struct qopts o;
    struct qcase q;
    char *jws;

    statement_digest(s1, d1);
    counter = 329; /* vectors 330-359 belong to issue 20 (spec HM-VEC-60) */

#define QOPTS(...) (memset(&o, 0, sizeof o), o.generation = -1, (void)0, __VA_ARGS__)
#define QCASE(...) (memset(&q, 0, sizeof q), __VA_ARGS__, qemit(&q))

    /* 330: the quorum certificate, and the state a first load returns. */
    QOPTS(o.cert_signers = q1_two, o.cert_signer_count = 2, o.pub = publisher, o.generation = 1,
          o.serial = 10);
    QCASE(q.name = "quorum-certificate-2-of-3",
          q.description = "A publisher certificate co-signed by 2 of the 3 pinned root keys; the "
                          "first load (no state) returns the state of §6.8",
          q.spec = "HM-TRUST-60 HM-BUNDLE-60 HM-BUNDLE-11 HM-BUNDLE-28 HM-BUNDLE-67",
          q.result = "HALLMARK_VERIFIED", q.bundle = qbundle(&o), q.roots = json_deep_copy(p1),
          q.threshold = 2, q.serial = 10,
          q.expect_state = state_for(PLATFORM, p1, 2, 0, "", 1, kid(publisher), 10));
    QOPTS(o.cert_signers = q1_one, o.cert_signer_count = 1, o.pub = publisher, o.generation = 1,
          o.serial = 10);
    QCASE(q.name = "quorum-certificate-1-of-3",
          q.description = "One root signature where the pinned threshold is 2",
          q.spec = "HM-TRUST-60 HM-BUNDLE-60 HM-BUNDLE-22", q.result = "HALLMARK_BUNDLE_UNTRUSTED",
          q.bundle = qbundle(&o), q.roots = json_deep_copy(p1), q.threshold = 2);
    QOPTS(o.cert_signers = q1_outsider, o.cert_signer_count = 3, o.pub = publisher,
          o.generation = 1, o.serial = 10);
    QCASE(q.name = "quorum-certificate-outsider",
          q.description = "Two root signatures and one by a key outside the set: a signature "
                          "the verifier cannot check is never ignored",
          q.spec = "HM-BUNDLE-60 HM-BUNDLE-22", q.result = "HALLMARK_BUNDLE_UNTRUSTED",
          q.bundle = qbundle(&o), q.roots = json_deep_copy(p1), q.threshold = 2);
    QOPTS(o.cert_signers = q1_twice, o.cert_signer_count = 2, o.pub = publisher, o.generation = 1,
          o.serial = 10);
    QCASE(q.name = "quorum-certificate-key-twice",
          q.description = "One root key signs the certificate twice to reach the threshold",
          q.spec = "HM-BUNDLE-60", q.result = "HALLMARK_BUNDLE_MALFORMED", q.bundle = qbundle(&o),
          q.roots = json_deep_copy(p1), q.threshold = 2);
    mixed =
        cosign("hallmark-publisher+jwt",
               json_pack("{s:i,s:i,s:o,s:I,s:I}", "v", 1, "generation", 1, "jwk", jwk(publisher),
                         "nbf", (json_int_t)(NOW - 7 * DAY), "exp", (json_int_t)(NOW + 28 * DAY)),
               q1_one, 1);
    other_cert = json_pack("{s:i,s:i,s:o,s:I,s:I}", "v", 1, "generation", 1, "jwk", jwk(publisher),
                           "nbf", (json_int_t)(NOW - 7 * DAY), "exp", (json_int_t)(NOW + 29 * DAY));
    jws = fx_sign(qb, "hallmark-publisher+jwt", "Ed25519", other_cert);
    json_decref(other_cert);
    json_array_append_new(mixed, json_string(jws));
    free(jws);
    QOPTS(o.pub = publisher, o.serial = 10, o.cert_override = mixed);
    QCASE(q.name = "quorum-certificate-two-payloads",
          q.description = "Two root keys sign two different certificates (one day apart)",
          q.spec = "HM-BUNDLE-60", q.result = "HALLMARK_BUNDLE_MALFORMED", q.bundle = qbundle(&o),
          q.roots = json_deep_copy(p1), q.threshold = 2);

    /* 335-338: root statements to a set with a threshold. */
    QOPTS(o.roots = chain, o.cert_signers = q2_two, o.cert_signer_count = 2, o.pub = publisher,
          o.generation = 1, o.serial = 10);
    QCASE(q.name = "root-set-rotation-from-old-set",
          q.description = "Root statement 1, signed by 2 of the old set, names a new set of 3 "
                          "(threshold 2), which certifies the publisher; the app pins the old set",
          q.spec = "HM-BUNDLE-62 HM-BUNDLE-13 HM-BUNDLE-14 HM-BUNDLE-67",
          q.result = "HALLMARK_VERIFIED", q.bundle = qbundle(&o), q.roots = json_deep_copy(p1),
          q.threshold = 2, q.serial = 10,
          q.expect_state = state_for(PLATFORM, p1, 2, 1, d1, 1, kid(publisher), 10));
    QCASE(q.name = "root-set-rotation-from-new-set",
          q.description = "The same bundle; the app pins the new set: it walks from there",
          q.spec = "HM-BUNDLE-14", q.result = "HALLMARK_VERIFIED", q.bundle = qbundle(&o),
          q.roots = json_deep_copy(p2), q.threshold = 2, q.serial = 10,
          q.expect_state = state_for(PLATFORM, p2, 2, 1, d1, 1, kid(publisher), 10));
    short_chain = json_pack("[o]", statement(1, q2, 3, 2, q1_one, 1));
    o.roots = short_chain;
    QCASE(q.name = "root-statement-short-of-quorum",
          q.description = "A root statement signed by 1 of the old set (threshold 2)",
          q.spec = "HM-BUNDLE-14 HM-BUNDLE-21", q.result = "HALLMARK_BUNDLE_UNTRUSTED",
          q.bundle = qbundle(&o), q.roots = json_deep_copy(p1), q.threshold = 2);
    bad_threshold = json_pack("[o]", statement(1, q2, 3, 4, q1_two, 2));
    o.roots = bad_threshold;
    QCASE(q.name = "root-statement-threshold-above-set",
          q.description = "A root statement naming 3 keys with threshold 4",
          q.spec = "HM-BUNDLE-62", q.result = "HALLMARK_BUNDLE_MALFORMED", q.bundle = qbundle(&o),
          q.roots = json_deep_copy(p1), q.threshold = 2);

    /* 339: reloading the same bundle with its own state. */
    QOPTS(o.cert_signers = q1_two, o.cert_signer_count = 2, o.pub = publisher, o.generation = 1,
          o.serial = 10);
    QCASE(q.name = "state-reload-same-bundle",
          q.description = "The bundle the state was written for, loaded again",
          q.spec = "HM-BUNDLE-26 HM-BUNDLE-31", q.result = "HALLMARK_VERIFIED",
          q.bundle = qbundle(&o), q.roots = json_deep_copy(p1), q.threshold = 2, q.serial = 10,
          q.state = state_for(PLATFORM, p1, 2, 0, "", 1, kid(publisher), 10),
          q.expect_state = state_for(PLATFORM, p1, 2, 0, "", 1, kid(publisher), 10));

    /* 340-342: the platform. */
    QCASE(q.name = "bundle-of-another-platform",
          q.description = "A genuine bundle of platform \"Hallmark Vectors\" given to an app "
                          "that pins \"Other Platform\" with the same roots",
          q.spec = "HM-TRUST-60 HM-BUNDLE-68", q.result = "HALLMARK_BUNDLE_WRONG_PLATFORM",
          q.bundle = qbundle(&o), q.roots = json_deep_copy(p1), q.threshold = 2,
          q.platform = "Other Platform");
    o.cred_platform = "Other Platform";
    QCASE(q.name = "credential-of-another-platform",
          q.description = "A credential that names another platform inside this platform's bundle",
          q.spec = "HM-CRED-60 HM-BUNDLE-68", q.result = "HALLMARK_BUNDLE_WRONG_PLATFORM",
          q.bundle = qbundle(&o), q.roots = json_deep_copy(p1), q.threshold = 2);
    o.cred_platform = PLATFORM;
    {
        json_t *cred = credential_payload("acme-bank", "Acme Bank", acme_senders(), NOW - 30 * DAY,
                                          NOW + 365 * DAY);
        char *cj;
        json_object_set_new(cred, "platform", json_string(PLATFORM));
        cj = sign_json(publisher, "hallmark-brand+jwt", cred);
        credential_digest(cj, cred_plat);
        free(cj);
    }
    QCASE(q.name = "credential-names-its-platform",
          q.description = "A credential that names this platform: the token's cred commits to it",
          q.spec = "HM-CRED-60", q.result = "HALLMARK_VERIFIED", q.bundle = qbundle(&o),
          q.roots = json_deep_copy(p1), q.threshold = 2, q.serial = 10, q.cred = cred_plat,
          q.expect_state = state_for(PLATFORM, p1, 2, 0, "", 1, kid(publisher), 10));
    o.cred_platform = NULL;

    /* 343-345: states the verifier refuses. */
    QCASE(q.name = "state-of-another-platform",
          q.description = "The state another platform's verifier wrote", q.spec = "HM-BUNDLE-69",
          q.result = "HALLMARK_ERR_STATE_INVALID", q.bundle = qbundle(&o),
          q.roots = json_deep_copy(p1), q.threshold = 2,
          q.state = state_for("Other Platform", p1, 2, 0, "", 1, kid(publisher), 10));
    {
        char *st = state_for(PLATFORM, p1, 2, 0, "", 1, kid(publisher), 10);
        size_t n = strlen(st);
        char *spaced = malloc(n + 2);
        memcpy(spaced, st, n - 1);
        memcpy(spaced + n - 1, " }", 3);
        free(st);
        QCASE(q.name = "state-not-in-canonical-form",
              q.description = "A state with a space the library never writes",
              q.spec = "HM-BUNDLE-69 HM-BUNDLE-72", q.result = "HALLMARK_ERR_STATE_INVALID",
              q.bundle = qbundle(&o), q.roots = json_deep_copy(p1), q.threshold = 2,
              q.state = spaced);
        st = state_for(PLATFORM, p1, 2, 0, "", 1, kid(publisher), 10);
        st[5] = '2'; /* {"v":1 -> {"v":2 */
        QCASE(q.name = "state-unknown-version",
              q.description = "A state of a version this verifier does not know",
              q.spec = "HM-BUNDLE-69 HM-BUNDLE-72", q.result = "HALLMARK_ERR_STATE_INVALID",
              q.bundle = qbundle(&o), q.roots = json_deep_copy(p1), q.threshold = 2, q.state = st);
    }

    /* 346-351: publisher generations. */
    QCASE(q.name = "older-generation-after-newer",
          q.description = "A generation 1 bundle (serial 20) after generation 2 was accepted",
          q.spec = "HM-BUNDLE-64 HM-TRUST-63", q.result = "HALLMARK_BUNDLE_PUBLISHER_SUPERSEDED",
          q.bundle = (o.serial = 20, qbundle(&o)), q.roots = json_deep_copy(p1), q.threshold = 2,
          q.state = state_for(PLATFORM, p1, 2, 0, "", 2, kid(pub2), 5));
    QOPTS(o.cert_signers = q1_two, o.cert_signer_count = 2, o.pub = rogue, o.generation = 1,
          o.serial = 11);
    QCASE(q.name = "same-generation-other-key",
          q.description = "Generation 1 certified for a second key (a root quorum misused) after "
                          "generation 1 of the genuine key was accepted",
          q.spec = "HM-BUNDLE-64 HM-TRUST-63", q.result = "HALLMARK_BUNDLE_PUBLISHER_SUPERSEDED",
          q.bundle = qbundle(&o), q.roots = json_deep_copy(p1), q.threshold = 2,
          q.state = state_for(PLATFORM, p1, 2, 0, "", 1, kid(publisher), 10));
    QOPTS(o.cert_signers = q1_two, o.cert_signer_count = 2, o.pub = pub2, o.generation = 2,
          o.serial = 11);
    QCASE(q.name = "leaked-key-serial-max-then-rotation",
          q.description = "The app accepted the leaked key's bundle of serial 2^53-1; the "
                          "platform's generation 2 bundle of serial 11 is accepted: no lock-out",
          q.spec = "HM-BUNDLE-65 HM-BUNDLE-64", q.result = "HALLMARK_VERIFIED",
          q.bundle = qbundle(&o), q.roots = json_deep_copy(p1), q.threshold = 2, q.serial = 11,
          q.state = state_for(PLATFORM, p1, 2, 0, "", 1, kid(publisher), max),
          q.expect_state = state_for(PLATFORM, p1, 2, 0, "", 2, kid(pub2), 11));
    QOPTS(o.cert_signers = q1_two, o.cert_signer_count = 2, o.pub = publisher, o.generation = 1,
          o.serial = max, o.brand_key = rogue);
    QCASE(q.name = "leaked-key-after-rotation",
          q.description = "The leaked generation 1 key's bundle (serial 2^53-1, acme's key "
                          "replaced by the attacker's) after generation 2 was accepted",
          q.spec = "HM-BUNDLE-64 HM-BUNDLE-65", q.result = "HALLMARK_BUNDLE_PUBLISHER_SUPERSEDED",
          q.bundle = qbundle(&o), q.roots = json_deep_copy(p1), q.threshold = 2, q.signer = rogue,
          q.state = state_for(PLATFORM, p1, 2, 0, "", 2, kid(pub2), 11));
    QCASE(q.name = "leaked-key-before-rotation",
          q.description = "The documented exposure: the same forged bundle, to an app that has "
                          "not loaded a generation 2 bundle, verifies the attacker's token",
          q.spec = "HM-BUNDLE-65 HM-BUNDLE-26", q.result = "HALLMARK_VERIFIED",
          q.bundle = qbundle(&o), q.roots = json_deep_copy(p1), q.threshold = 2, q.serial = max,
          q.signer = rogue, q.state = state_for(PLATFORM, p1, 2, 0, "", 1, kid(publisher), 10),
          q.expect_state = state_for(PLATFORM, p1, 2, 0, "", 1, kid(publisher), max));
    QOPTS(o.cert_signers = q1_two, o.cert_signer_count = 2, o.pub = publisher, o.generation = 1,
          o.serial = 9);
    QCASE(q.name = "same-generation-rollback",
          q.description = "Serial 9 of generation 1 after serial 10 of generation 1",
          q.spec = "HM-BUNDLE-26", q.result = "HALLMARK_BUNDLE_ROLLBACK", q.bundle = qbundle(&o),
          q.roots = json_deep_copy(p1), q.threshold = 2,
          q.state = state_for(PLATFORM, p1, 2, 0, "", 1, kid(publisher), 10));

    /* 352-354: the chain position. */
    fork_chain = json_pack("[o]", statement(1, attacker_set, 1, 1, q1_two, 2));
    statement_digest(json_array_get(fork_chain, 0), dfork);
    QOPTS(o.roots = fork_chain, o.cert_signers = by_rogue, o.cert_signer_count = 1,
          o.pub = publisher, o.generation = 99, o.serial = 12);
    QCASE(q.name = "leaked-root-forked-chain",
          q.description = "A quorum of the old root set leaked: the attacker's statement 1 to "
                          "their own set, after the platform's statement 1 was accepted",
          q.spec = "HM-BUNDLE-66", q.result = "HALLMARK_BUNDLE_ROOT_FORKED", q.bundle = qbundle(&o),
          q.roots = json_deep_copy(p1), q.threshold = 2,
          q.state = state_for(PLATFORM, p1, 2, 1, d1, 1, kid(publisher), 10));
    QCASE(q.name = "leaked-root-fork-to-fresh-app",
          q.description = "The documented exposure: the same fork, to an app with no state",
          q.spec = "HM-BUNDLE-66 HM-BUNDLE-31", q.result = "HALLMARK_VERIFIED",
          q.bundle = qbundle(&o), q.roots = json_deep_copy(p1), q.threshold = 2, q.serial = 12,
          q.expect_state = state_for(PLATFORM, p1, 2, 1, dfork, 99, kid(publisher), 12));
    QOPTS(o.cert_signers = q1_two, o.cert_signer_count = 2, o.pub = publisher, o.generation = 5,
          o.serial = 13);
    QCASE(q.name = "chain-stops-before-position",
          q.description = "A bundle certified by the old set with no statement, after statement "
                          "1 was accepted (a root rollback)",
          q.spec = "HM-BUNDLE-66", q.result = "HALLMARK_BUNDLE_ROOT_FORKED", q.bundle = qbundle(&o),
          q.roots = json_deep_copy(p1), q.threshold = 2,
          q.state = state_for(PLATFORM, p1, 2, 1, d1, 1, kid(publisher), 10));

    /* 355-356: floors reset forward; an offline client catches up from one bundle. */
    QOPTS(o.roots = chain, o.cert_signers = q2_two, o.cert_signer_count = 2, o.pub = publisher,
          o.generation = 1, o.serial = 2);
    QCASE(q.name = "later-position-resets-floors",
          q.description = "After generation 3 serial 50 under the old set, the new set's "
                          "generation 1 serial 2 is accepted",
          q.spec = "HM-BUNDLE-65", q.result = "HALLMARK_VERIFIED", q.bundle = qbundle(&o),
          q.roots = json_deep_copy(p1), q.threshold = 2, q.serial = 2,
          q.state = state_for(PLATFORM, p1, 2, 0, "", 3, kid(pub3), 50),
          q.expect_state = state_for(PLATFORM, p1, 2, 1, d1, 1, kid(publisher), 2));
    QOPTS(o.roots = chain, o.cert_signers = q2_two, o.cert_signer_count = 2, o.pub = pub3,
          o.generation = 3, o.serial = 30);
    QCASE(q.name = "offline-across-rotations",
          q.description = "An app offline since generation 1 serial 10 under the old set, while "
                          "the publisher rotated twice and the root set once, catches up from "
                          "one bundle",
          q.spec = "HM-BUNDLE-65 HM-BUNDLE-66 HM-BUNDLE-14", q.result = "HALLMARK_VERIFIED",
          q.bundle = qbundle(&o), q.roots = json_deep_copy(p1), q.threshold = 2, q.serial = 30,
          q.state = state_for(PLATFORM, p1, 2, 0, "", 1, kid(publisher), 10),
          q.expect_state = state_for(PLATFORM, p1, 2, 1, d1, 3, kid(pub3), 30));

    /* 357: short-lived certificates bound the bundle. */
    QOPTS(o.cert_signers = q1_two, o.cert_signer_count = 2, o.pub = publisher, o.generation = 1,
          o.serial = 10, o.cert_exp = NOW + DAY);
    QCASE(q.name = "bundle-outlives-certificate",
          q.description = "A bundle expiring 7 days ahead under a certificate expiring tomorrow",
          q.spec = "HM-BUNDLE-63 HM-TRUST-62", q.result = "HALLMARK_BUNDLE_UNTRUSTED",
          q.bundle = qbundle(&o), q.roots = json_deep_copy(p1), q.threshold = 2);

    /* 358: new pins start a new history. */
    QOPTS(o.cert_signers = q1_two, o.cert_signer_count = 2, o.pub = publisher, o.generation = 1,
          o.serial = 10);
    QCASE(q.name = "state-of-other-pins",
          q.description = "A state written under other pins (the app shipped new ones): it "
                          "counts as no state",
          q.spec = "HM-BUNDLE-71", q.result = "HALLMARK_VERIFIED", q.bundle = qbundle(&o),
          q.roots = json_deep_copy(p1), q.threshold = 2, q.serial = 10,
          q.state = state_for(PLATFORM, p2, 2, 0, "", 9, kid(pub3), 99),
          q.expect_state = state_for(PLATFORM, p1, 2, 0, "", 1, kid(publisher), 10));

    /* 359: an earlier certificate (one JWS, no generation) under a pinned threshold of 1. */
    QOPTS(o.cert_signers = q1_b, o.cert_signer_count = 1, o.pub = publisher, o.serial = 10);
    QCASE(q.name = "single-root-certificate",
          q.description = "A certificate with one signature and no generation (generation 0), "
                          "the app pinning one root with threshold 1",
          q.spec = "HM-BUNDLE-61 HM-BUNDLE-60", q.result = "HALLMARK_VERIFIED",
          q.bundle = qbundle(&o), q.roots = json_deep_copy(p_one), q.threshold = 1, q.serial = 10,
          q.expect_state = state_for(PLATFORM, p_one, 1, 0, "", 0, kid(publisher), 10));
#undef QOPTS
#undef QCASE
    json_decref(s1);
    json_decref(chain);
    json_decref(short_chain);
    json_decref(bad_threshold);
    json_decref(fork_chain);
    json_decref(p1);
    json_decref(p2);
    json_decref(p_one);
}

/* ---- issue 22: what each level may show (§5.5, [HM-CRED-40]) ------------------------------------
 * "Acme Bank Alerts" is onboarded at level basic with Acme's logo digest and colours byte for byte
 * (credential_payload gives every brand Acme's): its pass is HALLMARK_VERIFIED_DOMAIN, "signed by"
 * its domain, with no name, logo or colours. Initech, at level organization, names a domain too. */

static hm_signkey *alerts, *initech;
static char *levels_bundle;
static char alerts_cred_digest[48], initech_cred_digest[48];

static json_t *
level_payload(const char *id, const char *name, const char *sender, const char *level,
              const char *domain)
{
    json_t *p =
        credential_payload(id, name, json_pack("[{s:s,s:s}]", "channel", "sms", "id", sender),
                           NOW - 30 * DAY, NOW + 365 * DAY);

    json_object_set_new(p, "level", json_string(level));
    json_object_set_new(p, "link_domains", json_pack("[s]", domain != NULL ? domain : "x.example"));
    if (domain != NULL) {
        json_object_set_new(p, "domain", json_string(domain));
    }
    return p;
}

/* A bundle with the default brands and the extra brand entries of the (released) payloads,
 * each signed by the publisher with key k. */
static char *
bundle_with(json_t *p1, const hm_signkey *k1, json_t *p2, const hm_signkey *k2, char d1[48],
            char d2[48])
{
    struct bundle_opts o = {.serial = 7, .exp = NOW + 7 * DAY};
    char *c1 = sign_json(publisher, "hallmark-brand+jwt", p1), *c2 = NULL, *out;
    json_t *extra = json_pack("[{s:s,s:[o]}]", "credential", c1, "keys",
                              key_entry(k1, "active", NOW - 30 * DAY, NOW + 365 * DAY));

    if (d1 != NULL) {
        credential_digest(c1, d1);
    }
    if (p2 != NULL) {
        c2 = sign_json(publisher, "hallmark-brand+jwt", p2);
        json_array_append_new(extra,
                              json_pack("{s:s,s:[o]}", "credential", c2, "keys",
                                        key_entry(k2, "active", NOW - 30 * DAY, NOW + 365 * DAY)));
        if (d2 != NULL) {
            credential_digest(c2, d2);
        }
    }
    o.extra_brands = extra;
    out = bundle(&o);
    json_decref(extra);
    free(c1);
    free(c2);
    return out;
}

static json_t *
level_claims(const char *iss, const char *cred, const char *from, const char *body, const char *jti)
{
    json_t *c = claims("sms", from, TO_SMS, body, jti);

    json_object_set_new(c, "iss", json_string(iss));
    json_object_set_new(c, "cred", json_string(cred));
    return c;
}

/* The expected result of a pass: acme_brand's members with this brand's id, name and domain; a
 * basic brand's has no name, logo or colours ([HM-VEC-40]). */
static json_t *
level_brand(const hm_signkey *k, const json_t *c, const char *id, const char *name,
            const char *level, const char *domain)
{
    json_t *b = acme_brand(k, c);

    json_object_set_new(b, "id", json_string(id));
    json_object_set_new(b, "level", json_string(level));
    json_object_set_new(b, "domain", json_string(domain));
    if (name != NULL) {
        json_object_set_new(b, "name", json_string(name));
    } else {
        json_object_del(b, "name");
        json_object_del(b, "logo");
        json_object_del(b, "colors");
    }
    return b;
}

static void
level_case(const char *name, const char *description, const char *spec, const char *result,
           const hm_signkey *k, const char *body, json_t *c, json_t *brand, json_t *fetched_tokens)
{
    char *t = token(k, c);
    struct vec v = {name,   description,
                    spec,   levels_bundle,
                    "sms",  json_string_value(json_object_get(c, "from")),
                    TO_SMS, body,
                    NULL,   t,
                    result, 0,
                    0,      0,
                    7,      brand,
                    NULL,   NULL,
                    0,      NULL,
                    NULL,   NULL};

    if (fetched_tokens != NULL) {
        json_array_append_new(fetched_tokens, json_string(t));
        v.token = NULL;
    }
    emit_with(&v, fetched_tokens);
    free(t);
    json_decref(c);
}

static void
level_rules(void)
{
    const char *domain_only = "HALLMARK_VERIFIED_DOMAIN";
    json_t *c;

    alerts = seeded(HM_ALG_ED25519, 16);
    initech = seeded(HM_ALG_ED25519, 17);
    levels_bundle = bundle_with(
        level_payload("acme-alerts", "Acme Bank Alerts", "ACMEALERTS", "basic",
                      "acme-alerts.example"),
        alerts, level_payload("initech", "Initech", "INITECH", "organization", "initech.example"),
        initech, alerts_cred_digest, initech_cred_digest);
    counter = 259; /* issue 22's vectors are numbered 260 on */

    c = level_claims("acme-alerts", alerts_cred_digest, "ACMEALERTS", BODY, "v001");
    json_object_set_new(c, "actions",
                        json_pack("[{s:s,s:s,s:s}]", "kind", "link", "label", "Help", "url",
                                  "https://acme-alerts.example/help"));
    level_case("level-basic-domain-only",
               "A basic brand with Acme's logo digest and colours: signed by its domain, with no "
               "name, logo, colours or checkmark",
               "HM-CRED-40 HM-CRED-41 HM-VERIFY-19 HM-VERIFY-41 HM-RESULT-40", domain_only, alerts,
               BODY, c, level_brand(alerts, c, "acme-alerts", NULL, "basic", "acme-alerts.example"),
               NULL);
    c = level_claims("acme-alerts", alerts_cred_digest, "ACMEALERTS", BODY, "v002");
    level_case("level-basic-body-modified",
               "A basic brand's token on a changed body: the level does not change a failure",
               "HM-VERIFY-40 HM-VERIFY-15", "HALLMARK_BODY_MODIFIED", alerts,
               "Acme Bank: your card ending 4242 was charged \xc2\xa3"
               "100.00 at Acme Store.",
               c, NULL, NULL);
    c = level_claims("acme-alerts", alerts_cred_digest, "ACMEALERTS", BODY, "v003");
    level_case(
        "level-basic-fetched", "An SMS of a basic brand found in the token directory: domain only",
        "HM-CARRY-18 HM-CARRY-40 HM-VERIFY-41", domain_only, alerts, BODY, c,
        level_brand(alerts, c, "acme-alerts", NULL, "basic", "acme-alerts.example"), json_array());
    c = level_claims("initech", initech_cred_digest, "INITECH", BODY, "v004");
    level_case(
        "level-organization-with-domain",
        "An organization brand that names its domain: the checkmark, with the domain",
        "HM-CRED-40 HM-CRED-41 HM-VERIFY-19 HM-VERIFY-41", "HALLMARK_VERIFIED", initech, BODY, c,
        level_brand(initech, c, "initech", "Initech", "organization", "initech.example"), NULL);
    bundle_case(
        "bundle-basic-without-domain",
        "A credential at level basic that names no domain: the bundle is malformed",
        "HM-CRED-41 HM-CRED-1", "HALLMARK_BUNDLE_MALFORMED",
        bundle_with(level_payload("acme-alerts", "Acme Bank Alerts", "ACMEALERTS", "basic", NULL),
                    alerts, NULL, NULL, NULL, NULL),
        0, 0, 0, NULL);
    bundle_case(
        "bundle-domain-not-dns-name",
        "A credential whose domain is an IPv4 literal: the bundle is malformed",
        "HM-CRED-41 HM-CRED-1", "HALLMARK_BUNDLE_MALFORMED",
        bundle_with(level_payload("initech", "Initech", "INITECH", "organization", "192.0.2.1"),
                    initech, NULL, NULL, NULL, NULL),
        0, 0, 0, NULL);
    free(levels_bundle);
}

/* ---- issue 22: call actions dial the brand's listed numbers (§5.9, [HM-CRED-46]) ----------------
 */

static void
phone_case(const char *name, const char *description, const char *result, const char *bundle_text,
           const hm_signkey *k, const char *cred_digest, const char *kind, const char *url)
{
    json_t *c = level_claims("callco", cred_digest, "CALLCO", BODY, "p001");
    char *t;
    struct vec v;

    json_object_set_new(c, "actions",
                        json_pack("[{s:s,s:s,s:s}]", "kind", kind, "label", "Call us", "url", url));
    t = token(k, c);
    v = (struct vec){name,        description, "HM-CRED-46 HM-VERIFY-18",
                     bundle_text, "sms",       "CALLCO",
                     TO_SMS,      BODY,        NULL,
                     t,           result,      0,
                     0,           0,           7,
                     NULL,        NULL,        NULL,
                     0,           NULL,        NULL,
                     NULL};
    if (strcmp(result, "HALLMARK_VERIFIED") == 0) {
        v.spec = "HM-CRED-45 HM-CRED-46 HM-VERIFY-19";
        v.brand = level_brand(k, c, "callco", "CallCo", "organization", "callco.example");
    }
    emit(&v);
    free(t);
    json_decref(c);
}

/* An organization brand's credential payload with one member set (a rule's subject). */
static json_t *
org_payload_with(const char *id, const char *name, const char *sender, const char *domain,
                 const char *member, json_t *value)
{
    json_t *p = level_payload(id, name, sender, "organization", domain);

    json_object_set_new(p, member, value);
    return p;
}

static json_t *
phone_payload(json_t *phones)
{
    return org_payload_with("callco", "CallCo", "CALLCO", "callco.example", "phones", phones);
}

static void
phone_rules(void)
{
    hm_signkey *callco = seeded(HM_ALG_ED25519, 18);
    char digest[48];
    char *b = bundle_with(phone_payload(json_pack("[s,s]", "+442079460000", "+18005550100")),
                          callco, NULL, NULL, digest, NULL);

    phone_case("call-tel-listed", "A call action dials one of the brand's listed numbers",
               "HALLMARK_VERIFIED", b, callco, digest, "call", "tel:+442079460000");
    phone_case("call-tel-not-listed", "A call action dials a number the brand did not list",
               "HALLMARK_ACTION_NOT_AUTHORIZED", b, callco, digest, "call", "tel:+442079460001");
    phone_case("link-action-tel", "A tel: URL on a link action, even with a listed number",
               "HALLMARK_ACTION_NOT_AUTHORIZED", b, callco, digest, "link", "tel:+442079460000");
    phone_case("call-tel-extension", "A listed number with an extension parameter",
               "HALLMARK_ACTION_NOT_AUTHORIZED", b, callco, digest, "call",
               "tel:+442079460000;ext=1");
    phone_case("call-tel-separators", "A listed number written with visual separators",
               "HALLMARK_ACTION_NOT_AUTHORIZED", b, callco, digest, "call", "tel:+44-20-7946-0000");
    bundle_case("bundle-phone-not-e164", "A credential phone number that is not E.164",
                "HM-CRED-45 HM-CRED-1", "HALLMARK_BUNDLE_MALFORMED",
                bundle_with(phone_payload(json_pack("[s]", "020 7946 0000")), callco, NULL, NULL,
                            NULL, NULL),
                0, 0, 0, NULL);
    bundle_case("bundle-phone-duplicate", "A credential that lists one number twice",
                "HM-CRED-45 HM-CRED-1", "HALLMARK_BUNDLE_MALFORMED",
                bundle_with(phone_payload(json_pack("[s,s]", "+442079460000", "+442079460000")),
                            callco, NULL, NULL, NULL, NULL),
                0, 0, 0, NULL);
    free(b);
    hm_signkey_free(callco);
}

/* ---- issue 22, item 8: categories a brand may use (§5.10), conversations scoped to a brand ----
 */

static void
category_case(const char *name, const char *description, const char *spec, const char *result,
              const char *bundle_text, const hm_signkey *k, const char *iss, const char *cred,
              const char *from, const char *category, const char *conv)
{
    json_t *c = level_claims(iss, cred, from, BODY, "k001");
    char *t;
    struct vec v;

    json_object_set_new(c, "category", json_string(category));
    if (conv != NULL) {
        json_object_set_new(c, "conv", json_string(conv));
    }
    t = token(k, c);
    v = (struct vec){name, description, spec,   bundle_text, "sms", from, TO_SMS, BODY,
                     NULL, t,           result, 0,           0,     0,    7,      NULL,
                     NULL, NULL,        0,      NULL,        NULL,  NULL};
    if (strcmp(result, "HALLMARK_VERIFIED") == 0) {
        int cat = strcmp(iss, "catco") == 0;

        v.brand = level_brand(k, c, iss, cat ? "CatCo" : "DogCo", "organization",
                              cat ? "catco.example" : "dogco.example");
    }
    emit(&v);
    free(t);
    json_decref(c);
}

static json_t *
category_payload(json_t *categories)
{
    return org_payload_with("catco", "CatCo", "CATCO", "catco.example", "categories", categories);
}

static void
category_bad(const char *name, const char *description, json_t *categories, const hm_signkey *k)
{
    bundle_case(name, description, "HM-CRED-75 HM-CRED-1", "HALLMARK_BUNDLE_MALFORMED",
                bundle_with(category_payload(categories), k, NULL, NULL, NULL, NULL), 0, 0, 0,
                NULL);
}

/* [HM-TOKEN-22], [HM-TOKEN-55]: rcpt binds the recipient through its stem; a token whose rcpt is
 * the withdrawn version 1 (the recipient itself, SHA-256 only) or a stem of another sender does
 * not verify. */
static void
stem_case(const char *name, const char *description, const unsigned char rcpt[32])
{
    json_t *c = sms_claims(BODY, "r001");
    char *r = b64(rcpt, 32), *t;

    json_object_set_new(c, "rcpt", json_string(r));
    t = token(acme, c);
    negative(name, description, "HM-TOKEN-22 HM-TOKEN-55 HM-VERIFY-16",
             "HALLMARK_RECIPIENT_MISMATCH", "sms", "ACMEBANK", TO_SMS, BODY, t);
    free(t);
    free(r);
    json_decref(c);
}

static void
stem_rules(void)
{
    static const unsigned char zero = 0;
    unsigned char d[32];
    crypto_hash_sha256_state st;

    crypto_hash_sha256_init(&st); /* version 1: "hallmark-rcpt-v1" 0 jti 0 channel 0 recipient */
    crypto_hash_sha256_update(&st, (const unsigned char *)"hallmark-rcpt-v1", 16);
    crypto_hash_sha256_update(&st, &zero, 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)"r001", 4);
    crypto_hash_sha256_update(&st, &zero, 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)"sms", 3);
    crypto_hash_sha256_update(&st, &zero, 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)TO_SMS, strlen(TO_SMS));
    crypto_hash_sha256_final(&st, d);
    stem_case("rcpt-version-1-withdrawn",
              "rcpt computed the withdrawn way, from the recipient id without its stem", d);
    hm_recipient_stem("sms", "72233", TO_SMS, d);
    hm_recipient_digest("r001", "sms", d, d);
    stem_case("rcpt-stem-of-another-sender",
              "rcpt from the stem of another sender of the same brand (its short code)", d);
}

/* ---- issue 15: the messaging policy of a credential (§5.11) ---- */

static json_t *
policy_payload(json_t *policy)
{
    return org_payload_with("catco", "CatCo", "CATCO", "catco.example", "policy", policy);
}

static void
policy_bad(const char *name, const char *description, json_t *policy, const hm_signkey *k)
{
    bundle_case(name, description, "HM-CRED-90 HM-CRED-1", "HALLMARK_BUNDLE_MALFORMED",
                bundle_with(policy_payload(policy), k, NULL, NULL, NULL, NULL), 0, 0, 0, NULL);
}

static json_t *
one_cap(const char *category, json_int_t max, json_int_t period)
{
    return json_pack("{s:[{s:s,s:I,s:I}]}", "caps", "category", category, "max", max, "period",
                     period);
}

#define CONSENT_URL "https://consent.hallmark.example/v1/consent"

/* [HM-TOKEN-67]: the platform's consent endpoint as an unsubscribe target. */
static void
consent_url_rules(void)
{
    struct bundle_opts o = {.serial = 7, .exp = NOW + 7 * DAY, .consent_url = CONSENT_URL};
    char *with = bundle(&o), *t;
    json_t *c = sms_claims(BODY, "u495");

    json_object_set_new(c, "category", json_string("marketing"));
    json_object_set_new(c, "actions",
                        json_pack("[{s:s,s:s,s:s}]", "kind", "unsubscribe", "label", "Unsubscribe",
                                  "url", CONSENT_URL));
    t = token(acme, c);
    json_object_set_new(c, "x-body", json_string(BODY));
    positive_token("consent-action-verifies",
                   "An unsubscribe action to the bundle's consent_url, a host outside the "
                   "brand's link domains",
                   "HM-TOKEN-67 HM-BUNDLE-96 HM-VERIFY-18", acme, t, with, c);
    free(t);
    c = sms_claims(BODY, "u496");
    json_object_set_new(
        c, "actions",
        json_pack("[{s:s,s:s,s:s}]", "kind", "link", "label", "Manage", "url", CONSENT_URL));
    t = token(acme, c);
    bundle_case_token("consent-url-link-kind",
                      "A link action to the consent_url: only unsubscribe and preferences may "
                      "point there",
                      "HM-TOKEN-67 HM-VERIFY-18", "HALLMARK_ACTION_NOT_AUTHORIZED", strdup(with),
                      t);
    free(t);
    json_decref(c);
    c = sms_claims(BODY, "u497");
    json_object_set_new(c, "actions",
                        json_pack("[{s:s,s:s,s:s}]", "kind", "unsubscribe", "label", "Unsubscribe",
                                  "url", CONSENT_URL));
    t = token(acme, c);
    bundle_case_token("consent-action-without-consent-url",
                      "An unsubscribe action to a consent endpoint the bundle does not name",
                      "HM-TOKEN-67 HM-VERIFY-18", "HALLMARK_ACTION_NOT_AUTHORIZED",
                      strdup(default_bundle), t);
    free(t);
    json_decref(c);
    free(with);
    o.consent_url = "http://consent.hallmark.example/v1/consent";
    bundle_case("bundle-consent-url-http", "A consent_url over plain http", "HM-BUNDLE-96",
                "HALLMARK_BUNDLE_MALFORMED", bundle(&o), 0, 0, 0, NULL);
    o.consent_url = CONSENT_URL "?brand=acme";
    bundle_case("bundle-consent-url-query", "A consent_url with a query", "HM-BUNDLE-96",
                "HALLMARK_BUNDLE_MALFORMED", bundle(&o), 0, 0, 0, NULL);
}

static void
policy_rules(void)
{
    hm_signkey *catco = seeded(HM_ALG_ED25519, 0x41);
    char digest[48];
    char *b = bundle_with(
        policy_payload(json_pack("{s:[{s:s,s:i,s:i},{s:s,s:i,s:i}],s:b}", "caps", "category",
                                 "marketing", "max", 3, "period", 604800, "category", "service",
                                 "max", 10, "period", 86400, "marketing_opt_in", 1)),
        catco, NULL, NULL, digest, NULL);

    counter = 479; /* issue 15: vectors 480-499 */
    category_case("policy-marketing-verifies",
                  "A marketing message of a brand whose credential caps marketing at 3 a week "
                  "and needs an opt-in: the policy binds the signer, the verdict is verified",
                  "HM-CRED-90 HM-CRED-91 HM-CRED-92", "HALLMARK_VERIFIED", b, catco, "catco",
                  digest, "CATCO", "marketing", NULL);
    free(b);
    policy_bad("bundle-policy-not-object", "A policy that is an array", json_pack("[]"), catco);
    policy_bad("bundle-policy-empty", "A policy with no member", json_object(), catco);
    policy_bad("bundle-policy-unknown-member", "A policy with a member the spec does not define",
               json_pack("{s:b,s:i}", "marketing_opt_in", 1, "quiet_hours", 22), catco);
    policy_bad("bundle-policy-caps-not-array", "caps given as an object",
               json_pack("{s:{s:i}}", "caps", "marketing", 3), catco);
    policy_bad("bundle-policy-caps-empty", "caps with no cap", json_pack("{s:[]}", "caps"), catco);
    policy_bad("bundle-policy-cap-unknown-category", "A cap on a category that does not exist",
               one_cap("promotions", 3, 604800), catco);
    policy_bad("bundle-policy-cap-twice", "Two caps on marketing",
               json_pack("{s:[{s:s,s:i,s:i},{s:s,s:i,s:i}]}", "caps", "category", "marketing",
                         "max", 3, "period", 604800, "category", "marketing", "max", 1, "period",
                         86400),
               catco);
    policy_bad("bundle-policy-cap-max-zero", "A cap of 0 messages", one_cap("marketing", 0, 86400),
               catco);
    policy_bad("bundle-policy-cap-max-too-high", "A cap of 1001 messages",
               one_cap("marketing", 1001, 86400), catco);
    policy_bad("bundle-policy-cap-period-too-short", "A period of 3599 seconds",
               one_cap("marketing", 3, 3599), catco);
    policy_bad("bundle-policy-cap-period-too-long", "A period of 31536001 seconds",
               one_cap("marketing", 3, 31536001), catco);
    policy_bad("bundle-policy-cap-missing-period", "A cap without its period",
               json_pack("{s:[{s:s,s:i}]}", "caps", "category", "marketing", "max", 3), catco);
    policy_bad("bundle-policy-cap-unknown-member", "A cap with a member the spec does not define",
               json_pack("{s:[{s:s,s:i,s:i,s:s}]}", "caps", "category", "marketing", "max", 3,
                         "period", 86400, "channel", "sms"),
               catco);
    policy_bad("bundle-policy-opt-in-not-boolean", "marketing_opt_in given as the string \"yes\"",
               json_pack("{s:s}", "marketing_opt_in", "yes"), catco);
    hm_signkey_free(catco);
    consent_url_rules();
}

static void
category_rules(void)
{
    hm_signkey *catco = seeded(HM_ALG_ED25519, 0x41), *dogco = seeded(HM_ALG_ED25519, 0x42);
    char digest[48], dog_digest[48];
    char *b = bundle_with(category_payload(json_pack("[s,s]", "transactional", "otp")), catco,
                          level_payload("dogco", "DogCo", "DOGCO", "organization", "dogco.example"),
                          dogco, digest, dog_digest);

    counter = 399; /* issue 22, item 8: vectors 400-419 */
    category_case("category-listed", "A one-time code from a brand vetted for codes",
                  "HM-CRED-75 HM-CRED-76 HM-VERIFY-19", "HALLMARK_VERIFIED", b, catco, "catco",
                  digest, "CATCO", "otp", NULL);
    category_case("category-not-listed",
                  "A marketing message from a brand vetted for transactional messages and codes",
                  "HM-CRED-76 HM-VERIFY-14", "HALLMARK_CATEGORY_NOT_AUTHORIZED", b, catco, "catco",
                  digest, "CATCO", "marketing", NULL);
    category_case("category-absent-means-all",
                  "A marketing message from a brand whose credential lists no categories",
                  "HM-CRED-76 HM-VERIFY-19", "HALLMARK_VERIFIED", b, dogco, "dogco", dog_digest,
                  "DOGCO", "marketing", NULL);
    category_case("category-checked-after-sender",
                  "An unlisted category from a sender the brand does not hold: the sender "
                  "check comes first",
                  "HM-VERIFY-4 HM-VERIFY-14", "HALLMARK_SENDER_NOT_AUTHORIZED", b, catco, "catco",
                  digest, "ACMEBANK", "marketing", NULL);
    category_bad("bundle-categories-empty", "A credential that lists no category at all",
                 json_array(), catco);
    category_bad("bundle-categories-unknown", "A credential that lists an unknown category",
                 json_pack("[s]", "promotions"), catco);
    category_bad("bundle-categories-duplicate", "A credential that lists one category twice",
                 json_pack("[s,s]", "otp", "otp"), catco);
    category_bad("bundle-categories-not-strings", "A credential whose categories are numbers",
                 json_pack("[i]", 2), catco);
    category_case("conv-scoped-to-brand",
                  "Two brands use the same conv: each result's conversation id names its brand",
                  "HM-TOKEN-54 HM-VERIFY-51", "HALLMARK_VERIFIED", b, catco, "catco", digest,
                  "CATCO", "otp", "support-4711");
    category_case("conv-scoped-other-brand",
                  "The same conv from another brand gives another conversation id",
                  "HM-TOKEN-54 HM-VERIFY-51", "HALLMARK_VERIFIED", b, dogco, "dogco", dog_digest,
                  "DOGCO", "transactional", "support-4711");
    stem_rules();
    free(b);
    hm_signkey_free(catco);
    hm_signkey_free(dogco);
}

/* ---- issue 22: link domains are exact hosts; subdomains by a *. entry (§5.7, [HM-CRED-48]) -----
 */

static void
link_case(const char *name, const char *description, const char *spec, const char *result,
          const char *bundle_text, const hm_signkey *k, const char *iss, const char *cred_digest,
          const char *from, const char *url)
{
    json_t *c = level_claims(iss, cred_digest, from, BODY, "w001");
    char *t;
    struct vec v;

    json_object_set_new(c, "actions",
                        json_pack("[{s:s,s:s,s:s}]", "kind", "link", "label", "Open", "url", url));
    t = token(k, c);
    v = (struct vec){name, description, spec,   bundle_text, "sms", from, TO_SMS, BODY,
                     NULL, t,           result, 0,           0,     0,    7,      NULL,
                     NULL, NULL,        0,      NULL,        NULL,  NULL};
    if (strcmp(result, "HALLMARK_VERIFIED") == 0) {
        v.brand = level_brand(k, c, iss, "WildCo", "organization", "wildco.example");
    }
    emit(&v);
    free(t);
    json_decref(c);
}

static json_t *
link_payload(json_t *domains)
{
    return org_payload_with("wildco", "WildCo", "WILDCO", "wildco.example", "link_domains",
                            domains);
}

static void
link_rules(void)
{
    hm_signkey *wildco = seeded(HM_ALG_ED25519, 19);
    char digest[48];
    char *b =
        bundle_with(link_payload(json_pack("[s,s]", "*.wildco.example", "wildco-pay.example")),
                    wildco, NULL, NULL, digest, NULL);
    const char *no = "HALLMARK_ACTION_NOT_AUTHORIZED";

    link_case("link-exact-host-no-subdomain",
              "acme.example is listed, pay.acme.example is not: an exact host covers no subdomain",
              "HM-CRED-48 HM-CRED-50 HM-VERIFY-18", no, default_bundle, acme, "acme-bank",
              acme_cred_digest, "ACMEBANK", "https://pay.acme.example/i/118");
    link_case("link-wildcard-subdomain", "*.wildco.example covers pay.wildco.example",
              "HM-CRED-48 HM-CRED-50 HM-VERIFY-19", "HALLMARK_VERIFIED", b, wildco, "wildco",
              digest, "WILDCO", "https://pay.wildco.example/i/1");
    link_case("link-wildcard-deep", "*.wildco.example covers a.b.wildco.example",
              "HM-CRED-48 HM-CRED-50 HM-VERIFY-19", "HALLMARK_VERIFIED", b, wildco, "wildco",
              digest, "WILDCO", "https://a.b.wildco.example/");
    link_case("link-wildcard-not-apex", "*.wildco.example does not cover wildco.example itself",
              "HM-CRED-48 HM-CRED-50 HM-VERIFY-18", no, b, wildco, "wildco", digest, "WILDCO",
              "https://wildco.example/");
    link_case("link-exact-entry-not-www",
              "wildco-pay.example does not cover www.wildco-pay.example",
              "HM-CRED-48 HM-CRED-50 HM-VERIFY-18", no, b, wildco, "wildco", digest, "WILDCO",
              "https://www.wildco-pay.example/");
    bundle_case("bundle-link-wildcard-inside", "A link entry with * inside: pay.*.wildco.example",
                "HM-CRED-48 HM-CRED-1", "HALLMARK_BUNDLE_MALFORMED",
                bundle_with(link_payload(json_pack("[s]", "pay.*.wildco.example")), wildco, NULL,
                            NULL, NULL, NULL),
                0, 0, 0, NULL);
    bundle_case("bundle-link-double-wildcard",
                "A link entry with two wildcards: *.*.wildco.example", "HM-CRED-48 HM-CRED-1",
                "HALLMARK_BUNDLE_MALFORMED",
                bundle_with(link_payload(json_pack("[s]", "*.*.wildco.example")), wildco, NULL,
                            NULL, NULL, NULL),
                0, 0, 0, NULL);
    bundle_case("bundle-link-bare-star", "A link entry that is * alone", "HM-CRED-48 HM-CRED-1",
                "HALLMARK_BUNDLE_MALFORMED",
                bundle_with(link_payload(json_pack("[s]", "*")), wildco, NULL, NULL, NULL, NULL), 0,
                0, 0, NULL);
    free(b);
    hm_signkey_free(wildco);
}

/* ---- issue 22, items 6 and 7: transport changes, renderings, displayed fields (vectors 380-399)
 */

#define CURLY                                                                                      \
    "Acme Bank: it\xe2\x80\x99s due \xe2\x80\x93 \xe2\x80\x9c\xc2\xa3"                             \
    "10.00\xe2\x80\x9d by 1 Dec\xe2\x80\xa6"
/* CURLY's GSM-7 rendering (§3.4), written here from the table, not by the signer. */
#define CURLY_GSM7                                                                                 \
    "Acme Bank: it's due - \"\xc2\xa3"                                                             \
    "10.00\" by 1 Dec..."
#define SUBJECT "Your statement is ready"
#define TO_EMAIL "jane@example.org"

static char *
text_digest(const char *text)
{
    unsigned char d[32];

    hm_body_digest((const unsigned char *)text, strlen(text), d);
    return b64(d, 32);
}

/* One case of this section: the displayed fields and the expected class go with it. */
static void
transport_case(const char *name, const char *description, const char *spec, const char *result,
               const char *channel, const char *from, const char *to, const char *body, json_t *c,
               const char *subject, const char *reply_to, const char *ui, json_t *brand)
{
    char *t = token(acme, c);
    struct vec v = {
        name, description, spec, default_bundle, channel, from, to, body, NULL, t,   result, 0,
        0,    0,           7,    brand,          NULL,    NULL, 0,  NULL, NULL, NULL};

    displayed.subject = subject;
    displayed.reply_to = reply_to;
    displayed.ui = ui;
    emit(&v);
    free(t);
    json_decref(c);
}

/* acme_brand with the marks and the signed Reply-To of [HM-VERIFY-49]. */
static json_t *
acme_brand_signed(const json_t *c, json_t *marks)
{
    json_t *b = acme_brand(acme, c);

    if (marks != NULL) {
        json_object_set_new(b, "signed", marks);
    }
    if (json_object_get(c, "reply_to") != NULL) {
        json_object_set(b, "reply_to", json_object_get(c, "reply_to"));
    }
    return b;
}

static json_t *
with_subject(json_t *c, const char *subject)
{
    char *d = text_digest(subject);

    json_object_set_new(c, "subject", json_string(d));
    free(d);
    return c;
}

static void
transport_rules(void)
{
    char *alt = text_digest(CURLY_GSM7), *other = text_digest("other");
    const char *ok = "HALLMARK_VERIFIED";
    json_t *c;

    counter = 379; /* issue 22 items 6 and 7: vectors 380-399 */

    /* Item 6: renderings. */
    c = claims("sms", "ACMEBANK", TO_SMS, CURLY, "t380");
    json_object_set_new(c, "alt_body", json_pack("[s]", alt));
    transport_case("sms-gsm7-rendering-verified",
                   "An SMS a CPaaS delivered in its GSM-7 rendering verifies through alt_body, "
                   "and the result says a rendering matched",
                   "HM-TOKEN-45 HM-TOKEN-46 HM-TOKEN-49 HM-VERIFY-15 HM-VERIFY-49", ok, "sms",
                   "ACMEBANK", TO_SMS, CURLY_GSM7, json_incref(c), NULL, NULL, "checkmark",
                   acme_brand_signed(c, json_pack("[s]", "body_rendering")));
    json_decref(c);
    c = claims("sms", "ACMEBANK", TO_SMS, CURLY, "t381");
    json_object_set_new(c, "alt_body", json_pack("[s]", alt));
    transport_case("sms-as-sent-with-renderings",
                   "The same SMS delivered as sent: verified, no rendering mark",
                   "HM-TOKEN-45 HM-VERIFY-15", ok, "sms", "ACMEBANK", TO_SMS, CURLY, json_incref(c),
                   NULL, NULL, "checkmark", acme_brand_signed(c, NULL));
    json_decref(c);
    c = claims("sms", "ACMEBANK", TO_SMS, CURLY, "t382");
    json_object_set_new(c, "alt_body", json_pack("[s]", alt));
    transport_case("sms-outside-renderings",
                   "A text that is neither the body nor a signed rendering: modified, and on SMS "
                   "neutral, as no signature",
                   "HM-TOKEN-45 HM-VERIFY-15 HM-RESULT-44", "HALLMARK_BODY_MODIFIED", "sms",
                   "ACMEBANK", TO_SMS,
                   "Acme Bank: it's due - \"\xc2\xa3"
                   "100.00\" by 1 Dec...",
                   c, NULL, NULL, "neutral", NULL);
    c = claims("sms", "ACMEBANK", TO_SMS, CURLY, "t383");
    json_object_set_new(c, "alt_body", json_pack("[s,s,s,s]", alt, other, other, other));
    transport_case("alt-body-four-digests", "alt_body with four digests breaks its limits",
                   "HM-TOKEN-45 HM-VERIFY-12", "HALLMARK_MALFORMED", "sms", "ACMEBANK", TO_SMS,
                   CURLY, c, NULL, NULL, "neutral", NULL);

    /* Item 6: the class of a transport difference by channel ([HM-RESULT-44]). */
    transport_case("email-footer-neutral",
                   "A mailing list appended a footer: BODY_MODIFIED, neutral on e-mail",
                   "HM-RESULT-44 HM-VERIFY-15", "HALLMARK_BODY_MODIFIED", "email", "acme.example",
                   TO_EMAIL, BODY "\n-- \nacme-customers mailing list",
                   claims("email", "acme.example", TO_EMAIL, BODY, "t384"), NULL, NULL, "neutral",
                   NULL);
    transport_case("email-alias-neutral",
                   "Delivered through an alias to another mailbox: RECIPIENT_MISMATCH, neutral on "
                   "e-mail",
                   "HM-RESULT-44 HM-VERIFY-16", "HALLMARK_RECIPIENT_MISMATCH", "email",
                   "acme.example", "jane.doe@example.net", BODY,
                   claims("email", "acme.example", TO_EMAIL, BODY, "t385"), NULL, NULL, "neutral",
                   NULL);
    transport_case("push-body-changed-warning",
                   "A push body changed: Hallmark's channel carries exact bytes, so a warning",
                   "HM-RESULT-44 HM-VERIFY-15", "HALLMARK_BODY_MODIFIED", "push", "com.acme.bank",
                   "user-8f2c1a",
                   "Payment of \xc2\xa3"
                   "900 received",
                   claims("push", "com.acme.bank", "user-8f2c1a", "Payment received", "t386"), NULL,
                   NULL, "warning", NULL);
    transport_case("whatsapp-body-changed-warning", "A WhatsApp body changed: a warning",
                   "HM-RESULT-44 HM-VERIFY-15", "HALLMARK_BODY_MODIFIED", "whatsapp",
                   "+447700900500", TO_SMS, BODY "!",
                   claims("whatsapp", "+447700900500", TO_SMS, BODY, "t387"), NULL, NULL, "warning",
                   NULL);
    transport_case("unknown-channel-body-changed-warning",
                   "A body changed on a channel this verifier does not know: a warning",
                   "HM-RESULT-44 HM-VERIFY-15", "HALLMARK_BODY_MODIFIED", "fax-ng", "ACME FAX 1",
                   TO_SMS, BODY "!", claims("fax-ng", "ACME FAX 1", TO_SMS, BODY, "t388"), NULL,
                   NULL, "warning", NULL);
    transport_case("inapp-recipient-warning",
                   "An in-app token shown to another user: RECIPIENT_MISMATCH, a warning",
                   "HM-RESULT-44 HM-VERIFY-16", "HALLMARK_RECIPIENT_MISMATCH", "inapp",
                   "com.acme.bank", "user-000000", "Welcome back",
                   claims("inapp", "com.acme.bank", "user-8f2c1a", "Welcome back", "t389"), NULL,
                   NULL, "warning", NULL);

    /* Item 7: subject and title. */
    c = with_subject(claims("email", "acme.example", TO_EMAIL, BODY, "t390"), SUBJECT);
    transport_case("email-subject-signed",
                   "The displayed Subject is the signed one: verified, subject marked signed",
                   "HM-TOKEN-47 HM-VERIFY-47 HM-VERIFY-49 HM-CARRY-27", ok, "email", "acme.example",
                   TO_EMAIL, BODY, json_incref(c), SUBJECT, NULL, "checkmark",
                   acme_brand_signed(c, json_pack("[s]", "subject")));
    json_decref(c);
    c = with_subject(claims("email", "acme.example", TO_EMAIL, BODY, "t391"), SUBJECT);
    transport_case("email-subject-list-prefix",
                   "A mailing list prefixed the Subject: SUBJECT_MODIFIED, neutral on e-mail",
                   "HM-VERIFY-47 HM-RESULT-44", "HALLMARK_SUBJECT_MODIFIED", "email",
                   "acme.example", TO_EMAIL, BODY, c, "[acme-customers] " SUBJECT, NULL, "neutral",
                   NULL);
    c = with_subject(claims("email", "acme.example", TO_EMAIL, BODY, "t392"), SUBJECT);
    transport_case("email-subject-not-displayed",
                   "The app passes no subject: nothing is compared, and subject is not marked",
                   "HM-VERIFY-48 HM-VERIFY-49", ok, "email", "acme.example", TO_EMAIL, BODY,
                   json_incref(c), NULL, NULL, "checkmark", acme_brand_signed(c, NULL));
    json_decref(c);
    c = with_subject(claims("push", "com.acme.bank", "user-8f2c1a", "Payment received", "t393"),
                     "Acme Bank");
    transport_case("push-title-signed", "A signed push title, displayed as signed",
                   "HM-TOKEN-47 HM-CARRY-29 HM-VERIFY-49", ok, "push", "com.acme.bank",
                   "user-8f2c1a", "Payment received", json_incref(c), "Acme Bank", NULL,
                   "checkmark", acme_brand_signed(c, json_pack("[s]", "subject")));
    json_decref(c);
    c = with_subject(claims("push", "com.acme.bank", "user-8f2c1a", "Payment received", "t394"),
                     "Acme Bank");
    transport_case("push-title-changed",
                   "A genuine push token under another title: SUBJECT_MODIFIED, a warning",
                   "HM-VERIFY-47 HM-RESULT-44 HM-CARRY-29", "HALLMARK_SUBJECT_MODIFIED", "push",
                   "com.acme.bank", "user-8f2c1a", "Payment received", c,
                   "Acme Bank: account locked", NULL, "warning", NULL);

    /* Item 7: Reply-To. */
    c = with_subject(claims("email", "acme.example", TO_EMAIL, BODY, "t395"), SUBJECT);
    json_object_set_new(c, "reply_to", json_string("help@acme.example"));
    transport_case("email-subject-and-reply-to-signed",
                   "Subject and Reply-To displayed as signed (Reply-To's domain compared without "
                   "case): both marked, the signed address given",
                   "HM-TOKEN-48 HM-VERIFY-46 HM-VERIFY-47 HM-VERIFY-49 HM-CARRY-27", ok, "email",
                   "acme.example", TO_EMAIL, BODY, json_incref(c), SUBJECT, "help@Acme.Example",
                   "checkmark", acme_brand_signed(c, json_pack("[s,s]", "subject", "reply_to")));
    json_decref(c);
    c = claims("email", "acme.example", TO_EMAIL, BODY, "t396");
    json_object_set_new(c, "reply_to", json_string("help@acme.example"));
    transport_case("email-reply-to-changed",
                   "A Reply-To other than the signed one: REPLY_TO_MISMATCH, neutral on e-mail",
                   "HM-VERIFY-47 HM-RESULT-44", "HALLMARK_REPLY_TO_MISMATCH", "email",
                   "acme.example", TO_EMAIL, BODY, c, NULL, "help@acme-support.example", "neutral",
                   NULL);
    c = claims("email", "acme.example", TO_EMAIL, BODY, "t397");
    json_object_set_new(c, "reply_to", json_string("help@acme.example"));
    transport_case("email-reply-to-not-displayed",
                   "No Reply-To passed: verified, reply_to not marked, the signed address given "
                   "for the reply (HM-CARRY-28)",
                   "HM-VERIFY-48 HM-VERIFY-49 HM-CARRY-28", ok, "email", "acme.example", TO_EMAIL,
                   BODY, json_incref(c), NULL, NULL, "checkmark", acme_brand_signed(c, NULL));
    json_decref(c);
    c = claims("email", "acme.example", TO_EMAIL, BODY, "t398");
    json_object_set_new(c, "reply_to", json_string("help@acme-support.example"));
    transport_case("email-reply-to-not-authorized",
                   "The brand signed a Reply-To outside its e-mail senders: a warning",
                   "HM-TOKEN-48 HM-VERIFY-46 HM-RESULT-47", "HALLMARK_REPLY_TO_NOT_AUTHORIZED",
                   "email", "acme.example", TO_EMAIL, BODY, c, NULL, NULL, "warning", NULL);
    c = claims("sms", "ACMEBANK", TO_SMS, BODY, "t399");
    json_object_set_new(c, "reply_to", json_string("help@acme.example"));
    transport_case("sms-reply-to-claim", "reply_to on an SMS token breaks its limits",
                   "HM-TOKEN-48 HM-VERIFY-12", "HALLMARK_MALFORMED", "sms", "ACMEBANK", TO_SMS,
                   BODY, c, NULL, NULL, "neutral", NULL);
    free(alt);
    free(other);
}

/* ---- issue 22: always-signed senders, recipient countries, prefix minimum (§5.6) ------------- */

#define TO_FR "+33612345678"
#define TO_US "+12025550123"

struct sender_brand {
    const char *id, *name;
    unsigned char seed;
    hm_signkey *key;
    char digest[48];
};

static hm_signkey *signco_es; /* SignCo's second key, P-256 */

static struct sender_brand sender_brands[] = {
    {"signco", "SignCo", 0x50, NULL, ""},             /* SIGNCO@+44 always signed, 60606@+44 */
    {"twin-uk", "Twin UK", 0x51, NULL, ""},           /* TWIN@+44 */
    {"twin-fr", "Twin FR", 0x52, NULL, ""},           /* TWIN@+33 */
    {"dup-a", "Dup A", 0x53, NULL, ""},               /* DUP@+44 always signed */
    {"dup-b", "Dup B", 0x54, NULL, ""},               /* DUP@+44 */
    {"goneco", "GoneCo", 0x55, NULL, ""},             /* GONE@+44 always signed; revoked */
    {"legacyco", "LegacyCo", 0x56, NULL, ""},         /* LEGACY without a country (HM-CRED-64) */
    {"legacy-rival", "Legacy Rival", 0x57, NULL, ""}, /* LEGACY@+44 */
};
#define SENDER_BRANDS (sizeof sender_brands / sizeof sender_brands[0])

static json_t *
country_entry(const char *id, const char *country, int always)
{
    json_t *e = json_pack("{s:s,s:s}", "channel", "sms", "id", id);

    if (country != NULL) {
        json_object_set_new(e, "country", json_string(country));
    }
    if (always) {
        json_object_set_new(e, "always_signed", json_true());
    }
    return e;
}

static json_t *
sender_payload(size_t i, json_t *senders)
{
    char domain[64];
    json_t *p;

    (void)snprintf(domain, sizeof domain, "%s.example", sender_brands[i].id);
    p = level_payload(sender_brands[i].id, sender_brands[i].name, "UNUSED", "organization", domain);
    json_object_set_new(p, "senders", senders);
    return p;
}

/* The bundle of the default brands and sender_brands (goneco revoked); with bad (consumed), a
 * bundle whose signco credential lists that entry as well. */
static char *
senders_bundle(json_t *bad)
{
    struct bundle_opts o = {.serial = 7, .exp = NOW + 7 * DAY, .extra_revoked = "goneco"};
    json_t *lists[SENDER_BRANDS], *extra = json_array();
    char *out;
    size_t i;

    lists[0] =
        json_pack("[o,o]", country_entry("SIGNCO", "+44", 1), country_entry("60606", "+44", 0));
    lists[1] = json_pack("[o]", country_entry("TWIN", "+44", 0));
    lists[2] = json_pack("[o]", country_entry("TWIN", "+33", 0));
    lists[3] = json_pack("[o]", country_entry("DUP", "+44", 1));
    lists[4] = json_pack("[o]", country_entry("DUP", "+44", 0));
    lists[5] = json_pack("[o]", country_entry("GONE", "+44", 1));
    lists[6] = json_pack("[o]", country_entry("LEGACY", NULL, 0));
    lists[7] = json_pack("[o]", country_entry("LEGACY", "+44", 0));
    if (bad != NULL) {
        json_array_append_new(lists[0], bad);
    }
    for (i = 0; i < SENDER_BRANDS; i++) {
        char *cred = sign_json(publisher, "hallmark-brand+jwt", sender_payload(i, lists[i]));

        credential_digest(cred, sender_brands[i].digest);
        json_array_append_new(extra, json_pack("{s:s,s:[o]}", "credential", cred, "keys",
                                               key_entry(sender_brands[i].key, "active",
                                                         NOW - 30 * DAY, NOW + 365 * DAY)));
        if (i == 0) {
            json_array_append_new(json_object_get(json_array_get(extra, 0), "keys"),
                                  key_entry(signco_es, "active", NOW - 30 * DAY, NOW + 365 * DAY));
        }
        free(cred);
    }
    o.extra_brands = extra;
    out = bundle(&o);
    json_decref(extra);
    return out;
}

/* A token of sender brand i from `from` to `to`. */
static char *
sender_token(size_t i, const char *from, const char *to, const char *jti)
{
    json_t *c = claims("sms", from, to, BODY, jti);
    char *t;

    json_object_set_new(c, "iss", json_string(sender_brands[i].id));
    json_object_set_new(c, "cred", json_string(sender_brands[i].digest));
    t = token(sender_brands[i].key, c);
    json_decref(c);
    return t;
}

/* A message from `from` to `to` with token t (NULL: none), or, with fetched (consumed), the
 * directory's tokens; brand i's expected result on a pass. */
static void
sender_case(const char *name, const char *description, const char *spec, const char *result,
            const char *bundle_text, const char *from, const char *to, const char *body,
            const char *t, json_t *fetched, size_t i)
{
    struct vec v = {name, description, spec,   bundle_text, "sms", from, to, body,
                    NULL, t,           result, 0,           0,     0,    7,  NULL,
                    NULL, NULL,        0,      NULL,        NULL,  NULL};

    if (strcmp(result, "HALLMARK_VERIFIED") == 0) {
        char domain[64];
        json_t *payload;
        unsigned char raw[4096];
        size_t n = 0;
        const char *d1 = strchr(t, '.'), *d2 = strrchr(t, '.');

        /* The expected result is built from the token's own claims. */
        hm_b64url_decode(raw, sizeof raw - 1, d1 + 1, (size_t)(d2 - d1 - 1), &n);
        raw[n] = '\0';
        payload = json_loads((const char *)raw, 0, NULL);
        (void)snprintf(domain, sizeof domain, "%s.example", sender_brands[i].id);
        v.brand = level_brand(sender_brands[i].key, payload, sender_brands[i].id,
                              sender_brands[i].name, "organization", domain);
        json_decref(payload);
    }
    emit_with(&v, fetched);
}

static void
sender_rules(void)
{
    const char *always = "HALLMARK_SENDER_ALWAYS_SIGNED", *unsigned_ = "HALLMARK_UNSIGNED",
               *ok = "HALLMARK_VERIFIED";
    char *b, *t, *t_us, *t_fr, *t_dup, *t_legacy_fr, *t_legacy_uk, *t_code;
    size_t i;

    counter = 359; /* issue 22, items 2 and 5: vectors 360-379 (HM-VEC-61) */
    for (i = 0; i < SENDER_BRANDS; i++) {
        sender_brands[i].key = seeded(HM_ALG_ED25519, sender_brands[i].seed);
    }
    signco_es = seeded(HM_ALG_ES256, 0x59);
    b = senders_bundle(NULL);
    t = sender_token(0, "SIGNCO", TO_SMS, "s001");
    sender_case("always-signed-no-token",
                "SIGNCO (+44) always signs: its SMS arrives with no token (spoofed, or stripped)",
                "HM-CRED-61 HM-VERIFY-6 HM-VERIFY-42 HM-VERIFY-43 HM-VERIFY-44 HM-RESULT-41",
                always, b, "SIGNCO", TO_SMS, BODY, NULL, NULL, 0);
    sender_case("always-signed-directory-none",
                "SIGNCO always signs; the token directory answered 404 for its SMS",
                "HM-CRED-61 HM-CARRY-23 HM-VERIFY-43", always, b, "SIGNCO", TO_SMS, BODY, NULL,
                json_array(), 0);
    sender_case("always-signed-garbage-token",
                "SIGNCO always signs; the message carries a token that is not a JWS",
                "HM-CRED-61 HM-VERIFY-42", always, b, "SIGNCO", TO_SMS, BODY, "garbage", NULL, 0);
    sender_case("always-signed-verified", "SIGNCO always signs; its genuine token verifies",
                "HM-CRED-61 HM-CRED-63 HM-VERIFY-19", ok, b, "SIGNCO", TO_SMS, BODY, t, NULL, 0);
    sender_case("always-signed-body-modified",
                "SIGNCO always signs; its token on a changed body keeps its own code",
                "HM-CRED-61 HM-VERIFY-42 HM-VERIFY-15", "HALLMARK_BODY_MODIFIED", b, "SIGNCO",
                TO_SMS, "Acme Bank: pay now", t, NULL, 0);
    t_fr = sender_token(0, "SIGNCO", TO_FR, "s002");
    sender_case("always-signed-directory-other-recipient",
                "SIGNCO always signs; the directory returned only another recipient's token",
                "HM-CARRY-18 HM-CARRY-23", always, b, "SIGNCO", TO_SMS, BODY, NULL,
                json_pack("[s]", t_fr), 0);
    {
        /* A verifier built without ES256 cannot check this genuine token: UNSUPPORTED_ALG there,
         * never the always-signed warning ([HM-VERIFY-42]). */
        json_t *c = claims("sms", "SIGNCO", TO_SMS, BODY, "s009");
        hm_signkey *ed = sender_brands[0].key;
        char *t_es;

        json_object_set_new(c, "iss", json_string("signco"));
        json_object_set_new(c, "cred", json_string(sender_brands[0].digest));
        t_es = es256_token_of(signco_es, "always-signed-es256-verified", c);
        sender_brands[0].key = signco_es; /* the expected result names this key */
        sender_case("always-signed-es256-verified",
                    "SIGNCO always signs; its genuine ES256 token verifies (a verifier without "
                    "ES256 gives UNSUPPORTED_ALG, not the warning)",
                    "HM-CRED-61 HM-VERIFY-42 HM-VERIFY-19", ok, b, "SIGNCO", TO_SMS, BODY, t_es,
                    NULL, 0);
        sender_brands[0].key = ed;
        free(t_es);
        json_decref(c);
    }
    sender_case("always-signed-contested",
                "DUP (+44) is always signed by one brand and held by another: no warning",
                "HM-VERIFY-43 HM-CRED-29 HM-CRED-66", unsigned_, b, "DUP", TO_SMS, BODY, NULL, NULL,
                0);
    sender_case("always-signed-revoked-brand",
                "GONE (+44) is always signed by a revoked brand: no warning",
                "HM-VERIFY-43 HM-CRED-29", unsigned_, b, "GONE", TO_SMS, BODY, NULL, NULL, 0);
    sender_case("always-signed-other-country",
                "SIGNCO always signs for +44; an SMS from SIGNCO to a French number is unsigned",
                "HM-VERIFY-43 HM-CRED-63", unsigned_, b, "SIGNCO", TO_FR, BODY, NULL, NULL, 0);
    t_code = sender_token(0, "60606", TO_SMS, "s003");
    sender_case(
        "short-code-recipient-country", "Short code 60606 for +44 to a +44 recipient verifies",
        "HM-CRED-62 HM-CRED-63 HM-VERIFY-19", ok, b, "60606", TO_SMS, BODY, t_code, NULL, 0);
    t_us = sender_token(0, "60606", TO_US, "s004");
    sender_case("short-code-other-country",
                "Short code 60606 for +44, signed for a +1 recipient: not authorized there",
                "HM-CRED-63 HM-VERIFY-14", "HALLMARK_SENDER_NOT_AUTHORIZED", b, "60606", TO_US,
                BODY, t_us, NULL, 0);
    free(t_us);
    t_us = sender_token(2, "TWIN", TO_FR, "s005");
    sender_case("alnum-two-countries-two-brands",
                "TWIN is held by Twin UK for +44 and by Twin FR for +33: Twin FR's SMS in France "
                "is not contested",
                "HM-CRED-66 HM-CRED-29 HM-VERIFY-19", ok, b, "TWIN", TO_FR, BODY, t_us, NULL, 2);
    t_dup = sender_token(4, "DUP", TO_SMS, "s006");
    sender_case("alnum-same-country-contested", "DUP is held by two brands for +44: contested",
                "HM-CRED-66 HM-CRED-29 HM-VERIFY-14", "HALLMARK_SENDER_CONTESTED", b, "DUP", TO_SMS,
                BODY, t_dup, NULL, 4);
    t_legacy_fr = sender_token(6, "LEGACY", TO_FR, "s007");
    sender_case("entry-without-country-any-recipient",
                "LEGACY without a country (an earlier release's credential) applies to every "
                "recipient",
                "HM-CRED-64 HM-VERIFY-19", ok, b, "LEGACY", TO_FR, BODY, t_legacy_fr, NULL, 6);
    t_legacy_uk = sender_token(6, "LEGACY", TO_SMS, "s008");
    sender_case("entry-without-country-contests",
                "LEGACY without a country claims it in every country, so another brand's "
                "LEGACY for +44 contests it there",
                "HM-CRED-64 HM-CRED-66 HM-VERIFY-14", "HALLMARK_SENDER_CONTESTED", b, "LEGACY",
                TO_SMS, BODY, t_legacy_uk, NULL, 6);
    bundle_case("bundle-country-on-e164-entry", "A country on an E.164 sender entry",
                "HM-CRED-62 HM-CRED-1", "HALLMARK_BUNDLE_MALFORMED",
                senders_bundle(json_pack("{s:s,s:s,s:s}", "channel", "sms", "id", "+447700900777",
                                         "country", "+44")),
                0, 0, 0, NULL);
    bundle_case("bundle-country-not-whole-code",
                "A country that is not a whole E.164 country code: +441", "HM-CRED-62 HM-CRED-1",
                "HALLMARK_BUNDLE_MALFORMED", senders_bundle(country_entry("SIGNCO2", "+441", 0)), 0,
                0, 0, NULL);
    bundle_case("bundle-prefix-below-minimum",
                "A prefix with four digits after its country code: +447700",
                "HM-CRED-65 HM-CRED-14 HM-CRED-1", "HALLMARK_BUNDLE_MALFORMED",
                senders_bundle(json_pack("{s:s,s:s}", "channel", "sms", "prefix", "+447700")), 0, 0,
                0, NULL);
    bundle_case("bundle-always-signed-not-boolean", "always_signed given as the string \"yes\"",
                "HM-CRED-61 HM-CRED-1", "HALLMARK_BUNDLE_MALFORMED",
                senders_bundle(json_pack("{s:s,s:s,s:s,s:s}", "channel", "sms", "id", "SIGNCO3",
                                         "country", "+44", "always_signed", "yes")),
                0, 0, 0, NULL);
    free(t);
    free(t_fr);
    free(t_us);
    free(t_code);
    free(t_dup);
    free(t_legacy_fr);
    free(t_legacy_uk);
    free(b);
    for (i = 0; i < SENDER_BRANDS; i++) {
        hm_signkey_free(sender_brands[i].key);
    }
    hm_signkey_free(signco_es);
}

/* ---- issue 20: key scope and several active keys per brand (§1.6 [HM-TRUST-65], [HM-BUNDLE-81],
 * [HM-VERIFY-52]) ---------------------------------------------------------------------------- */

#define SCOPE_KEYS 4

/* ScopeCo: two sms ids for +44 and an rcs agent; key 0 is scoped to SCOPEA, key 1 to rcs, key 2
 * has no scope, key 3 is scoped to sms. bad, when given, replaces key 0's scope. */
static char *
scope_bundle(hm_signkey *const keys[SCOPE_KEYS], json_t *bad, char digest[48])
{
    struct bundle_opts o = {.serial = 7, .exp = NOW + 7 * DAY};
    json_t *p = level_payload("scopeco", "ScopeCo", "SCOPEA", "organization", "scopeco.example");
    json_t *entries = json_array(), *extra;
    char *c, *out;
    int i;

    json_object_set_new(p, "senders",
                        json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s}]", "channel", "sms", "id",
                                  "SCOPEA", "country", "+44", "channel", "sms", "id", "SCOPEB",
                                  "country", "+44", "channel", "rcs", "id",
                                  "scopeco_agent@rbm.goog"));
    for (i = 0; i < SCOPE_KEYS; i++) {
        json_t *e = key_entry(keys[i], "active", NOW - 30 * DAY, NOW + 365 * DAY);
        json_t *scope[SCOPE_KEYS] = {json_pack("{s:[{s:s,s:s,s:s}]}", "senders", "channel", "sms",
                                               "id", "SCOPEA", "country", "+44"),
                                     json_pack("{s:[s]}", "channels", "rcs"), NULL,
                                     json_pack("{s:[s]}", "channels", "sms")};
        if (i == 0 && bad != NULL) {
            json_decref(scope[0]);
            scope[0] = bad;
        }
        for (int j = 0; j < SCOPE_KEYS; j++) {
            if (j == i && scope[j] != NULL) {
                json_object_set_new(e, "scope", scope[j]);
            } else {
                json_decref(scope[j]);
            }
        }
        json_array_append_new(entries, e);
    }
    c = sign_json(publisher, "hallmark-brand+jwt", p);
    credential_digest(c, digest);
    extra = json_pack("[{s:s,s:o}]", "credential", c, "keys", entries);
    o.extra_brands = extra;
    out = bundle(&o);
    json_decref(extra);
    free(c);
    return out;
}

static void
scope_case(const char *name, const char *description, const char *spec, const char *result,
           const char *bundle_text, const hm_signkey *k, const char *digest, const char *from)
{
    json_t *c = level_claims("scopeco", digest, from, BODY, "q001");
    char *t = token(k, c);
    struct vec v = {name, description, spec,   bundle_text, "sms", from, TO_SMS, BODY,
                    NULL, t,           result, 0,           0,     0,    7,      NULL,
                    NULL, NULL,        0,      NULL,        NULL,  NULL};

    if (strcmp(result, "HALLMARK_VERIFIED") == 0) {
        v.brand = level_brand(k, c, "scopeco", "ScopeCo", "organization", "scopeco.example");
    }
    emit(&v);
    free(t);
    json_decref(c);
}

/* ---- issue 21: the status object, verdicts withdrawn, the bundle lifetime cap (HM-VEC-65) ---- */

/* A status object (§6.9) over bundle_jws, signed by signer under typ. */
static char *
status_of(const hm_signkey *signer, const char *typ, const char *platform, long long serial,
          const char *bundle_jws, long long iat, long long exp, json_t *keys, json_t *brands)
{
    char digest[48];

    hm_sha256_b64url(digest, (const unsigned char *)bundle_jws, strlen(bundle_jws));
    return sign_json(signer, typ,
                     json_pack("{s:i,s:s,s:I,s:s,s:I,s:I,s:o,s:o}", "v", 1, "platform", platform,
                               "serial", (json_int_t)serial, "bundle", digest, "iat",
                               (json_int_t)iat, "exp", (json_int_t)exp, "revoked_keys", keys,
                               "revoked_brands", brands));
}

/* The common status: the publisher's, for bundle b (serial 7), issued 10 minutes ago, six hours
 * long. */
static char *
status_for(const char *b, json_t *keys, json_t *brands)
{
    return status_of(publisher, "hallmark-status+jwt", PLATFORM, 7, b, NOW - 600,
                     NOW - 600 + 6LL * 3600, keys, brands);
}

/* The state of §6.8 at the default bundle's position, version 2 with this status floor (version
 * 1 when floor is 0). */
static char *
state_at(long long floor)
{
    json_t *roots = json_pack("[s]", "");
    char *root_b64 = b64(hm_signkey_public(root0)->raw, 32), *v1, *text;
    json_t *doc;

    json_array_set_new(roots, 0, json_string(root_b64));
    v1 = state_for(PLATFORM, roots, 1, 0, "", 0, kid(publisher), 7);
    json_decref(roots);
    free(root_b64);
    if (floor == 0) {
        return v1;
    }
    doc = json_loads(v1, 0, NULL);
    json_object_set_new(doc, "v", json_integer(2));
    json_object_set_new(doc, "status", json_integer(floor));
    text = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(doc);
    free(v1);
    return text;
}

static json_t *
recheck(const char *iss, const hm_signkey *k, long long iat, const char *result)
{
    return json_pack("{s:s,s:s,s:I,s:s}", "iss", iss, "kid", kid(k), "iat", (json_int_t)iat,
                     "result", result);
}

/* One case: bundle b, the status (may be NULL), an acme SMS token, and what is expected. A
 * verified case writes the verified result. */
static void
status_case(const char *name, const char *description, const char *spec, const char *result,
            const char *b, const char *status, const char *state, const char *expect_state,
            json_t *check, long long now, long long load_now)
{
    json_t *c = sms_claims(BODY, name);
    char *t = token(acme, c);
    struct vec v;

    memset(&v, 0, sizeof v);
    v.name = name;
    v.description = description;
    v.spec = spec;
    v.bundle = b;
    v.channel = "sms";
    v.from = "ACMEBANK";
    v.to = TO_SMS;
    v.body = BODY;
    v.token = t;
    v.result = result;
    v.now = now;
    v.load_now = load_now;
    v.state = state;
    v.expect_state = expect_state;
    v.brand = strcmp(result, "HALLMARK_VERIFIED") == 0 ? acme_brand(acme, c) : NULL;
    after_load.status = status;
    after_load.recheck = check;
    emit(&v);
    free(t);
    json_decref(c);
}

static void
scope_bad(hm_signkey *const keys[SCOPE_KEYS], const char *name, const char *description,
          json_t *scope)
{
    char digest[48];

    bundle_case(name, description, "HM-BUNDLE-81 HM-BUNDLE-1", "HALLMARK_BUNDLE_MALFORMED",
                scope_bundle(keys, scope, digest), 0, 0, 0, NULL);
}

static void
scope_rules(void)
{
    hm_signkey *k[SCOPE_KEYS];
    char digest[48], *b;
    const char *ok = "HALLMARK_VERIFIED", *out = "HALLMARK_KEY_OUT_OF_SCOPE";
    int i;

    for (i = 0; i < SCOPE_KEYS; i++) {
        k[i] = seeded(HM_ALG_ED25519, 0x50 + i);
    }
    b = scope_bundle(k, NULL, digest);
    counter = 419; /* issue 20: vectors 420-439 */
    scope_case("scope-sender-covered", "A key scoped to SCOPEA signs an SMS from SCOPEA",
               "HM-TRUST-65 HM-VERIFY-52 HM-VERIFY-19", ok, b, k[0], digest, "SCOPEA");
    scope_case("scope-sender-outside",
               "The key scoped to SCOPEA signs an SMS from the brand's other id, SCOPEB",
               "HM-TRUST-65 HM-VERIFY-52", out, b, k[0], digest, "SCOPEB");
    scope_case("scope-channel-outside", "A key scoped to rcs signs an SMS",
               "HM-TRUST-65 HM-VERIFY-52", out, b, k[1], digest, "SCOPEA");
    scope_case("scope-channel-covered", "A key scoped to sms signs an SMS from SCOPEB",
               "HM-TRUST-65 HM-VERIFY-52 HM-VERIFY-19", ok, b, k[3], digest, "SCOPEB");
    scope_case("scope-absent-any-sender",
               "An unscoped key, active beside three scoped ones, signs for any sender",
               "HM-TRUST-65 HM-VERIFY-19", ok, b, k[2], digest, "SCOPEB");
    scope_case("scope-checked-after-sender",
               "The SCOPEA key signs for an id the brand does not hold: the sender check first",
               "HM-VERIFY-4 HM-VERIFY-14", "HALLMARK_SENDER_NOT_AUTHORIZED", b, k[0], digest,
               "SCOPEZ");
    scope_bad(k, "bundle-scope-sender-not-in-credential",
              "A scope naming a sender the credential does not hold",
              json_pack("{s:[{s:s,s:s,s:s}]}", "senders", "channel", "sms", "id", "SCOPEZ",
                        "country", "+44"));
    scope_bad(k, "bundle-scope-sender-other-country",
              "A scope naming SCOPEA for +33 where the credential holds it for +44",
              json_pack("{s:[{s:s,s:s,s:s}]}", "senders", "channel", "sms", "id", "SCOPEA",
                        "country", "+33"));
    scope_bad(k, "bundle-scope-channel-not-in-credential",
              "A scope naming email, a channel the credential has no sender on",
              json_pack("{s:[s]}", "channels", "email"));
    scope_bad(k, "bundle-scope-empty", "A scope with no member", json_object());
    scope_bad(k, "bundle-scope-unknown-member", "A scope with a member of no release",
              json_pack("{s:[s],s:[s]}", "channels", "sms", "categories", "otp"));
    scope_bad(k, "bundle-scope-channel-twice", "A scope listing sms twice",
              json_pack("{s:[s,s]}", "channels", "sms", "sms"));
    scope_bad(k, "bundle-scope-not-object", "A scope given as a string", json_string("sms"));
    scope_bad(k, "bundle-scope-channels-empty", "A scope whose channels list is empty",
              json_pack("{s:[]}", "channels"));
    free(b);
    for (i = 0; i < SCOPE_KEYS; i++) {
        hm_signkey_free(k[i]);
    }
}

/* [HM-VERIFY-60]-[HM-VERIFY-63]: vectors 472-477; b is the bundle with status_every. */
static void
two_times_rules(const char *b)
{
    struct bundle_opts o = {.serial = 7, .exp = NOW + DAY};
    char *short_bundle = bundle(&o), *st = status_for(b, json_array(), json_array());

    counter = 471;
    after_load.received_at = NOW;
    status_case("two-times-verified-days-later",
                "An SMS token fetched again three days after its receipt: the receipt time as "
                "received_at, the clock as now",
                "HM-VERIFY-60 HM-VERIFY-63 HM-TOKEN-20", "HALLMARK_VERIFIED", default_bundle, NULL,
                NULL, NULL, NULL, NOW + 3 * DAY, 0);
    after_load.received_at = NOW + 301;
    status_case("two-times-received-after-now", "received_at more than 300 seconds after now",
                "HM-VERIFY-61", "HALLMARK_ERR_INVALID_ARGUMENT", default_bundle, NULL, NULL, NULL,
                NULL, 0, 0);
    after_load.received_at = NOW + 300;
    status_case("two-times-received-at-skew-bound", "received_at exactly 300 seconds after now",
                "HM-VERIFY-61", "HALLMARK_VERIFIED", default_bundle, NULL, NULL, NULL, NULL, 0, 0);
    status_case("clock-behind-bundle",
                "The clock set back to before the bundle's iat (minus the skew) after the load",
                "HM-VERIFY-62 HM-VERIFY-5", "HALLMARK_CLOCK_BEHIND", default_bundle, NULL, NULL,
                NULL, NULL, NOW - 3600 - 301, NOW);
    status_case("clock-behind-status",
                "The clock set back to before the held status's iat (minus the skew): the stored "
                "verdict cannot be re-checked either",
                "HM-VERIFY-62 HM-VERIFY-58", "HALLMARK_CLOCK_BEHIND", b, st, NULL, NULL,
                recheck("acme-bank", acme, NOW - 60, "HALLMARK_CLOCK_BEHIND"), NOW - 600 - 301,
                NOW);
    after_load.received_at = NOW;
    status_case("two-times-bundle-expired-at-now",
                "A message received while the bundle was fresh, verified after its exp: the "
                "bundle is judged at now",
                "HM-VERIFY-60 HM-VERIFY-5", "HALLMARK_BUNDLE_EXPIRED", short_bundle, NULL, NULL,
                NULL, NULL, NOW + DAY + 1, NOW);
    free(short_bundle);
    free(st);
    /* [HM-BUNDLE-93]: vectors 478-479, verify before parsing. */
    o.exp = NOW + 7 * DAY;
    o.dup_brand = 1;
    o.tamper = 1;
    short_bundle = bundle(&o);
    status_case("bundle-malformed-and-tampered",
                "A bundle with a brand listed twice and a bad signature: the signature is checked "
                "before any brand entry is read",
                "HM-BUNDLE-93 HM-BUNDLE-24", "HALLMARK_BUNDLE_BAD_SIGNATURE", short_bundle, NULL,
                NULL, NULL, NULL, 0, 0);
    free(short_bundle);
    o.tamper = 0;
    o.foreign_signer = 1;
    short_bundle = bundle(&o);
    status_case("bundle-malformed-foreign-signer",
                "A bundle with a brand listed twice, signed by a key the root did not certify",
                "HM-BUNDLE-93 HM-BUNDLE-23", "HALLMARK_BUNDLE_UNTRUSTED", short_bundle, NULL, NULL,
                NULL, NULL, 0, 0);
    free(short_bundle);
}

static void
status_rules(void)
{
    struct bundle_opts o = {.serial = 7, .exp = NOW + 7 * DAY, .status_every = 3600};
    char *b = bundle(&o), *st, *floor_state = state_at(NOW), *v2_after = state_at(NOW - 600);
    char *v2_before = state_at(NOW - 7200), *v1 = state_at(0), *damaged, *big;
    const char *acme_kid = kid(acme);
    json_t *doc;

    counter = 439; /* issue 21: vectors 440-479 (HM-VEC-65) */
    st = status_for(b, json_pack("[s]", acme_kid), json_array());
    status_case("status-revokes-key",
                "A status revokes acme's active key after the bundle: its token is refused, and "
                "the stored checkmark of its earlier message is withdrawn",
                "HM-BUNDLE-88 HM-VERIFY-11 HM-VERIFY-57 HM-VERIFY-58 HM-TRUST-70",
                "HALLMARK_KEY_REVOKED", b, st, NULL, v2_after,
                recheck("acme-bank", acme, NOW - 60, "HALLMARK_KEY_REVOKED"), 0, 0);
    free(st);
    st = status_for(b, json_array(), json_pack("[s]", "acme-bank"));
    status_case("status-revokes-brand",
                "A status revokes the brand acme-bank: its token is refused and its stored "
                "verdicts withdrawn",
                "HM-BUNDLE-88 HM-VERIFY-13 HM-VERIFY-57 HM-VERIFY-58", "HALLMARK_BRAND_REVOKED", b,
                st, NULL, v2_after, recheck("acme-bank", acme, NOW - 60, "HALLMARK_BRAND_REVOKED"),
                0, 0);
    free(st);
    st = status_for(b, json_array(), json_array());
    status_case("status-revokes-nothing",
                "A fresh status that revokes nothing: verified, the stored verdict still valid, "
                "and the state of version 2 holds the status's iat",
                "HM-BUNDLE-86 HM-BUNDLE-87 HM-BUNDLE-92 HM-VERIFY-58", "HALLMARK_VERIFIED", b, st,
                NULL, v2_after, recheck("acme-bank", acme, NOW - 60, "HALLMARK_OK"), 0, 0);
    status_case("status-needed-none-loaded",
                "A bundle with status_every and no status loaded: cannot tell right now",
                "HM-BUNDLE-86 HM-VERIFY-56 HM-RESULT-51", "HALLMARK_STATUS_STALE", b, NULL, NULL,
                NULL, recheck("acme-bank", acme, NOW - 60, "HALLMARK_STATUS_STALE"), 0, 0);
    status_case("status-expired-at-verify",
                "Status fetches blocked: the held status expired before verify",
                "HM-BUNDLE-86 HM-VERIFY-56", "HALLMARK_STATUS_STALE", b, st, NULL, NULL,
                recheck("acme-bank", acme, NOW - 60, "HALLMARK_STATUS_STALE"),
                NOW - 600 + 6LL * 3600 + 1, NOW);
    status_case("status-expired-at-load", "A status already past its exp when loaded",
                "HM-BUNDLE-87", "HALLMARK_STATUS_STALE", b, st, NULL, NULL, NULL,
                NOW - 600 + 6LL * 3600 + 1, 0);
    free(st);
    o.status_every = 0;
    {
        char *plain = bundle(&o);
        st = status_of(publisher, "hallmark-status+jwt", PLATFORM, 7, plain, NOW - 600,
                       NOW - 600 + 6LL * 3600, json_pack("[s]", acme_kid), json_array());
        status_case("status-on-bundle-without-status-every",
                    "A bundle of an earlier release needs no status, but one loaded is used",
                    "HM-BUNDLE-86 HM-BUNDLE-88", "HALLMARK_KEY_REVOKED", plain, st, NULL, v2_after,
                    NULL, 0, 0);
        free(st);
        status_case("state-v1-stays-v1",
                    "A bundle load with a version 1 state and no status writes version 1",
                    "HM-BUNDLE-92 HM-BUNDLE-72", "HALLMARK_VERIFIED", plain, NULL, v1, v1, NULL, 0,
                    0);
        status_case("state-v2-bundle-load-keeps-floor",
                    "A bundle load with a version 2 state keeps its status floor",
                    "HM-BUNDLE-92 HM-BUNDLE-28", "HALLMARK_VERIFIED", plain, NULL, v2_before,
                    v2_before, NULL, 0, 0);
        free(plain);
    }
    o.status_every = 3600;
    big = malloc(262145 + 1);
    memset(big, 'A', 262145);
    big[262145] = '\0';
    status_case("status-oversized", "A status over 262,144 bytes", "HM-BUNDLE-87",
                "HALLMARK_STATUS_INVALID", b, big, NULL, NULL, NULL, 0, 0);
    free(big);
    st = status_of(publisher, "hallmark-bundle+jwt", PLATFORM, 7, b, NOW - 600,
                   NOW - 600 + 6LL * 3600, json_array(), json_array());
    status_case("status-wrong-typ", "A status with the bundle's typ", "HM-BUNDLE-87",
                "HALLMARK_STATUS_INVALID", b, st, NULL, NULL, NULL, 0, 0);
    free(st);
    st = status_of(rogue, "hallmark-status+jwt", PLATFORM, 7, b, NOW - 600, NOW - 600 + 6LL * 3600,
                   json_array(), json_array());
    status_case("status-other-signer",
                "A status that clears every revocation, signed by a key the bundle did not "
                "certify",
                "HM-BUNDLE-87", "HALLMARK_STATUS_INVALID", b, st, NULL, NULL, NULL, 0, 0);
    free(st);
    st = status_for(b, json_pack("[s]", acme_kid), json_array());
    {
        char *dot = strrchr(st, '.');
        dot[10] = dot[10] == 'A' ? 'B' : 'A';
    }
    status_case("status-tampered", "A status whose signature does not verify", "HM-BUNDLE-87",
                "HALLMARK_STATUS_INVALID", b, st, NULL, NULL, NULL, 0, 0);
    free(st);
    st = status_of(publisher, "hallmark-status+jwt", PLATFORM, 7, b, NOW - 600, NOW - 600 + DAY + 1,
                   json_array(), json_array());
    status_case("status-longer-than-a-day", "A status whose exp is more than a day after its iat",
                "HM-BUNDLE-87 HM-TRUST-70", "HALLMARK_STATUS_INVALID", b, st, NULL, NULL, NULL, 0,
                0);
    free(st);
    st = status_for(b, json_pack("[s,s]", acme_kid, acme_kid), json_array());
    status_case("status-key-twice", "A status that lists one key id twice", "HM-BUNDLE-87",
                "HALLMARK_STATUS_INVALID", b, st, NULL, NULL, NULL, 0, 0);
    free(st);
    st = status_of(publisher, "hallmark-status+jwt", "Other Platform", 7, b, NOW - 600,
                   NOW - 600 + 6LL * 3600, json_array(), json_array());
    status_case("status-other-platform", "A status of another platform", "HM-BUNDLE-87",
                "HALLMARK_STATUS_INVALID", b, st, NULL, NULL, NULL, 0, 0);
    free(st);
    st = status_of(publisher, "hallmark-status+jwt", PLATFORM, 8, b, NOW - 600,
                   NOW - 600 + 6LL * 3600, json_array(), json_array());
    status_case("status-other-serial", "A status for bundle serial 8 while 7 is in force",
                "HM-BUNDLE-87 HM-TRUST-71", "HALLMARK_STATUS_OTHER_BUNDLE", b, st, NULL, NULL, NULL,
                0, 0);
    free(st);
    st = status_of(publisher, "hallmark-status+jwt", PLATFORM, 7, default_bundle, NOW - 600,
                   NOW - 600 + 6LL * 3600, json_array(), json_array());
    status_case("status-other-bundle-digest",
                "A status that names another bundle of the same serial", "HM-BUNDLE-87",
                "HALLMARK_STATUS_OTHER_BUNDLE", b, st, NULL, NULL, NULL, 0, 0);
    free(st);
    st = status_for(b, json_array(), json_array());
    status_case("status-below-floor",
                "A status from before the one the app accepted (the revocation it carried "
                "undone): refused",
                "HM-BUNDLE-89 HM-BUNDLE-92", "HALLMARK_STATUS_ROLLBACK", b, st, floor_state, NULL,
                NULL, 0, 0);
    status_case("status-equal-floor", "The same status loaded again: its iat equals the floor",
                "HM-BUNDLE-89", "HALLMARK_VERIFIED", b, st, v2_after, v2_after, NULL, 0, 0);
    status_case("status-above-floor", "A version 2 state read back, and a newer status raises it",
                "HM-BUNDLE-92 HM-BUNDLE-89", "HALLMARK_VERIFIED", b, st, v2_before, v2_after, NULL,
                0, 0);
    free(st);
    doc = json_loads(floor_state, 0, NULL);
    json_object_set_new(doc, "status", json_integer(0));
    damaged = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(doc);
    status_case("state-v2-status-zero", "A version 2 state whose status floor is 0",
                "HM-BUNDLE-92 HM-BUNDLE-69", "HALLMARK_ERR_STATE_INVALID", b, NULL, damaged, NULL,
                NULL, 0, 0);
    free(damaged);
    doc = json_loads(floor_state, 0, NULL);
    json_object_set_new(doc, "v", json_integer(3));
    damaged = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(doc);
    status_case("state-version-3", "A state of a version this library does not know",
                "HM-BUNDLE-69 HM-BUNDLE-92", "HALLMARK_ERR_STATE_INVALID", b, NULL, damaged, NULL,
                NULL, 0, 0);
    free(damaged);
    status_case("recheck-key-not-in-bundle",
                "A stored verdict of a key the bundle no longer holds: nothing confirms it",
                "HM-VERIFY-58", "HALLMARK_VERIFIED", default_bundle, NULL, NULL, NULL,
                recheck("acme-bank", rogue, NOW - 60, "HALLMARK_UNKNOWN_KEY"), 0, 0);
    status_case("recheck-other-brand", "A stored verdict that names another brand than the key's",
                "HM-VERIFY-58", "HALLMARK_VERIFIED", default_bundle, NULL, NULL, NULL,
                recheck("globex", acme, NOW - 60, "HALLMARK_ISSUER_MISMATCH"), 0, 0);
    status_case("recheck-iat-outside-window",
                "A stored verdict whose iat is past the key's exp in the bundle in force (a "
                "window cut after the key left active)",
                "HM-VERIFY-58 HM-TRUST-64", "HALLMARK_VERIFIED", default_bundle, NULL, NULL, NULL,
                recheck("acme-bank", acme_old, NOW - 60, "HALLMARK_KEY_NOT_VALID"), 0, 0);
    status_case("recheck-key-revoked-in-bundle", "A stored verdict of a key a later bundle revokes",
                "HM-VERIFY-57 HM-VERIFY-58", "HALLMARK_VERIFIED", default_bundle, NULL, NULL, NULL,
                recheck("acme-bank", acme_revoked, NOW - 60, "HALLMARK_KEY_REVOKED"), 0, 0);
    status_case("recheck-brand-revoked-in-bundle",
                "A stored verdict of a brand a later bundle revokes", "HM-VERIFY-58",
                "HALLMARK_VERIFIED", default_bundle, NULL, NULL, NULL,
                recheck("oldco", oldco, NOW - 60, "HALLMARK_BRAND_REVOKED"), 0, 0);
    status_case("recheck-no-bundle", "A stored verdict re-checked before any bundle is loaded",
                "HM-VERIFY-58", "HALLMARK_NO_BUNDLE", NULL, NULL, NULL, NULL,
                recheck("acme-bank", acme, NOW - 60, "HALLMARK_NO_BUNDLE"), 0, 0);
    o.status_every = 0;
    o.iat = NOW - 3600;
    o.exp = NOW - 3600 + 14 * DAY + 1;
    {
        char *long_bundle = bundle(&o);
        status_case("bundle-lifetime-over-14-days", "A bundle signed for 14 days and one second",
                    "HM-BUNDLE-90 HM-TRUST-72", "HALLMARK_BUNDLE_UNTRUSTED", long_bundle, NULL,
                    NULL, NULL, NULL, 0, 0);
        free(long_bundle);
        o.exp = NOW - 3600 + 14 * DAY;
        long_bundle = bundle(&o);
        status_case("bundle-lifetime-14-days", "A bundle signed for exactly 14 days",
                    "HM-BUNDLE-90 HM-TRUST-72", "HALLMARK_VERIFIED", long_bundle, NULL, NULL, NULL,
                    NULL, 0, 0);
        free(long_bundle);
    }
    o.exp = NOW + 7 * DAY;
    o.status_every = 299;
    {
        char *bad = bundle(&o);
        status_case("bundle-status-every-too-short", "A bundle whose status_every is 299 seconds",
                    "HM-BUNDLE-86 HM-BUNDLE-1", "HALLMARK_BUNDLE_MALFORMED", bad, NULL, NULL, NULL,
                    NULL, 0, 0);
        free(bad);
    }
    two_times_rules(b);
    free(b);
    free(floor_state);
    free(v2_after);
    free(v2_before);
    free(v1);
}

/* ---- issue 21, part 4: token lifetime and delivery age (vectors 500-519, HM-VEC-66) -------- */

/* One SMS token of acme with category cat, issued at iat and living ttl seconds, verified at now
 * (0: NOW) with received_at (0: absent, now is both times). The message body is msg_body. */
static void
delivery_case(const char *name, const char *description, const char *spec, const char *result,
              const char *cat, long long iat, long long ttl, long long now, long long received_at,
              const char *msg_body)
{
    json_t *c = sms_claims(BODY, name);
    char *t;
    struct vec v;

    json_object_set_new(c, "category", json_string(cat));
    json_object_set_new(c, "iat", json_integer(iat));
    json_object_set_new(c, "exp", json_integer(iat + ttl));
    t = token(acme, c);
    memset(&v, 0, sizeof v);
    v.name = name;
    v.description = description;
    v.spec = spec;
    v.bundle = default_bundle;
    v.channel = "sms";
    v.from = "ACMEBANK";
    v.to = TO_SMS;
    v.body = msg_body;
    v.token = t;
    v.result = result;
    v.now = now;
    v.serial = 7;
    v.brand = strcmp(result, "HALLMARK_VERIFIED") == 0 ? acme_brand(acme, c) : NULL;
    after_load.received_at = received_at;
    emit(&v);
    free(t);
    json_decref(c);
}

/* [HM-BUNDLE-106]: the load takes the JWS bytes exactly; white space is a tool's to trim from a
 * file, never the library's (HM-VEC-75). */
static char *
with_bytes(const char *before, const char *text, const char *after)
{
    size_t n = strlen(before) + strlen(text) + strlen(after) + 1;
    char *out = malloc(n);

    if (out != NULL) {
        (void)snprintf(out, n, "%s%s%s", before, text, after);
    }
    return out;
}

/* Spec §6.6 [HM-BUNDLE-110] to [HM-BUNDLE-113] (issue 16): a brand entry is checked when a
 * verification first needs it; a bad one yields its load code for its own tokens only, and a
 * malformed one still fails the whole load. A verifier that checks everything at load gives the
 * same result for the cases of a bad entry's own tokens (its load fails with that code). */
static void
deferred_rules(void)
{
    struct bundle_opts o = {.serial = 7, .exp = NOW + 7 * DAY};
    char *acme_t = sign_claims(acme, sms_claims(BODY, "d553"));
    json_t *c = globex_claims("GLOBEX", "d554"), *e = raw_key_entry(ORDER8);
    json_t *verified = acme_brand(globex, c); /* Globex's credential differs in id and name */
    char *globex_t = sign_claims(globex, c);

    json_object_set_new(verified, "id", json_string("globex"));
    json_object_set_new(verified, "name", json_string("Globex"));
    counter = 552; /* issue 16: vectors 553-569 */
    o.bad_cred_sig = 1;
    deferred_case("brand-credential-forged-own-token",
                  "Acme's credential is not signed by the publisher: Acme's token gets the load's "
                  "code for it, neutral, and so does a stored verdict of Acme's key",
                  "HM-BUNDLE-110 HM-BUNDLE-111 HM-BUNDLE-25 HM-VERIFY-9",
                  "HALLMARK_BUNDLE_BAD_SIGNATURE", bundle(&o), "ACMEBANK", acme_t, "neutral",
                  recheck("acme-bank", acme, NOW - 60, "HALLMARK_BUNDLE_BAD_SIGNATURE"), NULL);
    /* A full check refuses this bundle ([HM-BUNDLE-113]); a verifier that defers verifies the
     * other brands' tokens, which is why no load result can be expected here. */
    deferred_case("brand-credential-forged-other-brand-verifies",
                  "Acme's credential is not signed by the publisher: Globex's token in the same "
                  "bundle verifies (a verifier that checks on first use)",
                  "HM-BUNDLE-110 HM-BUNDLE-111", "HALLMARK_VERIFIED", bundle(&o), "GLOBEX",
                  globex_t, "checkmark", NULL, verified);
    o.bad_cred_sig = 0;
    o.extra_acme_key = e;
    deferred_case("brand-key-small-order-own-token",
                  "Acme lists a key of order 8: a token of Acme's valid key gets "
                  "HALLMARK_BUNDLE_MALFORMED, neutral; the entry is checked whole",
                  "HM-BUNDLE-110 HM-BUNDLE-111 HM-BUNDLE-3 HM-VERIFY-9",
                  "HALLMARK_BUNDLE_MALFORMED", bundle(&o), "ACMEBANK", acme_t, "neutral",
                  recheck("acme-bank", acme, NOW - 60, "HALLMARK_BUNDLE_MALFORMED"), NULL);
    deferred_case("brand-key-small-order-other-brand-verifies",
                  "Acme lists a key of order 8: Globex's token in the same bundle verifies",
                  "HM-BUNDLE-110 HM-BUNDLE-111", "HALLMARK_VERIFIED", bundle(&o), "GLOBEX",
                  globex_t, "checkmark", NULL, verified);
    o.extra_acme_key = NULL;
    o.acme_key_alg_override = "EdDSA";
    deferred_case("brand-entry-malformed-fails-whole-load",
                  "Acme's key entry pins EdDSA (a structural rule): the whole load fails, so "
                  "Globex's token is never verified",
                  "HM-BUNDLE-110 HM-BUNDLE-20", "HALLMARK_BUNDLE_MALFORMED", bundle(&o), "GLOBEX",
                  globex_t, NULL, NULL, NULL);
    json_decref(e);
    json_decref(verified);
    free(acme_t);
    free(globex_t);
}

static void
file_rules(void)
{
    counter = 549; /* issue 18: vectors 550-559 (HM-VEC-75) */
    bundle_case("bundle-trailing-newline",
                "Bundle bytes that end in a newline: a file's newline is the reading tool's to "
                "trim, the load refuses it",
                "HM-BUNDLE-106 HM-BUNDLE-19", "HALLMARK_BUNDLE_MALFORMED",
                with_bytes("", default_bundle, "\n"), 0, 0, 0, NULL);
    bundle_case("bundle-trailing-crlf-spaces",
                "Bundle bytes that end in spaces, a tab and CRLF: refused by the load",
                "HM-BUNDLE-106 HM-BUNDLE-19", "HALLMARK_BUNDLE_MALFORMED",
                with_bytes("", default_bundle, " \t\r\n"), 0, 0, 0, NULL);
    bundle_case("bundle-leading-newline",
                "Bundle bytes that start with a newline: refused (no tool trims the start)",
                "HM-BUNDLE-106 HM-BUNDLE-19", "HALLMARK_BUNDLE_MALFORMED",
                with_bytes("\n", default_bundle, ""), 0, 0, 0, NULL);
}

static void
delivery_rules(void)
{
    counter = 499; /* issue 21, part 4: vectors 500-519 (HM-VEC-66) */
    delivery_case("token-lifetime-7-days", "A token that lives exactly 7 days (exp - iat = 604800)",
                  "HM-TOKEN-60 HM-TOKEN-18", "HALLMARK_VERIFIED", "transactional", NOW - 60,
                  7 * DAY, 0, 0, BODY);
    delivery_case("token-lifetime-over-7-days",
                  "A token that lives 7 days and a second: replayable for longer than the cap",
                  "HM-TOKEN-60 HM-TOKEN-18 HM-VERIFY-12", "HALLMARK_MALFORMED", "transactional",
                  NOW - 60, 7 * DAY + 1, 0, 0, BODY);
    delivery_case("otp-delivered-at-limit",
                  "A one-time code received 899 seconds after its iat: the last second of its "
                  "10 minutes plus the skew",
                  "HM-TOKEN-61 HM-VERIFY-64", "HALLMARK_VERIFIED", "otp", NOW - 899, DAY, 0, 0,
                  BODY);
    delivery_case("otp-delivered-too-late",
                  "A one-time code received 900 seconds after its iat, its token still unexpired",
                  "HM-TOKEN-61 HM-VERIFY-64", "HALLMARK_DELIVERY_TOO_LATE", "otp", NOW - 900, DAY,
                  0, 0, BODY);
    delivery_case("alert-delivered-at-limit",
                  "An alert received a day and 299 seconds after its iat",
                  "HM-TOKEN-61 HM-VERIFY-64", "HALLMARK_VERIFIED", "alert", NOW - DAY - 299,
                  2 * DAY, 0, 0, BODY);
    delivery_case("alert-delivered-too-late",
                  "A genuine alert captured and delivered to its recipient again a day and 300 "
                  "seconds after its iat, its token still unexpired",
                  "HM-TOKEN-61 HM-VERIFY-64", "HALLMARK_DELIVERY_TOO_LATE", "alert",
                  NOW - DAY - 300, 2 * DAY, 0, 0, BODY);
    delivery_case("transactional-delivered-at-limit",
                  "A transactional message received 3 days and 299 seconds after its iat",
                  "HM-TOKEN-61 HM-VERIFY-64", "HALLMARK_VERIFIED", "transactional",
                  NOW - 3 * DAY - 299, 4 * DAY, 0, 0, BODY);
    delivery_case("transactional-delivered-too-late",
                  "A transactional message received 3 days and 300 seconds after its iat",
                  "HM-TOKEN-61 HM-VERIFY-64", "HALLMARK_DELIVERY_TOO_LATE", "transactional",
                  NOW - 3 * DAY - 300, 4 * DAY, 0, 0, BODY);
    delivery_case("marketing-delivered-too-late",
                  "A marketing message received 3 days and 300 seconds after its iat",
                  "HM-TOKEN-61 HM-VERIFY-64", "HALLMARK_DELIVERY_TOO_LATE", "marketing",
                  NOW - 3 * DAY - 300, 4 * DAY, 0, 0, BODY);
    delivery_case("otp-verified-days-later",
                  "A one-time code received a minute after its iat and verified two days later "
                  "with both times: the delivery age is judged at received_at",
                  "HM-VERIFY-64 HM-VERIFY-60", "HALLMARK_VERIFIED", "otp", NOW - 60, DAY,
                  NOW + 2 * DAY, NOW, BODY);
    delivery_case("otp-one-time-call-late",
                  "A one-time code verified 960 seconds after its iat by a one-time call: its one "
                  "time is received_at",
                  "HM-VERIFY-64 HM-VERIFY-63", "HALLMARK_DELIVERY_TOO_LATE", "otp", NOW - 60, DAY,
                  NOW + 900, 0, BODY);
    delivery_case("otp-expired-and-too-late",
                  "A one-time code past its exp and its delivery age: the expiry comes first",
                  "HM-VERIFY-17 HM-VERIFY-64", "HALLMARK_TOKEN_EXPIRED", "otp", NOW - 2 * DAY, DAY,
                  0, 0, BODY);
    delivery_case("otp-too-late-body-modified",
                  "A one-time code delivered too late with another body: step 11 comes first",
                  "HM-VERIFY-15 HM-VERIFY-64", "HALLMARK_BODY_MODIFIED", "otp", NOW - 900, DAY, 0,
                  0, "Acme Bank: your code is 000000");
}

int
main(int argc, char **argv)
{
    struct bundle_opts o = {.serial = 7, .exp = NOW + 7 * DAY};

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: gen-vectors OUT_DIR [KEPT_DIR]\n");
        return 2;
    }
    out_dir = argv[1];
    kept_dir = argc == 3 ? argv[2] : NULL;
    root0 = seeded(HM_ALG_ED25519, 1);
    root1 = seeded(HM_ALG_ED25519, 11);
    publisher = seeded(HM_ALG_ED25519, 2);
    acme = seeded(HM_ALG_ED25519, 3);
    acme_retiring = seeded(HM_ALG_ED25519, 4);
    acme_pending = seeded(HM_ALG_ED25519, 5);
    acme_revoked = seeded(HM_ALG_ED25519, 6);
    acme_old = seeded(HM_ALG_ED25519, 7);
    acme_es = seeded(HM_ALG_ES256, 0x21);
    globex = seeded(HM_ALG_ED25519, 8);
    rogue = seeded(HM_ALG_ED25519, 9);
    oldco = seeded(HM_ALG_ED25519, 10);
    expco = seeded(HM_ALG_ED25519, 12);
    make_credentials();
    default_bundle = bundle(&o);
    positives();
    structure_negatives();
    header_negatives();
    signature_negatives();
    key_and_brand_negatives();
    message_negatives();
    action_negatives();
    bundle_negatives();
    attack_corpus();
    label_rules();
    fetched_negatives();
    lookup_keys();
    qa = seeded(HM_ALG_ED25519, 0x31);
    qb = seeded(HM_ALG_ED25519, 0x32);
    qc = seeded(HM_ALG_ED25519, 0x33);
    qd = seeded(HM_ALG_ED25519, 0x34);
    qe = seeded(HM_ALG_ED25519, 0x35);
    qf = seeded(HM_ALG_ED25519, 0x36);
    pub2 = seeded(HM_ALG_ED25519, 0x37);
    pub3 = seeded(HM_ALG_ED25519, 0x38);
    trust_state_vectors();
    level_rules();
    phone_rules();
    link_rules();
    sender_rules();
    transport_rules();
    category_rules();
    scope_rules();
    status_rules();
    policy_rules();
    delivery_rules();
    file_rules();
    deferred_rules();
    printf("gen-vectors: %d vectors written to %s\n", counter, out_dir);
    return failures == 0 ? 0 : 1;
}
