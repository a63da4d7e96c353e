/* The thread-safety contract of hallmark.h: many threads verify while another loads new bundles;
 * every verdict is exact, and nothing leaks or races (the ASan, valgrind and TSan runs). The
 * verifying threads run until the reloads end, so verifications overlap the snapshot swaps;
 * bounded in count either way. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "hm_key.h"
#include "hm_signkey.h"
#include "test.h"

#define THREADS 4
#define VERIFIES_MIN 200   /* per thread, even if the reloads are over before it starts */
#define VERIFIES_MAX 20000 /* per thread: the bound when the reloads take long */
#define RELOADS 100

struct shared {
    hallmark_verifier *v;
    const char *good, *forged; /* a valid token, and the same one with its signature changed */
    atomic_int reloading;      /* 1 while the main thread is still loading bundles */
    atomic_ulong done, during, wrong;
};

/* 1 if out is exactly the verdict of s->good: the brand's fields filled from the bundle. */
static int
exact_pass(const hallmark_verification *out, hallmark_result rc)
{
    return rc == HALLMARK_VERIFIED && out->code == HALLMARK_VERIFIED &&
           strcmp(out->brand_id, "acme-bank") == 0 && strcmp(out->display_name, "Acme Bank") == 0 &&
           strcmp(out->alg, "Ed25519") == 0 && out->ui == HALLMARK_UI_CHECKMARK;
}

/* 1 if out is exactly the forged token's verdict, with every brand field emptied although the
 * same struct held a pass just before. */
static int
exact_refusal(const hallmark_verification *out, hallmark_result rc)
{
    size_t i;
    int empty = out->action_count == 0;

    for (i = 0; i < HALLMARK_MAX_ACTIONS; i++) {
        empty &= out->actions[i].kind == HALLMARK_ACTION_UNKNOWN &&
                 out->actions[i].label[0] == '\0' && out->actions[i].url[0] == '\0';
    }
    return empty && rc == HALLMARK_BAD_SIGNATURE && out->code == HALLMARK_BAD_SIGNATURE &&
           strcmp(out->detail, "signature invalid") == 0 && out->brand_id[0] == '\0' &&
           out->display_name[0] == '\0' && out->logo_url[0] == '\0' && out->key_id[0] == '\0' &&
           out->alg[0] == '\0' && out->token_id[0] == '\0' && out->issued_at == 0 &&
           out->signed_domain[0] == '\0' && out->logo_width == 0 && out->signed_fields == 0;
}

static void *
verify_loop(void *arg)
{
    struct shared *s = arg;
    hallmark_message m = {.channel = "sms",
                          .from = "ACMEBANK",
                          .to = "+447700900123",
                          .body = (const unsigned char *)"hello",
                          .body_len = 5};
    hallmark_verification out;
    hallmark_result rc;
    unsigned long i, during = 0, wrong = 0;

    for (i = 0; i < VERIFIES_MAX && (i < VERIFIES_MIN || atomic_load(&s->reloading)); i++) {
        int busy = atomic_load(&s->reloading);

        m.token = i % 2 == 0 ? s->good : s->forged;
        m.token_len = strlen(m.token);
        rc = hallmark_verify(s->v, &m, FX_NOW, &out);
        wrong += i % 2 == 0 ? !exact_pass(&out, rc) : !exact_refusal(&out, rc);
        during += busy && atomic_load(&s->reloading);
    }
    atomic_fetch_add(&s->done, i);
    atomic_fetch_add(&s->during, during);
    atomic_fetch_add(&s->wrong, wrong);
    return NULL;
}

TEST(threads_verify_while_bundles_reload)
{
    struct fx fx;
    struct shared s;
    pthread_t th[THREADS];
    char *bundle, *good, *forged;
    json_t *c;
    uint64_t serial = 0;
    int i, started = 0, load_errors = 0;
    size_t dot;

    CHECK(fx_init(&fx) == 0);
    memset(&s, 0, sizeof s);
    atomic_init(&s.reloading, 1);
    atomic_init(&s.done, 0);
    atomic_init(&s.during, 0);
    atomic_init(&s.wrong, 0);
    CHECK_RC(fx_verifier(&s.v, fx.root_b64), HALLMARK_OK);
    bundle = fx_bundle(&fx, 1, FX_NOW + FX_DAY);
    CHECK_RC(fx_load(s.v, bundle, strlen(bundle), FX_NOW, &serial, NULL), HALLMARK_OK);
    free(bundle);
    c = fx_claims(&fx, "hello");
    good = fx_token(&fx, c);
    json_decref(c);
    forged = strdup(good);
    CHECK(good != NULL && forged != NULL);
    dot = strlen(forged) - 10; /* inside the signature: a different valid base64url character */
    forged[dot] = forged[dot] == 'A' ? 'B' : 'A';
    s.good = good;
    s.forged = forged;
    for (i = 0; i < THREADS; i++) {
        started += pthread_create(&th[i], NULL, verify_loop, &s) == 0;
    }
    for (i = 2; i < RELOADS + 2; i++) {
        bundle = fx_bundle(&fx, i, FX_NOW + FX_DAY);
        load_errors += fx_load(s.v, bundle, strlen(bundle), FX_NOW, &serial, NULL) != HALLMARK_OK;
        free(bundle);
    }
    atomic_store(&s.reloading, 0);
    for (i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
    }
    test_note("%lu verifies on %d threads, %lu of them during %d reloads: %lu wrong verdicts",
              atomic_load(&s.done), started, atomic_load(&s.during), RELOADS,
              atomic_load(&s.wrong));
    CHECK(started == THREADS);
    CHECK(load_errors == 0 && serial == RELOADS + 1);
    CHECK(atomic_load(&s.done) >= (unsigned long)THREADS * VERIFIES_MIN);
    CHECK(atomic_load(&s.wrong) == 0);
    hallmark_verifier_free(s.v);
    free(good);
    free(forged);
    fx_free(&fx);
}

