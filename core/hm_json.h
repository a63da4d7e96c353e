/* Strict JSON: a size cap and a nesting cap checked on the raw bytes before jansson decodes
 * anything, duplicate member names rejected at every level, no trailing data, no NUL in strings.
 * Internal to Hallmark. */
#ifndef HM_JSON_H
#define HM_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "hallmark.h"

/* JSON numbers above this lose precision in other JOSE stacks (I-JSON, RFC 7493 §2.2). */
#define HM_JSON_INT_LIMIT 9007199254740992LL

/*
 * Parses len bytes as one JSON object. *out receives a new reference (json_decref it) on
 * HALLMARK_OK. Returns HALLMARK_MALFORMED when the input is longer than max_len, nests deeper
 * than max_depth (an object or array counts one level), is not valid UTF-8 JSON, holds a NUL byte
 * (escaped or not), repeats a member name, has trailing data, or is not an object;
 * HALLMARK_ERR_INVALID_ARGUMENT for NULL arguments; HALLMARK_ERR_NOMEM when jansson cannot
 * allocate.
 */
hallmark_result hm_json_parse_object(const unsigned char *buf, size_t len, size_t max_len,
                                     size_t max_depth, json_t **out);

/* Nesting depth of the JSON text (brackets outside strings), or max_depth + 1 once it is
 * exceeded, without reading further. Unbalanced text is left for the parser to refuse. */
size_t hm_json_depth(const unsigned char *buf, size_t len, size_t max_depth);

/* hm_json_depth, and in *values (when the depth is within max_depth) a bound on the number of
 * values in the text, its outermost included: what a parser may allocate before it reads. */
size_t hm_json_shape(const unsigned char *buf, size_t len, size_t max_depth, size_t *values);

/* A string member's value, or NULL if absent or not a string. Borrowed from obj. */
const char *hm_json_string(const json_t *obj, const char *name, size_t *len);

/* Reads an integer member in [0, 2^53) into *out. Returns 1 on success, 0 if absent or of another
 * type or range (a real such as 1.0 is not an integer here). */
int hm_json_uint(const json_t *obj, const char *name, long long *out);

/* 1 if every member name of obj is one of names (NULL-terminated), else 0: a member the format
 * does not define is refused, never skipped. */
int hm_json_members_known(const json_t *obj, const char *const *names);

#endif
