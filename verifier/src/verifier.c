/* The public verifier: pinned roots, the bundle in force as a refcounted immutable snapshot, and
 * the verification steps of spec §7.2 in order (first failure wins). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "hallmark.h"
#include "hm_b64url.h"
#include "hm_bundle.h"
#include "hm_claims.h"
#include "hm_digest.h"
#include "hm_ids.h"
#include "hm_json.h"
#include "hm_jws.h"
#include "hm_status.h"
#include "hm_text.h"

#define TOKEN_MAX 8192U

/* Ids the caller's lengths say hold a zero byte ([HM-ID-7], hallmark_verify_sized): valid for no
 * channel, like any id with a C0 control, so they fail at their step and are never cut. */
#define FROM_CUT 1U
#define TO_CUT 2U

/* What verifications read: a bundle and, once one is loaded for it, its status (§6.9). A status
 * load makes a new snapshot that borrows the bundle of a base snapshot (parent) and holds a
 * reference to it, so a bundle is freed with the last snapshot that reads it. */
struct snapshot {
    hm_trust *trust;         /* owned when parent is NULL, else parent's */
    hm_status *status;       /* owned; NULL: no status for this bundle */
    struct snapshot *parent; /* the bundle's own snapshot (never itself a status snapshot) */
    long long clock_floor;   /* [HM-VERIFY-62]: the newest time the platform signed */
    atomic_ulong refs;       /* the verifier's current pointer, readers, and child snapshots */
};

/*
 * A verification takes no lock: it pins the current snapshot with atomic operations only, and
 * loads (serialized by load_lock) swap it. The classic race is a reader that loads the pointer,
 * stalls, and increments the count of a snapshot the swap has meanwhile freed. It is closed by a
 * short entry window counted per epoch parity (a two-phase grace period, as in SRCU):
 *
 *   reader (snapshot_acquire)             writer (publish, under load_lock)
 *   r1  e = epoch                         w1  old = exchange(current, fresh)
 *   r2  entering[e & 1] += 1              w2  epoch += 1; wait until entering[old parity] == 0
 *   r3  s = current                       w3  epoch += 1; wait until entering[other parity] == 0
 *   r4  s->refs += 1                      w4  drop the reference current held on old
 *   r5  entering[e & 1] -= 1
 *
 * All are sequentially consistent. A reader that read old at r3 did r3 before w1, so its r2 too.
 * w2 and w3 each read, after w1, a zero in one of the two counters; a zero read after that r2
 * includes the reader's r5 (a count is the number of readers between r2 and r5 in that
 * counter's modification order), and r4 is sequenced before r5, so the reader's reference is
 * on old before w4 drops the writer's: old outlives every reader that found it. The flips keep
 * the writer from waiting forever: after w2's flip, readers that read the new epoch enter the
 * other counter, so the one w2 waits on only drains (of the few readers that read the epoch
 * just before the flip); w3 does the same for the other counter. The wait covers only r2-r5, a
 * few instructions, never a verification.
 */
struct hallmark_verifier {
    hm_anchor anchor;          /* the app's pins: platform id, root set, threshold */
    pthread_mutex_t load_lock; /* serializes loads (the only writers of current), and guards
                                  status_floor */
    struct snapshot *_Atomic current;
    atomic_ulong epoch;
    atomic_ulong entering[2];
    long long status_floor; /* the newest status iat accepted in this process ([HM-BUNDLE-89]) */
};

size_t
hallmark_trust_state_max(void)
{
    return HALLMARK_TRUST_STATE_MAX;
}

