#include "hm_name.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf16.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>

#include "hm_text.h"
#include "hm_errorf.h"

/* The name in UTF-16 (at most two units per code point), and its NFC form: NFC can make a
 * string up to three times longer (UAX #15 §13), and each UTF-16 unit is at most three UTF-8
 * bytes. */
#define NAME_UTF16_CAP (2 * HM_DISPLAY_NAME_MAX)
#define NFC_UTF16_CAP (3 * NAME_UTF16_CAP)
#define NFC_UTF8_CAP (3 * NFC_UTF16_CAP)

/* Script codes held in a script_set; ICU 72 has 200 (checked at run time). */
#define SCRIPT_WORDS 4
#define SCRIPT_CODES (64 * SCRIPT_WORDS)
/* Room for one character's Script_Extensions; the longest in Unicode 15 has about 20. */
#define SCX_CAP 64

typedef struct script_set {
    uint64_t bits[SCRIPT_WORDS];
} script_set;

static hallmark_result
icu_failed(UErrorCode e, char *err, size_t err_cap)
{
    hm_errorf(err, err_cap, "display name check failed inside ICU (%s)", u_errorName(e));
    return HALLMARK_ERR_INTERNAL;
}

/* The bidi controls of [HM-CRED-3]. */
static int
is_bidi_control(UChar32 c)
{
    return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
           (c >= 0x2066 && c <= 0x2069);
}

/* The invisible characters listed by [HM-CRED-3]. */
static int
is_listed_invisible(UChar32 c)
{
    return c == 0x00AD || c == 0x115F || c == 0x1160 || c == 0x180E ||
           (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0x3164 || c == 0xFEFF;
}

/* What makes c unfit for a display name ("a bidi control", ...), or NULL if nothing does. The
 * spec's own lists come first so that the message uses the spec's words. */
static const char *
forbidden_kind(UChar32 c)
{
    if (is_bidi_control(c)) {
        return "a bidi control";
    }
    if (is_listed_invisible(c)) {
        return "an invisible character";
    }
    switch (u_charType(c)) {
    case U_CONTROL_CHAR:
        return "a control character";
    case U_FORMAT_CHAR:
        return "a format character";
    case U_PRIVATE_USE_CHAR:
        return "a private-use character";
    case U_SURROGATE:
        return "a surrogate";
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
        return "a line or paragraph separator";
    case U_UNASSIGNED:
        return u_hasBinaryProperty(c, UCHAR_NONCHARACTER_CODE_POINT) ? "a noncharacter"
                                                                     : "an unassigned code point";
    default:
        break;
    }
    /* Variation selectors, Hangul fillers, combining grapheme joiner...: drawn as nothing. */
    if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) {
        return "an invisible character";
    }
    return NULL;
}

/* Character and whitespace rules, in one pass so that the first offence in reading order is
 * the one reported. s is valid UTF-8 of 1..64 code points. */
