/* Bidi controls and links in a body ([HM-TOKEN-40], [HM-TOKEN-41]); contract in hm_body_rules.h. */
#include "hm_body_rules.h"

#include <string.h>

#include "hm_claims.h"
#include "hm_ids.h"
#include "hm_suffix.h"

#define URL_MAX 2048U

/* The bidi controls of [HM-CRED-3], in UTF-8. */
static const char *const bidi[] = {"\xe2\x80\x8e", "\xe2\x80\x8f", "\xe2\x80\xaa", "\xe2\x80\xab",
                                   "\xe2\x80\xac", "\xe2\x80\xad", "\xe2\x80\xae", "\xe2\x81\xa6",
                                   "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9", "\xd8\x9c"};

static int
is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static unsigned char
lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* The byte classes the scan asks about, one table load a byte instead of a chain of range tests
 * (the scan visits every byte of every body: issue 16). */
enum { ALNUM = 1, HOST = 2, SCHEME = 4, DOT = 8 };

/* clang-format off */
static const unsigned char byte_class[256] = {
    ['-'] = HOST | SCHEME, ['.'] = HOST | SCHEME | DOT, ['+'] = SCHEME,
#define A(c) [c] = ALNUM | HOST | SCHEME /* NOLINT(bugprone-macro-parentheses): a designator */
    A('0'), A('1'), A('2'), A('3'), A('4'), A('5'), A('6'), A('7'), A('8'), A('9'),
    A('A'), A('B'), A('C'), A('D'), A('E'), A('F'), A('G'), A('H'), A('I'), A('J'), A('K'),
    A('L'), A('M'), A('N'), A('O'), A('P'), A('Q'), A('R'), A('S'), A('T'), A('U'), A('V'),
    A('W'), A('X'), A('Y'), A('Z'),
    A('a'), A('b'), A('c'), A('d'), A('e'), A('f'), A('g'), A('h'), A('i'), A('j'), A('k'),
    A('l'), A('m'), A('n'), A('o'), A('p'), A('q'), A('r'), A('s'), A('t'), A('u'), A('v'),
    A('w'), A('x'), A('y'), A('z'),
#undef A
};
/* clang-format on */

/* The length of the run of host characters (letters, digits, '-', '.') at s; *dot: whether it
 * holds a '.'. */
static size_t
host_chars(const char *s, size_t len, int *dot)
{
    size_t j = 0;
    unsigned seen = 0;

    while (j < len && (byte_class[(unsigned char)s[j]] & HOST) != 0) {
        seen |= byte_class[(unsigned char)s[j]];
        j++;
    }
    *dot = (seen & DOT) != 0;
    return j;
}