hallmark_result
hallmark_verifier_create(hallmark_verifier **out, const char *platform, const char *const *roots,
                         size_t root_count, size_t threshold)
{
    hallmark_verifier *v;
    hallmark_result rc;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (platform == NULL || roots == NULL || root_count == 0) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (hm_crypto_init() != HALLMARK_OK) {
        return HALLMARK_ERR_INTERNAL;
    }
    v = calloc(1, sizeof *v);
    if (v == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    atomic_init(&v->current, NULL);
    atomic_init(&v->epoch, 0);
    atomic_init(&v->entering[0], 0);
    atomic_init(&v->entering[1], 0);
    rc = hm_anchor_init(&v->anchor, platform, roots, root_count, threshold);
    if (rc != HALLMARK_OK) {
        hm_anchor_clear(&v->anchor);
        free(v);
        return rc;
    }
    if (pthread_mutex_init(&v->load_lock, NULL) != 0) {
        hm_anchor_clear(&v->anchor);
        free(v);
        return HALLMARK_ERR_INTERNAL;
    }
    *out = v;
    return HALLMARK_OK;
}

hallmark_result
hallmark_verifier_new(hallmark_verifier **out, const char *const *roots, size_t root_count)
{
    (void)roots;
    (void)root_count;
    if (out != NULL) {
        *out = NULL;
    }
    return HALLMARK_ERR_API_REPLACED;
}

static void
snapshot_release(struct snapshot *s)
{
    while (s != NULL) {
        struct snapshot *parent = s->parent;

        /* acq_rel: every other holder's reads of s happen before the free below (an acquire
         * on the last release rather than a fence, which ThreadSanitizer does not model). */
        if (atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1) {
            return;
        }
        hm_status_free(s->status);
        if (parent == NULL) {
            hm_trust_free(s->trust);
        }
        free(s);
        s = parent; /* the reference s held on its bundle's snapshot */
    }
}

/* r1-r5 of the protocol above: the current snapshot with a reference, or NULL. */
static struct snapshot *
snapshot_acquire(hallmark_verifier *v)
{
    atomic_ulong *entering = &v->entering[atomic_load(&v->epoch) & 1U];
    struct snapshot *s;

    atomic_fetch_add(entering, 1);
    s = atomic_load(&v->current);
    if (s != NULL) {
        atomic_fetch_add(&s->refs, 1);
    }
    atomic_fetch_sub(entering, 1);
    return s;
}

/* Waits until no reader is inside r2-r5 on parity e (see above). */
static void
drain(hallmark_verifier *v, unsigned long e)
{
    while (atomic_load(&v->entering[e & 1U]) != 0) {
        (void)sched_yield();
    }
}

/* w1-w4 of the protocol above, under load_lock: fresh (holding one reference, the one current
 * will hold) becomes current. */
static void
snapshot_publish(hallmark_verifier *v, struct snapshot *fresh)
{
    struct snapshot *old = atomic_exchange(&v->current, fresh);

    drain(v, atomic_fetch_add(&v->epoch, 1));
    drain(v, atomic_fetch_add(&v->epoch, 1));
    snapshot_release(old);
}

void
hallmark_verifier_free(hallmark_verifier *v)
{
    if (v == NULL) {
        return;
    }
    snapshot_release(atomic_load(&v->current));
    hm_anchor_clear(&v->anchor);
    pthread_mutex_destroy(&v->load_lock);
    free(v);
}

static hallmark_result
load_fail(hallmark_error *err, hallmark_result code, const char *message)
{
    if (err != NULL) {
        err->code = code;
        err->message = message;
        err->field = NULL;
    }
    return code;
}

/* What a bundle load and a status load check first, alike: the arguments, the room for the next
 * state, and the persisted state (read into *persisted); err is reset. */
static hallmark_result
load_begin(const hallmark_verifier *v, const unsigned char *input, int64_t now,
           const unsigned char *state, size_t state_len, const unsigned char *state_out,
           size_t state_out_cap, const size_t *state_out_len, hallmark_error *err,
           hm_trust_state *persisted)
{
    hallmark_result rc;

    if (err != NULL) {
        err->code = HALLMARK_OK;
        err->message = "";
        err->field = NULL;
    }
    if (v == NULL || input == NULL || now < 0 || (state == NULL && state_len > 0) ||
        state_out == NULL || state_out_len == NULL) {
        return load_fail(err, HALLMARK_ERR_INVALID_ARGUMENT, "missing argument");
    }
    if (state_out_cap < HALLMARK_TRUST_STATE_MAX) {
        return load_fail(err, HALLMARK_ERR_BUFFER_TOO_SMALL,
                         "state_out_cap is below HALLMARK_TRUST_STATE_MAX");
    }
    rc = hm_trust_state_read(&v->anchor, state, state_len, persisted);
    if (rc != HALLMARK_OK) {
        return load_fail(err, rc, "the persisted trust state is not one this library wrote");
    }
    return HALLMARK_OK;
}

hallmark_result
hallmark_verifier_load_bundle(hallmark_verifier *v, const unsigned char *bundle, size_t len,
                              uint64_t last_serial, int64_t now, uint64_t *serial_out,
                              hallmark_error *err)
{
    (void)v;
    (void)bundle;
    (void)len;
    (void)last_serial;
    (void)now;
    (void)serial_out;
    return load_fail(err, HALLMARK_ERR_API_REPLACED,
                     "hallmark_verifier_load_bundle cannot carry the trust state: use "
                     "hallmark_verifier_load (spec 6.8)");
}

hallmark_result
hallmark_verifier_load(hallmark_verifier *v, const unsigned char *bundle, size_t len,
                       const unsigned char *state, size_t state_len, int64_t now,
                       unsigned char *state_out, size_t state_out_cap, size_t *state_out_len,
                       hallmark_error *err)
{
    hm_trust *trust = NULL;
    struct snapshot *fresh, *old;
    hm_trust_state persisted, held;
    const hm_trust_state *floors[2] = {&persisted, &held};
    hallmark_result rc;

    memset(&held, 0, sizeof held);
    rc = load_begin(v, bundle, now, state, state_len, state_out, state_out_cap, state_out_len, err,
                    &persisted);
    if (rc != HALLMARK_OK) {
        return rc;
    }
    pthread_mutex_lock(&v->load_lock);
    old = snapshot_acquire(v);
    /* The verifier never goes back either: its own bundle counts as persisted ([HM-BUNDLE-70]). */
    if (old != NULL) {
        held = old->trust->position;
    }
    /* Brand entries are checked on first use, and the held bundle's checks carry over to
     * entries whose checked bytes did not change ([HM-BUNDLE-110]). */
    rc = hm_trust_load_deferred(&v->anchor, bundle, len, floors, 2, now,
                                old != NULL ? old->trust : NULL, &trust, err);
    snapshot_release(old);
    if (rc == HALLMARK_OK) {
        /* Written before the swap, so a failure leaves everything as it was. The status floor
         * is kept ([HM-BUNDLE-92]): a new bundle does not reopen the door to an old status. */
        unsigned char next[HALLMARK_TRUST_STATE_MAX];
        size_t next_len = 0;

        trust->position.status =
            persisted.status > v->status_floor ? persisted.status : v->status_floor;
        rc = hm_trust_state_write(&v->anchor, &trust->position, next, sizeof next, &next_len);
        fresh = rc == HALLMARK_OK ? calloc(1, sizeof *fresh) : NULL;
        if (fresh == NULL) {
            hm_trust_free(trust);
            rc = rc == HALLMARK_OK ? HALLMARK_ERR_NOMEM : rc;
        } else {
            fresh->trust = trust;
            atomic_init(&fresh->refs, 1);
            fresh->clock_floor =
                trust->iat > trust->position.status ? trust->iat : trust->position.status;
            v->status_floor = trust->position.status;
            memcpy(state_out, next, next_len);
            *state_out_len = next_len;
            snapshot_publish(v, fresh);
        }
    }
    pthread_mutex_unlock(&v->load_lock);
    return rc;
}

/* §6.9 [HM-BUNDLE-87]: the status of the bundle in force, checked against the higher of the
 * persisted and the in-process status floors; on success a snapshot of the same bundle with this
 * status replaces the current one. */
hallmark_result
hallmark_verifier_load_status(hallmark_verifier *v, const unsigned char *status, size_t len,
                              const unsigned char *state, size_t state_len, int64_t now,
                              unsigned char *state_out, size_t state_out_cap, size_t *state_out_len,
                              hallmark_error *err)
{
    struct snapshot *cur, *base, *fresh = NULL;
    hm_status *st = NULL;
    hm_trust_state persisted, next_state;
    unsigned char next[HALLMARK_TRUST_STATE_MAX];
    size_t next_len = 0;
    long long floor;
    hallmark_result rc;

    rc = load_begin(v, status, now, state, state_len, state_out, state_out_cap, state_out_len, err,
                    &persisted);
    if (rc != HALLMARK_OK) {
        return rc;
    }
    pthread_mutex_lock(&v->load_lock);
    cur = snapshot_acquire(v);
    if (cur == NULL) {
        pthread_mutex_unlock(&v->load_lock);
        return load_fail(err, HALLMARK_NO_BUNDLE, "load a bundle before its status");
    }
    base = cur->parent != NULL ? cur->parent : cur;
    floor = persisted.status > v->status_floor ? persisted.status : v->status_floor;
    rc = hm_status_load(base->trust, v->anchor.platform, status, len, floor, now, &st, err);
    if (rc == HALLMARK_OK) {
        /* The state of the bundle in force, its status floor raised to this status's iat. */
        next_state = base->trust->position;
        next_state.status = st->iat;
        rc = hm_trust_state_write(&v->anchor, &next_state, next, sizeof next, &next_len);
    }
    if (rc == HALLMARK_OK && (fresh = calloc(1, sizeof *fresh)) == NULL) {
        rc = HALLMARK_ERR_NOMEM;
    }
    if (rc != HALLMARK_OK) {
        free(fresh); /* NULL here; freed for the analyzers' sake */
        hm_status_free(st);
        snapshot_release(cur);
        pthread_mutex_unlock(&v->load_lock);
        return rc;
    }
    fresh->trust = base->trust;
    fresh->status = st;
    fresh->parent = base;
    atomic_init(&fresh->refs, 1);
    /* The status's iat is at least the floor it was checked against. */
    fresh->clock_floor = base->trust->iat > st->iat ? base->trust->iat : st->iat;
    v->status_floor = st->iat;
    memcpy(state_out, next, next_len);
    *state_out_len = next_len;
    atomic_fetch_add(&base->refs, 1); /* fresh's reference to its bundle */
    snapshot_publish(v, fresh);
    snapshot_release(cur);
    pthread_mutex_unlock(&v->load_lock);
    return HALLMARK_OK;
}

/* ---- verification ---------------------------------------------------------------------------- */

/* [HM-VERIFY-5], [HM-VERIFY-56], [HM-VERIFY-62]: the first step of a verify and of a re-check,
 * on one snapshot. HALLMARK_OK when the clock is not behind the platform's signed times and the
 * bundle and its status are fresh at now. */
static hallmark_result
freshness(const struct snapshot *s, int64_t now, const char **detail)
{
    if (now < s->clock_floor - HM_SKEW) {
        *detail = "the device's clock is earlier than the trust data it holds: it was set back";
        return HALLMARK_CLOCK_BEHIND;
    }
    if (now > s->trust->exp) {
        *detail = "trust bundle expired";
        return HALLMARK_BUNDLE_EXPIRED;
    }
    if (s->trust->status_every > 0 && (s->status == NULL || now > s->status->exp)) {
        *detail = "the trust bundle needs a fresh status";
        return HALLMARK_STATUS_STALE;
    }
    return HALLMARK_OK;
}

static hallmark_result
verdict(hallmark_verification *out, hallmark_result code, const char *detail)
{
    out->code = code;
    out->detail = detail;
    /* The byte-exact class; a verify call sets the one of the message's channel at its end. */
    out->ui = hallmark_ui_class(code);
    return code;
}

static int
credential_accepted(const hm_brand *b, const hm_claims *c)
{
    size_t i;

    if (hm_ct_equal(b->cred, c->cred, HM_SHA256_BYTES)) {
        return 1;
    }
    for (i = 0; i < b->superseded_count; i++) {
        if (hm_ct_equal(b->superseded[i].cred, c->cred, HM_SHA256_BYTES) &&
            c->iat < b->superseded[i].until) {
            return 1;
        }
    }
    return 0;
}

static void
copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = 0;

    /* cap is a sizeof of a field, never 0; written so that the analyzer sees src non-NULL. */
    if (src != NULL) {
        n = strlen(src);
        if (n >= cap) {
            n = cap - 1;
        }
        memcpy(dst, src, n);
    }
    dst[n] = '\0';
}

