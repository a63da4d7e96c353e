#include "hm_secmem.h"

#include <sodium.h>
#include <string.h>

void *
hm_secret_alloc(size_t len)
{
    void *p;

    if (len == 0 || sodium_init() < 0) {
        return NULL;
    }
    p = sodium_malloc(len);
    if (p != NULL) {
        memset(p, 0, len);
    }
    return p;
}

void
hm_secret_free(void *p)
{
    sodium_free(p);
}

void
hm_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0) {
        sodium_memzero(p, len);
    }
}
