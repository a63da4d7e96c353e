/* Brand logos (hm_png, spec §5.3): every file of tests/data/logos/good decodes and re-encodes
 * canonically and idempotently; every file of tests/data/logos/bad is refused with the reason
 * bad/EXPECTED.txt gives; the preview is deterministic and shows the badge. The corpus is made by
 * tests/data/logos/make_logos.py. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_png.h"
#include "test.h"

#define LOGOS "tests/data/logos"

/* Canonical bytes of good/brand-256-rgba.png, pinned for Debian 12 (libpng 1.6.39, zlib 1.2.13):
 * a change means the canonical encoding changed, and with it every published logo.sha256. */
#define BRAND_SHA256 "K2sUOCfbbLf7CkN9JuOOXs2DnnB0enNHKdH3g-0ls-4"

struct good_file {
    const char *name;
    uint32_t side;
};

static const struct good_file good_files[] = {
    {"brand-256-rgba.png", 256}, {"palette4-64-trns.png", 64},  {"gray-1024.png", 1024},
    {"rgb16-128.png", 128},      {"interlaced-96.png", 96},     {"plain-96.png", 96},
    {"ancillary-200.png", 200},  {"trailing-bytes-64.png", 64}, {"gray2-trns-80.png", 80},
    {"gray1-128.png", 128},      {"rgba16-64.png", 64},
};

static uint32_t
get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Loads good/NAME or bad/NAME and decodes it; returns the result, the logo in *logo. */
static hallmark_result
load(const char *dir, const char *name, hm_logo *logo, char *err, size_t err_cap)
{
    char path[256];
    unsigned char *data;
    size_t len = 0;
    hallmark_result rc;

    (void)snprintf(path, sizeof path, LOGOS "/%s/%s", dir, name);
    data = test_read_file(path, &len);
    if (data == NULL) {
        (void)snprintf(err, err_cap, "cannot read %s/%s", dir, name);
        return HALLMARK_ERR_IO;
    }
    rc = hm_logo_from_png(data, len, logo, err, err_cap);
    free(data);
    return rc;
}

/* 1 when png is exactly signature, IHDR (13 bytes: 8-bit RGBA, no interlace, of the given side),
 * one or more IDAT, IEND and nothing after: the canonical form of spec §5.3. */
