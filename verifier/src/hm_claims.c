#include "hm_claims.h"

#include <string.h>

#include "hm_b64url.h"
#include "hm_ids.h"
#include "hm_jdoc.h"
#include "hm_text.h"

hallmark_category
hm_category_from(const char *s)
{
    static const char *const names[] = {"transactional", "otp", "alert", "marketing", "service"};

    return (hallmark_category)(hm_name_index(s, names, sizeof names / sizeof names[0]) + 1);
}

long long
hm_delivery_age_max(hallmark_category category)
{
    switch (category) {
    case HALLMARK_CATEGORY_OTP:
        return 600;
    case HALLMARK_CATEGORY_ALERT:
        return 86400;
    case HALLMARK_CATEGORY_UNKNOWN: /* refused by hm_claims_read; the shortest, to be safe */
        return 0;
    case HALLMARK_CATEGORY_TRANSACTIONAL:
    case HALLMARK_CATEGORY_MARKETING:
    case HALLMARK_CATEGORY_SERVICE:
        break;
    }
    return 3LL * 86400;
}

static int
jti_ok(const char *s)
{
    size_t n, i;

    if (s == NULL || (n = strlen(s)) == 0 || n > 64) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_')) {
            return 0;
        }
    }
    return 1;
}

static int
is_type(const hm_jv *v, hm_jv_type type)
{
    return v != NULL && v->type == type;
}

static int
digest_claim(const hm_jv *p, const char *name, unsigned char out[HM_SHA256_BYTES])
{
    size_t len = 0;
    const char *s = hm_jv_string(p, name, &len);

    return s != NULL && hm_b64url_decode_exact_public(out, HM_SHA256_BYTES, s, len) == HALLMARK_OK;
}

static int
sender_claim(const hm_jv *sender, hm_claims *c)
{
    const char *kind = hm_jv_string(sender, "kind", NULL);
    const hm_jv *name = hm_jv_get(sender, "name");

    if (!is_type(sender, HM_JV_OBJECT) || kind == NULL) {
        return 0;
    }
    if (strcmp(kind, "automated") == 0) {
        c->sender_kind = HALLMARK_SENDER_AUTOMATED;
    } else if (strcmp(kind, "human") == 0) {
        c->sender_kind = HALLMARK_SENDER_HUMAN;
    } else if (strcmp(kind, "ai") == 0) {
        c->sender_kind = HALLMARK_SENDER_AI;
    } else {
        return 0;
    }
    if (name == NULL) {
        return 1;
    }
    if (c->sender_kind != HALLMARK_SENDER_HUMAN || !is_type(name, HM_JV_STRING) || name->len > 64 ||
        !hm_display_name_ok(name->u.str, name->len)) {
        return 0;
    }
    c->agent_name = name->u.str;
    return 1;
}

hallmark_action_kind
hm_action_kind_from(const char *s)
{
    static const char *const names[] = {"link", "reply", "call", "unsubscribe", "preferences"};

    return (hallmark_action_kind)(hm_name_index(s, names, sizeof names / sizeof names[0]) + 1);
}

static int
actions_claim(const hm_jv *actions)
{
    const hm_jv *a;

    if (actions == NULL) {
        return 1;
    }
    if (!is_type(actions, HM_JV_ARRAY) || actions->len > HALLMARK_MAX_ACTIONS) {
        return 0;
    }
    for (a = actions->u.first; a != NULL; a = a->next) {
        size_t label_len = 0;
        const char *label = hm_jv_string(a, "label", &label_len),
                   *url = hm_jv_string(a, "url", NULL);
        if (!is_type(a, HM_JV_OBJECT) || hm_action_kind_from(hm_jv_string(a, "kind", NULL)) == 0 ||
            !hm_action_label_ok(label, label_len) || url == NULL || strlen(url) == 0 ||
            strlen(url) > 2048) {
            return 0;
        }
    }
    return 1;
}

/* The optional claims of the displayed fields and renderings: each costs one lookup when absent. */
static int
optional_claims(const hm_jv *p, hm_claims *c)
{
    const hm_jv *alt = hm_jv_get(p, "alt_body"), *reply_to = hm_jv_get(p, "reply_to"), *d;
    char canonical[HM_ID_MAX];
    size_t i = 0;

    if (alt != NULL) {
        if (!is_type(alt, HM_JV_ARRAY) || alt->len == 0 || alt->len > HM_ALT_BODY_MAX) {
            return 0;
        }
        for (d = alt->u.first; d != NULL; d = d->next, i++) {
            if (!is_type(d, HM_JV_STRING) ||
                hm_b64url_decode_exact_public(c->alt_body[i], HM_SHA256_BYTES, d->u.str, d->len) !=
                    HALLMARK_OK) {
                return 0;
            }
        }
        c->alt_count = alt->len;
    }
    if (hm_jv_get(p, "subject") != NULL) {
        if (!digest_claim(p, "subject", c->subject)) {
            return 0;
        }
        c->has_subject = 1;
    }
    if (reply_to != NULL) {
        c->reply_to = hm_jv_str(reply_to);
        /* [HM-TOKEN-48]: e-mail only, and already in canonical form. */
        if (c->reply_to == NULL || strcmp(c->channel, "email") != 0 || reply_to->len >= HM_ID_MAX ||
            !hm_canonical_recipient("email", c->reply_to, canonical) ||
            strcmp(canonical, c->reply_to) != 0) {
            return 0;
        }
    }
    return 1;
}

