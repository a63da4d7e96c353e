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

/* skeleton(fold(skeleton(text))): UTS #39 maps some capitals and small letters to different
 * prototypes ("M" stays "M", "m" becomes "rn"), so folding the skeleton and taking it again
 * gives one key for every spelling in case. */
static hallmark_result
key_utf16(const char *name, UChar *out, int32_t *out_len)
{
    UChar text[NAME_UTF16_CAP], once[SKEL_UTF16_CAP], folded[SKEL_UTF16_CAP];
    int32_t text_len = 0, once_len, folded_len;
    UErrorCode e = U_ZERO_ERROR;
    USpoofChecker *sc;

    (void)u_strFromUTF8(text, NAME_UTF16_CAP, &text_len, name, -1, &e);
    if (U_FAILURE(e)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    sc = uspoof_open(&e);
    if (U_FAILURE(e)) {
        return HALLMARK_ERR_INTERNAL;
    }
    once_len = uspoof_getSkeleton(sc, 0, text, text_len, once, SKEL_UTF16_CAP, &e);
    folded_len = U_SUCCESS(e) ? u_strFoldCase(folded, SKEL_UTF16_CAP, once, once_len,
                                              U_FOLD_CASE_DEFAULT, &e)
                              : 0;
    *out_len =
        U_SUCCESS(e) ? uspoof_getSkeleton(sc, 0, folded, folded_len, out, SKEL_UTF16_CAP, &e) : 0;
    uspoof_close(sc);
    if (e == U_BUFFER_OVERFLOW_ERROR || e == U_STRING_NOT_TERMINATED_WARNING) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return U_FAILURE(e) ? HALLMARK_ERR_INTERNAL : HALLMARK_OK;
}

hallmark_result
hm_confusable_key(const char *name, char *out, size_t cap)
{
    UChar key[SKEL_UTF16_CAP];
    int32_t key_len = 0, n = 0;
    UErrorCode e = U_ZERO_ERROR;
    hallmark_result rc;

    if (name == NULL || out == NULL || cap == 0 || cap > INT32_MAX) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    out[0] = '\0';
    if ((rc = key_utf16(name, key, &key_len)) != HALLMARK_OK) {
        return rc;
    }
    (void)u_strToUTF8(out, (int32_t)cap, &n, key, key_len, &e);
    if (U_FAILURE(e) || (size_t)n >= cap) {
        out[0] = '\0';
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return HALLMARK_OK;
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
