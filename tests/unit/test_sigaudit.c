/* The signer's signature log and its checkpoint (PATH.head): a log cut or rewritten since the
 * checkpoint is refused with a sentence that says which; a checkpoint that lags the log (a crash
 * between the two writes) is accepted and brought up to date. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hm_fileio.h"
#include "hm_audit.h"
#include "hm_sigaudit.h"
#include "test.h"

static int
record_n(const char *path, int n, const char *tag)
{
    hm_sigaudit *a = NULL;
    char err[512], jti[32];
    int i;

    if (hm_sigaudit_open(path, HM_SIGAUDIT_SYNC_BATCH, &a, err, sizeof err) != HALLMARK_OK) {
        (void)fprintf(stderr, "open: %s\n", err);
        return 0;
    }
    for (i = 0; i < n; i++) {
        (void)snprintf(jti, sizeof jti, "%s-%d", tag, i);
        if (hm_sigaudit_record(a, 1790000000 + i, "test", "acme-bank", "kid-1", jti,
                               "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") != HALLMARK_OK) {
            hm_sigaudit_close(a);
            return 0;
        }
    }
    hm_sigaudit_close(a);
    return 1;
}

/* Open, expecting rc and a message containing want; closes on success. */
static int
opens(const char *path, hallmark_result want_rc, const char *want)
{
    hm_sigaudit *a = NULL;
    char err[512];
    hallmark_result rc = hm_sigaudit_open(path, HM_SIGAUDIT_SYNC_EACH, &a, err, sizeof err);

    hm_sigaudit_close(a);
    if (rc != want_rc || strstr(err, want) == NULL) {
        (void)fprintf(stderr, "    open %s: %s \"%s\", want %s \"%s\"\n", path,
                      hallmark_result_name(rc), err, hallmark_result_name(want_rc), want);
        return 0;
    }
    return 1;
}

static int
copy(const char *from, const char *to)
{
    unsigned char *text = NULL;
    size_t len = 0;
    int ok = hm_read_file(from, 1 << 20, &text, &len) == HALLMARK_OK &&
             hm_atomic_write(to, text, len) == HALLMARK_OK;

    free(text);
    return ok;
}

/* Drops the last line of the file. */
static int
cut_last_line(const char *path)
{
    unsigned char *text = NULL;
    size_t len = 0;
    int ok = 0;

    if (hm_read_file(path, 1 << 20, &text, &len) == HALLMARK_OK && len > 1) {
        len--; /* the last newline */
        while (len > 0 && text[len - 1] != '\n') {
            len--;
        }
        ok = hm_atomic_write(path, text, len) == HALLMARK_OK;
    }
    free(text);
    return ok;
}

TEST(audit_walk_reports_the_head_at_a_checkpoint)
{
    char dir[] = "/tmp/hallmark-walk-XXXXXX", path[256], head[44], at[44], genesis[44];
    unsigned char *text = NULL;
    size_t len = 0, n = 0, bad = 0;

    CHECK(mkdtemp(dir) != NULL);
    (void)snprintf(path, sizeof path, "%s/sig.log", dir);
    CHECK(record_n(path, 3, "w"));
    CHECK_RC(hm_read_file(path, 1 << 20, &text, &len), HALLMARK_OK);
    CHECK_RC(hm_audit_walk(text, len, 3, &n, &bad, head, at), HALLMARK_OK);
    CHECK(n == 3);
    CHECK(strcmp(head, at) == 0); /* the head after the last entry is the head */
    CHECK_RC(hm_audit_walk(text, len, 2, &n, &bad, head, at), HALLMARK_OK);
    CHECK(strcmp(head, at) != 0 && strlen(at) == 43);
    CHECK_RC(hm_audit_walk(text, len, 4, &n, &bad, head, at), HALLMARK_OK);
    CHECK(at[0] == '\0'); /* fewer entries than the checkpoint */
    hm_audit_genesis(genesis);
    CHECK_RC(hm_audit_walk(text, len, 0, &n, &bad, head, at), HALLMARK_OK);
    CHECK(strcmp(at, genesis) == 0);
    CHECK_RC(hm_audit_walk(NULL, 0, 0, &n, &bad, head, at), HALLMARK_OK);
    CHECK(n == 0 && strcmp(head, genesis) == 0);
    CHECK_RC(hm_audit_walk(NULL, 5, 0, &n, &bad, head, at), HALLMARK_ERR_INVALID_ARGUMENT);
    text[len - 1] = 'x'; /* a torn last line */
    CHECK_RC(hm_audit_walk(text, len, 0, &n, &bad, head, at), HALLMARK_ERR_CORRUPT);
    CHECK(bad == 3);
    free(text);
    (void)unlink(path);
    (void)snprintf(path, sizeof path, "%s/sig.log.head", dir);
    (void)unlink(path);
    (void)rmdir(dir);
}

