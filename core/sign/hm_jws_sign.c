#include "hm_jws_sign.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hm_b64url.h"

/* Room for a segment of n bytes in base64url and a NUL (hm_b64url_encode_public). A token's
 * segments are public, so they need not pay for libsodium's constant-time codec (about 10% of
 * signing, issue 16); keys and anything secret stay on that codec (hm_b64url_encode). */
static size_t
padded_len(size_t n)
{
    return hm_b64url_encoded_len(n) + 1;
}

hallmark_result
hm_jws_sign_encoded(const hm_signkey *key, const char *header_b64, size_t header_b64_len,
                    const char *payload, size_t payload_len, char **out)
{
    size_t cap, n;
    unsigned char sig[HM_SIG_BYTES];
    char *s;
    hallmark_result rc;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (key == NULL || header_b64 == NULL || payload == NULL || payload_len > INT_MAX / 2) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    cap = header_b64_len + 1 + padded_len(payload_len) + 1 + padded_len(HM_SIG_BYTES);
    if ((s = malloc(cap)) == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    memcpy(s, header_b64, header_b64_len);
    n = header_b64_len;
    s[n++] = '.';
    n += hm_b64url_encode_public(s + n, (const unsigned char *)payload, payload_len);
    rc = hm_signkey_sign(key, (const unsigned char *)s, n, sig);
    if (rc != HALLMARK_OK) {
        free(s);
        return rc;
    }
    s[n++] = '.';
    (void)hm_b64url_encode_public(s + n, sig, sizeof sig);
    *out = s;
    return HALLMARK_OK;
}

hallmark_result
hm_jws_header_b64(const char *header, size_t header_len, char **out)
{
    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (header == NULL || header_len > INT_MAX / 2) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if ((*out = malloc(padded_len(header_len))) == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    (void)hm_b64url_encode_public(*out, (const unsigned char *)header, header_len);
    return HALLMARK_OK;
}

hallmark_result
hm_jws_sign_raw(const hm_signkey *key, const char *header, size_t header_len, const char *payload,
                size_t payload_len, char **out)
{
    char *h = NULL;
    hallmark_result rc;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (key == NULL || payload == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if ((rc = hm_jws_header_b64(header, header_len, &h)) == HALLMARK_OK) {
        rc = hm_jws_sign_encoded(key, h, strlen(h), payload, payload_len, out);
    }
    free(h);
    return rc;
}

hallmark_result
hm_jws_header_json(const hm_signkey *key, const char *typ, char **out)
{
    const hm_pubkey *pub;
    json_t *header;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (key == NULL || typ == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    pub = hm_signkey_public(key);
    header = json_pack("{s:s,s:s,s:s}", "alg", hm_alg_name(pub->alg), "typ", typ, "kid", pub->kid);
    *out = header != NULL ? json_dumps(header, JSON_COMPACT) : NULL;
    json_decref(header);
    return *out != NULL ? HALLMARK_OK : HALLMARK_ERR_NOMEM;
}

hallmark_result
hm_jws_sign_json(const hm_signkey *key, const char *typ, const json_t *payload, char **out)
{
    char *h = NULL, *p = NULL;
    hallmark_result rc;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (key == NULL || typ == NULL || !json_is_object(payload)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    rc = hm_jws_header_json(key, typ, &h);
    if (rc == HALLMARK_OK) {
        p = json_dumps(payload, JSON_COMPACT);
        rc = p != NULL ? hm_jws_sign_raw(key, h, strlen(h), p, strlen(p), out) : HALLMARK_ERR_NOMEM;
    }
    free(h);
    free(p);
    return rc;
}

hallmark_result
hm_jws_payload_digest(const char *jws, char out[HM_SHA256_B64_LEN + 1])
{
    const char *d1, *d2;
    unsigned char *payload;
    size_t len = 0, cap;
    hallmark_result rc;

    if (jws == NULL || out == NULL || (d1 = strchr(jws, '.')) == NULL ||
        (d2 = strchr(d1 + 1, '.')) == NULL) {
        return HALLMARK_MALFORMED;
    }
    cap = hm_b64url_decoded_max((size_t)(d2 - d1 - 1)) + 1;
    if ((payload = malloc(cap)) == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    rc = hm_b64url_decode(payload, cap, d1 + 1, (size_t)(d2 - d1 - 1), &len);
    if (rc == HALLMARK_OK) {
        rc = hm_sha256_b64url(out, payload, len);
    }
    free(payload);
    return rc;
}