/* 1 if a bidi control starts at body[i]. */
static int
bidi_at(const char *body, size_t len, size_t i)
{
    size_t k;

    for (k = 0; k < sizeof bidi / sizeof bidi[0]; k++) {
        size_t n = strlen(bidi[k]);
        if (n <= len - i && memcmp(body + i, bidi[k], n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* 1 if the body holds one of the bidi controls: compared only where a byte could start one
 * (every control begins with 0xe2 or 0xd8), those bytes found by memchr, which passes over
 * text that is mostly ASCII many bytes at a time. */
static int
has_bidi(const char *body, size_t len)
{
    static const unsigned char leads[] = {0xe2, 0xd8};
    const char *p;
    size_t k, i;

    for (k = 0; k < sizeof leads; k++) {
        for (i = 0; i < len && (p = memchr(body + i, leads[k], len - i)) != NULL;
             i = (size_t)(p - body) + 1) {
            if (bidi_at(body, len, (size_t)(p - body))) {
                return 1;
            }
        }
    }
    return 0;
}

/* 1 if the host (lowercase) lies within one of the brand's link domains (§5.7 step 8). */
static int
host_authorized(const hm_brand *b, const char *host)
{
    size_t j;

    if (!hm_dns_name_ok(host, strlen(host))) {
        return 0;
    }
    for (j = 0; j < b->domain_count; j++) {
        if (hm_link_entry_matches(host, b->domains[j])) {
            return 1;
        }
    }
    return 0;
}

/* 1 if label (lowercase) ends a host name: an ICANN top-level domain or a special-use name;
 * -1 if the Public Suffix List cannot be read. */
static int
top_level(const char *label)
{
    static const char *const reserved[] = {"example", "test", "invalid", "localhost"};
    size_t i;

    for (i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        if (strcmp(label, reserved[i]) == 0) {
            return 1;
        }
    }
    return hm_suffix_is_tld(label);
}

/* The length of a scheme link ("x://...") starting at s, or 0; hosts: the length of the run of
 * host characters at s (host_chars), every one of them a scheme character too. */
static size_t
scheme_link(const char *s, size_t len, size_t hosts)
{
    size_t j = hosts, e;

    while (j < len && (byte_class[(unsigned char)s[j]] & SCHEME) != 0) {
        j++;
    }
    if (j + 3 > len || memcmp(s + j, "://", 3) != 0) {
        return 0;
    }
    for (e = j + 3; e < len && !is_space((unsigned char)s[e]); e++) {
    }
    return e;
}

/* A bare host or "www." run starting at s, of j host characters (host_chars; has_dot: one of them
 * is a '.'): the host (lowercase, final dots dropped) in host, and whether it names a host (1), is
 * text (0) or the list is unreadable (-1). */
static int
host_run(const char *s, size_t j, int has_dot, int www, char host[HM_ID_MAX])
{
    size_t n, dot;
    int top;

    n = j;
    while (n > 0 && s[n - 1] == '.') {
        n--;
    }
    if (n == 0 || n >= HM_ID_MAX) {
        host[0] = '\0'; /* a longer run is no DNS name: refused as a host (the empty name) */
        return n >= HM_ID_MAX;
    }
    if (!www && (!has_dot || memchr(s, '.', n) == NULL)) {
        return 0; /* one label: a word, not a host (most of a body), so no copy below */
    }
    for (j = 0; j < n; j++) {
        host[j] = (char)lower((unsigned char)s[j]);
    }
    host[n] = '\0';
    if (www) {
        return 1;
    }
    for (dot = n; dot > 0 && host[dot - 1] != '.'; dot--) {
    }
    if (dot < 2 || dot == n || host[dot - 2] == '.') {
        return 0; /* one label, or an empty label before the last */
    }
    for (j = dot; j < n; j++) {
        if (!is_alpha((unsigned char)host[j])) {
            return 0; /* "3.50", "v1.2": a top-level domain is letters */
        }
    }
    top = top_level(host + dot);
    return top;
}

/* 0 when no link can start anywhere in the body, so the scan below would find none: every link
 * holds "://" (a scheme), "www." or a '.' before a letter (the last label of a bare host), or is a
 * run of HM_ID_MAX host characters, which a shorter body cannot hold. Most bodies have none of
 * these, and memchr finds that many bytes at a time (issue 16). */
static int
may_hold_link(const char *body, size_t len)
{
    const char *p;
    size_t at;

    if (len >= HM_ID_MAX) {
        return 1;
    }
    for (at = 0; at < len && (p = memchr(body + at, '.', len - at)) != NULL; at++) {
        at = (size_t)(p - body);
        if ((at + 1 < len && is_alpha((unsigned char)body[at + 1])) ||
            (at > 0 && lower((unsigned char)body[at - 1]) == 'w')) {
            return 1;
        }
    }
    for (at = 0; at < len && (p = memchr(body + at, ':', len - at)) != NULL; at++) {
        at = (size_t)(p - body);
        if (at + 2 < len && body[at + 1] == '/' && body[at + 2] == '/') {
            return 1;
        }
    }
    return 0;
}

hallmark_result
hm_body_rules_check(const hm_brand *b, const char *body, size_t len, const char **detail)
{
    char host[HM_ID_MAX], url[URL_MAX + 1];
    size_t i, n;

    if (has_bidi(body, len)) {
        *detail = "the body contains a bidi control character";
        return HALLMARK_ERR_BAD_REQUEST;
    }
    if (!may_hold_link(body, len)) {
        return HALLMARK_OK;
    }
    for (i = 0; i < len;) {
        unsigned char c = (unsigned char)body[i], prev = i > 0 ? (unsigned char)body[i - 1] : ' ';
        const char *why = NULL;
        size_t hosts;
        int kind, has_dot;

        /* Both kinds of link start with a letter or digit after a byte that is neither. */
        if ((byte_class[c] & ALNUM) == 0 || (byte_class[prev] & ALNUM) != 0) {
            i++;
            continue;
        }
        hosts = host_chars(body + i, len - i, &has_dot);
        if (is_alpha(c) && (n = scheme_link(body + i, len - i, hosts)) > 0) {
            if (n > URL_MAX) {
                *detail = "a link in the body is longer than 2048 bytes";
                return HALLMARK_ACTION_NOT_AUTHORIZED;
            }
            memcpy(url, body + i, n);
            url[n] = '\0';
            if (hm_brand_action_check(b, NULL, url, &why) != HALLMARK_OK) {
                *detail = "a link in the body is not an https URL inside the brand's link domains";
                return HALLMARK_ACTION_NOT_AUTHORIZED;
            }
            i += n;
            continue;
        }
        if ((byte_class[prev] & HOST) == 0 && prev != '@' && prev != '/') {
            int www = len - i >= 4 && lower(c) == 'w' && lower((unsigned char)body[i + 1]) == 'w' &&
                      lower((unsigned char)body[i + 2]) == 'w' && body[i + 3] == '.';

            kind = host_run(body + i, hosts, has_dot, www, host);
            if (kind < 0) {
                *detail = "the Public Suffix List cannot be read, so links cannot be checked";
                return HALLMARK_ERR_UNAVAILABLE;
            }
            if (kind > 0 && !host_authorized(b, host)) {
                *detail = "a host name in the body is outside the brand's link domains";
                return HALLMARK_ACTION_NOT_AUTHORIZED;
            }
            i += hosts;
            continue;
        }
        i++;
    }
    return HALLMARK_OK;
}
