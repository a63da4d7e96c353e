/* hallmark-signer serve: the ways a customer's choice reaches the consent ledger (spec §9.7).
 *   POST /v1/inbound         a carrier forwards a reply (channel, the customer's id, the sender
 *                            id it was sent to, the text); a keyword of HM-CARRY-51 is recorded
 *                            for the brand that holds the sender; anything else changes nothing.
 *   POST /v1/consent/set     the operator API, for a brand's own preference centre.
 *   POST /v1/consent/export  every change of one recipient of a brand, oldest first, for audit.
 *   POST /v1/consent         one tap in the app (HM-TOKEN-68): the message it verified, with its
 *                            token and the user's own id; checked with the platform's own
 *                            verifier, so only who received that brand's message and knows the
 *                            number can change that consent, once per token. Public, rate-limited
 *                            per address as the token directory.
 * The others need an authenticated client allowed for the brand. Ids travel in the body, never in a
 * URL, so no access log holds them; the ledger holds only their HMAC (hm_consent.h). A change is
 * acknowledged (200) only once the store committed it; otherwise 503 and nothing is promised. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signer_serve.h"

#define EXPORT_MAX 1000

/* The body's string member, or NULL (the caller answers 400). */
static const char *
text_of(const json_t *body, const char *name)
{
    return json_string_value(json_object_get(body, name));
}

/* Records a change; answers 503 and returns -1 when the store did not commit it. */
static int
record(struct evhttp_request *req, const hm_consent_change *ch)
{
    char err[512] = "";
    hallmark_result rc = hm_store_consent_put(srv.store, ch, err, sizeof err);

    if (rc == HALLMARK_OK) {
        serve_count("hallmark_consent_changes_total", 1);
        return 0;
    }
    if (rc == HALLMARK_ERR_INVALID_ARGUMENT) {
        serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST, err, NULL);
        return -1;
    }
    (void)fprintf(stderr, "hallmark-signer: %s\n", err);
    serve_reply_error(req, HALLMARK_ERR_UNAVAILABLE,
                      "the consent ledger cannot be written now: nothing was recorded, retry",
                      NULL);
    return -1;
}

void
serve_inbound(struct evhttp_request *req, struct client *c)
{
    static const char *const names[] = {"channel", "from", "to", "text", NULL};
    hallmark_result rc;
    const char *why = NULL, *brand, *channel, *from, *to;
    json_t *body = serve_read_body(req, &rc, &why);
    const json_t *text;
    hm_signer *s = NULL;
    char rcpt[HM_CONSENT_KEY_LEN + 1], word[16], evidence[HM_CONSENT_EVIDENCE_MAX + 1];
    hm_keyword kw;
    long long now = (long long)time(NULL);

    if (body == NULL) {
        serve_reply_error(req, rc, why, NULL);
        return;
    }
    channel = text_of(body, "channel");
    from = text_of(body, "from");
    to = text_of(body, "to");
    text = json_object_get(body, "text");
    if (channel == NULL || from == NULL || to == NULL || !json_is_string(text) ||
        !hm_json_members_known(body, names)) {
        serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST,
                          "an inbound reply is {\"channel\", \"from\" (the customer), \"to\" "
                          "(the sender id it was sent to), \"text\"}",
                          NULL);
        goto out;
    }
    if (hm_consent_recipient(srv.consent, channel, from, rcpt) != HALLMARK_OK) {
        serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST,
                          "not a valid customer id for the channel (E.164 for sms)", "from");
        goto out;
    }
    s = serve_current_set();
    if ((brand = hm_signer_sender_brand(s, channel, to, from, now)) == NULL) {
        serve_reply_error(req, HALLMARK_ERR_UNKNOWN_BRAND,
                          "no one brand holds this sender for this recipient: nothing changed",
                          "to");
        goto out;
    }
    if (!serve_client_allows(c->brands, c->brand_count, brand)) {
        serve_reply_error(req, HALLMARK_ERR_FORBIDDEN, "this client may not act for this brand",
                          "to");
        goto out;
    }
    kw = hm_consent_keyword(json_string_value(text), json_string_length(text), word);
    if (kw == HM_KEYWORD_OUT || kw == HM_KEYWORD_IN) {
        hm_consent_change ch = {
            brand, rcpt, "all", channel, "keyword", evidence, kw == HM_KEYWORD_IN, now, 0};
        (void)snprintf(evidence, sizeof evidence, "%s to %.64s via %.64s", word, to, c->id);
        if (record(req, &ch) != 0) {
            goto out;
        }
    }
    serve_reply_json(req, 200,
                     json_pack("{s:s?,s:s,s:s,s:s}", "keyword", word[0] != '\0' ? word : NULL,
                               "action",
                               kw == HM_KEYWORD_OUT    ? "opted_out"
                               : kw == HM_KEYWORD_IN   ? "opted_in"
                               : kw == HM_KEYWORD_HELP ? "help"
                                                       : "none",
                               "brand", brand, "channel", channel));
