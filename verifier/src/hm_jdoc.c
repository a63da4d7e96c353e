#include "hm_jdoc.h"

#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hm_json.h"
#include "hm_text.h"

/* Past this many members an object's names are checked for repeats by sorting, not pairwise. */
#define PAIRWISE_MAX 32

struct jparse {
    const unsigned char *s;
    size_t len, i;
    hm_jv *nodes;
    size_t nodes_used, nodes_max;
    char *text; /* decoded strings and names, each NUL-terminated */
    size_t text_used;
    hallmark_result failure; /* HALLMARK_MALFORMED unless memory ran out */
};

static int parse_value(struct jparse *p, hm_jv *v);
static json_t *container_to_json(const hm_jv *v);

static void
skip_space(struct jparse *p)
{
    while (p->i < p->len &&
           (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r')) {
        p->i++;
    }
}

static int
at(const struct jparse *p, unsigned char c)
{
    return p->i < p->len && p->s[p->i] == c;
}

static int
is_digit_at(const struct jparse *p)
{
    return p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9';
}

static hm_jv *
new_node(struct jparse *p)
{
    hm_jv *v;

    if (p->nodes_used == p->nodes_max) { /* hm_json_shape's bound holds: unreachable */
        return NULL;
    }
    v = &p->nodes[p->nodes_used++];
    memset(v, 0, sizeof *v);
    return v;
}

/* Four hex digits at s[i..i+3] (either case), or -1. */
static long
hex4(const struct jparse *p, size_t i)
{
    long v = 0;
    size_t k;

    if (i > p->len || p->len - i < 4) {
        return -1;
    }
    for (k = 0; k < 4; k++) {
        unsigned char c = p->s[i + k];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

static char *
put_utf8(char *d, long cp)
{
    if (cp < 0x80) {
        *d++ = (char)cp;
    } else if (cp < 0x800) {
        *d++ = (char)(0xC0 | (cp >> 6));
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *d++ = (char)(0xE0 | (cp >> 12));
        *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *d++ = (char)(0xF0 | (cp >> 18));
        *d++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    }
    return d;
}

/* The escape after a backslash at s[i - 1], written at *d: 1, or 0 for one jansson refuses (an
 * unknown letter, U+0000, a surrogate escape that is not a high one followed by a low one). */
static int
unescape(struct jparse *p, char **d)
{
    long cp, low;

    if (p->i >= p->len) {
        return 0;
    }
    switch (p->s[p->i]) {
    case '"':
    case '\\':
    case '/':
        *(*d)++ = (char)p->s[p->i++];
        return 1;
    case 'b':
        cp = '\b';
        break;
    case 'f':
        cp = '\f';
        break;
    case 'n':
        cp = '\n';
        break;
    case 'r':
        cp = '\r';
        break;
    case 't':
        cp = '\t';
        break;
    case 'u':
        if ((cp = hex4(p, p->i + 1)) <= 0 || (cp >= 0xDC00 && cp <= 0xDFFF)) {
            return 0;
        }
        p->i += 5;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (!at(p, '\\') || p->i + 1 >= p->len || p->s[p->i + 1] != 'u' ||
                (low = hex4(p, p->i + 2)) < 0xDC00 || low > 0xDFFF) {
                return 0;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            p->i += 6;
        }
        *d = put_utf8(*d, cp);
        return 1;
    default:
        return 0;
    }
    *(*d)++ = (char)cp;
    p->i++;
    return 1;
}

/* A string at s[i] == '"', decoded into the text area: 1, or 0. The decoded bytes and their NUL
 * never outgrow the quoted text, so the area (len + 1 bytes) always has room. */
static int
parse_string(struct jparse *p, const char **out, size_t *out_len)
{
    char *start = p->text + p->text_used, *d = start;

    p->i++;
    for (;;) {
        unsigned char c;
        size_t run = p->i;

        /* the common case: a run of printable ASCII, copied at once */
        while (run < p->len && p->s[run] >= 0x20 && p->s[run] < 0x80 && p->s[run] != '"' &&
               p->s[run] != '\\') {
            run++;
        }
        memcpy(d, p->s + p->i, run - p->i);
        d += run - p->i;
        p->i = run;
        if (p->i >= p->len) {
            return 0;
        }
        c = p->s[p->i];
        if (c == '"') {
            p->i++;
            break;
        }
        if (c == '\\') {
            p->i++;
            if (!unescape(p, &d)) {
                return 0;
            }
        } else if (c < 0x20) {
            return 0;
        } else {
            size_t j = p->i;
            if (hm_utf8_next(p->s, p->len, &j) < 0) {
                return 0;
            }
            memcpy(d, p->s + p->i, j - p->i);
            d += j - p->i;
            p->i = j;
        }
    }
    *d = '\0';
    *out = start;
    *out_len = (size_t)(d - start);
    p->text_used += *out_len + 1;
    return 1;
}

/* A real: its value from jansson itself (the text is already checked against the grammar), so
 * an overflow is refused as jansson refuses it, whatever the process's locale. Genuine tokens
 * carry no real; this path is for the fuzzer's inputs and an attacker's. */
static int
real_value(struct jparse *p, size_t start, hm_jv *v)
{
    json_error_t err;
    json_t *r = json_loadb((const char *)p->s + start, p->i - start, JSON_DECODE_ANY, &err);

    if (r == NULL || !json_is_real(r)) {
        if (r == NULL && json_error_code(&err) == json_error_out_of_memory) {
            p->failure = HALLMARK_ERR_NOMEM;
        }
        json_decref(r);
        return 0;
    }
    v->type = HM_JV_REAL;
    v->u.real = json_real_value(r);
    json_decref(r);
    return 1;
}

/* One or more digits, passed over: 1, or 0 if there is none. */
static int
digits(struct jparse *p)
{
    size_t from = p->i;

    while (is_digit_at(p)) {
        p->i++;
    }
    return p->i > from;
}

/* jansson's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; an integer must fit a
 * long long. */
static int
parse_number(struct jparse *p, hm_jv *v)
{
    size_t start = p->i, k;
    int negative = at(p, '-'), real = 0;
    unsigned long long magnitude = 0,
                       limit = negative ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;

    p->i += (size_t)negative;
    if (at(p, '0')) {
        p->i++;
        if (is_digit_at(p)) {
            return 0;
        }
    } else if (!digits(p)) {
        return 0;
    }
    if (at(p, '.')) {
        p->i++;
        if (!digits(p)) {
            return 0;
        }
        real = 1;
    }
    if (at(p, 'e') || at(p, 'E')) {
        p->i++;
        if (at(p, '+') || at(p, '-')) {
            p->i++;
        }
        if (!digits(p)) {
            return 0;
        }
        real = 1;
    }
    if (real) {
        return real_value(p, start, v);
    }
    for (k = start + (size_t)negative; k < p->i; k++) {
        unsigned d = (unsigned)(p->s[k] - '0');
        if (magnitude > (limit - d) / 10) {
            return 0; /* jansson: "too big integer" */
        }
        magnitude = magnitude * 10 + d;
    }
    v->type = HM_JV_INTEGER;
    v->u.integer =
        negative
            ? (magnitude == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)magnitude)
            : (long long)magnitude;
    return 1;
}

static int
parse_literal(struct jparse *p, const char *word, hm_jv_type type, hm_jv *v)
{
    size_t n = strlen(word);

    if (p->len - p->i < n || memcmp(p->s + p->i, word, n) != 0) {
        return 0;
    }
    p->i += n;
    v->type = type;
    return 1;
}

static int
compare_names(const void *a, const void *b)
{
    const hm_jv *x = *(const hm_jv *const *)a, *y = *(const hm_jv *const *)b;

    if (x->name_len != y->name_len) {
        return x->name_len < y->name_len ? -1 : 1;
    }
    return memcmp(x->name, y->name, x->name_len);
}

/* 1 if no two members of obj share a name (JSON_REJECT_DUPLICATES), else 0. */
static int
names_unique(struct jparse *p, const hm_jv *obj)
{
    const hm_jv *a, *b, **sorted;
    size_t i = 0;
    int unique = 1;

    if (obj->len <= PAIRWISE_MAX) {
        for (a = obj->u.first; a != NULL; a = a->next) {
            for (b = a->next; b != NULL; b = b->next) {
                if (a->name_len == b->name_len && memcmp(a->name, b->name, a->name_len) == 0) {
                    return 0;
                }
            }
        }
        return 1;
    }
    if ((sorted = malloc(obj->len * sizeof(const hm_jv *))) == NULL) {
        p->failure = HALLMARK_ERR_NOMEM;
        return 0;
    }
    for (a = obj->u.first; a != NULL; a = a->next) {
        sorted[i++] = a;
    }
    qsort(sorted, obj->len, sizeof(const hm_jv *), compare_names);
    for (i = 1; i < obj->len && unique; i++) {
        unique = compare_names(&sorted[i - 1], &sorted[i]) != 0;
    }
    free(sorted);
    return unique;
}

/* The members (object) or elements (array) after the opening bracket at s[i]. */
static int
parse_container(struct jparse *p, hm_jv *v, int object)
{
    hm_jv **link = (hm_jv **)&v->u.first;
    unsigned char close = object ? '}' : ']';

    v->type = object ? HM_JV_OBJECT : HM_JV_ARRAY;
    p->i++;
    skip_space(p);
    if (at(p, close)) {
        p->i++;
        return 1;
    }
    for (;;) {
        const char *name = NULL;
        size_t name_len = 0;
        hm_jv *item;

        if (object) {
            if (!at(p, '"') || !parse_string(p, &name, &name_len)) {
                return 0;
            }
            skip_space(p);
            if (!at(p, ':')) {
                return 0;
            }
            p->i++;
            skip_space(p);
        }
        if ((item = new_node(p)) == NULL || !parse_value(p, item)) {
            return 0;
        }
        item->name = name;
        item->name_len = name_len;
        *link = item;
        link = (hm_jv **)&item->next;
        v->len++;
        skip_space(p);
        if (at(p, ',')) {
            p->i++;
            skip_space(p);
            continue;
        }
        if (!at(p, close)) {
            return 0;
        }
        p->i++;
        return !object || names_unique(p, v);
    }
}

static int
parse_value(struct jparse *p, hm_jv *v)
{
    if (p->i >= p->len) {
        return 0;
    }
    switch (p->s[p->i]) {
    case '{':
        return parse_container(p, v, 1);
    case '[':
        return parse_container(p, v, 0);
    case '"':
        v->type = HM_JV_STRING;
        return parse_string(p, &v->u.str, &v->len);
    case 't':
        return parse_literal(p, "true", HM_JV_TRUE, v);
    case 'f':
        return parse_literal(p, "false", HM_JV_FALSE, v);
    case 'n':
        return parse_literal(p, "null", HM_JV_NULL, v);
    default:
        return parse_number(p, v);
    }
}

hallmark_result
hm_jdoc_parse(const unsigned char *buf, size_t len, size_t max_len, size_t max_depth, hm_jv **out)
{
    struct jparse p;
    size_t values = 0;
    hm_jv *root;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (buf == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (len == 0 || len > max_len || hm_json_shape(buf, len, max_depth, &values) > max_depth) {
        return HALLMARK_MALFORMED;
    }
    memset(&p, 0, sizeof p);
    p.s = buf;
    p.len = len;
    p.nodes_max = values;
    p.failure = HALLMARK_MALFORMED;
    if (values > (SIZE_MAX - len - 1) / sizeof(hm_jv) ||
        (p.nodes = malloc(values * sizeof(hm_jv) + len + 1)) == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    p.text = (char *)(p.nodes + values);
    root = new_node(&p);
    skip_space(&p);
    if (!at(&p, '{') || !parse_value(&p, root)) {
        free(p.nodes);
        return p.failure;
    }
    skip_space(&p);
    if (p.i != p.len) {
        free(p.nodes);
        return HALLMARK_MALFORMED;
    }
    *out = root;
    return HALLMARK_OK;
}

/* v as a jansson value (a new reference), or NULL without memory. The document already holds
 * jansson's guarantees (valid UTF-8, no NUL, no duplicate name), so the unchecked setters give
 * the tree json_loadb would: the same values, members in the order of the text. */
static json_t *
jv_to_json(const hm_jv *v)
{
    switch (v->type) {
    case HM_JV_NULL:
        return json_null();
    case HM_JV_FALSE:
        return json_false();
    case HM_JV_TRUE:
        return json_true();
    case HM_JV_INTEGER:
        return json_integer((json_int_t)v->u.integer);
    case HM_JV_REAL:
        return json_real(v->u.real);
    case HM_JV_STRING:
        return json_stringn_nocheck(v->u.str, v->len);
    case HM_JV_ARRAY:
    case HM_JV_OBJECT:
        break;
    }
    return container_to_json(v);
}

/* An array or object of the document as a jansson one, or NULL without memory. */
static json_t *
container_to_json(const hm_jv *v)
{
    json_t *out = v->type == HM_JV_OBJECT ? json_object() : json_array();
    const hm_jv *m;

    for (m = v->u.first; out != NULL && m != NULL; m = m->next) {
        json_t *item = jv_to_json(m);
        int failed =
            item == NULL ||
            (v->type == HM_JV_OBJECT ? json_object_setn_new_nocheck(out, m->name, m->name_len, item)
                                     : json_array_append_new(out, item)) != 0;

        if (failed) {
            json_decref(out);
            out = NULL;
        }
    }
    return out;
}

json_t *
hm_jdoc_to_json(const hm_jv *root)
{
    return root != NULL ? jv_to_json(root) : NULL;
}

hallmark_result
hm_jdoc_parse_json(const unsigned char *buf, size_t len, size_t max_len, size_t max_depth,
                   json_t **out)
{
    hm_jv *root = NULL;
    hallmark_result rc;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    rc = hm_jdoc_parse(buf, len, max_len, max_depth, &root);
    if (rc != HALLMARK_OK) {
        return rc;
    }
    *out = hm_jdoc_to_json(root);
    hm_jdoc_free(root);
    return *out != NULL ? HALLMARK_OK : HALLMARK_ERR_NOMEM;
}

void
hm_jdoc_free(hm_jv *root)
{
    free(root); /* the first node of the document's one allocation */
}

const hm_jv *
hm_jv_get(const hm_jv *obj, const char *name)
{
    const hm_jv *m;

    if (obj == NULL || obj->type != HM_JV_OBJECT) {
        return NULL;
    }
    for (m = obj->u.first; m != NULL; m = m->next) {
        if (strcmp(m->name, name) == 0) {
            return m;
        }
    }
    return NULL;
}

const char *
hm_jv_str(const hm_jv *v)
{
    return v != NULL && v->type == HM_JV_STRING ? v->u.str : NULL;
}

const char *
hm_jv_string(const hm_jv *obj, const char *name, size_t *len)
{
    const hm_jv *v = hm_jv_get(obj, name);

    if (v == NULL || v->type != HM_JV_STRING) {
        return NULL;
    }
    if (len != NULL) {
        *len = v->len;
    }
    return v->u.str;
}

int
hm_jv_uint(const hm_jv *obj, const char *name, long long *out)
{
    const hm_jv *v = hm_jv_get(obj, name);

    if (v == NULL || v->type != HM_JV_INTEGER || v->u.integer < 0 ||
        v->u.integer >= HM_JSON_INT_LIMIT) {
        return 0;
    }
    *out = v->u.integer;
    return 1;
}
