/* libFuzzer target: the keystore state file as hallmark-signer reads it. The input replaces
 * keystore.json in a copy of the fixture keystore tests/fuzz/keystore/ (built by
 * tests/fuzz/make_keystore_fixture.sh with hallmark-keys: two brands, Ed25519 and ES256 keys, a
 * published bundle), and hm_signer_load runs on it: state parsing and shape checks
 * (hm_keystore_peek), the brand and key records, key files named by the state, the bundle check
 * and the start-up probes. A set that loads must sign a message; one that does not must say why.
 * The fixture path can be moved with HALLMARK_FUZZ_KEYSTORE. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hallmark.h"
#include "hm_fileio.h"
#include "hm_signer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIXTURE_NOW                                                                                \
    (1790000000LL + 60) /* HALLMARK_NOW of make_keystore_fixture.sh, plus a minute */

static const char passphrase[] = "fuzz-keystore-passphrase";
static char dir[64];

/* Copies the fixture tree with the modes a keystore needs (0700 directories, 0600 files). */
static int
copy_tree(const char *from, const char *to)
{
    DIR *d = opendir(from);
    struct dirent *e;
    int ok = d != NULL && (mkdir(to, 0700) == 0 || chmod(to, 0700) == 0);

    while (ok && (e = readdir(d)) != NULL) {
        char src[1024], dst[1024];
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        (void)snprintf(src, sizeof src, "%s/%s", from, e->d_name);
        (void)snprintf(dst, sizeof dst, "%s/%s", to, e->d_name);
        if (stat(src, &st) != 0) {
            ok = 0;
        } else if (S_ISDIR(st.st_mode)) {
            ok = copy_tree(src, dst);
        } else {
            unsigned char *text = NULL;
            size_t len = 0;
            ok = hm_read_file(src, (size_t)1 << 20, &text, &len) == HALLMARK_OK &&
                 hm_atomic_write(dst, text, len) == HALLMARK_OK;
            free(text);
        }
    }
    if (d != NULL) {
        (void)closedir(d);
    }
    return ok;
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
tear_down(void)
{
    (void)nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
set_up(void)
{
    const char *fixture = getenv("HALLMARK_FUZZ_KEYSTORE");

    if (dir[0] != '\0') {
        return;
    }
    (void)snprintf(dir, sizeof dir, "/tmp/hallmark-fuzz-ks-%ld", (long)getpid());
    if (!copy_tree(fixture != NULL ? fixture : "tests/fuzz/keystore", dir)) {
        (void)fprintf(stderr,
                      "fuzz_keystore: cannot copy the fixture keystore to %s (run from "
                      "the repository root, or set HALLMARK_FUZZ_KEYSTORE)\n",
                      dir);
        abort();
    }
    (void)atexit(tear_down);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128], err[1024];
    hm_signer *s = NULL;
    hallmark_result rc;
    int fd;

    set_up();
    (void)snprintf(path, sizeof path, "%s/keystore.json", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || hm_write_all(fd, data, size) != 0) {
        abort();
    }
    (void)close(fd);
    err[0] = '\0';
    rc = hm_signer_load(dir, passphrase, sizeof passphrase - 1, FIXTURE_NOW, &s, err, sizeof err);
    if (rc != HALLMARK_OK) {
        if (s != NULL || err[0] == '\0') {
            abort(); /* a refusal always says why, and hands out nothing */
        }
        return 0;
    }
    {
        hm_sign_request req;
        hm_sign_result res;
        size_t i, n = hm_signer_key_count(s);

        for (i = 0; i < n; i++) {
            if (hm_signer_brand_id(s, i) == NULL || hm_signer_brand_kid(s, i) == NULL) {
                abort();
            }
        }
        memset(&req, 0, sizeof req);
        memset(&res, 0, sizeof res);
        req.brand = "acme-bank";
        req.channel = "sms";
        req.from = "ACMEBANK";
        req.to = "+447700900123";
        req.body = "fuzz";
        req.body_len = 4;
        req.category = "otp";
        req.sender_kind = "automated";
        if (hm_signer_sign(s, &req, FIXTURE_NOW, &res) == HALLMARK_OK && res.token == NULL) {
            abort();
        }
        hm_sign_result_clear(&res);
    }
    hm_signer_unref(s);
    return 0;
}
