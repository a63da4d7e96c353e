/* The thread-safety contract of hallmark.h: many threads verify while another loads new bundles;
 * no verify fails and nothing leaks (ASan/valgrind runs). Bounded in count. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "test.h"

#define THREADS 4
#define VERIFIES_PER_THREAD 300
#define RELOADS 40

struct shared {
    hallmark_verifier *v;
    const char *token;
    int failures;
    pthread_mutex_t lock;
};

static void *
verify_loop(void *arg)
{
    struct shared *s = arg;
    hallmark_message m = {.channel = "sms",
                          .from = "ACMEBANK",
                          .to = "+447700900123",
                          .body = (const unsigned char *)"hello",
                          .body_len = 5,
                          .token = s->token,
                          .token_len = strlen(s->token)};
    hallmark_verification out;
    int i, bad = 0;

    for (i = 0; i < VERIFIES_PER_THREAD; i++) {
        bad += hallmark_verify(s->v, &m, FX_NOW, &out) != HALLMARK_VERIFIED;
    }
    pthread_mutex_lock(&s->lock);
    s->failures += bad;
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

TEST(threads_verify_while_bundles_reload)
{
    struct fx fx;
    struct shared s;
    pthread_t th[THREADS];
    const char *roots[1];
    char *bundle, *token;
    json_t *c;
    uint64_t serial = 0;
    int i, load_errors = 0;

    CHECK(fx_init(&fx) == 0);
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.lock, NULL);
    roots[0] = fx.root_b64;
    CHECK_RC(fx_verifier(&s.v, roots[0]), HALLMARK_OK);
    bundle = fx_bundle(&fx, 1, FX_NOW + FX_DAY);
    CHECK_RC(fx_load(s.v, bundle, strlen(bundle), FX_NOW, &serial, NULL), HALLMARK_OK);
    free(bundle);
    c = fx_claims(&fx, "hello");
    token = fx_token(&fx, c);
    json_decref(c);
    s.token = token;
    for (i = 0; i < THREADS; i++) {
        CHECK(pthread_create(&th[i], NULL, verify_loop, &s) == 0);
    }
    for (i = 2; i < RELOADS + 2; i++) {
        bundle = fx_bundle(&fx, i, FX_NOW + FX_DAY);
        load_errors += fx_load(s.v, bundle, strlen(bundle), FX_NOW, &serial, NULL) != HALLMARK_OK;
        free(bundle);
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
    }
    test_note("%d verifies on %d threads during %d reloads: %d failed",
              THREADS * VERIFIES_PER_THREAD, THREADS, RELOADS, s.failures);
    CHECK(load_errors == 0 && serial == RELOADS + 1);
    CHECK(s.failures == 0);
    hallmark_verifier_free(s.v);
    pthread_mutex_destroy(&s.lock);
    free(token);
    fx_free(&fx);
}
