#include "hm_jws_sign.h"

#include <stdlib.h>
#include <string.h>

#include "hm_b64url.h"

hallmark_result
hm_jws_sign_raw(const hm_signkey *key, const char *header, size_t header_len, const char *payload,
                size_t payload_len, char **out)
{
    size_t cap, n = 0, m = 0;
    unsigned char sig[HM_SIG_BYTES];
    char *s;
    hallmark_result rc;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (key == NULL || header == NULL || payload == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    cap = hm_b64url_encoded_len(header_len) + hm_b64url_encoded_len(payload_len) +
          hm_b64url_encoded_len(HM_SIG_BYTES) + 3;
    if ((s = malloc(cap)) == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    (void)hm_b64url_encode(s, cap, (const unsigned char *)header, header_len, &n);
    s[n++] = '.';
    (void)hm_b64url_encode(s + n, cap - n, (const unsigned char *)payload, payload_len, &m);
    n += m;
    rc = hm_signkey_sign(key, (const unsigned char *)s, n, sig);
    if (rc != HALLMARK_OK) {
        free(s);
        return rc;
    }
    s[n++] = '.';
    (void)hm_b64url_encode(s + n, cap - n, sig, sizeof sig, NULL);
    *out = s;
    return HALLMARK_OK;
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
