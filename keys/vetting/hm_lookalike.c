/* Near logos and near names ([HM-CRED-42], [HM-CRED-43]); the contract is in hm_lookalike.h. */
#include "hm_lookalike.h"

#include <stdlib.h>
#include <string.h>

#define CELLS_X 9U
#define CELLS_Y 8U
#define SIDE_MAX 4096U

/* A compact key holds at most the code points of a skeleton key (HM_SKELETON_MAX bytes). */
#define COMPACT_MAX HM_SKELETON_MAX
/* Edit distances are computed for keys up to this long; longer keys (not from a 64-code-point
 * name in practice) are compared by equality and containment only, to bound the time. */
#define EDIT_MAX 512U

hallmark_result
hm_logo_dhash(const unsigned char *rgba, uint32_t width, uint32_t height, uint64_t *out)
{
    unsigned long long sum[CELLS_Y][CELLS_X], count[CELLS_Y][CELLS_X];
    uint32_t cx, cy, x, y;
    uint64_t hash = 0;

    if (rgba == NULL || out == NULL || width < CELLS_X || height < CELLS_Y || width > SIDE_MAX ||
        height > SIDE_MAX) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    memset(sum, 0, sizeof sum);
    memset(count, 0, sizeof count);
    for (y = 0; y < height; y++) {
        /* The cell c with floor(c * H / 8) <= y < floor((c + 1) * H / 8), from an estimate. */
        cy = (uint32_t)((unsigned long long)y * CELLS_Y / height);
        while (cy > 0 && (unsigned long long)cy * height / CELLS_Y > y) {
            cy--;
        }
        while (cy + 1 < CELLS_Y && (unsigned long long)(cy + 1) * height / CELLS_Y <= y) {
            cy++;
        }
        for (x = 0; x < width; x++) {
            const unsigned char *p = rgba + ((size_t)y * width + x) * 4;
            unsigned a = p[3], c[3], i;

            cx = (uint32_t)((unsigned long long)x * CELLS_X / width);
            while (cx > 0 && (unsigned long long)cx * width / CELLS_X > x) {
                cx--;
            }
            while (cx + 1 < CELLS_X && (unsigned long long)(cx + 1) * width / CELLS_X <= x) {
                cx++;
            }
            for (i = 0; i < 3; i++) {
                c[i] = (p[i] * a + 255U * (255U - a)) / 255U; /* over white */
            }
            sum[cy][cx] += (299ULL * c[0] + 587ULL * c[1] + 114ULL * c[2]) / 1000ULL;
            count[cy][cx]++;
        }
    }
    for (cy = 0; cy < CELLS_Y; cy++) {
        for (cx = 0; cx + 1 < CELLS_X; cx++) {
            unsigned long long left = sum[cy][cx] / count[cy][cx];
            unsigned long long right = sum[cy][cx + 1] / count[cy][cx + 1];

            hash = hash << 1 | (left < right ? 1U : 0U);
        }
    }
    *out = hash;
    return HALLMARK_OK;
}

unsigned
hm_logo_dhash_distance(uint64_t a, uint64_t b)
{
    uint64_t d = a ^ b;
    unsigned n = 0;

    while (d != 0) {
        d &= d - 1;
        n++;
    }
    return n;
}

/* The code points of a key without white space and ASCII punctuation; -1 when the key is not
 * UTF-8 (it always is, from ICU), else the count. */
static long
compact(const char *key, uint32_t *out, size_t cap)
{
    const unsigned char *s = (const unsigned char *)key;
    size_t n = 0;

    while (*s != '\0') {
        uint32_t cp;
        size_t len, i;

        if (s[0] < 0x80) {
            cp = s[0];
            len = 1;
        } else if ((s[0] & 0xE0) == 0xC0) {
            cp = s[0] & 0x1FU;
            len = 2;
        } else if ((s[0] & 0xF0) == 0xE0) {
            cp = s[0] & 0x0FU;
            len = 3;
        } else if ((s[0] & 0xF8) == 0xF0) {
            cp = s[0] & 0x07U;
            len = 4;
        } else {
            return -1;
        }
        for (i = 1; i < len; i++) {
            if ((s[i] & 0xC0) != 0x80) {
                return -1;
            }
            cp = cp << 6 | (s[i] & 0x3FU);
        }
        s += len;
        if ((cp < 0x80 && (cp <= 0x20 || cp == 0x7F || (cp >= 0x21 && cp <= 0x2F) ||
                           (cp >= 0x3A && cp <= 0x40) || (cp >= 0x5B && cp <= 0x60) ||
                           (cp >= 0x7B && cp <= 0x7E))) ||
            cp == 0x3000) {
            continue; /* white space, ASCII punctuation, the ideographic space */
        }
        if (n == cap) {
            return -1;
        }
        out[n++] = cp;
    }
    return (long)n;
}

