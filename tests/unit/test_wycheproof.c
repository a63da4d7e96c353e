/* Project Wycheproof (C2SP), read at run time from the shared vectors folder: every verdict of
 * ed25519_test.json and ecdsa_secp256r1_sha256_p1363_test.json must match. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_digest.h" /* HALLMARK_WITH_OPENSSL */
#include "hm_key.h"
#include "test.h"

struct tally {
    size_t total, matched, valid, high_s_valid, key_refused;
    /* Ed25519: what hm_ed25519_valid_on_openssl (bundles' path) proved, and where it proved a
     * signature libsodium refuses (must stay 0). */
    size_t long_path_valid, long_path_disagrees;
};

static json_t *
load_wycheproof(const char *name)
{
    char path[1024], sub[256];

    (void)snprintf(sub, sizeof sub, "wycheproof/%s", name);
    test_vector_path(path, sizeof path, sub);
    return json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
}

static size_t
unhex_member(const json_t *obj, const char *name, unsigned char *out, size_t cap)
{
    const char *hex = json_string_value(json_object_get(obj, name));

    return hex == NULL ? (size_t)-1 : test_unhex(out, cap, hex);
}

/* s > n/2 for P-256, n = FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551. */
static int
is_high_s(const unsigned char *sig, size_t len)
{
    static const unsigned char half_n[32] = {0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00,
                                             0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                             0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42,
                                             0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8};

    return len == 64 && memcmp(sig + 32, half_n, 32) > 0;
}

static void
run_file(const char *file, hm_alg alg, struct tally *t)
{
    json_t *root = load_wycheproof(file), *group, *tc;
    size_t gi, ti;
    static unsigned char msg[70000], sig[1024], pk[128];

    memset(t, 0, sizeof *t);
    if (root == NULL) {
        return;
    }
    json_array_foreach(json_object_get(root, "testGroups"), gi, group)
    {
        const json_t *jpk = json_object_get(group, "publicKey");
        size_t pk_len =
            unhex_member(jpk, alg == HM_ALG_ED25519 ? "pk" : "uncompressed", pk, sizeof pk);
        hm_pubkey key;
        hallmark_result import = hm_pubkey_from_raw(&key, alg, pk, pk_len);

        json_array_foreach(json_object_get(group, "tests"), ti, tc)
        {
            const char *want = json_string_value(json_object_get(tc, "result"));
            size_t msg_len = unhex_member(tc, "msg", msg, sizeof msg);
            size_t sig_len = unhex_member(tc, "sig", sig, sizeof sig);
            int expect_valid = strcmp(want, "valid") == 0, got_valid;
            hallmark_result rc;

            t->total++;
            if (msg_len == (size_t)-1 || sig_len == (size_t)-1) {
                printf("  %s tcId %lld: undecodable hex\n", file,
                       (long long)json_integer_value(json_object_get(tc, "tcId")));
                continue;
            }
            if (alg == HM_ALG_ED25519) {
                /* The primitive itself: libsodium's verdict on the raw key bytes. */
                rc = hm_ed25519_verify_raw(pk, pk_len, msg, msg_len, sig, sig_len);
                if (pk_len == 32 && sig_len == 64 &&
                    hm_ed25519_valid_on_openssl(pk, msg, msg_len, sig)) {
                    t->long_path_valid++;
                    if (crypto_sign_verify_detached(sig, msg, msg_len, pk) != 0) {
                        t->long_path_disagrees++;
                        printf("  %s tcId %lld: the OpenSSL path accepts what libsodium refuses\n",
                               file, (long long)json_integer_value(json_object_get(tc, "tcId")));
                    }
                }
            } else {
                rc = import == HALLMARK_OK ? hm_pubkey_verify(&key, msg, msg_len, sig, sig_len)
                                           : import;
            }
            got_valid = rc == HALLMARK_OK;
            if (import != HALLMARK_OK) {
                t->key_refused++;
                /* The import-time point check may only ever refuse keys with no valid test. */
                if (expect_valid) {
                    got_valid = 0;
                }
            }
            /* "acceptable" allows either verdict. */
            if (got_valid == expect_valid || strcmp(want, "acceptable") == 0) {
                t->matched++;
            } else {
                printf("  %s tcId %lld: expected %s, got %s\n", file,
                       (long long)json_integer_value(json_object_get(tc, "tcId")), want,
                       hallmark_result_name(rc));
            }
            if (expect_valid) {
                t->valid++;
                if (alg == HM_ALG_ES256 && is_high_s(sig, sig_len)) {
                    t->high_s_valid++;
                }
            }
        }
        hm_pubkey_clear(&key);
    }
    json_decref(root);
}

TEST(wycheproof_ed25519_all_verdicts_match)
{
    struct tally t;

    run_file("ed25519_test.json", HM_ALG_ED25519, &t);
    if (t.total == 0) {
        SKIP("wycheproof/ed25519_test.json absent");
    }
    test_note("Wycheproof ed25519: %zu/%zu verdicts match (%zu valid); the OpenSSL path for long "
              "messages proves %zu, none that libsodium refuses",
              t.matched, t.total, t.valid, t.long_path_valid);
    CHECK(t.total == 151);
    CHECK(t.matched == t.total);
    CHECK(t.long_path_disagrees == 0);
    CHECK(t.long_path_valid == (HALLMARK_WITH_OPENSSL ? t.valid : 0));
}

TEST(wycheproof_ed25519_strict_import_refuses_no_valid_key)
{
    json_t *root = load_wycheproof("ed25519_test.json"), *group, *tc;
    size_t gi, ti, groups = 0, refused = 0;
    unsigned char pk[64];

    if (root == NULL) {
        SKIP("wycheproof/ed25519_test.json absent");
    }
    json_array_foreach(json_object_get(root, "testGroups"), gi, group)
    {
        size_t pk_len = unhex_member(json_object_get(group, "publicKey"), "pk", pk, sizeof pk);
        hm_pubkey key;

        groups++;
        if (hm_pubkey_from_raw(&key, HM_ALG_ED25519, pk, pk_len) == HALLMARK_OK) {
            hm_pubkey_clear(&key);
            continue;
        }
        refused++;
        json_array_foreach(json_object_get(group, "tests"), ti, tc)
        {
            CHECK(strcmp(json_string_value(json_object_get(tc, "result")), "valid") != 0);
        }
    }
    json_decref(root);
    test_note("bundle-time point check refuses %zu of %zu Wycheproof keys, none with a valid "
              "signature",
              refused, groups);
}

TEST(wycheproof_ecdsa_p256_p1363_all_verdicts_match)
{
    struct tally t;

    run_file("ecdsa_secp256r1_sha256_p1363_test.json", HM_ALG_ES256, &t);
    if (t.total == 0) {
        SKIP("wycheproof/ecdsa_secp256r1_sha256_p1363_test.json absent");
    }
    test_note("Wycheproof ECDSA P-256 P1363: %zu/%zu verdicts match (%zu valid, of which %zu "
              "high-S, accepted by policy)",
              t.matched, t.total, t.valid, t.high_s_valid);
    CHECK(t.total == 262);
    CHECK(t.matched == t.total);
}
