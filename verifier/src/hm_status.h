/* The status object (spec §6.9): a small JWS, signed by the publishing key of the bundle in force,
 * that names that bundle and the keys and brands revoked since it was published, and expires
 * within a day. Loading it checks the signature over the exact received bytes before any member
 * of the payload is read (verify before parsing, [HM-BUNDLE-87]). A loaded status is immutable
 * and shared by verifications, as an hm_trust is. */
#ifndef HM_STATUS_H
#define HM_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "hallmark.h"
#include "hm_bundle.h"

/* [HM-BUNDLE-87] step 3: the largest status, in bytes. */
#define HM_STATUS_MAX ((size_t)256 * 1024)
/* The longest status lifetime, exp - iat ([HM-TRUST-70]). */
#define HM_STATUS_LIFETIME_MAX 86400LL
/* The most ids in each of revoked_keys and revoked_brands. */
#define HM_STATUS_IDS_MAX 4096U

typedef struct hm_status {
    long long iat, exp;
    char **keys; /* revoked key ids, sorted (strcmp), owned */
    size_t key_count;
    char **brands; /* revoked brand ids, sorted (strcmp), owned */
    size_t brand_count;
} hm_status;

/*
 * Loads status bytes for the bundle in force t (§6.9 [HM-BUNDLE-87] steps 3-8): platform is the
 * pinned platform id, floor the status floor (the persisted state's or the verifier's, whichever
 * is higher). *out receives a new hm_status owned by the caller (hm_status_free) on HALLMARK_OK.
 * Returns HALLMARK_OK, HALLMARK_STATUS_INVALID, HALLMARK_STATUS_OTHER_BUNDLE,
 * HALLMARK_STATUS_ROLLBACK, HALLMARK_STATUS_STALE or HALLMARK_ERR_NOMEM; err (may be NULL) gets a
 * static detail on failure.
 */
hallmark_result hm_status_load(const hm_trust *t, const char *platform, const unsigned char *bytes,
                               size_t len, long long floor, int64_t now, hm_status **out,
                               hallmark_error *err);

/* 1 if the status lists this key id (kid_len bytes) in revoked_keys; 0 also for a NULL status. */
int hm_status_revokes_key(const hm_status *st, const char *kid, size_t kid_len);

/* 1 if the status lists this brand id in revoked_brands; 0 also for a NULL status. */
int hm_status_revokes_brand(const hm_status *st, const char *brand);

void hm_status_free(hm_status *st);

#endif
