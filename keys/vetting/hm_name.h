/* The onboarding check of a brand display name (spec §5.2, [HM-CRED-3] and [HM-CRED-4]), with
 * the Unicode tables of ICU. The verifier re-checks only the table-free subset ([HM-CRED-5],
 * hm_display_name_ok); every name accepted here is accepted there too. The exact rule is in
 * spec/hallmark.md §5.2 ([HM-CRED-4]). */
#ifndef HM_NAME_H
#define HM_NAME_H

#include <stddef.h>

#include "hallmark.h"

/* The longest display name, in code points. */
#define HM_DISPLAY_NAME_MAX 64U

/*
 * Checks name (NUL-terminated, borrowed) against every rule of [HM-CRED-3] and the stricter
 * onboarding rules of spec/hallmark.md §5.2 ([HM-CRED-4]), in this order: valid UTF-8; 1-64 code
 * points; no control, format, bidi-control, invisible (Default_Ignorable_Code_Point), private-use,
 * unassigned or noncharacter code point, no line or paragraph separator; no leading or trailing
 * whitespace and no two whitespace characters in a row; Unicode NFC; no compatibility character
 * (the name is its own NFKC form: no fullwidth letters, ligatures, circled letters, U+00A0...);
 * a single script (UTS #39 resolved script set, with Script_Extensions). The confusable rules
 * that need the other brands' names are in hm_confusable.h.
 *
 * err (may be NULL when err_cap is 0) receives a one-line reason, truncated to err_cap bytes and
 * always NUL-terminated; it names the first offending code point as U+XXXX and its 1-based
 * position in code points ("character N") when there is one, and is "" on success. It never
 * echoes the name except for the suggested NFC form, which is shown only once the name has
 * passed the character rules.
 *
 * HALLMARK_OK; HALLMARK_ERR_INVALID_ARGUMENT when name is NULL or breaks a rule;
 * HALLMARK_ERR_INTERNAL if ICU fails unexpectedly. Thread-safe (ICU's NFC instance is shared and
 * immutable).
 */
hallmark_result hm_display_name_check(const char *name, char *err, size_t err_cap);

#endif
