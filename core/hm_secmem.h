/* Memory for secrets: guarded sodium_malloc pages, locked where the OS allows, wiped on free.
 * Internal to Hallmark. Secrets never go to the ordinary heap, a json_t, a log or an error. */
#ifndef HM_SECMEM_H
#define HM_SECMEM_H

#include <stddef.h>

/* A zero-filled secret buffer of len bytes (len > 0), or NULL. Free with hm_secret_free. */
void *hm_secret_alloc(size_t len);

/* Wipes and frees a buffer from hm_secret_alloc. NULL is allowed. */
void hm_secret_free(void *p);

/* Wipes len bytes at p (never optimized away). NULL with len 0 is allowed. */
void hm_wipe(void *p, size_t len);

#endif