TEST(sigaudit_checkpoint_refuses_a_cut_or_rewritten_log)
{
    char dir[] = "/tmp/hallmark-sigaudit-XXXXXX", path[256], ck[256], other[256], other_ck[256],
         saved[256];
    unsigned char *text = NULL;
    size_t len = 0;

    CHECK(mkdtemp(dir) != NULL);
    (void)snprintf(path, sizeof path, "%s/sig.log", dir);
    (void)snprintf(ck, sizeof ck, "%s/sig.log.head", dir);
    (void)snprintf(other, sizeof other, "%s/other.log", dir);
    (void)snprintf(other_ck, sizeof other_ck, "%s/other.log.head", dir);
    (void)snprintf(saved, sizeof saved, "%s/saved.head", dir);

    /* A new log gets its checkpoint at open, and each close brings it up to date. */
    CHECK(opens(path, HALLMARK_OK, "ok"));
    CHECK_RC(hm_read_file(ck, 256, &text, &len), HALLMARK_OK);
    CHECK(strncmp((char *)text, "{\"entries\":0,\"head\":\"", 21) == 0);
    free(text);
    CHECK(record_n(path, 2, "a"));
    CHECK(copy(ck, saved)); /* the checkpoint after 2 entries */
    CHECK(record_n(path, 2, "b"));
    CHECK_RC(hm_read_file(ck, 256, &text, &len), HALLMARK_OK);
    CHECK(strncmp((char *)text, "{\"entries\":4,", 13) == 0);
    free(text);
    CHECK(opens(path, HALLMARK_OK, "ok"));

    /* The newest entry cut off: the chain alone still verifies, the checkpoint does not. */
    CHECK(copy(path, other));
    CHECK(cut_last_line(path));
    CHECK(opens(path, HALLMARK_ERR_CORRUPT,
                "the signature log was cut: it has 3 entries, its checkpoint recorded 4"));
    CHECK(copy(other, path));
    CHECK(opens(path, HALLMARK_OK, "ok"));

    /* The whole log replaced by another valid chain of as many entries. */
    CHECK(copy(path, saved) && copy(ck, other_ck));
    (void)unlink(other);
    (void)unlink(other_ck);
    CHECK(record_n(other, 4, "forged"));
    CHECK(copy(other, path));
    CHECK(opens(path, HALLMARK_ERR_CORRUPT,
                "the signature log was rewritten: entry 4 does not match its checkpoint"));
    CHECK(copy(saved, path));
    CHECK(opens(path, HALLMARK_OK, "ok"));

    /* No checkpoint beside a log with entries; a malformed checkpoint. */
    CHECK(copy(ck, saved));
    (void)unlink(ck);
    CHECK(opens(path, HALLMARK_ERR_CORRUPT, "has 4 entries but no checkpoint"));
    CHECK_RC(hm_atomic_write(ck, "{\"entries\":4}\n", 14), HALLMARK_OK);
    CHECK(opens(path, HALLMARK_ERR_CORRUPT, "is unreadable or malformed"));
    CHECK_RC(hm_atomic_write(ck, "{\"entries\":4,\"entries\":4,\"head\":\"x\"}", 36), HALLMARK_OK);
    CHECK(opens(path, HALLMARK_ERR_CORRUPT, "is unreadable or malformed"));

    /* A checkpoint behind the log (a crash after the log, before the checkpoint) is accepted and
     * moves forward at the next flush. */
    CHECK_RC(hm_read_file(saved, 256, &text, &len), HALLMARK_OK);
    CHECK_RC(hm_atomic_write(ck, text, len), HALLMARK_OK);
    free(text);
    CHECK(record_n(path, 1, "c"));
    CHECK_RC(hm_read_file(ck, 256, &text, &len), HALLMARK_OK);
    CHECK(strncmp((char *)text, "{\"entries\":5,", 13) == 0);
    free(text);

    /* A write cut short (crash, full disk) leaves an unfinished last line: the message says so
     * and how to cut it; once cut, the log opens. */
    {
        size_t full = 0;
        char want[600];
        CHECK_RC(hm_read_file(path, 1 << 20, &text, &len), HALLMARK_OK);
        full = len;
        free(text);
        text = NULL;
        {
            FILE *f = fopen(path, "ab");
            CHECK(f != NULL);
            if (f != NULL) {
                (void)fputs("{\"seq\":6,\"ti", f);
                (void)fclose(f);
            }
        }
        (void)snprintf(want, sizeof want,
                       "the last line (entry 6) is incomplete, left by an interrupted write; its "
                       "token was never returned. Entries 1 to 5 are intact: keep a copy, then cut "
                       "the log after them (truncate -s %zu %s)",
                       full, path);
        CHECK(opens(path, HALLMARK_ERR_CORRUPT, want));
        CHECK(truncate(path, (off_t)full) == 0);
        CHECK(opens(path, HALLMARK_OK, "ok"));
    }

    /* A broken chain is still named by its first bad entry. */
    CHECK_RC(hm_read_file(path, 1 << 20, &text, &len), HALLMARK_OK);
    text[10] ^= 1; /* inside entry 1: entry 2 no longer chains to it */
    CHECK_RC(hm_atomic_write(path, text, len), HALLMARK_OK);
    free(text);
    CHECK(opens(path, HALLMARK_ERR_CORRUPT, "hash chain is broken at entry 2"));
    CHECK_RC(hm_sigaudit_open(path, (hm_sigaudit_sync)7, &(hm_sigaudit *){NULL}, NULL, 0),
             HALLMARK_ERR_INVALID_ARGUMENT);

    (void)unlink(path);
    (void)unlink(ck);
    (void)unlink(other);
    (void)unlink(other_ck);
    (void)unlink(saved);
    (void)rmdir(dir);
}

