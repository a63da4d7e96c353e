/* hm-test-sign: signs one test message with a brand key of a hallmark-keys keystore, using the
 * core signing library (until hallmark-signer lands), and prints the message as hallmark-verify
 * reads it. For tests only.
 *
 * usage: hm-test-sign KEYSTORE BRAND KID IAT BODY   (passphrase from $HALLMARK_PASSPHRASE_FILE)
 * The message goes from sms:ACMEBANK to +447700900123 unless $HM_FROM / $HM_TO say otherwise;
 * the token lives $HM_TTL seconds (default 86400).
 *
 * usage: hm-test-sign --bundle KEYSTORE SERIAL
 * prints the trust bundle of the keystore's state, signed by its publishing key as publish signs
 * it (7 days), without publish's checks: a bundle built by other means (spec HM-CRED-30). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_b64url.h"
#include "hm_digest.h"
#include "hm_jws_sign.h"
#include "hm_keystore.h"
#include "hm_passphrase.h"
#include "hm_publish.h"
#include "hm_secmem.h"
#include "hm_text.h"

static int
die(const char *what, const char *detail)
{
    (void)fprintf(stderr, "hm-test-sign: %s%s%s\n", what, detail != NULL ? ": " : "",
                  detail != NULL ? detail : "");
    return 2;
}

static int
bundle_only(const char *dir, unsigned long long serial)
{
    hm_keystore ks;
    hm_signkey *publisher = NULL;
    char err[512], *pass = NULL, *bundle = NULL;
    size_t pass_len = 0;
    long long now = hm_keystore_clock(NULL);
    int rc = 2;

    if (hm_keystore_open(&ks, dir, 0, err, sizeof err) != HALLMARK_OK) {
        return die("keystore", err);
    }
    if (hm_passphrase_read(NULL, NULL, 0, &pass, &pass_len, err, sizeof err) != HALLMARK_OK ||
        hm_keystore_load_key(&ks, hm_ks_str(json_object_get(ks.state, "publisher"), "kid"), pass,
                             pass_len, &publisher, err, sizeof err) != HALLMARK_OK) {
        rc = die("publishing key", err);
    } else if (hm_pub_bundle(ks.state, publisher, serial, now, now + 7 * 86400LL, &bundle) !=
               HALLMARK_OK) {
        rc = die("bundle", NULL);
    } else {
        (void)printf("%s\n", bundle);
        rc = 0;
    }
    free(bundle);
    hm_signkey_free(publisher);
    hm_secret_free(pass);
    hm_keystore_close(&ks);
    return rc;
}

int
main(int argc, char **argv)
{
    hm_keystore ks;
    hm_signkey *key = NULL;
    json_t *brand, *claims = NULL, *msg = NULL;
    const char *from = getenv("HM_FROM") != NULL ? getenv("HM_FROM") : "ACMEBANK";
    const char *to = getenv("HM_TO") != NULL ? getenv("HM_TO") : "+447700900123";
    char err[512], cred[HM_SHA256_B64_LEN + 1], body_b64[48], rcpt_b64[48], jti[32],
        *pass = NULL, *token = NULL, *text;
    unsigned char d[HM_SHA256_BYTES];
    size_t pass_len = 0;
    const char *ttl_env = getenv("HM_TTL");
    long long iat, ttl = ttl_env != NULL ? strtoll(ttl_env, NULL, 10) : 86400;
    int rc = 2;

    if (argc == 4 && strcmp(argv[1], "--bundle") == 0) {
        return bundle_only(argv[2], strtoull(argv[3], NULL, 10));
    }
    if (argc != 6) {
        return die("usage: hm-test-sign KEYSTORE BRAND KID IAT BODY", NULL);
    }
    iat = strtoll(argv[4], NULL, 10);
    if (hm_keystore_open(&ks, argv[1], 0, err, sizeof err) != HALLMARK_OK) {
        return die("keystore", err);
    }
    if ((brand = hm_ks_find_brand(&ks, argv[2])) == NULL) {
        rc = die("no such brand", argv[2]);
        goto out;
    }
    if (hm_passphrase_read(NULL, NULL, 0, &pass, &pass_len, err, sizeof err) != HALLMARK_OK ||
        hm_keystore_load_key(&ks, argv[3], pass, pass_len, &key, err, sizeof err) != HALLMARK_OK) {
        rc = die("key", err);
        goto out;
    }
    (void)snprintf(jti, sizeof jti, "t%lld", iat);
    (void)hm_pub_credential_digest(brand, hm_ks_str(ks.state, "platform"), cred);
    (void)hm_body_digest((const unsigned char *)argv[5], strlen(argv[5]), d);
    (void)hm_b64url_encode(body_b64, sizeof body_b64, d, sizeof d, NULL);
    (void)hm_recipient_stem("sms", from, to, d);
    (void)hm_recipient_digest(jti, "sms", d, d);
    (void)hm_b64url_encode(rcpt_b64, sizeof rcpt_b64, d, sizeof d, NULL);
    claims = json_pack("{s:s,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s}}", "iss", argv[2], "iat",
                       (json_int_t)iat, "exp", (json_int_t)(iat + ttl), "jti", jti, "channel",
                       "sms", "from", from, "rcpt", rcpt_b64, "body", body_b64, "cred", cred,
                       "category", "transactional", "sender", "kind", "automated");
    if (claims == NULL ||
        hm_jws_sign_json(key, "hallmark-msg+jwt", claims, &token) != HALLMARK_OK) {
        rc = die("signing failed", NULL);
        goto out;
    }
    msg = json_pack("{s:s,s:s,s:s,s:s,s:s}", "channel", "sms", "from", from, "to", to, "body",
                    argv[5], "token", token);
    if (msg != NULL && (text = json_dumps(msg, JSON_COMPACT)) != NULL) {
        (void)printf("%s\n", text);
        free(text);
        rc = 0;
    }
out:
    hm_signkey_free(key);
    hm_secret_free(pass);
    json_decref(claims);
    json_decref(msg);
    free(token);
    hm_keystore_close(&ks);
    return rc;
}
