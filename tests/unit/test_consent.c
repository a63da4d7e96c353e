/* The signer's consent helpers (signer/src/hm_consent.h): the ledger key of a recipient under the
 * platform's secret ([HM-CARRY-47]), the secret file's rules, and the carrier keyword table
 * ([HM-CARRY-51]). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm_consent.h"
#include "test.h"

/* A secret file of n bytes 0, 1, 2 ... with mode; its path in path. */
static int
secret_file(char path[64], size_t n, mode_t mode)
{
    unsigned char bytes[40];
    size_t i;
    int fd;

    for (i = 0; i < sizeof bytes; i++) {
        bytes[i] = (unsigned char)i;
    }
    (void)snprintf(path, 64, "/tmp/hm-consent-XXXXXX");
    if ((fd = mkstemp(path)) < 0) {
        return -1;
    }
    if (write(fd, bytes, n) != (ssize_t)n || fchmod(fd, mode) != 0) {
        (void)close(fd);
        return -1;
    }
    return close(fd);
}

TEST(consent_recipient_key_is_the_hmac_of_the_canonical_id)
{
    hm_consent_secret *p = NULL;
    char path[64], key[HM_CONSENT_KEY_LEN + 1];

    CHECK(secret_file(path, 32, 0600) == 0);
    CHECK_RC(hm_consent_secret_load(path, 0, &p, NULL, 0), HALLMARK_OK);
    /* b64u(HMAC-SHA-256(00 01 .. 1f, "hallmark-consent-v1" 00 id)), computed with Python's hmac. */
    CHECK_RC(hm_consent_recipient(p, "sms", "+447700900123", key), HALLMARK_OK);
    CHECK(strcmp(key, "d99q-fdXungsNwbLqR5HKhPwR8mSkgoiKFo31k4Sw3A") == 0);
    CHECK_RC(hm_consent_recipient(p, "whatsapp", "+447700900123", key), HALLMARK_OK);
    CHECK(strcmp(key, "d99q-fdXungsNwbLqR5HKhPwR8mSkgoiKFo31k4Sw3A") == 0); /* one number */
    CHECK_RC(hm_consent_recipient(p, "email", "customer@EXAMPLE.com", key), HALLMARK_OK);
    CHECK(strcmp(key, "-6YzgLp2v5OGczTeA9ZaOr7B8AcuUabpHZ8JePG8phE") == 0);
    CHECK_RC(hm_consent_recipient(p, "sms", "07700 900123", key), HALLMARK_ERR_BAD_REQUEST);
    CHECK(key[0] == '\0');
    CHECK_RC(hm_consent_recipient(p, "sms", NULL, key), HALLMARK_ERR_BAD_REQUEST);
    hm_consent_secret_free(p);
    (void)unlink(path);
}

TEST(consent_secret_file_rules)
{
    hm_consent_secret *p = NULL;
    char path[64], err[256] = "", made[80];
    struct stat st;

    CHECK(secret_file(path, 32, 0644) == 0);
    CHECK_RC(hm_consent_secret_load(path, 0, &p, err, sizeof err), HALLMARK_ERR_CORRUPT);
    CHECK(p == NULL && strstr(err, "chmod 600") != NULL);
    (void)unlink(path);
    CHECK(secret_file(path, 31, 0600) == 0);
    CHECK_RC(hm_consent_secret_load(path, 0, &p, err, sizeof err), HALLMARK_ERR_CORRUPT);
    (void)unlink(path);
    CHECK(secret_file(path, 33, 0600) == 0);
    CHECK_RC(hm_consent_secret_load(path, 0, &p, err, sizeof err), HALLMARK_ERR_CORRUPT);
    (void)unlink(path);
    CHECK_RC(hm_consent_secret_load(path, 0, &p, err, sizeof err), HALLMARK_ERR_IO);
    /* create: made once, 32 bytes, 0600; loaded again it is the same secret. */
    (void)snprintf(made, sizeof made, "%s.made", path);
    CHECK_RC(hm_consent_secret_load(made, 1, &p, err, sizeof err), HALLMARK_OK);
    CHECK(stat(made, &st) == 0 && st.st_size == 32 && (st.st_mode & 0777) == 0600);
    {
        hm_consent_secret *again = NULL;
        char k1[HM_CONSENT_KEY_LEN + 1], k2[HM_CONSENT_KEY_LEN + 1];
        CHECK_RC(hm_consent_secret_load(made, 1, &again, err, sizeof err), HALLMARK_OK);
        CHECK_RC(hm_consent_recipient(p, "sms", "+447700900123", k1), HALLMARK_OK);
        CHECK_RC(hm_consent_recipient(again, "sms", "+447700900123", k2), HALLMARK_OK);
        CHECK(strcmp(k1, k2) == 0 &&
              strcmp(k1, "d99q-fdXungsNwbLqR5HKhPwR8mSkgoiKFo31k4Sw3A") != 0);
        hm_consent_secret_free(again);
    }
    hm_consent_secret_free(p);
    (void)unlink(made);
}

