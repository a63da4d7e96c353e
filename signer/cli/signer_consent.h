/* hallmark-signer: consent and volume caps before signing (spec §9.7), shared by the pipe mode
 * and the service. The decisions are the store's (hm_store_admit); this file builds the ledger
 * keys and the policy of each message, and applies HM-CARRY-52 when the store cannot answer. */
#ifndef SIGNER_CONSENT_H
#define SIGNER_CONSENT_H

#include <stddef.h>

#include "hm_consent.h"
#include "hm_signer.h"
#include "hm_store.h"
#include "signer_cli.h"

/* One signed message waiting for its consent check. rc is HALLMARK_OK on entry for a message to
 * check (others are skipped) and on return when it may go out; otherwise detail (static), field
 * and, for HALLMARK_ERR_VOLUME_CAP, reset (the time the next one would be admitted). */
struct consent_item {
    const hm_signer *s; /* the signing set the message was signed with (its brand's policy) */
    const hm_sign_request *req;
    hallmark_result rc;
    const char *detail, *field;
    long long reset;
};

/* Checks every item whose rc is HALLMARK_OK in one call to the store, at now (the items may come
 * from several requests, each with its own signing set). When the store cannot answer, an otp
 * message stays admitted, unchecked (HM-CARRY-52), and *unchecked (may be NULL) counts it; every
 * other message gets HALLMARK_ERR_UNAVAILABLE. */
void signer_consent_check(hm_store *store, const hm_consent_secret *secret, long long now,
                          struct consent_item *items, size_t n, size_t *unchecked);

/* Opens the consent secret: --consent-secret FILE, or consent.key beside the signature log
 * (made at the first start). 0, or the exit status after saying why. */
int signer_consent_open(const struct signer_opts *o, hm_consent_secret **out);

/* The detail of a refusal code (static). */
const char *signer_consent_detail(hallmark_result rc);

#endif
