#include "signer_consent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for the ledger keys of one request or pipe chunk, on the stack up to this many. */
#define ITEMS_ON_STACK 128

const char *
signer_consent_detail(hallmark_result rc)
{
    switch (rc) {
    case HALLMARK_ERR_RECIPIENT_OPTED_OUT:
        return "the recipient opted out of this brand's messages of this kind on this channel: "
               "not signed, do not send";
    case HALLMARK_ERR_VOLUME_CAP:
        return "the brand's volume cap for this category and recipient is reached: not signed; "
               "see reset";
    case HALLMARK_ERR_OPT_IN_REQUIRED:
        return "the brand's policy needs the recipient's opt-in for marketing, and there is "
               "none: not signed";
    default:
        return "consent cannot be checked now (the store is unavailable): not signed";
    }
}

struct keyed {
    char rcpt[HM_CONSENT_KEY_LEN + 1];
};

void
signer_consent_check(hm_store *store, const hm_consent_secret *secret, long long now,
                     struct consent_item *items, size_t n, size_t *unchecked)
{
    hm_admission stack_m[ITEMS_ON_STACK], *m = stack_m;
    struct keyed stack_k[ITEMS_ON_STACK], *k = stack_k;
    hallmark_result stack_v[ITEMS_ON_STACK], *v = stack_v;
    int64_t stack_r[ITEMS_ON_STACK], *reset = stack_r;
    size_t *where = NULL, stack_w[ITEMS_ON_STACK], i, count = 0;
    char err[512] = "";
    hallmark_result rc = HALLMARK_OK;

    if (n > ITEMS_ON_STACK) {
        m = calloc(n, sizeof *m);
        k = calloc(n, sizeof *k);
        v = calloc(n, sizeof *v);
        reset = calloc(n, sizeof *reset);
        where = calloc(n, sizeof *where);
        if (m == NULL || k == NULL || v == NULL || reset == NULL || where == NULL) {
            rc = HALLMARK_ERR_NOMEM;
        }
    } else {
        where = stack_w;
    }
    for (i = 0; rc == HALLMARK_OK && i < n; i++) {
        const hm_sign_request *r = items[i].req;
        unsigned cap_max;
        long long period;
        int opt_in;
        if (items[i].rc != HALLMARK_OK) {
            continue;
        }
        if (hm_consent_recipient(secret, r->channel, r->to, k[count].rcpt) != HALLMARK_OK ||
            !hm_signer_policy(items[i].s, r->brand, r->category, &cap_max, &period, &opt_in)) {
            /* Signed, so the brand and recipient were checked: this cannot happen. */
            items[i].rc = HALLMARK_ERR_INTERNAL;
            items[i].detail = "the consent key of this recipient cannot be made";
            items[i].field = "to";
            continue;
        }
        m[count] = (hm_admission){r->brand, k[count].rcpt, r->channel, r->category,
                                  opt_in,   cap_max,       period};
        where[count++] = i;
    }
    if (rc == HALLMARK_OK && count > 0) {
        rc = hm_store_admit(store, m, count, now, v, reset, err, sizeof err);
    }
    for (i = 0; i < count || (rc == HALLMARK_ERR_NOMEM && i < n); i++) {
        struct consent_item *it = rc == HALLMARK_ERR_NOMEM ? &items[i] : &items[where[i]];
        hallmark_result verdict = rc == HALLMARK_OK ? v[i] : HALLMARK_ERR_UNAVAILABLE;
        if (it->rc != HALLMARK_OK || verdict == HALLMARK_OK) {
            continue;
        }
        if (rc != HALLMARK_OK && strcmp(it->req->category, "otp") == 0) {
            if (unchecked != NULL) {
                (*unchecked)++; /* HM-CARRY-52: a code the customer asked for goes out */
            }
            continue;
        }
        it->rc = verdict;
        it->detail = signer_consent_detail(verdict);
        it->field = verdict == HALLMARK_ERR_UNAVAILABLE ? NULL : "to";
        it->reset = verdict == HALLMARK_ERR_VOLUME_CAP ? (long long)reset[i] : 0;
    }
    if (rc != HALLMARK_OK && rc != HALLMARK_ERR_NOMEM) {
        (void)fprintf(stderr, "hallmark-signer: consent: %s\n", err);
    }
    if (m != stack_m) {
        free(m);
        free(k);
        free(v);
        free(reset);
        free(where);
    }
}

int
signer_consent_open(const struct signer_opts *o, hm_consent_secret **out)
{
    char path[4200], err[1024];

    if (o->consent_secret != NULL) {
        (void)snprintf(path, sizeof path, "%s", o->consent_secret);
    } else {
        signer_beside_audit(o, "", "consent.key", path, sizeof path); /* made at the first start */
    }
    if (hm_consent_secret_load(path, o->consent_secret == NULL, out, err, sizeof err) !=
        HALLMARK_OK) {
        return signer_fail(EXIT_USAGE, "%s", err);
    }
    return 0;
}