/* The two codes of a full pass (step 15): the level decides which ([HM-CRED-40]). */
static int
passed(hallmark_result rc)
{
    return rc == HALLMARK_VERIFIED || rc == HALLMARK_VERIFIED_DOMAIN;
}

/* Steps 14-15: actions, then the verified result. A basic brand proved only its domain: its
 * name, logo and colours are left out of the result ([HM-VERIFY-41]), so no app can show them. */
static hallmark_result
finish(hallmark_verification *out, const hm_trust *t, const hm_brand *b, const hm_brand_key *k,
       const hm_claims *c, unsigned signed_fields)
{
    const hm_jv *a;
    size_t i = 0;

    for (a = c->actions != NULL ? c->actions->u.first : NULL; a != NULL; a = a->next) {
        const char *detail = NULL;

        if (!hm_consent_action(t->consent_url, hm_jv_string(a, "kind", NULL),
                               hm_jv_string(a, "url", NULL)) &&
            hm_brand_action_check(b, hm_jv_string(a, "kind", NULL), hm_jv_string(a, "url", NULL),
                                  &detail) != HALLMARK_OK) {
            return verdict(out, HALLMARK_ACTION_NOT_AUTHORIZED, detail);
        }
    }
    for (a = c->actions != NULL ? c->actions->u.first : NULL; a != NULL; a = a->next, i++) {
        out->actions[i].kind = hm_action_kind_from(hm_jv_string(a, "kind", NULL));
        copy_str(out->actions[i].label, sizeof out->actions[i].label,
                 hm_jv_string(a, "label", NULL));
        copy_str(out->actions[i].url, sizeof out->actions[i].url, hm_jv_string(a, "url", NULL));
        out->action_count = i + 1;
    }
    copy_str(out->brand_id, sizeof out->brand_id, b->id);
    copy_str(out->signed_domain, sizeof out->signed_domain, b->domain);
    if (b->level != HALLMARK_LEVEL_BASIC) {
        copy_str(out->display_name, sizeof out->display_name, b->name);
        memcpy(out->logo_sha256, b->logo_sha256, sizeof out->logo_sha256);
        out->logo_width = b->logo_width;
        out->logo_height = b->logo_height;
        copy_str(out->logo_url, sizeof out->logo_url, b->logo_url);
        copy_str(out->color_primary, sizeof out->color_primary, b->primary);
        copy_str(out->color_background, sizeof out->color_background, b->background);
    }
    out->level = b->level;
    out->category = c->category;
    out->sender_kind = c->sender_kind;
    copy_str(out->agent_name, sizeof out->agent_name, c->agent_name);
    if (c->conv != NULL) { /* [HM-VERIFY-51]: never merged across brands */
        (void)snprintf(out->conversation_id, sizeof out->conversation_id, "%s/%s", b->id, c->conv);
    }
    copy_str(out->key_id, sizeof out->key_id, k->pub.kid);
    copy_str(out->alg, sizeof out->alg, hm_alg_name(k->alg));
    copy_str(out->token_id, sizeof out->token_id, c->jti);
    out->issued_at = c->iat;
    out->expires_at = c->exp;
    out->signed_fields = signed_fields;
    copy_str(out->reply_to, sizeof out->reply_to, c->reply_to);
    if (b->level == HALLMARK_LEVEL_BASIC) {
        return verdict(out, HALLMARK_VERIFIED_DOMAIN, "verified: domain only (level basic)");
    }
    return verdict(out, HALLMARK_VERIFIED, "verified");
}

