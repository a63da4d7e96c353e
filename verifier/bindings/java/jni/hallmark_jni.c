/* The JNI shim under dev.hallmark.Verifier: byte arrays in (so that text crosses as real UTF-8,
 * not Java's modified UTF-8), byte arrays and longs out into arrays the Java side allocated. A
 * failed verification is a result code, never an exception; only a JNI failure (out of memory)
 * leaves a pending Java exception. The Java class serializes close() against calls in flight. */
#include <jni.h>
#include <stdlib.h>
#include <string.h>

#include "hallmark.h"

#define ROOTS_MAX 16

/* Layout shared with Verification.java. */
enum {
    S_DETAIL,
    S_BRAND_ID,
    S_NAME,
    S_LOGO_URL,
    S_PRIMARY,
    S_BACKGROUND,
    S_AGENT,
    S_CONV,
    S_KID,
    S_ALG,
    S_JTI,
    S_LABELS,
    S_URLS = S_LABELS + 4,
    S_LOGO_SHA256 = S_URLS + 4,
    S_DOMAIN,
    S_REPLY_TO
};
enum {
    N_CODE,
    N_LOGO_W,
    N_LOGO_H,
    N_LEVEL,
    N_CATEGORY,
    N_SENDER,
    N_ACTIONS,
    N_IAT,
    N_EXP,
    N_KINDS,
    N_UI = N_KINDS + 4,
    N_SIGNED,
    N_COUNT
};

JNIEXPORT jstring JNICALL Java_dev_hallmark_Verifier_nativeResultName(JNIEnv *env, jclass cls,
                                                                      jint code);
JNIEXPORT jint JNICALL Java_dev_hallmark_Verifier_nativeUiClass(JNIEnv *env, jclass cls, jint code);
JNIEXPORT jint JNICALL Java_dev_hallmark_Verifier_nativeUiClassOn(JNIEnv *env, jclass cls,
                                                                  jint code, jbyteArray channel);
JNIEXPORT jstring JNICALL Java_dev_hallmark_Verifier_version(JNIEnv *env, jclass cls);
JNIEXPORT jint JNICALL Java_dev_hallmark_Verifier_nativeStateMax(JNIEnv *env, jclass cls);
JNIEXPORT jint JNICALL Java_dev_hallmark_Verifier_nativeCreate(JNIEnv *env, jclass cls,
                                                               jbyteArray platform, jint threshold,
                                                               jobjectArray roots, jlongArray out);
JNIEXPORT jint JNICALL Java_dev_hallmark_Verifier_nativeLoad(JNIEnv *env, jclass cls, jlong h,
                                                             jbyteArray bundle, jbyteArray state,
                                                             jlong now, jbyteArray state_out,
                                                             jintArray state_len_out);
JNIEXPORT jint JNICALL Java_dev_hallmark_Verifier_nativeLoadStatus(JNIEnv *env, jclass cls, jlong h,
                                                                   jbyteArray status,
                                                                   jbyteArray state, jlong now,
                                                                   jbyteArray state_out,
                                                                   jintArray state_len_out);
JNIEXPORT jint JNICALL Java_dev_hallmark_Verifier_nativeStillValid(JNIEnv *env, jclass cls, jlong h,
                                                                   jbyteArray iss, jbyteArray kid,
                                                                   jlong iat, jlong now);
JNIEXPORT void JNICALL Java_dev_hallmark_Verifier_nativeVerify(
    JNIEnv *env, jclass cls, jlong h, jbyteArray channel, jbyteArray from, jbyteArray to,
    jbyteArray body, jbyteArray token, jbyteArray subject, jbyteArray reply_to, jlong received_at,
    jlong now, jobjectArray strings, jlongArray numbers);
JNIEXPORT void JNICALL Java_dev_hallmark_Verifier_nativeVerifyFetched(
    JNIEnv *env, jclass cls, jlong h, jbyteArray channel, jbyteArray from, jbyteArray to,
    jbyteArray body, jbyteArray subject, jbyteArray reply_to, jobjectArray tokens,
    jlong received_at, jlong now, jobjectArray strings, jlongArray numbers);
