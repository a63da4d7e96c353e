#include "hm_signer.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "hm_fileio.h"
#include "hm_b64url.h"
#include "hm_bundle.h"
#include "hm_body_rules.h"
#include "hm_claims.h"
#include "hm_ids.h"
#include "hm_jti.h"
#include "hm_json_write.h"
#include "hm_jws_sign.h"
#include "hm_keystore.h"
#include "hm_rendering.h"
#include "hm_signkey.h"
#include "hm_stem_shared.h"
#include "hm_text.h"
#include "hm_token_claims.h"
#include "hm_errorf.h"

/* The claims of most tokens fit here; longer ones (long action URLs) move to the heap. */
#define HM_CLAIMS_STACK 2048
/* I-JSON's exact integers (RFC 7493 §2.2): iat below this, as hm_claims_read requires. */
#define HM_JSON_INT_MAX 9007199254740992LL

struct signing_key {
    size_t brand;           /* index into trust->brands */
    const hm_brand_key *tk; /* its entry in the bundle (scope, window); borrowed from trust */
    int choose;             /* the brand has several keys, or this one a scope: pick per message */
    hm_signkey *key;
    long long created, nbf, exp; /* the key's window in the bundle */
    int proven;                  /* the start-up probe verified a token it signed */
    /* The token header of this key in base64url, built once: it is the same for every message. */
    char *header_b64;
    size_t header_b64_len;
};

struct hm_signer {
    unsigned long refs;
    hm_trust *trust;
    struct signing_key *keys;
    size_t key_count;
    char *bundle;
    size_t bundle_len;
    char *jwks;
    hallmark_verifier *verifier; /* the platform's own verifier on this bundle ([HM-TOKEN-68]) */
};

hm_signer *
hm_signer_ref(hm_signer *s)
{
    if (s != NULL) {
        (void)__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
    }
    return s;
}

static void
signer_free(hm_signer *s)
{
    size_t i;

    for (i = 0; i < s->key_count; i++) {
        hm_signkey_free(s->keys[i].key);
        free(s->keys[i].header_b64);
    }
    free(s->keys);
    hm_trust_free(s->trust);
    free(s->bundle);
    free(s->jwks);
    hallmark_verifier_free(s->verifier);
    free(s);
}

void
hm_signer_unref(hm_signer *s)
{
    if (s != NULL && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        signer_free(s);
    }
}

static hallmark_result
refuse(hm_sign_result *res, hallmark_result rc, const char *field, const char *detail)
{
    res->field = field;
    res->detail = detail;
    return rc;
}

/* ---- requests -------------------------------------------------------------------------------- */

static const char *const request_members[] = {
    "brand", "channel", "from", "to",       "body",    "category", "sender",
    "conv",  "actions", "ttl",  "carriage", "subject", "reply_to", "renderings"};

static hallmark_result
string_member(const json_t *obj, const char *name, int required, const char **out,
              hm_sign_result *res)
{
    const json_t *v = json_object_get(obj, name);

    *out = NULL;
    if (v == NULL) {
        return required ? refuse(res, HALLMARK_ERR_BAD_REQUEST, name, "required member missing")
                        : HALLMARK_OK;
    }
    if (!json_is_string(v)) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, name, "must be a string");
    }
    *out = json_string_value(v);
    return HALLMARK_OK;
}

static hallmark_result
read_actions(const json_t *actions, hm_sign_request *req, hm_sign_result *res)
{
    const json_t *a;
    size_t i;

    if (actions == NULL) {
        return HALLMARK_OK;
    }
    if (!json_is_array(actions) || json_array_size(actions) > HALLMARK_MAX_ACTIONS) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "actions", "must be an array of at most 4");
    }
    json_array_foreach(actions, i, a)
    {
        const char *key;
        const json_t *v;

        if (!json_is_object(a)) {
            return refuse(res, HALLMARK_ERR_BAD_REQUEST, "actions", "each action is an object");
        }
        json_object_foreach((json_t *)a, key, v)
        {
            if (strcmp(key, "kind") != 0 && strcmp(key, "label") != 0 && strcmp(key, "url") != 0) {
                return refuse(res, HALLMARK_ERR_BAD_REQUEST, "actions",
                              "an action has only kind, label and url");
            }
        }
        if (string_member(a, "kind", 1, &req->actions[i].kind, res) != HALLMARK_OK ||
            string_member(a, "label", 1, &req->actions[i].label, res) != HALLMARK_OK ||
            string_member(a, "url", 1, &req->actions[i].url, res) != HALLMARK_OK) {
            res->field = "actions";
            return HALLMARK_ERR_BAD_REQUEST;
        }
    }
    req->action_count = json_array_size(actions);
    return HALLMARK_OK;
}

/* How the token reaches the app (spec §9): an SMS cannot carry ~600 bytes, so its token always
 * goes to the token directory (HM-CARRY-15); RCS and WhatsApp may ask for the same. */
static hallmark_result
read_carriage(const json_t *obj, hm_sign_request *req, hm_sign_result *res)
{
    const char *carriage = NULL;
    int sms = strcmp(req->channel, "sms") == 0;
    hallmark_result rc = string_member(obj, "carriage", 0, &carriage, res);

    if (rc != HALLMARK_OK) {
        return rc;
    }
    if (carriage != NULL && strcmp(carriage, "inline") != 0 && strcmp(carriage, "directory") != 0) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "carriage", "\"inline\" or \"directory\"");
    }
    req->directory = sms || (carriage != NULL && strcmp(carriage, "directory") == 0);
    if (sms && carriage != NULL && strcmp(carriage, "inline") == 0) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "carriage",
                      "an SMS cannot carry its token: sms tokens go to the token directory "
                      "(spec HM-CARRY-15)");
    }
    if (req->directory && !sms && strcmp(req->channel, "rcs") != 0 &&
        strcmp(req->channel, "whatsapp") != 0) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "carriage",
                      "the token directory serves sms, rcs and whatsapp only");
    }
    return HALLMARK_OK;
}

/* [HM-TOKEN-50]: the renderings to sign beside the body; GSM-7 is an SMS spelling, and the
 * default there. */
static hallmark_result
read_renderings(const json_t *list, hm_sign_request *req, hm_sign_result *res)
{
    int sms = strcmp(req->channel, "sms") == 0;

    req->gsm7 = sms;
    if (list == NULL) {
        return HALLMARK_OK;
    }
    if (!json_is_array(list) || json_array_size(list) > 1 ||
        (json_array_size(list) == 1 &&
         (!json_is_string(json_array_get(list, 0)) ||
          strcmp(json_string_value(json_array_get(list, 0)), "gsm7") != 0))) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "renderings", "[] or [\"gsm7\"]");
    }
    req->gsm7 = json_array_size(list) == 1;
    if (req->gsm7 && !sms) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "renderings",
                      "gsm7 is an SMS rendering: sms only (spec 3.4)");
    }
    return HALLMARK_OK;
}

