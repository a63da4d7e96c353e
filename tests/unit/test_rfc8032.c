/* RFC 8032 §7.1 and RFC 8037 Appendix A, read at run time from the shared vectors folder
 * (rfc8032_rfc8037.md): signatures must reproduce byte for byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_b64url.h"
#include "hm_json.h"
#include "hm_signkey.h"
#include "test.h"

static char *
load_md(void)
{
    char path[1024];

    test_vector_path(path, sizeof path, "rfc8032_rfc8037.md");
    return (char *)test_read_file(path, NULL);
}

/* The first `backticked` value on the first line at or after from that contains label. */
static int
backticked_after(const char *from, const char *label, char *out, size_t cap, const char **next)
{
    const char *line = strstr(from, label), *a, *b, *eol;

    if (line == NULL) {
        return 0;
    }
    eol = strchr(line, '\n');
    a = strchr(line, '`');
    if (a == NULL || (eol != NULL && a > eol)) {
        return 0;
    }
    b = strchr(a + 1, '`');
    if (b == NULL || (size_t)(b - a - 1) >= cap) {
        return 0;
    }
    memcpy(out, a + 1, (size_t)(b - a - 1));
    out[b - a - 1] = '\0';
    if (next != NULL) {
        *next = b + 1;
    }
    return 1;
}

/* The `backticked` value that ends right before marker, searched after label (the A.3 thumbprint
 * sits on the line after its label, after the canonical JWK it hashes). */
static int
backticked_before(const char *from, const char *label, const char *marker, char *out, size_t cap)
{
    const char *sec = strstr(from, label), *end, *start;

    if (sec == NULL || (end = strstr(sec, marker)) == NULL) {
        return 0;
    }
    for (start = end - 1; start > sec && *start != '`'; start--) {
    }
    if (start <= sec || (size_t)(end - start - 1) >= cap) {
        return 0;
    }
    memcpy(out, start + 1, (size_t)(end - start - 1));
    out[end - start - 1] = '\0';
    return 1;
}

/* The hex inside the first ``` block after from, whitespace removed. */
static size_t
code_block_hex(const char *from, unsigned char *out, size_t cap)
{
    const char *a = strstr(from, "```\n"), *b;
    char *hex;
    size_t n = 0, r;

    if (a == NULL || (b = strstr(a + 4, "```")) == NULL) {
        return (size_t)-1;
    }
    hex = malloc((size_t)(b - a));
    if (hex == NULL) {
        return (size_t)-1;
    }
    for (a += 4; a < b; a++) {
        if (*a != '\n' && *a != ' ') {
            hex[n++] = *a;
        }
    }
    hex[n] = '\0';
    r = test_unhex(out, cap, hex);
    free(hex);
    return r;
}

TEST(rfc8032_section_7_1_reproduces_byte_for_byte)
{
    static const char *const names[] = {"### TEST 1 ", "### TEST 2 ", "### TEST 3 ",
                                        "### TEST 1024 ", "### TEST SHA(abc)"};
    char *md = load_md(), hex[4096];
    unsigned char seed[32], pk[32], sig[64], got[64], msg[2048];
    size_t i, msg_len, matched = 0;

    if (md == NULL) {
        SKIP("rfc8032_rfc8037.md absent from the vectors folder");
    }
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *sec = strstr(md, names[i]), *p = NULL;
        hm_signkey *key = NULL;

        CHECK(sec != NULL);
        CHECK(backticked_after(sec, "SECRET KEY", hex, sizeof hex, &p));
        CHECK(test_unhex(seed, sizeof seed, hex) == 32);
        CHECK(backticked_after(p, "PUBLIC KEY", hex, sizeof hex, &p));
        CHECK(test_unhex(pk, sizeof pk, hex) == 32);
        if (strstr(names[i], "1024") != NULL) {
            msg_len = code_block_hex(p, msg, sizeof msg);
            CHECK(msg_len == 1023);
        } else if (strstr(names[i], "TEST 1 ") != NULL) {
            msg_len = 0;
        } else {
            CHECK(backticked_after(p, "MESSAGE", hex, sizeof hex, NULL));
            msg_len = test_unhex(msg, sizeof msg, hex);
            CHECK(msg_len != (size_t)-1);
        }
        CHECK(backticked_after(p, "SIGNATURE", hex, sizeof hex, NULL));
        CHECK(test_unhex(sig, sizeof sig, hex) == 64);

        CHECK_RC(hm_signkey_from_secret(&key, HM_ALG_ED25519, seed, sizeof seed), HALLMARK_OK);
        CHECK(memcmp(hm_signkey_public(key)->raw, pk, 32) == 0);
        CHECK_RC(hm_signkey_sign(key, msg, msg_len, got), HALLMARK_OK);
        CHECK(memcmp(got, sig, 64) == 0);
        CHECK_RC(hm_pubkey_verify(hm_signkey_public(key), msg, msg_len, sig, 64), HALLMARK_OK);
        sig[i % 64] ^= 0x01; /* negative twin: one flipped bit */
        CHECK_RC(hm_pubkey_verify(hm_signkey_public(key), msg, msg_len, sig, 64),
                 HALLMARK_BAD_SIGNATURE);
        hm_signkey_free(key);
        matched++;
    }
    free(md);
    test_note("RFC 8032 §7.1: %zu/5 vectors reproduced byte for byte", matched);
}

