/* Look-alike measures of onboarding (spec §5.8): the difference hash of logos ([HM-CRED-42]) and
 * near names on the confusable skeleton ([HM-CRED-43]). */
#include <stdlib.h>
#include <string.h>

#include "hm_lookalike.h"
#include "hm_png.h"
#include "test.h"

/* The canonical RGBA pixels of a PNG made in memory. */
static int
decode(unsigned char *png, size_t len, hm_logo *out)
{
    char err[128];
    hallmark_result rc = hm_logo_from_png(png, len, out, err, sizeof err);

    free(png);
    return rc == HALLMARK_OK ? 0 : -1;
}

static int
sample(const char *colour, hm_logo *out)
{
    unsigned char *png = NULL;
    size_t len = 0;

    return hm_logo_sample(colour, &png, &len) == HALLMARK_OK ? decode(png, len, out) : -1;
}

/* A side x side picture of 16 x 16 blocks, each black or white by the bits of seed. */
static unsigned char *
blocks(uint32_t side, unsigned long long seed)
{
    unsigned char *p = malloc((size_t)side * side * 4);
    uint32_t x, y;

    for (y = 0; p != NULL && y < side; y++) {
        for (x = 0; x < side; x++) {
            unsigned long long bit = (unsigned long long)(y * 16 / side) * 16 + x * 16 / side;
            unsigned long long h = (seed << 8 | bit) + 0x9E3779B97F4A7C15ULL; /* splitmix64 */
            unsigned char v;

            h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ULL;
            h = (h ^ (h >> 27)) * 0x94D049BB133111EBULL;
            v = ((h ^ (h >> 31)) >> 17) & 1 ? 0 : 255;

            memset(p + ((size_t)y * side + x) * 4, v, 3);
            p[((size_t)y * side + x) * 4 + 3] = 255;
        }
    }
    return p;
}

TEST(lookalike_logo_hash_arithmetic_is_pinned)
{
    unsigned char px[9 * 8 * 4];
    uint64_t h = 1;
    size_t x, y;

    /* One pixel a cell: luma rising to the right sets every bit, falling clears every bit. */
    for (y = 0; y < 8; y++) {
        for (x = 0; x < 9; x++) {
            memset(px + (y * 9 + x) * 4, (int)(200 - 20 * x), 3);
            px[(y * 9 + x) * 4 + 3] = 255;
        }
    }
    CHECK_RC(hm_logo_dhash(px, 9, 8, &h), HALLMARK_OK);
    CHECK(h == 0); /* each cell is brighter than the next: no cell is darker than its right */
    for (y = 0; y < 8; y++) {
        for (x = 0; x < 9; x++) {
            memset(px + (y * 9 + x) * 4, (int)(20 * x), 3);
        }
    }
    CHECK_RC(hm_logo_dhash(px, 9, 8, &h), HALLMARK_OK);
    CHECK(h == UINT64_MAX);
    /* Transparent black is white over white: row 0's first cell becomes white, so bit 0 (the
     * most significant) is 0 and the rest stay 1. */
    memset(px, 0, 4);
    CHECK_RC(hm_logo_dhash(px, 9, 8, &h), HALLMARK_OK);
    CHECK(h == UINT64_MAX >> 1);
    CHECK(hm_logo_dhash_distance(0, UINT64_MAX) == 64 && hm_logo_dhash_distance(5, 6) == 2);
    CHECK_RC(hm_logo_dhash(px, 8, 8, &h), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_logo_dhash(NULL, 9, 8, &h), HALLMARK_ERR_INVALID_ARGUMENT);
}

