/* Compact JWS reading shared by every signed Hallmark object (spec §2, §6): exactly three strict
 * base64url segments, a protected header of exactly alg, typ and kid, and the payload kept as
 * bytes until the signature over the exact received signing input has been checked. */
#ifndef HM_JWS_H
#define HM_JWS_H

#include <jansson.h>
#include <stddef.h>

#include "hallmark.h"
#include "hm_jdoc.h"
#include "hm_key.h"

#define HM_JWS_HEADER_MAX 512U
#define HM_JWS_SIG_SEGMENT_MAX 128U
/* JSON nesting cap for headers and token payloads (§2.1); bundles and credentials use 8. */
#define HM_JWS_DEPTH 4U

typedef struct hm_jws {
    const char *signing_input; /* borrowed: the first two segments, exactly as received */
    size_t signing_input_len;
    unsigned char *payload; /* owned: decoded payload bytes, NUL-terminated */
    size_t payload_len;
    unsigned char sig[HM_JWS_SIG_SEGMENT_MAX];
    size_t sig_len;        /* decoded length; anything but 64 fails verification */
    json_t *header;        /* owned; NULL when the header was in its canonical form */
    const char *alg, *kid; /* borrowed from header, or from head */
    size_t kid_len;
    char head[HM_JWS_HEADER_MAX]; /* a canonical header's bytes, alg and kid cut out in place */
} hm_jws;

/*
 * Splits and decodes text (len bytes, no NUL needed). Checks, in order: size (max_len), three
 * segments, strict base64url, header JSON (object, no duplicates, depth 4, <= 512 bytes),
 * typ == want_typ (HALLMARK_MALFORMED), no member but alg/typ/kid (HALLMARK_HEADER_REFUSED), alg
 * and kid present as strings (HALLMARK_MALFORMED). A header that is byte for byte the form
 * signers write, {"alg":"A","typ":"T","kid":"K"} with A and K of letters, digits, '-' and '_'
 * only, is read without the JSON parser: any other header takes the parser, so both give the same
 * answer for every input. Does not parse the payload. jws must be
 * hm_jws_clear'ed after any result. Returns HALLMARK_OK, HALLMARK_MALFORMED,
 * HALLMARK_HEADER_REFUSED or HALLMARK_ERR_NOMEM.
 */
hallmark_result hm_jws_parse(hm_jws *jws, const char *text, size_t len, size_t max_len,
                             const char *want_typ);

/* 1 if the header's kid is exactly kid (0 for an unparsed jws). */
int hm_jws_kid_is(const hm_jws *jws, const char *kid);

/* Verifies the signature with key: HALLMARK_OK or HALLMARK_BAD_SIGNATURE. */
hallmark_result hm_jws_verify(const hm_jws *jws, const hm_pubkey *key);

/* Parses the payload as a JSON object (strict, max_depth): a new reference in *out. */
hallmark_result hm_jws_payload_json(const hm_jws *jws, size_t max_depth, json_t **out);

/* The same for a message token's payload, read once on the verify path: the document in *out
 * (hm_jdoc_free it), which accepts exactly the text hm_jws_payload_json accepts. */
hallmark_result hm_jws_payload_doc(const hm_jws *jws, size_t max_depth, hm_jv **out);

void hm_jws_clear(hm_jws *jws);

#endif
