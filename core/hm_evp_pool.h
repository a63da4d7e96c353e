/* OpenSSL key contexts made ready once and kept, per key: ES256 verification (hm_es256.c) and
 * ES256 signing (core/sign/hm_signkey.c) share this pool. A context serves one operation at a
 * time, so each thread takes one out of a slot (an atomic exchange, no lock) and gives it back
 * after; a thread that finds every slot empty makes one, and frees it if every slot is full
 * again. Only where the build links OpenSSL (not with VERIFIER_ES256=0). Internal to Hallmark. */
#ifndef HM_EVP_POOL_H
#define HM_EVP_POOL_H

#include <openssl/types.h>

typedef struct hm_evp_pool hm_evp_pool;

/* What makes a new context ready for the pool's operation: EVP_PKEY_verify_init or
 * EVP_PKEY_sign_init (1 on success, as they return). */
typedef int (*hm_evp_pool_init_fn)(EVP_PKEY_CTX *ctx);

/* A pool for pkey, whose reference it steals, even on failure (NULL: out of memory). Contexts
 * are made on first use. */
hm_evp_pool *hm_evp_pool_new(EVP_PKEY *pkey, hm_evp_pool_init_fn init);

/* A context ready for the operation, owned by the caller until hm_evp_pool_give_back; NULL when
 * OpenSSL cannot make one (its error queue then holds why). Thread-safe. */
EVP_PKEY_CTX *hm_evp_pool_take(hm_evp_pool *pool);

/* Returns ctx (from hm_evp_pool_take on the same pool) after one operation. Thread-safe. */
void hm_evp_pool_give_back(hm_evp_pool *pool, EVP_PKEY_CTX *ctx);

/* Frees the contexts and the key; no thread may use the pool any more. NULL is allowed. */
void hm_evp_pool_free(hm_evp_pool *pool);

#endif