int
hm_claims_read(const hm_jv *p, hm_claims *c)
{
    const hm_jv *conv = hm_jv_get(p, "conv");

    memset(c, 0, sizeof *c);
    c->iss = hm_jv_string(p, "iss", NULL);
    c->jti = hm_jv_string(p, "jti", NULL);
    c->channel = hm_jv_string(p, "channel", NULL);
    c->from = hm_jv_string(p, "from", NULL);
    c->category = hm_category_from(hm_jv_string(p, "category", NULL));
    c->actions = hm_jv_get(p, "actions");
    if (!hm_brand_id_ok(c->iss) || !jti_ok(c->jti) || !hm_channel_ok(c->channel) ||
        c->from == NULL || !hm_sender_id_ok(c->channel, c->from) ||
        !hm_jv_uint(p, "iat", &c->iat) || !hm_jv_uint(p, "exp", &c->exp) || c->exp <= c->iat ||
        c->exp - c->iat > HM_TOKEN_LIFETIME_MAX || !digest_claim(p, "rcpt", c->rcpt) ||
        !digest_claim(p, "body", c->body) || !digest_claim(p, "cred", c->cred) ||
        c->category == HALLMARK_CATEGORY_UNKNOWN || !sender_claim(hm_jv_get(p, "sender"), c) ||
        !actions_claim(c->actions) || !optional_claims(p, c)) {
        return 0;
    }
    if (conv != NULL) {
        size_t i, n;
        c->conv = hm_jv_str(conv);
        if (c->conv == NULL || (n = strlen(c->conv)) == 0 || n > 128) {
            return 0;
        }
        for (i = 0; i < n; i++) {
            if (c->conv[i] < 0x21 || c->conv[i] > 0x7E) {
                return 0;
            }
        }
    }
    return 1;
}

/* [HM-CRED-15], [HM-CRED-16], [HM-CRED-63]: 1 if entry e authorizes from on channel for to. */
static int
entry_authorizes(const hm_sender_entry *e, const char *channel, const char *from, const char *to)
{
    if (strcmp(e->channel, channel) != 0) {
        return 0;
    }
    if (e->is_prefix) {
        return hm_channel_takes_prefix(channel) && hm_e164_ok(from) &&
               strncmp(from, e->value, strlen(e->value)) == 0;
    }
    return strcmp(e->value, from) == 0 && hm_recipient_in_country(e->country, to);
}

int
hm_brand_sender_authorized(const hm_brand *b, const char *channel, const char *from, const char *to)
{
    size_t i;

    for (i = 0; i < b->sender_count; i++) {
        if (entry_authorizes(&b->senders[i], channel, from, to)) {
            return 1;
        }
    }
    return 0;
}

int
hm_key_scope_covers(const hm_brand_key *k, const hm_brand *b, const char *channel, const char *from,
                    const char *to)
{
    size_t i;
    int channel_ok = k->scope_channel_count == 0, sender_ok = k->scope_sender_count == 0;

    if (!k->scoped) {
        return 1;
    }
    for (i = 0; i < k->scope_channel_count && !channel_ok; i++) {
        channel_ok = strcmp(k->scope_channels[i], channel) == 0;
    }
    for (i = 0; i < k->scope_sender_count && !sender_ok; i++) {
        sender_ok = k->scope_senders[i] < b->sender_count &&
                    entry_authorizes(&b->senders[k->scope_senders[i]], channel, from, to);
    }
    return channel_ok && sender_ok;
}

int
hm_brand_sender_always_signed(const hm_brand *b, const char *channel, const char *from,
                              const char *to)
{
    size_t i;

    for (i = 0; i < b->sender_count; i++) {
        if (b->senders[i].always_signed && entry_authorizes(&b->senders[i], channel, from, to)) {
            return 1;
        }
    }
    return 0;
}

int
hm_consent_action(const char *consent_url, const char *kind, const char *url)
{
    return consent_url != NULL && kind != NULL && url != NULL &&
           (strcmp(kind, "unsubscribe") == 0 || strcmp(kind, "preferences") == 0) &&
           strcmp(url, consent_url) == 0;
}

hallmark_result
hm_brand_action_check(const hm_brand *b, const char *kind, const char *url, const char **detail)
{
    char host[HM_ID_MAX];
    size_t j;

    if (url != NULL && strncmp(url, "tel:", 4) == 0 && kind != NULL && strcmp(kind, "call") == 0) {
        /* The whole rest is one listed number: no separators, no ;ext= or other parameters. */
        for (j = 0; j < b->phone_count; j++) {
            if (strcmp(url + 4, b->phones[j]) == 0) {
                return HALLMARK_OK;
            }
        }
        *detail = "call action number not among the brand's phones";
        return HALLMARK_ACTION_NOT_AUTHORIZED;
    }
    if (!hm_action_url_host(url, host)) {
        *detail = "action URL is not a plain https URL";
        return HALLMARK_ACTION_NOT_AUTHORIZED;
    }
    for (j = 0; j < b->domain_count; j++) {
        if (hm_link_entry_matches(host, b->domains[j])) {
            return HALLMARK_OK;
        }
    }
    *detail = "action host outside the brand's link domains";
    return HALLMARK_ACTION_NOT_AUTHORIZED;
}

int
hm_brand_reply_to_authorized(const hm_brand *b, const char *reply_to)
{
    const char *at = strrchr(reply_to, '@');

    /* e-mail entries carry no country ([HM-CRED-62]): the recipient does not matter */
    return at != NULL && hm_brand_sender_authorized(b, "email", at + 1, NULL);
}