/* Step 11: the body's digest is body's or, for a carrier's spelling, one of the signer's
 * renderings ([HM-TOKEN-45]). -1: not UTF-8; 0: no match; 1: body; 2: a rendering. */
static int
body_matches(const hallmark_message *m, const hm_claims *c)
{
    unsigned char digest[HM_SHA256_BYTES];
    size_t i;
    hallmark_result rc = hm_body_digest(m->body, m->body_len, digest);

    if (rc != HALLMARK_OK) {
        return rc == HALLMARK_BODY_MODIFIED ? -1 : 0;
    }
    if (hm_ct_equal(digest, c->body, sizeof digest)) {
        return 1;
    }
    for (i = 0; i < c->alt_count; i++) {
        if (hm_ct_equal(digest, c->alt_body[i], sizeof digest)) {
            return 2;
        }
    }
    return 0;
}

/* Step 12b: the displayed Reply-To, as bytes, is the signed canonical address. */
static int
reply_to_matches(const hallmark_message *m, const char *signed_address)
{
    char in[HM_ID_MAX], canonical[HM_ID_MAX];

    if (m->reply_to_len >= sizeof in || memchr(m->reply_to, '\0', m->reply_to_len) != NULL) {
        return 0;
    }
    memcpy(in, m->reply_to, m->reply_to_len);
    in[m->reply_to_len] = '\0';
    return hm_canonical_recipient("email", in, canonical) && strcmp(canonical, signed_address) == 0;
}