/* hm_sigaudit_verify, for an auditor: the same checks as open, read-only (no checkpoint is made,
 * nothing locked), the entry where the chain breaks, and a checkpoint copy kept elsewhere. */
TEST(sigaudit_verify_checks_offline_and_names_the_first_bad_entry)
{
    char dir[] = "/tmp/hallmark-sigverify-XXXXXX", path[256], ck[256], copy_ck[256], err[512];
    unsigned char *text = NULL;
    size_t len = 0, n = 9, bad = 9;
    hm_sigaudit *writer = NULL;

    CHECK(mkdtemp(dir) != NULL);
    (void)snprintf(path, sizeof path, "%s/sig.log", dir);
    (void)snprintf(ck, sizeof ck, "%s/sig.log.head", dir);
    (void)snprintf(copy_ck, sizeof copy_ck, "%s/offsite.head", dir);
    CHECK(record_n(path, 4, "v"));
    CHECK_RC(hm_sigaudit_verify(path, NULL, &n, &bad, err, sizeof err), HALLMARK_OK);
    CHECK(n == 4 && bad == 0);
    /* While the signer holds the log (flock), an auditor still reads it. */
    CHECK_RC(hm_sigaudit_open(path, HM_SIGAUDIT_SYNC_EACH, &writer, err, sizeof err), HALLMARK_OK);
    CHECK_RC(hm_sigaudit_verify(path, NULL, &n, &bad, err, sizeof err), HALLMARK_OK);
    hm_sigaudit_close(writer);
    CHECK(copy(ck, copy_ck));

    /* One byte of entry 2 changed: entry 3 no longer chains to it. */
    CHECK_RC(hm_read_file(path, 1 << 20, &text, &len), HALLMARK_OK);
    {
        char *second = strchr((char *)text, '\n') + 1, *jti = strstr(second, "v-1");
        CHECK(jti != NULL);
        if (jti != NULL) {
            jti[2] = '7';
        }
    }
    CHECK_RC(hm_atomic_write(path, text, len), HALLMARK_OK);
    CHECK_RC(hm_sigaudit_verify(path, NULL, &n, &bad, err, sizeof err), HALLMARK_ERR_CORRUPT);
    CHECK(bad == 3);
    CHECK(strstr(err, "hash chain is broken at entry 3") != NULL);

    /* A new, empty log whose checkpoint is gone: intact, and a check writes no checkpoint. */
    (void)unlink(path);
    (void)unlink(ck);
    CHECK(record_n(path, 0, "none"));
    (void)unlink(ck);
    CHECK_RC(hm_sigaudit_verify(path, NULL, &n, &bad, err, sizeof err), HALLMARK_OK);
    CHECK(n == 0 && access(ck, F_OK) != 0);
    /* An empty log against the copy taken at 4 entries: cut. */
    CHECK_RC(hm_sigaudit_verify(path, copy_ck, &n, &bad, err, sizeof err), HALLMARK_ERR_CORRUPT);
    CHECK(strstr(err, "was cut: it has 0 entries, its checkpoint recorded 4") != NULL);
    CHECK_RC(hm_sigaudit_verify("/nonexistent/sig.log", NULL, &n, &bad, err, sizeof err),
             HALLMARK_ERR_IO);
    CHECK_RC(hm_sigaudit_verify(NULL, NULL, &n, &bad, err, sizeof err),
             HALLMARK_ERR_INVALID_ARGUMENT);
    free(text);
    (void)unlink(path);
    (void)unlink(ck);
    (void)unlink(copy_ck);
    (void)rmdir(dir);
}

