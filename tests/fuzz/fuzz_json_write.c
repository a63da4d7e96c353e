/* libFuzzer target: the JSON escaper the signer writes its claims and signature log with
 * (hm_json_write) against jansson, which wrote them before issue 16. Any byte string: the writer
 * must give exactly json_dumps' bytes for it as a JSON string, or refuse it exactly when jansson
 * refuses it (not UTF-8; U+0000, which no C string the signer holds can carry, the writer
 * refuses on its own); and the table base64url of public bytes must be libsodium's. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hm_b64url.h"
#include "hm_json_write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char stack[32], *want_b64 = malloc(hm_b64url_encoded_len(size) + 1),
                    *got_b64 = malloc(hm_b64url_encoded_len(size) + 1);
    hm_json_writer w;
    json_t *j = memchr(data, 0, size) == NULL ? json_stringn((const char *)data, size) : NULL;
    char *want = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    const char *got;

    hm_json_write_init(&w, stack, sizeof stack);
    hm_json_write_string(&w, (const char *)data, size);
    got = hm_json_write_text(&w, NULL);
    if ((j != NULL && want == NULL) || (want == NULL) != (got == NULL) ||
        (want != NULL && strcmp(want, got) != 0)) {
        abort();
    }
    if (want_b64 != NULL && got_b64 != NULL &&
        hm_b64url_encode(want_b64, hm_b64url_encoded_len(size) + 1, data, size, NULL) ==
            HALLMARK_OK &&
        (hm_b64url_encode_public(got_b64, data, size) != strlen(want_b64) ||
         strcmp(want_b64, got_b64) != 0)) {
        abort();
    }
    free(want_b64);
    free(got_b64);
    free(want);
    json_decref(j);
    hm_json_write_release(&w);
    return 0;
}