static int
canonical_layout(const unsigned char *png, size_t len, uint32_t side)
{
    static const unsigned char sig[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    size_t pos = 8, idats = 0;

    if (len < 8 + 25 + 12 || memcmp(png, sig, 8) != 0 || get32(png + 8) != 13 ||
        memcmp(png + 12, "IHDR", 4) != 0 || get32(png + 16) != side || get32(png + 20) != side ||
        png[24] != 8 || png[25] != 6 || png[26] != 0 || png[27] != 0 || png[28] != 0) {
        return 0;
    }
    pos += 25;
    for (;;) {
        uint32_t n;

        if (len - pos < 12) {
            return 0;
        }
        n = get32(png + pos);
        if (n > len - pos - 12) {
            return 0;
        }
        if (memcmp(png + pos + 4, "IEND", 4) == 0) {
            return n == 0 && pos + 12 == len && idats > 0;
        }
        if (memcmp(png + pos + 4, "IDAT", 4) != 0) {
            return 0;
        }
        idats++;
        pos += (size_t)n + 12;
    }
}

static int
contains(const unsigned char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;

    for (i = 0; i + n <= len; i++) {
        if (memcmp(hay + i, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* 1 when pixel (x, y) of the logo is exactly (r, g, b, a). */
static int
pixel_is(const hm_logo *logo, uint32_t x, uint32_t y, int r, int g, int b, int a)
{
    const unsigned char *p = logo->rgba + ((size_t)y * logo->width + x) * 4;

    return p[0] == r && p[1] == g && p[2] == b && p[3] == a;
}

static int
alpha_at(const hm_logo *logo, uint32_t x, uint32_t y)
{
    return logo->rgba[((size_t)y * logo->width + x) * 4 + 3];
}

static int
logo_is_zero(const hm_logo *logo)
{
    size_t i;

    for (i = 0; i < sizeof logo->sha256; i++) {
        if (logo->sha256[i] != '\0') {
            return 0;
        }
    }
    return logo->png == NULL && logo->png_len == 0 && logo->rgba == NULL && logo->width == 0 &&
           logo->height == 0;
}

TEST(logo_good_files_decode_to_canonical_idempotent_png)
{
    size_t i;

    for (i = 0; i < sizeof good_files / sizeof good_files[0]; i++) {
        const struct good_file *g = &good_files[i];
        hm_logo a, b;
        char err[160];
        int ok;

        if (load("good", g->name, &a, err, sizeof err) != HALLMARK_OK) {
            test_note("%s: %s", g->name, err);
            CHECK(0);
        }
        /* Decoding the canonical bytes again gives the same pixels and the same bytes. */
        ok = err[0] == '\0' && a.width == g->side && a.height == g->side &&
             canonical_layout(a.png, a.png_len, g->side) &&
             hm_logo_from_png(a.png, a.png_len, &b, err, sizeof err) == HALLMARK_OK;
        if (ok) {
            ok = b.png_len == a.png_len && memcmp(b.png, a.png, a.png_len) == 0 &&
                 memcmp(b.rgba, a.rgba, (size_t)a.width * a.height * 4) == 0 &&
                 strcmp(a.sha256, b.sha256) == 0 && strlen(a.sha256) == HM_SHA256_B64_LEN;
            hm_logo_free(&b);
        }
        if (!ok) {
            test_note("%s", g->name);
        }
        hm_logo_free(&a);
        CHECK(ok);
    }
    test_note("%zu good files", i);
}

TEST(logo_canonical_png_drops_every_ancillary_chunk)
{
    static const char *const ancillary[] = {"tEXt", "zTXt", "iTXt", "gAMA", "pHYs", "tIME"};
    unsigned char *data;
    size_t len = 0, i;
    hm_logo logo;
    int ok = 1;

    data = test_read_file(LOGOS "/good/ancillary-200.png", &len);
    CHECK(data != NULL);
    for (i = 0; i < sizeof ancillary / sizeof ancillary[0]; i++) {
        ok &= contains(data, len, ancillary[i]); /* present in the upload */
    }
    if (hm_logo_from_png(data, len, &logo, NULL, 0) != HALLMARK_OK) {
        free(data);
        CHECK(0);
    }
    free(data);
    for (i = 0; i < sizeof ancillary / sizeof ancillary[0]; i++) {
        ok &= !contains(logo.png, logo.png_len, ancillary[i]); /* gone after re-encoding */
    }
    ok &= canonical_layout(logo.png, logo.png_len, 200);
    /* Gray + alpha expanded: a transparent corner, an opaque gray inside. */
    ok &= pixel_is(&logo, 0, 0, 0, 0, 0, 0) && pixel_is(&logo, 100, 100, 110, 110, 110, 255);
    hm_logo_free(&logo);
    CHECK(ok);
}

TEST(logo_interlaced_and_plain_files_give_the_same_canonical_png)
{
    hm_logo a, b;
    char err[160];
    int same;

    CHECK_RC(load("good", "interlaced-96.png", &a, err, sizeof err), HALLMARK_OK);
    if (load("good", "plain-96.png", &b, err, sizeof err) != HALLMARK_OK) {
        hm_logo_free(&a);
        CHECK(0);
    }
    same = a.png_len == b.png_len && memcmp(a.png, b.png, a.png_len) == 0 &&
           strcmp(a.sha256, b.sha256) == 0 && memcmp(a.rgba, b.rgba, (size_t)96 * 96 * 4) == 0;
    /* The RGB tRNS key (magenta) reads back transparent; other pixels are opaque. */
    same &= alpha_at(&a, 48, 48) == 0 && pixel_is(&a, 0, 0, 10, 40, 90, 255) &&
            pixel_is(&a, 2, 26, 10, 40, 114, 255) && pixel_is(&a, 12, 0, 240, 180, 20, 255);
    hm_logo_free(&a);
    hm_logo_free(&b);
    CHECK(same);
}

TEST(logo_every_colour_type_and_depth_expands_to_8_bit_rgba)
{
    hm_logo l;
    char err[160];
    int ok;

    /* 4-bit palette with tRNS: entry 0 transparent, entry 1 half, others opaque. */
    CHECK_RC(load("good", "palette4-64-trns.png", &l, err, sizeof err), HALLMARK_OK);
    ok = pixel_is(&l, 0, 0, 0, 0, 0, 0) && pixel_is(&l, 10, 20, 200, 30, 30, 128) &&
         pixel_is(&l, 14, 14, 30, 120, 200, 255) && pixel_is(&l, 32, 32, 250, 250, 250, 255) &&
         pixel_is(&l, 6, 20, 20, 160, 60, 255);
    hm_logo_free(&l);
    CHECK(ok);
    /* 16-bit RGB: the high byte of each sample. */
    CHECK_RC(load("good", "rgb16-128.png", &l, err, sizeof err), HALLMARK_OK);
    ok = pixel_is(&l, 5, 7, 10, 14, 12, 255) && pixel_is(&l, 127, 127, 254, 254, 254, 255);
    hm_logo_free(&l);
    CHECK(ok);
    /* 16-bit RGBA. */
    CHECK_RC(load("good", "rgba16-64.png", &l, err, sizeof err), HALLMARK_OK);
    ok = pixel_is(&l, 10, 20, 39, 177, 18, 58);
    hm_logo_free(&l);
    CHECK(ok);
    /* 2-bit gray scaled to 8 bits, level 3 keyed transparent by tRNS. */
    CHECK_RC(load("good", "gray2-trns-80.png", &l, err, sizeof err), HALLMARK_OK);
    ok = pixel_is(&l, 0, 0, 0, 0, 0, 255) && pixel_is(&l, 20, 0, 85, 85, 85, 255) &&
         pixel_is(&l, 40, 0, 170, 170, 170, 255) && alpha_at(&l, 60, 0) == 0;
    hm_logo_free(&l);
    CHECK(ok);
    /* 1-bit gray. */
    CHECK_RC(load("good", "gray1-128.png", &l, err, sizeof err), HALLMARK_OK);
    ok = pixel_is(&l, 64, 64, 255, 255, 255, 255) && pixel_is(&l, 0, 127, 0, 0, 0, 255);
    hm_logo_free(&l);
    CHECK(ok);
    /* 8-bit gray at the largest size. */
    CHECK_RC(load("good", "gray-1024.png", &l, err, sizeof err), HALLMARK_OK);
    ok = pixel_is(&l, 512, 512, 40, 40, 40, 255) && pixel_is(&l, 0, 0, 230, 230, 230, 255) &&
         pixel_is(&l, 0, 120, 128, 128, 128, 255);
    hm_logo_free(&l);
    CHECK(ok);
    /* The brand logo: transparent outside the rounded square, blue inside, a white "A". */
    CHECK_RC(load("good", "brand-256-rgba.png", &l, err, sizeof err), HALLMARK_OK);
    ok = pixel_is(&l, 0, 0, 0, 0, 0, 0) && pixel_is(&l, 40, 128, 26, 86, 219, 255) &&
         pixel_is(&l, 128, 156, 255, 255, 255, 255);
    hm_logo_free(&l);
    CHECK(ok);
    /* Bytes after IEND are ignored. */
    CHECK_RC(load("good", "trailing-bytes-64.png", &l, err, sizeof err), HALLMARK_OK);
    ok = pixel_is(&l, 32, 32, 200, 30, 30, 255) && !contains(l.png, l.png_len, "junk");
    hm_logo_free(&l);
    CHECK(ok);
}

TEST(logo_canonical_bytes_match_the_pinned_digest)
{
    hm_logo l;
    char err[160];
    int ok;

    CHECK_RC(load("good", "brand-256-rgba.png", &l, err, sizeof err), HALLMARK_OK);
    ok = strcmp(l.sha256, BRAND_SHA256) == 0;
    if (!ok) {
        test_note("canonical sha256 %s (%zu bytes), pinned %s", l.sha256, l.png_len, BRAND_SHA256);
    }
    hm_logo_free(&l);
    CHECK(ok);
}

/* 1 when name (a .png of bad/) has a line in EXPECTED.txt. */
static int
listed(const char *expected, const char *name)
{
    size_t n = strlen(name);
    const char *p = expected;

    while ((p = strstr(p, name)) != NULL) {
        if ((p == expected || p[-1] == '\n') && p[n] == ' ') {
            return 1;
        }
        p += n;
    }
    return 0;
}

TEST(logo_bad_files_are_refused_with_their_reason)
{
    char *expected, *line, *save = NULL;
    size_t count = 0, files = 0, wrong = 0;
    DIR *dir;
    const struct dirent *e;

    expected = (char *)test_read_file(LOGOS "/bad/EXPECTED.txt", NULL);
    CHECK(expected != NULL);
    /* Every file of bad/ has an expectation: none is silently untested. */
    dir = opendir(LOGOS "/bad");
    if (dir == NULL) {
        free(expected);
        CHECK(0);
    }
    while ((e = readdir(dir)) != NULL) {
        size_t n = strlen(e->d_name);

        if (n > 4 && strcmp(e->d_name + n - 4, ".png") == 0) {
            files++;
            if (!listed(expected, e->d_name)) {
                test_note("%s is not in EXPECTED.txt", e->d_name);
                files = 0;
                break;
            }
        }
    }
    closedir(dir);
    for (line = strtok_r(expected, "\n", &save); line != NULL && files > 0;
         line = strtok_r(NULL, "\n", &save)) {
        char *want = strchr(line, ' '), err[256];
        hm_logo logo;
        hallmark_result rc;

        if (line[0] == '#' || want == NULL) {
            continue;
        }
        *want++ = '\0';
        memset(&logo, 0xa5, sizeof logo); /* must come back zeroed */
        rc = load("bad", line, &logo, err, sizeof err);
        if (rc != HALLMARK_ERR_INVALID_ARGUMENT || strstr(err, want) == NULL ||
            !logo_is_zero(&logo)) {
            test_note("%s: got %s \"%s\", want \"%s\"", line, hallmark_result_name(rc), err, want);
            if (rc == HALLMARK_OK) {
                hm_logo_free(&logo);
            }
            wrong++;
        }
        count++;
    }
    free(expected);
    CHECK(files > 0);
    CHECK(wrong == 0);
    CHECK(count == files);
    CHECK(count >= 12);
    test_note("%zu bad files refused", count);
}

TEST(logo_refuses_oversized_input_and_bad_arguments)
{
    static const unsigned char sig[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    unsigned char *big = calloc(HM_LOGO_FILE_MAX + 1, 1);
    unsigned char tiny[1] = {0};
    hm_logo logo;
    char err[160], small[8];
    hallmark_result rc;

    CHECK(big != NULL);
    memcpy(big, sig, sizeof sig);
    rc = hm_logo_from_png(big, HM_LOGO_FILE_MAX + 1, &logo, err, sizeof err);
    free(big);
    CHECK_RC(rc, HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "PNG file too large") != NULL && logo_is_zero(&logo));
    CHECK_RC(hm_logo_from_png(NULL, 10, &logo, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_logo_from_png(tiny, 1, NULL, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_logo_from_png(NULL, 0, &logo, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(err, "empty file") == 0);
    /* No error buffer, or a short one: still refused, and the message is cut, not overrun. */
    CHECK_RC(hm_logo_from_png(tiny, 1, &logo, NULL, 0), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_logo_from_png(tiny, 1, &logo, small, sizeof small), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strcmp(small, "not a P") == 0);
    hm_logo_free(NULL);
}

static int
rgb_is(const hm_logo *l, uint32_t x, uint32_t y, int r, int g, int b)
{
    return pixel_is(l, x, y, r, g, b, 255);
}

TEST(logo_preview_is_deterministic_and_shows_the_badge)
{
    hm_logo logo, shown;
    unsigned char *p1 = NULL, *p2 = NULL;
    size_t n1 = 0, n2 = 0;
    char err[160];
    const unsigned char *c;
    int ok;

    CHECK_RC(load("good", "brand-256-rgba.png", &logo, err, sizeof err), HALLMARK_OK);
    if (hm_logo_preview(&logo, "#0B3D91", "#F4F1EA", &p1, &n1) != HALLMARK_OK ||
        hm_logo_preview(&logo, "#0B3D91", "#F4F1EA", &p2, &n2) != HALLMARK_OK) {
        free(p1);
        hm_logo_free(&logo);
        CHECK(0);
    }
    ok = n1 == n2 && memcmp(p1, p2, n1) == 0 && canonical_layout(p1, n1, HM_LOGO_PREVIEW_SIZE);
    free(p2);
    ok &= hm_logo_from_png(p1, n1, &shown, err, sizeof err) == HALLMARK_OK;
    free(p1);
    hm_logo_free(&logo);
    CHECK(ok);
    c = shown.rgba + ((size_t)264 * HM_LOGO_PREVIEW_SIZE + 264) * 4;
    ok = shown.width == HM_LOGO_PREVIEW_SIZE && shown.height == HM_LOGO_PREVIEW_SIZE &&
         rgb_is(&shown, 0, 0, 0xf4, 0xf1, 0xea) &&                    /* canvas corner */
         rgb_is(&shown, 319, 319, 0xf4, 0xf1, 0xea) &&                /* beyond the badge */
         rgb_is(&shown, 30, 160, 0x0b, 0x3d, 0x91) &&                 /* the primary frame */
         rgb_is(&shown, 72, 160, 26, 86, 219) &&                      /* logo (40, 128), 1:1 */
         rgb_is(&shown, 264, 239, 0x1a, 0x73, 0xe8) &&                /* badge disc */
         rgb_is(&shown, 264, 219, 255, 255, 255) &&                   /* badge ring */
         rgb_is(&shown, 258, 278, 255, 255, 255) &&                   /* checkmark corner */
         c[3] == 255 && c[2] >= 0xe8 && c[0] <= c[1] && c[1] <= c[2]; /* blue to white */
    hm_logo_free(&shown);
    CHECK(ok);
}

TEST(logo_preview_shows_the_background_through_transparency)
{
    hm_logo logo, shown;
    unsigned char *png = NULL;
    size_t n = 0;
    char err[160];
    int ok;

    CHECK_RC(load("good", "palette4-64-trns.png", &logo, err, sizeof err), HALLMARK_OK);
    if (hm_logo_preview(&logo, "#FFFFFF", "#101820", &png, &n) != HALLMARK_OK) {
        hm_logo_free(&logo);
        CHECK(0);
    }
    ok = hm_logo_from_png(png, n, &shown, err, sizeof err) == HALLMARK_OK;
    free(png);
    /* Tile pixel (8, 128) samples source pixels 1-2 of rows 31-32: transparent. */
    ok = ok && rgb_is(&shown, 40, 160, 0x10, 0x18, 0x20) && rgb_is(&shown, 30, 160, 255, 255, 255);
    hm_logo_free(&shown);
    /* Bad arguments. */
    ok &= hm_logo_preview(&logo, "#1a73e8", "#FFFFFF", &png, &n) == HALLMARK_ERR_INVALID_ARGUMENT;
    ok &= hm_logo_preview(&logo, "#FFF", "#FFFFFF", &png, &n) == HALLMARK_ERR_INVALID_ARGUMENT;
    ok &= hm_logo_preview(&logo, "#FFFFFF0", "#FFFFFF", &png, &n) == HALLMARK_ERR_INVALID_ARGUMENT;
    ok &= hm_logo_preview(&logo, "#FFFFFF", NULL, &png, &n) == HALLMARK_ERR_INVALID_ARGUMENT;
    ok &= hm_logo_preview(&logo, "#FFFFFF", "#FFFFFF", NULL, &n) == HALLMARK_ERR_INVALID_ARGUMENT;
    ok &= png == NULL && n == 0;
    hm_logo_free(&logo);
    ok &= hm_logo_preview(&logo, "#FFFFFF", "#FFFFFF", &png, &n) == HALLMARK_ERR_INVALID_ARGUMENT;
    ok &= hm_logo_preview(NULL, "#FFFFFF", "#FFFFFF", &png, &n) == HALLMARK_ERR_INVALID_ARGUMENT;
    CHECK(ok);
}
