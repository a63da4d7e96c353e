/* make demo, foundation stage: signs one sample Hallmark-style JWS with the crypto core and checks
 * it, then shows the refusals. The signer, keystore and verifier CLIs replace this as they land. */
#include <stdio.h>
#include <string.h>

#include "hm_b64url.h"
#include "hm_signkey.h"

static int
check(const hm_pubkey *pub, const char *label, const char *input, size_t len,
      const unsigned char sig[64], hallmark_result want)
{
    hallmark_result got = hm_pubkey_verify(pub, (const unsigned char *)input, len, sig, 64);

    printf("  %-44s %s %s\n", label, got == HALLMARK_OK ? "\u2714" : "\u2718",
           hallmark_strerror(got));
    return got == want ? 0 : 1;
}

int
main(void)
{
    static const char header[] =
        "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-msg+jwt\",\"kid\":\"%s\"}";
    static const char payload[] =
        "{\"iss\":\"acme-bank\",\"channel\":\"sms\",\"from\":\"ACMEBANK\",\"category\":"
        "\"transactional\",\"sender\":{\"kind\":\"automated\"}}";
    char head_json[160], input[1024], sig_b64[90];
    unsigned char sig[64], seed[32];
    size_t n = 0, m = 0;
    hm_signkey *key = NULL;
    int bad = 0;

    memset(seed, 0x42, sizeof seed); /* a fixed demo seed: deterministic output */
    if (hm_signkey_from_secret(&key, HM_ALG_ED25519, seed, sizeof seed) != HALLMARK_OK) {
        fprintf(stderr, "demo: cannot create the demo key\n");
        return 1;
    }
    (void)snprintf(head_json, sizeof head_json, header, hm_signkey_public(key)->kid);
    if (hm_b64url_encode(input, sizeof input, (const unsigned char *)head_json, strlen(head_json),
                         &n) != HALLMARK_OK ||
        (input[n] = '.', hm_b64url_encode(input + n + 1, sizeof input - n - 1,
                                          (const unsigned char *)payload, strlen(payload), &m)) !=
            HALLMARK_OK ||
        hm_signkey_sign(key, (const unsigned char *)input, n + 1 + m, sig) != HALLMARK_OK ||
        hm_b64url_encode(sig_b64, sizeof sig_b64, sig, sizeof sig, NULL) != HALLMARK_OK) {
        fprintf(stderr, "demo: signing failed\n");
        hm_signkey_free(key);
        return 1;
    }
    n += 1 + m;
    printf("Hallmark crypto core demo (the signer and verifier CLIs are not built yet)\n\n");
    printf("brand key id (RFC 7638 thumbprint): %s\n", hm_signkey_public(key)->kid);
    printf("header:  %s\npayload: %s\n", head_json, payload);
    printf("token:   %.*s...%s\n\n", 40, input, sig_b64 + 60);
    bad |= check(hm_signkey_public(key), "exact bytes as signed", input, n, sig, HALLMARK_OK);
    input[n - 3] ^= 0x01;
    bad |= check(hm_signkey_public(key), "one payload bit changed", input, n, sig,
                 HALLMARK_BAD_SIGNATURE);
    input[n - 3] ^= 0x01;
    sig[10] ^= 0x80;
    bad |= check(hm_signkey_public(key), "one signature bit changed", input, n, sig,
                 HALLMARK_BAD_SIGNATURE);
    hm_signkey_free(key);
    return bad;
}
