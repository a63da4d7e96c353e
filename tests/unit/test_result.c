#include <string.h>

#include "test.h"

TEST(result_every_code_has_distinct_name_and_text)
{
    int a, b;

    for (a = 0; a <= (int)HALLMARK_RESULT_MAX; a++) {
        const char *name = hallmark_result_name((hallmark_result)a);
        hallmark_result back;

        CHECK(strcmp(name, "HALLMARK_UNKNOWN") != 0);
        CHECK(strcmp(hallmark_strerror((hallmark_result)a), "unknown result code") != 0);
        CHECK_RC(hallmark_result_from_name(name, &back), HALLMARK_OK);
        CHECK(back == (hallmark_result)a);
        for (b = 0; b < a; b++) {
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
