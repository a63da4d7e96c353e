/* bench-pkcs11: signatures per second through a PKCS#11 token (SoftHSM2 in bench and the test)
 * for each algorithm, with 1 and 2 threads, as a ratio to the file-key path in the same run.
 * SoftHSM2 is software: the ratio measures Hallmark's PKCS#11 overhead (sessions, the module's
 * locking, the call path), not a real HSM's speed.
 * Beside it, the module called directly (no pool, no locks, no checks): "our path" is the
 * token rate as a fraction of that, the cost of hm_pkcs11 itself.
 * usage: bench-pkcs11 MODULE TOKEN_LABEL [SECONDS]   (PIN: $HALLMARK_PKCS11_PIN_FILE) */
#include <dlfcn.h>
#include <p11-kit/pkcs11.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hm_digest.h"
#include "hm_pkcs11.h"

/* The module called directly, as a floor: C_SignInit + C_Sign on a session of the thread's own
 * (ES256 with the SHA-256 computed here too), with none of hm_pkcs11's pool, locks or checks. */
struct raw {
    CK_FUNCTION_LIST_PTR f;
    CK_SLOT_ID slot;
    CK_OBJECT_HANDLE key;
    hm_alg alg;
};
static struct raw raw_ctx;
struct run {
    const hm_signkey *key; /* NULL: raw_ctx */
    double seconds;
    unsigned long count;
    int failed;
};

static double
now_s(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
run_main(void *arg)
{
    struct run *r = arg;
    unsigned char sig[HM_SIG_BYTES];
    static const unsigned char msg[256] = {1};
    double end = now_s() + r->seconds;
    CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
    CK_MECHANISM mech = {raw_ctx.alg == HM_ALG_ED25519 ? CKM_EDDSA : CKM_ECDSA, NULL, 0};

    if (r->key == NULL &&
        raw_ctx.f->C_OpenSession(raw_ctx.slot, CKF_SERIAL_SESSION, NULL, NULL, &h) != CKR_OK) {
        r->failed = 1;
        return NULL;
    }
    while (now_s() < end) {
        if (r->key != NULL) {
            if (hm_signkey_sign(r->key, msg, sizeof msg, sig) != HALLMARK_OK) {
                r->failed = 1;
                break;
            }
        } else {
            unsigned char digest[HM_SHA256_BYTES];
            CK_ULONG sig_len = sizeof sig;
            int es = raw_ctx.alg == HM_ALG_ES256;
            if ((es && hm_sha256(digest, msg, sizeof msg) != HALLMARK_OK) ||
                raw_ctx.f->C_SignInit(h, &mech, raw_ctx.key) != CKR_OK ||
                raw_ctx.f->C_Sign(h, es ? digest : (CK_BYTE_PTR)(uintptr_t)msg,
                                  es ? sizeof digest : sizeof msg, sig, &sig_len) != CKR_OK) {
                r->failed = 1;
                break;
            }
        }
        r->count++;
    }
    if (h != CK_INVALID_HANDLE) {
        (void)raw_ctx.f->C_CloseSession(h);
    }
    return NULL;
}

/* Signatures per second with n threads on key, or -1 on a failure. */
static double
rate(const hm_signkey *key, int n, double seconds)
{
    struct run r[2];
    pthread_t t[2];
    double total = 0;
    int i;

    memset(r, 0, sizeof r);
    for (i = 0; i < n; i++) {
        r[i].key = key;
        r[i].seconds = seconds;
        if (pthread_create(&t[i], NULL, run_main, &r[i]) != 0) {
            return -1;
        }
    }
    for (i = 0; i < n; i++) {
        (void)pthread_join(t[i], NULL);
        if (r[i].failed) {
            return -1;
        }
        total += (double)r[i].count;
    }
    return total / seconds;
}

/* raw_ctx for the key labelled label in the token labelled token (hm_p11_generate made it and
 * logged in: the login is the process's). 0 or -1. */
static int
raw_setup(const char *module, const char *token, const char *label, hm_alg alg)
{
    void *dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);
    CK_C_GetFunctionList get;
    CK_SLOT_ID slots[16];
    CK_ULONG n = 16, i, found = 0;
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE t[2] = {{CKA_CLASS, &cls, sizeof cls},
                         {CKA_LABEL, (void *)(uintptr_t)label, (CK_ULONG)strlen(label)}};
    CK_SESSION_HANDLE h;
    CK_RV rv;

    if (dl == NULL) {
        return -1;
    }
    *(void **)(&get) = dlsym(dl, "C_GetFunctionList");
    if (get == NULL || get(&raw_ctx.f) != CKR_OK) {
        return -1;
    }
    rv = raw_ctx.f->C_Initialize(NULL);
    if ((rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) ||
        raw_ctx.f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK) {
        return -1;
    }
    for (i = 0; i < n && !found; i++) {
        CK_TOKEN_INFO info;
        size_t len = strlen(token);
        if (raw_ctx.f->C_GetTokenInfo(slots[i], &info) == CKR_OK && len <= sizeof info.label &&
            memcmp(info.label, token, len) == 0 &&
            (len == sizeof info.label || info.label[len] == ' ')) {
            raw_ctx.slot = slots[i];
            found = 1;
        }
    }
    if (!found ||
        raw_ctx.f->C_OpenSession(raw_ctx.slot, CKF_SERIAL_SESSION, NULL, NULL, &h) != CKR_OK) {
        return -1;
    }
    n = 0;
    if (raw_ctx.f->C_FindObjectsInit(h, t, 2) == CKR_OK) {
        (void)raw_ctx.f->C_FindObjects(h, &raw_ctx.key, 1, &n);
        (void)raw_ctx.f->C_FindObjectsFinal(h);
    }
    raw_ctx.alg = alg;
    /* h stays open: the login lives while one session of the process does. */
    return n == 1 ? 0 : -1;
}

