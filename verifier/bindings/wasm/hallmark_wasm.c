/* The WebAssembly face of libhallmark: flat calls the JavaScript package (hallmark.js) makes, over
 * the same verifier code as the C library (verifier/src, core). Times cross as doubles (exact for
 * every Unix time in seconds), results as the C codes, and a verdict as the JSON of
 * hallmark-verify --json (verify_json.c), so JavaScript never reads a C struct's layout. Strings
 * returned by hmw_verify and hmw_logos are the caller's to free with free(). Built by
 * tools/build-wasm.sh with emcc; never part of the native build. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "hallmark.h"
#include "hallmark_wasm.h"
#include "hm_b64url.h"
#include "verify_json.h"

/* Kept and exported by emcc; a plain function elsewhere (clang-tidy, cppcheck read it natively). */
#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#define HMW_API EMSCRIPTEN_KEEPALIVE
#else
#define HMW_API
#endif

/* A new verifier in *out, or NULL; the result of hallmark_verifier_create. */
HMW_API int
hmw_create(hallmark_verifier **out, const char *platform, const char *const *roots, size_t count,
           size_t threshold)
{
    return (int)hallmark_verifier_create(out, platform, roots, count, threshold);
}

HMW_API void
hmw_free(hallmark_verifier *v)
{
    hallmark_verifier_free(v);
}

/* A bundle load (status 0) or a status load (status 1): the next state goes to state_out
 * (HALLMARK_TRUST_STATE_MAX bytes), its length to *state_out_len, and on failure the static
 * detail to err_message and err_field (NULL when none). */
HMW_API int
hmw_load(hallmark_verifier *v, int status, const unsigned char *data, size_t len,
         const unsigned char *state, size_t state_len, double now, unsigned char *state_out,
         size_t *state_out_len, const char **err_message, const char **err_field)
{
    hallmark_error err = {HALLMARK_OK, NULL, NULL};
    hallmark_result rc =
        status
            ? hallmark_verifier_load_status(v, data, len, state, state_len, (int64_t)now, state_out,
                                            HALLMARK_TRUST_STATE_MAX, state_out_len, &err)
            : hallmark_verifier_load(v, data, len, state, state_len, (int64_t)now, state_out,
                                     HALLMARK_TRUST_STATE_MAX, state_out_len, &err);

    *err_message = err.message;
    *err_field = err.field;
    return (int)rc;
}

/* An id with a zero byte inside, for a call that takes C strings: [HM-ID-7] gives it the verdict
 * of any id that is valid for no channel, so it is replaced by one ("\x01", a C0 control,
 * [HM-ID-6]) rather than cut at the zero. */
static const char *
whole_id(const char *id, size_t len)
{
    return strlen(id) == len ? id : "\x01";
}

/* Verifies one message: with its own token (token_count < 0) or with the tokens the directory
 * returned for it (hallmark_verify_fetched_at). subject and reply_to are NULL when not displayed.
 * Returns the verdict as the JSON text of hallmark-verify --json ("result", "message", "ui", and
 * on a pass "brand" and "jti"), or NULL when memory runs out. */