hallmark_result
hm_sign_request_from_json(const json_t *obj, hm_sign_request *req, hm_sign_result *res)
{
    const json_t *sender, *ttl, *v;
    const char *key;
    size_t i;
    hallmark_result rc;

    memset(req, 0, sizeof *req);
    if (!json_is_object(obj)) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, NULL, "a message is a JSON object");
    }
    json_object_foreach((json_t *)obj, key, v)
    {
        int known = 0;
        for (i = 0; i < sizeof request_members / sizeof request_members[0]; i++) {
            known |= strcmp(key, request_members[i]) == 0;
        }
        if (!known) { /* named, so that a typo ("catgory") is found at once */
            (void)snprintf(res->member, sizeof res->member, "%s", key);
            (void)snprintf(res->why, sizeof res->why,
                           "unknown member \"%s\" (known: brand, channel, from, to, body, "
                           "category, sender, conv, actions, ttl, carriage, subject, reply_to, "
                           "renderings)",
                           res->member);
            return refuse(res, HALLMARK_ERR_BAD_REQUEST, res->member, res->why);
        }
    }
    if ((rc = string_member(obj, "brand", 1, &req->brand, res)) != HALLMARK_OK ||
        (rc = string_member(obj, "channel", 1, &req->channel, res)) != HALLMARK_OK ||
        (rc = string_member(obj, "from", 1, &req->from, res)) != HALLMARK_OK ||
        (rc = string_member(obj, "to", 1, &req->to, res)) != HALLMARK_OK ||
        (rc = string_member(obj, "body", 1, &req->body, res)) != HALLMARK_OK ||
        (rc = string_member(obj, "category", 1, &req->category, res)) != HALLMARK_OK ||
        (rc = string_member(obj, "conv", 0, &req->conv, res)) != HALLMARK_OK ||
        (rc = string_member(obj, "subject", 0, &req->subject, res)) != HALLMARK_OK ||
        (rc = string_member(obj, "reply_to", 0, &req->reply_to, res)) != HALLMARK_OK) {
        return rc;
    }
    req->body_len = json_string_length(json_object_get(obj, "body"));
    req->subject_len =
        req->subject != NULL ? json_string_length(json_object_get(obj, "subject")) : 0;
    if ((rc = read_renderings(json_object_get(obj, "renderings"), req, res)) != HALLMARK_OK) {
        return rc;
    }
    sender = json_object_get(obj, "sender");
    if (!json_is_object(sender)) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "sender",
                      "required: {\"kind\": \"automated\" | \"human\" | \"ai\"}");
    }
    if ((rc = string_member(sender, "kind", 1, &req->sender_kind, res)) != HALLMARK_OK ||
        (rc = string_member(sender, "name", 0, &req->sender_name, res)) != HALLMARK_OK) {
        res->field = "sender";
        return rc;
    }
    if (json_object_size(sender) != 1 + (req->sender_name != NULL)) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "sender", "sender has only kind and name");
    }
    ttl = json_object_get(obj, "ttl");
    if (ttl != NULL) {
        if (!json_is_integer(ttl) || json_integer_value(ttl) < 1 ||
            json_integer_value(ttl) > HM_TOKEN_LIFETIME_MAX) {
            return refuse(res, HALLMARK_ERR_BAD_REQUEST, "ttl",
                          "an integer number of seconds, 1 to 604800");
        }
        req->ttl = (long long)json_integer_value(ttl);
    }
    if ((rc = read_carriage(obj, req, res)) != HALLMARK_OK) {
        return rc;
    }
    return read_actions(json_object_get(obj, "actions"), req, res);
}

/* ---- signing --------------------------------------------------------------------------------- */

static const struct signing_key *
find_brand(const hm_signer *s, const char *id)
{
    size_t i;

    for (i = 0; i < s->key_count; i++) {
        if (strcmp(s->trust->brands[s->keys[i].brand].id, id) == 0) {
            return &s->keys[i];
        }
    }
    return NULL;
}

/* [HM-TRUST-65]: of the brand's active keys (first, the one find_brand gave), the one whose scope
 * covers the message: a scoped key before an unscoped one, then the latest nbf. NULL when none
 * does; first itself when the brand has one unscoped key. The sender and recipient that the
 * request names are canonicalized here only to choose; check_request checks them. */
static const struct signing_key *
pick_key(const hm_signer *s, const struct signing_key *first, const hm_sign_request *req)
{
    const hm_brand *b = &s->trust->brands[first->brand];
    const struct signing_key *best = NULL;
    char from[HM_ID_MAX], to[HM_ID_MAX];
    int to_ok;
    size_t i;

    if (!first->choose) {
        return first;
    }
    if (!hm_channel_ok(req->channel) || !hm_canonical_sender(req->channel, req->from, from)) {
        return first; /* check_request refuses it, with the reason */
    }
    to_ok = hm_canonical_recipient(req->channel, req->to, to);
    for (i = (size_t)(first - s->keys); i < s->key_count && s->keys[i].brand == first->brand; i++) {
        const struct signing_key *k = &s->keys[i];
        if (!hm_key_scope_covers(k->tk, b, req->channel, from, to_ok ? to : NULL)) {
            continue;
        }
        if (best == NULL || (k->tk->scoped && !best->tk->scoped) ||
            (k->tk->scoped == best->tk->scoped && k->nbf > best->nbf)) {
            best = k;
        }
    }
    return best;
}

static int
brand_in_bundle(const hm_signer *s, const char *id, const hm_brand **out)
{
    size_t i;

    for (i = 0; i < s->trust->brand_count; i++) {
        if (strcmp(s->trust->brands[i].id, id) == 0) {
            *out = &s->trust->brands[i];
            return 1;
        }
    }
    return 0;
}

static int
conv_ok(const char *s)
{
    size_t i, n = strlen(s);

    if (n == 0 || n > 128) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (s[i] < 0x21 || s[i] > 0x7E) {
            return 0;
        }
    }
    return 1;
}

