/* What the fuzz harnesses take from the vectors (tests/vectors/gen_vectors.c): its clock, the
 * pinned root, the fixed key seeds, and vector 001's message and token, so that each harness
 * can build valid inputs around the part it fuzzes. Header-only: each harness is one file. */
#ifndef FUZZ_VECTOR_FIXTURE_H
#define FUZZ_VECTOR_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "hm_signkey.h"

#define VECTOR_NOW 1795597200LL

/* The generator's seeds: every byte of the secret is this value. */
#define VECTOR_ROOT_SEED 1
#define VECTOR_PUBLISHER_SEED 2
#define VECTOR_ACME_KEY_SEED 3

static const char vector_root[] = "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w";
static const char vector_publisher_kid[] = "aVBtapLd11SUVKIMGJfPzOEDuN0sXcmzJQNVT-_sKEU";
static const char vector_body[] = "Acme Bank: your card ending 4242 was charged \xc2\xa3"
                                  "10.00 at Acme Store.";
/* The token of vector 001 (acme-bank, sms from ACMEBANK). */
static const char vector_token[] =
    "eyJhbGciOiJFZDI1NTE5IiwidHlwIjoiaGFsbG1hcmstbXNnK2p3dCIsImtpZCI6Im5SSUUyVm1LZE1qTDFKRDd0"
    "YlY3ZlhWZ1h4bXYwR0tuTUZXUlVKTVRmOVEifQ.eyJpc3MiOiJhY21lLWJhbmsiLCJpYXQiOjE3OTU1OTcxNDAsI"
    "mV4cCI6MTc5NTY4MzU0MCwianRpIjoidjAwMSIsImNoYW5uZWwiOiJzbXMiLCJmcm9tIjoiQUNNRUJBTksiLCJyY"
    "3B0IjoibWFmVkN3MWNBczFyQkVzdTg3cW1tU2NleXNKR0t4X3o1X29ySWljLTNYWSIsImJvZHkiOiIwUVdBakhRW"
    "WhyYWxpVDZEZ3hxVHY1RHJqb2lGNG5CQ2hiZEpPdGxOdC04IiwiY3JlZCI6Im1OUUxaRU5FdmxienZZa1ZfUEd3Z"
    "WFJQlEwXzNCMk9iS25zR1ZVaXhNbjgiLCJjYXRlZ29yeSI6InRyYW5zYWN0aW9uYWwiLCJzZW5kZXIiOnsia2luZ"
    "CI6ImF1dG9tYXRlZCJ9fQ.N4X2jesPRgAQ93JDIw9kBRwJhkmV3tCJ1uB7xnqXXw99PvEZCOBh48DSsFstNF-yFx"
    "ZHdaSnCXIrFlkYGlMyCw";

/* The Ed25519 key of one of the generator's seeds; aborts if it cannot be made. */
static inline hm_signkey *
vector_key(unsigned char fill)
{
    unsigned char seed[HM_SECRET_BYTES];
    hm_signkey *k = NULL;

    memset(seed, fill, sizeof seed);
    if (hm_signkey_from_secret(&k, HM_ALG_ED25519, seed, sizeof seed) != HALLMARK_OK) {
        abort();
    }
    return k;
}

#endif
