#include "hm_status.h"

#include <stdlib.h>
#include <string.h>

#include "hm_b64url.h"
#include "hm_json.h"
#include "hm_jws.h"
#include "hm_text.h"

#define STATUS_MEMBERS 8U
#define BRAND_ID_MAX 63U

static hallmark_result
fail(hallmark_error *err, hallmark_result code, const char *message, const char *field)
{
    if (err != NULL) {
        err->code = code;
        err->message = message;
        err->field = field;
    }
    return code;
}

static int
compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 if s is a key id: 43 base64url characters that decode to 32 bytes. */
static int
is_kid(const char *s, size_t len)
{
    unsigned char raw[HM_SHA256_BYTES];

    return len == HM_KID_LEN && hm_b64url_decode_exact(raw, sizeof raw, s, len) == HALLMARK_OK;
}

/* Copies a revoked_keys or revoked_brands array into a sorted list with no id twice. 1 on
 * success, 0 when the array breaks the table of §6.9; *nomem is set when memory ran out. */
static int
id_list(const json_t *arr, int keys, char ***out, size_t *count, int *nomem)
{
    size_t i, n = json_array_size(arr);
    char **list;

    if (!json_is_array(arr) || n > HM_STATUS_IDS_MAX) {
        return 0;
    }
    list = calloc(n + 1, sizeof *list);
    if (list == NULL) {
        *nomem = 1;
        return 0;
    }
    *out = list;
    for (i = 0; i < n; i++) {
        const json_t *e = json_array_get(arr, i);
        const char *s = json_string_value(e);
        size_t len = json_string_length(e);

        if (s == NULL || strlen(s) != len ||
            (keys ? !is_kid(s, len) : !hm_utf8_no_controls(s, 1, BRAND_ID_MAX))) {
            return 0;
        }
        list[i] = malloc(len + 1);
        if (list[i] == NULL) {
            *nomem = 1;
            return 0;
        }
        memcpy(list[i], s, len + 1);
        *count = i + 1;
    }
    qsort(list, n, sizeof *list, compare_strings);
    for (i = 1; i < n; i++) {
        if (strcmp(list[i - 1], list[i]) == 0) {
            return 0;
        }
    }
    return 1;
}

/* Step 5 of [HM-BUNDLE-87]: the members and limits of the table of §6.9. */
static hallmark_result
read_payload(hm_status *st, const json_t *p, const char *platform, long long *serial,
             const char **digest, hallmark_error *err)
{
    const char *pf = hm_json_string(p, "platform", NULL);
    long long v = 0;
    size_t digest_len = 0;
    int nomem = 0;

    *digest = hm_json_string(p, "bundle", &digest_len);
    if (json_object_size(p) != STATUS_MEMBERS || !hm_json_uint(p, "v", &v) || v != 1 ||
        pf == NULL || !hm_json_uint(p, "serial", serial) || *digest == NULL ||
        !is_kid(*digest, digest_len) || !hm_json_uint(p, "iat", &st->iat) ||
        !hm_json_uint(p, "exp", &st->exp) || st->exp <= st->iat ||
        st->exp - st->iat > HM_STATUS_LIFETIME_MAX) {
        return fail(err, HALLMARK_STATUS_INVALID, "status payload fields", NULL);
    }
    if (!id_list(json_object_get(p, "revoked_keys"), 1, &st->keys, &st->key_count, &nomem) ||
        !id_list(json_object_get(p, "revoked_brands"), 0, &st->brands, &st->brand_count, &nomem)) {
        return nomem ? HALLMARK_ERR_NOMEM
                     : fail(err, HALLMARK_STATUS_INVALID,
                            "revoked_keys or revoked_brands breaks its limits", "revoked_keys");
    }
    if (strcmp(pf, platform) != 0) {
        return fail(err, HALLMARK_STATUS_INVALID, "status of another platform", "platform");
    }
    return HALLMARK_OK;
}

