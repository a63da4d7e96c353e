/* The brand entries of a trust bundle's payload as byte ranges, for a reload that reads again
 * only the entries that changed (spec §6.6 [HM-BUNDLE-114]). */
#ifndef HM_BRAND_SPLIT_H
#define HM_BRAND_SPLIT_H

#include <stddef.h>

typedef struct hm_brand_span {
    size_t off, len; /* one element of "brands": an object's bytes, no white space around */
} hm_brand_span;

typedef struct hm_brand_split {
    size_t array_off, array_len; /* the "brands" array, '[' to ']' */
    hm_brand_span *entries;      /* owned, count of them */
    size_t count;
} hm_brand_split;

/*
 * Finds the member "brands" of the top-level object in p (n bytes) and the bytes of each of its
 * elements. 1 when p has the shape {... "brands": [ {...} , ... ] ...} with one "brands" member, no
 * escaped top-level key, every element starting with '{', nothing after the object but white
 * space: then, if p is valid JSON, the ranges are exactly its elements, and p is valid JSON iff p
 * with the array replaced by [] and every element alone are. 0 otherwise (the caller reads p
 * whole; out is left cleared). Does not validate JSON. hm_brand_split_clear after 1.
 */
int hm_brand_split_scan(hm_brand_split *out, const unsigned char *p, size_t n);

void hm_brand_split_clear(hm_brand_split *split);

#endif