/* Everything the request says, checked before any claim is built. */
static hallmark_result
check_request(const hm_trust *t, const hm_brand *b, const hm_sign_request *req, long long now,
              char *from, char *to, char *reply_to, hm_sign_result *res)
{
    size_t i;
    const char *detail = NULL;
    hallmark_result rc;
    hallmark_category category;
    int to_ok;

    if (b->revoked) {
        return refuse(res, HALLMARK_BRAND_REVOKED, "brand", "the brand is revoked");
    }
    if (now < b->nbf - HM_SKEW || now >= b->exp) {
        return refuse(res, HALLMARK_BRAND_EXPIRED, "brand",
                      "the brand credential is not valid now");
    }
    if (!hm_channel_ok(req->channel)) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "channel", "not a channel name");
    }
    if (!hm_canonical_sender(req->channel, req->from, from)) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "from",
                      "not a valid sender id for the channel");
    }
    /* A short code or alphanumeric id is authorized per recipient country ([HM-TOKEN-42]). */
    to_ok = hm_canonical_recipient(req->channel, req->to, to);
    if (!to_ok && hm_sender_takes_country(req->channel, from)) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "to",
                      "not a valid recipient id for the channel");
    }
    if (!hm_brand_sender_authorized(b, req->channel, from, to_ok ? to : NULL)) {
        return refuse(res, HALLMARK_SENDER_NOT_AUTHORIZED, "from",
                      "the brand's credential does not authorize this sender on this channel "
                      "(for this recipient's country)");
    }
    if (hm_trust_sender_contested(t, req->channel, from, to_ok ? to : NULL)) {
        return refuse(res, HALLMARK_SENDER_CONTESTED, "from",
                      "another brand in the trust bundle holds this sender too, so apps show "
                      "no brand for it: the platform must give it to one brand");
    }
    if (!to_ok) { /* to_ok is hm_canonical_recipient's answer above; to holds its form */
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "to",
                      "not a valid recipient id for the channel");
    }
    if (req->body_len > HM_SIGN_BODY_MAX) {
        return refuse(res, HALLMARK_ERR_TOO_LARGE, "body", "body larger than 65536 bytes");
    }
    if (!hm_utf8_valid((const unsigned char *)req->body, req->body_len) ||
        memchr(req->body, 0, req->body_len) != NULL) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "body", "body is not UTF-8 text");
    }
    if ((rc = hm_body_rules_check(b, req->body, req->body_len, &detail)) != HALLMARK_OK) {
        return refuse(res, rc, "body", detail); /* [HM-TOKEN-40], [HM-TOKEN-41] */
    }
    if ((category = hm_category_from(req->category)) == HALLMARK_CATEGORY_UNKNOWN) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "category",
                      "one of transactional, otp, alert, marketing, service");
    }
    if ((b->categories & (1u << category)) == 0) { /* [HM-TOKEN-53] */
        return refuse(res, HALLMARK_CATEGORY_NOT_AUTHORIZED, "category",
                      "the brand's credential does not list this category: the platform vetted "
                      "the brand for others (hallmark-keys brand show)");
    }
    if (strcmp(req->sender_kind, "automated") != 0 && strcmp(req->sender_kind, "human") != 0 &&
        strcmp(req->sender_kind, "ai") != 0) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "sender", "kind is automated, human or ai");
    }
    if (req->sender_name != NULL &&
        (strcmp(req->sender_kind, "human") != 0 || strlen(req->sender_name) > 64 ||
         !hm_display_name_ok(req->sender_name, strlen(req->sender_name)))) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "sender",
                      "name: only with kind human, 1-64 bytes, no control or invisible characters");
    }
    if (req->conv != NULL && !conv_ok(req->conv)) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "conv", "1-128 printable ASCII, no spaces");
    }
    if (req->subject != NULL &&
        (req->subject_len > HM_SIGN_SUBJECT_MAX ||
         !hm_utf8_valid((const unsigned char *)req->subject, req->subject_len) ||
         memchr(req->subject, 0, req->subject_len) != NULL)) {
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, "subject",
                      "UTF-8 text of at most 998 bytes, no U+0000");
    }
    /* [HM-TOKEN-51]: shown beside the brand, so under the body's rules. */
    if (req->subject != NULL &&
        (rc = hm_body_rules_check(b, req->subject, req->subject_len, &detail)) != HALLMARK_OK) {
        return refuse(res, rc, "subject", detail);
    }
    if (req->reply_to != NULL) { /* [HM-TOKEN-48], [HM-TOKEN-51] */
        if (strcmp(req->channel, "email") != 0 ||
            !hm_canonical_recipient("email", req->reply_to, reply_to)) {
            return refuse(res, HALLMARK_ERR_BAD_REQUEST, "reply_to",
                          "an e-mail address (addr-spec), for channel email only");
        }
        if (!hm_brand_reply_to_authorized(b, reply_to)) {
            return refuse(res, HALLMARK_SENDER_NOT_AUTHORIZED, "reply_to",
                          "the Reply-To domain is not an e-mail sender of the brand's "
                          "credential");
        }
    }
    for (i = 0; i < req->action_count; i++) {
        const hm_sign_action *a = &req->actions[i];
        if (hm_action_kind_from(a->kind) == HALLMARK_ACTION_UNKNOWN) {
            return refuse(res, HALLMARK_ERR_BAD_REQUEST, "actions",
                          "kind is link, reply, call, unsubscribe or preferences");
        }
        if (!hm_action_label_ok(a->label, strlen(a->label))) {
            return refuse(res, HALLMARK_ERR_BAD_REQUEST, "actions",
                          "label: 1-40 bytes, no control, bidi-control or invisible characters, "
                          "no space first or last");
        }
        if (strlen(a->url) > 2048 ||
            (!hm_consent_action(t->consent_url, a->kind, a->url) &&
             hm_brand_action_check(b, a->kind, a->url, &detail) != HALLMARK_OK)) {
            return refuse(res, HALLMARK_ACTION_NOT_AUTHORIZED, "actions",
                          detail != NULL ? detail : "URL longer than 2048 bytes");
        }
    }
    return HALLMARK_OK;
}

/* What a message carries beside its body: the canonical Reply-To and the GSM-7 rendering, each
 * NULL when absent. */
struct extras {
    const char *reply_to;
    const char *rendering;
    size_t rendering_len;
};

/* The base64url SHA-256 digest ([HM-TOKEN-16]) of text[0..len) into out; 0 on failure. */
static int
digest_b64(const char *text, size_t len, char out[HM_SHA256_B64_LEN + 1])
{
    unsigned char d[HM_SHA256_BYTES];

    if (hm_body_digest((const unsigned char *)text, len, d) != HALLMARK_OK) {
        return 0;
    }
    (void)hm_b64url_encode_public(out, d, sizeof d);
    return 1;
}

/* The lookup keys of a message written to the token directory (HM-CARRY-16): of its body, and of
 * its rendering when it has one. */
struct lookup_keys {
    char body[HALLMARK_LOOKUP_KEY_LEN + 1];
    char rendering[HALLMARK_LOOKUP_KEY_LEN + 1];
};

/* The base64url digest of text into out and, when key is not NULL, the lookup key of the message
 * with text for body (the canonical sender, the recipient's stem ([HM-TOKEN-55]) and the text)
 * into key: both from one canonicalization of the text. 0 on failure. */
static int
digests_b64(const hm_sign_request *req, const char *from, const unsigned char stem[HM_SHA256_BYTES],
            const char *text, size_t len, char out[HM_SHA256_B64_LEN + 1], char *key)
{
    unsigned char d[HM_SHA256_BYTES], k[HM_SHA256_BYTES];

    if (key == NULL) {
        return digest_b64(text, len, out);
    }
    if (hm_body_digest_and_lookup_key(req->channel, from, stem, (const unsigned char *)text, len, d,
                                      k) != HALLMARK_OK) {
        return 0;
    }
    (void)hm_b64url_encode_public(out, d, sizeof d);
    (void)hm_b64url_encode_public(key, k, sizeof k);
    return 1;
}

