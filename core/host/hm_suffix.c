/* The Public Suffix List through libpsl; the contract is in hm_suffix.h. */
#include "hm_suffix.h"

#include <libpsl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Where Debian's publicsuffix package puts the list when libpsl names no file of its own. */
#define DEBIAN_LIST "/usr/share/publicsuffix/public_suffix_list.dat"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static psl_ctx_t *list; /* written once under `once`, read-only afterwards */

const char *
hm_suffix_list_path(void)
{
    const char *env = getenv("HALLMARK_PUBLIC_SUFFIX_LIST");
    const char *dist = psl_dist_filename();

    if (env != NULL && env[0] != '\0') {
        return env;
    }
    return dist != NULL && dist[0] != '\0' ? dist : DEBIAN_LIST;
}

static void
load(void)
{
    list = psl_load_file(hm_suffix_list_path());
}

static const psl_ctx_t *
loaded(void)
{
    (void)pthread_once(&once, load);
    return list;
}

int
hm_suffix_is_public(const char *domain)
{
    const psl_ctx_t *psl = loaded();

    if (psl == NULL) {
        return -1;
    }
    return domain != NULL &&
           psl_is_public_suffix2(psl, domain, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE) != 0;
}

int
hm_suffix_is_tld(const char *label)
{
    const psl_ctx_t *psl = loaded();

    if (psl == NULL) {
        return -1;
    }
    return label != NULL && strchr(label, '.') == NULL &&
           psl_is_public_suffix2(psl, label, PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) != 0;
}
