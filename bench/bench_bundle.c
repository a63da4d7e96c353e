/* bench-bundle: writes a trust bundle of TOTAL brands with three keys each (one active, one
 * pending, one retiring), signed by the keystore's own publisher key through hm_pub_bundle, the
 * code hallmark-keys publishes with. The keystore's real brands come first, so tokens that
 * hallmark-signer made with them verify against every bundle size; the rest are copies of the
 * first brand under new ids with fresh Ed25519 keys and senders and link domains of their own (a
 * sender two brands hold verifies for neither, spec §5.6). hallmark-keys itself would need an
 * Argon2id key file per key (30,000 of them for the largest bundle): too slow for a bench. With
 * RELOAD.jws, also writes the next bundle (serial + 1) in which the last CHANGED brands have new
 * keys, for the reload row (issue 16: a reload that changes a few brands). usage:
 * bench-bundle KEYSTORE PASSPHRASE_FILE TOTAL OUT.jws [RELOAD.jws] */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_fileio.h"
#include "hm_keystore.h"
#include "hm_passphrase.h"
#include "hm_publish.h"
#include "hm_secmem.h"
#include "hm_signkey.h"

#define KEYS_PER_BRAND 3
#define CHANGED 5

/* A key entry as the keystore state holds it, for a fresh public key. */
static json_t *
key_entry(const char *state, long long now)
{
    hm_signkey *key = NULL;
    json_t *e = NULL, *jwk;

    if (hm_signkey_generate(&key, HM_ALG_ED25519) != HALLMARK_OK ||
        (jwk = hm_pub_jwk(key)) == NULL) {
        hm_signkey_free(key);
        return NULL;
    }
    e = json_pack("{s:s,s:s,s:o,s:s,s:I,s:I,s:I,s:I}", "kid", hm_signkey_public(key)->kid, "alg",
                  "Ed25519", "jwk", jwk, "state", state, "created", (json_int_t)now, "nbf",
                  (json_int_t)now, "exp", (json_int_t)(now + 63072000), "published_at",
                  (json_int_t)now);
    hm_signkey_free(key);
    return e;
}

static int
add_copies(json_t *brands, size_t total, long long now)
{
    static const char *const states[KEYS_PER_BRAND] = {"active", "pending", "retiring"};
    const json_t *model = json_array_get(brands, 0);
    size_t i, j;

    for (i = json_array_size(brands); i < total; i++) {
        json_t *b = json_deep_copy(model), *keys = json_array();
        char id[48];

        char sms[32], prefix[32], domain[48];
        json_t *senders;

        (void)snprintf(id, sizeof id, "bench-brand-%05zu", i);
        (void)snprintf(sms, sizeof sms, "BB%06zu", i);
        (void)snprintf(prefix, sizeof prefix, "+1999%06zu", i);
        (void)snprintf(domain, sizeof domain, "b%06zu.bench.example", i);
        senders =
            json_pack("[{s:s,s:s,s:s},{s:s,s:s},{s:s,s:s}]", "channel", "sms", "id", sms, "country",
                      "+1", "channel", "sms", "prefix", prefix, "channel", "email", "id", domain);
        for (j = 0; j < KEYS_PER_BRAND; j++) {
            json_array_append_new(keys, key_entry(states[j], now));
        }
        if (b == NULL || json_object_set_new(b, "id", json_string(id)) != 0 ||
            json_object_set_new(b, "senders", senders) != 0 ||
            json_object_set_new(b, "link_domains", json_pack("[s]", domain)) != 0 ||
            json_object_set_new(b, "keys", keys) != 0 || json_array_append_new(brands, b) != 0) {
            return -1;
        }
    }
    return 0;
}

/* The last CHANGED brands get fresh keys (the brands a platform changed since the bundle). */
static int
change_brands(json_t *brands, long long now)
{
    static const char *const states[KEYS_PER_BRAND] = {"active", "pending", "retiring"};
    size_t i, j, n = json_array_size(brands);

    for (i = n - CHANGED; i < n; i++) {
        json_t *keys = json_array();

        for (j = 0; j < KEYS_PER_BRAND; j++) {
            json_array_append_new(keys, key_entry(states[j], now));
        }
        if (json_object_set_new(json_array_get(brands, i), "keys", keys) != 0) {
            return -1;
        }
    }
    return 0;
}

int
main(int argc, char **argv)
{
    hm_keystore ks;
    hm_signkey *publisher = NULL;
    char err[512], *pass = NULL, *bundle = NULL;
    size_t pass_len = 0, total;
    long long now = hm_keystore_clock(NULL);
    int st = 1;

    if ((argc != 5 && argc != 6) || (total = strtoul(argv[3], NULL, 10)) <= CHANGED) {
        (void)fprintf(stderr,
                      "usage: bench-bundle KEYSTORE PASSPHRASE_FILE TOTAL OUT.jws [RELOAD.jws]\n");
        return 2;
    }
    if (hm_crypto_init() != HALLMARK_OK ||
        hm_passphrase_read(argv[2], "", 0, &pass, &pass_len, err, sizeof err) != HALLMARK_OK ||
        hm_keystore_peek(&ks, argv[1], err, sizeof err) != HALLMARK_OK) {
        (void)fprintf(stderr, "bench-bundle: %s\n", err);
        hm_secret_free(pass);
        return 2;
    }
    if (hm_keystore_load_key(&ks, hm_ks_str(json_object_get(ks.state, "publisher"), "kid"), pass,
                             pass_len, &publisher, err, sizeof err) != HALLMARK_OK) {
        (void)fprintf(stderr, "bench-bundle: publisher key: %s\n", err);
    } else if (add_copies(hm_ks_brands(&ks), total, now) != 0 ||
               hm_pub_bundle(ks.state, publisher, 1000000 + total, now, now + 86400, &bundle) !=
                   HALLMARK_OK) {
        (void)fprintf(stderr, "bench-bundle: cannot build the bundle\n");
    } else if (hm_atomic_write(argv[4], bundle, strlen(bundle)) != HALLMARK_OK) {
        (void)fprintf(stderr, "bench-bundle: cannot write %s\n", argv[4]);
    } else {
        st = 0;
    }
    if (st == 0 && argc == 6) {
        free(bundle);
        bundle = NULL;
        if (change_brands(hm_ks_brands(&ks), now) != 0 ||
            hm_pub_bundle(ks.state, publisher, 1000001 + total, now, now + 86400, &bundle) !=
                HALLMARK_OK ||
            hm_atomic_write(argv[5], bundle, strlen(bundle)) != HALLMARK_OK) {
            (void)fprintf(stderr, "bench-bundle: cannot write %s\n", argv[5]);
            st = 1;
        }
    }
    free(bundle);
    hm_signkey_free(publisher);
    hm_secret_free(pass);
    hm_keystore_close(&ks);
    return st;
}
