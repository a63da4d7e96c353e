/* libFuzzer target: the hash-chained log walk (hm_audit_walk) that checks the keystore's
 * audit.log and the signer's signature log against its checkpoint. The first byte of the input
 * is the checkpoint's entry count, the rest the log. Checks the walk's own promises: on success
 * the head at the checkpoint is the head when the checkpoint is the last entry, "" past the end,
 * a 43-character hash otherwise; on a broken chain, the first bad entry is named. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hm_audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t at, entries = 0, bad = 0;
    char head[44], head_at[44];
    hallmark_result rc;

    if (size == 0) {
        return 0;
    }
    at = data[0];
    rc = hm_audit_walk(size > 1 ? data + 1 : NULL, size - 1, at, &entries, &bad, head, head_at);
    if (rc == HALLMARK_OK) {
        if (strlen(head) != 43 || (at > entries && head_at[0] != '\0') ||
            (at <= entries && strlen(head_at) != 43) ||
            (at == entries && strcmp(head, head_at) != 0)) {
            abort();
        }
    } else if (rc != HALLMARK_ERR_CORRUPT || bad == 0) {
        abort();
    }
    return 0;
}
