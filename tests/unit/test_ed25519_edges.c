/* Ed25519 edge cases that libraries disagree on (speccheck, "Taming the many EdDSAs"; CCTV
 * ed25519vectors). No verdict is "right" here, so the verdicts are pinned for the libsodium in
 * use (Debian 12: 1.0.18): a library change that alters one fails this test and gets looked at.
 * Two layers are pinned: libsodium's primitive, and Hallmark's full path, where a bundle key must
 * also pass crypto_core_ed25519_is_valid_point (prime-order subgroup, canonical, not small order).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "hm_digest.h" /* HALLMARK_WITH_OPENSSL */
#include "hm_key.h"
#include "test.h"

/* speccheck cases 0..11: V accepted, X refused. */
static const char speccheck_libsodium[] = "XXXVXXXXXXXX";
static const char speccheck_hallmark[] = "XXXXXXXXXXXX";
/* CCTV vector numbers libsodium 1.0.18 accepts (43 of 914). */
static const int cctv_libsodium_accepts[] = {7,   29,  50,  117, 139, 161, 182, 249, 305, 411, 425,
                                             438, 465, 473, 481, 489, 497, 511, 525, 538, 565, 573,
                                             581, 589, 597, 611, 625, 638, 665, 673, 681, 689, 697,
                                             711, 725, 738, 765, 773, 781, 789, 797, 832, 899};
/* Of those, the only one whose key passes the bundle-time point check. */
static const int cctv_hallmark_accepts = 305;

static json_t *
load_extra(const char *rel)
{
    char path[1024], sub[256];

    (void)snprintf(sub, sizeof sub, "extra/%s", rel);
    test_vector_path(path, sizeof path, sub);
    return json_load_file(path, 0, NULL);
}

/* 1 when hm_ed25519_valid_on_openssl, the path of long messages (trust bundles), proves a
 * signature that libsodium refuses: it never may ([HM-TRUST-6]). */
static int
long_path_disagrees(const unsigned char *pk, size_t pk_len, const unsigned char *msg,
                    size_t msg_len, const unsigned char *sig, size_t sig_len)
{
    return pk_len == 32 && sig_len == 64 && hm_ed25519_valid_on_openssl(pk, msg, msg_len, sig) &&
           crypto_sign_verify_detached(sig, msg, msg_len, pk) != 0;
}

/* 1 if the full Hallmark path (import, then verify) accepts. */
static int
hallmark_accepts(const unsigned char *pk, size_t pk_len, const unsigned char *msg, size_t msg_len,
                 const unsigned char *sig, size_t sig_len)
{
    hm_pubkey key;
    int ok;

    if (hm_pubkey_from_raw(&key, HM_ALG_ED25519, pk, pk_len) != HALLMARK_OK) {
        return 0;
    }
    ok = hm_pubkey_verify(&key, msg, msg_len, sig, sig_len) == HALLMARK_OK;
    hm_pubkey_clear(&key);
    return ok;
}

TEST(ed25519_speccheck_verdicts_pinned)
{
    json_t *root = load_extra("ed25519-speccheck/cases.json"), *c;
    char got_lib[16] = {0}, got_hm[16] = {0};
    unsigned char msg[256], pk[64], sig[128];
    size_t i, disagree = 0;

    if (root == NULL) {
        SKIP("extra/ed25519-speccheck/cases.json absent");
    }
    json_array_foreach(root, i, c)
    {
        size_t ml = test_unhex(msg, sizeof msg, json_string_value(json_object_get(c, "message")));
        size_t pl = test_unhex(pk, sizeof pk, json_string_value(json_object_get(c, "pub_key")));
        size_t sl = test_unhex(sig, sizeof sig, json_string_value(json_object_get(c, "signature")));

        if (i >= sizeof got_lib - 1) {
            break;
        }
        got_lib[i] = hm_ed25519_verify_raw(pk, pl, msg, ml, sig, sl) == HALLMARK_OK ? 'V' : 'X';
        got_hm[i] = hallmark_accepts(pk, pl, msg, ml, sig, sl) ? 'V' : 'X';
        disagree += (size_t)long_path_disagrees(pk, pl, msg, ml, sig, sl);
    }
    json_decref(root);
    CHECK(disagree == 0);
    test_note("speccheck libsodium %s (pinned %s), Hallmark %s (pinned %s)", got_lib,
              speccheck_libsodium, got_hm, speccheck_hallmark);
    CHECK(strcmp(got_lib, speccheck_libsodium) == 0);
    CHECK(strcmp(got_hm, speccheck_hallmark) == 0);
}

TEST(ed25519_cctv_verdicts_pinned)
{
    json_t *root = load_extra("cctv-ed25519/ed25519vectors.json"), *c;
    size_t i, n = 0, lib_accepts = 0, hm_accepts = 0, pinned = 0, disagree = 0;
    unsigned char pk[64], sig[128];

    if (root == NULL) {
        SKIP("extra/cctv-ed25519/ed25519vectors.json absent");
    }
    json_array_foreach(root, i, c)
    {
        const char *msg = json_string_value(json_object_get(c, "msg"));
        int number = (int)json_integer_value(json_object_get(c, "number"));
        size_t pl = test_unhex(pk, sizeof pk, json_string_value(json_object_get(c, "key")));
        size_t sl = test_unhex(sig, sizeof sig, json_string_value(json_object_get(c, "sig")));
        int lib = hm_ed25519_verify_raw(pk, pl, (const unsigned char *)msg, strlen(msg), sig, sl) ==
                  HALLMARK_OK;
        int hm = hallmark_accepts(pk, pl, (const unsigned char *)msg, strlen(msg), sig, sl);
        int want_lib = 0;
        size_t k;

        n++;
        disagree +=
            (size_t)long_path_disagrees(pk, pl, (const unsigned char *)msg, strlen(msg), sig, sl);
        for (k = 0; k < sizeof cctv_libsodium_accepts / sizeof cctv_libsodium_accepts[0]; k++) {
            want_lib |= cctv_libsodium_accepts[k] == number;
        }
        if (lib != want_lib || hm != (number == cctv_hallmark_accepts)) {
            printf("  CCTV #%d: libsodium %s, Hallmark %s: not the pinned verdict\n", number,
                   lib ? "accepts" : "refuses", hm ? "accepts" : "refuses");
        } else {
            pinned++;
        }
        lib_accepts += (size_t)lib;
        hm_accepts += (size_t)hm;
    }
    json_decref(root);
    test_note("CCTV: %zu/%zu verdicts as pinned; libsodium accepts %zu, Hallmark %zu", pinned, n,
              lib_accepts, hm_accepts);
    CHECK(n == 914);
    CHECK(pinned == n);
    CHECK(disagree == 0); /* the OpenSSL path of long messages proves nothing libsodium refuses */
}
