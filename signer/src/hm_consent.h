/* hm_consent: what the signer needs to keep a customer's choices (spec §9.7) without holding
 * their ids: the platform's consent secret P (in sodium_malloc memory, never logged), the ledger
 * key of a recipient, b64u(HMAC-SHA-256(P, "hallmark-consent-v1" 0x00 canonical id))
 * ([HM-CARRY-47]), and the carrier keyword table ([HM-CARRY-51]). The ledger itself is in the
 * store (hm_store.h); the policy a message is checked against is the brand's credential's
 * (hm_signer_policy).
 *
 * What it cannot protect: whoever holds P and a list of candidate numbers can tell which of them
 * are in the ledger (numbers are few); P is shared by the platform's signer nodes only. */
#ifndef HM_CONSENT_H
#define HM_CONSENT_H

#include <stddef.h>

#include "hallmark.h"

#define HM_CONSENT_SECRET_BYTES 32
#define HM_CONSENT_KEY_LEN 43

typedef struct hm_consent_secret hm_consent_secret;

/* Loads the secret from path: a file of exactly 32 bytes, mode 0600 (no group or other access).
 * With create and no such file, makes one of 32 random bytes first (O_EXCL, 0600, fsync).
 * *out owned by the caller (hm_consent_secret_free). HALLMARK_OK, HALLMARK_ERR_IO (err says
 * why), HALLMARK_ERR_CORRUPT (not 32 bytes, or readable by others) or HALLMARK_ERR_NOMEM. */
hallmark_result hm_consent_secret_load(const char *path, int create, hm_consent_secret **out,
                                       char *err, size_t err_cap);
/* Wipes and frees; NULL allowed. */
void hm_consent_secret_free(hm_consent_secret *p);

/* The ledger key of a recipient id of a channel (canonicalized first, spec §4) into out (43
 * characters and a NUL). HALLMARK_OK, or HALLMARK_ERR_BAD_REQUEST (not a valid id for the
 * channel). Thread-safe. */
hallmark_result hm_consent_recipient(const hm_consent_secret *p, const char *channel,
                                     const char *id, char out[HM_CONSENT_KEY_LEN + 1]);

typedef enum hm_keyword {
    HM_KEYWORD_NONE = 0, /* no keyword: changes nothing */
    HM_KEYWORD_OUT,      /* STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT */
    HM_KEYWORD_IN,       /* START, YES, UNSTOP */
    HM_KEYWORD_HELP      /* HELP, INFO */
} hm_keyword;

/* The keyword of a reply's text (len bytes): white space (space, tab, CR, LF) trimmed at both
 * ends, ASCII letters without case, exactly one word of the table; word (may be NULL) receives
 * it in capitals ("" for none). */
hm_keyword hm_consent_keyword(const char *text, size_t len, char word[16]);

#endif