static hallmark_result
check_characters(const unsigned char *s, size_t len, char *err, size_t err_cap)
{
    size_t i = 0, n;
    int prev_space = 0;
    UChar32 prev = 0;

    for (n = 1; i < len; n++) {
        UChar32 c = hm_utf8_next(s, len, &i);
        const char *kind = forbidden_kind(c);
        int space = u_isUWhiteSpace(c) != 0;

        if (kind != NULL) {
            /* Unassigned is relative to ICU's tables; noncharacters are for ever. */
            if (u_charType(c) == U_UNASSIGNED &&
                !u_hasBinaryProperty(c, UCHAR_NONCHARACTER_CODE_POINT)) {
                UVersionInfo v;
                u_getUnicodeVersion(v);
                hm_errorf(err, err_cap,
                          "display name contains %s U+%04X at character %zu (as of Unicode %u.%u)",
                          kind, (unsigned)c, n, (unsigned)v[0], (unsigned)v[1]);
            } else {
                hm_errorf(err, err_cap, "display name contains %s U+%04X at character %zu", kind,
                          (unsigned)c, n);
            }
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        if (space && n == 1) {
            hm_errorf(err, err_cap, "display name starts with whitespace (U+%04X)", (unsigned)c);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        if (space && i == len) {
            hm_errorf(err, err_cap, "display name ends with whitespace (U+%04X at character %zu)",
                      (unsigned)c, n);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        if (space && prev_space) {
            hm_errorf(
                err, err_cap,
                "display name has two spaces in a row (U+%04X U+%04X at character %zu); use one",
                (unsigned)prev, (unsigned)c, n - 1);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        prev_space = space;
        prev = c;
    }
    return HALLMARK_OK;
}

static hallmark_result
check_nfc(const char *name, size_t len, char *err, size_t err_cap)
{
    UChar text[NAME_UTF16_CAP], nfc[NFC_UTF16_CAP];
    char composed[NFC_UTF8_CAP];
    int32_t text_len = 0, nfc_len, composed_len = 0;
    UErrorCode e = U_ZERO_ERROR;
    const UNormalizer2 *norm = unorm2_getNFCInstance(&e);
    UBool normalized;

    if (U_FAILURE(e)) {
        return icu_failed(e, err, err_cap);
    }
    (void)u_strFromUTF8(text, NAME_UTF16_CAP, &text_len, name, (int32_t)len, &e);
    if (U_FAILURE(e)) {
        return icu_failed(e, err, err_cap);
    }
    normalized = unorm2_isNormalized(norm, text, text_len, &e);
    if (U_FAILURE(e)) {
        return icu_failed(e, err, err_cap);
    }
    if (normalized) {
        return HALLMARK_OK;
    }
    /* Suggest the NFC form only when all of it fits: a cut UTF-8 sequence would mislead. */
    nfc_len = unorm2_normalize(norm, text, text_len, nfc, NFC_UTF16_CAP, &e);
    if (U_SUCCESS(e)) {
        (void)u_strToUTF8(composed, NFC_UTF8_CAP, &composed_len, nfc, nfc_len, &e);
    }
    if (U_SUCCESS(e) && err != NULL && err_cap > 0) {
        int w = snprintf(err, err_cap, "display name is not in Unicode NFC (use \"%.*s\" composed)",
                         (int)composed_len, composed);
        if (w >= 0 && (size_t)w < err_cap) {
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
    }
    hm_errorf(err, err_cap, "display name is not in Unicode NFC");
    return HALLMARK_ERR_INVALID_ARGUMENT;
}

/* One code point normalized by norm, as UTF-16; -1 on an ICU error. */
static int32_t
normalize_one(const UNormalizer2 *norm, UChar32 c, UChar *out, int32_t cap, UErrorCode *e)
{
    UChar one[2];
    int32_t n = 0;

    U16_APPEND_UNSAFE(one, n, c);
    n = unorm2_normalize(norm, one, n, out, cap, e);
    return U_FAILURE(*e) ? -1 : n;
}

/* [HM-CRED-4]: no compatibility character (fullwidth and halfwidth forms, ligatures, circled
 * and styled letters, superscripts, U+00A0 ...): the name must be its own NFKC form. The name is
 * NFC here, so it is NFKC exactly when no single code point has a compatibility decomposition,
 * and the first such code point is the one named. */
static hallmark_result
check_nfkc(const unsigned char *s, size_t len, char *err, size_t err_cap)
{
    UErrorCode e = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&e), *nfkc = unorm2_getNFKCInstance(&e);
    size_t i = 0, n;

    if (U_FAILURE(e)) {
        return icu_failed(e, err, err_cap);
    }
    for (n = 1; i < len; n++) {
        UChar32 c = hm_utf8_next(s, len, &i);
        UChar a[32], b[32];
        int32_t a_len = normalize_one(nfc, c, a, 32, &e), b_len = normalize_one(nfkc, c, b, 32, &e);
        char plain[128];
        int32_t plain_len = 0;

        if (U_FAILURE(e)) {
            return icu_failed(e, err, err_cap);
        }
        if (a_len == b_len && memcmp(a, b, (size_t)a_len * sizeof a[0]) == 0) {
            continue;
        }
        (void)u_strToUTF8(plain, (int32_t)sizeof plain, &plain_len, b, b_len, &e);
        if (U_FAILURE(e) || (size_t)plain_len >= sizeof plain) {
            return icu_failed(U_FAILURE(e) ? e : U_BUFFER_OVERFLOW_ERROR, err, err_cap);
        }
        hm_errorf(err, err_cap,
                  "display name contains a compatibility character U+%04X at character %zu (its "
                  "NFKC form is \"%s\"); write the plain form",
                  (unsigned)c, n, plain);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return HALLMARK_OK;
}

static void
set_add(script_set *s, UScriptCode code)
{
    s->bits[(unsigned)code / 64] |= (uint64_t)1 << ((unsigned)code % 64);
}

static int
set_has(const script_set *s, int code)
{
    return (s->bits[(unsigned)code / 64] >> ((unsigned)code % 64)) & 1;
}

/* acc &= with; 1 if acc is still non-empty. */
static int
set_intersect(script_set *acc, const script_set *with)
{
    uint64_t any = 0;
    int k;

    for (k = 0; k < SCRIPT_WORDS; k++) {
        acc->bits[k] &= with->bits[k];
        any |= acc->bits[k];
    }
    return any != 0;
}

/* The UTS #39 augmented script set of c: its Script_Extensions, plus Jpan (Han, Hiragana,
 * Katakana), Kore (Han, Hangul) and Hanb (Han, Bopomofo) where one of their parts is there.
 * *all is 1 for Common and Inherited, which go with every script. */
static hallmark_result
augmented_scripts(UChar32 c, script_set *out, int *all, char *err, size_t err_cap)
{
    UScriptCode scx[SCX_CAP];
    UErrorCode e = U_ZERO_ERROR;
    int32_t n = uscript_getScriptExtensions(c, scx, SCX_CAP, &e), k;

    memset(out, 0, sizeof *out);
    *all = 0;
    if (U_FAILURE(e) || n <= 0) {
        return icu_failed(U_FAILURE(e) ? e : U_INTERNAL_PROGRAM_ERROR, err, err_cap);
    }
    for (k = 0; k < n; k++) {
        if (scx[k] == USCRIPT_COMMON || scx[k] == USCRIPT_INHERITED) {
            *all = 1;
            return HALLMARK_OK;
        }
        if ((int)scx[k] < 0 || (int)scx[k] >= SCRIPT_CODES) {
            return icu_failed(U_INTERNAL_PROGRAM_ERROR, err, err_cap);
        }
        set_add(out, scx[k]);
    }
    if (set_has(out, USCRIPT_HAN)) {
        set_add(out, USCRIPT_HAN_WITH_BOPOMOFO);
        set_add(out, USCRIPT_JAPANESE);
        set_add(out, USCRIPT_KOREAN);
    }
    if (set_has(out, USCRIPT_HIRAGANA) || set_has(out, USCRIPT_KATAKANA)) {
        set_add(out, USCRIPT_JAPANESE);
    }
    if (set_has(out, USCRIPT_HANGUL)) {
        set_add(out, USCRIPT_KOREAN);
    }
    if (set_has(out, USCRIPT_BOPOMOFO)) {
        set_add(out, USCRIPT_HAN_WITH_BOPOMOFO);
    }
    return HALLMARK_OK;
}

static int
is_augmentation(int code)
{
    return code == USCRIPT_JAPANESE || code == USCRIPT_KOREAN || code == USCRIPT_HAN_WITH_BOPOMOFO;
}

/* ICU has no long names for the augmentations (uscript_getName gives "Jpan"). */
static const char *
script_name(int code)
{
    switch (code) {
    case USCRIPT_JAPANESE:
        return "Japanese";
    case USCRIPT_KOREAN:
        return "Korean";
    case USCRIPT_HAN_WITH_BOPOMOFO:
        return "Han with Bopomofo";
    default:
        return uscript_getName((UScriptCode)code);
    }
}

/* Names s for a reader: its real scripts ("Hiragana/Katakana"), at most three then "/...";
 * the augmentations only when nothing else is left (a resolved set of just Jpan). */
static void
describe_set(const script_set *s, char *out, size_t cap)
{
    size_t used = 0;
    int pass, code, shown = 0;

    out[0] = '\0';
    for (pass = 0; pass < 2 && shown == 0; pass++) {
        for (code = 0; code < SCRIPT_CODES; code++) {
            const char *name;
            size_t k;

            if (!set_has(s, code) || is_augmentation(code) != (pass == 1)) {
                continue;
            }
            if (shown == 3) {
                (void)snprintf(out + used, cap - used, "/...");
                return;
            }
            name = script_name(code);
            if (shown > 0 && used + 1 < cap) {
                out[used++] = '/';
            }
            for (k = 0; name != NULL && name[k] != '\0' && used + 1 < cap; k++) {
                out[used++] = name[k] == '_' ? ' ' : name[k];
            }
            out[used] = '\0';
            shown++;
        }
    }
}

/* UTS #39 §5.1: the name is single-script when the intersection of the augmented script sets of
 * all its characters is not empty. */
static hallmark_result
check_single_script(const unsigned char *s, size_t len, char *err, size_t err_cap)
{
    script_set resolved, cur;
    int resolved_all = 1, cur_all;
    size_t i = 0, n;
    hallmark_result rc;

    memset(&resolved, 0, sizeof resolved);
    if (u_getIntPropertyMaxValue(UCHAR_SCRIPT) >= SCRIPT_CODES) {
        return icu_failed(U_INTERNAL_PROGRAM_ERROR, err, err_cap);
    }
    for (n = 1; i < len; n++) {
        UChar32 c = hm_utf8_next(s, len, &i);
        script_set before = resolved;

        if ((rc = augmented_scripts(c, &cur, &cur_all, err, err_cap)) != HALLMARK_OK) {
            return rc;
        }
        if (cur_all) {
            continue;
        }
        if (resolved_all) {
            resolved = cur;
            resolved_all = 0;
            continue;
        }
        if (!set_intersect(&resolved, &cur)) {
            char was[128], now[128];

            describe_set(&before, was, sizeof was);
            describe_set(&cur, now, sizeof now);
            hm_errorf(err, err_cap,
                      "display name mixes scripts: %s and %s (U+%04X at character %zu)", was, now,
                      (unsigned)c, n);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
    }
    return HALLMARK_OK;
}

hallmark_result
hm_display_name_check(const char *name, char *err, size_t err_cap)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t len, i = 0, count = 0;
    hallmark_result rc;

    if (err != NULL && err_cap > 0) {
        err[0] = '\0';
    }
    if (name == NULL) {
        hm_errorf(err, err_cap, "display name is missing");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    len = strlen(name);
    while (i < len) {
        size_t at = i;

        if (hm_utf8_next(s, len, &i) < 0) {
            hm_errorf(err, err_cap, "display name is not valid UTF-8 (byte 0x%02X at byte %zu)",
                      s[at], at + 1);
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        count++;
    }
    if (count == 0) {
        hm_errorf(err, err_cap, "display name is empty");
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (count > HM_DISPLAY_NAME_MAX) {
        hm_errorf(err, err_cap, "display name has %zu characters; at most %u", count,
                  HM_DISPLAY_NAME_MAX);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if ((rc = check_characters(s, len, err, err_cap)) != HALLMARK_OK ||
        (rc = check_nfc(name, len, err, err_cap)) != HALLMARK_OK ||
        (rc = check_nfkc(s, len, err, err_cap)) != HALLMARK_OK ||
        (rc = check_single_script(s, len, err, err_cap)) != HALLMARK_OK) {
        return rc;
    }
    return HALLMARK_OK;
}
