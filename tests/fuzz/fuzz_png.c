/* libFuzzer target: the PNG logo loader (spec §5.3). Like libpng's own OSS-Fuzz harness it runs
 * under an allocation cap: the module's 4 MiB decode budget, its limits checked before libpng
 * sees a byte, and -malloc_limit_mb from tools/run-fuzz.sh for the rest. A logo that decodes must
 * be canonical (its PNG decodes again to the same pixels and the same bytes) and must render a
 * preview that decodes as a logo too (checked for one logo in 16: rendering is slow). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hallmark.h"
#include "hm_digest.h"
#include "hm_png.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_canonical(const hm_logo *logo)
{
    char err[160], digest[HM_SHA256_B64_LEN + 1];
    hm_logo again;

    if (logo->width != logo->height || logo->width < HM_LOGO_MIN || logo->width > HM_LOGO_MAX ||
        logo->png == NULL || logo->rgba == NULL ||
        hm_sha256_b64url(digest, logo->png, logo->png_len) != HALLMARK_OK ||
        strcmp(digest, logo->sha256) != 0) {
        abort();
    }
    if (hm_logo_from_png(logo->png, logo->png_len, &again, err, sizeof err) != HALLMARK_OK ||
        again.width != logo->width || again.height != logo->height ||
        memcmp(again.rgba, logo->rgba, (size_t)logo->width * logo->height * 4) != 0 ||
        again.png_len != logo->png_len || memcmp(again.png, logo->png, logo->png_len) != 0) {
        abort();
    }
    hm_logo_free(&again);
}

static void
check_preview(const hm_logo *logo)
{
    unsigned char *png = NULL;
    size_t png_len = 0;
    char err[160];
    hm_logo preview;
    hallmark_result rc = hm_logo_preview(logo, "#0B5FFF", "#FFFFFF", &png, &png_len);

    if (rc == HALLMARK_ERR_NOMEM) {
        return;
    }
    if (rc != HALLMARK_OK ||
        hm_logo_from_png(png, png_len, &preview, err, sizeof err) != HALLMARK_OK ||
        preview.width != HM_LOGO_PREVIEW_SIZE || preview.height != HM_LOGO_PREVIEW_SIZE) {
        abort();
    }
    hm_logo_free(&preview);
    free(png);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[160];
    hm_logo logo;
    hallmark_result rc = hm_logo_from_png(data, size, &logo, err, sizeof err);

    if (memchr(err, '\0', sizeof err) == NULL) {
        abort();
    }
    if (rc == HALLMARK_OK) {
        check_canonical(&logo);
        /* Rendering takes ~100x a decode under the sanitizers and depends little on the pixels:
         * render one logo in 16, chosen by its digest so that a replay renders the same ones. */
        if (strchr("AQgw", logo.sha256[0]) != NULL) {
            check_preview(&logo);
        }
        hm_logo_free(&logo);
    } else if (logo.png != NULL || logo.rgba != NULL) {
        abort();
    }
    return 0;
}
