#include "hm_keyfile.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "hm_b64url.h"
#include "hm_json.h"
#include "hm_secmem.h"

#define KEYFILE_MAX 4096U
#define SALT_BYTES crypto_pwhash_SALTBYTES
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define CT_BYTES (HM_SECRET_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES)

hm_kdf_limits
hm_kdf_moderate(void)
{
    hm_kdf_limits l = {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
    return l;
}

hm_kdf_limits
hm_kdf_minimum(void)
{
    hm_kdf_limits l = {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
    return l;
}

/* The associated data: every header field, in a fixed layout independent of JSON spelling. */
static int
header_ad(char *ad, size_t cap, const char *alg, const char *kid, hm_kdf_limits l,
          const char *salt_b64)
{
    int n = snprintf(ad, cap, "hallmark-secret-key-v1|%s|%s|argon2id13|%llu|%zu|%s", alg, kid,
                     l.opslimit, l.memlimit, salt_b64);

    return n > 0 && (size_t)n < cap ? n : -1;
}

static hallmark_result
derive(unsigned char *k, const char *pass, size_t pass_len, const unsigned char *salt,
       hm_kdf_limits l)
{
    if (crypto_pwhash(k, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, pass, pass_len, salt,
                      l.opslimit, l.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return HALLMARK_ERR_NOMEM; /* libsodium fails here only when it cannot get the memory */
    }
    return HALLMARK_OK;
}

hallmark_result
hm_keyfile_seal(const hm_signkey *key, const char *passphrase, size_t pass_len,
                hm_kdf_limits limits, char **out)
{
    unsigned char salt[SALT_BYTES], nonce[NONCE_BYTES], ct[CT_BYTES];
    unsigned char *k = NULL, *secret = NULL;
    char salt_b64[32], nonce_b64[40], ct_b64[72], ad[256];
    const hm_pubkey *pub = hm_signkey_public(key);
    json_t *doc = NULL;
    hallmark_result rc = HALLMARK_ERR_NOMEM;
    int ad_len;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (pub == NULL || passphrase == NULL || pass_len == 0 ||
        limits.opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
        limits.memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
        limits.opslimit > HM_KDF_OPSLIMIT_MAX || limits.memlimit > HM_KDF_MEMLIMIT_MAX) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    k = hm_secret_alloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
    secret = hm_secret_alloc(HM_SECRET_BYTES);
    if (k == NULL || secret == NULL) {
        goto out;
    }
    randombytes_buf(salt, sizeof salt);
    randombytes_buf(nonce, sizeof nonce);
    (void)hm_b64url_encode(salt_b64, sizeof salt_b64, salt, sizeof salt, NULL);
    (void)hm_b64url_encode(nonce_b64, sizeof nonce_b64, nonce, sizeof nonce, NULL);
    ad_len = header_ad(ad, sizeof ad, hm_alg_name(pub->alg), pub->kid, limits, salt_b64);
    if (ad_len < 0 || (rc = derive(k, passphrase, pass_len, salt, limits)) != HALLMARK_OK ||
        (rc = hm_signkey_export_secret(key, secret, HM_SECRET_BYTES)) != HALLMARK_OK) {
        rc = rc == HALLMARK_OK ? HALLMARK_ERR_INTERNAL : rc;
        goto out;
    }
    crypto_aead_xchacha20poly1305_ietf_encrypt(ct, NULL, secret, HM_SECRET_BYTES,
                                               (const unsigned char *)ad, (size_t)ad_len, NULL,
                                               nonce, k);
    (void)hm_b64url_encode(ct_b64, sizeof ct_b64, ct, sizeof ct, NULL);
    doc = json_pack("{s:i,s:s,s:s,s:s,s:{s:s,s:I,s:I,s:s},s:s,s:s}", "v", 1, "type",
                    "hallmark-secret-key", "alg", hm_alg_name(pub->alg), "kid", pub->kid, "kdf",
                    "alg", "argon2id13", "opslimit", (json_int_t)limits.opslimit, "memlimit",
                    (json_int_t)limits.memlimit, "salt", salt_b64, "nonce", nonce_b64, "ciphertext",
                    ct_b64);
    *out = doc == NULL ? NULL : json_dumps(doc, JSON_INDENT(2));
    rc = *out != NULL ? HALLMARK_OK : HALLMARK_ERR_NOMEM;
out:
    json_decref(doc);
    hm_secret_free(k);
    hm_secret_free(secret);
    return rc;
}

hallmark_result
hm_keyfile_open(const unsigned char *text, size_t len, const char *passphrase, size_t pass_len,
                hm_signkey **out)
{
    unsigned char salt[SALT_BYTES], nonce[NONCE_BYTES], ct[CT_BYTES];
    unsigned char *k = NULL, *secret = NULL;
    char ad[256];
    const char *alg_name, *kid, *salt_b64, *nonce_b64, *ct_b64, *type, *kdf_alg;
    size_t salt_len = 0, nonce_len = 0, ct_len = 0;
    long long v = 0, ops = 0, mem = 0;
    json_t *doc = NULL, *kdf;
    hm_kdf_limits limits;
    hm_alg alg;
    hallmark_result rc = HALLMARK_ERR_CORRUPT;
    int ad_len;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (text == NULL || passphrase == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (hm_json_parse_object(text, len, KEYFILE_MAX, 2, &doc) != HALLMARK_OK) {
        return HALLMARK_ERR_CORRUPT;
    }
    kdf = json_object_get(doc, "kdf");
    type = hm_json_string(doc, "type", NULL);
    alg_name = hm_json_string(doc, "alg", NULL);
    kid = hm_json_string(doc, "kid", NULL);
    kdf_alg = hm_json_string(kdf, "alg", NULL);
    salt_b64 = hm_json_string(kdf, "salt", &salt_len);
    nonce_b64 = hm_json_string(doc, "nonce", &nonce_len);
    ct_b64 = hm_json_string(doc, "ciphertext", &ct_len);
    alg = hm_alg_from_name(alg_name);
    if (!hm_json_uint(doc, "v", &v) || v != 1 || type == NULL ||
        strcmp(type, "hallmark-secret-key") != 0 || alg == HM_ALG_UNKNOWN || kid == NULL ||
        strlen(kid) != HM_KID_LEN || kdf_alg == NULL || strcmp(kdf_alg, "argon2id13") != 0 ||
        !hm_json_uint(kdf, "opslimit", &ops) || !hm_json_uint(kdf, "memlimit", &mem) ||
        ops < (long long)crypto_pwhash_OPSLIMIT_MIN || ops > (long long)HM_KDF_OPSLIMIT_MAX ||
        mem < (long long)crypto_pwhash_MEMLIMIT_MIN || mem > (long long)HM_KDF_MEMLIMIT_MAX ||
        salt_b64 == NULL ||
        hm_b64url_decode_exact(salt, sizeof salt, salt_b64, salt_len) != HALLMARK_OK ||
        nonce_b64 == NULL ||
        hm_b64url_decode_exact(nonce, sizeof nonce, nonce_b64, nonce_len) != HALLMARK_OK ||
        ct_b64 == NULL || hm_b64url_decode_exact(ct, sizeof ct, ct_b64, ct_len) != HALLMARK_OK) {
        goto out;
    }
    limits.opslimit = (unsigned long long)ops;
    limits.memlimit = (size_t)mem;
    ad_len = header_ad(ad, sizeof ad, alg_name, kid, limits, salt_b64);
    k = hm_secret_alloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
    secret = hm_secret_alloc(HM_SECRET_BYTES);
    if (k == NULL || secret == NULL) {
        rc = HALLMARK_ERR_NOMEM;
        goto out;
    }
    if (ad_len < 0 || (rc = derive(k, passphrase, pass_len, salt, limits)) != HALLMARK_OK) {
        goto out;
    }
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(secret, NULL, NULL, ct, sizeof ct,
                                                   (const unsigned char *)ad, (size_t)ad_len, nonce,
                                                   k) != 0) {
        rc = HALLMARK_ERR_WRONG_PASSPHRASE;
        goto out;
    }
    rc = hm_signkey_from_secret(out, alg, secret, HM_SECRET_BYTES);
    if (rc == HALLMARK_OK && strcmp(hm_signkey_public(*out)->kid, kid) != 0) {
        hm_signkey_free(*out);
        *out = NULL;
        rc = HALLMARK_ERR_CORRUPT;
    } else if (rc == HALLMARK_ERR_INVALID_KEY) {
        rc = HALLMARK_ERR_CORRUPT;
    }
out:
    json_decref(doc);
    hm_secret_free(k);
    hm_secret_free(secret);
    return rc;
}
