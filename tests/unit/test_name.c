/* The onboarding check of brand display names (spec §5.2, spec/hallmark.md §5.2 ([HM-CRED-4])).
 * Every name accepted here must also pass the verifier's table-free re-check, or a credential that
 * hallmark-keys signed would make the whole bundle malformed. */
#include <string.h>

#include "hm_name.h"
#include "hm_text.h"
#include "test.h"

static const char *const accepted[] = {
    "Acme Bank",
    "Café Lumière", /* Latin with precomposed accents (NFC) */
    "Crédit Agricole",
    "Việt Nam Airlines",        /* stacked accents, precomposed */
    "Spin\u0308al Tap",         /* n + U+0308: no precomposed form, so NFC keeps it */
    "Τράπεζα Πειραιώς",         /* Greek */
    "Сбербанк",                 /* Cyrillic */
    "بنك مصر",                  /* Arabic */
    "بنك ١٠١",                  /* Arabic with Arabic-Indic digits */
    "בנק לאומי",                /* Hebrew */
    "भारतीय स्टेट बैंक",            /* Devanagari, with virama and vowel signs */
    "ธนาคารกรุงเทพ",             /* Thai */
    "საქართველოს ბანკი",        /* Georgian */
    "東京ガス",                 /* Han + Katakana (Jpan) */
    "みずほ銀行",               /* Hiragana + Han (Jpan) */
    "ラーメン一番",             /* Katakana, U+30FC (scx Hira Kana), Han */
    "ヤマト・ホールディングス", /* U+30FB katakana middle dot */
    "삼성電子",                 /* Hangul + Han (Kore) */
    "신한은행",                 /* Hangul */
    "中国银行",                 /* Han */
    "AT&T",
    "7-Eleven",
    "H&M",
    "Ben & Jerry's",
    "3M",
    "Acme 🚀", /* emoji are Common */
};

