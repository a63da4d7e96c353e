#include "hm_json_write.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void
hm_json_write_init(hm_json_writer *w, char *stack, size_t cap)
{
    w->buf = stack;
    w->len = 0;
    w->cap = cap;
    w->heap = 0;
    w->failed = 0;
}

/* Room for n more bytes and a NUL; 0 when the writer has failed. */
static int
reserve(hm_json_writer *w, size_t n)
{
    size_t want;
    char *g;

    if (w->failed) {
        return 0;
    }
    if (n < w->cap - w->len) {
        return 1;
    }
    if (n > ((size_t)-1) / 4 - w->len) {
        w->failed = 1;
        return 0;
    }
    want = (w->len + n + 1) * 2;
    g = w->heap ? realloc(w->buf, want) : malloc(want);
    if (g == NULL) {
        w->failed = 1;
        return 0;
    }
    if (!w->heap) {
        memcpy(g, w->buf, w->len);
    }
    w->buf = g;
    w->cap = want;
    w->heap = 1;
    return 1;
}

void
hm_json_write_raw(hm_json_writer *w, const char *s, size_t n)
{
    if (reserve(w, n)) {
        memcpy(w->buf + w->len, s, n);
        w->len += n;
    }
}

void
hm_json_write_lit(hm_json_writer *w, const char *s)
{
    hm_json_write_raw(w, s, strlen(s));
}

/* The length of the well-formed UTF-8 sequence at s[0..n) that starts with a byte >= 0x80, or 0:
 * the rules of RFC 3629 (no overlong form, no surrogate, nothing above U+10FFFF). */
static size_t
utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t need, i;
    unsigned long cp;

    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (n < need) {
        return 0;
    }
    for (i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((need == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (need == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
        return 0;
    }
    return need;
}

/* 1 if the byte goes into a JSON string as it is: printable ASCII but the quote and backslash. */
static int
plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* 1 if each of the 8 bytes at u is plain, tested all at once (the bit tricks "has a byte below n"
 * and "has a zero byte" of Anderson's Bit Twiddling Hacks, exact as a yes or no): the values a
 * token carries are mostly long runs of plain bytes (issue 16). */
static int
eight_plain(const unsigned char *u)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t x, quote, backslash;

    memcpy(&x, u, sizeof x);
    quote = x ^ (ones * '"');
    backslash = x ^ (ones * '\\');
    return ((x & high) | ((x - ones * 0x20) & ~x & high) | ((quote - ones) & ~quote & high) |
            ((backslash - ones) & ~backslash & high)) == 0;
}

void
hm_json_write_string(hm_json_writer *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    /* The control characters JSON escapes by name; the others below 0x20 go as \u00XX. */
    static const char named[0x20] = {
        ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'};
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run;
    char e;

    /* At most 6 bytes out per byte in, and the quotes. */
    if (n > ((size_t)-1) / 8 || !reserve(w, n * 6 + 2)) {
        w->failed = 1;
        return;
    }
    w->buf[w->len++] = '"';
    while (i < n) {
        unsigned char c = u[i];
        char *o = w->buf + w->len;

        if (plain(c)) {
            for (run = i + 1; n - run >= 8 && eight_plain(u + run); run += 8) {
            }
            for (; run < n && plain(u[run]); run++) {
            }
            memcpy(o, s + i, run - i);
            w->len += run - i;
            i = run;
            continue;
        }
        if (c >= 0x80) {
            size_t k = utf8_sequence(u + i, n - i);
            if (k == 0) {
                w->failed = 1;
                return;
            }
            memcpy(o, s + i, k);
            w->len += k;
            i += k;
            continue;
        }
        if (c == 0) {
            w->failed = 1;
            return;
        }
        /* Here c is '"', '\\' or a control character. */
        e = c == '"' || c == '\\' ? (char)c : c < 0x20 ? named[c] : 0;
        o[0] = '\\';
        if (e != 0) {
            o[1] = e;
            w->len += 2;
        } else {
            o[1] = 'u';
            o[2] = '0';
            o[3] = '0';
            o[4] = hex[c >> 4];
            o[5] = hex[c & 15];
            w->len += 6;
        }
        i++;
    }
    w->buf[w->len++] = '"';
}

void
hm_json_write_member(hm_json_writer *w, const char *lead, const char *value)
{
    hm_json_write_lit(w, lead);
    hm_json_write_string(w, value, strlen(value));
}

void
hm_json_write_int(hm_json_writer *w, long long v)
{
    char digits[24];
    size_t at = sizeof digits;
    /* In unsigned arithmetic, so that LLONG_MIN negates too. */
    unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    do {
        digits[--at] = (char)('0' + m % 10);
        m /= 10;
    } while (m != 0);
    if (v < 0) {
        digits[--at] = '-';
    }
    hm_json_write_raw(w, digits + at, sizeof digits - at);
}

const char *
hm_json_write_text(hm_json_writer *w, size_t *len)
{
    if (w->failed || !reserve(w, 0)) {
        return NULL;
    }
    w->buf[w->len] = '\0';
    if (len != NULL) {
        *len = w->len;
    }
    return w->buf;
}

void
hm_json_write_release(hm_json_writer *w)
{
    if (w->heap) {
        free(w->buf);
    }
    w->buf = NULL;
    w->len = w->cap = 0;
    w->heap = 0;
}
