#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

/* Values reserved, no codes of this build: 48, 54 and 55 for the rest of issue 22, 62-63 and
 * 70-72 and 76 for later work. Each change that takes one removes it from this list. */
static const int reserved_codes[] = {48, 54, 55, 62, 63, 70, 71, 72, 76};

#define GAP_CODES ((int)(sizeof reserved_codes / sizeof reserved_codes[0]))

static int
is_code(int c)
{
    int i;

    for (i = 0; i < GAP_CODES; i++) {
        if (c == reserved_codes[i]) {
            return 0;
        }
    }
    return 1;
}

TEST(result_every_code_has_distinct_name_and_text)
{
    int a, b;

    for (a = 0; a <= (int)HALLMARK_RESULT_MAX; a++) {
        const char *name = hallmark_result_name((hallmark_result)a);
        hallmark_result back;

        if (!is_code(a)) {
            CHECK(strcmp(name, "HALLMARK_UNKNOWN") == 0);
            continue;
        }
        CHECK(strcmp(name, "HALLMARK_UNKNOWN") != 0);
        CHECK(strcmp(hallmark_strerror((hallmark_result)a), "unknown result code") != 0);
        CHECK_RC(hallmark_result_from_name(name, &back), HALLMARK_OK);
        CHECK(back == (hallmark_result)a);
        for (b = 0; b < a; b++) {
            if (!is_code(b)) {
                continue;
            }
            CHECK(strcmp(name, hallmark_result_name((hallmark_result)b)) != 0);
            CHECK(strcmp(hallmark_strerror((hallmark_result)a),
                         hallmark_strerror((hallmark_result)b)) != 0);
        }
    }
}

TEST(result_values_are_pinned)
{
    /* Values are ABI and appear in the test vectors: a renumbering must fail here. */
    CHECK(HALLMARK_OK == 0);
    CHECK(HALLMARK_ERR_INVALID_KEY == 5);
    CHECK(HALLMARK_VERIFIED == 6);
    CHECK(HALLMARK_BODY_MODIFIED == 23);
    CHECK(HALLMARK_BUNDLE_ROLLBACK == 33);
    CHECK(HALLMARK_ERR_CORRUPT == 36);
    CHECK(HALLMARK_ERR_UNAVAILABLE == 44);
    CHECK(HALLMARK_SENDER_CONTESTED == 45);
    CHECK(HALLMARK_VERIFIED_DOMAIN == 46);
    CHECK(HALLMARK_SENDER_ALWAYS_SIGNED == 47);
    CHECK(HALLMARK_SUBJECT_MODIFIED == 49);
    CHECK(HALLMARK_REPLY_TO_MISMATCH == 50);
    CHECK(HALLMARK_REPLY_TO_NOT_AUTHORIZED == 51);
    CHECK(HALLMARK_SIGNED_SUBJECT == 1 && HALLMARK_SIGNED_REPLY_TO == 2 &&
          HALLMARK_SIGNED_BODY_RENDERING == 4);
    CHECK(HALLMARK_UI_DOMAIN == 5);
    CHECK(HALLMARK_ERR_API_REPLACED == 56);
    CHECK(HALLMARK_ERR_STATE_INVALID == 57);
    CHECK(HALLMARK_BUNDLE_WRONG_PLATFORM == 58);
    CHECK(HALLMARK_BUNDLE_PUBLISHER_SUPERSEDED == 59);
    CHECK(HALLMARK_BUNDLE_ROOT_FORKED == 60);
    CHECK(HALLMARK_STATUS_INVALID == 64);
    CHECK(HALLMARK_STATUS_OTHER_BUNDLE == 65);
    CHECK(HALLMARK_STATUS_ROLLBACK == 66);
    CHECK(HALLMARK_STATUS_STALE == 67);
    CHECK(HALLMARK_CLOCK_BEHIND == 68);
    CHECK(HALLMARK_DELIVERY_TOO_LATE == 69);
    CHECK(HALLMARK_RESULT_MAX == 76);
    CHECK(strcmp(hallmark_result_name(HALLMARK_VERIFIED), "HALLMARK_VERIFIED") == 0);
}

TEST(result_unknown_code_and_bad_names)
{
    hallmark_result out = HALLMARK_OK;

    CHECK(strcmp(hallmark_strerror((hallmark_result)999), "unknown result code") == 0);
    CHECK(strcmp(hallmark_result_name((hallmark_result)-1), "HALLMARK_UNKNOWN") == 0);
    CHECK_RC(hallmark_result_from_name("HALLMARK_NOPE", &out), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_result_from_name(NULL, &out), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hallmark_result_from_name("HALLMARK_OK", NULL), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(hallmark_version(), HALLMARK_VERSION_STRING) == 0);
}

