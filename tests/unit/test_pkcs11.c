/* RFC 7512 URIs for keys in PKCS#11 tokens (hm_pkcs11, issue 19): strict parsing, percent-
 * decoding, and the URI the keystore records. Signing through a token: tests/cli/keys_pkcs11.sh
 * (SoftHSM2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_pkcs11.h"
#include "test.h"

static hallmark_result
parse(const char *text, hm_p11_uri *uri)
{
    char err[512];

    return hm_p11_uri_parse(text, uri, err, sizeof err);
}

TEST(pkcs11_uri_parses_the_attributes_we_use)
{
    hm_p11_uri u;

    CHECK_RC(parse("pkcs11:token=hallmark;object=acme-2027", &u), HALLMARK_OK);
    CHECK(strcmp(u.token, "hallmark") == 0 && strcmp(u.object, "acme-2027") == 0);
    CHECK(!u.has_id && !u.type_private && u.pin_source[0] == '\0');
    CHECK_RC(parse("pkcs11:token=My%20Token;manufacturer=SoftHSM%20project;serial=0123abcd;"
                   "model=SoftHSM%20v2;object=k;id=%01%ff%00;type=private"
                   "?pin-source=file:/etc/pin&module-path=/usr/lib/m.so",
                   &u),
             HALLMARK_OK);
    CHECK(strcmp(u.token, "My Token") == 0 && strcmp(u.manufacturer, "SoftHSM project") == 0);
    CHECK(strcmp(u.serial, "0123abcd") == 0 && strcmp(u.model, "SoftHSM v2") == 0);
    CHECK(u.has_id && u.id_len == 3 && u.id[0] == 0x01 && u.id[1] == 0xff && u.id[2] == 0);
    CHECK(u.type_private && strcmp(u.pin_source, "file:/etc/pin") == 0);
    CHECK(strcmp(u.module_path, "/usr/lib/m.so") == 0);
    /* Hex digits in either case. */
    CHECK_RC(parse("pkcs11:token=%4a%4B;id=%aB", &u), HALLMARK_OK);
    CHECK(strcmp(u.token, "JK") == 0 && u.id_len == 1 && u.id[0] == 0xab);
}

TEST(pkcs11_uri_refuses_what_is_not_strict)
{
    static const char *const bad[] = {
        "",
        "pkcs11",
        "PKCS11:token=a;object=b",          /* the scheme as RFC 7512 writes it */
        "pkcs11:object=b",                  /* no token */
        "pkcs11:token=a",                   /* no key named */
        "pkcs11:token=a;object=",           /* empty value */
        "pkcs11:token=a;=b",                /* no name */
        "pkcs11:token=a;object",            /* no value */
        "pkcs11:token=a;object=b;",         /* ends with a separator */
        "pkcs11:token=a;object=b?",         /* empty query */
        "pkcs11:token=a;object=b;object=c", /* twice */
        "pkcs11:token=a;object=b?pin-source=x&pin-source=y",
        "pkcs11:token=a;object=b?pin-value=1234", /* the PIN in the URI */
        "pkcs11:token=a;object=b;slot-id=1",      /* not one we use */
        "pkcs11:token=a;object=b;type=public",
        "pkcs11:token=a;object=b;type=cert",
        "pkcs11:token=a;object=b?module-name=softhsm2",
        "pkcs11:token=a;object=b%",    /* truncated escape */
        "pkcs11:token=a;object=b%4",   /* truncated escape */
        "pkcs11:token=a;object=b%zz",  /* not hex */
        "pkcs11:token=a;object=b%00c", /* NUL in text */
        "pkcs11:token=a b;object=c",   /* a space must be %20 */
        "pkcs11:token=a;object=b;token=c",
        "pkcs11:token=a&b;object=c?pin-source=a;b", /* ';' in the query */
        /* 33 characters: a label has 32 */
        "pkcs11:token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA;object=b",
    };
    hm_p11_uri u;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_RC(parse(bad[i], &u), HALLMARK_ERR_INVALID_ARGUMENT);
    }
    CHECK_RC(hm_p11_uri_parse(NULL, &u, NULL, 0), HALLMARK_ERR_INVALID_ARGUMENT);
}