HMW_API char *
hmw_verify(hallmark_verifier *v, const char *channel, size_t channel_len, const char *from,
           size_t from_len, const char *to, size_t to_len, const unsigned char *body,
           size_t body_len, const char *token, size_t token_len, const char *subject,
           size_t subject_len, const char *reply_to, size_t reply_to_len, const char *const *tokens,
           int token_count, double received_at, double now)
{
    hallmark_message m;
    hallmark_verification out;
    hallmark_result rc;
    json_t *doc;
    char *text;

    memset(&m, 0, sizeof m);
    m.channel = channel;
    m.from = from;
    m.to = to;
    m.body = body;
    m.body_len = body_len;
    m.token = token;
    m.token_len = token_len;
    m.subject = subject;
    m.subject_len = subject_len;
    m.reply_to = reply_to;
    m.reply_to_len = reply_to_len;
    if (token_count < 0) {
        rc = hallmark_verify_sized_at(v, &m, channel_len, from_len, to_len, (int64_t)received_at,
                                      (int64_t)now, &out);
    } else {
        if (strlen(channel) != channel_len) {
            rc = HALLMARK_ERR_INVALID_ARGUMENT; /* as hallmark_verify_sized */
            memset(&out, 0, sizeof out);
            out.ui = hallmark_ui_class(rc);
        } else {
            m.from = whole_id(from, from_len);
            m.to = whole_id(to, to_len);
            rc = hallmark_verify_fetched_at(v, &m, tokens, (size_t)token_count,
                                            (int64_t)received_at, (int64_t)now, &out);
        }
    }
    doc = json_pack("{s:s,s:s,s:s}", "result", hallmark_result_name(rc), "message",
                    hallmark_strerror(rc), "ui", hallmark_ui_class_name(out.ui));
    if (doc == NULL) {
        return NULL;
    }
    if (rc == HALLMARK_VERIFIED || rc == HALLMARK_VERIFIED_DOMAIN) {
        json_object_set_new(doc, "brand", verify_json_brand(&out, NULL));
        json_object_set_new(doc, "jti", json_string(out.token_id));
    }
    text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

/* hallmark_verdict_still_valid. */
HMW_API int
hmw_recheck(hallmark_verifier *v, const char *iss, const char *kid, double iat, double now)
{
    return (int)hallmark_verdict_still_valid(v, iss, kid, (int64_t)iat, (int64_t)now);
}

/* hallmark_token_lookup_key into out (HALLMARK_LOOKUP_KEY_LEN + 1 bytes). */
HMW_API int
hmw_lookup_key(const char *channel, size_t channel_len, const char *from, size_t from_len,
               const char *to, size_t to_len, const unsigned char *body, size_t body_len, char *out)
{
    hallmark_message m;

    if (strlen(channel) != channel_len) {
        return (int)HALLMARK_ERR_INVALID_ARGUMENT;
    }
    memset(&m, 0, sizeof m);
    m.channel = channel;
    m.from = whole_id(from, from_len);
    m.to = whole_id(to, to_len);
    m.body = body;
    m.body_len = body_len;
    return (int)hallmark_token_lookup_key(&m, out, HALLMARK_LOOKUP_KEY_LEN + 1);
}

/* The logos of the bundle in force (hallmark_verifier_logos) as a JSON array of
 * {"sha256": base64url, "url": string or absent}; *rc receives the result. */
HMW_API char *
hmw_logos(hallmark_verifier *v, int *rc)
{
    size_t count = 0, i;
    hallmark_logo_ref *refs = NULL;
    json_t *list;
    char *text = NULL;
    hallmark_result r = hallmark_verifier_logos(v, NULL, 0, &count);

    if (r == HALLMARK_ERR_BUFFER_TOO_SMALL) {
        refs = calloc(count, sizeof *refs);
        r = refs == NULL ? HALLMARK_ERR_NOMEM : hallmark_verifier_logos(v, refs, count, &count);
    }
    *rc = (int)r;
    if (r != HALLMARK_OK) {
        free(refs);
        return NULL;
    }
    list = json_array();
    for (i = 0; list != NULL && refs != NULL && i < count; i++) {
        json_t *one = json_pack("{s:s}", "sha256", refs[i].sha256_b64);

        if (one != NULL && refs[i].url[0] != '\0') {
            json_object_set_new(one, "url", json_string(refs[i].url));
        }
        json_array_append_new(list, one);
    }
    if (list != NULL) {
        text = json_dumps(list, JSON_COMPACT);
    }
    json_decref(list);
    free(refs);
    if (text == NULL) {
        *rc = (int)HALLMARK_ERR_NOMEM;
    }
    return text;
}

/* Checks png against a logo digest given as its base64url (a verdict's brand.logo.sha256 or a
 * logo of hmw_logos): hallmark_logo_ref_check. */
HMW_API int
hmw_logo_check(const char *sha256_b64, const unsigned char *png, size_t len)
{
    hallmark_logo_ref ref;
    size_t n = 0;

    memset(&ref, 0, sizeof ref);
    if (hm_b64url_decode(ref.sha256, sizeof ref.sha256, sha256_b64, strlen(sha256_b64), &n) !=
            HALLMARK_OK ||
        n != sizeof ref.sha256) {
        return (int)HALLMARK_ERR_INVALID_ARGUMENT;
    }
    return (int)hallmark_logo_ref_check(&ref, png, len);
}

HMW_API const char *
hmw_result_name(int code)
{
    return hallmark_result_name((hallmark_result)code);
}

HMW_API const char *
hmw_strerror(int code)
{
    return hallmark_strerror((hallmark_result)code);
}

HMW_API const char *
hmw_ui_class_name(int code, const char *channel)
{
    return hallmark_ui_class_name(hallmark_ui_class_on((hallmark_result)code, channel));
}

HMW_API size_t
hmw_state_max(void)
{
    return HALLMARK_TRUST_STATE_MAX;
}