static int
contains(const uint32_t *hay, size_t nh, const uint32_t *needle, size_t nn)
{
    size_t i;

    for (i = 0; nn <= nh && i + nn <= nh; i++) {
        if (memcmp(hay + i, needle, nn * sizeof *needle) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Levenshtein distance in code points, or UINT32_MAX when a key is longer than EDIT_MAX. */
static unsigned
edit_distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, unsigned *row)
{
    size_t i, j;

    if (na > EDIT_MAX || nb > EDIT_MAX) {
        return UINT32_MAX;
    }
    for (j = 0; j <= nb; j++) {
        row[j] = (unsigned)j;
    }
    for (i = 1; i <= na; i++) {
        unsigned diag = row[0];

        row[0] = (unsigned)i;
        for (j = 1; j <= nb; j++) {
            unsigned up = row[j], best = diag + (a[i - 1] != b[j - 1]);

            if (up + 1 < best) {
                best = up + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            diag = up;
            row[j] = best;
        }
    }
    return row[nb];
}

/* The bound of [HM-CRED-43] for the longer key's length. */
static unsigned
edit_bound(size_t longer)
{
    return longer <= 4 ? 0U : longer <= 8 ? 1U : 2U;
}

hm_names_near_kind
hm_names_near(const hm_confusable_keys *a, const hm_confusable_keys *b, unsigned *distance)
{
    uint32_t *ka = malloc(COMPACT_MAX * sizeof *ka), *kb = malloc(COMPACT_MAX * sizeof *kb);
    unsigned *row = malloc((EDIT_MAX + 1) * sizeof *row), best = UINT32_MAX;
    hm_names_near_kind kind = HM_NAMES_APART;
    size_t i, j;

    if (distance != NULL) {
        *distance = UINT32_MAX;
    }
    if (a == NULL || b == NULL || ka == NULL || kb == NULL || row == NULL) {
        free(ka);
        free(kb);
        free(row);
        return HM_NAMES_APART;
    }
    for (i = 0; i < HM_CONFUSABLE_KEYS; i++) {
        long na = compact(a->key[i], ka, COMPACT_MAX);

        for (j = 0; na > 0 && j < HM_CONFUSABLE_KEYS; j++) {
            long nb = compact(b->key[j], kb, COMPACT_MAX);
            size_t shorter, longer;
            unsigned d;
            hm_names_near_kind k = HM_NAMES_APART;

            if (nb <= 0) {
                continue;
            }
            shorter = (size_t)(na < nb ? na : nb);
            longer = (size_t)(na < nb ? nb : na);
            /* Keys whose lengths differ by more than the largest bound are never within it. */
            d = longer - shorter > 2 ? UINT32_MAX
                                     : edit_distance(ka, (size_t)na, kb, (size_t)nb, row);
            if (na == nb && memcmp(ka, kb, (size_t)na * sizeof *ka) == 0) {
                k = HM_NAMES_EQUAL;
            } else if (shorter >= 4 && (na < nb ? contains(kb, (size_t)nb, ka, (size_t)na)
                                                : contains(ka, (size_t)na, kb, (size_t)nb))) {
                k = HM_NAMES_CONTAIN;
            } else if (d <= edit_bound(longer)) {
                k = HM_NAMES_EDIT;
            }
            if (k != HM_NAMES_APART && (kind == HM_NAMES_APART || k < kind)) {
                kind = k;
            }
            if (d < best) {
                best = d;
            }
        }
    }
    free(ka);
    free(kb);
    free(row);
    if (distance != NULL) {
        *distance = kind == HM_NAMES_EQUAL || kind == HM_NAMES_CONTAIN ? 0U : best;
    }
    return kind;
}

const char *
hm_names_near_name(hm_names_near_kind kind)
{
    switch (kind) {
    case HM_NAMES_EQUAL:
        return "equal";
    case HM_NAMES_CONTAIN:
        return "contains";
    case HM_NAMES_EDIT:
        return "edit distance";
    case HM_NAMES_APART:
        break;
    }
    return "apart";
}