/* The UI class a cell of the "App shows" column of spec §8 names ([HM-RESULT-8]). */
static const char *
ui_of_cell(const char *cell, size_t len)
{
    static const struct {
        const char *prefix, *ui;
    } classes[] = {{"Checkmark", "checkmark"}, {"Neutral", "neutral"}, {"Warning", "warning"},
                   {"API error", "api-error"}, {"Domain", "domain"},   {"(", "none"}};
    size_t i;

    for (i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        size_t n = strlen(classes[i].prefix);
        if (len >= n && memcmp(cell, classes[i].prefix, n) == 0) {
            return classes[i].ui;
        }
    }
    return "(unrecognized cell)";
}

/* [HM-RESULT-44]: a cell "Warning; Neutral on `email` and `sms`" gives the class on those two
 * channels; every other cell is one class on every channel. */
static int
channel_classes_agree(hallmark_result code, const char *cell, size_t len)
{
    static const char tolerant[] = "Warning; Neutral on `email` and `sms`";
    static const char *const channels[] = {"email", "sms",      "push",  "inapp",
                                           "rcs",   "whatsapp", "x-new", NULL};
    int two = len == sizeof tolerant - 1 && memcmp(cell, tolerant, len) == 0;
    size_t i;

    for (i = 0; i < sizeof channels / sizeof channels[0]; i++) {
        hallmark_ui want = two && i < 2 ? HALLMARK_UI_NEUTRAL : hallmark_ui_class(code);
        if (hallmark_ui_class_on(code, channels[i]) != want) {
            return 0;
        }
    }
    return 1;
}

/* The spec's table of §8 is the one source of the UI classes: every row's class must be the C
 * library's, and every code of hallmark_result must have a row. */
TEST(result_ui_class_follows_the_spec_table)
{
    unsigned char *spec = test_read_file("spec/hallmark.md", NULL);
    const char *p = NULL, *end = NULL, *line, *problem = NULL;
    int seen[HALLMARK_RESULT_MAX + 1] = {0}, rows = 0, code;

    if (spec != NULL && (p = strstr((const char *)spec, "\n## 8 Results")) != NULL) {
        end = strstr(p, "\n## 9 ");
    }
    if (end == NULL) {
        free(spec);
        test_note("spec/hallmark.md or its section 8 not found (run from the repository root)");
        CHECK(end != NULL);
    }
    for (line = p; problem == NULL && line != NULL && line < end; line = strchr(line + 1, '\n')) {
        char name[64];
        const char *last, *stop = strchr(line + 1, '\n'), *cell, *ui;
        int n = 0;

        if (stop == NULL || sscanf(line + 1, "| %d | `%63[A-Z_]` |%n", &code, name, &n) != 2 ||
            n == 0) {
            continue;
        }
        for (last = stop - 2; last > line && *last != '|'; last--) {
        }
        cell = last + 2; /* the row ends "| cell |" */
        ui = ui_of_cell(cell, (size_t)(stop - cell - 2));
        rows++;
        if (code < 0 || code > (int)HALLMARK_RESULT_MAX) {
            test_note("row %d (%s) names no code of hallmark_result", code, name);
            problem = "a row names a code the library does not have";
        } else if (strcmp(hallmark_result_name((hallmark_result)code), name) != 0 ||
                   strcmp(hallmark_ui_class_name(hallmark_ui_class((hallmark_result)code)), ui) !=
                       0) {
            test_note("%s: the table says %s, the library %s %s", name, ui,
                      hallmark_result_name((hallmark_result)code),
                      hallmark_ui_class_name(hallmark_ui_class((hallmark_result)code)));
            problem = "the name or UI class differs from the spec's table";
        } else if (!channel_classes_agree((hallmark_result)code, cell, (size_t)(stop - cell - 2))) {
            test_note("%s: the class on email, sms or push differs from the table", name);
            problem = "a class on a channel differs from the spec's table ([HM-RESULT-44])";
        } else {
            seen[code] = 1;
        }
    }
    free(spec);
    CHECK(problem == NULL);
    for (code = 0; code <= (int)HALLMARK_RESULT_MAX; code++) {
        if (!is_code(code)) {
            CHECK(!seen[code]);
            continue;
        }
        if (!seen[code]) {
            test_note("%s has no row in the table of spec section 8",
                      hallmark_result_name((hallmark_result)code));
        }
        CHECK(seen[code]);
    }
    CHECK(rows == (int)HALLMARK_RESULT_MAX + 1 - GAP_CODES);
}