/* Steps 8-13, after the signature has been checked over the exact received bytes. */
static hallmark_result
check_claims(hallmark_verification *out, const hm_trust *t, const hm_status *st,
             const hm_brand_key *k, const hm_jv *payload, const hallmark_message *m, unsigned cut,
             int64_t now)
{
    const hm_brand *b = &t->brands[k->brand];
    hm_claims c;
    char from[HM_ID_MAX], to[HM_ID_MAX];
    unsigned char digest[HM_SHA256_BYTES], stem[HM_SHA256_BYTES];
    unsigned signed_fields;
    int body, to_ok;

    if (!hm_claims_read(payload, &c)) {
        return verdict(out, HALLMARK_MALFORMED, "a claim is missing or breaks its limits");
    }
    if (strcmp(c.iss, b->id) != 0) {
        return verdict(out, HALLMARK_ISSUER_MISMATCH, "iss is not the brand that owns the key");
    }
    if (c.iat < k->nbf || c.iat > k->exp) {
        return verdict(out, HALLMARK_KEY_NOT_VALID, "iat outside the key's validity");
    }
    if (b->revoked || hm_status_revokes_brand(st, b->id)) { /* 9a, [HM-BUNDLE-88] */
        return verdict(out, HALLMARK_BRAND_REVOKED, "brand revoked");
    }
    if (now < b->nbf - HM_SKEW || now >= b->exp + HM_SKEW) {
        return verdict(out, HALLMARK_BRAND_EXPIRED, "credential not valid now");
    }
    if (!credential_accepted(b, &c)) {
        return verdict(out, HALLMARK_BRAND_CREDENTIAL_INVALID, "cred digest not in force");
    }
    if (strcmp(c.channel, m->channel) != 0) {
        return verdict(out, HALLMARK_CHANNEL_MISMATCH, "token issued for another channel");
    }
    if ((cut & FROM_CUT) != 0 || !hm_canonical_sender(m->channel, m->from, from) ||
        strcmp(from, c.from) != 0) {
        return verdict(out, HALLMARK_SENDER_MISMATCH, "token issued for another sender");
    }
    /* The canonical recipient, for the country of short codes and alphanumeric ids (10c, 10d,
     * [HM-CRED-63]) and for the rcpt digest (12); NULL when not valid for the channel. */
    to_ok = (cut & TO_CUT) == 0 && hm_canonical_recipient(m->channel, m->to, to);
    if (!hm_brand_sender_authorized(b, c.channel, c.from, to_ok ? to : NULL)) {
        return verdict(out, HALLMARK_SENDER_NOT_AUTHORIZED,
                       "sender id not in the credential (for this recipient's country)");
    }
    if (hm_trust_sender_contested(t, c.channel, c.from, to_ok ? to : NULL)) {
        return verdict(out, HALLMARK_SENDER_CONTESTED,
                       "another brand in the trust bundle claims this sender id too");
    }
    if ((b->categories & (1u << c.category)) == 0) { /* 10e */
        return verdict(out, HALLMARK_CATEGORY_NOT_AUTHORIZED,
                       "the credential does not list the token's category");
    }
    if (c.reply_to != NULL && !hm_brand_reply_to_authorized(b, c.reply_to)) { /* 10f */
        return verdict(out, HALLMARK_REPLY_TO_NOT_AUTHORIZED,
                       "reply_to domain is not an e-mail sender of the brand");
    }
    if (!hm_key_scope_covers(k, b, c.channel, c.from, to_ok ? to : NULL)) { /* 10g */
        return verdict(out, HALLMARK_KEY_OUT_OF_SCOPE,
                       "the key's scope does not cover this channel or sender");
    }
    body = body_matches(m, &c);
    if (body < 0) {
        return verdict(out, HALLMARK_BODY_MODIFIED, "not UTF-8");
    }
    if (body == 0) {
        return verdict(out, HALLMARK_BODY_MODIFIED, "body digest differs");
    }
    signed_fields = body == 2 ? HALLMARK_SIGNED_BODY_RENDERING : 0;
    if (!to_ok) {
        return verdict(out, HALLMARK_RECIPIENT_MISMATCH, "token issued for another recipient");
    }
    if (hm_recipient_stem(c.channel, c.from, to, stem) != HALLMARK_OK) {
        return verdict(out, HALLMARK_ERR_NOMEM, "out of memory (the recipient stem needs 1 MiB)");
    }
    if (hm_recipient_digest(c.jti, c.channel, stem, digest) != HALLMARK_OK ||
        !hm_ct_equal(digest, c.rcpt, sizeof digest)) {
        return verdict(out, HALLMARK_RECIPIENT_MISMATCH, "token issued for another recipient");
    }
    /* 12a, 12b: only a signed field the app displays is compared ([HM-VERIFY-47]). */
    if (c.has_subject && m->subject != NULL) {
        if (hm_body_digest((const unsigned char *)m->subject, m->subject_len, digest) !=
                HALLMARK_OK ||
            !hm_ct_equal(digest, c.subject, sizeof digest)) {
            return verdict(out, HALLMARK_SUBJECT_MODIFIED, "subject is not the signed one");
        }
        signed_fields |= HALLMARK_SIGNED_SUBJECT;
    }
    if (c.reply_to != NULL && m->reply_to != NULL) {
        if (!reply_to_matches(m, c.reply_to)) {
            return verdict(out, HALLMARK_REPLY_TO_MISMATCH, "reply-to is not the signed one");
        }
        signed_fields |= HALLMARK_SIGNED_REPLY_TO;
    }
    if (now < c.iat - HM_SKEW) {
        return verdict(out, HALLMARK_TOKEN_NOT_YET_VALID, "iat in the future");
    }
    if (now >= c.exp + HM_SKEW) {
        return verdict(out, HALLMARK_TOKEN_EXPIRED, "token expired");
    }
    /* [HM-VERIFY-64]: a genuine message received this long after signing is a replay or a
     * delivery too slow to be worth a checkmark; now is received_at here. */
    if (now >= c.iat + hm_delivery_age_max(c.category) + HM_SKEW) {
        return verdict(out, HALLMARK_DELIVERY_TOO_LATE, "delivered too late for its category");
    }
    return finish(out, t, b, k, &c, signed_fields);
}

/* *unverifiable is set when the token names a key of the bundle whose algorithm this build
 * cannot verify (an ES256 brand under the verifier without OpenSSL): the token may be genuine. */
static hallmark_result
verify_token(hallmark_verification *out, const struct snapshot *s, const hallmark_message *m,
             unsigned cut, int64_t received_at, int64_t now, int *unverifiable)
{
    const hm_trust *t = s->trust;
    hm_jws jws;
    hm_jv *payload = NULL;
    const hm_brand_key *k;
    const char *stale = NULL;
    hm_alg named;
    hallmark_result rc;

    if ((rc = freshness(s, now, &stale)) != HALLMARK_OK) {
        return verdict(out, rc, stale);
    }
    if (m->token == NULL || m->token_len == 0) {
        return verdict(out, HALLMARK_UNSIGNED, "no token");
    }
    if (m->token_len > TOKEN_MAX) {
        return verdict(out, HALLMARK_MALFORMED, "token larger than 8192 bytes");
    }
    rc = hm_jws_parse(&jws, m->token, m->token_len, TOKEN_MAX, "hallmark-msg+jwt");
    if (rc != HALLMARK_OK) {
        hm_jws_clear(&jws);
        return verdict(out, rc,
                       rc == HALLMARK_HEADER_REFUSED ? "refused header member"
                                                     : "token structure or header");
    }
    named = strcmp(jws.alg, "EdDSA") == 0 ? HM_ALG_ED25519 : hm_alg_from_name(jws.alg);
    k = hm_trust_find_key(t, jws.kid, jws.kid_len);
    if (named == HM_ALG_UNKNOWN) {
        rc = verdict(out, HALLMARK_UNSUPPORTED_ALG, "alg not supported");
    } else if (k == NULL) {
        rc = verdict(out, HALLMARK_UNKNOWN_KEY, "kid not in the trust bundle");
    } else if (named != k->alg) {
        rc = verdict(out, HALLMARK_ALG_MISMATCH, "alg is not the key's algorithm");
    } else if ((rc = hm_trust_brand_check(t, k->brand)) != HALLMARK_OK) {
        rc = verdict(out, rc, "the key's brand entry fails its check"); /* [HM-BUNDLE-110] */
    } else if (!hm_alg_supported(k->alg) || k->pub.alg == HM_ALG_UNKNOWN) {
        *unverifiable = 1;
        rc = verdict(out, HALLMARK_UNSUPPORTED_ALG, "this build cannot verify the key's alg");
    } else if (jws.sig_len != HM_SIG_BYTES || hm_jws_verify(&jws, &k->pub) != HALLMARK_OK) {
        rc = verdict(out, HALLMARK_BAD_SIGNATURE, "signature invalid");
    } else if (k->state == HM_KEY_REVOKED ||
               hm_status_revokes_key(s->status, jws.kid, jws.kid_len)) {
        rc = verdict(out, HALLMARK_KEY_REVOKED, "signing key revoked"); /* 7, [HM-BUNDLE-88] */
    } else if ((rc = hm_jws_payload_doc(&jws, HM_JWS_DEPTH, &payload)) != HALLMARK_OK) {
        rc = rc == HALLMARK_ERR_NOMEM ? verdict(out, rc, "out of memory")
                                      : verdict(out, HALLMARK_MALFORMED, "payload is not JSON");
    } else {
        rc = check_claims(out, t, s->status, k, payload, m, cut, received_at);
    }
    hm_jdoc_free(payload);
    hm_jws_clear(&jws);
    return rc;
}

