/* json_same_order: jansson's equality plus member order, shared by the fuzz harness
 * fuzz_json_doc.c and the unit test test_jdoc.c, which both hold hm_jdoc_parse_json's tree to
 * the one json_loadb gives. Header-only: each harness is one file. */
#ifndef FUZZ_JSON_SAME_ORDER_H
#define FUZZ_JSON_SAME_ORDER_H

#include <jansson.h>
#include <string.h>

/* 1 if a and b hold the same values with every object's members in the same order. */
static int
json_same_order(const json_t *a, const json_t *b)
{
    void *x, *y;
    size_t i;

    if (!json_equal(a, b)) {
        return 0;
    }
    if (json_is_array(a)) {
        for (i = 0; i < json_array_size(a); i++) {
            if (!json_same_order(json_array_get(a, i), json_array_get(b, i))) {
                return 0;
            }
        }
    }
    for (x = json_object_iter((json_t *)a), y = json_object_iter((json_t *)b);
         x != NULL && y != NULL;
         x = json_object_iter_next((json_t *)a, x), y = json_object_iter_next((json_t *)b, y)) {
        if (strcmp(json_object_iter_key(x), json_object_iter_key(y)) != 0 ||
            !json_same_order(json_object_iter_value(x), json_object_iter_value(y))) {
            return 0;
        }
    }
    return x == NULL && y == NULL;
}

#endif