out:
    hm_signer_unref(s);
    json_decref(body);
}

/* The brand, channel and recipient of an operator request: 0, or -1 after answering. */
static int
operator_target(struct evhttp_request *req, struct client *c, const json_t *body,
                const char **brand, const char **channel, char rcpt[HM_CONSENT_KEY_LEN + 1])
{
    hm_signer *s;
    int known;

    *brand = text_of(body, "brand");
    *channel = text_of(body, "channel");
    if (*brand == NULL || *channel == NULL || text_of(body, "recipient") == NULL) {
        serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST, "brand, channel and recipient are needed",
                          NULL);
        return -1;
    }
    if (!serve_client_allows(c->brands, c->brand_count, *brand)) {
        serve_reply_error(req, HALLMARK_ERR_FORBIDDEN, "this client may not act for this brand",
                          "brand");
        return -1;
    }
    s = serve_current_set();
    known = hm_signer_has_brand(s, *brand);
    hm_signer_unref(s);
    if (!known) {
        serve_reply_error(req, HALLMARK_ERR_UNKNOWN_BRAND, "no such brand in the bundle in force",
                          "brand");
        return -1;
    }
    if (hm_consent_recipient(srv.consent, *channel, text_of(body, "recipient"), rcpt) !=
        HALLMARK_OK) {
        serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST, "not a valid recipient id for the channel",
                          "recipient");
        return -1;
    }
    return 0;
}

void
serve_consent_set(struct evhttp_request *req, struct client *c)
{
    static const char *const names[] = {"brand",      "channel", "recipient", "scope",
                                        "applies_to", "choice",  "evidence",  NULL};
    hallmark_result rc;
    const char *why = NULL, *brand, *channel, *scope, *applies, *choice, *note;
    json_t *body = serve_read_body(req, &rc, &why);
    char rcpt[HM_CONSENT_KEY_LEN + 1], evidence[HM_CONSENT_EVIDENCE_MAX + 1];
    long long now = (long long)time(NULL);

    if (body == NULL) {
        serve_reply_error(req, rc, why, NULL);
        return;
    }
    if (!hm_json_members_known(body, names)) {
        serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST,
                          "a consent change is {brand, channel, recipient, scope, choice"
                          "[, applies_to][, evidence]}",
                          NULL);
        goto out;
    }
    if (operator_target(req, c, body, &brand, &channel, rcpt) != 0) {
        goto out;
    }
    scope = text_of(body, "scope");
    applies = json_object_get(body, "applies_to") != NULL ? text_of(body, "applies_to") : channel;
    choice = text_of(body, "choice");
    note = json_object_get(body, "evidence") != NULL ? text_of(body, "evidence") : "";
    if (scope == NULL || applies == NULL || choice == NULL || note == NULL ||
        (strcmp(choice, "in") != 0 && strcmp(choice, "out") != 0) || strlen(note) > 128) {
        serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST,
                          "scope (a category or all), choice (in or out), applies_to (a channel "
                          "or all) and evidence (at most 128 bytes) are strings",
                          NULL);
        goto out;
    }
    (void)snprintf(evidence, sizeof evidence, "operator %.64s%s%s", c->id,
                   note[0] != '\0' ? ": " : "", note);
    {
        hm_consent_change ch = {
            brand, rcpt, scope, applies, "operator", evidence, strcmp(choice, "in") == 0, now, 0};
        if (record(req, &ch) != 0) {
            goto out;
        }
    }
    serve_reply_json(req, 200,
                     json_pack("{s:{s:s,s:s,s:s,s:s,s:s,s:I}}", "recorded", "brand", brand, "scope",
                               scope, "channel", applies, "choice", choice, "source", "operator",
                               "at", (json_int_t)now));