/* The claim rules of spec §2.3 (those hm_claims_read applies to a token's payload) that
 * check_request does not already apply to the request: a token they refuse is never issued. */
static int
claims_rules_ok(const hm_token_claims *c)
{
    char canonical[HM_ID_MAX];
    size_t i;

    if (!hm_brand_id_ok(c->iss) || !hm_sender_id_ok(c->channel, c->from) || c->iat < 0 ||
        c->iat >= HM_JSON_INT_MAX || c->exp <= c->iat || c->exp - c->iat > HM_TOKEN_LIFETIME_MAX) {
        return 0;
    }
    for (i = 0; i < c->action_count; i++) {
        if (c->actions[i].url[0] == '\0') {
            return 0;
        }
    }
    /* [HM-TOKEN-48]: e-mail only, and already in canonical form. */
    return c->reply_to == NULL ||
           (strcmp(c->channel, "email") == 0 && strlen(c->reply_to) < HM_ID_MAX &&
            hm_canonical_recipient("email", c->reply_to, canonical) &&
            strcmp(canonical, c->reply_to) == 0);
}

/* Writes the claims of a checked request into w; 0 when a rule of §2.3 refuses them or a digest
 * fails. The digests and the token id are kept in res; with keys (not NULL), the lookup keys too,
 * computed with the digests of the same texts. */
static int
write_claims(hm_json_writer *w, const hm_brand *b, const hm_sign_request *req, const char *from,
             const unsigned char stem[HM_SHA256_BYTES], const struct extras *x, long long now,
             struct lookup_keys *keys, hm_sign_result *res)
{
    unsigned char rnd[HM_JTI_BYTES], d[HM_SHA256_BYTES];
    char rcpt[HM_SHA256_B64_LEN + 1], cred[HM_SHA256_B64_LEN + 1];
    char alt[HM_SHA256_B64_LEN + 1], subject[HM_SHA256_B64_LEN + 1];
    hm_token_claims c;

    hm_jti_random(rnd);
    /* The token's public values, so on the table codec (hm_b64url_encode_public). */
    (void)hm_b64url_encode_public(res->jti, rnd, sizeof rnd);
    sodium_memzero(rnd, sizeof rnd);
    if (!digests_b64(req, from, stem, req->body, req->body_len, res->body_sha256,
                     keys != NULL ? keys->body : NULL) ||
        hm_recipient_digest(res->jti, req->channel, stem, d) != HALLMARK_OK ||
        (x->rendering != NULL && !digests_b64(req, from, stem, x->rendering, x->rendering_len, alt,
                                              keys != NULL ? keys->rendering : NULL)) ||
        (req->subject != NULL && !digest_b64(req->subject, req->subject_len, subject))) {
        return 0;
    }
    (void)hm_b64url_encode_public(rcpt, d, sizeof d);
    (void)hm_b64url_encode_public(cred, b->cred, sizeof b->cred);
    memset(&c, 0, sizeof c);
    c.iss = b->id;
    c.iat = now;
    c.exp = now + (req->ttl > 0 ? req->ttl : HM_SIGN_TTL_DEFAULT);
    c.jti = res->jti;
    c.channel = req->channel;
    c.from = from;
    c.rcpt = rcpt;
    c.body = res->body_sha256;
    c.cred = cred;
    c.category = req->category;
    c.sender_kind = req->sender_kind;
    c.sender_name = req->sender_name;
    c.conv = req->conv;
    c.actions = req->actions;
    c.action_count = req->action_count;
    c.alt_body = x->rendering != NULL ? alt : NULL;
    c.subject = req->subject != NULL ? subject : NULL;
    c.reply_to = x->reply_to;
    if (!claims_rules_ok(&c)) {
        return 0;
    }
    hm_token_claims_write(w, &c);
    return 1;
}

static int
ascii_only(const char *s, size_t len)
{
    size_t i = 0;
    uint64_t eight;

    for (; len - i >= 8; i += 8) { /* eight bytes a test */
        memcpy(&eight, s + i, sizeof eight);
        if ((eight & 0x8080808080808080ULL) != 0) {
            return 0;
        }
    }
    for (; i < len; i++) {
        if ((unsigned char)s[i] >= 0x80) {
            return 0;
        }
    }
    return 1;
}

_Static_assert(sizeof((hm_sign_result *)0)->kid == sizeof((hm_pubkey *)0)->kid,
               "sign_checked copies the kid whole");

static hallmark_result sign_checked(const hm_signer *s, const struct signing_key *k,
                                    const hm_sign_request *req, const char *from, const char *to,
                                    const struct extras *x, long long now, hm_sign_result *res);

static hallmark_result
sign_with(const hm_signer *s, const struct signing_key *k, const hm_sign_request *req,
          long long now, hm_sign_result *res)
{
    const hm_brand *b = &s->trust->brands[k->brand];
    char from[HM_ID_MAX], to[HM_ID_MAX], reply_to[HM_ID_MAX];
    struct extras x = {NULL, NULL, 0};
    char *rendering = NULL;
    const char *detail = NULL;
    hallmark_result rc;

    if (now > s->trust->exp) {
        return refuse(res, HALLMARK_ERR_UNAVAILABLE, NULL,
                      "the trust bundle in force has expired: publish a new one and reload");
    }
    if (now < k->nbf || now > k->exp) {
        return refuse(res, HALLMARK_ERR_NO_ACTIVE_KEY, "brand",
                      "the brand's active key is outside its validity window");
    }
    if ((rc = check_request(s->trust, b, req, now, from, to, reply_to, res)) != HALLMARK_OK) {
        return rc;
    }
    x.reply_to = req->reply_to != NULL ? reply_to : NULL;
    /* [HM-TOKEN-50]: only when it differs, and under the body's rules. A body of ASCII only has
     * no character the table replaces: no allocation, no second pass. */
    if (req->gsm7 && !ascii_only(req->body, req->body_len)) {
        int changed = 0;
        if ((rendering = malloc(req->body_len + 1)) == NULL) {
            return refuse(res, HALLMARK_ERR_NOMEM, NULL, "out of memory");
        }
        x.rendering_len = hm_render_gsm7(req->body, req->body_len, rendering, &changed);
        if (changed &&
            (rc = hm_body_rules_check(b, rendering, x.rendering_len, &detail)) != HALLMARK_OK) {
            free(rendering);
            return refuse(res, rc, "body", detail);
        }
        x.rendering = changed ? rendering : NULL;
    }
    rc = sign_checked(s, k, req, from, to, &x, now, res);
    free(rendering);
    return rc;
}

