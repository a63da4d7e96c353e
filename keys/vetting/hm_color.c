#include "hm_color.h"
#include "hm_errorf.h"

#include <math.h>
#include <stdio.h>

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

int
hm_color_parse(const char *in, char out[8])
{
    static const char digits[] = "0123456789ABCDEF";
    char canon[8];
    int k;

    if (in == NULL || out == NULL) {
        return 0;
    }
    if (in[0] == '#') {
        in++;
    }
    canon[0] = '#';
    for (k = 0; k < 6; k++) {
        int v = hex_value(in[k]); /* stops at the NUL, which is not a hex digit */

        if (v < 0) {
            return 0;
        }
        canon[1 + k] = digits[v];
    }
    if (in[6] != '\0') {
        return 0;
    }
    canon[7] = '\0';
    for (k = 0; k < 8; k++) {
        out[k] = canon[k];
    }
    return 1;
}

int
hm_color_is_canonical(const char *s)
{
    int k;

    if (s == NULL || s[0] != '#') {
        return 0;
    }
    for (k = 1; k <= 6; k++) {
        if (!((s[k] >= '0' && s[k] <= '9') || (s[k] >= 'A' && s[k] <= 'F'))) {
            return 0;
        }
    }
    return s[7] == '\0';
}

/* The sRGB transfer function of WCAG 2.2 (with its 0.04045 threshold, not the older 0.03928). */
static double
linear(int v)
{
    double c = v / 255.0;

    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

/* Relative luminance of a canonical colour. */
static double
luminance(const char s[8])
{
    int r = hex_value(s[1]) * 16 + hex_value(s[2]);
    int g = hex_value(s[3]) * 16 + hex_value(s[4]);
    int b = hex_value(s[5]) * 16 + hex_value(s[6]);

    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

static double
ratio_of(double la, double lb)
{
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

double
hm_color_contrast(const char a[8], const char b[8])
{
    if (!hm_color_is_canonical(a) || !hm_color_is_canonical(b)) {
        return 0.0;
    }
    return ratio_of(luminance(a), luminance(b));
}

hallmark_result
hm_color_check_contrast(const char primary[8], const char background[8], char *err, size_t err_cap)
{
    double lp, lb, ratio;
    long tenths;
    int darker, can_darken, can_lighten, advise_darken;

    if (err != NULL && err_cap > 0) {
        err[0] = '\0';
    }
    if (!hm_color_is_canonical(primary) || !hm_color_is_canonical(background)) {
        if (err != NULL && err_cap > 0) {
            hm_errorf(err, err_cap, "%s colour is not of the form #RRGGBB (uppercase hex)",
                      hm_color_is_canonical(primary) ? "background" : "primary");
        }
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    lp = luminance(primary);
    lb = luminance(background);
    ratio = ratio_of(lp, lb);
    if (ratio >= HM_COLOR_MIN_CONTRAST) {
        return HALLMARK_OK;
    }
    /* Rounded down, and never shown as the threshold it missed. */
    tenths = (long)floor(ratio * 10.0);
    if (tenths > 44) {
        tenths = 44;
    }
    /* Black and white are the furthest the primary can go; at least one of them reaches 4.5:1
     * against any background (the worst background, L = 0.179, still gives 4.58:1). */
    darker = lp <= lb;
    can_darken = ratio_of(0.0, lb) >= HM_COLOR_MIN_CONTRAST;
    can_lighten = ratio_of(1.0, lb) >= HM_COLOR_MIN_CONTRAST;
    advise_darken = darker ? can_darken : !can_lighten;
    if (err != NULL && err_cap > 0) {
        hm_errorf(err, err_cap,
                  "colour %s has contrast %ld.%ld:1 against %s; at least 4.5:1 is needed "
                  "(%s it)",
                  primary, tenths / 10, tenths % 10, background,
                  advise_darken ? "darken" : "lighten");
    }
    return HALLMARK_ERR_INVALID_ARGUMENT;
}
