#include "hm_json.h"

#include <string.h>

/* The index just past the string whose contents start at buf[i] (its closing quote), or len if
 * it does not close: memchr finds the quote and any backslash before it, where a byte at a time
 * made this pass a sixth of reading a bundle's brand entries, mostly inside their credentials. */
static size_t
string_end(const unsigned char *buf, size_t len, size_t i)
{
    while (i < len) {
        const unsigned char *quote = memchr(buf + i, '"', len - i), *escape;

        if (quote == NULL) {
            return len;
        }
        escape = memchr(buf + i, '\\', (size_t)(quote - (buf + i)));
        if (escape == NULL) {
            return (size_t)(quote - buf) + 1;
        }
        i = (size_t)(escape - buf) + 2; /* the escaped byte, a quote too, is passed over */
    }
    return len;
}

size_t
hm_json_shape(const unsigned char *buf, size_t len, size_t max_depth, size_t *values)
{
    size_t depth = 0, deepest = 0, separators = 0, i = 0;

    while (i < len) {
        unsigned char c = buf[i++];

        if (c == '"') {
            i = string_end(buf, len, i);
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
    if (values != NULL) {
        /* Every value but the outermost follows a '[', a ',' or a ':' outside strings. */
        *values = separators + 1;
    }
    return deepest;
}

size_t
hm_json_depth(const unsigned char *buf, size_t len, size_t max_depth)
{
    return hm_json_shape(buf, len, max_depth, NULL);
}

hallmark_result
hm_json_parse_object(const unsigned char *buf, size_t len, size_t max_len, size_t max_depth,
                     json_t **out)
{
    json_error_t err;
    json_t *root;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (buf == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    /* No NUL byte anywhere: JSON text holds none (a string's U+0000 is escaped, and refused),
     * but jansson 2.14 passes over one right after a number or a literal (its stream loses a
     * NUL it puts back), so {"a":1<NUL>} would load. */
    if (len == 0 || len > max_len || memchr(buf, 0, len) != NULL ||
        hm_json_depth(buf, len, max_depth) > max_depth) {
        return HALLMARK_MALFORMED;
    }
    root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &err);
    if (root == NULL) {
        return json_error_code(&err) == json_error_out_of_memory ? HALLMARK_ERR_NOMEM
                                                                 : HALLMARK_MALFORMED;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return HALLMARK_MALFORMED;
    }
    *out = root;
    return HALLMARK_OK;
}

const char *
hm_json_string(const json_t *obj, const char *name, size_t *len)
{
    const json_t *v = json_object_get(obj, name);

    if (!json_is_string(v)) {
        return NULL;
    }
    if (len != NULL) {
        *len = json_string_length(v);
    }
    return json_string_value(v);
}

int
hm_json_uint(const json_t *obj, const char *name, long long *out)
{
    const json_t *v = json_object_get(obj, name);
    json_int_t n;

    if (!json_is_integer(v)) {
        return 0;
    }
    n = json_integer_value(v);
    if (n < 0 || n >= HM_JSON_INT_LIMIT) {
        return 0;
    }
    *out = (long long)n;
    return 1;
}

int
hm_json_members_known(const json_t *obj, const char *const *names)
{
    const char *key;
    const json_t *v;

    json_object_foreach((json_t *)obj, key, v)
    {
        size_t i;
        (void)v;
        for (i = 0; names[i] != NULL && strcmp(names[i], key) != 0; i++) {
        }
        if (names[i] == NULL) {
            return 0;
        }
    }
    return 1;
}
