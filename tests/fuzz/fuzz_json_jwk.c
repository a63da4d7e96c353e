/* libFuzzer target: the strict JSON reader and JWK import, as a trust bundle's key entries reach
 * them. A key that imports must round-trip through its canonical JWK to the same kid. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hm_json.h"
#include "hm_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *o = NULL, *again = NULL;
    hm_pubkey key, key2;
    char canon[HM_JWK_MAX];
    size_t canon_len = 0;

    if (hm_json_parse_object(data, size, 4096, 4, &o) != HALLMARK_OK) {
        return 0;
    }
    if (hm_pubkey_from_jwk(&key, o) == HALLMARK_OK) {
        if (hm_pubkey_canonical_jwk(&key, canon, sizeof canon, &canon_len) != HALLMARK_OK ||
            hm_json_parse_object((const unsigned char *)canon, canon_len, 4096, 4, &again) !=
                HALLMARK_OK ||
            hm_pubkey_from_jwk(&key2, again) != HALLMARK_OK || strcmp(key.kid, key2.kid) != 0) {
            abort();
        }
        hm_pubkey_clear(&key2);
        json_decref(again);
        hm_pubkey_clear(&key);
    }
    json_decref(o);
    return 0;
}
