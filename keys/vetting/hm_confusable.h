/* Confusable display names ([HM-CRED-4], spec §5.2), with ICU's UTS #39 spoof checker: the
 * confusable skeleton that two brands' names must not share, and the whole-script confusable
 * rule (a name in one non-Latin script that reads as a Latin one, such as "аре" in Cyrillic). */
#ifndef HM_CONFUSABLE_H
#define HM_CONFUSABLE_H

#include <stddef.h>

#include "hallmark.h"

/* Room for the skeleton of any name hm_display_name_check accepts (64 code points; one code
 * point's prototype is at most a few characters), UTF-8 with the NUL. */
#define HM_SKELETON_MAX 2048U

/*
 * The comparison key of a display name (NUL-terminated UTF-8, borrowed; it should have passed
 * hm_display_name_check): the UTS #39 skeleton, case-folded, then skeletonized again, so that
 * "АСМЕ" (Cyrillic capitals), "ACME" and "Acme" give the same key. Two names look alike, case
 * aside, when their keys are equal. out (cap bytes) receives the key, NUL-terminated.
 * HALLMARK_OK; HALLMARK_ERR_INVALID_ARGUMENT (NULL, not UTF-8, too long for out);
 * HALLMARK_ERR_INTERNAL when ICU fails. Thread-safe (one spoof checker per call).
 */
hallmark_result hm_confusable_key(const char *name, char *out, size_t cap);

/* The keys of a name in three spellings in case: as written, lowercase and uppercase (full case
 * mapping, root locale), each taken as hm_confusable_key does. The skeleton maps capital "I" to
 * "l" but small "i" to "i" (and Cyrillic capitals to Latin ones but some small letters to other
 * letters), so one key per name lets "CONTOSO AIR" ("contoso alr") pass beside "Contoso Air"
 * ("contoso air"); their lowercase spellings share a key. */
#define HM_CONFUSABLE_KEYS 3

typedef struct hm_confusable_keys {
    char key[HM_CONFUSABLE_KEYS][HM_SKELETON_MAX]; /* key[0]: as written (hm_confusable_key) */
} hm_confusable_keys;

/*
 * Fills out with the keys of name (NUL-terminated UTF-8, borrowed). HALLMARK_OK;
 * HALLMARK_ERR_INVALID_ARGUMENT (NULL, not UTF-8, a key too long); HALLMARK_ERR_INTERNAL when
 * ICU fails. On failure every key is empty. Thread-safe.
 */
hallmark_result hm_confusable_keys_of(const char *name, hm_confusable_keys *out);

/*
 * Two names look alike, case aside, when a key of one equals a key of the other ([HM-CRED-4]).
 * Returns that shared key (borrowed from a), or NULL when they share none.
 */
const char *hm_confusable_keys_shared(const hm_confusable_keys *a, const hm_confusable_keys *b);

/*
 * The whole-script confusable rule: refuses a name whose letters all belong to one script other
 * than Latin (no character has Latin in its Script_Extensions) and whose key (above) is entirely
 * ASCII, i.e. a name that can pass for a Latin one ("аре", "ТОР", "ΑΒΒΑ"). err (may be NULL when
 * err_cap is 0) receives a one-line reason naming the script and the Latin look-alike.
 * HALLMARK_OK; HALLMARK_ERR_INVALID_ARGUMENT when the rule refuses the name (or name is NULL);
 * HALLMARK_ERR_INTERNAL when ICU fails.
 */
hallmark_result hm_confusable_whole_script(const char *name, char *err, size_t err_cap);

#endif
