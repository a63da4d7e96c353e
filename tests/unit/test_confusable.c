/* The confusable rules of [HM-CRED-4] (keys/vetting/hm_confusable.h): the comparison key two
 * brands' names must not share, and the whole-script confusable rule. */
#include <string.h>

#include "hm_confusable.h"
#include "hm_name.h"
#include "test.h"

/* Pairs that must get the same key: case, and letters of another script that look alike. */
static const char *const same[][2] = {
    {"Acme Bank", "ACME BANK"},
    {"Acme Bank", "acme bank"},
    {"ACME", "\u0410\u0421\u041C\u0415"},     /* АСМЕ, Cyrillic capitals */
    {"Acme", "\u0410\u0421\u041C\u0415"},     /* ... whatever the case of the Latin name */
    {"ape", "\u0430\u0440\u0435"},            /* аре, Cyrillic */
    {"Paypal", "\u0420\u0430\u0443\u0440al"}, /* Раураl: refused anyway, it mixes scripts */
    {"OTE", "\u039F\u03A4\u0395"},            /* ΟΤΕ, Greek */
    {"rn", "m"},                              /* UTS #39 itself: "rn" reads as "m" */
};

/* Pairs that must not: different names, and accents that are drawn. */
static const char *const differ[][2] = {
    {"Acme Bank", "Acme Banks"},
    {"Caf\u00E9 Z\u00FCrich", "Cafe Zurich"},
    {"Acme", "\u0410\u0441\u043C\u0435"}, /* Асме: UTS #39 maps Cyrillic м to ʍ, not m */
    {"AT&T", "AT+T"},
    {"\u0421\u0431\u0435\u0440\u0431\u0430\u043D\u043A", "Sberbank"},
};

/* Names the whole-script rule lets through: Latin, non-Latin that does not read as Latin, and
 * names without letters. */
static const char *const not_whole_script[] = {
    "Acme Bank",
    "AT&T",
    "Caf\u00E9 Z\u00FCrich",
    "\u0421\u0431\u0435\u0440\u0431\u0430\u043D\u043A", /* Сбербанк */
    /* one name split over two lines */ // NOLINTNEXTLINE(bugprone-suspicious-missing-comma)
    "\u0395\u03BB\u03BB\u03B7\u03BD\u03B9\u03BA\u03AE "
    "\u03A4\u03C1\u03AC\u03C0\u03B5\u03B6\u03B1",        /* Ελληνική Τράπεζα */
    "\u307F\u305A\u307B\u9280\u884C",                    /* みずほ銀行 */
    "\u0628\u0646\u0643 \u0645\u0635\u0631",             /* بنك مصر */
    "\u05D1\u05E0\u05E7 \u05DC\u05D0\u05D5\u05DE\u05D9", /* בנק לאומי */
    "\uC2E0\uD55C\uC740\uD589",                          /* 신한은행 */
    "\u0410\u0441\u043C\u0435",                          /* Асме (see above) */
    "3 14",
};

static const struct {
    const char *name, *why;
} whole_script[] = {
    {"\u0430\u0440\u0435",
     "display name is a whole-script confusable: its Cyrillic letters read as the Latin \"ape\" "
     "(UTS #39 skeleton); after review, onboard it with --allow-confusable --reason TEXT"},
    {"\u0410\u0421\u041C\u0415", "its Cyrillic letters read as the Latin \"acrne\""},
    {"\u0422\u041E\u0420", "its Cyrillic letters read as the Latin \"top\""},        /* ТОР */
    {"\u0421\u0431\u0435\u0440", "its Cyrillic letters read as the Latin \"c6ep\""}, /* Сбер */
    {"\u0391\u0392\u0392\u0391", "its Greek letters read as the Latin \"abba\""},    /* ΑΒΒΑ */
    {"\u13AA\u13F4\u13DF", "its Cherokee letters read as the Latin \"abc\""},        /* ᎪᏴᏟ */
    {"\u0405\u043E\u0455", "its Cyrillic letters read as the Latin \"sos\""},        /* Ѕоѕ */
};

TEST(confusable_key_ignores_case_and_look_alike_scripts)
{
    char a[HM_SKELETON_MAX], b[HM_SKELETON_MAX];
    size_t k;

    for (k = 0; k < sizeof same / sizeof same[0]; k++) {
        CHECK_RC(hm_confusable_key(same[k][0], a, sizeof a), HALLMARK_OK);
        CHECK_RC(hm_confusable_key(same[k][1], b, sizeof b), HALLMARK_OK);
        if (strcmp(a, b) != 0) {
            test_note("pair %zu: \"%s\" vs \"%s\"", k, a, b);
        }
        CHECK(strcmp(a, b) == 0);
    }
    for (k = 0; k < sizeof differ / sizeof differ[0]; k++) {
        CHECK_RC(hm_confusable_key(differ[k][0], a, sizeof a), HALLMARK_OK);
        CHECK_RC(hm_confusable_key(differ[k][1], b, sizeof b), HALLMARK_OK);
        if (strcmp(a, b) == 0) {
            test_note("pair %zu: both \"%s\"", k, a);
        }
        CHECK(strcmp(a, b) != 0);
    }
    CHECK_RC(hm_confusable_key("Acme Bank", a, sizeof a), HALLMARK_OK);
    CHECK(strcmp(a, "acrne bank") == 0);
    CHECK_RC(hm_confusable_key("Acme Bank", a, 10), HALLMARK_ERR_INVALID_ARGUMENT); /* too small */
    CHECK(a[0] == '\0');
    CHECK_RC(hm_confusable_key(NULL, a, sizeof a), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_confusable_key("Acme\xC0\xAF", a, sizeof a), HALLMARK_ERR_INVALID_ARGUMENT);
}

