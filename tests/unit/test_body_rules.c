/* What the signer refuses in a body ([HM-TOKEN-40], [HM-TOKEN-41]) and the Public Suffix List it
 * reads at run time (hm_suffix). */
#include <stdio.h>
#include <string.h>

#include "hm_body_rules.h"
#include "hm_suffix.h"
#include "test.h"

static hallmark_result
check(const char *body)
{
    static char acme[] = "acme.example", pay[] = "pay.acme.example";
    char *domains[] = {acme, pay, NULL};
    hm_brand b;
    const char *detail = NULL;

    memset(&b, 0, sizeof b);
    b.domains = domains;
    b.domain_count = 2;
    return hm_body_rules_check(&b, body, strlen(body), &detail);
}

TEST(suffix_list_is_read_at_run_time)
{
    test_note("Public Suffix List: %s", hm_suffix_list_path());
    CHECK(hm_suffix_is_public("co.uk") == 1 && hm_suffix_is_public("com") == 1);
    CHECK(hm_suffix_is_public("github.io") == 1); /* the private section counts */
    CHECK(hm_suffix_is_public("acme.co.uk") == 0 && hm_suffix_is_public("acme.example") == 0);
    CHECK(hm_suffix_is_tld("com") == 1 && hm_suffix_is_tld("uk") == 1 &&
          hm_suffix_is_tld("bank") == 1);
    CHECK(hm_suffix_is_tld("pdf") == 0 && hm_suffix_is_tld("co.uk") == 0);
}

TEST(body_links_outside_the_link_domains_are_refused)
{
    static const char *const refused[] = {
        "Your account is locked: https://acme-secure-login.example/verify", /* the probe */
        "Pay at http://acme.example/pay",             /* not https, even on the brand's host */
        "Pay at HTTPS://acme.example/pay",            /* scheme not lowercase (§5.7 step 2) */
        "Log in: https://acme.example@evil.example/", /* userinfo */
        "See https://acme.example.evil.example/",     /* suffix trick */
        "See https://192.0.2.10/pay",                 /* IP literal */
        "Download ftp://acme.example/statement",      /* another scheme */
        "Visit www.evil.example today",               /* www. */
        "Verify at acme-secure-login.example/verify", /* a bare host */
        "Call back: evil.com",                        /* a bare host, ICANN TLD */
        "Go to Evil.COM now",                         /* case does not hide it */
        "(see http://evil.example)",                  /* inside brackets */
        "Your code is 318204.acme-login.example",     /* glued to a number */
    };
    static const char *const fine[] = {
        "Acme Bank: your code is 318 204. Never share it.",
        "Your card ending 4242 was charged \302\24310.00 at Acme Store.",
        "Pay at https://pay.acme.example/inv/8841 before Friday.",
        "(https://acme.example/pay)",
        "Help: acme.example/help or pay.acme.example.",
        "Your statement.pdf and report.v2 are attached; e.g. 3.50 GBP, v1.2.3.",
        "Write to help@acme.example or jane@evil.example",
        "Caf\xc3\xa9 \xe2\x98\x95 ok.",
        "",
    };
    size_t i;

    for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        if (check(refused[i]) != HALLMARK_ACTION_NOT_AUTHORIZED) {
            test_note("not refused: %s", refused[i]);
        }
        CHECK_RC(check(refused[i]), HALLMARK_ACTION_NOT_AUTHORIZED);
    }
    for (i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        if (check(fine[i]) != HALLMARK_OK) {
            test_note("refused: %s", fine[i]);
        }
        CHECK_RC(check(fine[i]), HALLMARK_OK);
    }
}

TEST(body_bidi_controls_are_refused)
{
    CHECK_RC(check("Pay \xe2\x80\xaenow"), HALLMARK_ERR_BAD_REQUEST);             /* U+202E */
    CHECK_RC(check("Pay \xe2\x81\xa6now\xe2\x81\xa9"), HALLMARK_ERR_BAD_REQUEST); /* isolates */
    CHECK_RC(check("Pay now\xe2\x80\x8f"), HALLMARK_ERR_BAD_REQUEST);             /* U+200F */
    CHECK_RC(check("Pay\xd8\x9c now"), HALLMARK_ERR_BAD_REQUEST);                 /* U+061C */
    CHECK_RC(check("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"),
             HALLMARK_OK); /* Hebrew text itself is fine */
}

/* A run of HM_ID_MAX or more host characters is no DNS name and is refused, also after an
 * authorized host in the same body (the check once read the host of that earlier run for it). */
TEST(body_long_host_run_is_refused_after_an_authorized_host)
{
    char body[700];
    size_t at = (size_t)snprintf(body, sizeof body, "See pay.acme.example then ");

    memset(body + at, 'a', 600);
    body[at + 600] = '\0';
    CHECK_RC(check(body), HALLMARK_ACTION_NOT_AUTHORIZED);
    CHECK_RC(check("See pay.acme.example then"), HALLMARK_OK);
}
