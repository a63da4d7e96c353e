/* The token payload's JSON, parsed for reading on the verify path (issue 16): one allocation per
 * document, nodes and decoded strings together, where jansson makes one per value and member.
 *
 * The language is exactly what hm_json_parse_object accepts (jansson 2.14, JSON_REJECT_DUPLICATES,
 * no JSON_ALLOW_NUL, the depth cap checked first): an object; strict UTF-8; no control character
 * in a string; no NUL byte and no escaped U+0000; a lone surrogate escape refused; integers that
 * fit a long long, reals that do not overflow a double; no duplicate member name at any level;
 * nothing but whitespace after the object. fuzz_json_doc holds the two parsers to the same verdict
 * and the same values on every input; tests/unit/test_jdoc.c lists the edges. Internal to Hallmark.
 */
#ifndef HM_JDOC_H
#define HM_JDOC_H

#include <jansson.h>
#include <stddef.h>

#include "hallmark.h"

typedef enum {
    HM_JV_NULL,
    HM_JV_FALSE,
    HM_JV_TRUE,
    HM_JV_INTEGER,
    HM_JV_REAL,
    HM_JV_STRING,
    HM_JV_ARRAY,
    HM_JV_OBJECT
} hm_jv_type;

/* One value. The members of an object and the elements of an array are first, first->next, ...
 * in the order of the text; a member carries its name. Strings are NUL-terminated (they hold no
 * U+0000) and len is their byte length; for an array or object len is its count. */
typedef struct hm_jv hm_jv;
struct hm_jv {
    hm_jv_type type;
    size_t len;
    const char *name; /* the member's name when the parent is an object, else NULL */
    size_t name_len;
    const hm_jv *next;
    union {
        const char *str;
        long long integer;
        double real;
        const hm_jv *first;
    } u;
};

/*
 * Parses len bytes as one JSON object into *out (the root; free it with hm_jdoc_free). Returns
 * HALLMARK_OK; HALLMARK_MALFORMED for text hm_json_parse_object refuses with the same max_len and
 * max_depth; HALLMARK_ERR_NOMEM; HALLMARK_ERR_INVALID_ARGUMENT for NULL arguments.
 */
hallmark_result hm_jdoc_parse(const unsigned char *buf, size_t len, size_t max_len,
                              size_t max_depth, hm_jv **out);

/*
 * hm_json_parse_object's contract (the same verdict, values and member order, a new reference in
 * *out), read by hm_jdoc_parse and then built as a jansson tree: for the bundle's brand entries
 * and credentials, where jansson's own reader, a byte at a time through its stream, was half of
 * loading 10,000 brands (issue 16).
 */
hallmark_result hm_jdoc_parse_json(const unsigned char *buf, size_t len, size_t max_len,
                                   size_t max_depth, json_t **out);

/* A document (or any value of one) as the jansson tree json_loadb gives for its text: a new
 * reference, or NULL without memory (or for a NULL root). */
json_t *hm_jdoc_to_json(const hm_jv *root);

/* Frees a document hm_jdoc_parse made (its root); NULL is ignored. */
void hm_jdoc_free(hm_jv *root);

/* The member name of obj, or NULL if obj is not an object or has no such member. */
const hm_jv *hm_jv_get(const hm_jv *obj, const char *name);

/* A string member's value (its length in *len when len is not NULL), or NULL if absent or not a
 * string. Borrowed from the document. */
const char *hm_jv_string(const hm_jv *obj, const char *name, size_t *len);

/* Reads an integer member in [0, 2^53) into *out: 1, or 0 if absent, a real (1.0 too) or out of
 * range: hm_json_uint's rule. */
int hm_jv_uint(const hm_jv *obj, const char *name, long long *out);

/* The string of v, or NULL if v is NULL or not a string. */
const char *hm_jv_str(const hm_jv *v);

#endif
