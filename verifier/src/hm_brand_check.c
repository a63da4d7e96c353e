/* A brand entry's check on first use (spec §6.6 [HM-BUNDLE-110]): its credential's signature by
 * the bundle's publishing key and the point check of each of its keys, run when a verification
 * first needs the brand rather than for every brand at load, and carried over to the next bundle
 * for an entry whose checked bytes did not change. */
#include <string.h>

#include "hm_bundle.h"

static unsigned
check_now(const hm_trust *t, const hm_brand *b)
{
    size_t i;

    for (i = 0; i < b->key_total; i++) {
        if (!hm_pubkey_point_ok(&t->keys[t->brand_keys[b->first_key + i]].pub)) {
            return HM_CHECK_BAD_KEY;
        }
    }
    if (b->cred_sig_len != HM_SIG_BYTES ||
        hm_pubkey_verify(&t->publisher_key, (const unsigned char *)b->cred_input, b->cred_input_len,
                         b->cred_sig, b->cred_sig_len) != HALLMARK_OK) {
        return HM_CHECK_BAD_CREDENTIAL;
    }
    return HM_CHECK_OK;
}

static hallmark_result
check_result(unsigned check)
{
    switch (check) {
    case HM_CHECK_OK:
        return HALLMARK_OK;
    case HM_CHECK_BAD_KEY:
        return HALLMARK_BUNDLE_MALFORMED;
    default:
        return HALLMARK_BUNDLE_BAD_SIGNATURE;
    }
}

/* Threads that find a brand unchecked at once each run the check; it is a pure function of the
 * snapshot's immutable bytes, so they all store the same value and none waits for another. */
hallmark_result
hm_trust_brand_check(const hm_trust *t, size_t brand)
{
    unsigned char check = __atomic_load_n(&t->checks[brand], __ATOMIC_ACQUIRE);

    if (check == HM_CHECK_UNKNOWN) {
        check = (unsigned char)check_now(t, &t->brands[brand]);
        __atomic_store_n(&t->checks[brand], check, __ATOMIC_RELEASE);
    }
    return check_result(check);
}

/* Every key's point check before any credential's signature: the order of steps 4 and 9. */
hallmark_result
hm_trust_check_all(const hm_trust *t)
{
    size_t i;

    for (i = 0; i < t->key_count; i++) {
        if (!hm_pubkey_point_ok(&t->keys[i].pub)) {
            return HALLMARK_BUNDLE_MALFORMED;
        }
    }
    for (i = 0; i < t->brand_count; i++) {
        hallmark_result rc = hm_trust_brand_check(t, i);
        if (rc != HALLMARK_OK) {
            return rc;
        }
    }
    return HALLMARK_OK;
}

/* 1 when brand entry a of t and b of p were checked over the same bytes: the credential's
 * signing input and signature, the publishing key, and the same keys in the same order. */
static int
same_check(const hm_trust *t, const hm_brand *a, const hm_trust *p, const hm_brand *b)
{
    size_t i;

    if (a->cred_input_len != b->cred_input_len || a->cred_sig_len != b->cred_sig_len ||
        a->key_total != b->key_total ||
        memcmp(t->publisher_key.raw, p->publisher_key.raw, HM_ED25519_PUBLIC_BYTES) != 0 ||
        memcmp(a->cred_sig, b->cred_sig, a->cred_sig_len) != 0 ||
        (a->cred_input != b->cred_input && /* shared by a reload's copy: the same bytes */
         memcmp(a->cred_input, b->cred_input, a->cred_input_len) != 0)) {
        return 0;
    }
    for (i = 0; i < a->key_total; i++) {
        const hm_pubkey *x = &t->keys[t->brand_keys[a->first_key + i]].pub;
        const hm_pubkey *y = &p->keys[p->brand_keys[b->first_key + i]].pub;
        if (x->alg != y->alg || x->raw_len != y->raw_len ||
            memcmp(x->raw, y->raw, x->raw_len) != 0) {
            return 0;
        }
    }
    return 1;
}

void
hm_trust_carry_checks(hm_trust *t, const hm_trust *p)
{
    size_t i;

    for (i = 0; p != NULL && i < t->brand_count; i++) {
        long j = hm_trust_brand_index(p, t->brands[i].id, strlen(t->brands[i].id));
        unsigned char check;

        if (j < 0) {
            continue;
        }
        check = __atomic_load_n(&p->checks[j], __ATOMIC_ACQUIRE);
        if (check != HM_CHECK_UNKNOWN && same_check(t, &t->brands[i], p, &p->brands[j])) {
            t->checks[i] = check;
        }
    }
}