/* Issue 13: names in capitals that the key as written let pass, because UTS #39 maps "I" to "l"
 * but "i" to "i"; and look-alike digits and letter pairs in any case. */
static const char *const look_alike[][2] = {
    {"Contoso Air", "CONTOSO AIR"},       {"First Bank", "FIRST BANK"},
    {"Northwind Bank", "NORTHWIND BANK"}, {"Acme Bank", "ACME BANK"},
    {"Contoso Air", "C0NT0S0 AIR"},       /* O and 0 */
    {"First Bank", "F1RST BANK"},         /* I and 1 */
    {"Northwind Bank", "Northwlnd Bank"}, /* i and l, read in capitals */
    {"Northwind Bank", "NORTHWlND BANK"}, /* small l among capitals */
    {"Illinois Bank", "1LLIN0IS BANK"},   {"Modern Air", "MODERN AIR"},
    {"Modern Air", "Rnodern Air"},        /* rn and m, the capital R folded */
    {"Acme", "\u0410\u0441\u043C\u0435"}, /* Асме: its capitals АСМЕ read as ACME */
};

/* Names that stay apart: other letters, and the skeleton's drawn accents. */
static const char *const not_look_alike[][2] = {
    {"Contoso Air", "Contoso Aid"},
    {"First Bank", "Fist Bank"},
    {"Caf\u00E9 Z\u00FCrich", "Cafe Zurich"},
    {"\u0421\u0431\u0435\u0440\u0431\u0430\u043D\u043A", "Sberbank"}, /* Сбербанк */
    {"AT&T", "AT+T"},
};

static const char *
shared_key(const char *a, const char *b)
{
    static hm_confusable_keys ka, kb;

    if (hm_confusable_keys_of(a, &ka) != HALLMARK_OK ||
        hm_confusable_keys_of(b, &kb) != HALLMARK_OK) {
        return "(ICU failed)";
    }
    return hm_confusable_keys_shared(&ka, &kb);
}

TEST(confusable_keys_meet_in_any_case)
{
    hm_confusable_keys k;
    size_t i, j;

    for (i = 0; i < sizeof look_alike / sizeof look_alike[0]; i++) {
        for (j = 0; j < 2; j++) { /* the relation is symmetric */
            const char *a = look_alike[i][j], *b = look_alike[i][1 - j];
            if (shared_key(a, b) == NULL) {
                test_note("\"%s\" vs \"%s\": no shared key", a, b);
            }
            CHECK(shared_key(a, b) != NULL);
        }
    }
    for (i = 0; i < sizeof not_look_alike / sizeof not_look_alike[0]; i++) {
        const char *shared = shared_key(not_look_alike[i][0], not_look_alike[i][1]);
        if (shared != NULL) {
            test_note("pair %zu: both \"%s\"", i, shared);
        }
        CHECK(shared == NULL);
    }
    CHECK(strcmp(shared_key("CONTOSO AIR", "Contoso Air"), "contoso alr") == 0);
    CHECK_RC(hm_confusable_keys_of("Contoso Air", &k), HALLMARK_OK);
    CHECK(strcmp(k.key[0], "contoso air") == 0);
    CHECK(strcmp(k.key[1], "contoso air") == 0);
    CHECK(strcmp(k.key[2], "contoso alr") == 0);
    CHECK_RC(hm_confusable_keys_of(NULL, &k), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_confusable_keys_of("Acme", NULL), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_confusable_keys_of("Acme\xC0\xAF", &k), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(k.key[0][0] == '\0' && k.key[1][0] == '\0' && k.key[2][0] == '\0');
}

TEST(confusable_whole_script_refuses_non_latin_names_that_read_as_latin)
{
    char err[512];
    size_t k;

    for (k = 0; k < sizeof not_whole_script / sizeof not_whole_script[0]; k++) {
        hallmark_result rc = hm_confusable_whole_script(not_whole_script[k], err, sizeof err);

        if (rc != HALLMARK_OK) {
            test_note("\"%s\": %s", not_whole_script[k], err);
        }
        CHECK_RC(rc, HALLMARK_OK);
        CHECK(err[0] == '\0');
    }
    for (k = 0; k < sizeof whole_script / sizeof whole_script[0]; k++) {
        hallmark_result rc = hm_confusable_whole_script(whole_script[k].name, err, sizeof err);

        if (rc != HALLMARK_ERR_INVALID_ARGUMENT || strstr(err, whole_script[k].why) == NULL) {
            test_note("case %zu: got \"%s\", want \"%s\"", k, err, whole_script[k].why);
        }
        /* Every one of them passes the character and single-script rules: only this rule
         * stands between them and onboarding. */
        CHECK_RC(hm_display_name_check(whole_script[k].name, NULL, 0), HALLMARK_OK);
        CHECK_RC(rc, HALLMARK_ERR_INVALID_ARGUMENT);
        CHECK(strstr(err, whole_script[k].why) != NULL);
    }
    CHECK_RC(hm_confusable_whole_script(NULL, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(err, "display name is missing") == 0);
}
