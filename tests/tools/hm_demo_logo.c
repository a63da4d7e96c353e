/* hm-demo-logo: writes a sample brand logo drawn and encoded with libpng (hm_logo_sample).
 * usage: hm-demo-logo COLOUR OUT.png   (COLOUR as #RRGGBB) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_fileio.h"
#include "hm_png.h"

int
main(int argc, char **argv)
{
    unsigned char *png = NULL;
    size_t len = 0;
    hallmark_result rc;

    if (argc != 3) {
        (void)fprintf(stderr, "usage: hm-demo-logo '#RRGGBB' OUT.png\n");
        return 2;
    }
    rc = hm_logo_sample(argv[1], &png, &len);
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