JNIEXPORT jint JNICALL Java_dev_hallmark_Verifier_nativeLookupKey(JNIEnv *env, jclass cls,
                                                                  jbyteArray channel,
                                                                  jbyteArray from, jbyteArray to,
                                                                  jbyteArray body,
                                                                  jbyteArray key_out);
JNIEXPORT void JNICALL Java_dev_hallmark_Verifier_nativeFree(JNIEnv *env, jclass cls, jlong h);
JNIEXPORT jobjectArray JNICALL Java_dev_hallmark_Verifier_nativeLogos(JNIEnv *env, jclass cls,
                                                                      jlong h, jintArray rc_out);
JNIEXPORT jint JNICALL Java_dev_hallmark_Verifier_nativeLogoCheck(JNIEnv *env, jclass cls,
                                                                  jint code, jbyteArray sha256,
                                                                  jbyteArray png);

JNIEXPORT jstring JNICALL
Java_dev_hallmark_Verifier_nativeResultName(JNIEnv *env, jclass cls, jint code)
{
    (void)cls;
    return (*env)->NewStringUTF(env, hallmark_result_name((hallmark_result)code));
}

JNIEXPORT jint JNICALL
Java_dev_hallmark_Verifier_nativeUiClass(JNIEnv *env, jclass cls, jint code)
{
    (void)env;
    (void)cls;
    return (jint)hallmark_ui_class((hallmark_result)code);
}

static char *cstring(JNIEnv *env, jbyteArray a, size_t *len_out);

JNIEXPORT jint JNICALL
Java_dev_hallmark_Verifier_nativeUiClassOn(JNIEnv *env, jclass cls, jint code, jbyteArray channel)
{
    size_t len = 0;
    char *c = cstring(env, channel, &len);
    jint ui;

    (void)cls;
    if (c == NULL) {
        return (jint)HALLMARK_UI_NEUTRAL; /* out of memory: the exception is pending */
    }
    /* A channel with U+0000 is no channel: the byte-exact class. */
    ui = (jint)hallmark_ui_class_on((hallmark_result)code, strlen(c) == len ? c : NULL);
    free(c);
    return ui;
}

JNIEXPORT jstring JNICALL
Java_dev_hallmark_Verifier_version(JNIEnv *env, jclass cls)
{
    (void)cls;
    return (*env)->NewStringUTF(env, hallmark_version());
}

JNIEXPORT jint JNICALL
Java_dev_hallmark_Verifier_nativeStateMax(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jint)hallmark_trust_state_max();
}

