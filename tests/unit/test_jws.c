/* hm_jws_parse: a header in the canonical form signers write is read without the JSON parser;
 * every other header goes through the parser. Both must give the same answer for any input. */
#include <stdio.h>
#include <string.h>

#include "hm_b64url.h"
#include "hm_jws.h"
#include "test.h"

/* Parses header "." "e30" "." a 64-byte signature's segment, as a token of typ. */
static hallmark_result
parse_with_header(hm_jws *jws, const char *header, const char *typ)
{
    static char text[2048];
    unsigned char sig[64] = {0};
    size_t n = 0, m = 0;

    (void)hm_b64url_encode(text, sizeof text, (const unsigned char *)header, strlen(header), &n);
    n += (size_t)snprintf(text + n, sizeof text - n, ".e30."); /* the payload {} */
    (void)hm_b64url_encode(text + n, sizeof text - n, sig, sizeof sig, &m);
    return hm_jws_parse(jws, text, n + m, sizeof text, typ);
}

TEST(jws_canonical_header_reads_like_the_parser)
{
    static const struct {
        const char *header;
        hallmark_result want;
        const char *alg, *kid;
    } cases[] = {
        /* the canonical form: no parser */
        {"{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"K1-_z\"}", HALLMARK_OK,
         "Ed25519", "K1-_z"},
        {"{\"alg\":\"ES256\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"abc\"}", HALLMARK_OK, "ES256",
         "abc"},
        /* other forms of the same header: the parser, the same answer */
        {"{\"typ\":\"hallmark-msg+jwt\",\"alg\":\"Ed25519\",\"kid\":\"abc\"}", HALLMARK_OK,
         "Ed25519", "abc"},
        {"{ \"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"abc\"}", HALLMARK_OK,
         "Ed25519", "abc"},
        {"{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"a\\u0062c\"}", HALLMARK_OK,
         "Ed25519", "abc"},
        {"{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"a.b\"}", HALLMARK_OK,
         "Ed25519", "a.b"},
        /* refusals, whichever path reads them */
        {"{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"abc\",\"x\":1}",
         HALLMARK_HEADER_REFUSED, NULL, NULL},
        {"{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"abc\"} ", HALLMARK_OK,
         "Ed25519", "abc"},
        {"{\"alg\":\"Ed25519\",\"alg\":\"ES256\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"abc\"}",
         HALLMARK_MALFORMED, NULL, NULL},
        {"{\"alg\":\"Ed25519\",\"typ\":\"hallmark-bundle+jwt\",\"kid\":\"abc\"}",
         HALLMARK_MALFORMED, NULL, NULL},
        {"{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwtX\",\"kid\":\"abc\"}", HALLMARK_MALFORMED,
         NULL, NULL},
        {"{\"alg\":\"\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"abc\"}", HALLMARK_OK, "", "abc"},
        {"{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"\"}", HALLMARK_OK, "Ed25519",
         ""},
        {"{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":1}", HALLMARK_MALFORMED, NULL,
         NULL},
        {"{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\"}", HALLMARK_MALFORMED, NULL, NULL},
        {"{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"abc\"}}", HALLMARK_MALFORMED,
         NULL, NULL},
        {"{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"abc", HALLMARK_MALFORMED,
         NULL, NULL},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_jws jws;
        hallmark_result rc = parse_with_header(&jws, cases[i].header, "hallmark-msg+jwt");
        if (rc != cases[i].want) {
            (void)fprintf(stderr, "case %zu: %s, want %s\n", i, hallmark_result_name(rc),
                          hallmark_result_name(cases[i].want));
        }
        CHECK_RC(rc, cases[i].want);
        if (rc == HALLMARK_OK) {
            CHECK(strcmp(jws.alg, cases[i].alg) == 0);
            CHECK(strcmp(jws.kid, cases[i].kid) == 0);
            CHECK(jws.kid_len == strlen(cases[i].kid));
            CHECK(hm_jws_kid_is(&jws, cases[i].kid));
        }
        hm_jws_clear(&jws);
    }
}
