/* hm-demo-logo: writes a sample brand logo drawn and encoded with libpng (hm_logo_sample).
 * usage: hm-demo-logo COLOUR OUT.png [SEED]   (COLOUR as #RRGGBB)
 * With SEED, the logo is a 16 x 16 grid of 16-pixel blocks in COLOUR or white, one per bit of
 * SHA-256(SEED): a different picture for each seed, so that tests and demos can onboard several
 * brands whose logos are not near one another (spec [HM-CRED-42]). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_digest.h"
#include "hm_fileio.h"
#include "hm_png.h"

#define GRID ((size_t)16)
#define BLOCK ((size_t)16)
#define SIDE (GRID * BLOCK)

static int
hex_colour(const char *s, unsigned char rgb[3])
{
    unsigned v[3];
    int i;

    if (strlen(s) != 7 || s[0] != '#' || sscanf(s + 1, "%2x%2x%2x", &v[0], &v[1], &v[2]) != 3) {
        return 0;
    }
    for (i = 0; i < 3; i++) {
        rgb[i] = (unsigned char)v[i];
    }
    return 1;
}

static hallmark_result
seeded_logo(const char *colour, const char *seed, unsigned char **png, size_t *len)
{
    unsigned char bits[HM_SHA256_BYTES], rgb[3], *canvas;
    size_t x, y;
    hallmark_result rc;

    if (!hex_colour(colour, rgb) ||
        hm_sha256(bits, (const unsigned char *)seed, strlen(seed)) != HALLMARK_OK) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if ((canvas = malloc((size_t)SIDE * SIDE * 4)) == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    for (y = 0; y < SIDE; y++) {
        for (x = 0; x < SIDE; x++) {
            size_t bit = (y / BLOCK) * GRID + x / BLOCK;
            int on = (bits[bit / 8] >> (7 - bit % 8)) & 1;
            unsigned char *p = canvas + (y * SIDE + x) * 4;

            p[0] = on ? rgb[0] : 255;
            p[1] = on ? rgb[1] : 255;
            p[2] = on ? rgb[2] : 255;
            p[3] = 255;
        }
    }
    rc = hm_png_encode_rgba(canvas, (uint32_t)SIDE, (uint32_t)SIDE, png, len);
    free(canvas);
    return rc;
}

int
main(int argc, char **argv)
{
    unsigned char *png = NULL;
    size_t len = 0;
    hallmark_result rc;

    if (argc != 3 && argc != 4) {
        (void)fprintf(stderr, "usage: hm-demo-logo '#RRGGBB' OUT.png [SEED]\n");
        return 2;
    }
    rc =
        argc == 4 ? seeded_logo(argv[1], argv[3], &png, &len) : hm_logo_sample(argv[1], &png, &len);
    if (rc == HALLMARK_OK) {
        rc = hm_atomic_write(argv[2], png, len);
    }
    free(png);
    if (rc != HALLMARK_OK) {
        (void)fprintf(stderr, "hm-demo-logo: %s\n", hallmark_strerror(rc));
        return 1;
    }
    return 0;
}