/* [HM-VERIFY-42]: the verdicts of a message that carries no genuine token of a brand. */
static int
untied(hallmark_result rc)
{
    return rc == HALLMARK_UNSIGNED || rc == HALLMARK_MALFORMED || rc == HALLMARK_HEADER_REFUSED ||
           rc == HALLMARK_UNSUPPORTED_ALG || rc == HALLMARK_UNKNOWN_KEY;
}

/* [HM-VERIFY-43]: 1 if the message's sender always signs, for its recipient. */
static int
always_signs(const struct snapshot *s, const hallmark_message *m, unsigned cut, int64_t received_at,
             int64_t now)
{
    const hm_trust *t = s->trust;
    const char *stale = NULL;
    char from[HM_ID_MAX], to[HM_ID_MAX];

    return freshness(s, now, &stale) == HALLMARK_OK && (cut & (FROM_CUT | TO_CUT)) == 0 &&
           hm_canonical_sender(m->channel, m->from, from) &&
           hm_canonical_recipient(m->channel, m->to, to) &&
           hm_trust_sender_always_signed(t, m->channel, from, to, received_at);
}

static hallmark_result
always_signed_verdict(hallmark_verification *out)
{
    return verdict(out, HALLMARK_SENDER_ALWAYS_SIGNED,
                   "this sender signs every message, and this one has no token of a brand");
}

/* The steps of §7.2 on one token, then [HM-VERIFY-42] on their verdict. */
static hallmark_result
verify_with(hallmark_verification *out, const struct snapshot *s, const hallmark_message *m,
            unsigned cut, int64_t received_at, int64_t now)
{
    int unverifiable = 0;
    hallmark_result rc = verify_token(out, s, m, cut, received_at, now, &unverifiable);

    if (untied(rc) && !unverifiable && always_signs(s, m, cut, received_at, now)) {
        rc = always_signed_verdict(out);
    }
    return rc;
}

/* Every field a caller may read, empty: each number 0, each string "" (its first byte; the rest
 * of each array is not written, which spares 11.7 KB of stores per call), no action. */
/* A field appended to hallmark_verification after reply_to must be cleared below as well. */
_Static_assert(sizeof(hallmark_verification) - offsetof(hallmark_verification, reply_to) -
                       sizeof((hallmark_verification *)0)->reply_to <
                   sizeof(int64_t),
               "result_clear clears every field of hallmark_verification");

static void
result_clear(hallmark_verification *out, hallmark_result code, const char *detail)
{
    size_t i;

    out->code = code;
    out->detail = detail;
    out->brand_id[0] = '\0';
    out->display_name[0] = '\0';
    memset(out->logo_sha256, 0, sizeof out->logo_sha256);
    out->logo_width = 0;
    out->logo_height = 0;
    out->logo_url[0] = '\0';
    out->color_primary[0] = '\0';
    out->color_background[0] = '\0';
    out->level = (hallmark_level)0;
    out->category = (hallmark_category)0;
    out->sender_kind = (hallmark_sender_kind)0;
    out->agent_name[0] = '\0';
    out->conversation_id[0] = '\0';
    out->action_count = 0;
    for (i = 0; i < HALLMARK_MAX_ACTIONS; i++) {
        out->actions[i].kind = HALLMARK_ACTION_UNKNOWN;
        out->actions[i].label[0] = '\0';
        out->actions[i].url[0] = '\0';
    }
    out->key_id[0] = '\0';
    out->alg[0] = '\0';
    out->token_id[0] = '\0';
    out->issued_at = 0;
    out->expires_at = 0;
    out->signed_domain[0] = '\0';
    out->ui = (hallmark_ui)0;
    out->signed_fields = 0;
    out->reply_to[0] = '\0';
}

static hallmark_result
verify_message(hallmark_verifier *v, const hallmark_message *m, unsigned cut, int64_t received_at,
               int64_t now, hallmark_verification *out)
{
    struct snapshot *snap;
    hallmark_result rc;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    result_clear(out, HALLMARK_OK, "");
    if (v == NULL || m == NULL || m->channel == NULL || m->from == NULL || m->to == NULL ||
        (m->body == NULL && m->body_len > 0) || !hm_channel_ok(m->channel) || now < 0 ||
        received_at < 0 || received_at > now + HM_SKEW) { /* [HM-VERIFY-61] */
        return verdict(out, HALLMARK_ERR_INVALID_ARGUMENT, "missing or invalid argument");
    }
    snap = snapshot_acquire(v);
    if (snap == NULL) {
        return verdict(out, HALLMARK_NO_BUNDLE, "no trust bundle loaded");
    }
    rc = verify_with(out, snap, m, cut, received_at, now);
    snapshot_release(snap);
    if (!passed(rc)) {
        /* Nothing of an unverified brand may be rendered: keep only code and detail. */
        result_clear(out, rc, out->detail);
    }
    out->ui = hallmark_ui_class_on(rc, m->channel);
    return rc;
}

hallmark_result
hallmark_verify(hallmark_verifier *v, const hallmark_message *m, int64_t now,
                hallmark_verification *out)
{
    return verify_message(v, m, 0, now, now, out); /* [HM-VERIFY-63] */
}