int
main(int argc, char **argv)
{
    static const hm_alg algs[] = {HM_ALG_ED25519, HM_ALG_ES256};
    double seconds = argc > 3 ? atof(argv[3]) : 1.0;
    size_t a;
    int n;

    if (argc < 3 || seconds <= 0) {
        (void)fprintf(stderr, "usage: bench-pkcs11 MODULE TOKEN_LABEL [SECONDS]\n");
        return 2;
    }
    for (a = 0; a < sizeof algs / sizeof algs[0]; a++) {
        hm_signkey *file = NULL, *token = NULL;
        hm_p11_uri uri;
        char text[256], canonical[HM_P11_URI_MAX], err[512];

        (void)snprintf(text, sizeof text, "pkcs11:token=%s;object=bench-%s-%ld", argv[2],
                       hm_alg_name(algs[a]), (long)time(NULL));
        if (hm_p11_uri_parse(text, &uri, err, sizeof err) != HALLMARK_OK ||
            hm_p11_generate(argv[1], &uri, algs[a], &token, canonical, sizeof canonical, err,
                            sizeof err) != HALLMARK_OK ||
            hm_signkey_generate(&file, algs[a]) != HALLMARK_OK) {
            (void)fprintf(stderr, "bench-pkcs11: %s\n", err);
            hm_signkey_free(token);
            return 1;
        }
        if (raw_setup(argv[1], argv[2], uri.object, algs[a]) != 0) {
            (void)fprintf(stderr, "bench-pkcs11: the module cannot be called directly\n");
            hm_signkey_free(token);
            hm_signkey_free(file);
            return 1;
        }
        for (n = 1; n <= 2; n++) {
            double f = rate(file, n, seconds), t = rate(token, n, seconds),
                   r = rate(NULL, n, seconds);
            (void)printf("pkcs11 %-7s threads=%d  file %8.0f/s  token %8.0f/s  ratio %.2f  "
                         "module alone %8.0f/s  our path %.2f of it\n",
                         hm_alg_name(algs[a]), n, f, t, f > 0 ? t / f : 0.0, r,
                         r > 0 ? t / r : 0.0);
        }
        hm_signkey_free(file);
        hm_signkey_free(token);
    }
    return 0;
}
