/* Names, sentences and UI classes for every hallmark_result: one exhaustive switch, so -Wswitch
 * flags a code added to the enum but not described here, and the TEXT macro takes no code
 * without its class. */
#include "hallmark.h"

#include <string.h>

/* Each code with its name, its sentence and its UI class (spec §8, the "App shows" column;
 * unit result_ui_class_follows_the_spec_table holds this table to the spec's). */
struct result_text {
    const char *name;
    const char *message;
    hallmark_ui ui;
    /* [HM-RESULT-44]: a difference that intermediaries of e-mail and SMS make in good faith;
     * Neutral there, ui (Warning) on byte-exact channels. */
    int transport;
};

/* [HM-RESULT-3]: a code the app does not know is neutral. */
static const struct result_text unknown_result = {"HALLMARK_UNKNOWN", "unknown result code",
                                                  HALLMARK_UI_NEUTRAL, 0};

#define TEXT(code, ui, msg)                                                                        \
    case code: {                                                                                   \
        static const struct result_text t = {#code, msg, HALLMARK_UI_##ui, 0};                     \
        return &t;                                                                                 \
    }

/* A Warning on byte-exact channels, Neutral on e-mail and SMS ([HM-RESULT-44]). */
#define TRANSPORT(code, msg)                                                                       \
    case code: {                                                                                   \
        static const struct result_text t = {#code, msg, HALLMARK_UI_WARNING, 1};                  \
        return &t;                                                                                 \
    }

static const struct result_text *
describe(hallmark_result code)
{
    switch (code) {
        TEXT(HALLMARK_OK, NONE, "success")
        TEXT(HALLMARK_ERR_INVALID_ARGUMENT, API_ERROR, "invalid argument")
        TEXT(HALLMARK_ERR_NOMEM, API_ERROR, "out of memory")
        TEXT(HALLMARK_ERR_INTERNAL, API_ERROR, "internal error in a cryptographic library")
        TEXT(HALLMARK_ERR_BUFFER_TOO_SMALL, API_ERROR, "output buffer too small")
        TEXT(HALLMARK_ERR_INVALID_KEY, API_ERROR, "not a valid key")
        TEXT(HALLMARK_VERIFIED, CHECKMARK, "verified")
        TEXT(HALLMARK_UNSIGNED, NEUTRAL, "the message is not signed")
        TEXT(HALLMARK_MALFORMED, NEUTRAL, "the token is malformed")
        TEXT(HALLMARK_HEADER_REFUSED, NEUTRAL,
             "the token's header carries a refused or unknown member")
        TEXT(HALLMARK_UNSUPPORTED_ALG, NEUTRAL, "the token's algorithm is not supported")
        TEXT(HALLMARK_ALG_MISMATCH, WARNING,
             "the token's algorithm is not the signing key's algorithm")
        TEXT(HALLMARK_UNKNOWN_KEY, NEUTRAL,
             "the token was signed by a key the trust bundle does not know")
        TEXT(HALLMARK_BAD_SIGNATURE, WARNING, "the token's signature is invalid")
        TEXT(HALLMARK_KEY_REVOKED, WARNING, "the brand's signing key has been revoked")
        TEXT(HALLMARK_KEY_NOT_VALID, WARNING,
             "the signing key was not valid when the token was issued")
        TEXT(HALLMARK_ISSUER_MISMATCH, WARNING, "the signing key belongs to another brand")
        TEXT(HALLMARK_BRAND_REVOKED, WARNING, "the brand has been revoked")
        TEXT(HALLMARK_BRAND_EXPIRED, NEUTRAL, "the brand's credential is not valid at this time")
        TEXT(HALLMARK_BRAND_CREDENTIAL_INVALID, NEUTRAL,
             "the token refers to a brand credential that is not in force")
        TEXT(HALLMARK_CHANNEL_MISMATCH, WARNING, "the token was issued for another channel")
        TEXT(HALLMARK_SENDER_MISMATCH, WARNING, "the token was issued for another sender")
        TEXT(HALLMARK_SENDER_NOT_AUTHORIZED, WARNING,
             "the brand is not authorized to send from this sender")
        TRANSPORT(HALLMARK_BODY_MODIFIED, "the message body was modified")
        TRANSPORT(HALLMARK_RECIPIENT_MISMATCH, "the token was issued for another recipient")
        TEXT(HALLMARK_TOKEN_EXPIRED, NEUTRAL, "the token has expired")
        TEXT(HALLMARK_TOKEN_NOT_YET_VALID, NEUTRAL, "the token is not yet valid")
        TEXT(HALLMARK_ACTION_NOT_AUTHORIZED, WARNING,
             "an action points outside the brand's domains")
        TEXT(HALLMARK_NO_BUNDLE, NEUTRAL, "no trust bundle is loaded")
        TEXT(HALLMARK_BUNDLE_MALFORMED, NEUTRAL, "the trust bundle is malformed")
        TEXT(HALLMARK_BUNDLE_BAD_SIGNATURE, NEUTRAL, "the trust bundle's signature is invalid")
        TEXT(HALLMARK_BUNDLE_UNTRUSTED, NONE,
             "the trust bundle does not chain to a pinned root key")
        TEXT(HALLMARK_BUNDLE_EXPIRED, NEUTRAL, "the trust bundle has expired; cannot tell")
        TEXT(HALLMARK_BUNDLE_ROLLBACK, NONE, "the trust bundle is older than one already accepted")
        TEXT(HALLMARK_ERR_IO, NONE, "a file could not be read or written")
        TEXT(HALLMARK_ERR_WRONG_PASSPHRASE, NONE, "wrong passphrase, or the key file was altered")
        TEXT(HALLMARK_ERR_CORRUPT, NONE, "a state or key file is damaged or was tampered with")
        TEXT(HALLMARK_ERR_UNKNOWN_BRAND, NONE, "no such brand in the trust bundle in force")
        TEXT(HALLMARK_ERR_NO_ACTIVE_KEY, NONE, "the brand has no active signing key")
        TEXT(HALLMARK_ERR_BAD_REQUEST, NONE, "a message field is missing or breaks its limits")
        TEXT(HALLMARK_ERR_TOO_LARGE, NONE, "the request exceeds a size limit")
        TEXT(HALLMARK_ERR_UNAUTHORIZED, NONE, "the client is not authenticated")
        TEXT(HALLMARK_ERR_FORBIDDEN, NONE, "the client may not sign for this brand or channel")
        TEXT(HALLMARK_ERR_RATE_LIMITED, NONE, "too many requests from this client")
        TEXT(HALLMARK_ERR_UNAVAILABLE, NONE, "the service cannot sign right now")
        TEXT(HALLMARK_SENDER_CONTESTED, NEUTRAL,
             "two brands in the trust bundle claim this sender; no brand can be shown")
        TEXT(HALLMARK_VERIFIED_DOMAIN, DOMAIN,
             "verified: the brand proved control of its domain only; show only that domain")
        TEXT(HALLMARK_SENDER_ALWAYS_SIGNED, WARNING,
             "this sender signs every message, and this one is not signed: it may be spoofed")
        TRANSPORT(HALLMARK_SUBJECT_MODIFIED, "the displayed subject or title is not the signed one")
        TRANSPORT(HALLMARK_REPLY_TO_MISMATCH,
                  "the displayed reply-to address is not the signed one")
        TEXT(HALLMARK_REPLY_TO_NOT_AUTHORIZED, WARNING,
             "the signed reply-to address is outside the brand's e-mail senders")
        TEXT(HALLMARK_CATEGORY_NOT_AUTHORIZED, WARNING,
             "the brand's credential does not list this message's category")
        TEXT(HALLMARK_LOGO_MISMATCH, NONE,
             "the logo's bytes do not hash to the digest the trust bundle names: discard them")
        TEXT(HALLMARK_ERR_API_REPLACED, API_ERROR,
             "this call cannot carry the persisted trust state: use hallmark_verifier_create "
             "and hallmark_verifier_load")
        TEXT(HALLMARK_ERR_STATE_INVALID, NONE,
             "the persisted trust state is damaged, of an unknown version, or of another "
             "platform")
        TEXT(HALLMARK_BUNDLE_WRONG_PLATFORM, NONE, "the trust bundle belongs to another platform")
        TEXT(HALLMARK_BUNDLE_PUBLISHER_SUPERSEDED, NONE,
             "the trust bundle's publishing key is of an older generation than one already "
             "accepted")
        TEXT(HALLMARK_BUNDLE_ROOT_FORKED, NONE,
             "the trust bundle's root chain forks from the one already accepted")
        TEXT(HALLMARK_KEY_OUT_OF_SCOPE, WARNING,
             "the brand's key signed for a channel or sender the platform did not give it")
        TEXT(HALLMARK_STATUS_INVALID, NONE,
             "the status object is malformed, not signed by the trust bundle's publishing key, "
             "or of another platform")
        TEXT(HALLMARK_STATUS_OTHER_BUNDLE, NONE,
             "the status object names another trust bundle: load that bundle first")
        TEXT(HALLMARK_STATUS_ROLLBACK, NONE, "the status object is older than one already accepted")
        TEXT(HALLMARK_STATUS_STALE, NEUTRAL,
             "the trust bundle needs a fresh status object: cannot tell right now")
        TEXT(HALLMARK_CLOCK_BEHIND, NEUTRAL,
             "the device's clock is earlier than the trust data it holds (set back): cannot "
             "tell right now")
        TEXT(HALLMARK_DELIVERY_TOO_LATE, NEUTRAL,
             "the message arrived later after it was signed than its category allows")
        TEXT(HALLMARK_ERR_RECIPIENT_OPTED_OUT, NONE,
             "the recipient opted out of this brand's messages of this kind")
        TEXT(HALLMARK_ERR_VOLUME_CAP, NONE,
             "the brand's volume cap for this recipient and category is reached")
        TEXT(HALLMARK_ERR_OPT_IN_REQUIRED, NONE,
             "the brand's marketing needs the recipient's opt-in, and there is none")
    }
    return &unknown_result;
}

const char *
hallmark_strerror(hallmark_result code)
{
    return describe(code)->message;
}

const char *
hallmark_result_name(hallmark_result code)
{
    return describe(code)->name;
}

hallmark_result
hallmark_result_from_name(const char *name, hallmark_result *out)
{
    int code;

    if (name == NULL || out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    for (code = 0; code <= (int)HALLMARK_RESULT_MAX; code++) {
        if (strcmp(describe((hallmark_result)code)->name, name) == 0) {
            *out = (hallmark_result)code;
            return HALLMARK_OK;
        }
    }
    return HALLMARK_ERR_INVALID_ARGUMENT;
}

hallmark_ui
hallmark_ui_class(hallmark_result code)
{
    return describe(code)->ui;
}

hallmark_ui
hallmark_ui_class_on(hallmark_result code, const char *channel)
{
    const struct result_text *t = describe(code);

    if (t->transport && channel != NULL &&
        (strcmp(channel, "email") == 0 || strcmp(channel, "sms") == 0)) {
        return HALLMARK_UI_NEUTRAL;
    }
    return t->ui;
}

const char *
hallmark_ui_class_name(hallmark_ui ui)
{
    switch (ui) {
    case HALLMARK_UI_CHECKMARK:
        return "checkmark";
    case HALLMARK_UI_WARNING:
        return "warning";
    case HALLMARK_UI_API_ERROR:
        return "api-error";
    case HALLMARK_UI_NONE:
        return "none";
    case HALLMARK_UI_DOMAIN:
        return "domain";
    case HALLMARK_UI_NEUTRAL:
        break;
    }
    return "neutral";
}

const char *
hallmark_version(void)
{
    return HALLMARK_VERSION_STRING;
}

const char *
hallmark_category_name(hallmark_category c)
{
    switch (c) {
    case HALLMARK_CATEGORY_TRANSACTIONAL:
        return "transactional";
    case HALLMARK_CATEGORY_OTP:
        return "otp";
    case HALLMARK_CATEGORY_ALERT:
        return "alert";
    case HALLMARK_CATEGORY_MARKETING:
        return "marketing";
    case HALLMARK_CATEGORY_SERVICE:
        return "service";
    case HALLMARK_CATEGORY_UNKNOWN:
        break;
    }
    return "unknown";
}

const char *
hallmark_sender_kind_name(hallmark_sender_kind k)
{
    switch (k) {
    case HALLMARK_SENDER_AUTOMATED:
        return "automated";
    case HALLMARK_SENDER_HUMAN:
        return "human";
    case HALLMARK_SENDER_AI:
        return "ai";
    case HALLMARK_SENDER_UNKNOWN:
        break;
    }
    return "unknown";
}

const char *
hallmark_action_kind_name(hallmark_action_kind k)
{
    switch (k) {
    case HALLMARK_ACTION_LINK:
        return "link";
    case HALLMARK_ACTION_REPLY:
        return "reply";
    case HALLMARK_ACTION_CALL:
        return "call";
    case HALLMARK_ACTION_UNSUBSCRIBE:
        return "unsubscribe";
    case HALLMARK_ACTION_PREFERENCES:
        return "preferences";
    case HALLMARK_ACTION_UNKNOWN:
        break;
    }
    return "unknown";
}

const char *
hallmark_level_name(hallmark_level l)
{
    switch (l) {
    case HALLMARK_LEVEL_BASIC:
        return "basic";
    case HALLMARK_LEVEL_ORGANIZATION:
        return "organization";
    case HALLMARK_LEVEL_TRADEMARK:
        return "trademark";
    case HALLMARK_LEVEL_UNKNOWN:
        break;
    }
    return "unknown";
}