/* Builds, checks with the verifier's rules, and signs the claims of a checked request. */
static hallmark_result
sign_checked(const hm_signer *s, const struct signing_key *k, const hm_sign_request *req,
             const char *from, const char *to, const struct extras *x, long long now,
             hm_sign_result *res)
{
    const hm_brand *b = &s->trust->brands[k->brand];
    char stack[HM_CLAIMS_STACK];
    hm_json_writer w;
    const char *payload;
    size_t payload_len = 0;
    hallmark_result rc;
    unsigned char stem[HM_SHA256_BYTES];
    struct lookup_keys keys;

    /* [HM-TOKEN-55]: the recipient stem, for rcpt and the lookup keys (Argon2id, 1 MiB; memoized
     * for the process when hm_stem_shared_reserve was called, else for the thread). */
    if (hm_stem_shared(req->channel, from, to, stem) != HALLMARK_OK) {
        return refuse(res, HALLMARK_ERR_NOMEM, NULL, "out of memory");
    }
    hm_json_write_init(&w, stack, sizeof stack);
    /* The verifier's own claim rules: a token that they refuse is never issued. */
    if (!write_claims(&w, b, req, from, stem, x, now, req->directory ? &keys : NULL, res)) {
        hm_json_write_release(&w);
        return refuse(res, HALLMARK_ERR_BAD_REQUEST, NULL, "the claims break a rule of spec 2.3");
    }
    if ((payload = hm_json_write_text(&w, &payload_len)) == NULL) {
        hm_json_write_release(&w);
        return refuse(res, HALLMARK_ERR_NOMEM, NULL, "out of memory");
    }
    /* What hm_jws_sign_json(k->key, "hallmark-msg+jwt", claims) signs, minus rebuilding the
     * header for every message. */
    rc = hm_jws_sign_encoded(k->key, k->header_b64, k->header_b64_len, payload, payload_len,
                             &res->token);
    hm_json_write_release(&w);
    if (rc == HALLMARK_ERR_UNAVAILABLE) {
        /* A key in a PKCS#11 token that is down (hm_pkcs11.h): 503 until it answers again. */
        return refuse(res, HALLMARK_ERR_UNAVAILABLE, "brand",
                      "hsm_unavailable: the HSM (PKCS#11 token) holding the brand's key does not "
                      "answer; signing resumes when it does");
    }
    if (rc != HALLMARK_OK) {
        return refuse(res, HALLMARK_ERR_INTERNAL, NULL, "signing failed");
    }
    /* Both are HM_KID_LEN + 1 bytes, NUL-terminated: a copy, not a format (snprintf was about 300
     * instructions a token). */
    memcpy(res->kid, hm_signkey_public(k->key)->kid, sizeof res->kid);
    res->kid[sizeof res->kid - 1] = '\0';
    res->iat = now;
    res->exp = now + (req->ttl > 0 ? req->ttl : HM_SIGN_TTL_DEFAULT);
    /* Where the app will look for it: the key of its message, as the app computes it, and of the
     * rendering a carrier may deliver instead (HM-CARRY-30). */
    if (req->directory) {
        memcpy(res->lookup_key, keys.body, sizeof res->lookup_key);
        if (x->rendering != NULL) {
            memcpy(res->alt_lookup_key, keys.rendering, sizeof res->alt_lookup_key);
        }
    }
    return HALLMARK_OK;
}

hallmark_result
hm_signer_sign(const hm_signer *s, const hm_sign_request *req, long long now, hm_sign_result *res)
{
    const struct signing_key *k;
    const hm_brand *b;
    char from[HM_ID_MAX], to[HM_ID_MAX], reply_to[HM_ID_MAX];
    hallmark_result rc;

    if (s == NULL || req == NULL || res == NULL || req->brand == NULL || req->channel == NULL ||
        req->from == NULL || req->to == NULL || req->body == NULL || req->category == NULL ||
        req->sender_kind == NULL) {
        return res != NULL ? refuse(res, HALLMARK_ERR_BAD_REQUEST, NULL, "missing field")
                           : HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if ((k = find_brand(s, req->brand)) == NULL) {
        if (brand_in_bundle(s, req->brand, &b)) {
            return refuse(res, b->revoked ? HALLMARK_BRAND_REVOKED : HALLMARK_ERR_NO_ACTIVE_KEY,
                          "brand",
                          b->revoked ? "the brand is revoked"
                                     : "the brand has no active key in the bundle in force");
        }
        return refuse(res, HALLMARK_ERR_UNKNOWN_BRAND, "brand",
                      "no such brand in the trust bundle in force");
    }
    if ((k = pick_key(s, k, req)) == NULL) {
        return refuse(res, HALLMARK_ERR_NO_ACTIVE_KEY, "from",
                      "no active key of the brand covers this channel and sender (each of its "
                      "keys has a scope; spec HM-TRUST-65)");
    }
    if (!k->proven) {
        /* Not probed at load because the brand could not sign then: refuse as check_request
         * would, and never sign with a key no probe has checked. */
        b = &s->trust->brands[k->brand];
        if (b->revoked) {
            return refuse(res, HALLMARK_BRAND_REVOKED, "brand", "the brand is revoked");
        }
        if (now < b->nbf - HM_SKEW || now >= b->exp) {
            return refuse(res, HALLMARK_BRAND_EXPIRED, "brand",
                          "the brand credential is not valid now");
        }
        /* Or it had no sender to probe with (none, or each one contested): say which rule. */
        if ((rc = check_request(s->trust, b, req, now, from, to, reply_to, res)) != HALLMARK_OK) {
            return rc;
        }
        return refuse(res, HALLMARK_ERR_UNAVAILABLE, "brand",
                      "the brand's credential was not valid when the keys were loaded, so its "
                      "key was not probed: reload the service (SIGHUP)");
    }
    if (s->trust->consent_url != NULL && strcmp(req->category, "marketing") == 0) {
        /* [HM-TOKEN-67]: marketing carries the way out, to the platform's consent endpoint. */
        hm_sign_request with = *req;
        size_t i;
        for (i = 0; i < req->action_count && strcmp(req->actions[i].kind, "unsubscribe") != 0;
             i++) {
        }
        if (i == req->action_count) {
            if (req->action_count == HALLMARK_MAX_ACTIONS) {
                return refuse(res, HALLMARK_ERR_BAD_REQUEST, "actions",
                              "marketing carries an unsubscribe action to the platform's consent "
                              "endpoint: leave room for it, or give one");
            }
            with.actions[with.action_count++] =
                (hm_sign_action){"unsubscribe", "Unsubscribe", s->trust->consent_url};
            return sign_with(s, k, &with, now, res);
        }
    }
    return sign_with(s, k, req, now, res);
}

void
hm_sign_result_clear(hm_sign_result *res)
{
    if (res != NULL) {
        free(res->token);
        memset(res, 0, sizeof *res);
    }
}

/* ---- loading --------------------------------------------------------------------------------- */

/* A sender and recipient the brand's credential allows, and no other brand claims, for the
 * probe. */
static int
probe_route(const hm_trust *t, const hm_brand *b, const hm_brand_key *tk, const char **channel,
            char *from, char *to)
{
    static const char *const recipients[] = {"+447700900123", "probe@hallmark.invalid",
                                             "hallmark-probe"};
    size_t i, j;

    for (i = 0; i < b->sender_count; i++) {
        const hm_sender_entry *e = &b->senders[i];
        if (e->is_prefix) {
            size_t n = strlen(e->value);
            if (!hm_channel_takes_prefix(e->channel) || n + 9 > HM_ID_MAX) {
                continue;
            }
            memcpy(from, e->value, n);
            memset(from + n, '0', n < 11 ? 11 - n : 0);
            from[n < 11 ? 11 : n] = '\0';
        } else {
            (void)snprintf(from, HM_ID_MAX, "%s", e->value);
        }
        for (j = 0; j < sizeof recipients / sizeof recipients[0]; j++) {
            char in_country[24];
            const char *r = recipients[j];

            if (e->country != NULL) { /* a recipient in the entry's country ([HM-CRED-63]) */
                (void)snprintf(in_country, sizeof in_country, "%s7700900123", e->country);
                r = in_country;
            }
            if (hm_canonical_recipient(e->channel, r, to) &&
                !hm_trust_sender_contested(t, e->channel, from, to) &&
                hm_key_scope_covers(tk, b, e->channel, from, to)) {
                *channel = e->channel;
                return 1;
            }
        }
    }
    return 0;
}

/* The root set apps first pinned, as base64url strings borrowed from the state, and its
 * threshold: the quorum's first set, or the first root of a keystore without one. */
struct pins {
    const char *keys[HM_ROOT_SET_MAX];
    size_t count, threshold;
};

static int
pins_of(const json_t *state, struct pins *p)
{
    const json_t *quorum = json_object_get(state, "quorum");
    const json_t *set = json_is_object(quorum)
                            ? json_array_get(json_object_get(quorum, "sets"), 0)
                            : json_pack("[O]", json_array_get(json_object_get(state, "roots"), 0));
    const json_t *rec;
    size_t i;

    p->count = 0;
    p->threshold = json_is_object(quorum) ? (size_t)hm_ks_int(quorum, "threshold") : 1;
    json_array_foreach(set, i, rec)
    {
        if (p->count < HM_ROOT_SET_MAX && hm_ks_str(rec, "x") != NULL) {
            p->keys[p->count++] = hm_ks_str(rec, "x");
        }
    }
    if (!json_is_object(quorum)) {
        json_decref((json_t *)set); /* the strings stay owned by the state */
    }
    return p->count > 0;
}

/* The probe signs a category the brand's credential lists ([HM-TOKEN-53]): service when it may. */
static const char *
probe_category(const hm_brand *b)
{
    static const char *const names[] = {"service", "transactional", "alert", "otp", "marketing"};
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        if ((b->categories & (1u << hm_category_from(names[i]))) != 0) {
            return names[i];
        }
    }
    return "service";
}

