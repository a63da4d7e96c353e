/* Text rules of the spec: strict UTF-8, body canonicalization and digest (§3), the character
 * classes a display name may not contain (§5), and sender/recipient/domain forms (§4, §5). */
#ifndef HM_TEXT_H
#define HM_TEXT_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "hallmark.h"
#include "hm_digest.h"

/* Decodes one code point at s[*i] (advancing *i); -1 on invalid UTF-8 (overlong, surrogate,
 * above U+10FFFF, truncated). */
int32_t hm_utf8_next(const unsigned char *s, size_t len, size_t *i);

/* 1 if s is entirely valid UTF-8. */
int hm_utf8_valid(const unsigned char *s, size_t len);

/* 1 if s (NUL-terminated) is valid UTF-8 of lo..hi bytes with no C0 or C1 control character. */
int hm_utf8_no_controls(const char *s, size_t lo, size_t hi);

/* SHA-256 of the canonical body (§3): HALLMARK_OK, or HALLMARK_BODY_MODIFIED if the body is not
 * valid UTF-8 (a signer never signs such a body). */
hallmark_result hm_body_digest(const unsigned char *body, size_t len,
                               unsigned char out[HM_SHA256_BYTES]);

/* Feeds the canonical body (§3) into a SHA-256 state the caller started: for hashes whose input
 * ends with the canonical body (the body digest, the token lookup key). HALLMARK_OK, or
 * HALLMARK_BODY_MODIFIED if the body is not valid UTF-8 (nothing is fed then). */
hallmark_result hm_body_hash_update(hm_sha256_stream *h, const unsigned char *body, size_t len);

/* The token directory's lookup key before encoding (§9.6, HM-CARRY-16): SHA-256 of
 * "hallmark-token-key-v3" 0 channel 0 sender 0 stem 0 canonical body, with the recipient stem of
 * hm_recipient_stem (32 bytes). The sender must already be canonical (§4). HALLMARK_OK,
 * HALLMARK_BODY_MODIFIED (body not UTF-8) or HALLMARK_ERR_INVALID_ARGUMENT. */
hallmark_result hm_token_lookup_key(const char *channel, const char *sender,
                                    const unsigned char stem[HM_SHA256_BYTES],
                                    const unsigned char *body, size_t len,
                                    unsigned char out[HM_SHA256_BYTES]);

/* hm_body_digest and hm_token_lookup_key of one body at once, canonicalizing it once (a signer
 * that writes to the token directory needs both): the same digest into digest and key into key.
 * HALLMARK_OK, HALLMARK_BODY_MODIFIED (body not UTF-8) or HALLMARK_ERR_INVALID_ARGUMENT. */
hallmark_result hm_body_digest_and_lookup_key(const char *channel, const char *sender,
                                              const unsigned char stem[HM_SHA256_BYTES],
                                              const unsigned char *body, size_t len,
                                              unsigned char digest[HM_SHA256_BYTES],
                                              unsigned char key[HM_SHA256_BYTES]);

/* 1 if name is a display name the verifier accepts: valid UTF-8, 1-64 code points, no control,
 * format, bidi-control or invisible characters. (NFC and single-script are checked at onboarding
 * by hallmark-keys, which has the Unicode tables.) */
int hm_display_name_ok(const char *name, size_t len);

/* 1 if label (len bytes) is an action label the verifier accepts ([HM-TOKEN-17], [HM-TOKEN-28]):
 * 1-40 bytes, no NUL, and the display-name rule of hm_display_name_ok, so a button cannot carry
 * a bidi control or an invisible character that a display name or sender.name may not. */
int hm_action_label_ok(const char *label, size_t len);

/* The recipient stem ([HM-TOKEN-55]): Argon2id of the canonical recipient id, salted with the
 * first 16 bytes of SHA-256("hallmark-stem-v1" 0 channel 0 sender 0), 2 passes over 1 MiB.
 * About 1 ms on a server core: what makes rcpt and the lookup key slow to reverse. HALLMARK_OK,
 * HALLMARK_ERR_INVALID_ARGUMENT or HALLMARK_ERR_NOMEM (the 1 MiB could not be allocated). */
#define HM_STEM_OPSLIMIT 2ULL
#define HM_STEM_MEMLIMIT 1048576U
hallmark_result hm_recipient_stem(const char *channel, const char *sender, const char *recipient,
                                  unsigned char out[HM_SHA256_BYTES]);

/*
 * A memo of the last stems the calling thread computed, for a process that signs or verifies for
 * many recipients again and again (the signer: repeat customers). Without one, each thread
 * remembers only its last stem. entries is rounded up to a power of two (at most 2^24); each
 * costs 64 bytes of guarded memory (hm_secret_alloc), wiped when the memo is released. A lookup
 * hashes the inputs once (SHA-256): a hit costs about a microsecond instead of the Argon2id's
 * millisecond. Call hm_stem_memo_release before the thread ends. HALLMARK_OK,
 * HALLMARK_ERR_INVALID_ARGUMENT (0 or too many entries) or HALLMARK_ERR_NOMEM.
 */
#define HM_STEM_MEMO_MAX (1U << 24)
hallmark_result hm_stem_memo_reserve(size_t entries);
void hm_stem_memo_release(void);
/* How many stems this thread has computed (run the Argon2id for), not answered from a memo. */
unsigned long hm_stem_computed(void);

/* The recipient binding ([HM-TOKEN-22]): SHA-256("hallmark-rcpt-v2" 0 jti 0 channel 0 stem),
 * the stem of hm_recipient_stem for the token's channel, sender and recipient. */
hallmark_result hm_recipient_digest(const char *jti, const char *channel,
                                    const unsigned char stem[HM_SHA256_BYTES],
                                    unsigned char out[HM_SHA256_BYTES]);

#endif
