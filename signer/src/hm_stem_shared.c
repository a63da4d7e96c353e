/* The process-wide memo of recipient stems (hm_stem_shared.h): direct-mapped by a BLAKE2b of the
 * stem's exact inputs, under one mutex. */
#include "hm_stem_shared.h"
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include "hm_secmem.h"

struct shared_slot {
    unsigned char key[HM_SHA256_BYTES];
    unsigned char stem[HM_SHA256_BYTES];
    unsigned char used; /* 1 once a stem is kept here */
};

static struct {
    pthread_mutex_t lock;
    struct shared_slot *slots; /* hm_secret_alloc (zero-filled); NULL: none */
    size_t mask;
} shared = {PTHREAD_MUTEX_INITIALIZER, NULL, 0};

void
hm_stem_shared_release(void)
{
    hm_secret_free(shared.slots); /* wiped */
    shared.slots = NULL;
    shared.mask = 0;
}

hallmark_result
hm_stem_shared_reserve(size_t entries)
{
    size_t n = 1; /* the power of two at or above entries: above the maximum if entries is */

    while (n < entries && n <= HM_STEM_MEMO_MAX) {
        n <<= 1;
    }
    if (entries == 0 || n > HM_STEM_MEMO_MAX) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    hm_stem_shared_release();
    shared.slots = hm_secret_alloc(n * sizeof *shared.slots);
    shared.mask = shared.slots != NULL ? n - 1 : 0;
    return shared.slots != NULL ? HALLMARK_OK : HALLMARK_ERR_NOMEM;
}

/* The slot key: BLAKE2b-256 of channel 0 sender 0 recipient 0. */
static void
slot_key(const char *channel, const char *sender, const char *recipient,
         unsigned char key[HM_SHA256_BYTES])
{
    const char *part[3] = {channel, sender, recipient};
    crypto_generichash_blake2b_state st;
    size_t i;

    (void)crypto_generichash_blake2b_init(&st, NULL, 0, HM_SHA256_BYTES);
    for (i = 0; i < 3; i++) {
        (void)crypto_generichash_blake2b_update(&st, (const unsigned char *)part[i],
                                                strlen(part[i]) + 1);
    }
    (void)crypto_generichash_blake2b_final(&st, key, HM_SHA256_BYTES);
}

hallmark_result
hm_stem_shared(const char *channel, const char *sender, const char *recipient,
               unsigned char out[HM_SHA256_BYTES])
{
    unsigned char key[HM_SHA256_BYTES];
    hallmark_result rc;
    uint64_t at;
    size_t i;
    int found = 0;

    if (shared.slots == NULL || channel == NULL || sender == NULL || recipient == NULL) {
        return hm_recipient_stem(channel, sender, recipient, out);
    }
    slot_key(channel, sender, recipient, key);
    memcpy(&at, key, sizeof at);
    i = (size_t)(at & shared.mask);
    (void)pthread_mutex_lock(&shared.lock);
    if (shared.slots[i].used && sodium_memcmp(shared.slots[i].key, key, sizeof key) == 0) {
        memcpy(out, shared.slots[i].stem, HM_SHA256_BYTES);
        found = 1;
    }
    (void)pthread_mutex_unlock(&shared.lock);
    sodium_memzero(&at, sizeof at);
    if (found) {
        sodium_memzero(key, sizeof key);
        return HALLMARK_OK;
    }
    /* Two threads missing one recipient at once both compute it: the same stem, kept twice. */
    if ((rc = hm_recipient_stem(channel, sender, recipient, out)) == HALLMARK_OK) {
        (void)pthread_mutex_lock(&shared.lock);
        memcpy(shared.slots[i].key, key, sizeof key);
        memcpy(shared.slots[i].stem, out, HM_SHA256_BYTES);
        shared.slots[i].used = 1;
        (void)pthread_mutex_unlock(&shared.lock);
    }
    sodium_memzero(key, sizeof key);
    return rc;
}
