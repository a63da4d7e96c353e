/* libFuzzer target: strict base64url. Whatever decodes must re-encode to the exact input (so the
 * decoder accepts one spelling per byte string), and nothing crashes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hm_b64url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *bin = malloc(hm_b64url_decoded_max(size) + 1);
    char *txt = malloc(size + 2);
    size_t len = 0, txt_len = 0;

    if (bin == NULL || txt == NULL) {
        free(bin);
        free(txt);
        return 0;
    }
    if (hm_b64url_decode(bin, hm_b64url_decoded_max(size) + 1, (const char *)data, size, &len) ==
        HALLMARK_OK) {
        if (hm_b64url_encode(txt, size + 2, bin, len, &txt_len) != HALLMARK_OK || txt_len != size ||
            memcmp(txt, data, size) != 0) {
            abort();
        }
    }
    free(bin);
    free(txt);
    return 0;
}
