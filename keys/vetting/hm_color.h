/* Brand colours (spec §5.4): the "#RRGGBB" syntax of [HM-CRED-10] and the WCAG 2.2 contrast
 * check of [HM-CRED-11] that hallmark-keys does at onboarding (the verifier checks only the
 * syntax). */
#ifndef HM_COLOR_H
#define HM_COLOR_H

#include <stddef.h>

#include "hallmark.h"

/* The least contrast of the primary colour against the background ([HM-CRED-11]). */
#define HM_COLOR_MIN_CONTRAST 4.5

/*
 * Parses "#RRGGBB" or "RRGGBB" (hex digits in either case, nothing before or after) into the
 * canonical form "#RRGGBB" with uppercase digits; out receives 8 bytes with the NUL, and is left
 * untouched on failure. 1 on success, 0 otherwise (in or out NULL, wrong length, a non-hex digit,
 * the 3-digit "#RGB" form, whitespace).
 */
int hm_color_parse(const char *in, char out[8]);

/* 1 if s is a canonical colour, "#[0-9A-F]{6}" exactly. */
int hm_color_is_canonical(const char *s);

/*
 * The WCAG 2.2 contrast ratio of two canonical colours, in [1, 21]: relative luminance
 * L = 0.2126 R + 0.7152 G + 0.0722 B of the linearised channels (c <= 0.04045 ? c / 12.92 :
 * ((c + 0.055) / 1.055)^2.4, c = value / 255), then (L1 + 0.05) / (L2 + 0.05), L1 the lighter.
 * Symmetric in a and b. 0.0 if either is not canonical.
 */
double hm_color_contrast(const char a[8], const char b[8]);

/*
 * HALLMARK_OK if the contrast of primary against background is at least 4.5:1 (the exact
 * double, no rounding: #767676 on #FFFFFF, 4.54:1, passes; #777777, 4.48:1, fails). Otherwise
 * HALLMARK_ERR_INVALID_ARGUMENT with a one-line reason in err (truncated to err_cap bytes,
 * NUL-terminated; "" on success), e.g. "colour #FFCC00 has contrast 1.5:1 against #FFFFFF; at
 * least 4.5:1 is needed (darken it)". The ratio is printed with one decimal rounded down, so a
 * failing ratio never prints as 4.5. The advice ("darken it" or "lighten it") names a direction
 * in which 4.5:1 can be reached. A colour that is not canonical is also
 * HALLMARK_ERR_INVALID_ARGUMENT. Thread-safe.
 */
hallmark_result hm_color_check_contrast(const char primary[8], const char background[8], char *err,
                                        size_t err_cap);

#endif
