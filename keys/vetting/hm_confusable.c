#include "hm_confusable.h"

#include <stdint.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>

#include "hm_errorf.h"
#include "hm_text.h"

/* A display name is at most 64 code points: 128 UTF-16 units. The skeleton of one code point
 * is a short prototype string; 16 units each is ample, and ICU reports an overflow otherwise. */
#define NAME_UTF16_CAP 256
#define SKEL_UTF16_CAP (16 * NAME_UTF16_CAP)
/* Full case mapping turns one code point into at most three (U+0390 to upper). */
#define MAPPED_UTF16_CAP (3 * NAME_UTF16_CAP)

/* Which spelling in case a key is taken of: UTS #39 maps "I" to "l" but "i" to "i", so the key
 * of "AIR" as written ("alr") misses "Air" ("air"); its lowercase form meets it. */
enum case_variant { AS_WRITTEN, LOWERCASE, UPPERCASE };

/* skeleton(fold(skeleton(text))): UTS #39 maps some capitals and small letters to different
 * prototypes ("M" stays "M", "m" becomes "rn"), so folding the skeleton and taking it again
 * gives one key for every spelling in case. text is UTF-16, text_len units. */
static hallmark_result
key_of_utf16(USpoofChecker *sc, const UChar *text, int32_t text_len, UChar *out, int32_t *out_len)
{
    UChar once[SKEL_UTF16_CAP], folded[SKEL_UTF16_CAP];
    int32_t once_len, folded_len;
    UErrorCode e = U_ZERO_ERROR;

    once_len = uspoof_getSkeleton(sc, 0, text, text_len, once, SKEL_UTF16_CAP, &e);
    folded_len = U_SUCCESS(e) ? u_strFoldCase(folded, SKEL_UTF16_CAP, once, once_len,
                                              U_FOLD_CASE_DEFAULT, &e)
                              : 0;
    *out_len =
        U_SUCCESS(e) ? uspoof_getSkeleton(sc, 0, folded, folded_len, out, SKEL_UTF16_CAP, &e) : 0;
    if (e == U_BUFFER_OVERFLOW_ERROR || e == U_STRING_NOT_TERMINATED_WARNING) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return U_FAILURE(e) ? HALLMARK_ERR_INTERNAL : HALLMARK_OK;
}

