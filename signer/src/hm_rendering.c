#include "hm_rendering.h"

#include <string.h>

/* The table of spec §3.4: every code point there is 2 or 3 bytes of UTF-8, every replacement
 * 1 or 3 bytes of ASCII, so a rendering is never longer than its text. */
static const struct {
    unsigned cp;
    const char *ascii;
} gsm7[] = {
    {0x00A0, " "},   {0x2002, " "}, {0x2003, " "},  {0x2004, " "},  {0x2005, " "},  {0x2006, " "},
    {0x2007, " "},   {0x2008, " "}, {0x2009, " "},  {0x200A, " "},  {0x2010, "-"},  {0x2011, "-"},
    {0x2012, "-"},   {0x2013, "-"}, {0x2014, "-"},  {0x2015, "-"},  {0x2018, "'"},  {0x2019, "'"},
    {0x201A, "'"},   {0x201B, "'"}, {0x201C, "\""}, {0x201D, "\""}, {0x201E, "\""}, {0x201F, "\""},
    {0x2026, "..."}, {0x202F, " "}, {0x2032, "'"},  {0x2033, "\""}, {0x205F, " "},  {0x2212, "-"},
};

/* The replacement of the code point at s (n bytes left), with its length in *used; NULL if the
 * table does not hold it. Only 2- and 3-byte sequences can be in the table. */
static const char *
replacement(const unsigned char *s, size_t n, size_t *used)
{
    unsigned cp;
    size_t i;

    if (n >= 2 && (s[0] & 0xE0) == 0xC0) {
        cp = ((unsigned)(s[0] & 0x1F) << 6) | (unsigned)(s[1] & 0x3F);
        *used = 2;
    } else if (n >= 3 && (s[0] & 0xF0) == 0xE0) {
        cp = ((unsigned)(s[0] & 0x0F) << 12) | ((unsigned)(s[1] & 0x3F) << 6) |
             (unsigned)(s[2] & 0x3F);
        *used = 3;
    } else {
        return NULL;
    }
    for (i = 0; i < sizeof gsm7 / sizeof gsm7[0]; i++) {
        if (gsm7[i].cp == cp) {
            return gsm7[i].ascii;
        }
    }
    return NULL;
}

size_t
hm_render_gsm7(const char *text, size_t len, char *out, int *changed)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, o = 0;

    *changed = 0;
    while (i < len) {
        size_t used = 1;
        const char *r;

        if (s[i] < 0x80) { /* ASCII is its own rendering: a run of it in one copy */
            while (i + used < len && s[i + used] < 0x80) {
                used++;
            }
            memcpy(out + o, s + i, used);
            o += used;
            i += used;
            continue;
        }
        r = replacement(s + i, len - i, &used);
        if (r != NULL) {
            while (*r != '\0') { /* the ASCII replacement, without its NUL */
                out[o++] = *r++;
            }
            *changed = 1;
        } else {
            memcpy(out + o, s + i, used);
            o += used;
        }
        i += used;
    }
    return o;
}