hallmark_result
hallmark_verify_at(hallmark_verifier *v, const hallmark_message *m, int64_t received_at,
                   int64_t now, hallmark_verification *out)
{
    return verify_message(v, m, 0, received_at, now, out);
}

/* §7.5 [HM-VERIFY-58]: a stored verdict against the bundle and status in force, in the spec's
 * order; no token is kept or verified again. */
static hallmark_result
still_valid(const struct snapshot *s, const char *iss, const char *kid, int64_t iat, int64_t now)
{
    const hm_brand_key *k;
    const hm_brand *b;
    const char *detail = NULL;
    hallmark_result rc = freshness(s, now, &detail);

    if (rc != HALLMARK_OK) {
        return rc;
    }
    k = hm_trust_find_key(s->trust, kid, strlen(kid));
    if (k == NULL) {
        return HALLMARK_UNKNOWN_KEY;
    }
    b = &s->trust->brands[k->brand];
    rc = hm_trust_brand_check(s->trust, k->brand); /* [HM-BUNDLE-110] */
    if (rc != HALLMARK_OK) {
        return rc;
    }
    if (k->state == HM_KEY_REVOKED || hm_status_revokes_key(s->status, kid, strlen(kid))) {
        return HALLMARK_KEY_REVOKED;
    }
    if (strcmp(b->id, iss) != 0) {
        return HALLMARK_ISSUER_MISMATCH;
    }
    if (b->revoked || hm_status_revokes_brand(s->status, b->id)) {
        return HALLMARK_BRAND_REVOKED;
    }
    if (iat < k->nbf || iat > k->exp) {
        return HALLMARK_KEY_NOT_VALID;
    }
    return HALLMARK_OK;
}

hallmark_result
hallmark_verdict_still_valid(hallmark_verifier *v, const char *iss, const char *kid, int64_t iat,
                             int64_t now)
{
    struct snapshot *snap;
    hallmark_result rc;

    if (v == NULL || iss == NULL || kid == NULL || now < 0) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    snap = snapshot_acquire(v);
    if (snap == NULL) {
        return HALLMARK_NO_BUNDLE;
    }
    rc = still_valid(snap, iss, kid, iat, now);
    snapshot_release(snap);
    return rc;
}

/* 1 if s holds a zero byte before len (the caller's string had U+0000 in it); -1 if s is not
 * NUL-terminated at len as the contract says; 0 if it is whole. */
static int
zero_inside(const char *s, size_t len)
{
    if (memchr(s, '\0', len) != NULL) {
        return 1;
    }
    return s[len] == '\0' ? 0 : -1;
}

hallmark_result
hallmark_verify_sized(hallmark_verifier *v, const hallmark_message *m, size_t channel_len,
                      size_t from_len, size_t to_len, int64_t now, hallmark_verification *out)
{
    return hallmark_verify_sized_at(v, m, channel_len, from_len, to_len, now, now, out);
}

hallmark_result
hallmark_verify_sized_at(hallmark_verifier *v, const hallmark_message *m, size_t channel_len,
                         size_t from_len, size_t to_len, int64_t received_at, int64_t now,
                         hallmark_verification *out)
{
    unsigned cut = 0;
    int z;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    result_clear(out, HALLMARK_OK, "");
    if (m == NULL || m->channel == NULL || m->from == NULL || m->to == NULL ||
        zero_inside(m->channel, channel_len) != 0) {
        /* A channel with U+0000 does not match [a-z0-9-]{1,16} ([HM-VERIFY-1]). */
        return verdict(out, HALLMARK_ERR_INVALID_ARGUMENT, "missing or invalid argument");
    }
    if ((z = zero_inside(m->from, from_len)) < 0) {
        return verdict(out, HALLMARK_ERR_INVALID_ARGUMENT,
                       "from is not NUL-terminated at its length");
    }
    cut |= z > 0 ? FROM_CUT : 0;
    if ((z = zero_inside(m->to, to_len)) < 0) {
        return verdict(out, HALLMARK_ERR_INVALID_ARGUMENT,
                       "to is not NUL-terminated at its length");
    }
    cut |= z > 0 ? TO_CUT : 0;
    return verify_message(v, m, cut, received_at, now, out);
}

