/* The process-wide memo of recipient stems (hm_stem_shared.h): a stem computed on one thread is
 * answered on another without the Argon2id, equal to hm_recipient_stem's; released, it is
 * computed again; sizes outside 1..HM_STEM_MEMO_MAX are refused. */
#include <pthread.h>
#include <string.h>

#include "hm_stem_shared.h"
#include "test.h"

struct probe {
    const char *to;
    unsigned char stem[32];
    unsigned long computed; /* Argon2id runs on the probe's own thread */
    hallmark_result rc;
};

static void *
probe_main(void *arg)
{
    struct probe *p = arg;

    p->rc = hm_stem_shared("sms", "SHAREDTEST", p->to, p->stem);
    p->computed = hm_stem_computed();
    return NULL;
}

static void
probe_on_a_thread(struct probe *p)
{
    pthread_t th;

    CHECK(pthread_create(&th, NULL, probe_main, p) == 0);
    pthread_join(th, NULL);
}

TEST(stem_shared_memo_answers_every_thread)
{
    static const char *const to[3] = {"+447700900801", "+447700900802", "+447700900803"};
    unsigned char want[3][32], got[32];
    struct probe p;
    size_t i;

    CHECK_RC(hm_stem_shared_reserve(0), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_stem_shared_reserve((size_t)HM_STEM_MEMO_MAX + 1), HALLMARK_ERR_INVALID_ARGUMENT);
    CHECK_RC(hm_stem_shared_reserve(16), HALLMARK_OK);
    for (i = 0; i < 3; i++) {
        CHECK_RC(hm_recipient_stem("sms", "SHAREDTEST", to[i], want[i]), HALLMARK_OK);
        CHECK_RC(hm_stem_shared("sms", "SHAREDTEST", to[i], got), HALLMARK_OK);
        CHECK(memcmp(got, want[i], 32) == 0);
    }
    for (i = 0; i < 3; i++) {
        memset(&p, 0, sizeof p);
        p.to = to[i];
        probe_on_a_thread(&p);
        CHECK_RC(p.rc, HALLMARK_OK);
        CHECK(memcmp(p.stem, want[i], 32) == 0);
        CHECK(p.computed == 0);
    }
    hm_stem_shared_release();
    hm_stem_shared_release(); /* twice is harmless */
    memset(&p, 0, sizeof p);
    p.to = to[0];
    probe_on_a_thread(&p);
    CHECK_RC(p.rc, HALLMARK_OK);
    CHECK(memcmp(p.stem, want[0], 32) == 0);
    CHECK(p.computed == 1);
}
