/* What a signer refuses to put under a brand's name in a body ([HM-TOKEN-40], [HM-TOKEN-41]):
 * bidi controls, and links outside the brand's link domains. Messaging apps make links in text
 * tappable, and the token covers the body only by digest, so this is the one place where a link
 * in the text meets the brand's link domains.
 *
 * A link is a scheme ("https://..."), "www." or a bare host whose last label is a top-level
 * domain (the Public Suffix List read at run time, hm_suffix.h; or example, test, invalid,
 * localhost). What it cannot see: a host written with look-alike Unicode dots or letters (the
 * scan is ASCII; apps that linkify such text are asked not to in verified bodies, HM-CRED-47), a
 * phone number or an e-mail address (not links here: HM-CRED-47 keeps them from being tappable).
 * Thread-safe. */
#ifndef HM_BODY_RULES_H
#define HM_BODY_RULES_H

#include <stddef.h>

#include "hallmark.h"
#include "hm_bundle.h"

/*
 * Checks body (len bytes of valid UTF-8, borrowed) for brand b. HALLMARK_OK;
 * HALLMARK_ERR_BAD_REQUEST for a bidi control; HALLMARK_ACTION_NOT_AUTHORIZED for a link the
 * brand may not use; HALLMARK_ERR_UNAVAILABLE when the Public Suffix List cannot be read.
 * *detail (static) says which.
 */
hallmark_result hm_body_rules_check(const hm_brand *b, const char *body, size_t len,
                                    const char **detail);

#endif
