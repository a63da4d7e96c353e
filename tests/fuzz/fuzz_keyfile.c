/* libFuzzer target: secret key file loading (keys/src/hm_keyfile.h) with a fixed passphrase, the
 * one the seed files were sealed with (hallmark-keys init --kdf minimum), so that inputs reach
 * decryption. Argon2id runs at whatever limits a file asks for: inputs asking for more than the
 * minimum are skipped here, so each run stays fast. A key that opens must seal and open again.
 * (The audit log is read from a path only; it has no in-memory entry point to fuzz.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hallmark.h"
#include "hm_json.h"
#include "hm_keyfile.h"
#include "hm_signkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char passphrase[] = "fuzz-keyfile-passphrase";

/* 1 when the file asks for no more than the minimum KDF limits, or when hm_keyfile_open would
 * refuse it before deriving a key: the same parse, with no size cap, cannot accept less. */
static int
cheap_to_open(const uint8_t *data, size_t size)
{
    hm_kdf_limits min = hm_kdf_minimum();
    json_t *doc = NULL;
    const json_t *kdf;
    long long ops = 0, mem = 0;
    int cheap = 1;

    if (hm_json_parse_object(data, size, size, 2, &doc) != HALLMARK_OK) {
        return 1;
    }
    kdf = json_object_get(doc, "kdf");
    if (hm_json_uint(kdf, "opslimit", &ops) && hm_json_uint(kdf, "memlimit", &mem) &&
        ((unsigned long long)ops > min.opslimit || (size_t)mem > min.memlimit)) {
        cheap = 0;
    }
    json_decref(doc);
    return cheap;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hm_signkey *key = NULL, *again = NULL;
    char *sealed = NULL;
    hallmark_result rc;

    if (!cheap_to_open(data, size)) {
        return 0;
    }
    rc = hm_keyfile_open(data, size, passphrase, sizeof passphrase - 1, &key);
    if (rc != HALLMARK_OK) {
        if (key != NULL || (rc != HALLMARK_ERR_CORRUPT && rc != HALLMARK_ERR_WRONG_PASSPHRASE &&
                            rc != HALLMARK_ERR_NOMEM && rc != HALLMARK_ERR_INTERNAL)) {
            abort();
        }
        return 0;
    }
    if (hm_keyfile_seal(key, passphrase, sizeof passphrase - 1, hm_kdf_minimum(), &sealed) !=
            HALLMARK_OK ||
        hm_keyfile_open((const unsigned char *)sealed, strlen(sealed), passphrase,
                        sizeof passphrase - 1, &again) != HALLMARK_OK ||
        strcmp(hm_signkey_public(key)->kid, hm_signkey_public(again)->kid) != 0) {
        abort();
    }
    free(sealed);
    hm_signkey_free(again);
    hm_signkey_free(key);
    return 0;
}