hallmark_result
hallmark_token_lookup_key(const hallmark_message *m, char *out, size_t out_cap)
{
    char from[HM_ID_MAX], to[HM_ID_MAX];
    unsigned char key[HM_SHA256_BYTES], stem[HM_SHA256_BYTES];
    hallmark_result rc;

    if (out != NULL && out_cap > 0) {
        out[0] = '\0';
    }
    if (m == NULL || out == NULL || m->channel == NULL || m->from == NULL || m->to == NULL ||
        (m->body == NULL && m->body_len > 0) || !hm_channel_ok(m->channel) ||
        !hm_canonical_sender(m->channel, m->from, from) ||
        !hm_canonical_recipient(m->channel, m->to, to)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (out_cap < HALLMARK_LOOKUP_KEY_LEN + 1) {
        return HALLMARK_ERR_BUFFER_TOO_SMALL;
    }
    rc = hm_recipient_stem(m->channel, from, to, stem);
    if (rc == HALLMARK_OK) {
        rc = hm_token_lookup_key(m->channel, from, stem, m->body, m->body_len, key);
    }
    if (rc != HALLMARK_OK) {
        return rc;
    }
    return hm_b64url_encode(out, out_cap, key, sizeof key, NULL);
}

/* HM-CARRY-18, on one snapshot of the bundle: the first verifying token wins; tokens of other
 * recipients do not count; otherwise the first remaining token's verdict. */
hallmark_result
hallmark_verify_fetched(hallmark_verifier *v, const hallmark_message *m, const char *const *tokens,
                        size_t token_count, int64_t now, hallmark_verification *out)
{
    return hallmark_verify_fetched_at(v, m, tokens, token_count, now, now, out);
}

hallmark_result
hallmark_verify_fetched_at(hallmark_verifier *v, const hallmark_message *m,
                           const char *const *tokens, size_t token_count, int64_t received_at,
                           int64_t now, hallmark_verification *out)
{
    hallmark_verification *scratch;
    hallmark_message one;
    struct snapshot *snap;
    hallmark_result first = HALLMARK_UNSIGNED, rc;
    const char *first_detail = "the directory holds no token of this recipient";
    size_t i;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    result_clear(out, HALLMARK_OK, "");
    if (v == NULL || m == NULL || m->channel == NULL || m->from == NULL || m->to == NULL ||
        (m->body == NULL && m->body_len > 0) || !hm_channel_ok(m->channel) || now < 0 ||
        received_at < 0 || received_at > now + HM_SKEW || (m->token != NULL && m->token_len > 0) ||
        (tokens == NULL && token_count > 0) || token_count > HALLMARK_FETCHED_TOKENS_MAX) {
        return verdict(out, HALLMARK_ERR_INVALID_ARGUMENT, "missing or invalid argument");
    }
    for (i = 0; i < token_count; i++) {
        if (tokens[i] == NULL) {
            return verdict(out, HALLMARK_ERR_INVALID_ARGUMENT, "a fetched token is NULL");
        }
    }
    snap = snapshot_acquire(v);
    if (snap == NULL) {
        return verdict(out, HALLMARK_NO_BUNDLE, "no trust bundle loaded");
    }
    if ((scratch = malloc(sizeof *scratch)) == NULL) {
        snapshot_release(snap);
        return verdict(out, HALLMARK_ERR_NOMEM, "out of memory");
    }
    one = *m;
    for (i = 0; i < token_count; i++) {
        result_clear(scratch, HALLMARK_OK, "");
        one.token = tokens[i];
        one.token_len = strlen(tokens[i]);
        rc = one.token_len == 0 ? verdict(scratch, HALLMARK_MALFORMED, "empty token")
                                : verify_with(scratch, snap, &one, 0, received_at, now);
        if (passed(rc)) { /* HM-CARRY-40 */
            memcpy(out, scratch, sizeof *out);
            first = rc;
            break;
        }
        if (rc != HALLMARK_RECIPIENT_MISMATCH && first == HALLMARK_UNSIGNED) {
            first = rc;
            first_detail = scratch->detail;
        }
    }
    if (first == HALLMARK_UNSIGNED &&
        always_signs(snap, m, 0, received_at, now)) { /* HM-CARRY-23 */
        first = HALLMARK_SENDER_ALWAYS_SIGNED;
        first_detail = "the directory holds no token, and this sender signs every message";
    }
    free(scratch);
    snapshot_release(snap);
    if (!passed(first)) {
        result_clear(out, first, first_detail);
    }
    out->ui = hallmark_ui_class_on(first, m->channel);
    return first;
}

hallmark_result
hallmark_logo_check(const hallmark_verification *v, const unsigned char *png, size_t len)
{
    unsigned char digest[HM_SHA256_BYTES];

    if (v == NULL || v->code != HALLMARK_VERIFIED || png == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (hm_sha256(digest, png, len) != HALLMARK_OK) {
        return HALLMARK_ERR_INTERNAL;
    }
    return hm_ct_equal(digest, v->logo_sha256, sizeof digest) ? HALLMARK_OK
                                                              : HALLMARK_LOGO_MISMATCH;
}

/* [HM-CRED-79]: the logos an app may show, each digest once. */
struct shown_logo {
    const hm_brand *brand;
};

static int
digest_order(const void *a, const void *b)
{
    const hm_brand *x = ((const struct shown_logo *)a)->brand,
                   *y = ((const struct shown_logo *)b)->brand;

    return memcmp(x->logo_sha256, y->logo_sha256, sizeof x->logo_sha256);
}

hallmark_result
hallmark_verifier_logos(hallmark_verifier *v, hallmark_logo_ref *out, size_t cap, size_t *count)
{
    struct snapshot *snap;
    struct shown_logo *shown;
    size_t i, n = 0, distinct = 0;
    hallmark_result rc = HALLMARK_OK;

    if (count != NULL) {
        *count = 0;
    }
    if (v == NULL || count == NULL || (out == NULL && cap > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    snap = snapshot_acquire(v);
    if (snap == NULL) {
        return HALLMARK_NO_BUNDLE;
    }
    shown = calloc(snap->trust->brand_count + 1, sizeof *shown);
    if (shown == NULL) {
        snapshot_release(snap);
        return HALLMARK_ERR_NOMEM;
    }
    for (i = 0; i < snap->trust->brand_count; i++) {
        const hm_brand *b = &snap->trust->brands[i];

        if (!b->revoked && b->level != HALLMARK_LEVEL_BASIC) {
            shown[n++].brand = b;
        }
    }
    qsort(shown, n, sizeof *shown, digest_order);
    for (i = 0; i < n; i++) {
        if (i > 0 && digest_order(&shown[i - 1], &shown[i]) == 0) {
            continue;
        }
        if (distinct < cap) {
            hallmark_logo_ref *r = &out[distinct];

            memset(r, 0, sizeof *r);
            memcpy(r->sha256, shown[i].brand->logo_sha256, sizeof r->sha256);
            (void)hm_b64url_encode(r->sha256_b64, sizeof r->sha256_b64, r->sha256, sizeof r->sha256,
                                   NULL);
            copy_str(r->url, sizeof r->url, shown[i].brand->logo_url);
        }
        distinct++;
    }
    if (distinct > cap) {
        rc = HALLMARK_ERR_BUFFER_TOO_SMALL;
    }
    *count = distinct;
    free(shown);
    snapshot_release(snap);
    return rc;
}

hallmark_result
hallmark_logo_ref_check(const hallmark_logo_ref *ref, const unsigned char *png, size_t len)
{
    unsigned char got[HM_SHA256_BYTES];

    if (ref == NULL || png == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (hm_sha256(got, png, len) != HALLMARK_OK) {
        return HALLMARK_ERR_INTERNAL;
    }
    return hm_ct_equal(got, ref->sha256, sizeof got) ? HALLMARK_OK : HALLMARK_LOGO_MISMATCH;
}
