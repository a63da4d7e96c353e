#ifndef HM_STEM_SHARED_H
#define HM_STEM_SHARED_H

#include <stddef.h>
#include "hallmark.h"
#include "hm_text.h"

/* A memo of recipient stems (hm_recipient_stem, [HM-TOKEN-55]) shared by every thread of the
 * process, for a service whose requests reach any of its threads: each (channel, sender,
 * recipient) costs one Argon2id for the process instead of one per thread (issue 16: with
 * thread memos, serve's 2 threads ran about 2,000 Argon2id for the bench's 1,000 recipients).
 * entries is rounded up to a power of two (at most HM_STEM_MEMO_MAX); each costs 65 bytes of
 * guarded memory (hm_secret_alloc), wiped when released. A lookup takes a mutex for a memcmp;
 * the Argon2id runs outside it. HALLMARK_OK, HALLMARK_ERR_INVALID_ARGUMENT or
 * HALLMARK_ERR_NOMEM. Reserve it before the threads start and release it after they end. */
hallmark_result hm_stem_shared_reserve(size_t entries);
void hm_stem_shared_release(void);
/* hm_recipient_stem through the shared memo when one is reserved (else hm_recipient_stem). */
hallmark_result hm_stem_shared(const char *channel, const char *sender, const char *recipient,
                               unsigned char out[HM_SHA256_BYTES]);

#endif
