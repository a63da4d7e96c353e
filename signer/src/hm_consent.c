#include "hm_consent.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm_b64url.h"
#include "hm_errorf.h"
#include "hm_fileio.h"
#include "hm_ids.h"
#include "hm_secmem.h"

struct hm_consent_secret {
    /* HMAC-SHA-256 keyed with the secret and fed the label and its 0x00, once at load, so that a
     * recipient's key costs only its own bytes (hm_secret_alloc: it is as secret as the key). */
    crypto_auth_hmacsha256_state *prefix;
};

#define LABEL "hallmark-consent-v1"

void
hm_consent_secret_free(hm_consent_secret *p)
{
    if (p != NULL) {
        hm_secret_free(p->prefix); /* wiped */
        free(p);
    }
}

/* Makes a new secret file: O_EXCL, so two nodes starting at once never both write one. */
static hallmark_result
create_secret(const char *path, char *err, size_t err_cap)
{
    unsigned char *fresh = hm_secret_alloc(HM_CONSENT_SECRET_BYTES);
    int fd, ok;

    if (fresh == NULL) {
        hm_errorf(err, err_cap, "out of memory");
        return HALLMARK_ERR_NOMEM;
    }
    randombytes_buf(fresh, HM_CONSENT_SECRET_BYTES);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        hm_secret_free(fresh);
        if (e == EEXIST) {
            return HALLMARK_OK; /* made before, or by another node at the same moment */
        }
        hm_errorf(err, err_cap, "consent secret %s: %s", path, strerror(e));
        return HALLMARK_ERR_IO;
    }
    ok = hm_write_all(fd, fresh, HM_CONSENT_SECRET_BYTES) == 0 && fsync(fd) == 0;
    hm_secret_free(fresh);
    if (close(fd) != 0 || !ok) {
        hm_errorf(err, err_cap, "%s: cannot write the consent secret: %s", path, strerror(errno));
        (void)unlink(path);
        return HALLMARK_ERR_IO;
    }
    return HALLMARK_OK;
}

hallmark_result
hm_consent_secret_load(const char *path, int create, hm_consent_secret **out, char *err,
                       size_t err_cap)
{
    hm_consent_secret *p = NULL;
    unsigned char *bytes = NULL;
    struct stat st;
    unsigned char extra;
    hallmark_result rc;
    ssize_t got;
    int fd;

    *out = NULL;
    if (create && (rc = create_secret(path, err, err_cap)) != HALLMARK_OK) {
        return rc;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        hm_errorf(err, err_cap, "consent secret %s: %s", path, strerror(errno));
        return HALLMARK_ERR_IO;
    }
    if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0 || st.st_size != HM_CONSENT_SECRET_BYTES) {
        (void)close(fd);
        hm_errorf(err, err_cap,
                  "consent secret %s: want a file of exactly 32 bytes that only its owner may "
                  "read (chmod 600)",
                  path);
        return HALLMARK_ERR_CORRUPT;
    }
    if ((p = calloc(1, sizeof *p)) == NULL ||
        (p->prefix = hm_secret_alloc(sizeof *p->prefix)) == NULL ||
        (bytes = hm_secret_alloc(HM_CONSENT_SECRET_BYTES)) == NULL) {
        hm_consent_secret_free(p);
        (void)close(fd);
        hm_errorf(err, err_cap, "out of memory");
        return HALLMARK_ERR_NOMEM;
    }
    got = read(fd, bytes, HM_CONSENT_SECRET_BYTES);
    if (got != HM_CONSENT_SECRET_BYTES || read(fd, &extra, 1) != 0) {
        (void)close(fd);
        hm_secret_free(bytes);
        hm_consent_secret_free(p);
        hm_errorf(err, err_cap, "consent secret %s: cannot read 32 bytes", path);
        return HALLMARK_ERR_IO;
    }
    (void)close(fd);
    if (crypto_auth_hmacsha256_init(p->prefix, bytes, HM_CONSENT_SECRET_BYTES) != 0 ||
        crypto_auth_hmacsha256_update(p->prefix, (const unsigned char *)LABEL, sizeof LABEL) !=
            0) { /* the label and its 0x00 */
        hm_secret_free(bytes);
        hm_consent_secret_free(p);
        hm_errorf(err, err_cap, "consent secret %s: cannot key HMAC-SHA-256", path);
        return HALLMARK_ERR_INTERNAL;
    }
    hm_secret_free(bytes); /* wiped */
    *out = p;
    return HALLMARK_OK;
}

hallmark_result
hm_consent_recipient(const hm_consent_secret *p, const char *channel, const char *id,
                     char out[HM_CONSENT_KEY_LEN + 1])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char canon[HM_ID_MAX];
    size_t n = 0;

    out[0] = '\0';
    if (p == NULL || channel == NULL || id == NULL || !hm_canonical_recipient(channel, id, canon)) {
        return HALLMARK_ERR_BAD_REQUEST;
    }
    memcpy(&st, p->prefix, sizeof st);
    if (crypto_auth_hmacsha256_update(&st, (const unsigned char *)canon, strlen(canon)) != 0 ||
        crypto_auth_hmacsha256_final(&st, mac) != 0 ||
        hm_b64url_encode(out, HM_CONSENT_KEY_LEN + 1, mac, sizeof mac, &n) != HALLMARK_OK ||
        n != HM_CONSENT_KEY_LEN) {
        hm_wipe(&st, sizeof st);
        return HALLMARK_ERR_INTERNAL;
    }
    hm_wipe(&st, sizeof st);
    return HALLMARK_OK;
}

hm_keyword
hm_consent_keyword(const char *text, size_t len, char word[16])
{
    static const struct {
        const char *word;
        hm_keyword kind;
    } table[] = {
        {"STOP", HM_KEYWORD_OUT},   {"STOPALL", HM_KEYWORD_OUT}, {"UNSUBSCRIBE", HM_KEYWORD_OUT},
        {"CANCEL", HM_KEYWORD_OUT}, {"END", HM_KEYWORD_OUT},     {"QUIT", HM_KEYWORD_OUT},
        {"REVOKE", HM_KEYWORD_OUT}, {"OPTOUT", HM_KEYWORD_OUT},  {"START", HM_KEYWORD_IN},
        {"YES", HM_KEYWORD_IN},     {"UNSTOP", HM_KEYWORD_IN},   {"HELP", HM_KEYWORD_HELP},
        {"INFO", HM_KEYWORD_HELP}};
    char up[16];
    size_t i, start = 0, end = len;

    if (word != NULL) {
        word[0] = '\0';
    }
    if (text == NULL) {
        return HM_KEYWORD_NONE;
    }
    while (start < end && strchr(" \t\r\n", text[start]) != NULL && text[start] != '\0') {
        start++;
    }
    while (end > start && strchr(" \t\r\n", text[end - 1]) != NULL && text[end - 1] != '\0') {
        end--;
    }
    if (end - start == 0 || end - start >= sizeof up) {
        return HM_KEYWORD_NONE;
    }
    for (i = start; i < end; i++) {
        char c = text[i];
        up[i - start] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    }
    up[end - start] = '\0';
    for (i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(up, table[i].word) == 0 && strlen(up) == end - start) {
            if (word != NULL) {
                (void)snprintf(word, 16, "%s", table[i].word);
            }
            return table[i].kind;
        }
    }
    return HM_KEYWORD_NONE;
}
