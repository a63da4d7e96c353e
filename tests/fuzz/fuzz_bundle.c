/* libFuzzer target: trust bundle loading (spec §6.6) against the vectors' pinned root. An input
 * is a compact bundle JWS, or, when it starts with '{', a bundle payload that the harness signs
 * with the vectors' publisher key (the generator's fixed seed), so that everything behind the
 * bundle signature (root chain, publisher certificate, brands, credentials, keys) is fuzzed too.
 * A bundle that loads must load again at its own serial and verify a message without crashing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hallmark.h"
#include "hm_jws_sign.h"
#include "hm_signkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define VECTOR_NOW 1795597200LL

static const char root_key[] = "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w";
/* The publisher key of the vectors: tests/vectors/gen_vectors.c, seed 2. */
static const unsigned char publisher_seed_fill = 2;
static const char bundle_header[] = "{\"alg\":\"Ed25519\",\"typ\":\"hallmark-bundle+jwt\",\"kid\":"
                                    "\"aVBtapLd11SUVKIMGJfPzOEDuN0sXcmzJQNVT-_sKEU\"}";
static const char default_body[] = "Acme Bank: your card ending 4242 was charged \xc2\xa3"
                                   "10.00 at Acme Store.";
/* The token of vector 001, verified against whatever bundle loads. */
static const char vector_token[] =
    "eyJhbGciOiJFZDI1NTE5IiwidHlwIjoiaGFsbG1hcmstbXNnK2p3dCIsImtpZCI6Im5SSUUyVm1LZE1qTDFKRDd0"
    "YlY3ZlhWZ1h4bXYwR0tuTUZXUlVKTVRmOVEifQ.eyJpc3MiOiJhY21lLWJhbmsiLCJpYXQiOjE3OTU1OTcxNDAsI"
    "mV4cCI6MTc5NTY4MzU0MCwianRpIjoidjAwMSIsImNoYW5uZWwiOiJzbXMiLCJmcm9tIjoiQUNNRUJBTksiLCJyY"
    "3B0IjoibWFmVkN3MWNBczFyQkVzdTg3cW1tU2NleXNKR0t4X3o1X29ySWljLTNYWSIsImJvZHkiOiIwUVdBakhRW"
    "WhyYWxpVDZEZ3hxVHY1RHJqb2lGNG5CQ2hiZEpPdGxOdC04IiwiY3JlZCI6Im1OUUxaRU5FdmxienZZa1ZfUEd3Z"
    "WFJQlEwXzNCMk9iS25zR1ZVaXhNbjgiLCJjYXRlZ29yeSI6InRyYW5zYWN0aW9uYWwiLCJzZW5kZXIiOnsia2luZ"
    "CI6ImF1dG9tYXRlZCJ9fQ.N4X2jesPRgAQ93JDIw9kBRwJhkmV3tCJ1uB7xnqXXw99PvEZCOBh48DSsFstNF-yFx"
    "ZHdaSnCXIrFlkYGlMyCw";

static hm_signkey *publisher_key;

static void
setup(void)
{
    unsigned char seed[HM_SECRET_BYTES];

    memset(seed, publisher_seed_fill, sizeof seed);
    if (hm_signkey_from_secret(&publisher_key, HM_ALG_ED25519, seed, sizeof seed) != HALLMARK_OK) {
        abort();
    }
}

static void
load_and_use(const unsigned char *bundle, size_t len)
{
    const char *roots[1] = {root_key};
    hallmark_verifier *v = NULL, *again = NULL;
    hallmark_verification out;
    hallmark_message m;
    hallmark_error err;
    uint64_t serial = 0, serial2 = 0;
    hallmark_result rc;

    if (hallmark_verifier_new(&v, roots, 1) != HALLMARK_OK) {
        abort();
    }
    rc = hallmark_verifier_load_bundle(v, bundle, len, 0, VECTOR_NOW, &serial, &err);
    /* The detail names the same cause as the result (an allocation failure may leave none). */
    if ((rc != err.code && rc != HALLMARK_ERR_NOMEM) || err.message == NULL) {
        abort();
    }
    if (rc == HALLMARK_OK) {
        m.channel = "sms";
        m.from = "ACMEBANK";
        m.to = "+447700900123";
        m.body = (const unsigned char *)default_body;
        m.body_len = strlen(default_body);
        m.token = vector_token;
        m.token_len = strlen(vector_token);
        if (hallmark_verify(v, &m, VECTOR_NOW, &out) != out.code || out.detail == NULL) {
            abort();
        }
        /* The same bytes at their own serial are no rollback, and load the same way. */
        if (hallmark_verifier_new(&again, roots, 1) != HALLMARK_OK ||
            hallmark_verifier_load_bundle(again, bundle, len, serial, VECTOR_NOW, &serial2, NULL) !=
                HALLMARK_OK ||
            serial2 != serial) {
            abort();
        }
        hallmark_verifier_free(again);
    }
    hallmark_verifier_free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy;
    char *signed_bundle = NULL;

    if (publisher_key == NULL) {
        setup();
    }
    if (size > 0 && data[0] == '{') {
        if (hm_jws_sign_raw(publisher_key, bundle_header, sizeof bundle_header - 1,
                            (const char *)data, size, &signed_bundle) != HALLMARK_OK) {
            return 0;
        }
        load_and_use((const unsigned char *)signed_bundle, strlen(signed_bundle));
        free(signed_bundle);
        return 0;
    }
    /* An exact-size copy, without a terminator: the loader must keep to len. */
    copy = malloc(size > 0 ? size : 1);
    if (copy == NULL) {
        return 0;
    }
    if (size > 0) {
        memcpy(copy, data, size);
    }
    load_and_use(copy, size);
    free(copy);
    return 0;
}