static const struct {
    const char *name, *why;
} refused[] = {
    /* Form */
    {"", "display name is empty"},
    {"Cafe\u0301", "display name is not in Unicode NFC (use \"Café\" composed)"},
    {"\u212Bngstr\u00F6m", "not in Unicode NFC (use \"Ångström\" composed)"}, /* Angstrom sign */
    /* Invalid UTF-8 */
    {"Acme\xC0\xAF", "not valid UTF-8 (byte 0xC0 at byte 5)"},         /* overlong '/' */
    {"Acme\xE0\x80\xAF", "not valid UTF-8 (byte 0xE0 at byte 5)"},     /* overlong, 3 bytes */
    {"Acme\xED\xA0\x80", "not valid UTF-8 (byte 0xED at byte 5)"},     /* surrogate U+D800 */
    {"Acme\xE2\x82", "not valid UTF-8 (byte 0xE2 at byte 5)"},         /* truncated */
    {"\x80Xerox", "not valid UTF-8 (byte 0x80 at byte 1)"},            /* lone continuation */
    {"Acme\xF4\x90\x80\x80", "not valid UTF-8 (byte 0xF4 at byte 5)"}, /* above U+10FFFF */
    {"Acme\xFF", "not valid UTF-8 (byte 0xFF at byte 5)"},
    /* Bidi controls, one of each class */
    {"Acme\u200EBank", "contains a bidi control U+200E at character 5"}, /* LRM */
    {"Acme\u200F", "contains a bidi control U+200F at character 5"},     /* RLM */
    {"\u061CAcme", "contains a bidi control U+061C at character 1"},     /* ALM */
    {"Acme\u202Aknab", "contains a bidi control U+202A at character 5"}, /* LRE */
    {"Acme\u202Eknab", "contains a bidi control U+202E at character 5"}, /* RLO */
    {"Acme\u2066Bank", "contains a bidi control U+2066 at character 5"}, /* LRI */
    {"Acme\u2067Bank", "contains a bidi control U+2067 at character 5"}, /* RLI */
    {"Acme\u2069", "contains a bidi control U+2069 at character 5"},     /* PDI */
    /* Invisible characters: the spec's list, then other Default_Ignorable_Code_Points */
    {"Acme\u200BBank", "contains an invisible character U+200B at character 5"}, /* ZWSP */
    {"Ac\u200Cme", "contains an invisible character U+200C at character 3"},     /* ZWNJ */
    {"Ac\u200Dme", "contains an invisible character U+200D at character 3"},     /* ZWJ */
    {"Acme\u2060", "contains an invisible character U+2060 at character 5"},     /* WJ */
    {"\uFEFFAcme", "contains an invisible character U+FEFF at character 1"},     /* BOM */
    {"Ac\u00ADme", "contains an invisible character U+00AD at character 3"},     /* SHY */
    {"Acme\u180E", "contains an invisible character U+180E at character 5"},
    {"\u3164", "contains an invisible character U+3164 at character 1"}, /* Hangul filler */
    {"\u115F\u1160", "contains an invisible character U+115F at character 1"},
    {"\uFFA0", "contains an invisible character U+FFA0 at character 1"}, /* halfwidth filler */
    {"Acme\u2764\uFE0F", "contains an invisible character U+FE0F at character 6"}, /* VS16 */
    {"Acme\u034F", "contains an invisible character U+034F at character 5"},       /* CGJ */
    /* Other format characters and controls */
    {"Acme\U000E0041", "contains a format character U+E0041 at character 5"}, /* tag */
    {"Acme\u2062", "contains a format character U+2062 at character 5"},      /* invisible times */
    {"Acme\x07", "contains a control character U+0007 at character 5"},       /* C0: BEL */
    {"Acme\tBank", "contains a control character U+0009 at character 5"},
    {"Acme\x7F", "contains a control character U+007F at character 5"},     /* DEL */
    {"Acme\xC2\x85", "contains a control character U+0085 at character 5"}, /* C1: NEL */
    {"Acme\xC2\x9B"
     "31m",
     "contains a control character U+009B at character 5"}, /* C1: CSI */
    {"Acme\u2028Bank", "contains a line or paragraph separator U+2028 at character 5"},
    /* Private use, unassigned, noncharacters */
    {"Acme\uE000", "contains a private-use character U+E000 at character 5"},
    {"Acme\U000F0000", "contains a private-use character U+F0000 at character 5"},
    {"Acme\u0378", "contains an unassigned code point U+0378 at character 5 (as of Unicode"},
    {"Acme\xEF\xBF\xBE", "contains a noncharacter U+FFFE at character 5"},
    {"Acme\xEF\xB7\x90", "contains a noncharacter U+FDD0 at character 5"},
    /* Whitespace */
    {" Acme", "starts with whitespace (U+0020)"},
    {"Acme ", "ends with whitespace (U+0020 at character 5)"},
    {"Acme Bank\u3000", "ends with whitespace (U+3000 at character 10)"},
    {"\u00A0Acme", "starts with whitespace (U+00A0)"},
    {"Acme  Bank", "has two spaces in a row (U+0020 U+0020 at character 5)"},
    {"Acme \u00A0Bank", "has two spaces in a row (U+0020 U+00A0 at character 5)"},
    {" ", "starts with whitespace (U+0020)"},
    /* Compatibility forms: the name must be its own NFKC form */
    {"\uFF21\uFF43\uFF4D\uFF45",
     "contains a compatibility character U+FF21 at character 1 (its NFKC form is \"A\"); write "
     "the plain form"}, /* fullwidth */
    {"\uFB01nance",
     "compatibility character U+FB01 at character 1 (its NFKC form is \"fi\")"}, /* ligature */
    {"\u24B6cme",
     "compatibility character U+24B6 at character 1 (its NFKC form is \"A\")"}, /* circled */
    {"\U0001D400cme", "compatibility character U+1D400 at character 1 (its NFKC form is \"A\")"},
    {"Acme\u2122", "compatibility character U+2122 at character 5 (its NFKC form is \"TM\")"},
    {"\uFF71\uFF78\uFF92",
     "compatibility character U+FF71 at character 1 (its NFKC form is \"\u30A2\")"},
    {"Acme\u00A0Bank", "compatibility character U+00A0 at character 5 (its NFKC form is \" \")"},
    {"H\u2082O", "compatibility character U+2082 at character 2 (its NFKC form is \"2\")"},
    /* Mixed scripts */
    {"P\u0430ypal", "mixes scripts: Latin and Cyrillic (U+0430 at character 2)"},
    {"\u0410cme", "mixes scripts: Cyrillic and Latin (U+0063 at character 2)"},
    {"Micr\u03BFsoft", "mixes scripts: Latin and Greek (U+03BF at character 5)"},
    {"G\u043E\u043Egle", "mixes scripts: Latin and Cyrillic (U+043E at character 2)"},
    {"NTTドコモ", "mixes scripts: Latin and Katakana (U+30C9 at character 4)"},
    {"Acmeー", "mixes scripts: Latin and Hiragana/Katakana (U+30FC at character 5)"},
    {"Acme、", "mixes scripts: Latin and Bopomofo/Han/Hangul/... (U+3001 at character 5)"},
    {"Acme\u060C Inc", "mixes scripts: Latin and Arabic/Syriac/Thaana/... (U+060C at"},
    {"삼성みずほ", "mixes scripts: Hangul and Hiragana (U+307F at character 3)"},
    {"東京ガス삼성", "mixes scripts: Japanese and Hangul (U+C0BC at character 5)"},
    {"Bank\u0661", "mixes scripts: Latin and Arabic/Thaana/Yezidi (U+0661 at character 5)"},
};

