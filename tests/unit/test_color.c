/* Brand colours (spec §5.4): the #RRGGBB syntax and the WCAG 2.2 contrast check. */
#include <math.h>
#include <string.h>

#include "hm_color.h"
#include "test.h"

TEST(color_parse_accepts_both_forms_and_either_case)
{
    static const struct {
        const char *in, *want;
    } ok[] = {
        {"#0B5FFF", "#0B5FFF"}, {"0B5FFF", "#0B5FFF"},  {"#0b5fff", "#0B5FFF"},
        {"0b5FfF", "#0B5FFF"},  {"#000000", "#000000"}, {"ffffff", "#FFFFFF"},
        {"#a1B2c3", "#A1B2C3"},
    };
    size_t k;

    for (k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        char out[8];

        memset(out, 'x', sizeof out);
        CHECK(hm_color_parse(ok[k].in, out) == 1);
        CHECK(memcmp(out, ok[k].want, 8) == 0);
        CHECK(hm_color_is_canonical(out));
    }
}

TEST(color_parse_refuses_other_forms_and_leaves_out_alone)
{
    static const char *const bad[] = {
        "",         "#",         "#FFF",      "FFF",      "#FFFFF",     "#FFFFFFF",      "FFFFFFF",
        "#FFFFFF ", " #FFFFFF",  "##FFFFFF",  "#GGGGGG",  "#12345G",    "#-12345",       "#+12345",
        "0x123456", "#FFFFFFFF", "#ff ff ff", "#12\n456", "rgb(0,0,0)", "#ＦＦＦＦＦＦ",
    };
    size_t k;
    char out[8] = "#ABCDEF";

    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        if (hm_color_parse(bad[k], out) != 0) {
            test_note("accepted \"%s\"", bad[k]);
        }
        CHECK(hm_color_parse(bad[k], out) == 0);
        CHECK(strcmp(out, "#ABCDEF") == 0);
    }
    CHECK(hm_color_parse(NULL, out) == 0);
    CHECK(hm_color_parse("#FFFFFF", NULL) == 0);
    /* The credential itself must already be canonical ([HM-CRED-10]). */
    CHECK(hm_color_is_canonical("#0B5FFF"));
    CHECK(!hm_color_is_canonical("#0b5fff"));
    CHECK(!hm_color_is_canonical("0B5FFF"));
    CHECK(!hm_color_is_canonical("#0B5FF"));
    CHECK(!hm_color_is_canonical("#0B5FFF0"));
    CHECK(!hm_color_is_canonical(NULL));
}

TEST(color_contrast_matches_known_wcag_values)
{
    static const struct {
        const char *a, *b;
        double want;
    } pairs[] = {
        {"#000000", "#FFFFFF", 21.0},
        {"#FFFFFF", "#000000", 21.0},
        {"#FFFFFF", "#FFFFFF", 1.0},
        {"#767676", "#FFFFFF", 4.542224959605253},
        {"#777777", "#FFFFFF", 4.478089453577214},
        {"#757575", "#FFFFFF", 4.607518093747377},
        {"#FFCC00", "#FFFFFF", 1.5119719826162943},
        {"#FF0000", "#FFFFFF", 3.9984767707539985},
        {"#0000FF", "#FFFFFF", 8.592471358428805},
        {"#0B5FFF", "#FFFFFF", 5.128063549459489},
        {"#595959", "#FFFFFF", 7.004729208035935},
        {"#777777", "#000000", 4.68949989000882},
    };
    size_t k;

    for (k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        double r = hm_color_contrast(pairs[k].a, pairs[k].b);

        if (fabs(r - pairs[k].want) > 1e-9) {
            test_note("%s on %s: %.15f, want %.15f", pairs[k].a, pairs[k].b, r, pairs[k].want);
        }
        CHECK(fabs(r - pairs[k].want) <= 1e-9);
        CHECK(r == hm_color_contrast(pairs[k].b, pairs[k].a));
    }
    CHECK(hm_color_contrast("#ffffff", "#000000") == 0.0);
    CHECK(hm_color_contrast("#FFFFFF", NULL) == 0.0);
}

TEST(color_contrast_check_uses_the_exact_threshold)
{
    char err[160];

    CHECK_RC(hm_color_check_contrast("#767676", "#FFFFFF", err, sizeof err), HALLMARK_OK);
    CHECK(err[0] == '\0');
    CHECK_RC(hm_color_check_contrast("#000000", "#FFFFFF", err, sizeof err), HALLMARK_OK);
    CHECK_RC(hm_color_check_contrast("#0B5FFF", "#FFFFFF", err, sizeof err), HALLMARK_OK);
    CHECK_RC(hm_color_check_contrast("#FFFFFF", "#0B5FFF", err, sizeof err), HALLMARK_OK);
    /* 4.478:1 is not 4.5:1, and is not printed as 4.5 either. */
    CHECK_RC(hm_color_check_contrast("#777777", "#FFFFFF", err, sizeof err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(err, "colour #777777 has contrast 4.4:1 against #FFFFFF; at least 4.5:1 is "
                      "needed (darken it)") == 0);
    CHECK_RC(hm_color_check_contrast("#FFCC00", "#FFFFFF", err, sizeof err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(err, "colour #FFCC00 has contrast 1.5:1 against #FFFFFF; at least 4.5:1 is "
                      "needed (darken it)") == 0);
    /* 3.998:1 rounds down to 3.9, not up to 4.0. */
    CHECK_RC(hm_color_check_contrast("#FF0000", "#FFFFFF", err, sizeof err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "contrast 3.9:1") != NULL);
    CHECK_RC(hm_color_check_contrast("#FFFFFF", "#FFFFFF", err, sizeof err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "contrast 1.0:1") != NULL);
}

TEST(color_contrast_check_advises_a_reachable_direction)
{
    char err[160];

    /* On a dark background a too-dark primary must get lighter. */
    CHECK_RC(hm_color_check_contrast("#1A1A1A", "#000000", err, sizeof err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "(lighten it)") != NULL);
    /* Darker than a near-black background, but black cannot reach 4.5:1 against it. */
    CHECK_RC(hm_color_check_contrast("#101010", "#202020", err, sizeof err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "(lighten it)") != NULL);
    /* Lighter than a near-white background, but white cannot reach 4.5:1 against it. */
    CHECK_RC(hm_color_check_contrast("#F0F0F0", "#E0E0E0", err, sizeof err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "(darken it)") != NULL);
}

TEST(color_contrast_check_refuses_non_canonical_colours)
{
    /* A colour parameter is char[8]: a shorter literal would be an over-read by contract. */
    static const char no_hash[8] = "FFFFFF";
    char err[160], tiny[8];

    CHECK_RC(hm_color_check_contrast("#0b5fff", "#FFFFFF", err, sizeof err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "primary colour is not of the form #RRGGBB") != NULL);
    CHECK_RC(hm_color_check_contrast("#0B5FFF", no_hash, err, sizeof err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "background colour") != NULL);
    CHECK_RC(hm_color_check_contrast(NULL, "#FFFFFF", err, sizeof err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    /* err is optional and always terminated. */
    CHECK_RC(hm_color_check_contrast("#777777", "#FFFFFF", NULL, 0), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_color_check_contrast("#777777", "#FFFFFF", tiny, sizeof tiny),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(tiny, "colour ") == 0);
}