TEST(pkcs11_uri_refuses_an_overlong_text_and_id)
{
    char *text = malloc(HM_P11_URI_MAX + 16), err[256];
    hm_p11_uri u;
    size_t i, at;

    CHECK(text != NULL);
    if (text == NULL) {
        return;
    }
    at = (size_t)snprintf(text, HM_P11_URI_MAX, "pkcs11:token=a;id=");
    for (i = 0; i <= HM_P11_ID_MAX; i++) { /* 65 bytes: one more than an id may have */
        at += (size_t)snprintf(text + at, HM_P11_URI_MAX - at, "%%01");
    }
    CHECK_RC(hm_p11_uri_parse(text, &u, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    text[strlen(text) - 3] = '\0'; /* 64 bytes */
    CHECK_RC(hm_p11_uri_parse(text, &u, err, sizeof err), HALLMARK_OK);
    CHECK(u.id_len == HM_P11_ID_MAX);
    memset(text, 'a', HM_P11_URI_MAX + 8);
    memcpy(text, "pkcs11:token=", 13);
    text[HM_P11_URI_MAX + 8] = '\0';
    CHECK_RC(hm_p11_uri_parse(text, &u, err, sizeof err), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(strstr(err, "longer than") != NULL);
    free(text);
}

TEST(pkcs11_uri_format_round_trips)
{
    hm_p11_uri u, back;
    char text[HM_P11_URI_MAX];

    CHECK_RC(parse("pkcs11:token=Acme%20HSM;object=acme%3bkey%25;id=%00%10%fe"
                   "?pin-source=/run/pin%20file",
                   &u),
             HALLMARK_OK);
    CHECK(hm_p11_uri_format(&u, text, sizeof text) == 0);
    CHECK(strcmp(text, "pkcs11:token=Acme%20HSM;object=acme%3bkey%25;id=%00%10%fe;type=private"
                       "?pin-source=/run/pin%20file") == 0);
    CHECK_RC(parse(text, &back), HALLMARK_OK);
    CHECK(strcmp(back.token, u.token) == 0 && strcmp(back.object, "acme;key%") == 0);
    CHECK(back.id_len == 3 && memcmp(back.id, u.id, 3) == 0 && back.type_private);
    CHECK(strcmp(back.pin_source, "/run/pin file") == 0);
    CHECK(hm_p11_uri_format(&u, text, 20) == -1);
}

TEST(pkcs11_module_path_order)
{
    hm_p11_uri u;

    CHECK_RC(parse("pkcs11:token=a;object=b?module-path=/uri.so", &u), HALLMARK_OK);
    CHECK(unsetenv("HALLMARK_PKCS11_MODULE") == 0);
    CHECK(strcmp(hm_p11_module_path("/opt.so", &u, "/rec.so"), "/opt.so") == 0);
    CHECK(strcmp(hm_p11_module_path(NULL, &u, "/rec.so"), "/uri.so") == 0);
    u.module_path[0] = '\0';
    CHECK(strcmp(hm_p11_module_path(NULL, &u, "/rec.so"), "/rec.so") == 0);
    CHECK(hm_p11_module_path(NULL, &u, NULL) == NULL);
    CHECK(setenv("HALLMARK_PKCS11_MODULE", "/env.so", 1) == 0);
    CHECK(strcmp(hm_p11_module_path(NULL, &u, "/rec.so"), "/env.so") == 0);
    CHECK(strcmp(hm_p11_module_path("/opt.so", &u, "/rec.so"), "/opt.so") == 0);
    CHECK(unsetenv("HALLMARK_PKCS11_MODULE") == 0);
}

TEST(pkcs11_open_without_a_module_says_so)
{
    hm_p11_uri u;
    hm_signkey *key = NULL;
    char err[512];

    CHECK_RC(parse("pkcs11:token=a;object=b", &u), HALLMARK_OK);
    CHECK_RC(hm_p11_open(NULL, &u, HM_ALG_ED25519, NULL, &key, err, sizeof err), HALLMARK_ERR_IO);
    CHECK(key == NULL && strstr(err, "HALLMARK_PKCS11_MODULE") != NULL);
    CHECK_RC(
        hm_p11_open("/nonexistent/libnothing.so", &u, HM_ALG_ES256, NULL, &key, err, sizeof err),
        HALLMARK_ERR_IO);
    CHECK(key == NULL && strstr(err, "cannot be loaded") != NULL);
    CHECK_RC(hm_p11_open("/x.so", &u, HM_ALG_UNKNOWN, NULL, &key, err, sizeof err),
             HALLMARK_UNSUPPORTED_ALG);
}
