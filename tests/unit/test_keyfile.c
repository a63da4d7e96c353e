/* Encrypted key files and crash-safe writes (issue "hallmark-keys": keystore). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hm_fileio.h"
#include "hm_keyfile.h"
#include "hm_secmem.h"
#include "test.h"

static const char pass[] = "correct horse battery staple";

static hm_signkey *
seeded(hm_alg alg)
{
    unsigned char seed[32];
    hm_signkey *k = NULL;

    memset(seed, 0x07, sizeof seed);
    return hm_signkey_from_secret(&k, alg, seed, sizeof seed) == HALLMARK_OK ? k : NULL;
}

static hallmark_result
open_text(const char *text, const char *passphrase)
{
    hm_signkey *k = NULL;
    hallmark_result rc = hm_keyfile_open((const unsigned char *)text, strlen(text), passphrase,
                                         strlen(passphrase), &k);

    hm_signkey_free(k);
    return rc;
}

/* text with the first occurrence of from replaced by to, malloc'd (a copy if from is absent). */
static char *
replaced(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    size_t head, n = strlen(text) + strlen(to) + 1;
    char *s = malloc(n);

    if (at == NULL) {
        memcpy(s, text, strlen(text) + 1);
        return s;
    }
    head = (size_t)(at - text);
    memcpy(s, text, head);
    (void)snprintf(s + head, n - head, "%s%s", to, at + strlen(from));
    return s;
}

static char *flip_value(const char *text, const char *member);

/* Opens text with from replaced by to; HALLMARK_ERR_INTERNAL if from does not occur (so a test
 * that no longer edits anything fails instead of passing by accident). */
static hallmark_result
open_replaced(const char *text, const char *from, const char *to)
{
    char *bad;
    hallmark_result rc;

    if (strstr(text, from) == NULL) {
        return HALLMARK_ERR_INTERNAL;
    }
    bad = replaced(text, from, to);
    rc = open_text(bad, pass);
    free(bad);
    return rc;
}

/* Opens text with one character of member's value changed. */
static hallmark_result
open_flipped(const char *text, const char *member)
{
    char *bad = flip_value(text, member);
    hallmark_result rc = open_text(bad, pass);

    free(bad);
    return rc;
}

/* text with one character of the string value of member changed inside the b64url alphabet. */
static char *
flip_value(const char *text, const char *member)
{
    char *s = strdup(text), *at = strstr(s, member);

    at = strchr(at + strlen(member) + 2, '"') + 3; /* a character inside the value */
    *at = *at == 'A' ? 'B' : 'A';
    return s;
}

TEST(keyfile_round_trip_both_algorithms)
{
    hm_alg algs[2] = {HM_ALG_ED25519, HM_ALG_ES256};
    int i;

    for (i = 0; i < 2; i++) {
        hm_signkey *k = seeded(algs[i]), *back = NULL;
        char *text = NULL;
        unsigned char s1[64];

        CHECK(k != NULL);
        CHECK_RC(hm_keyfile_seal(k, pass, strlen(pass), hm_kdf_minimum(), &text), HALLMARK_OK);
        /* No secret in the file: the seed's base64url does not appear. */
        CHECK(strstr(text, "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc") == NULL);
        CHECK(strstr(text, hm_signkey_public(k)->kid) != NULL);
        CHECK_RC(
            hm_keyfile_open((const unsigned char *)text, strlen(text), pass, strlen(pass), &back),
            HALLMARK_OK);
        CHECK(strcmp(hm_signkey_public(back)->kid, hm_signkey_public(k)->kid) == 0);
        CHECK_RC(hm_signkey_sign(back, (const unsigned char *)"m", 1, s1), HALLMARK_OK);
        CHECK_RC(hm_pubkey_verify(hm_signkey_public(k), (const unsigned char *)"m", 1, s1, 64),
                 HALLMARK_OK);
        hm_signkey_free(back);
        hm_signkey_free(k);
        free(text);
    }
}

TEST(keyfile_wrong_passphrase_and_every_tampered_field)
{
    static const char *const fields[] = {"\"kid\"", "\"salt\"", "\"nonce\"", "\"ciphertext\""};
    hm_signkey *k = seeded(HM_ALG_ED25519);
    char *text = NULL;
    size_t i;

    CHECK_RC(hm_keyfile_seal(k, pass, strlen(pass), hm_kdf_minimum(), &text), HALLMARK_OK);
    CHECK_RC(open_text(text, "correct horse battery stapler"), HALLMARK_ERR_WRONG_PASSPHRASE);
    CHECK_RC(open_text(text, ""), HALLMARK_ERR_WRONG_PASSPHRASE);
    /* Every header field is associated data: any change fails authentication. */
    for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        CHECK_RC(open_flipped(text, fields[i]), HALLMARK_ERR_WRONG_PASSPHRASE);
    }
    CHECK_RC(open_replaced(text, "\"opslimit\": 1", "\"opslimit\": 2"),
             HALLMARK_ERR_WRONG_PASSPHRASE);
    CHECK_RC(open_replaced(text, "\"alg\": \"Ed25519\"", "\"alg\": \"ES256\""),
             HALLMARK_ERR_WRONG_PASSPHRASE);
    hm_signkey_free(k);
    free(text);
}