/* ES256 keeps verification contexts per key, taken and given back without a lock: one key on
 * THREADS threads at once gives every verdict exactly. */
#define ES256_ROUNDS 150UL

struct es256_shared {
    const hm_pubkey *key;
    unsigned char msg[64], sig[HM_SIG_BYTES], forged[HM_SIG_BYTES];
    atomic_ulong wrong;
};

static void *
es256_loop(void *arg)
{
    struct es256_shared *s = arg;
    unsigned long i, wrong = 0;

    for (i = 0; i < 2UL * ES256_ROUNDS; i++) {
        hallmark_result rc = hm_pubkey_verify(s->key, s->msg, sizeof s->msg,
                                              i % 2 == 0 ? s->sig : s->forged, HM_SIG_BYTES);
        wrong += rc != (i % 2 == 0 ? HALLMARK_OK : HALLMARK_BAD_SIGNATURE);
    }
    atomic_fetch_add(&s->wrong, wrong);
    return NULL;
}

TEST(threads_es256_one_key_verifies_on_every_thread)
{
    struct es256_shared s;
    pthread_t th[THREADS];
    hm_signkey *sk = NULL;
    hm_pubkey key;
    int i, started = 0;

    memset(&s, 0, sizeof s);
    memset(&key, 0, sizeof key);
    atomic_init(&s.wrong, 0);
    memset(s.msg, 'm', sizeof s.msg);
    CHECK_RC(hm_signkey_generate(&sk, HM_ALG_ES256), HALLMARK_OK);
    CHECK_RC(hm_signkey_sign(sk, s.msg, sizeof s.msg, s.sig), HALLMARK_OK);
    CHECK_RC(hm_pubkey_from_raw(&key, HM_ALG_ES256, hm_signkey_public(sk)->raw,
                                hm_signkey_public(sk)->raw_len),
             HALLMARK_OK);
    memcpy(s.forged, s.sig, sizeof s.sig);
    s.forged[HM_SIG_BYTES - 1] ^= 1;
    s.key = &key;
    for (i = 0; i < THREADS; i++) {
        started += pthread_create(&th[i], NULL, es256_loop, &s) == 0;
    }
    for (i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
    }
    CHECK(started == THREADS);
    CHECK(atomic_load(&s.wrong) == 0);
    hm_pubkey_clear(&key);
    hm_signkey_free(sk);
}

/* ES256 signing keeps its contexts per key the same way (hm_evp_pool): one key signing on THREADS
 * threads at once makes signatures that all verify, on messages of each thread's own. About one
 * signature in 128 has an r or s shorter than 32 bytes in DER: a thousand of them exercise that
 * conversion too. */
#define ES256_SIGNS 256UL

struct es256_signing {
    hm_signkey *sk;
    atomic_ulong next, wrong;
};

static void *
es256_sign_loop(void *arg)
{
    struct es256_signing *s = arg;
    unsigned char msg[32], sig[HM_SIG_BYTES];
    unsigned long i, wrong = 0;

    for (i = 0; i < ES256_SIGNS; i++) {
        unsigned long n = atomic_fetch_add(&s->next, 1);

        memset(msg, 0, sizeof msg);
        memcpy(msg, &n, sizeof n);
        wrong += hm_signkey_sign(s->sk, msg, sizeof msg, sig) != HALLMARK_OK ||
                 hm_pubkey_verify(hm_signkey_public(s->sk), msg, sizeof msg, sig, sizeof sig) !=
                     HALLMARK_OK;
    }
    atomic_fetch_add(&s->wrong, wrong);
    return NULL;
}

TEST(threads_es256_one_key_signs_on_every_thread)
{
    struct es256_signing s;
    pthread_t th[THREADS];
    int i, started = 0;

    memset(&s, 0, sizeof s);
    atomic_init(&s.next, 0);
    atomic_init(&s.wrong, 0);
    CHECK_RC(hm_signkey_generate(&s.sk, HM_ALG_ES256), HALLMARK_OK);
    for (i = 0; i < THREADS; i++) {
        started += pthread_create(&th[i], NULL, es256_sign_loop, &s) == 0;
    }
    for (i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
    }
    CHECK(started == THREADS);
    CHECK(atomic_load(&s.next) == THREADS * ES256_SIGNS);
    CHECK(atomic_load(&s.wrong) == 0);
    hm_signkey_free(s.sk);
}