JNIEXPORT jint JNICALL
Java_dev_hallmark_Verifier_nativeCreate(JNIEnv *env, jclass cls, jbyteArray platform,
                                        jint threshold, jobjectArray roots, jlongArray out)
{
    const char *list[ROOTS_MAX];
    jstring refs[ROOTS_MAX];
    jsize n = (*env)->GetArrayLength(env, roots), i, got = 0;
    jsize plen = (*env)->GetArrayLength(env, platform);
    char *id = NULL;
    hallmark_verifier *v = NULL;
    hallmark_result rc = HALLMARK_ERR_NOMEM;
    jlong handle;

    (void)cls;
    if (n > ROOTS_MAX || threshold < 1) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    id = malloc((size_t)plen + 1);
    if (id == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    (*env)->GetByteArrayRegion(env, platform, 0, plen, (jbyte *)id);
    id[plen] = '\0';
    if (strlen(id) != (size_t)plen) { /* a U+0000 in the platform id is never cut */
        free(id);
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    for (i = 0; i < n; i++) {
        refs[i] = (jstring)(*env)->GetObjectArrayElement(env, roots, i);
        list[i] = refs[i] != NULL ? (*env)->GetStringUTFChars(env, refs[i], NULL) : NULL;
        if (list[i] == NULL) {
            goto out;
        }
        got++;
    }
    rc = hallmark_verifier_create(&v, id, list, (size_t)n, (size_t)threshold);
    if (rc == HALLMARK_OK) {
        handle = (jlong)(intptr_t)v;
        (*env)->SetLongArrayRegion(env, out, 0, 1, &handle);
    }
out:
    for (i = 0; i < got; i++) {
        (*env)->ReleaseStringUTFChars(env, refs[i], list[i]);
    }
    free(id);
    return (jint)rc;
}

/* A bundle load (status 0) or a status load (status 1): the same arguments, the same state. */
static jint
load_with(JNIEnv *env, int status, jlong h, jbyteArray bundle, jbyteArray state, jlong now,
          jbyteArray state_out, jintArray state_len_out)
{
    jsize len = (*env)->GetArrayLength(env, bundle);
    jsize state_len = state != NULL ? (*env)->GetArrayLength(env, state) : 0;
    jbyte *bytes = (*env)->GetByteArrayElements(env, bundle, NULL);
    jbyte *st = state != NULL ? (*env)->GetByteArrayElements(env, state, NULL) : NULL;
    unsigned char next[HALLMARK_TRUST_STATE_MAX];
    size_t next_len = 0;
    hallmark_result rc = HALLMARK_ERR_NOMEM;
    jint n;

    if (bytes != NULL && (state == NULL || st != NULL)) {
        rc = (status ? hallmark_verifier_load_status : hallmark_verifier_load)(
            (hallmark_verifier *)(intptr_t)h, (const unsigned char *)bytes, (size_t)len,
            (const unsigned char *)st, (size_t)state_len, (int64_t)now, next, sizeof next,
            &next_len, NULL);
    }
    if (bytes != NULL) {
        (*env)->ReleaseByteArrayElements(env, bundle, bytes, JNI_ABORT);
    }
    if (st != NULL) {
        (*env)->ReleaseByteArrayElements(env, state, st, JNI_ABORT);
    }
    if (rc == HALLMARK_OK && (*env)->GetArrayLength(env, state_out) >= (jsize)next_len) {
        (*env)->SetByteArrayRegion(env, state_out, 0, (jsize)next_len, (const jbyte *)next);
        n = (jint)next_len;
        (*env)->SetIntArrayRegion(env, state_len_out, 0, 1, &n);
    } else if (rc == HALLMARK_OK) {
        rc = HALLMARK_ERR_BUFFER_TOO_SMALL;
    }
    return (jint)rc;
}

JNIEXPORT jint JNICALL
Java_dev_hallmark_Verifier_nativeLoad(JNIEnv *env, jclass cls, jlong h, jbyteArray bundle,
                                      jbyteArray state, jlong now, jbyteArray state_out,
                                      jintArray state_len_out)
{
    (void)cls;
    return load_with(env, 0, h, bundle, state, now, state_out, state_len_out);
}

JNIEXPORT jint JNICALL
Java_dev_hallmark_Verifier_nativeLoadStatus(JNIEnv *env, jclass cls, jlong h, jbyteArray status,
                                            jbyteArray state, jlong now, jbyteArray state_out,
                                            jintArray state_len_out)
{
    (void)cls;
    return load_with(env, 1, h, status, state, now, state_out, state_len_out);
}

/* hallmark_verdict_still_valid; an id holding a zero byte names no key or brand (it is passed as
 * "", so the answer comes at the step where any unknown id would get it). */
JNIEXPORT jint JNICALL
Java_dev_hallmark_Verifier_nativeStillValid(JNIEnv *env, jclass cls, jlong h, jbyteArray iss,
                                            jbyteArray kid, jlong iat, jlong now)
{
    size_t iss_len = 0, kid_len = 0;
    char *i = cstring(env, iss, &iss_len), *k = i != NULL ? cstring(env, kid, &kid_len) : NULL;
    hallmark_result rc = HALLMARK_ERR_NOMEM;

    (void)cls;
    if (i != NULL && k != NULL) {
        rc = hallmark_verdict_still_valid(
            (hallmark_verifier *)(intptr_t)h, strlen(i) == iss_len ? i : "",
            strlen(k) == kid_len ? k : "", (int64_t)iat, (int64_t)now);
    }
    free(i);
    free(k);
    return (jint)rc;
}

static void
throw_oom(JNIEnv *env)
{
    (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/OutOfMemoryError"), "hallmark");
}

/* A NUL-terminated copy of a Java byte array, which may hold zero bytes of its own: its length
 * goes to len_out. NULL when out of memory (with an exception set). */
static char *
cstring(JNIEnv *env, jbyteArray a, size_t *len_out)
{
    jsize n = (*env)->GetArrayLength(env, a);
    char *s = malloc((size_t)n + 1);

    if (s == NULL) {
        throw_oom(env);
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, a, 0, n, (jbyte *)s);
    s[n] = '\0';
    if (len_out != NULL) {
        *len_out = (size_t)n;
    }
    return s;
}

static void
put(JNIEnv *env, jobjectArray strings, int index, const void *data, size_t len)
{
    jbyteArray a;

    if (len == 0 || (*env)->ExceptionCheck(env)) {
        return;
    }
    a = (*env)->NewByteArray(env, (jsize)len);
    if (a != NULL) {
        (*env)->SetByteArrayRegion(env, a, 0, (jsize)len, (const jbyte *)data);
        (*env)->SetObjectArrayElement(env, strings, index, a);
        (*env)->DeleteLocalRef(env, a);
    }
}

static void
put_str(JNIEnv *env, jobjectArray strings, int index, const char *s)
{
    put(env, strings, index, s, s != NULL ? strlen(s) : 0);
}

/* A message's fields copied out of Java (NUL-terminated); the token only where one is given. */
struct message_copy {
    hallmark_message m;
    char *channel, *from, *to, *body, *token, *subject, *reply_to;
    size_t channel_len, from_len, to_len; /* a Java String may hold U+0000 ([HM-ID-7]) */
};

/* 1 if an id of the copy holds U+0000, so that a C string would read it shorter. */
static int
message_copy_cut(const struct message_copy *mc)
{
    return strlen(mc->channel) != mc->channel_len || strlen(mc->from) != mc->from_len ||
           strlen(mc->to) != mc->to_len;
}

static int
message_copy_in(JNIEnv *env, struct message_copy *mc, jbyteArray channel, jbyteArray from,
                jbyteArray to, jbyteArray body, jbyteArray token)
{
    size_t body_len = 0, token_len = 0;

    memset(mc, 0, sizeof *mc);
    if ((mc->channel = cstring(env, channel, &mc->channel_len)) == NULL ||
        (mc->from = cstring(env, from, &mc->from_len)) == NULL ||
        (mc->to = cstring(env, to, &mc->to_len)) == NULL ||
        (mc->body = cstring(env, body, &body_len)) == NULL ||
        (token != NULL && (mc->token = cstring(env, token, &token_len)) == NULL)) {
        return 0;
    }
    mc->m.channel = mc->channel;
    mc->m.from = mc->from;
    mc->m.to = mc->to;
    mc->m.body = (const unsigned char *)mc->body;
    mc->m.body_len = body_len;
    mc->m.token = token_len > 0 ? mc->token : NULL;
    mc->m.token_len = token_len;
    return 1;
}

/* The displayed fields ([HM-VERIFY-48]), with their lengths: a U+0000 inside never matches. */
static int
message_copy_displayed(JNIEnv *env, struct message_copy *mc, jbyteArray subject,
                       jbyteArray reply_to)
{
    if ((subject != NULL && (mc->subject = cstring(env, subject, &mc->m.subject_len)) == NULL) ||
        (reply_to != NULL &&
         (mc->reply_to = cstring(env, reply_to, &mc->m.reply_to_len)) == NULL)) {
        return 0;
    }
    mc->m.subject = mc->subject;
    mc->m.reply_to = mc->reply_to;
    return 1;
}

static void
message_copy_free(struct message_copy *mc)
{
    free(mc->subject);
    free(mc->reply_to);
    free(mc->channel);
    free(mc->from);
    free(mc->to);
    free(mc->body);
    free(mc->token);
}

/* The verdict into the arrays Verification.java reads; brand data only for a full pass, and for
 * a pass at level basic only what the C result holds (no name, logo or colours: empty). */
static void
verification_out(JNIEnv *env, const hallmark_verification *out, jobjectArray strings,
                 jlongArray numbers)
{
    jlong n[N_COUNT];
    size_t i;

    memset(n, 0, sizeof n);
    n[N_CODE] = out->code;
    n[N_UI] = out->ui; /* on the message's channel ([HM-RESULT-44]) */
    put_str(env, strings, S_DETAIL, out->detail);
    if (out->code == HALLMARK_VERIFIED || out->code == HALLMARK_VERIFIED_DOMAIN) {
        put_str(env, strings, S_DOMAIN, out->signed_domain);
        put_str(env, strings, S_REPLY_TO, out->reply_to);
        n[N_SIGNED] = out->signed_fields;
        put_str(env, strings, S_BRAND_ID, out->brand_id);
        put_str(env, strings, S_NAME, out->display_name);
        put_str(env, strings, S_LOGO_URL, out->logo_url);
        put_str(env, strings, S_PRIMARY, out->color_primary);
        put_str(env, strings, S_BACKGROUND, out->color_background);
        put_str(env, strings, S_AGENT, out->agent_name);
        put_str(env, strings, S_CONV, out->conversation_id);
        put_str(env, strings, S_KID, out->key_id);
        put_str(env, strings, S_ALG, out->alg);
        put_str(env, strings, S_JTI, out->token_id);
        put(env, strings, S_LOGO_SHA256, out->logo_sha256, sizeof out->logo_sha256);
        n[N_LOGO_W] = out->logo_width;
        n[N_LOGO_H] = out->logo_height;
        n[N_LEVEL] = out->level;
        n[N_CATEGORY] = out->category;
        n[N_SENDER] = out->sender_kind;
        n[N_ACTIONS] = (jlong)out->action_count;
        n[N_IAT] = out->issued_at;
        n[N_EXP] = out->expires_at;
        for (i = 0; i < out->action_count && i < HALLMARK_MAX_ACTIONS; i++) {
            n[N_KINDS + i] = out->actions[i].kind;
            put_str(env, strings, S_LABELS + (int)i, out->actions[i].label);
            put_str(env, strings, S_URLS + (int)i, out->actions[i].url);
        }
    }
    (*env)->SetLongArrayRegion(env, numbers, 0, N_COUNT, n);
}

JNIEXPORT void JNICALL
Java_dev_hallmark_Verifier_nativeVerify(JNIEnv *env, jclass cls, jlong h, jbyteArray channel,
                                        jbyteArray from, jbyteArray to, jbyteArray body,
                                        jbyteArray token, jbyteArray subject, jbyteArray reply_to,
                                        jlong received_at, jlong now, jobjectArray strings,
                                        jlongArray numbers)
{
    hallmark_verification *out = calloc(1, sizeof *out);
    struct message_copy mc;

    (void)cls;
    if (out == NULL) {
        throw_oom(env);
        return;
    }
    if (message_copy_in(env, &mc, channel, from, to, body, token) &&
        message_copy_displayed(env, &mc, subject, reply_to)) {
        /* With the lengths: "ALPHABANK\u0000.evil" must not be read as "ALPHABANK". */
        (void)hallmark_verify_sized_at((hallmark_verifier *)(intptr_t)h, &mc.m, mc.channel_len,
                                       mc.from_len, mc.to_len, (int64_t)received_at, (int64_t)now,
                                       out);
        verification_out(env, out, strings, numbers);
    }
    message_copy_free(&mc);
    free(out);
}

/* The directory's tokens, each a byte array of the compact JWS; a token with a NUL byte could be
 * read shorter than it is, so the whole call is refused (HALLMARK_ERR_INVALID_ARGUMENT). */
JNIEXPORT void JNICALL
Java_dev_hallmark_Verifier_nativeVerifyFetched(JNIEnv *env, jclass cls, jlong h, jbyteArray channel,
                                               jbyteArray from, jbyteArray to, jbyteArray body,
                                               jbyteArray subject, jbyteArray reply_to,
                                               jobjectArray tokens, jlong received_at, jlong now,
                                               jobjectArray strings, jlongArray numbers)
{
    hallmark_verification *out = calloc(1, sizeof *out);
    jsize count = (*env)->GetArrayLength(env, tokens), i, got = 0;
    char *list[HALLMARK_FETCHED_TOKENS_MAX];
    struct message_copy mc;
    int nul = 0;

    (void)cls;
    memset(&mc, 0, sizeof mc);
    if (out == NULL) {
        throw_oom(env);
        return;
    }
    if (count > HALLMARK_FETCHED_TOKENS_MAX) {
        out->code = HALLMARK_ERR_INVALID_ARGUMENT;
        out->ui = HALLMARK_UI_API_ERROR;
        out->detail = "more tokens than a directory answer holds";
        verification_out(env, out, strings, numbers);
        free(out);
        return;
    }
    for (i = 0; i < count; i++) {
        jbyteArray t = (jbyteArray)(*env)->GetObjectArrayElement(env, tokens, i);
        size_t len = 0;
        if (t == NULL || (list[i] = cstring(env, t, &len)) == NULL) {
            goto done;
        }
        got++;
        nul |= strlen(list[i]) != len;
        (*env)->DeleteLocalRef(env, t);
    }
    if (message_copy_in(env, &mc, channel, from, to, body, NULL) &&
        message_copy_displayed(env, &mc, subject, reply_to)) {
        if (nul || message_copy_cut(&mc)) {
            out->code = HALLMARK_ERR_INVALID_ARGUMENT;
            out->ui = HALLMARK_UI_API_ERROR;
            out->detail = nul ? "a fetched token holds a NUL byte" : "an id holds U+0000";
        } else {
            (void)hallmark_verify_fetched_at((hallmark_verifier *)(intptr_t)h, &mc.m,
                                             (const char *const *)list, (size_t)count,
                                             (int64_t)received_at, (int64_t)now, out);
        }
        verification_out(env, out, strings, numbers);
    }
done:
    for (i = 0; i < got; i++) {
        free(list[i]);
    }
    message_copy_free(&mc);
    free(out);
}

JNIEXPORT jint JNICALL
Java_dev_hallmark_Verifier_nativeLookupKey(JNIEnv *env, jclass cls, jbyteArray channel,
                                           jbyteArray from, jbyteArray to, jbyteArray body,
                                           jbyteArray key_out)
{
    char key[HALLMARK_LOOKUP_KEY_LEN + 1];
    struct message_copy mc;
    hallmark_result rc = HALLMARK_ERR_NOMEM;

    (void)cls;
    if (message_copy_in(env, &mc, channel, from, to, body, NULL)) {
        rc = message_copy_cut(&mc) ? HALLMARK_ERR_INVALID_ARGUMENT
                                   : hallmark_token_lookup_key(&mc.m, key, sizeof key);
        if (rc == HALLMARK_OK) {
            (*env)->SetByteArrayRegion(env, key_out, 0, HALLMARK_LOOKUP_KEY_LEN,
                                       (const jbyte *)key);
        }
    }
    message_copy_free(&mc);
    return (jint)rc;
}

JNIEXPORT void JNICALL
Java_dev_hallmark_Verifier_nativeFree(JNIEnv *env, jclass cls, jlong h)
{
    (void)env;
    (void)cls;
    hallmark_verifier_free((hallmark_verifier *)(intptr_t)h);
}

/* hallmark_logo_check on a verification rebuilt from what the Java side holds: its result code
 * and its logo digest (32 bytes, or none when it is not a verified result). */
JNIEXPORT jint JNICALL
Java_dev_hallmark_Verifier_nativeLogoCheck(JNIEnv *env, jclass cls, jint code, jbyteArray sha256,
                                           jbyteArray png)
{
    hallmark_verification *v;
    jbyte *bytes;
    jsize len;
    hallmark_result rc;

    (void)cls;
    if (sha256 == NULL || png == NULL ||
        (*env)->GetArrayLength(env, sha256) != (jsize)sizeof v->logo_sha256) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if ((v = calloc(1, sizeof *v)) == NULL) {
        (*env)->ThrowNew(env, (*env)->FindClass(env, "java/lang/OutOfMemoryError"), "hallmark");
        return HALLMARK_ERR_NOMEM;
    }
    v->code = (hallmark_result)code;
    (*env)->GetByteArrayRegion(env, sha256, 0, (jsize)sizeof v->logo_sha256,
                               (jbyte *)v->logo_sha256);
    len = (*env)->GetArrayLength(env, png);
    /* The bytes are only hashed: a critical region copies nothing, even for a large PNG. */
    bytes = (*env)->GetPrimitiveArrayCritical(env, png, NULL);
    if (bytes == NULL) {
        free(v);
        return HALLMARK_ERR_NOMEM; /* an OutOfMemoryError is pending */
    }
    rc = hallmark_logo_check(v, (const unsigned char *)bytes, (size_t)len);
    (*env)->ReleasePrimitiveArrayCritical(env, png, bytes, JNI_ABORT);
    free(v);
    return rc;
}

/* hallmark_verifier_logos as a String array: the base64url digest and the logo.url of each logo,
 * in turn (2 entries per logo); the result code in rc_out[0]. */
JNIEXPORT jobjectArray JNICALL
Java_dev_hallmark_Verifier_nativeLogos(JNIEnv *env, jclass cls, jlong h, jintArray rc_out)
{
    hallmark_verifier *v = (hallmark_verifier *)(intptr_t)h;
    hallmark_logo_ref *refs = NULL;
    jobjectArray list = NULL;
    jint rc_value;
    size_t n = 0, i;
    hallmark_result rc;

    (void)cls;
    rc = hallmark_verifier_logos(v, NULL, 0, &n);
    if (rc == HALLMARK_ERR_BUFFER_TOO_SMALL) {
        refs = calloc(n, sizeof *refs);
        rc = refs == NULL ? HALLMARK_ERR_NOMEM : hallmark_verifier_logos(v, refs, n, &n);
    }
    if (rc == HALLMARK_OK) {
        list = (*env)->NewObjectArray(env, (jsize)(2 * n),
                                      (*env)->FindClass(env, "java/lang/String"), NULL);
        for (i = 0; list != NULL && i < n; i++) {
            jstring b64 = (*env)->NewStringUTF(env, refs[i].sha256_b64),
                    url = (*env)->NewStringUTF(env, refs[i].url);
            if (b64 == NULL || url == NULL) {
                list = NULL; /* an OutOfMemoryError is pending */
                break;
            }
            (*env)->SetObjectArrayElement(env, list, (jsize)(2 * i), b64);
            (*env)->SetObjectArrayElement(env, list, (jsize)(2 * i + 1), url);
            (*env)->DeleteLocalRef(env, b64);
            (*env)->DeleteLocalRef(env, url);
        }
    }
    free(refs);
    rc_value = (jint)rc;
    (*env)->SetIntArrayRegion(env, rc_out, 0, 1, &rc_value);
    return list;
}
