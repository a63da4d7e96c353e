/* libFuzzer target: the verifier's payload parser (hm_jdoc, issue 16) against jansson through
 * hm_json_parse_object, which parsed every token payload before it. Any byte string, and when it
 * is a compact JWS (a token, a bundle) its decoded payload too: both parsers must give the same
 * verdict, and on an accepted text the same values (types, integers, the bits of reals, string
 * bytes, member names and counts, element order). Run on the corpora of the token, bundle, JWK,
 * request and credential targets as well (tools/fuzz-corpora.sh). hm_jdoc_parse_json, the bundle's
 * reader, must give jansson's verdict and tree (every object's members in the same order) too. */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hm_b64url.h"
#include "hm_jdoc.h"
#include "hm_json.h"
#include "json_same_order.h"

#define MAX_LEN 65536
#define MAX_DEPTH 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 if v holds the same value as j. */
static int
same(const json_t *j, const hm_jv *v)
{
    const char *key;
    const json_t *item;
    const hm_jv *m;
    size_t i = 0;

    switch (json_typeof(j)) {
    case JSON_OBJECT:
        if (v->type != HM_JV_OBJECT || v->len != json_object_size(j)) {
            return 0;
        }
        json_object_foreach((json_t *)j, key, item)
        {
            m = hm_jv_get(v, key);
            if (m == NULL || m->name_len != strlen(key) || !same(item, m)) {
                return 0;
            }
        }
        return 1;
    case JSON_ARRAY:
        if (v->type != HM_JV_ARRAY || v->len != json_array_size(j)) {
            return 0;
        }
        for (m = v->u.first; m != NULL; m = m->next, i++) {
            if (m->name != NULL || !same(json_array_get(j, i), m)) {
                return 0;
            }
        }
        return i == v->len;
    case JSON_STRING:
        return v->type == HM_JV_STRING && v->len == json_string_length(j) &&
               memcmp(v->u.str, json_string_value(j), v->len) == 0 && v->u.str[v->len] == '\0';
    case JSON_INTEGER:
        return v->type == HM_JV_INTEGER && v->u.integer == json_integer_value(j);
    case JSON_REAL: {
        double want = json_real_value(j);
        return v->type == HM_JV_REAL && want == v->u.real &&
               signbit(want) == signbit(v->u.real); /* -0.0 too */
    }
    case JSON_TRUE:
        return v->type == HM_JV_TRUE;
    case JSON_FALSE:
        return v->type == HM_JV_FALSE;
    case JSON_NULL:
        return v->type == HM_JV_NULL;
    }
    return 0;
}

static void
differential(const unsigned char *text, size_t len)
{
    json_t *j = NULL;
    hm_jv *v = NULL;
    hallmark_result want = hm_json_parse_object(text, len, MAX_LEN, MAX_DEPTH, &j),
                    got = hm_jdoc_parse(text, len, MAX_LEN, MAX_DEPTH, &v);

    json_t *tree = NULL;
    hallmark_result built = hm_jdoc_parse_json(text, len, MAX_LEN, MAX_DEPTH, &tree);

    if (want != got || (want == HALLMARK_OK && !same(j, v))) {
        abort();
    }
    /* The bundle's reader: the same verdict, and jansson's tree in the text's order. */
    if (built != want || (want == HALLMARK_OK && !json_same_order(j, tree))) {
        abort();
    }
    json_decref(tree);
    json_decref(j);
    hm_jdoc_free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dot1 = memchr(data, '.', size), *dot2;

    differential(data, size);
    if (dot1 != NULL &&
        (dot2 = memchr(dot1 + 1, '.', size - (size_t)(dot1 + 1 - (const char *)data))) != NULL) {
        size_t b64_len = (size_t)(dot2 - dot1 - 1), n = 0;
        unsigned char *payload = malloc(hm_b64url_decoded_max(b64_len) + 1);
        if (payload != NULL && hm_b64url_decode_public(payload, hm_b64url_decoded_max(b64_len) + 1,
                                                       dot1 + 1, b64_len, &n) == HALLMARK_OK) {
            differential(payload, n);
        }
        free(payload);
    }
    return 0;
}