TEST(keyfile_corrupt_files_are_refused)
{
    hm_signkey *k = seeded(HM_ALG_ED25519), *out = NULL;
    char *text = NULL, *bad = NULL;
    size_t len;

    CHECK_RC(hm_keyfile_seal(k, pass, strlen(pass), hm_kdf_minimum(), &text), HALLMARK_OK);
    len = strlen(text);
    for (size_t cut = 0; cut < len; cut += 7) { /* every truncation */
        CHECK_RC(hm_keyfile_open((const unsigned char *)text, cut, pass, strlen(pass), &out),
                 HALLMARK_ERR_CORRUPT);
    }
    /* A file cannot demand 9 TB of memory, another type or another version. */
    CHECK_RC(open_replaced(text, "\"memlimit\": 8192", "\"memlimit\": 9999999999999"),
             HALLMARK_ERR_CORRUPT);
    CHECK_RC(open_replaced(text, "\"type\": \"hallmark-secret-key\"",
                           "\"type\": \"hallmark-secret-kex\""),
             HALLMARK_ERR_CORRUPT);
    CHECK_RC(open_replaced(text, "\"v\": 1", "\"v\": 2"), HALLMARK_ERR_CORRUPT);
    CHECK_RC(open_text("{\"v\":1,\"v\":1}", pass), HALLMARK_ERR_CORRUPT);
    CHECK_RC(open_text("\x89PNG", pass), HALLMARK_ERR_CORRUPT);
    CHECK_RC(hm_keyfile_open(NULL, 0, pass, 1, &out), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_keyfile_seal(k, pass, 0, hm_kdf_minimum(), &bad), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK(bad == NULL);
    CHECK(out == NULL);
    hm_signkey_free(k);
    free(text);
}

static int
file_is(const char *path, const char *want)
{
    unsigned char *got = NULL;
    size_t len = 0;
    int same;

    if (hm_read_file(path, 1024, &got, &len) != HALLMARK_OK) {
        return 0;
    }
    same = len == strlen(want) && memcmp(got, want, len) == 0;
    free(got);
    return same;
}

TEST(atomic_write_replaces_with_mode_0600)
{
    char dir[] = "/tmp/hallmark-atomic-XXXXXX", path[256];
    struct stat st;

    CHECK(mkdtemp(dir) != NULL);
    (void)snprintf(path, sizeof path, "%s/state.json", dir);
    CHECK_RC(hm_atomic_write(path, "old", 3), HALLMARK_OK);
    CHECK_RC(hm_atomic_write(path, "new!", 4), HALLMARK_OK);
    CHECK(file_is(path, "new!"));
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(unlink(path) == 0 && rmdir(dir) == 0); /* nothing else was left behind */
    (void)snprintf(path, sizeof path, "%s/missing/state.json", dir);
    CHECK_RC(hm_atomic_write(path, "x", 1), HALLMARK_ERR_IO);
}

/* A crashed writer with our PID (PIDs come back; a containerized service is always PID 1) left
 * its temp file: the next write replaces it instead of failing for good. */
TEST(atomic_write_replaces_a_temp_file_left_by_a_crash)
{
    char dir[] = "/tmp/hallmark-atomic-XXXXXX", path[256], tmp[300];

    CHECK(mkdtemp(dir) != NULL);
    (void)snprintf(path, sizeof path, "%s/sig.log.head", dir);
    (void)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    CHECK_RC(hm_atomic_write(tmp, "torn", 4), HALLMARK_OK); /* as a crash between steps 1 and 4 */
    CHECK_RC(hm_atomic_write(path, "new", 3), HALLMARK_OK);
    CHECK(file_is(path, "new"));
    CHECK(access(tmp, F_OK) != 0);
    CHECK(unlink(path) == 0 && rmdir(dir) == 0); /* nothing else was left behind */
}

TEST(atomic_write_crash_at_every_step_leaves_old_or_new)
{
    char dir[] = "/tmp/hallmark-atomic-XXXXXX", path[256], cmd[300];
    int step;

    CHECK(mkdtemp(dir) != NULL);
    (void)snprintf(path, sizeof path, "%s/state.json", dir);
    for (step = 1; step <= 5; step++) {
        pid_t pid;
        int status = 0;

        CHECK_RC(hm_atomic_write(path, "old state", 9), HALLMARK_OK);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            char n[12];
            (void)snprintf(n, sizeof n, "%d", step);
            (void)setenv("HALLMARK_FAULT_AFTER", n, 1);
            (void)hm_atomic_write(path, "new state, longer", 17);
            _exit(0); /* not reached: the fault point aborts */
        }
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
        /* Before the rename the old state stands; from the rename on, the new one. */
        CHECK(file_is(path, step < 4 ? "old state" : "new state, longer"));
    }
    (void)snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}
