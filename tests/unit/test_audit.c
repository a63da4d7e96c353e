/* The hash-chained audit log: appends chain, verify names the first broken entry, a broken log
 * is never extended. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hm_fileio.h"
#include "hm_audit.h"
#include "test.h"

/* Rewrites the log with byte `at` of its text replaced by c. */
static int
poke(const char *path, size_t at, char c)
{
    unsigned char *text = NULL;
    size_t len = 0;
    int ok;

    if (hm_read_file(path, 1 << 20, &text, &len) != HALLMARK_OK || at >= len) {
        free(text);
        return 0;
    }
    text[at] = (unsigned char)c;
    ok = hm_atomic_write(path, text, len) == HALLMARK_OK;
    free(text);
    return ok;
}

/* Offset of the first occurrence of needle in line number `line` (1-based) of the log. */
static size_t
offset_in_line(const char *path, int line, const char *needle)
{
    unsigned char *text = NULL;
    size_t len = 0, pos = 0;
    char *at;
    int i;

    if (hm_read_file(path, 1 << 20, &text, &len) != HALLMARK_OK) {
        return (size_t)-1;
    }
    for (i = 1; i < line; i++) {
        pos = (size_t)((unsigned char *)memchr(text + pos, '\n', len - pos) - text) + 1;
    }
    at = strstr((char *)text + pos, needle);
    pos = at == NULL ? (size_t)-1 : (size_t)(at - (char *)text);
    free(text);
    return pos;
}

TEST(audit_chain_appends_verifies_and_names_the_first_broken_entry)
{
    char dir[] = "/tmp/hallmark-audit-XXXXXX", path[256], head[44], head2[44];
    size_t n = 0, bad = 0;
    json_t *e =
        json_pack("{s:s,s:s,s:[s],s:s,s:s,s:s}", "actor", "ops@acme", "verb", "key promote", "kids",
                  "kid-1", "before", "pending", "after", "active", "reason", "scheduled rotation");
    int i;

    CHECK(mkdtemp(dir) != NULL);
    (void)snprintf(path, sizeof path, "%s/audit.jsonl", dir);
    CHECK_RC(hm_audit_verify(path, &n, &bad, head), HALLMARK_ERR_IO); /* no log yet */
    for (i = 0; i < 3; i++) {
        CHECK_RC(hm_audit_append(path, e, 1795597200LL + i, head), HALLMARK_OK);
    }
    CHECK_RC(hm_audit_verify(path, &n, &bad, head2), HALLMARK_OK);
    CHECK(n == 3 && strcmp(head, head2) == 0);
    /* Entry 2's reason edited (still valid JSON): entry 3 no longer chains to it. */
    CHECK(poke(path, offset_in_line(path, 2, "scheduled"), 'S'));
    CHECK_RC(hm_audit_verify(path, &n, &bad, NULL), HALLMARK_ERR_CORRUPT);
    CHECK(bad == 3);
    /* A broken log is never extended. */
    CHECK_RC(hm_audit_append(path, e, 1795597300LL, NULL), HALLMARK_ERR_CORRUPT);
    /* Entry 1 renumbered: caught at entry 1 itself. */
    CHECK(poke(path, offset_in_line(path, 1, "\"seq\":1") + 6, '7'));
    CHECK_RC(hm_audit_verify(path, &n, &bad, NULL), HALLMARK_ERR_CORRUPT);
    CHECK(bad == 1);
    /* A last line without its newline was never completely written: reported, not extended. */
    CHECK_RC(hm_atomic_write(path, "{\"seq\":1}", 9), HALLMARK_OK);
    CHECK_RC(hm_audit_verify(path, &n, &bad, NULL), HALLMARK_ERR_CORRUPT);
    CHECK(bad == 1);
    CHECK_RC(hm_audit_append(NULL, e, 0, NULL), HALLMARK_ERR_INVALID_ARGUMENT);
    json_object_set_new(e, "seq", json_integer(9));
    CHECK_RC(hm_audit_append(path, e, 0, NULL), HALLMARK_ERR_INVALID_ARGUMENT);
    json_decref(e);
    CHECK(unlink(path) == 0 && rmdir(dir) == 0);
}