out:
    json_decref(body);
}

void
serve_consent_export(struct evhttp_request *req, struct client *c)
{
    static const char *const names[] = {"brand", "channel", "recipient", NULL};
    hallmark_result rc;
    const char *why = NULL, *brand, *channel;
    json_t *body = serve_read_body(req, &rc, &why), *changes;
    char rcpt[HM_CONSENT_KEY_LEN + 1], err[512] = "";
    hm_consent_row *rows = NULL;
    size_t n = 0, i;

    if (body == NULL) {
        serve_reply_error(req, rc, why, NULL);
        return;
    }
    if (!hm_json_members_known(body, names)) {
        serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST, "an export is {brand, channel, recipient}",
                          NULL);
        goto out;
    }
    if (operator_target(req, c, body, &brand, &channel, rcpt) != 0) {
        goto out;
    }
    rc = hm_store_consent_list(srv.store, brand, rcpt, EXPORT_MAX, &rows, &n, err, sizeof err);
    if (rc != HALLMARK_OK) {
        (void)fprintf(stderr, "hallmark-signer: %s\n", err);
        serve_reply_error(req, HALLMARK_ERR_UNAVAILABLE, "the consent ledger cannot be read now",
                          NULL);
        goto out;
    }
    changes = json_array();
    for (i = 0; i < n; i++) {
        json_array_append_new(
            changes, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s}", "seq", (json_int_t)rows[i].seq,
                               "at", (json_int_t)rows[i].at, "scope", rows[i].scope, "channel",
                               rows[i].channel, "choice", rows[i].choice ? "in" : "out", "source",
                               rows[i].source, "evidence", rows[i].evidence));
    }
    free(rows);
    serve_reply_json(
        req, 200,
        json_pack("{s:s,s:s,s:o}", "brand", brand, "recipient_key", rcpt, "changes", changes));
out:
    json_decref(body);
}

/* The category names of hallmark_category, for the scope of a one-tap change. */
static const char *
category_name(hallmark_category c)
{
    static const char *const names[] = {NULL,    "transactional", "otp",
                                        "alert", "marketing",     "service"};

    return (int)c > 0 && (size_t)c < sizeof names / sizeof names[0] ? names[c] : NULL;
}

