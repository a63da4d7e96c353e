#include "hm_evp_pool.h"

#include <stdatomic.h>
#include <stdlib.h>

#include <openssl/evp.h>

/* Two cores here, a few signing or verifying threads per process: four kept contexts cover them;
 * a fifth thread at the same instant pays one context made and freed, never a wait. */
#define POOL_SLOTS 4

struct hm_evp_pool {
    EVP_PKEY *pkey;
    hm_evp_pool_init_fn init;
    EVP_PKEY_CTX *_Atomic slot[POOL_SLOTS];
};

hm_evp_pool *
hm_evp_pool_new(EVP_PKEY *pkey, hm_evp_pool_init_fn init)
{
    hm_evp_pool *pool = pkey != NULL && init != NULL ? malloc(sizeof *pool) : NULL;
    size_t i;

    if (pool == NULL) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    pool->pkey = pkey;
    pool->init = init;
    for (i = 0; i < POOL_SLOTS; i++) {
        atomic_init(&pool->slot[i], NULL);
    }
    return pool;
}

EVP_PKEY_CTX *
hm_evp_pool_take(hm_evp_pool *pool)
{
    EVP_PKEY_CTX *ctx;
    size_t i;

    for (i = 0; i < POOL_SLOTS; i++) {
        if ((ctx = atomic_exchange(&pool->slot[i], NULL)) != NULL) {
            return ctx;
        }
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pool->pkey, NULL);
    if (ctx != NULL && pool->init(ctx) != 1) {
        EVP_PKEY_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

void
hm_evp_pool_give_back(hm_evp_pool *pool, EVP_PKEY_CTX *ctx)
{
    size_t i;

    for (i = 0; i < POOL_SLOTS; i++) {
        EVP_PKEY_CTX *empty = NULL;

        if (atomic_compare_exchange_strong(&pool->slot[i], &empty, ctx)) {
            return;
        }
    }
    EVP_PKEY_CTX_free(ctx);
}

void
hm_evp_pool_free(hm_evp_pool *pool)
{
    size_t i;

    if (pool == NULL) {
        return;
    }
    for (i = 0; i < POOL_SLOTS; i++) {
        EVP_PKEY_CTX_free(atomic_load(&pool->slot[i]));
    }
    EVP_PKEY_free(pool->pkey);
    free(pool);
}