/* n copies of the UTF-8 character ch, NUL-terminated. */
static void
repeat(char *out, size_t cap, const char *ch, size_t n)
{
    size_t k, w = strlen(ch), used = 0;

    for (k = 0; k < n && used + w < cap; k++) {
        memcpy(out + used, ch, w);
        used += w;
    }
    out[used] = '\0';
}

TEST(display_name_accepts_single_script_names)
{
    char err[256];
    size_t k;

    for (k = 0; k < sizeof accepted / sizeof accepted[0]; k++) {
        hallmark_result rc = hm_display_name_check(accepted[k], err, sizeof err);

        if (rc != HALLMARK_OK) {
            test_note("\"%s\": %s", accepted[k], err);
        }
        CHECK_RC(rc, HALLMARK_OK);
        CHECK(err[0] == '\0');
        CHECK(hm_display_name_ok(accepted[k], strlen(accepted[k])));
    }
    test_note("%zu names accepted", k);
}

TEST(display_name_refuses_each_rule_with_a_reason)
{
    char err[256];
    size_t k;

    for (k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        hallmark_result rc = hm_display_name_check(refused[k].name, err, sizeof err);

        if (rc != HALLMARK_ERR_INVALID_ARGUMENT || strstr(err, refused[k].why) == NULL) {
            test_note("case %zu: got \"%s\", want \"%s\"", k, err, refused[k].why);
        }
        CHECK_RC(rc, HALLMARK_ERR_INVALID_ARGUMENT);
        CHECK(strstr(err, refused[k].why) != NULL);
        CHECK(strncmp(err, "display name ", 13) == 0);
        CHECK(strchr(err, '\n') == NULL);
    }
    test_note("%zu names refused", k);
    CHECK_RC(hm_display_name_check(NULL, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(err, "display name is missing") == 0);
}

TEST(display_name_counts_code_points_not_bytes)
{
    char name[512], err[256];

    repeat(name, sizeof name, "é", 64); /* 128 bytes */
    CHECK_RC(hm_display_name_check(name, err, sizeof err), HALLMARK_OK);
    repeat(name, sizeof name, "東", 64); /* 192 bytes */
    CHECK_RC(hm_display_name_check(name, err, sizeof err), HALLMARK_OK);
    repeat(name, sizeof name, "\U00020000", 64); /* 256 bytes, 128 UTF-16 units */
    CHECK_RC(hm_display_name_check(name, err, sizeof err), HALLMARK_OK);
    repeat(name, sizeof name, "e\u0301", 32); /* 64 code points in NFD: NFC suggested whole */
    CHECK_RC(hm_display_name_check(name, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "(use \"\u00E9\u00E9\u00E9") != NULL);
    repeat(name, sizeof name, "A", 64);
    CHECK_RC(hm_display_name_check(name, err, sizeof err), HALLMARK_OK);
    CHECK(hm_display_name_ok(name, strlen(name)));
    repeat(name, sizeof name, "é", 65);
    CHECK_RC(hm_display_name_check(name, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(err, "display name has 65 characters; at most 64") == 0);
    repeat(name, sizeof name, "A", 70);
    CHECK_RC(hm_display_name_check(name, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(err, "display name has 70 characters; at most 64") == 0);
    /* 64 code points, of which the last is a combining mark: still 64. */
    repeat(name, sizeof name, "n", 63);
    memcpy(name + 63, "\u0308", sizeof "\u0308");
    CHECK_RC(hm_display_name_check(name, err, sizeof err), HALLMARK_OK);
}

TEST(display_name_reports_the_first_offence_in_order)
{
    char err[256];

    /* Invalid UTF-8 anywhere comes before the length and character rules. */
    CHECK_RC(hm_display_name_check(" Acme\u200B\xFF", err, sizeof err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "not valid UTF-8") != NULL);
    /* Characters in reading order: the ZWSP before the trailing space. */
    CHECK_RC(hm_display_name_check("Ac\u200Bme ", err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "U+200B at character 3") != NULL);
    /* Trailing spaces are named as trailing, not as a run. */
    CHECK_RC(hm_display_name_check("Acme  ", err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "ends with whitespace (U+0020 at character 6)") != NULL);
    /* Character rules come before NFC, so the suggestion never shows a refused character. */
    CHECK_RC(hm_display_name_check("Cafe\u0301\u202E", err, sizeof err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "bidi control U+202E") != NULL);
}

TEST(display_name_message_is_always_terminated)
{
    char tiny[16];

    CHECK_RC(hm_display_name_check("Acme\u200B", NULL, 0), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_display_name_check("Acme\u200B", tiny, sizeof tiny), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(tiny, "display name co") == 0);
    /* A suggestion that would be cut is left out rather than cut inside a UTF-8 sequence. */
    CHECK_RC(hm_display_name_check("Cafe\u0301", tiny, sizeof tiny), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(tiny, "display name is") == 0);
    CHECK_RC(hm_display_name_check("Acme", tiny, 1), HALLMARK_OK);
    CHECK(tiny[0] == '\0');
}

/* What the verifier refuses without Unicode tables ([HM-CRED-5]), hallmark-keys refuses too:
 * otherwise a signed credential could make the whole bundle malformed. */
TEST(display_name_refuses_everything_the_verifier_refuses)
{
    char name[16], err[256];
    long cp, checked = 0;

    for (cp = 1; cp <= 0x10FFFF; cp++) {
        size_t n = 0;

        if (cp >= 0xD800 && cp <= 0xDFFF) {
            continue;
        }
        name[n++] = 'A';
        if (cp < 0x80) {
            name[n++] = (char)cp;
        } else if (cp < 0x800) {
            name[n++] = (char)(0xC0 | (cp >> 6));
            name[n++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            name[n++] = (char)(0xE0 | (cp >> 12));
            name[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            name[n++] = (char)(0x80 | (cp & 0x3F));
        } else {
            name[n++] = (char)(0xF0 | (cp >> 18));
            name[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            name[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            name[n++] = (char)(0x80 | (cp & 0x3F));
        }
        name[n] = '\0';
        if (hm_display_name_ok(name, n)) {
            continue;
        }
        checked++;
        if (hm_display_name_check(name, err, sizeof err) == HALLMARK_OK) {
            test_note("U+%04lX passes hallmark-keys but not the verifier", cp);
        }
        CHECK_RC(hm_display_name_check(name, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    }
    test_note("%ld code points the verifier refuses, all refused at onboarding", checked);
}
