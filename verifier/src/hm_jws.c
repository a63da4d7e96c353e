#include "hm_jws.h"

#include <stdlib.h>
#include <string.h>

/* A token is public: its segments decode with hm_b64url_decode_public (the same strict rules). */
#include "hm_b64url.h"
#include "hm_json.h"

void
hm_jws_clear(hm_jws *jws)
{
    if (jws == NULL) {
        return;
    }
    free(jws->payload);
    json_decref(jws->header);
    memset(jws, 0, sizeof *jws);
}

static hallmark_result
check_header(hm_jws *jws, const char *want_typ)
{
    const char *typ = hm_json_string(jws->header, "typ", NULL);
    const char *key;
    json_t *value;

    if (typ == NULL || strcmp(typ, want_typ) != 0) {
        return HALLMARK_MALFORMED;
    }
    json_object_foreach(jws->header, key, value)
    {
        if (strcmp(key, "alg") != 0 && strcmp(key, "typ") != 0 && strcmp(key, "kid") != 0) {
            return HALLMARK_HEADER_REFUSED;
        }
    }
    jws->alg = hm_json_string(jws->header, "alg", NULL);
    jws->kid = hm_json_string(jws->header, "kid", &jws->kid_len);
    return jws->alg != NULL && jws->kid != NULL ? HALLMARK_OK : HALLMARK_MALFORMED;
}

/* The length of the run of letters, digits, '-' and '_' at s (at most max), which is how alg and
 * kid look in every header a signer writes: no escape, no quote, nothing JSON would read
 * otherwise. */
static size_t
plain_run(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
                       (s[n] >= '0' && s[n] <= '9') || s[n] == '-' || s[n] == '_')) {
        n++;
    }
    return n;
}

/* Reads a header of exactly {"alg":"A","typ":"<want_typ>","kid":"K"} (A, K plain runs, at least
 * one character each) into jws->head, alg and kid cut out in place: 1; 0 for anything else (the
 * JSON parser then reads it). The JSON parser would give the same three strings, no other member
 * and no duplicate, so check_header's answer for such a header is HALLMARK_OK with these. */
static int
canonical_header(hm_jws *jws, const unsigned char *header, size_t len, const char *want_typ)
{
    static const char a[] = "{\"alg\":\"", t[] = "\",\"typ\":\"", k[] = "\",\"kid\":\"";
    char *h = jws->head, *alg, *kid;
    size_t at, n, typ_len = strlen(want_typ);

    if (len >= sizeof jws->head) {
        return 0;
    }
    memcpy(h, header, len);
    h[len] = '\0';
    if (len < sizeof a - 1 || memcmp(h, a, sizeof a - 1) != 0) {
        return 0;
    }
    at = sizeof a - 1;
    alg = h + at;
    if ((n = plain_run(alg, len - at)) == 0) {
        return 0;
    }
    at += n;
    if (len - at < sizeof t - 1 + typ_len || memcmp(h + at, t, sizeof t - 1) != 0 ||
        memcmp(h + at + sizeof t - 1, want_typ, typ_len) != 0) {
        return 0;
    }
    h[at] = '\0'; /* ends alg */
    at += sizeof t - 1 + typ_len;
    if (len - at < sizeof k - 1 || memcmp(h + at, k, sizeof k - 1) != 0) {
        return 0;
    }
    at += sizeof k - 1;
    kid = h + at;
    if ((n = plain_run(kid, len - at)) == 0 || len - at - n != 2 || h[at + n] != '"' ||
        h[at + n + 1] != '}') {
        return 0;
    }
    h[at + n] = '\0'; /* ends kid */
    jws->alg = alg;
    jws->kid = kid;
    jws->kid_len = n;
    return 1;
}

hallmark_result
hm_jws_parse(hm_jws *jws, const char *text, size_t len, size_t max_len, const char *want_typ)
{
    const char *dot1, *dot2;
    unsigned char header[HM_JWS_HEADER_MAX];
    size_t head_len = 0, pay_b64_len, sig_b64_len;
    hallmark_result rc;

    if (jws == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    memset(jws, 0, sizeof *jws);
    if (text == NULL || want_typ == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (len == 0 || len > max_len) {
        return HALLMARK_MALFORMED;
    }
    dot1 = memchr(text, '.', len);
    dot2 = dot1 == NULL ? NULL : memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - text));
    if (dot1 == NULL || dot2 == NULL ||
        memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - text)) != NULL) {
        return HALLMARK_MALFORMED;
    }
    pay_b64_len = (size_t)(dot2 - dot1 - 1);
    sig_b64_len = len - (size_t)(dot2 + 1 - text);
    if (hm_b64url_decoded_max((size_t)(dot1 - text)) >= sizeof header ||
        sig_b64_len > HM_JWS_SIG_SEGMENT_MAX || dot1 == text || pay_b64_len == 0 ||
        sig_b64_len == 0) {
        return HALLMARK_MALFORMED;
    }
    rc = hm_b64url_decode_public(header, sizeof header, text, (size_t)(dot1 - text), &head_len);
    if (rc != HALLMARK_OK) {
        return HALLMARK_MALFORMED;
    }
    jws->payload = malloc(hm_b64url_decoded_max(pay_b64_len) + 1);
    if (jws->payload == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    if (hm_b64url_decode_public(jws->payload, hm_b64url_decoded_max(pay_b64_len) + 1, dot1 + 1,
                                pay_b64_len, &jws->payload_len) != HALLMARK_OK ||
        hm_b64url_decode_public(jws->sig, sizeof jws->sig, dot2 + 1, sig_b64_len, &jws->sig_len) !=
            HALLMARK_OK) {
        return HALLMARK_MALFORMED;
    }
    jws->payload[jws->payload_len] = '\0';
    jws->signing_input = text;
    jws->signing_input_len = (size_t)(dot2 - text);
    if (canonical_header(jws, header, head_len, want_typ)) {
        return HALLMARK_OK;
    }
    memset(jws->head, 0, sizeof jws->head);
    rc = hm_json_parse_object(header, head_len, sizeof header, HM_JWS_DEPTH, &jws->header);
    if (rc != HALLMARK_OK) {
        return rc == HALLMARK_ERR_NOMEM ? rc : HALLMARK_MALFORMED;
    }
    return check_header(jws, want_typ);
}

int
hm_jws_kid_is(const hm_jws *jws, const char *kid)
{
    return jws != NULL && jws->kid != NULL && kid != NULL && strcmp(jws->kid, kid) == 0;
}

hallmark_result
hm_jws_verify(const hm_jws *jws, const hm_pubkey *key)
{
    hallmark_result rc;

    if (jws == NULL || key == NULL || jws->signing_input == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    rc = hm_pubkey_verify(key, (const unsigned char *)jws->signing_input, jws->signing_input_len,
                          jws->sig, jws->sig_len);
    return rc == HALLMARK_OK ? HALLMARK_OK : HALLMARK_BAD_SIGNATURE;
}

hallmark_result
hm_jws_payload_json(const hm_jws *jws, size_t max_depth, json_t **out)
{
    if (jws == NULL || jws->payload == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return hm_jdoc_parse_json(jws->payload, jws->payload_len, jws->payload_len, max_depth, out);
}

hallmark_result
hm_jws_payload_doc(const hm_jws *jws, size_t max_depth, hm_jv **out)
{
    if (jws == NULL || jws->payload == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return hm_jdoc_parse(jws->payload, jws->payload_len, jws->payload_len, max_depth, out);
}
