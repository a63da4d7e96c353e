/* libFuzzer target: strict base64url. Whatever decodes must re-encode to the exact input (so the
 * decoder accepts one spelling per byte string), the public decoder (OpenSSL's table decoder, for
 * tokens) must give exactly the constant-time one's result, length and bytes, and nothing
 * crashes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hm_b64url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *bin = malloc(hm_b64url_decoded_max(size) + 1),
                  *pub = malloc(hm_b64url_decoded_max(size) + 1);
    char *txt = malloc(size + 2);
    size_t len = 0, pub_len = 0, txt_len = 0;
    hallmark_result rc, pub_rc;

    if (bin == NULL || pub == NULL || txt == NULL) {
        free(bin);
        free(pub);
        free(txt);
        return 0;
    }
    rc = hm_b64url_decode(bin, hm_b64url_decoded_max(size) + 1, (const char *)data, size, &len);
    pub_rc = hm_b64url_decode_public(pub, hm_b64url_decoded_max(size) + 1, (const char *)data, size,
                                     &pub_len);
    if (rc != pub_rc || len != pub_len || (rc == HALLMARK_OK && memcmp(bin, pub, len) != 0)) {
        abort();
    }
    if (rc == HALLMARK_OK) {
        if (hm_b64url_encode(txt, size + 2, bin, len, &txt_len) != HALLMARK_OK || txt_len != size ||
            memcmp(txt, data, size) != 0) {
            abort();
        }
    }
    free(bin);
    free(pub);
    free(txt);
    return 0;
}
