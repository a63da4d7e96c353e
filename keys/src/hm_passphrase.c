#include "hm_passphrase.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "hm_secmem.h"
#include "hm_errorf.h"

/* Reads one line (without its end) into buf; returns its length, or -1 on error or overflow. */
static long
read_line(int fd, char *buf, size_t cap)
{
    size_t n = 0;

    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);

        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            return -1;
        }
        if (r == 0 || c == '\n') {
            break;
        }
        if (n + 1 >= cap) {
            return -1;
        }
        buf[n++] = c;
    }
    if (n > 0 && buf[n - 1] == '\r') {
        n--;
    }
    buf[n] = '\0';
    return (long)n;
}

static hallmark_result
from_file(const char *path, char *buf, size_t *len, char *err, size_t err_cap)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    long n;

    if (fd < 0) {
        hm_errorf(err, err_cap, "cannot read passphrase file %s: %s", path, strerror(errno));
        return HALLMARK_ERR_IO;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        (void)close(fd);
        hm_errorf(err, err_cap, "passphrase file %s is not a regular file", path);
        return HALLMARK_ERR_IO;
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        (void)close(fd);
        hm_errorf(err, err_cap,
                  "passphrase file %s may be read by other users (mode %03o): chmod 600 it", path,
                  (unsigned)(st.st_mode & 0777));
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    n = read_line(fd, buf, HM_PASSPHRASE_MAX);
    (void)close(fd);
    if (n < 0) {
        hm_errorf(err, err_cap, "passphrase file %s: unreadable or longer than %u bytes", path,
                  HM_PASSPHRASE_MAX - 1);
        return HALLMARK_ERR_IO;
    }
    *len = (size_t)n;
    return HALLMARK_OK;
}

static long
prompt_tty(int fd, const char *prompt, char *buf)
{
    struct termios old, quiet;
    int have_termios = tcgetattr(fd, &old) == 0;
    long n;

    if (have_termios) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        (void)tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    (void)!write(fd, prompt, strlen(prompt));
    n = read_line(fd, buf, HM_PASSPHRASE_MAX);
    (void)!write(fd, "\n", 1);
    if (have_termios) {
        (void)tcsetattr(fd, TCSAFLUSH, &old);
    }
    return n;
}

static hallmark_result
from_tty(const char *prompt, int is_new, char *buf, size_t *len, char *err, size_t err_cap)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    char *again;
    long n, m;
    hallmark_result rc = HALLMARK_OK;

    if (fd < 0) {
        hm_errorf(err, err_cap,
                  "no terminal to ask for the passphrase: use --passphrase-file FILE or set "
                  "HALLMARK_PASSPHRASE_FILE");
        return HALLMARK_ERR_IO;
    }
    n = prompt_tty(fd, prompt, buf);
    if (n < 0) {
        hm_errorf(err, err_cap, "could not read the passphrase from the terminal");
        rc = HALLMARK_ERR_IO;
    } else if (is_new) {
        if ((again = hm_secret_alloc(HM_PASSPHRASE_MAX)) == NULL) {
            rc = HALLMARK_ERR_NOMEM;
        } else {
            m = prompt_tty(fd, "Repeat the passphrase: ", again);
            if (m != n || memcmp(again, buf, (size_t)n) != 0) {
                hm_errorf(err, err_cap, "the two passphrases differ");
                rc = HALLMARK_ERR_INVALID_ARGUMENT;
            }
            hm_secret_free(again);
        }
    }
    (void)close(fd);
    *len = n > 0 ? (size_t)n : 0;
    return rc;
}

hallmark_result
hm_passphrase_read(const char *file, const char *prompt, int is_new, char **out, size_t *len,
                   char *err, size_t err_cap)
{
    const char *env = getenv("HALLMARK_PASSPHRASE_FILE");
    char *buf;
    size_t n = 0;
    hallmark_result rc;

    if (out == NULL || len == NULL || err == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    *len = 0;
    err[0] = '\0';
    if ((buf = hm_secret_alloc(HM_PASSPHRASE_MAX)) == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    if (file == NULL && env != NULL && env[0] != '\0') {
        file = env;
    }
    rc = file != NULL
             ? from_file(file, buf, &n, err, err_cap)
             : from_tty(prompt != NULL ? prompt : "Passphrase: ", is_new, buf, &n, err, err_cap);
    if (rc == HALLMARK_OK && n == 0) {
        hm_errorf(err, err_cap, "the passphrase is empty");
        rc = HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (rc == HALLMARK_OK && is_new && n < HM_PASSPHRASE_MIN_NEW) {
        hm_errorf(err, err_cap, "a new keystore's passphrase needs at least %u characters",
                  HM_PASSPHRASE_MIN_NEW);
        rc = HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (rc != HALLMARK_OK) {
        hm_secret_free(buf);
        return rc;
    }
    *out = buf;
    *len = n;
    return HALLMARK_OK;
}
