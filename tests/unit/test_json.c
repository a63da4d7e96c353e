#include <string.h>

#include "hm_json.h"
#include "test.h"

static hallmark_result
parse(const char *s, size_t depth, json_t **out)
{
    return hm_json_parse_object((const unsigned char *)s, strlen(s), 4096, depth, out);
}

TEST(json_accepts_plain_objects)
{
    json_t *o = NULL;
    long long n = 0;
    size_t len = 0;

    CHECK_RC(parse("{\"a\":1,\"b\":{\"c\":[1,2]},\"s\":\"x\\\"{[\"}", 3, &o), HALLMARK_OK);
    CHECK(hm_json_uint(o, "a", &n) && n == 1);
    CHECK(strcmp(hm_json_string(o, "s", &len), "x\"{[") == 0 && len == 4);
    CHECK(hm_json_string(o, "a", NULL) == NULL);
    json_decref(o);
}

TEST(json_strict_rejections)
{
    static const char *const bad[] = {
        "{\"a\":1,\"a\":2}",         /* duplicate member */
        "{\"o\":{\"k\":1,\"k\":1}}", /* duplicate member, nested */
        "{\"a\":1} ",                /* fine as JSON, but see below: trailing space is ok */
    };
    json_t *o = NULL;

    CHECK_RC(parse(bad[0], 4, &o), HALLMARK_MALFORMED);
    CHECK(o == NULL);
    CHECK_RC(parse(bad[1], 4, &o), HALLMARK_MALFORMED);
    /* Whitespace after the value is JSON; anything else is trailing data. */
    CHECK_RC(parse(bad[2], 4, &o), HALLMARK_OK);
    json_decref(o);
    CHECK_RC(parse("{\"a\":1}x", 4, &o), HALLMARK_MALFORMED);
    CHECK_RC(parse("{\"a\":1}{}", 4, &o), HALLMARK_MALFORMED);
    CHECK_RC(parse("[1]", 4, &o), HALLMARK_MALFORMED);                 /* not an object */
    CHECK_RC(parse("\"s\"", 4, &o), HALLMARK_MALFORMED);               /* not an object */
    CHECK_RC(parse("{\"a\":\"\\u0000\"}", 4, &o), HALLMARK_MALFORMED); /* NUL in a string */
    CHECK_RC(parse("{\"a\":\"\xff\"}", 4, &o), HALLMARK_MALFORMED);    /* invalid UTF-8 */
    CHECK_RC(parse("{\"a\":1,}", 4, &o), HALLMARK_MALFORMED);
    CHECK_RC(parse("", 4, &o), HALLMARK_MALFORMED);
    CHECK(o == NULL);
}

TEST(json_depth_and_size_caps)
{
    char deep[4096];
    size_t i, n = 1000;
    json_t *o = NULL;

    CHECK_RC(parse("{\"a\":{\"b\":{\"c\":1}}}", 3, &o), HALLMARK_OK);
    json_decref(o);
    CHECK_RC(parse("{\"a\":{\"b\":{\"c\":1}}}", 2, &o), HALLMARK_MALFORMED);
    /* Brackets inside strings do not count. */
    CHECK_RC(parse("{\"a\":\"[[[[{{{{\"}", 1, &o), HALLMARK_OK);
    json_decref(o);
    /* A deeply nested document is refused before jansson sees it. */
    deep[0] = '{';
    memcpy(deep + 1, "\"a\":", 4);
    for (i = 0; i < n; i++) {
        deep[5 + i] = '[';
    }
    deep[5 + n] = '\0';
    CHECK(hm_json_depth((const unsigned char *)deep, strlen(deep), 8) == 9);
    CHECK_RC(parse(deep, 8, &o), HALLMARK_MALFORMED);
    CHECK_RC(hm_json_parse_object((const unsigned char *)"{\"a\":1}", 7, 6, 4, &o),
             HALLMARK_MALFORMED);
    CHECK_RC(hm_json_parse_object(NULL, 7, 6, 4, &o), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_json_parse_object((const unsigned char *)"{}", 2, 6, 4, NULL),
             HALLMARK_ERR_INVALID_ARGUMENT);
}

/* hm_json_shape as it read a byte at a time before it took memchr to strings: the reference. */
static size_t
shape_bytewise(const unsigned char *buf, size_t len, size_t max_depth, size_t *values)
{
    size_t depth = 0, deepest = 0, separators = 0, i;
    int in_string = 0, escaped = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = buf[i];

        if (in_string) {
            if (escaped) {
                escaped = 0;
            } else if (c == '\\') {
                escaped = 1;
            } else if (c == '"') {
                in_string = 0;
            }
            continue;
        }
        if (c == '"') {
            in_string = 1;
        } else if (c == '{' || c == '[') {
            separators += c == '[';
            depth++;
            if (depth > deepest) {
                deepest = depth;
                if (deepest > max_depth) {
                    return max_depth + 1;
                }
            }
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        } else if (c == ',' || c == ':') {
            separators++;
        }
    }
    *values = separators + 1;
    return deepest;
}

/* 20,000 random texts over the bytes that matter (quotes, backslashes at the end too, brackets,
 * separators): the same depth and value bound as the byte-at-a-time reading. */
TEST(json_shape_agrees_with_a_bytewise_reading)
{
    static const char alphabet[] = "\"\\{}[],:a ";
    unsigned char text[64];
    unsigned long seed = 12345;
    size_t n, i, len, want_values, got_values;

    for (n = 0; n < 20000; n++) {
        seed = seed * 6364136223846793005UL + 1442695040888963407UL;
        len = (size_t)(seed >> 33) % sizeof text;
        for (i = 0; i < len; i++) {
            seed = seed * 6364136223846793005UL + 1442695040888963407UL;
            text[i] = (unsigned char)alphabet[(seed >> 33) % (sizeof alphabet - 1)];
        }
        want_values = got_values = 0;
        CHECK(hm_json_shape(text, len, 4, &got_values) ==
              shape_bytewise(text, len, 4, &want_values));
        CHECK(got_values == want_values);
    }
}

TEST(json_uint_range)
{
    json_t *o = NULL;
    long long n = 0;

    CHECK_RC(parse("{\"a\":-1,\"b\":1.0,\"c\":9007199254740991,\"d\":9007199254740992,"
                   "\"e\":\"1\"}",
                   2, &o),
             HALLMARK_OK);
    CHECK(!hm_json_uint(o, "a", &n));
    CHECK(!hm_json_uint(o, "b", &n));
    CHECK(hm_json_uint(o, "c", &n) && n == 9007199254740991LL);
    CHECK(!hm_json_uint(o, "d", &n));
    CHECK(!hm_json_uint(o, "e", &n));
    CHECK(!hm_json_uint(o, "missing", &n));
    json_decref(o);
}
