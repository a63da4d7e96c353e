#include "hm_audit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hm_fileio.h"
#include "hm_digest.h"
#include "hm_json.h"

static const char genesis[] = "hallmark-audit-v1";

/* Walks the log text; returns HALLMARK_OK with the count and head, or HALLMARK_ERR_CORRUPT with
 * the first bad entry. */
static hallmark_result
walk(const unsigned char *text, size_t len, size_t *entries, size_t *first_bad,
     char head[HM_SHA256_B64_LEN + 1], size_t at_entry, char head_at[HM_SHA256_B64_LEN + 1])
{
    size_t pos = 0, n = 0;

    (void)hm_sha256_b64url(head, (const unsigned char *)genesis, sizeof genesis - 1);
    if (head_at != NULL && at_entry == 0) {
        memcpy(head_at, head, HM_SHA256_B64_LEN + 1);
    }
    while (pos < len) {
        const unsigned char *line = text + pos, *nl = memchr(line, '\n', len - pos);
        size_t line_len;
        json_t *e = NULL;
        long long seq = 0;
        const char *prev;
        int ok;

        n++;
        if (nl == NULL) {
            *first_bad = n; /* a line without its newline was never completely written */
            return HALLMARK_ERR_CORRUPT;
        }
        line_len = (size_t)(nl - line);
        ok = hm_json_parse_object(line, line_len, line_len, 4, &e) == HALLMARK_OK &&
             hm_json_uint(e, "seq", &seq) && (size_t)seq == n &&
             (prev = hm_json_string(e, "prev", NULL)) != NULL && strcmp(prev, head) == 0;
        json_decref(e);
        if (!ok) {
            *first_bad = n;
            return HALLMARK_ERR_CORRUPT;
        }
        (void)hm_sha256_b64url(head, line, line_len);
        if (head_at != NULL && n == at_entry) {
            memcpy(head_at, head, HM_SHA256_B64_LEN + 1);
        }
        pos += line_len + 1;
    }
    *entries = n;
    return HALLMARK_OK;
}

hallmark_result
hm_audit_verify(const char *path, size_t *entries, size_t *first_bad, char head[44])
{
    unsigned char *text = NULL;
    size_t len = 0, count = 0, bad = 0;
    char h[HM_SHA256_B64_LEN + 1];
    hallmark_result rc;

    if (path == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    rc = hm_read_file(path, HM_AUDIT_MAX, &text, &len);
    if (rc != HALLMARK_OK) {
        return rc;
    }
    rc = walk(text, len, &count, &bad, h, 0, NULL);
    free(text);
    if (entries != NULL) {
        *entries = count;
    }
    if (first_bad != NULL) {
        *first_bad = bad;
    }
    if (head != NULL) {
        memcpy(head, h, sizeof h);
    }
    return rc;
}

void
hm_audit_genesis(char head[44])
{
    (void)hm_sha256_b64url(head, (const unsigned char *)genesis, sizeof genesis - 1);
}

hallmark_result
hm_audit_line(const char prev[44], size_t entries, const json_t *entry, long long now, char **line,
              char head[44])
{
    json_t *e;

    if (line == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *line = NULL;
    if (prev == NULL || !json_is_object(entry) || json_object_get(entry, "seq") != NULL ||
        json_object_get(entry, "prev") != NULL || json_object_get(entry, "time") != NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    e = json_pack("{s:I,s:I,s:s}", "seq", (json_int_t)entries + 1, "time", (json_int_t)now, "prev",
                  prev);
    if (e == NULL || json_object_update(e, (json_t *)entry) != 0 ||
        (*line = json_dumps(e, JSON_COMPACT)) == NULL) {
        json_decref(e);
        return HALLMARK_ERR_NOMEM;
    }
    json_decref(e);
    if (head != NULL) {
        (void)hm_sha256_b64url(head, (const unsigned char *)*line, strlen(*line));
    }
    return HALLMARK_OK;
}

hallmark_result
hm_audit_append_line(const char *path, size_t entries, const char prev[44], const char *line)
{
    unsigned char *text = NULL, *out = NULL;
    size_t len = 0, count = 0, bad = 0, line_len;
    char h[HM_SHA256_B64_LEN + 1];
    hallmark_result rc;

    if (path == NULL || prev == NULL || line == NULL || strchr(line, '\n') != NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    rc = hm_read_file(path, HM_AUDIT_MAX, &text, &len);
    if (rc == HALLMARK_ERR_IO && errno == ENOENT) {
        text = (unsigned char *)calloc(1, 1);
        len = 0;
        rc = text != NULL ? HALLMARK_OK : HALLMARK_ERR_NOMEM;
    }
    if (rc != HALLMARK_OK || (rc = walk(text, len, &count, &bad, h, 0, NULL)) != HALLMARK_OK) {
        goto out;
    }
    if (count != entries || strcmp(h, prev) != 0) {
        rc = HALLMARK_ERR_CORRUPT;
        goto out;
    }
    line_len = strlen(line);
    if ((out = malloc(len + line_len + 1)) == NULL) {
        rc = HALLMARK_ERR_NOMEM;
        goto out;
    }
    memcpy(out, text, len);
    memcpy(out + len, line, line_len);
    out[len + line_len] = '\n';
    rc = hm_atomic_write(path, out, len + line_len + 1);
out:
    free(text);
    free(out);
    return rc;
}

hallmark_result
hm_audit_append(const char *path, const json_t *entry, long long now, char head[44])
{
    size_t count = 0;
    char h[HM_SHA256_B64_LEN + 1], *line = NULL;
    hallmark_result rc;

    if (path == NULL || !json_is_object(entry) || json_object_get(entry, "seq") != NULL ||
        json_object_get(entry, "prev") != NULL || json_object_get(entry, "time") != NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    rc = hm_audit_verify(path, &count, NULL, h);
    if (rc == HALLMARK_ERR_IO && errno == ENOENT) {
        hm_audit_genesis(h);
        count = 0;
        rc = HALLMARK_OK;
    }
    if (rc == HALLMARK_OK) {
        rc = hm_audit_line(h, count, entry, now, &line, head);
    }
    if (rc == HALLMARK_OK) {
        rc = hm_audit_append_line(path, count, h, line);
    }
    free(line);
    return rc;
}

hallmark_result
hm_audit_walk(const unsigned char *text, size_t len, size_t at_entry, size_t *entries,
              size_t *first_bad, char head[44], char head_at[44])
{
    size_t count = 0, bad = 0;
    char h[HM_SHA256_B64_LEN + 1];
    hallmark_result rc;

    if (text == NULL && len > 0) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (head_at != NULL) {
        head_at[0] = '\0';
    }
    rc = walk(text, len, &count, &bad, h, at_entry, head_at);
    if (entries != NULL) {
        *entries = count;
    }
    if (first_bad != NULL) {
        *first_bad = bad;
    }
    if (head != NULL) {
        memcpy(head, h, sizeof h);
    }
    return rc;
}