void
serve_consent_tap(struct evhttp_request *req, struct client *c)
{
    static const char *const names[] = {"channel", "from",   "to",    "body",
                                        "token",   "choice", "scope", NULL};
    hallmark_result rc;
    const char *why = NULL, *choice, *scope, *category;
    json_t *body = NULL;
    const json_t *text;
    hm_signer *s = NULL;
    hallmark_message m;
    hallmark_verification v;
    char rcpt[HM_CONSENT_KEY_LEN + 1], evidence[HM_CONSENT_EVIDENCE_MAX + 1], err[512] = "";
    long long now = (long long)time(NULL);

    (void)c;
    if (!serve_address_rate_ok(req)) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
        serve_reply_error(req, HALLMARK_ERR_RATE_LIMITED,
                          "slow down: the consent endpoint limits requests per address", NULL);
        return;
    }
    if ((body = serve_read_body(req, &rc, &why)) == NULL) {
        serve_reply_error(req, rc, why, NULL);
        return;
    }
    text = json_object_get(body, "body");
    choice = text_of(body, "choice");
    scope = json_object_get(body, "scope") != NULL ? text_of(body, "scope") : "";
    if (!hm_json_members_known(body, names) || text_of(body, "channel") == NULL ||
        text_of(body, "from") == NULL || text_of(body, "to") == NULL || !json_is_string(text) ||
        text_of(body, "token") == NULL || choice == NULL || scope == NULL ||
        (strcmp(choice, "in") != 0 && strcmp(choice, "out") != 0)) {
        serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST,
                          "a one-tap change is {channel, from, to, body, token, choice (in or "
                          "out)[, scope]}: the message as the app verified it",
                          NULL);
        goto out;
    }
    memset(&m, 0, sizeof m);
    m.channel = text_of(body, "channel");
    m.from = text_of(body, "from");
    m.to = text_of(body, "to");
    m.body = (const unsigned char *)json_string_value(text);
    m.body_len = json_string_length(text);
    m.token = text_of(body, "token");
    m.token_len = strlen(m.token);
    s = serve_current_set();
    rc = hm_signer_verify(s, &m, now, &v);
    if (rc != HALLMARK_VERIFIED && rc != HALLMARK_VERIFIED_DOMAIN) {
        char message[160];
        (void)snprintf(message, sizeof message,
                       "the message does not verify on this platform (%s): nothing changed",
                       hallmark_result_name(rc));
        serve_reply_json(req, 403,
                         json_pack("{s:{s:s,s:s,s:s}}", "error", "code", "forbidden", "message",
                                   message, "verdict", hallmark_result_name(rc)));
        goto out;
    }
    category = category_name(v.category); /* a verified token has one of the five */
    if (scope[0] == '\0') {
        scope = category;
    }
    if (scope == NULL || category == NULL ||
        (strcmp(scope, "all") != 0 && strcmp(scope, category) != 0)) {
        serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST, "scope is all or the token's category",
                          "scope");
        goto out;
    }
    if (hm_consent_recipient(srv.consent, m.channel, m.to, rcpt) != HALLMARK_OK) {
        serve_reply_error(req, HALLMARK_ERR_BAD_REQUEST, "not a valid recipient id", "to");
        goto out;
    }
    (void)snprintf(evidence, sizeof evidence, "jti %.64s", v.token_id);
    {
        hm_consent_change ch = {
            v.brand_id, rcpt, scope, m.channel, "app", evidence, strcmp(choice, "in") == 0, now, 1};
        rc = hm_store_consent_put(srv.store, &ch, err, sizeof err);
    }
    if (rc == HALLMARK_ERR_FORBIDDEN) {
        serve_reply_json(req, 409,
                         json_pack("{s:{s:s,s:s}}", "error", "code", "token_used", "message",
                                   "this message's token already changed consent once: nothing "
                                   "changed"));
        goto out;
    }
    if (rc != HALLMARK_OK) {
        (void)fprintf(stderr, "hallmark-signer: %s\n", err);
        serve_reply_error(req, HALLMARK_ERR_UNAVAILABLE,
                          "the consent ledger cannot be written now: nothing was recorded, retry",
                          NULL);
        goto out;
    }
    serve_count("hallmark_consent_changes_total", 1);
    serve_reply_json(req, 200,
                     json_pack("{s:{s:s,s:s,s:s,s:s,s:s,s:I}}", "recorded", "brand", v.brand_id,
                               "scope", scope, "channel", m.channel, "choice", choice, "source",
                               "app", "at", (json_int_t)now));
out:
    hm_signer_unref(s);
    json_decref(body);
}