TEST(consent_keyword_table)
{
    static const struct {
        const char *text;
        hm_keyword want;
        const char *word;
    } cases[] = {
        {"STOP", HM_KEYWORD_OUT, "STOP"},
        {"stop", HM_KEYWORD_OUT, "STOP"},
        {"  Stop\t", HM_KEYWORD_OUT, "STOP"},
        {"StopAll", HM_KEYWORD_OUT, "STOPALL"},
        {"unsubscribe\r\n", HM_KEYWORD_OUT, "UNSUBSCRIBE"},
        {"Cancel", HM_KEYWORD_OUT, "CANCEL"},
        {"END", HM_KEYWORD_OUT, "END"},
        {"quit", HM_KEYWORD_OUT, "QUIT"},
        {"REVOKE", HM_KEYWORD_OUT, "REVOKE"},
        {"optout", HM_KEYWORD_OUT, "OPTOUT"},
        {"START", HM_KEYWORD_IN, "START"},
        {" yes", HM_KEYWORD_IN, "YES"},
        {"Unstop", HM_KEYWORD_IN, "UNSTOP"},
        {"HELP", HM_KEYWORD_HELP, "HELP"},
        {"info ", HM_KEYWORD_HELP, "INFO"},
        {"stop please", HM_KEYWORD_NONE, ""},
        {"please stop", HM_KEYWORD_NONE, ""},
        {"S T O P", HM_KEYWORD_NONE, ""},
        {"STOP!", HM_KEYWORD_NONE, ""},
        {"STOPP", HM_KEYWORD_NONE, ""},
        {"OPT OUT", HM_KEYWORD_NONE, ""},
        {"", HM_KEYWORD_NONE, ""},
        {" \t\r\n", HM_KEYWORD_NONE, ""},
        {"ST\xC3\x96P", HM_KEYWORD_NONE, ""},
        {"STOP\xE2\x80\x8B", HM_KEYWORD_NONE, ""}, /* a zero-width space is not white space */
        {"UNSUBSCRIBEUNSUBSCRIBE", HM_KEYWORD_NONE, ""},
    };
    char word[16];
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_keyword k = hm_consent_keyword(cases[i].text, strlen(cases[i].text), word);
        if (k != cases[i].want || strcmp(word, cases[i].word) != 0) {
            test_note("%zu: \"%s\" gives %d \"%s\"", i, cases[i].text, (int)k, word);
        }
        CHECK(k == cases[i].want && strcmp(word, cases[i].word) == 0);
    }
    /* A zero byte inside the text: the text is not "STOP". */
    CHECK(hm_consent_keyword("STOP\0X", 6, word) == HM_KEYWORD_NONE);
    CHECK(hm_consent_keyword("STOP\0", 5, word) == HM_KEYWORD_NONE);
    CHECK(hm_consent_keyword(NULL, 0, word) == HM_KEYWORD_NONE);
}