TEST(rfc8037_appendix_a_jws_and_thumbprint)
{
    char *md = load_md(), jwk_text[256], priv_text[256], thumb[64], jws[512];
    const char *d;
    size_t d_len = 0;
    unsigned char seed[32], sig[64], got[64];
    const char *dot2;
    json_t *jwk = NULL;
    hm_pubkey pub, other;
    hm_signkey *key = NULL;
    size_t siglen = 0;

    if (md == NULL) {
        SKIP("rfc8032_rfc8037.md absent from the vectors folder");
    }
    CHECK(backticked_after(md, "A.2 public JWK", jwk_text, sizeof jwk_text, NULL));
    CHECK(backticked_before(md, "A.3 JWK thumbprint", "` (base64url)", thumb, sizeof thumb));
    CHECK(backticked_after(md, "Compact JWS:", jws, sizeof jws, NULL));
    CHECK(backticked_after(md, "A.1 private JWK", priv_text, sizeof priv_text, NULL));
    free(md);

    /* A.2 -> A.3: the thumbprint of the public JWK is the kid Hallmark uses. */
    CHECK_RC(hm_json_parse_object((const unsigned char *)jwk_text, strlen(jwk_text), 1024, 2, &jwk),
             HALLMARK_OK);
    CHECK_RC(hm_pubkey_from_jwk(&pub, jwk), HALLMARK_OK);
    json_decref(jwk);
    CHECK(strcmp(pub.kid, thumb) == 0);

    /* A.4: the JWS verifies over its exact signing input, and re-signing with the RFC 8032
     * TEST 1 seed (which A.1's d encodes) gives the same bytes. */
    dot2 = strrchr(jws, '.');
    CHECK(dot2 != NULL);
    CHECK_RC(hm_b64url_decode(sig, sizeof sig, dot2 + 1, strlen(dot2 + 1), &siglen), HALLMARK_OK);
    CHECK(siglen == 64);
    CHECK_RC(hm_pubkey_verify(&pub, (const unsigned char *)jws, (size_t)(dot2 - jws), sig, 64),
             HALLMARK_OK);
    CHECK_RC(
        hm_json_parse_object((const unsigned char *)priv_text, strlen(priv_text), 1024, 2, &jwk),
        HALLMARK_OK);
    d = hm_json_string(jwk, "d", &d_len);
    CHECK(d != NULL);
    CHECK_RC(hm_b64url_decode_exact(seed, 32, d, d_len), HALLMARK_OK);
    /* A JWK that carries private material is never accepted as a public key. */
    CHECK_RC(hm_pubkey_from_jwk(&other, jwk), HALLMARK_ERR_INVALID_KEY);
    json_decref(jwk);
    CHECK_RC(hm_signkey_from_secret(&key, HM_ALG_ED25519, seed, 32), HALLMARK_OK);
    CHECK(memcmp(hm_signkey_public(key)->raw, pub.raw, 32) == 0);
    CHECK_RC(hm_signkey_sign(key, (const unsigned char *)jws, (size_t)(dot2 - jws), got),
             HALLMARK_OK);
    hm_signkey_free(key);
    CHECK(memcmp(got, sig, 64) == 0);
    /* Negative twins: a flipped bit in the header, the payload, or the signature. */
    jws[3] ^= 0x01;
    CHECK_RC(hm_pubkey_verify(&pub, (const unsigned char *)jws, (size_t)(dot2 - jws), sig, 64),
             HALLMARK_BAD_SIGNATURE);
    jws[3] ^= 0x01;
    jws[30] ^= 0x01;
    CHECK_RC(hm_pubkey_verify(&pub, (const unsigned char *)jws, (size_t)(dot2 - jws), sig, 64),
             HALLMARK_BAD_SIGNATURE);
    jws[30] ^= 0x01;
    sig[63] ^= 0x40;
    CHECK_RC(hm_pubkey_verify(&pub, (const unsigned char *)jws, (size_t)(dot2 - jws), sig, 64),
             HALLMARK_BAD_SIGNATURE);
    hm_pubkey_clear(&pub);
    test_note("RFC 8037 A.3 thumbprint and A.4 JWS reproduced byte for byte");
}
