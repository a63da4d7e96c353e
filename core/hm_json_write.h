/* JSON written straight into a buffer, byte for byte as jansson's json_dumps(JSON_COMPACT) writes
 * the same values: no spaces, integers in decimal, strings escaped the one way every Hallmark
 * writer escapes them (see hm_json_write_string). The signer's claims and its signature log use
 * it, so one escaper decides the bytes that are signed and hashed. Internal to Hallmark. */
#ifndef HM_JSON_WRITE_H
#define HM_JSON_WRITE_H

#include <stddef.h>

/* A buffer that starts in caller memory (usually the stack) and moves to the heap only when a
 * value does not fit. A failed allocation marks it failed; later writes do nothing. */
typedef struct hm_json_writer {
    char *buf;
    size_t len, cap;
    int heap;   /* buf is malloc'd (hm_json_write_release frees it) */
    int failed; /* out of memory, or a string that is not valid UTF-8 */
} hm_json_writer;

/* Starts an empty text in stack[0..cap) (cap > 0). */
void hm_json_write_init(hm_json_writer *w, char *stack, size_t cap);

/* Appends n bytes as they are: punctuation and member names the caller spells. */
void hm_json_write_raw(hm_json_writer *w, const char *s, size_t n);

/* Appends a NUL-terminated literal as it is. */
void hm_json_write_lit(hm_json_writer *w, const char *s);

/* Appends s[0..n) as a JSON string with its quotes: '"' and '\\' escaped with a backslash, the
 * control characters \b \f \n \r \t by name and the other bytes below 0x20 as \u00XX (upper-case
 * hex), everything else (DEL, every non-ASCII character) as its UTF-8 bytes, '/' unescaped; as
 * jansson does. Text that is not valid UTF-8 (overlong forms, surrogates, beyond U+10FFFF,
 * truncated sequences), or holds U+0000, marks the writer failed: jansson refuses such a string
 * too. */
void hm_json_write_string(hm_json_writer *w, const char *s, size_t n);

/* Appends the literal lead (punctuation and a member name, e.g. ",\"iss\":") and then the
 * NUL-terminated value as a JSON string. */
void hm_json_write_member(hm_json_writer *w, const char *lead, const char *value);

/* Appends v in decimal. */
void hm_json_write_int(hm_json_writer *w, long long v);

/* The text so far, NUL-terminated, with its length in *len; NULL if the writer failed. Borrowed
 * from w: valid until the next write or hm_json_write_release. */
const char *hm_json_write_text(hm_json_writer *w, size_t *len);

/* Frees what the writer took from the heap; w is empty afterwards. */
void hm_json_write_release(hm_json_writer *w);

#endif
