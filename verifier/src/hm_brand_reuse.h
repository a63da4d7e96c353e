/* A reload's brand entries taken from the bundle held (spec §6.6 [HM-BUNDLE-114]): an element of
 * "brands" byte for byte equal to one of the previous bundle's gives the brand that element gave
 * there, so it is copied rather than parsed again. */
#ifndef HM_BRAND_REUSE_H
#define HM_BRAND_REUSE_H

#include "hm_bundle.h"

/* The previous bundle's brand entries by the SHA-256 of their bytes (hm_trust.entry_digests). */
typedef struct hm_entry_index {
    const hm_trust *trust; /* borrowed */
    size_t *slots;         /* owned: brand index + 1; 0 is empty */
    size_t mask;
} hm_entry_index;

/* 1 with the index built (or empty when trust is NULL or kept no digests), 0 out of memory. */
int hm_entry_index_init(hm_entry_index *index, const hm_trust *trust);

/* The brand of index->trust whose entry bytes have this digest, or -1. */
long hm_entry_index_find(const hm_entry_index *index, const unsigned char digest[HM_SHA256_BYTES]);

void hm_entry_index_clear(hm_entry_index *index);

/* 1 when brand b of p can be copied: none of its keys holds an OpenSSL handle (ES256). */
int hm_brand_copyable(const hm_trust *p, size_t b);

/*
 * Copies brand b of p into t as brand i, and its keys after t's first t->key_count (room for
 * them is the caller's): as parsing the same entry bytes would give, with revoked, first_key and
 * key_total left for the load to set. HALLMARK_OK or HALLMARK_ERR_NOMEM; what was copied is t's
 * either way (hm_trust_free).
 */
hallmark_result hm_brand_copy(hm_trust *t, size_t i, const hm_trust *p, size_t b);

#endif
