#include "hm_brand_split.h"

#include <stdlib.h>
#include <string.h>

static int
is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t
skip_space(const unsigned char *p, size_t i, size_t n)
{
    while (i < n && is_space(p[i])) {
        i++;
    }
    return i;
}

/* Past the closing quote of the string whose opening quote is p[i], or 0 when it does not end;
 * *escaped is set when it holds a backslash. memchr: the strings of a bundle are long base64url
 * runs, and this is most of a 20 MB payload's bytes. */
static size_t
string_end(const unsigned char *p, size_t i, size_t n, int *escaped)
{
    for (i++; i < n;) {
        const unsigned char *q = memchr(p + i, '"', n - i);
        const unsigned char *b = q == NULL ? NULL : memchr(p + i, '\\', (size_t)(q - (p + i)));

        if (q == NULL) {
            return 0;
        }
        if (b == NULL) {
            return (size_t)(q - p) + 1;
        }
        *escaped = 1;
        i = (size_t)(b - p) + 2; /* the escaped byte, whatever it is, does not end the string */
    }
    return 0;
}

/* The index of the ',', '}' or ']' that ends the value starting at p[i] (brackets balanced
 * outside strings), or 0 when none does. */
static size_t
value_end(const unsigned char *p, size_t i, size_t n)
{
    size_t depth = 0;
    int escaped = 0;

    while (i < n) {
        unsigned char c = p[i];

        if (c == '"') {
            if ((i = string_end(p, i, n, &escaped)) == 0) {
                return 0;
            }
            continue;
        }
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0) {
                return i;
            }
            depth--;
        } else if (c == ',' && depth == 0) {
            return i;
        }
        i++;
    }
    return 0;
}

static int
add_entry(hm_brand_split *s, size_t *cap, size_t off, size_t len)
{
    if (s->count == *cap) {
        size_t more = *cap == 0 ? 1024 : *cap * 2;
        hm_brand_span *e = realloc(s->entries, more * sizeof *e);
        if (e == NULL) {
            return 0;
        }
        s->entries = e;
        *cap = more;
    }
    s->entries[s->count].off = off;
    s->entries[s->count].len = len;
    s->count++;
    return 1;
}

/* The array whose '[' is p[i]: each element's range; the index past its ']', or 0. */
static size_t
scan_array(hm_brand_split *s, const unsigned char *p, size_t i, size_t n)
{
    size_t cap = 0;

    s->array_off = i;
    i = skip_space(p, i + 1, n);
    if (i < n && p[i] == ']') {
        s->array_len = i + 1 - s->array_off;
        return i + 1;
    }
    while (i < n) {
        size_t end = value_end(p, i, n), last = end;

        if (end == 0) {
            return 0;
        }
        while (last > i && is_space(p[last - 1])) {
            last--;
        }
        if (last == i || p[i] != '{' || !add_entry(s, &cap, i, last - i)) {
            return 0;
        }
        if (p[end] == ']') {
            s->array_len = end + 1 - s->array_off;
            return end + 1;
        }
        if (p[end] != ',') {
            return 0;
        }
        i = skip_space(p, end + 1, n);
    }
    return 0;
}

static int
scan_object(hm_brand_split *s, const unsigned char *p, size_t n)
{
    size_t i = skip_space(p, 0, n);
    int found = 0;

    if (i == n || p[i] != '{') {
        return 0;
    }
    for (i++;;) {
        size_t key, key_end;
        int escaped = 0;

        i = skip_space(p, i, n);
        if (i == n || p[i] != '"' || (key_end = string_end(p, i, n, &escaped)) == 0 || escaped) {
            return 0;
        }
        key = i + 1;
        i = skip_space(p, key_end, n);
        if (i == n || p[i] != ':') {
            return 0;
        }
        i = skip_space(p, i + 1, n);
        if (key_end - 1 - key == 6 && memcmp(p + key, "brands", 6) == 0) {
            if (found || i == n || p[i] != '[' || (i = scan_array(s, p, i, n)) == 0) {
                return 0;
            }
            found = 1;
            i = skip_space(p, i, n);
        } else if ((i = value_end(p, i, n)) == 0) {
            return 0;
        }
        if (i == n || (p[i] != ',' && p[i] != '}')) {
            return 0;
        }
        if (p[i] == '}') {
            return found && skip_space(p, i + 1, n) == n;
        }
        i++;
    }
}

int
hm_brand_split_scan(hm_brand_split *out, const unsigned char *p, size_t n)
{
    memset(out, 0, sizeof *out);
    if (p == NULL || !scan_object(out, p, n)) {
        hm_brand_split_clear(out);
        return 0;
    }
    return 1;
}

void
hm_brand_split_clear(hm_brand_split *split)
{
    free(split->entries);
    memset(split, 0, sizeof *split);
}