/* Each line the signature log writes (hm_json_write) is the one the keystore's audit writer
 * (hm_audit_line, jansson) gives for the same entry, byte for byte, whatever the client's name
 * holds: the log's format and its hash chain are unchanged by issue 16. */
TEST(sigaudit_lines_as_the_audit_writer)
{
    static const char *const clients[] = {NULL,
                                          "acme-pipeline",
                                          "Zoë «ops» ✓ 日本 🙂",
                                          "quote\" back\\slash /",
                                          "ctl\x01\x1f\x7f\t\n",
                                          "mtls: CN=pipeline.acme.example, O=\"Acme\""};
    char dir[] = "/tmp/hallmark-siglines-XXXXXX", path[256], err[512], head[44];
    hm_sigaudit_entry e[3];
    hm_sigaudit *a = NULL;
    unsigned char *text = NULL;
    size_t len = 0, i, k, at = 0, entries = 0;

    CHECK(mkdtemp(dir) != NULL);
    (void)snprintf(path, sizeof path, "%s/sig.log", dir);
    CHECK_RC(hm_sigaudit_open(path, HM_SIGAUDIT_SYNC_BATCH, &a, err, sizeof err), HALLMARK_OK);
    for (i = 0; i < sizeof clients / sizeof clients[0]; i++) {
        for (k = 0; k < 3; k++) {
            e[k].brand = "acme-bank";
            e[k].kid = "BoiX_1qiVvt81f3n1FwowbmJCrqOiIMPjFhOnhQsDCM";
            e[k].jti = k == 1 ? "qIIY0hEb2JccSsgkaEZWwQ" : "AAAAAAAAAAAAAAAAAAAAAA";
            e[k].body_sha256 = "JVk_jDeCxpCcZGOawKCz8RKx5Z2ObR-Kz4DTgVohhvw";
        }
        CHECK_RC(hm_sigaudit_record_all(a, 1790000000 + (long long)i, clients[i], e, 1 + i % 3),
                 HALLMARK_OK);
    }
    CHECK_RC(hm_sigaudit_record(a, 1790000100, "bad \xc3", "b", "k", "j", "d"),
             HALLMARK_ERR_NOMEM); /* not UTF-8: refused as jansson refused it, nothing written */
    CHECK(hm_sigaudit_ok(a));
    hm_sigaudit_close(a);
    CHECK_RC(hm_read_file(path, 1 << 20, &text, &len), HALLMARK_OK);
    hm_audit_genesis(head);
    for (i = 0; i < sizeof clients / sizeof clients[0]; i++) {
        for (k = 0; k < 1 + i % 3; k++) {
            json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "client",
                                  clients[i] != NULL ? clients[i] : "-", "brand", "acme-bank",
                                  "kid", "BoiX_1qiVvt81f3n1FwowbmJCrqOiIMPjFhOnhQsDCM", "jti",
                                  k == 1 ? "qIIY0hEb2JccSsgkaEZWwQ" : "AAAAAAAAAAAAAAAAAAAAAA",
                                  "body", "JVk_jDeCxpCcZGOawKCz8RKx5Z2ObR-Kz4DTgVohhvw");
            char *want = NULL;
            size_t l;
            CHECK_RC(hm_audit_line(head, entries, o, 1790000000 + (long long)i, &want, head),
                     HALLMARK_OK);
            json_decref(o);
            l = strlen(want);
            CHECK(at + l < len && memcmp(text + at, want, l) == 0 && text[at + l] == '\n');
            free(want);
            at += l + 1;
            entries++;
        }
    }
    CHECK(at == len);
    free(text);
    (void)unlink(path);
    (void)snprintf(path, sizeof path, "%s/sig.log.head", dir);
    (void)unlink(path);
    (void)rmdir(dir);
}