/* The key of one case variant of name, as UTF-8 into out (cap bytes). */
static hallmark_result
key_of_variant(USpoofChecker *sc, const UChar *text, int32_t text_len, enum case_variant variant,
               char *out, size_t cap)
{
    UChar mapped[MAPPED_UTF16_CAP], key[SKEL_UTF16_CAP];
    const UChar *src = text;
    int32_t src_len = text_len, key_len = 0, n = 0;
    UErrorCode e = U_ZERO_ERROR;
    hallmark_result rc;

    out[0] = '\0';
    if (variant != AS_WRITTEN) {
        src = mapped;
        src_len = variant == LOWERCASE
                      ? u_strToLower(mapped, MAPPED_UTF16_CAP, text, text_len, "", &e)
                      : u_strToUpper(mapped, MAPPED_UTF16_CAP, text, text_len, "", &e);
        if (e == U_BUFFER_OVERFLOW_ERROR || e == U_STRING_NOT_TERMINATED_WARNING) {
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        if (U_FAILURE(e)) {
            return HALLMARK_ERR_INTERNAL;
        }
    }
    if ((rc = key_of_utf16(sc, src, src_len, key, &key_len)) != HALLMARK_OK) {
        return rc;
    }
    (void)u_strToUTF8(out, (int32_t)cap, &n, key, key_len, &e);
    if (U_FAILURE(e) || (size_t)n >= cap) {
        out[0] = '\0';
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return HALLMARK_OK;
}

/* Computes count keys of name (AS_WRITTEN first) into out[i] (cap bytes each). */
static hallmark_result
keys_of(const char *name, char (*out)[HM_SKELETON_MAX], size_t count)
{
    static const enum case_variant variants[HM_CONFUSABLE_KEYS] = {AS_WRITTEN, LOWERCASE,
                                                                   UPPERCASE};
    UChar text[NAME_UTF16_CAP];
    int32_t text_len = 0;
    UErrorCode e = U_ZERO_ERROR;
    USpoofChecker *sc;
    hallmark_result rc = HALLMARK_OK;
    size_t i;

    for (i = 0; i < count; i++) {
        out[i][0] = '\0';
    }
    (void)u_strFromUTF8(text, NAME_UTF16_CAP, &text_len, name, -1, &e);
    if (U_FAILURE(e) || e == U_STRING_NOT_TERMINATED_WARNING) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    sc = uspoof_open(&e);
    if (U_FAILURE(e)) {
        return HALLMARK_ERR_INTERNAL;
    }
    for (i = 0; i < count && rc == HALLMARK_OK; i++) {
        rc = key_of_variant(sc, text, text_len, variants[i], out[i], HM_SKELETON_MAX);
    }
    uspoof_close(sc);
    if (rc != HALLMARK_OK) {
        for (i = 0; i < count; i++) {
            out[i][0] = '\0';
        }
    }
    return rc;
}

hallmark_result
hm_confusable_key(const char *name, char *out, size_t cap)
{
    char key[1][HM_SKELETON_MAX];
    hallmark_result rc;
    size_t n;

    if (name == NULL || out == NULL || cap == 0) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    out[0] = '\0';
    if ((rc = keys_of(name, key, 1)) != HALLMARK_OK) {
        return rc;
    }
    if ((n = strlen(key[0])) >= cap) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    memcpy(out, key[0], n + 1);
    return HALLMARK_OK;
}

hallmark_result
hm_confusable_keys_of(const char *name, hm_confusable_keys *out)
{
    if (name == NULL || out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return keys_of(name, out->key, HM_CONFUSABLE_KEYS);
}

const char *
hm_confusable_keys_shared(const hm_confusable_keys *a, const hm_confusable_keys *b)
{
    size_t i, j;

    for (i = 0; i < HM_CONFUSABLE_KEYS; i++) {
        for (j = 0; j < HM_CONFUSABLE_KEYS; j++) {
            if (a->key[i][0] != '\0' && strcmp(a->key[i], b->key[j]) == 0) {
                return a->key[i];
            }
        }
    }
    return NULL;
}

hallmark_result
hm_confusable_whole_script(const char *name, char *err, size_t err_cap)
{
    const unsigned char *s = (const unsigned char *)name;
    char key[HM_SKELETON_MAX];
    size_t i = 0, len, k;
    UScriptCode script = USCRIPT_COMMON;
    UErrorCode e = U_ZERO_ERROR;
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
        UChar32 c = hm_utf8_next(s, len, &i);
        UScriptCode sc;

        if (c < 0) {
            hm_errorf(err, err_cap, "display name is not valid UTF-8");
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        if (uscript_hasScript(c, USCRIPT_LATIN)) {
            return HALLMARK_OK; /* a Latin name, or one that shares a letter with Latin */
        }
        sc = uscript_getScript(c, &e);
        if (U_FAILURE(e)) {
            hm_errorf(err, err_cap, "display name check failed inside ICU (%s)", u_errorName(e));
            return HALLMARK_ERR_INTERNAL;
        }
        if (script == USCRIPT_COMMON && sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED) {
            script = sc;
        }
    }
    if (script == USCRIPT_COMMON) {
        return HALLMARK_OK; /* digits and symbols only: nothing to pass for */
    }
    if ((rc = hm_confusable_key(name, key, sizeof key)) != HALLMARK_OK) {
        hm_errorf(err, err_cap, "display name check failed inside ICU (confusable skeleton)");
        return rc == HALLMARK_ERR_INVALID_ARGUMENT ? HALLMARK_ERR_INTERNAL : rc;
    }
    for (k = 0; key[k] != '\0'; k++) {
        if ((unsigned char)key[k] >= 0x80) {
            return HALLMARK_OK;
        }
    }
    hm_errorf(err, err_cap,
              "display name is a whole-script confusable: its %s letters read as the Latin \"%s\" "
              "(UTS #39 skeleton); after review, onboard it with --allow-confusable --reason TEXT",
              uscript_getName(script), key);
    return HALLMARK_ERR_INVALID_ARGUMENT;
}