static hallmark_result
probe(const hm_signer *s, const struct signing_key *k, const struct pins *pins, long long now,
      char *err, size_t err_cap)
{
    const hm_brand *b = &s->trust->brands[k->brand];
    hm_sign_request req;
    hm_sign_result res;
    hallmark_verifier *v = NULL;
    hallmark_verification out;
    hallmark_message m;
    char from[HM_ID_MAX], to[HM_ID_MAX];
    unsigned char state[HALLMARK_TRUST_STATE_MAX];
    size_t state_len = 0;
    hallmark_result rc;

    memset(&req, 0, sizeof req);
    memset(&res, 0, sizeof res);
    if (!probe_route(s->trust, b, k->tk, &req.channel, from, to)) {
        hm_errorf(err, err_cap,
                  "brand %s: its credential authorizes no sender to probe with (that no "
                  "other brand claims)",
                  b->id);
        return HALLMARK_ERR_BAD_REQUEST;
    }
    req.brand = b->id;
    req.from = from;
    req.to = to;
    req.body = "hallmark-signer start-up probe";
    req.body_len = strlen(req.body);
    req.category = probe_category(b);
    req.sender_kind = "automated";
    rc = sign_with(s, k, &req, now, &res);
    if (rc == HALLMARK_OK &&
        (rc = hallmark_verifier_create(&v, s->trust->platform, pins->keys, pins->count,
                                       pins->threshold)) == HALLMARK_OK &&
        (rc = hallmark_verifier_load(v, (const unsigned char *)s->bundle, s->bundle_len, NULL, 0,
                                     now, state, sizeof state, &state_len, NULL)) == HALLMARK_OK) {
        memset(&m, 0, sizeof m);
        m.channel = req.channel;
        m.from = from;
        m.to = to;
        m.body = (const unsigned char *)req.body;
        m.body_len = req.body_len;
        m.token = res.token;
        m.token_len = strlen(res.token);
        rc = hallmark_verify(v, &m, now, &out);
        rc = rc == HALLMARK_VERIFIED || rc == HALLMARK_VERIFIED_DOMAIN ? HALLMARK_OK : rc;
    }
    if (rc != HALLMARK_OK) {
        hm_errorf(err, err_cap,
                  "brand %s: the start-up probe signed with key %s does not verify: %s (%s)", b->id,
                  hm_signkey_public(k->key)->kid, hallmark_result_name(rc),
                  res.detail != NULL ? res.detail : hallmark_strerror(rc));
    }
    hallmark_verifier_free(v);
    hm_sign_result_clear(&res);
    return rc;
}

static char *
make_jwks(const hm_trust *t)
{
    json_t *keys = json_array(), *doc;
    char *text = NULL;
    size_t i;

    for (i = 0; i < t->key_count; i++) {
        char canon[HM_JWK_MAX];
        json_t *jwk;

        if (t->keys[i].state == HM_KEY_REVOKED || t->keys[i].pub.alg == HM_ALG_UNKNOWN ||
            hm_pubkey_canonical_jwk(&t->keys[i].pub, canon, sizeof canon, NULL) != HALLMARK_OK ||
            (jwk = json_loads(canon, 0, NULL)) == NULL) {
            continue;
        }
        json_object_set_new(jwk, "kid", json_string(t->keys[i].pub.kid));
        json_object_set_new(jwk, "alg", json_string(hm_alg_name(t->keys[i].alg)));
        json_object_set_new(jwk, "use", json_string("sig"));
        json_array_append_new(keys, jwk);
    }
    doc = json_pack("{s:o}", "keys", keys);
    if (doc != NULL) {
        text = json_dumps(doc, JSON_COMPACT);
    }
    json_decref(doc);
    return text;
}