TEST(result_ui_class_of_unknown_values_is_neutral)
{
    int code, checkmarks = 0;

    for (code = 0; code <= (int)HALLMARK_RESULT_MAX; code++) {
        checkmarks += hallmark_ui_class((hallmark_result)code) == HALLMARK_UI_CHECKMARK;
    }
    CHECK(checkmarks == 1 && hallmark_ui_class(HALLMARK_VERIFIED) == HALLMARK_UI_CHECKMARK);
    /* [HM-RESULT-40]: a basic brand's pass is "signed by" its domain, never a checkmark. */
    CHECK(hallmark_ui_class(HALLMARK_VERIFIED_DOMAIN) == HALLMARK_UI_DOMAIN);
    /* [HM-RESULT-41]: a message missing the token its sender always sends is a warning. */
    CHECK(hallmark_ui_class(HALLMARK_SENDER_ALWAYS_SIGNED) == HALLMARK_UI_WARNING);
    CHECK(strcmp(hallmark_ui_class_name(HALLMARK_UI_DOMAIN), "domain") == 0);
    CHECK(hallmark_ui_class((hallmark_result)-1) == HALLMARK_UI_NEUTRAL);
    CHECK(hallmark_ui_class((hallmark_result)(HALLMARK_RESULT_MAX + 1)) == HALLMARK_UI_NEUTRAL);
    CHECK(hallmark_ui_class((hallmark_result)999) == HALLMARK_UI_NEUTRAL);
    CHECK(HALLMARK_UI_NEUTRAL == 0); /* a zeroed value is never a checkmark */
    CHECK(strcmp(hallmark_ui_class_name(HALLMARK_UI_CHECKMARK), "checkmark") == 0);
    CHECK(strcmp(hallmark_ui_class_name(HALLMARK_UI_NEUTRAL), "neutral") == 0);
    CHECK(strcmp(hallmark_ui_class_name(HALLMARK_UI_WARNING), "warning") == 0);
    CHECK(strcmp(hallmark_ui_class_name(HALLMARK_UI_API_ERROR), "api-error") == 0);
    CHECK(strcmp(hallmark_ui_class_name(HALLMARK_UI_NONE), "none") == 0);
    CHECK(strcmp(hallmark_ui_class_name((hallmark_ui)77), "neutral") == 0);
}

/* [HM-RESULT-44]: a transport change is neutral on e-mail and SMS, a warning where the platform
 * carries exact bytes; nothing else depends on the channel, and nothing becomes a checkmark. */
TEST(result_ui_class_on_channel_tolerates_email_and_sms_changes)
{
    static const hallmark_result transport[] = {HALLMARK_BODY_MODIFIED, HALLMARK_RECIPIENT_MISMATCH,
                                                HALLMARK_SUBJECT_MODIFIED,
                                                HALLMARK_REPLY_TO_MISMATCH};
    size_t i;
    int code;

    for (i = 0; i < sizeof transport / sizeof transport[0]; i++) {
        CHECK(hallmark_ui_class_on(transport[i], "email") == HALLMARK_UI_NEUTRAL);
        CHECK(hallmark_ui_class_on(transport[i], "sms") == HALLMARK_UI_NEUTRAL);
        CHECK(hallmark_ui_class_on(transport[i], "push") == HALLMARK_UI_WARNING);
        CHECK(hallmark_ui_class_on(transport[i], "whatsapp") == HALLMARK_UI_WARNING);
        CHECK(hallmark_ui_class_on(transport[i], "EMAIL") == HALLMARK_UI_WARNING);
        CHECK(hallmark_ui_class_on(transport[i], NULL) == HALLMARK_UI_WARNING);
        CHECK(hallmark_ui_class(transport[i]) == HALLMARK_UI_WARNING);
    }
    CHECK(hallmark_ui_class_on(HALLMARK_REPLY_TO_NOT_AUTHORIZED, "email") == HALLMARK_UI_WARNING);
    CHECK(hallmark_ui_class_on(HALLMARK_BAD_SIGNATURE, "sms") == HALLMARK_UI_WARNING);
    CHECK(hallmark_ui_class_on(HALLMARK_VERIFIED, "sms") == HALLMARK_UI_CHECKMARK);
    CHECK(hallmark_ui_class_on((hallmark_result)999, "email") == HALLMARK_UI_NEUTRAL);
    for (code = 0; code <= (int)HALLMARK_RESULT_MAX; code++) {
        CHECK((hallmark_ui_class_on((hallmark_result)code, "email") == HALLMARK_UI_CHECKMARK) ==
              (code == HALLMARK_VERIFIED));
    }
}
