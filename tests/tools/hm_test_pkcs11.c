/* hm-test-pkcs11: a key in a PKCS#11 token across fork() (hm_pkcs11.h): the parent signs, then a
 * child signs with the same hm_signkey (its module initialised again in the child, its own
 * session and login), then the parent signs again; every signature must verify under the
 * token's public key. For tests only (tests/cli/keys_pkcs11.sh).
 *
 * usage: hm-test-pkcs11 MODULE URI ALG   (PIN: the URI's pin-source or $HALLMARK_PKCS11_PIN_FILE)
 * prints "pkcs11-fork: parent ok, child ok, parent ok" and exits 0, else says what failed. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hm_pkcs11.h"

static int
sign_and_verify(const hm_signkey *key, const char *who)
{
    static const unsigned char msg[] = "hallmark pkcs11 fork test";
    unsigned char sig[HM_SIG_BYTES];
    hallmark_result rc = hm_signkey_sign(key, msg, sizeof msg, sig);

    if (rc == HALLMARK_OK) {
        rc = hm_pubkey_verify(hm_signkey_public(key), msg, sizeof msg, sig, sizeof sig);
    }
    if (rc != HALLMARK_OK) {
        (void)fprintf(stderr, "hm-test-pkcs11: %s: %s (%s)\n", who, hallmark_result_name(rc),
                      hm_p11_last_error() != NULL ? hm_p11_last_error() : "-");
        return 1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    hm_p11_uri uri;
    hm_signkey *key = NULL;
    char err[512];
    int st = 1, child_st = 0;
    pid_t pid;

    if (argc != 4) {
        (void)fprintf(stderr, "usage: hm-test-pkcs11 MODULE URI ALG\n");
        return 2;
    }
    if (hm_p11_uri_parse(argv[2], &uri, err, sizeof err) != HALLMARK_OK ||
        hm_p11_open(argv[1], &uri, hm_alg_from_name(argv[3]), NULL, &key, err, sizeof err) !=
            HALLMARK_OK) {
        (void)fprintf(stderr, "hm-test-pkcs11: %s\n", err);
        return 2;
    }
    if (sign_and_verify(key, "parent before fork") != 0) {
        goto out;
    }
    (void)fflush(stdout);
    pid = fork();
    if (pid == 0) {
        _exit(sign_and_verify(key, "child") != 0 ? 1 : 0);
    }
    if (pid < 0 || waitpid(pid, &child_st, 0) != pid || !WIFEXITED(child_st) ||
        WEXITSTATUS(child_st) != 0) {
        (void)fprintf(stderr, "hm-test-pkcs11: the child could not sign\n");
        goto out;
    }
    if (sign_and_verify(key, "parent after fork") != 0) {
        goto out;
    }
    (void)printf("pkcs11-fork: parent ok, child ok, parent ok\n");
    st = 0;
out:
    hm_signkey_free(key);
    return st;
}
