/* The message-token claims of spec §2.3-§2.4 and the credential checks of §5.6-§5.7, shared by
 * the verifier (which reads claims) and the signer (which checks what it is about to sign with the
 * very same rules). Internal to Hallmark. */
#ifndef HM_CLAIMS_H
#define HM_CLAIMS_H

#include "hallmark.h"
#include "hm_bundle.h"
#include "hm_digest.h"
#include "hm_jdoc.h"

/* The longest a token may live, exp - iat: 7 days ([HM-TOKEN-18], [HM-TOKEN-60]). It also keeps
 * a retired key in bundles until its last token has expired (hm_publish.h). */
#define HM_TOKEN_LIFETIME_MAX 604800LL

/* At most this many digests in alt_body ([HM-TOKEN-45]). */
#define HM_ALT_BODY_MAX 3

/* The claims of a token payload; strings are borrowed from the payload document. */
typedef struct hm_claims {
    const char *iss, *jti, *channel, *from, *conv;
    long long iat, exp;
    unsigned char rcpt[HM_SHA256_BYTES], body[HM_SHA256_BYTES], cred[HM_SHA256_BYTES];
    hallmark_category category;
    hallmark_sender_kind sender_kind;
    const char *agent_name;
    const hm_jv *actions; /* the array, or NULL */
    /* Optional claims of issue 22 ([HM-TOKEN-45], [HM-TOKEN-47], [HM-TOKEN-48]). */
    size_t alt_count; /* 0: no alt_body */
    unsigned char alt_body[HM_ALT_BODY_MAX][HM_SHA256_BYTES];
    int has_subject;
    unsigned char subject[HM_SHA256_BYTES];
    const char *reply_to; /* canonical e-mail address, or NULL */
} hm_claims;

/* 1 if every required claim is present with its type and limits (§2.3, §2.4), filling c. */
int hm_claims_read(const hm_jv *payload, hm_claims *c);

/* The category / action kind named s, or the UNKNOWN value (0). */
hallmark_category hm_category_from(const char *s);
hallmark_action_kind hm_action_kind_from(const char *s);

/* The maximum delivery age (received_at - iat, before the skew) of a token of this category
 * ([HM-TOKEN-61]): 600 s for otp, 1 day for alert, 3 days for the others. */
long long hm_delivery_age_max(hallmark_category category);

/* 1 if the brand's credential authorizes sender id from on channel for recipient to (§5.6; to
 * canonical, or NULL when not valid, which no entry with a country matches, [HM-CRED-63]). */
int hm_brand_sender_authorized(const hm_brand *b, const char *channel, const char *from,
                               const char *to);

/* 1 if key k of brand b may sign from on channel for to: it has no scope, or its scope lists the
 * channel (or lists no channel) and one of its sender entries authorizes from for to (or it lists
 * none) ([HM-TRUST-65], [HM-VERIFY-52]). */
int hm_key_scope_covers(const hm_brand_key *k, const hm_brand *b, const char *channel,
                        const char *from, const char *to);

/* 1 if an entry of the brand with always_signed authorizes from on channel for to
 * ([HM-CRED-61]). */
int hm_brand_sender_always_signed(const hm_brand *b, const char *channel, const char *from,
                                  const char *to);

/* 1 if the domain of the canonical e-mail address reply_to is a sender id the brand's credential
 * authorizes on email ([HM-TOKEN-48]). */
int hm_brand_reply_to_authorized(const hm_brand *b, const char *reply_to);

/* HALLMARK_OK if url passes the action URL check (§5.7) within the brand's link domains, or, for
 * an action of kind "call", is "tel:" and a number of the brand's phones ([HM-CRED-46]); else
 * HALLMARK_ACTION_NOT_AUTHORIZED with a static detail. kind may be NULL (not a call). */
/* 1 if an action of kind to url is the platform's consent endpoint ([HM-TOKEN-67]): kind
 * unsubscribe or preferences and url equal to consent_url (the bundle's; NULL: none). Such an
 * action is authorized for every brand whatever its link domains. */
int hm_consent_action(const char *consent_url, const char *kind, const char *url);

hallmark_result hm_brand_action_check(const hm_brand *b, const char *kind, const char *url,
                                      const char **detail);

#endif
