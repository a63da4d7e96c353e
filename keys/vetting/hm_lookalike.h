/* Look-alike brands at onboarding (spec §5.8, [HM-CRED-42] to [HM-CRED-44]): how close a new
 * logo or display name comes to another brand's. The exact rules of hm_confusable stop identical
 * skeletons; these measures find the near ones ("Acme Bank Alerts", "AcmeBank" beside "Acme
 * Bank"; the same logo recoloured or rescaled), which hallmark-keys lets through only with an
 * audited second reviewer.
 *
 * What they cannot do: a logo redrawn in another style, or a name that means the same in other
 * words ("ACME Banking Group"), is not near by these measures; that is the platform's review
 * before the organization and trademark levels. Integer arithmetic only; no global state:
 * thread-safe. */
#ifndef HM_LOOKALIKE_H
#define HM_LOOKALIKE_H

#include <stddef.h>
#include <stdint.h>

#include "hallmark.h"
#include "hm_confusable.h"

/* Two logos are near when their difference hashes differ in at most this many of 64 bits. */
#define HM_LOGO_NEAR_BITS 10U

/*
 * The difference hash of [HM-CRED-42] of width x height straight-alpha 8-bit RGBA pixels (rows
 * packed, borrowed): composited over white, luma, 9 x 8 cell means, bit 8y+x (bit 0 the most
 * significant) set when cell (x, y) is darker than cell (x + 1, y).
 * HALLMARK_OK; HALLMARK_ERR_INVALID_ARGUMENT (NULL, or a side under 9 or over 4096).
 */
hallmark_result hm_logo_dhash(const unsigned char *rgba, uint32_t width, uint32_t height,
                              uint64_t *out);

/* The number of bits in which two hashes differ (0 to 64). */
unsigned hm_logo_dhash_distance(uint64_t a, uint64_t b);

/* How two names are near ([HM-CRED-43]); HM_NAMES_APART when they are not. */
typedef enum hm_names_near_kind {
    HM_NAMES_APART = 0,
    HM_NAMES_EQUAL = 1,   /* equal compact keys ("AcmeBank" and "Acme Bank") */
    HM_NAMES_CONTAIN = 2, /* one compact key, 4+ code points, inside the other */
    HM_NAMES_EDIT = 3     /* a Levenshtein distance within the bound */
} hm_names_near_kind;

/*
 * Compares the keys of two names (hm_confusable_keys_of, borrowed) by [HM-CRED-43]: every pair
 * of keys, with white space and ASCII punctuation removed. Returns how they are near (the first
 * rule that holds: equal, contain, edit), or HM_NAMES_APART; *distance (may be NULL) receives the
 * smallest Levenshtein distance in code points over the pairs (0 when equal or contained).
 * A key that is not valid UTF-8 or is empty is never near anything.
 */
hm_names_near_kind hm_names_near(const hm_confusable_keys *a, const hm_confusable_keys *b,
                                 unsigned *distance);

/* "equal", "contains", "edit distance" or "apart". Static string. */
const char *hm_names_near_name(hm_names_near_kind kind);

#endif