/* The keys the bundle in force names active for this brand, if the keystore still has them (not
 * revoked or destroyed there): those, and no other, sign (HM-TRUST-14); several of different
 * scopes may be active ([HM-TRUST-65]). A key promoted in the keystore but not yet published is
 * not used until the bundle that makes it active is. The brand's slots are consecutive. */
static hallmark_result
add_brand_keys(hm_signer *s, hm_keystore *ks, const json_t *brand, const char *pass,
               size_t pass_len, char *err, size_t err_cap)
{
    const char *id = hm_ks_str(brand, "id");
    size_t i, j, first = s->key_count;
    hallmark_result rc = HALLMARK_OK;

    if (json_object_get(brand, "revoked_at") != NULL) {
        return HALLMARK_OK;
    }
    for (i = 0; rc == HALLMARK_OK && i < s->trust->key_count; i++) {
        const hm_brand_key *bk = &s->trust->keys[i];
        const json_t *k, *rec = NULL;
        struct signing_key *slot;

        if (bk->state != HM_KEY_ACTIVE || strcmp(s->trust->brands[bk->brand].id, id) != 0) {
            continue;
        }
        json_array_foreach(json_object_get(brand, "keys"), j, k)
        {
            if (strcmp(hm_ks_str(k, "kid"), bk->pub.kid) == 0) {
                rec = k;
            }
        }
        if (rec == NULL || json_object_get(rec, "revoked_at") != NULL ||
            strcmp(hm_ks_str(rec, "state"), "destroyed") == 0) {
            continue;
        }
        slot = &s->keys[s->key_count];
        slot->brand = bk->brand;
        slot->tk = bk;
        slot->nbf = bk->nbf;
        slot->exp = bk->exp;
        slot->created = hm_ks_int(rec, "created");
        rc = hm_keystore_load_key(ks, bk->pub.kid, pass, pass_len, &slot->key, err, err_cap);
        if (rc == HALLMARK_OK) {
            char *header = NULL;
            if ((rc = hm_jws_header_json(slot->key, "hallmark-msg+jwt", &header)) == HALLMARK_OK) {
                rc = hm_jws_header_b64(header, strlen(header), &slot->header_b64);
            }
            free(header);
            if (rc != HALLMARK_OK) {
                hm_signkey_free(slot->key);
                slot->key = NULL;
                hm_errorf(err, err_cap, "out of memory");
            }
        }
        if (rc == HALLMARK_OK) {
            slot->header_b64_len = strlen(slot->header_b64);
            s->key_count++;
        }
    }
    for (i = first; i < s->key_count; i++) {
        s->keys[i].choose = s->key_count - first > 1 || s->keys[i].tk->scoped;
    }
    return rc;
}

hallmark_result
hm_signer_load(const char *dir, const char *pass, size_t pass_len, long long now, hm_signer **out,
               char *err, size_t err_cap)
{
    hm_keystore ks;
    hm_signer *s = NULL;
    struct pins pins;
    hm_anchor anchor;
    unsigned char *bundle = NULL;
    char path[HM_KEYSTORE_PATH_MAX];
    hallmark_error e;
    const json_t *b;
    size_t i, len = 0;
    hallmark_result rc;

    *out = NULL;
    memset(&e, 0, sizeof e);
    if ((rc = hm_keystore_peek(&ks, dir, err, err_cap)) != HALLMARK_OK) {
        hm_keystore_close(&ks);
        return rc;
    }
    if (!pins_of(ks.state, &pins)) {
        hm_errorf(err, err_cap, "%s: the keystore's root key is unreadable", dir);
        rc = HALLMARK_ERR_CORRUPT;
        goto out;
    }
    if (hm_keystore_path(&ks, path, sizeof path, "published/bundle.jws") != 0 ||
        hm_read_file(path, HM_BUNDLE_MAX, &bundle, &len) != HALLMARK_OK) {
        hm_errorf(err, err_cap, "%s: no published bundle (run hallmark-keys publish)", path);
        rc = HALLMARK_ERR_IO;
        goto out;
    }
    while (len > 0 && (bundle[len - 1] == '\n' || bundle[len - 1] == '\r' ||
                       bundle[len - 1] == ' ' || bundle[len - 1] == '\t')) {
        bundle[--len] = '\0'; /* [HM-BUNDLE-106]: a file's trailing white space */
    }
    if ((s = calloc(1, sizeof *s)) == NULL) {
        rc = HALLMARK_ERR_NOMEM;
        goto out;
    }
    s->refs = 1;
    s->bundle = (char *)bundle;
    s->bundle_len = len;
    bundle = NULL;
    rc = hm_anchor_init(&anchor, NULL, pins.keys, pins.count, pins.threshold);
    if (rc == HALLMARK_OK) {
        rc = hm_trust_load(&anchor, (const unsigned char *)s->bundle, s->bundle_len, NULL, 0, now,
                           &s->trust, &e);
    }
    hm_anchor_clear(&anchor);
    if (rc != HALLMARK_OK) {
        hm_errorf(err, err_cap, "%s: the published bundle does not load: %s%s%s", path,
                  hallmark_result_name(rc), e.message != NULL ? ": " : "",
                  e.message != NULL ? e.message : "");
        goto out;
    }
    s->keys = calloc(s->trust->key_count + 1, sizeof *s->keys);
    if (s->keys == NULL || (s->jwks = make_jwks(s->trust)) == NULL) {
        rc = HALLMARK_ERR_NOMEM;
        goto out;
    }
    json_array_foreach(hm_ks_brands(&ks), i, b)
    {
        if ((rc = add_brand_keys(s, &ks, b, pass, pass_len, err, err_cap)) != HALLMARK_OK) {
            goto out;
        }
    }
    for (i = 0; i < s->key_count; i++) {
        const hm_brand *pb = &s->trust->brands[s->keys[i].brand];
        const char *channel;
        char from[HM_ID_MAX], to[HM_ID_MAX];
        /* A brand that cannot sign now (revoked, credential expired or not yet valid, or no
         * sender it may use: none, or each one contested) must not stop every other brand from
         * signing: its key stays unproven and unused. */
        if (pb->revoked || now < pb->nbf - HM_SKEW || now >= pb->exp ||
            !probe_route(s->trust, pb, s->keys[i].tk, &channel, from, to)) {
            continue;
        }
        if ((rc = probe(s, &s->keys[i], &pins, now, err, err_cap)) != HALLMARK_OK) {
            goto out;
        }
        s->keys[i].proven = 1;
    }
    /* What an app of this platform runs, pinned as apps are: it checks one-tap requests. */
    {
        unsigned char state[HALLMARK_TRUST_STATE_MAX];
        size_t state_len = 0;
        if ((rc = hallmark_verifier_create(&s->verifier, s->trust->platform, pins.keys, pins.count,
                                           pins.threshold)) != HALLMARK_OK ||
            (rc = hallmark_verifier_load(s->verifier, (const unsigned char *)s->bundle,
                                         s->bundle_len, NULL, 0, now, state, sizeof state,
                                         &state_len, NULL)) != HALLMARK_OK) {
            hm_errorf(err, err_cap, "the platform's verifier does not load the bundle: %s",
                      hallmark_result_name(rc));
            goto out;
        }
    }
    *out = s;
    s = NULL;
out:
    if (rc == HALLMARK_ERR_NOMEM) {
        hm_errorf(err, err_cap, "out of memory");
    }
    if (s != NULL) {
        signer_free(s);
    }
    free(bundle);

    hm_keystore_close(&ks);
    return rc;
}

