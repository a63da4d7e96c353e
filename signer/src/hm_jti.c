#include "hm_jti.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#define POOL_IDS 256

struct pool {
    unsigned char bytes[POOL_IDS * HM_JTI_BYTES];
    size_t next;              /* ids handed out since the last fill; POOL_IDS: empty */
    unsigned long generation; /* the fork generation it was filled in */
};

static _Thread_local struct pool pool = {{0}, POOL_IDS, 0};
/* Bumped in every child process: a pool filled before the fork is never drawn from after it. */
static unsigned long fork_generation = 1;
static pthread_once_t at_fork_once = PTHREAD_ONCE_INIT;

static void
after_fork_in_child(void)
{
    __atomic_add_fetch(&fork_generation, 1, __ATOMIC_RELAXED);
}

static void
register_at_fork(void)
{
    (void)pthread_atfork(NULL, NULL, after_fork_in_child);
}

static void
fill(struct pool *p, unsigned long generation)
{
    unsigned char seed[randombytes_SEEDBYTES];

    randombytes_buf(seed, sizeof seed);
    randombytes_buf_deterministic(p->bytes, sizeof p->bytes, seed);
    sodium_memzero(seed, sizeof seed);
    p->next = 0;
    p->generation = generation;
}

void
hm_jti_random(unsigned char out[HM_JTI_BYTES])
{
    unsigned long generation;
    unsigned char *at;

    (void)pthread_once(&at_fork_once, register_at_fork);
    generation = __atomic_load_n(&fork_generation, __ATOMIC_RELAXED);
    if (pool.next == POOL_IDS || pool.generation != generation) {
        fill(&pool, generation);
    }
    at = pool.bytes + pool.next * HM_JTI_BYTES;
    memcpy(out, at, HM_JTI_BYTES);
    sodium_memzero(at, HM_JTI_BYTES);
    pool.next++;
}

void
hm_jti_pool_wipe(void)
{
    sodium_memzero(pool.bytes, sizeof pool.bytes);
    pool.next = POOL_IDS;
}
