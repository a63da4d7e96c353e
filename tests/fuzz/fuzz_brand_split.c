/* libFuzzer target: the brand entry scanner of a reload (spec §6.6 [HM-BUNDLE-114]) against
 * jansson. An input is a bundle payload, or a compact bundle JWS whose payload is taken (the
 * bundle corpus). When the scanner splits it, the parts must parse exactly when the whole does
 * (the top level with "brands" cut to [] at depth 8, each entry alone at depth 6), and then give
 * the same members: the entries, in order, are the whole's "brands", and the rest is the rest. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hm_brand_split.h"
#include "hm_json.h"
#include "hm_jws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DEPTH 8U

/* 1 when every part parses; *rebuilt gets the top level with the parsed entries put back. */
static int
parts_parse(const unsigned char *p, size_t n, const hm_brand_split *s, json_t **rebuilt)
{
    size_t cut_len = n - s->array_len + 2, rest = s->array_off + s->array_len, i;
    unsigned char *cut = malloc(cut_len);
    json_t *top = NULL, *brands = json_array();
    int ok;

    if (cut == NULL || brands == NULL) {
        abort();
    }
    memcpy(cut, p, s->array_off);
    cut[s->array_off] = '[';
    cut[s->array_off + 1] = ']';
    memcpy(cut + s->array_off + 2, p + rest, n - rest);
    ok = hm_json_parse_object(cut, cut_len, cut_len, DEPTH, &top) == HALLMARK_OK;
    free(cut);
    for (i = 0; ok && i < s->count; i++) {
        json_t *e = NULL;
        ok = hm_json_parse_object(p + s->entries[i].off, s->entries[i].len, s->entries[i].len,
                                  DEPTH - 2, &e) == HALLMARK_OK;
        if (ok && json_array_append_new(brands, e) != 0) {
            abort();
        }
    }
    if (ok && (!json_is_array(json_object_get(top, "brands")) ||
               json_array_size(json_object_get(top, "brands")) != 0 ||
               json_object_set_new(top, "brands", brands) != 0)) {
        abort(); /* the cut text must read "brands" as the [] put there */
    }
    if (!ok) {
        json_decref(brands);
        json_decref(top);
        top = NULL;
    }
    *rebuilt = top;
    return ok;
}

static void
check(const unsigned char *p, size_t n)
{
    hm_brand_split s;
    json_t *whole = NULL, *rebuilt = NULL;
    int whole_ok = n > 0 && hm_json_parse_object(p, n, n, DEPTH, &whole) == HALLMARK_OK;

    if (hm_brand_split_scan(&s, p, n)) {
        if (s.array_off + s.array_len > n || s.array_len < 2) {
            abort();
        }
        if (parts_parse(p, n, &s, &rebuilt) != whole_ok ||
            (whole_ok && !json_equal(whole, rebuilt))) {
            abort();
        }
        hm_brand_split_clear(&s);
    }
    json_decref(rebuilt);
    json_decref(whole);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hm_jws jws;

    memset(&jws, 0, sizeof jws);
    check(data, size);
    if (size > 0 && data[0] != '{' &&
        hm_jws_parse(&jws, (const char *)data, size, size, "hallmark-bundle+jwt") == HALLMARK_OK) {
        check(jws.payload, jws.payload_len);
    }
    hm_jws_clear(&jws);
    return 0;
}
