/* The payload of a message token (spec §2.3-§2.4) written as the signer signs it: the claims in
 * their fixed order (iss, iat, exp, jti, channel, from, rcpt, body, cred, category, sender, conv,
 * actions, alt_body, subject, reply_to; the optional ones only when present), compact, through
 * the one escaper of hm_json_write.h. The bytes are those json_dumps(JSON_COMPACT) gave for the
 * same claims built as jansson objects (tests/unit/test_token_claims.c compares both). Internal
 * to the signer. */
#ifndef HM_TOKEN_CLAIMS_H
#define HM_TOKEN_CLAIMS_H

#include <stddef.h>

#include "hm_json_write.h"
#include "hm_signer.h"

/* The claims of one token, every string borrowed and NUL-terminated. Digests are base64url
 * (43 characters). sender_name, conv, alt_body, subject and reply_to are NULL when absent. */
typedef struct hm_token_claims {
    const char *iss, *jti, *channel, *from, *rcpt, *body, *cred, *category;
    long long iat, exp;
    const char *sender_kind, *sender_name, *conv;
    const hm_sign_action *actions;
    size_t action_count;
    const char *alt_body; /* the one rendering's digest ([HM-TOKEN-50]) */
    const char *subject;  /* the subject's digest ([HM-TOKEN-47]) */
    const char *reply_to; /* canonical ([HM-TOKEN-48]) */
} hm_token_claims;

/* Appends the payload of c to w. A string that is not UTF-8 fails the writer
 * (hm_json_write_text then gives NULL). */
void hm_token_claims_write(hm_json_writer *w, const hm_token_claims *c);

#endif