hallmark_result
hm_status_load(const hm_trust *t, const char *platform, const unsigned char *bytes, size_t len,
               long long floor, int64_t now, hm_status **out, hallmark_error *err)
{
    hm_jws jws;
    hm_pubkey key;
    json_t *payload = NULL;
    hm_status *st = NULL;
    const char *digest = NULL;
    long long serial = 0;
    hallmark_result rc;

    memset(&jws, 0, sizeof jws);
    memset(&key, 0, sizeof key);
    *out = NULL;
    if (len > HM_STATUS_MAX) {
        return fail(err, HALLMARK_STATUS_INVALID, "status larger than 256 KiB", NULL);
    }
    /* Steps 3 and 4: structure and header, then the signature; the payload stays bytes. */
    rc = hm_jws_parse(&jws, (const char *)bytes, len, HM_STATUS_MAX, "hallmark-status+jwt");
    if (rc == HALLMARK_OK && strcmp(jws.alg, "Ed25519") != 0) {
        rc = HALLMARK_MALFORMED;
    }
    if (rc != HALLMARK_OK) {
        rc = rc == HALLMARK_ERR_NOMEM
                 ? rc
                 : fail(err, HALLMARK_STATUS_INVALID, "not a well-formed status JWS", NULL);
        goto out;
    }
    rc = hm_pubkey_from_raw(&key, HM_ALG_ED25519, t->publisher_raw, HM_ED25519_PUBLIC_BYTES);
    if (rc != HALLMARK_OK) {
        rc = HALLMARK_ERR_INTERNAL;
        goto out;
    }
    if (!hm_jws_kid_is(&jws, key.kid) || jws.sig_len != HM_SIG_BYTES ||
        hm_jws_verify(&jws, &key) != HALLMARK_OK) {
        rc = fail(err, HALLMARK_STATUS_INVALID,
                  "status not signed by the publishing key of the bundle in force", "kid");
        goto out;
    }
    /* Step 5: only now the payload. */
    rc = hm_jws_payload_json(&jws, HM_JWS_DEPTH, &payload);
    if (rc != HALLMARK_OK) {
        rc = rc == HALLMARK_ERR_NOMEM
                 ? rc
                 : fail(err, HALLMARK_STATUS_INVALID, "status payload is not JSON", NULL);
        goto out;
    }
    st = calloc(1, sizeof *st);
    if (st == NULL) {
        rc = HALLMARK_ERR_NOMEM;
        goto out;
    }
    rc = read_payload(st, payload, platform, &serial, &digest, err);
    if (rc != HALLMARK_OK) {
        goto out;
    }
    if (serial < 0 || (uint64_t)serial != t->serial || strcmp(digest, t->digest) != 0) {
        rc = fail(err, HALLMARK_STATUS_OTHER_BUNDLE,
                  "status names another bundle than the one in force", "bundle");
    } else if (st->iat < floor) {
        rc = fail(err, HALLMARK_STATUS_ROLLBACK, "status older than one already accepted", "iat");
    } else if (now > st->exp) {
        rc = fail(err, HALLMARK_STATUS_STALE, "status has expired", "exp");
    } else {
        *out = st;
        st = NULL;
    }
out:
    hm_status_free(st);
    json_decref(payload);
    hm_pubkey_clear(&key);
    hm_jws_clear(&jws);
    return rc;
}

static int
listed(char *const *list, size_t n, const char *id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(list[mid], id);

        if (c == 0) {
            return 1;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return 0;
}

int
hm_status_revokes_key(const hm_status *st, const char *kid, size_t kid_len)
{
    char id[HM_KID_LEN + 1];

    if (st == NULL || kid == NULL || kid_len != HM_KID_LEN) {
        return 0;
    }
    memcpy(id, kid, HM_KID_LEN);
    id[HM_KID_LEN] = '\0';
    return listed(st->keys, st->key_count, id);
}

int
hm_status_revokes_brand(const hm_status *st, const char *brand)
{
    return st != NULL && brand != NULL && listed(st->brands, st->brand_count, brand);
}

void
hm_status_free(hm_status *st)
{
    size_t i;

    if (st == NULL) {
        return;
    }
    for (i = 0; st->keys != NULL && st->keys[i] != NULL; i++) {
        free(st->keys[i]);
    }
    for (i = 0; st->brands != NULL && st->brands[i] != NULL; i++) {
        free(st->brands[i]);
    }
    free(st->keys);
    free(st->brands);
    free(st);
}