TEST(lookalike_logos_near_when_recoloured_or_rescaled_apart_otherwise)
{
    hm_logo blue, red;
    unsigned char *a = blocks(256, 1), *a_big = blocks(512, 1), *b = blocks(256, 2);
    uint64_t hb = 0, hr = 0, ha = 0, ha_big = 0, hbb = 0;

    CHECK(sample("#0B5FFF", &blue) == 0 && sample("#A4161A", &red) == 0);
    CHECK_RC(hm_logo_dhash(blue.rgba, blue.width, blue.height, &hb), HALLMARK_OK);
    CHECK_RC(hm_logo_dhash(red.rgba, red.width, red.height, &hr), HALLMARK_OK);
    /* The same "A" in another colour: a look-alike, as Acme's logo recoloured would be. */
    test_note("sample logo blue vs red: %u bits", hm_logo_dhash_distance(hb, hr));
    CHECK(hm_logo_dhash_distance(hb, hr) <= HM_LOGO_NEAR_BITS);
    CHECK(a != NULL && a_big != NULL && b != NULL);
    CHECK_RC(hm_logo_dhash(a, 256, 256, &ha), HALLMARK_OK);
    CHECK_RC(hm_logo_dhash(a_big, 512, 512, &ha_big), HALLMARK_OK);
    CHECK_RC(hm_logo_dhash(b, 256, 256, &hbb), HALLMARK_OK);
    CHECK(ha == ha_big); /* the same blocks at twice the size */
    test_note("block logos 1 vs 2: %u bits; 1 vs sample: %u bits", hm_logo_dhash_distance(ha, hbb),
              hm_logo_dhash_distance(ha, hb));
    CHECK(hm_logo_dhash_distance(ha, hbb) > HM_LOGO_NEAR_BITS);
    CHECK(hm_logo_dhash_distance(ha, hb) > HM_LOGO_NEAR_BITS);
    free(a);
    free(a_big);
    free(b);
    hm_logo_free(&blue);
    hm_logo_free(&red);
}

static hm_names_near_kind
near(const char *x, const char *y, unsigned *d)
{
    static hm_confusable_keys kx, ky;

    if (hm_confusable_keys_of(x, &kx) != HALLMARK_OK ||
        hm_confusable_keys_of(y, &ky) != HALLMARK_OK) {
        return (hm_names_near_kind)-1;
    }
    return hm_names_near(&kx, &ky, d);
}

TEST(lookalike_names_by_containment_and_edit_distance)
{
    unsigned d = 99;

    /* The probes beside "Acme Bank". */
    CHECK(near("AcmeBank", "Acme Bank", &d) == HM_NAMES_EQUAL && d == 0);
    CHECK(near("Acme Bank Alerts", "Acme Bank", &d) == HM_NAMES_CONTAIN && d == 0);
    CHECK(near("Acme Bank", "ACME-BANK", &d) == HM_NAMES_EQUAL);
    /* One or two letters apart, on the skeleton ("m" and "rn" are one skeleton). */
    CHECK(near("Contoso Aid", "Contoso Air", &d) == HM_NAMES_EDIT && d == 1);
    CHECK(near("Northwind Bnak", "Northwind Bank", &d) == HM_NAMES_EDIT && d == 2);
    CHECK(near("Acne", "Acme", &d) == HM_NAMES_EDIT && d == 1);
    CHECK(near("Acme Bamk", "Acme Bank", &d) == HM_NAMES_EDIT);
    /* Short names: equality only; distinct names stay apart. */
    CHECK(near("Fab X", "Fab Y", &d) == HM_NAMES_APART && d == 1);
    CHECK(near("Globex", "Acme Bank", &d) == HM_NAMES_APART);
    CHECK(near("Initech", "Initrode", &d) == HM_NAMES_APART);
    CHECK(near("Ape", "Tape Co", &d) == HM_NAMES_APART); /* "ape" is under 4 code points */
    CHECK(near("Northwind Bank", "Northwind Bank Group", &d) == HM_NAMES_CONTAIN);
    /* Other scripts meet through the skeleton like Latin ones. */
    CHECK(near("\xd0\x90\xd0\xa1\xd0\x9c\xd0\x95 Bank Alerts", "Acme Bank", &d) ==
          HM_NAMES_CONTAIN);
    CHECK(strcmp(hm_names_near_name(HM_NAMES_EDIT), "edit distance") == 0);
    CHECK(hm_names_near(NULL, NULL, &d) == HM_NAMES_APART);
}