hallmark_result
hm_signer_verify(const hm_signer *s, const hallmark_message *m, long long now,
                 hallmark_verification *out)
{
    return hallmark_verify(s->verifier, m, now, out);
}

const char *
hm_signer_consent_url(const hm_signer *s)
{
    return s->trust->consent_url;
}

const char *
hm_signer_bundle(const hm_signer *s, size_t *len)
{
    if (len != NULL) {
        *len = s->bundle_len;
    }
    return s->bundle;
}

uint64_t
hm_signer_serial(const hm_signer *s)
{
    return s->trust->serial;
}

long long
hm_signer_bundle_exp(const hm_signer *s)
{
    return s->trust->exp;
}

const char *
hm_signer_jwks(const hm_signer *s)
{
    return s->jwks;
}

int
hm_signer_has_logo(const hm_signer *s, const unsigned char sha256[HM_SHA256_BYTES])
{
    size_t i;

    for (i = 0; s != NULL && sha256 != NULL && i < s->trust->brand_count; i++) {
        if (!s->trust->brands[i].revoked &&
            memcmp(s->trust->brands[i].logo_sha256, sha256, HM_SHA256_BYTES) == 0) {
            return 1;
        }
    }
    return 0;
}

int
hm_signer_has_brand(const hm_signer *s, const char *id)
{
    return s != NULL && id != NULL && find_brand(s, id) != NULL;
}

int
hm_signer_policy(const hm_signer *s, const char *brand, const char *category, unsigned *cap_max,
                 long long *cap_period, int *opt_in_required)
{
    const hm_brand *b = NULL;
    hallmark_category c = hm_category_from(category);
    size_t i;

    *cap_max = 0;
    *cap_period = 0;
    *opt_in_required = 0;
    if (s == NULL || brand == NULL || !brand_in_bundle(s, brand, &b)) {
        return 0;
    }
    for (i = 0; i < b->cap_count; i++) {
        if (b->caps[i].category == c) {
            *cap_max = b->caps[i].max;
            *cap_period = b->caps[i].period;
        }
    }
    *opt_in_required = c == HALLMARK_CATEGORY_MARKETING && b->marketing_opt_in;
    return 1;
}

const char *
hm_signer_sender_brand(const hm_signer *s, const char *channel, const char *sender,
                       const char *recipient, long long now)
{
    char from[HM_ID_MAX], to[HM_ID_MAX];
    const char *found = NULL;
    size_t i;
    int to_ok;

    if (s == NULL || channel == NULL || sender == NULL || recipient == NULL ||
        !hm_channel_ok(channel) || !hm_canonical_sender(channel, sender, from)) {
        return NULL;
    }
    to_ok = hm_canonical_recipient(channel, recipient, to);
    if (hm_trust_sender_contested(s->trust, channel, from, to_ok ? to : NULL)) {
        return NULL;
    }
    for (i = 0; i < s->trust->brand_count; i++) {
        const hm_brand *b = &s->trust->brands[i];
        if (!b->revoked && now >= b->nbf - HM_SKEW && now < b->exp &&
            hm_brand_sender_authorized(b, channel, from, to_ok ? to : NULL)) {
            if (found != NULL) {
                return NULL;
            }
            found = b->id;
        }
    }
    return found;
}

size_t
hm_signer_brand_count(const hm_signer *s)
{
    size_t i, n = 0;

    for (i = 0; i < s->key_count; i++) { /* a brand's keys are consecutive */
        n += i == 0 || s->keys[i].brand != s->keys[i - 1].brand;
    }
    return n;
}

hallmark_result
hm_signer_thread_memo(size_t entries)
{
    return hm_stem_memo_reserve(entries);
}

void
hm_signer_thread_memo_release(void)
{
    hm_stem_memo_release();
    hm_jti_pool_wipe();
}

size_t
hm_signer_key_count(const hm_signer *s)
{
    return s->key_count;
}

const char *
hm_signer_brand_id(const hm_signer *s, size_t i)
{
    return i < s->key_count ? s->trust->brands[s->keys[i].brand].id : NULL;
}

const char *
hm_signer_brand_kid(const hm_signer *s, size_t i)
{
    return i < s->key_count ? hm_signkey_public(s->keys[i].key)->kid : NULL;
}

long long
hm_signer_key_created(const hm_signer *s, size_t i)
{
    return i < s->key_count ? s->keys[i].created : 0;
}

const char *
hm_sign_code(hallmark_result rc, char *buf, size_t cap)
{
    const char *name = hallmark_result_name(rc);
    size_t i, n;

    if (strncmp(name, "HALLMARK_ERR_", 13) == 0) {
        name += 13;
    } else if (strncmp(name, "HALLMARK_", 9) == 0) {
        name += 9;
    }
    n = strlen(name);
    if (n >= cap) {
        n = cap - 1;
    }
    for (i = 0; i < n; i++) {
        buf[i] = (char)tolower((unsigned char)name[i]);
    }
    buf[n] = '\0';
    return buf;
}

int
hm_sign_http_status(hallmark_result rc)
{
    switch (rc) {
    case HALLMARK_OK:
        return 200;
    case HALLMARK_ERR_UNAUTHORIZED:
        return 401;
    case HALLMARK_ERR_FORBIDDEN:
    case HALLMARK_SENDER_NOT_AUTHORIZED:
    case HALLMARK_ACTION_NOT_AUTHORIZED:
    case HALLMARK_CATEGORY_NOT_AUTHORIZED:
        return 403;
    case HALLMARK_ERR_UNKNOWN_BRAND:
        return 404;
    case HALLMARK_ERR_TOO_LARGE:
        return 413;
    case HALLMARK_BRAND_REVOKED:
    case HALLMARK_BRAND_EXPIRED:
    case HALLMARK_ERR_NO_ACTIVE_KEY:
    case HALLMARK_SENDER_CONTESTED:
    case HALLMARK_ERR_RECIPIENT_OPTED_OUT:
    case HALLMARK_ERR_OPT_IN_REQUIRED:
        return 409;
    case HALLMARK_ERR_BAD_REQUEST:
    case HALLMARK_MALFORMED:
        return 400;
    case HALLMARK_ERR_RATE_LIMITED:
    case HALLMARK_ERR_VOLUME_CAP:
        return 429;
    case HALLMARK_ERR_UNAVAILABLE:
        return 503;
    default:
        return 500;
    }
}
