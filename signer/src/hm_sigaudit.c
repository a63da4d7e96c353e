#include "hm_sigaudit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hm_fileio.h"
#include "hm_audit.h"
#include "hm_b64url.h"
#include "hm_digest.h"
#include "hm_json.h"
#include "hm_json_write.h"
#include "hm_errorf.h"

#define SYNC_BATCH 256U
#define CHECKPOINT_MAX 256U
/* A record's line is about 230 bytes: one, or a few, fit on the stack; a batch goes to the heap. */
#define SIGAUDIT_STACK 1024U

struct hm_sigaudit {
    pthread_mutex_t lock;       /* the log and its in-memory head */
    pthread_mutex_t checkpoint; /* one checkpoint writer at a time */
    int fd;
    int failed;
    int readonly; /* hm_sigaudit_verify: check only, write no checkpoint */
    hm_sigaudit_sync sync;
    size_t first_bad; /* after check_log: the entry where the chain broke, else 0 */
    off_t end;        /* where the next line starts: a short write is cut back to here */
    size_t entries, checkpointed;
    unsigned long written, unsynced;
    char head[44];
    char *checkpoint_path;
};

/* The checkpoint: {"entries":N,"head":"..."}. 1 when read, 0 when absent, -1 when malformed. */
static int
read_checkpoint(const char *path, size_t *entries, char head[44])
{
    unsigned char *text = NULL;
    size_t len = 0, head_len = 0;
    json_t *o = NULL;
    long long n = 0;
    const char *h;
    int got = -1;

    if (hm_read_file(path, CHECKPOINT_MAX, &text, &len) != HALLMARK_OK) {
        return errno == ENOENT ? 0 : -1;
    }
    while (len > 0 && text[len - 1] == '\n') {
        len--;
    }
    if (hm_json_parse_object(text, len, CHECKPOINT_MAX, 2, &o) == HALLMARK_OK &&
        json_object_size(o) == 2 && hm_json_uint(o, "entries", &n) &&
        (h = hm_json_string(o, "head", &head_len)) != NULL && head_len == 43) {
        *entries = (size_t)n;
        memcpy(head, h, 44);
        got = 1;
    }
    json_decref(o);
    free(text);
    return got;
}

static hallmark_result
write_checkpoint(const char *path, size_t entries, const char head[44])
{
    char text[CHECKPOINT_MAX];
    int n = snprintf(text, sizeof text, "{\"entries\":%zu,\"head\":\"%s\"}\n", entries, head);

    return n > 0 && (size_t)n < sizeof text ? hm_atomic_write(path, text, (size_t)n)
                                            : HALLMARK_ERR_INTERNAL;
}

/* Walks the log open on fd (mapped, so it has no size cap) and holds it to the checkpoint. */
static hallmark_result
check_log(hm_sigaudit *a, const char *path, char *err, size_t err_len)
{
    struct stat st;
    void *map = NULL;
    size_t len, entries = 0, bad = 0, at = 0, good_len = 0, complete = 0;
    char head_at[44], want[44];
    unsigned char last_byte = '\n';
    int have;
    hallmark_result rc;

    if (fstat(a->fd, &st) != 0) {
        return HALLMARK_ERR_IO;
    }
    len = (size_t)st.st_size;
    if (len > 0 && (map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, a->fd, 0)) == MAP_FAILED) {
        return HALLMARK_ERR_IO;
    }
    have = read_checkpoint(a->checkpoint_path, &at, want);
    rc = hm_audit_walk(map, len, have == 1 ? at : 0, &entries, &bad, a->head, head_at);
    if (map != NULL) {
        const unsigned char *text = map, *nl = text;
        last_byte = text[len - 1];
        while ((nl = memchr(nl, '\n', len - (size_t)(nl - text))) != NULL) {
            complete++;
            good_len = (size_t)(++nl - text);
            if (good_len == len) {
                break;
            }
        }
        (void)munmap(map, len);
    }
    a->end = (off_t)len;
    a->entries = entries;
    a->first_bad = rc == HALLMARK_ERR_CORRUPT ? bad : 0;
    if (rc == HALLMARK_ERR_CORRUPT && last_byte != '\n' && bad == complete + 1 &&
        (have != 1 || at <= complete)) {
        /* Only the last line is unfinished: a write that a crash or a full disk interrupted.
         * Its token was never handed out (a record is written before its token). */
        hm_errorf(
            err, err_len,
            "%s: the last line (entry %zu) is incomplete, left by an interrupted write; its token "
            "was never returned. Entries 1 to %zu are intact: keep a copy, then cut the log "
            "after them (truncate -s %zu %s) and start again",
            path, bad, complete, good_len, path);
    } else if (rc == HALLMARK_ERR_CORRUPT) {
        hm_errorf(err, err_len, "%s: the signature log's hash chain is broken at entry %zu", path,
                  bad);
    } else if (rc != HALLMARK_OK) {
        hm_errorf(err, err_len, "%s: cannot check the signature log", path);
    } else if (have < 0) {
        hm_errorf(err, err_len, "%s: its checkpoint %s is unreadable or malformed", path,
                  a->checkpoint_path);
        rc = HALLMARK_ERR_CORRUPT;
    } else if (have == 0 && entries > 0) {
        hm_errorf(
            err, err_len,
            "%s: the signature log has %zu entries but no checkpoint %s: restore the checkpoint "
            "from a backup, or move the log aside to start a new one",
            path, entries, a->checkpoint_path);
        rc = HALLMARK_ERR_CORRUPT;
    } else if (have == 1 && entries < at) {
        hm_errorf(err, err_len,
                  "%s: the signature log was cut: it has %zu entries, its checkpoint recorded %zu",
                  path, entries, at);
        rc = HALLMARK_ERR_CORRUPT;
    } else if (have == 1 && strcmp(head_at, want) != 0) {
        hm_errorf(err, err_len,
                  "%s: the signature log was rewritten: entry %zu does not match its checkpoint",
                  path, at);
        rc = HALLMARK_ERR_CORRUPT;
    } else {
        a->checkpointed = have == 1 ? at : 0;
        if (have == 0 && !a->readonly &&
            write_checkpoint(a->checkpoint_path, 0, a->head) != HALLMARK_OK) {
            hm_errorf(err, err_len, "%s: cannot write %s: %s", path, a->checkpoint_path,
                      strerror(errno));
            rc = HALLMARK_ERR_IO;
        }
    }
    return rc;
}

static void
free_audit(hm_sigaudit *a)
{
    if (a->fd >= 0) {
        (void)close(a->fd);
    }
    free(a->checkpoint_path);
    free(a);
}

hallmark_result
hm_sigaudit_open(const char *path, hm_sigaudit_sync sync, hm_sigaudit **out, char *err,
                 size_t err_len)
{
    hm_sigaudit *a;
    size_t plen;
    hallmark_result rc;

    *out = NULL;
    hm_errorf(err, err_len, "%s: out of memory", path != NULL ? path : "(null)");
    if (path == NULL || (sync != HM_SIGAUDIT_SYNC_BATCH && sync != HM_SIGAUDIT_SYNC_EACH)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if ((a = calloc(1, sizeof *a)) == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    a->fd = -1;
    a->sync = sync;
    plen = strlen(path);
    if ((a->checkpoint_path = malloc(plen + sizeof ".head")) == NULL) {
        free_audit(a);
        return HALLMARK_ERR_NOMEM;
    }
    memcpy(a->checkpoint_path, path, plen);
    memcpy(a->checkpoint_path + plen, ".head", sizeof ".head");
    /* Lock first, then read: no other writer can extend the log while it is being checked. */
    a->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (a->fd < 0) {
        hm_errorf(err, err_len, "%s: %s", path, strerror(errno));
        free_audit(a);
        return HALLMARK_ERR_IO;
    }
    if (flock(a->fd, LOCK_EX | LOCK_NB) != 0) {
        hm_errorf(err, err_len, "%s: another process is writing this signature log", path);
        free_audit(a);
        errno = EWOULDBLOCK;
        return HALLMARK_ERR_IO;
    }
    if ((rc = check_log(a, path, err, err_len)) != HALLMARK_OK) {
        free_audit(a);
        return rc;
    }
    if (pthread_mutex_init(&a->lock, NULL) != 0) {
        free_audit(a);
        return HALLMARK_ERR_INTERNAL;
    }
    if (pthread_mutex_init(&a->checkpoint, NULL) != 0) {
        (void)pthread_mutex_destroy(&a->lock);
        free_audit(a);
        return HALLMARK_ERR_INTERNAL;
    }
    hm_errorf(err, err_len, "ok");
    *out = a;
    return HALLMARK_OK;
}

hallmark_result
hm_sigaudit_verify(const char *path, const char *checkpoint, size_t *entries, size_t *first_bad,
                   char *err, size_t err_len)
{
    hm_sigaudit a;
    size_t plen;
    hallmark_result rc;

    memset(&a, 0, sizeof a);
    *entries = 0;
    *first_bad = 0;
    hm_errorf(err, err_len, "%s: out of memory", path != NULL ? path : "(null)");
    if (path == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    a.readonly = 1;
    plen = strlen(path);
    if ((a.checkpoint_path =
             malloc(checkpoint != NULL ? strlen(checkpoint) + 1 : plen + sizeof ".head")) == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    if (checkpoint != NULL) {
        memcpy(a.checkpoint_path, checkpoint, strlen(checkpoint) + 1);
    } else {
        memcpy(a.checkpoint_path, path, plen);
        memcpy(a.checkpoint_path + plen, ".head", sizeof ".head");
    }
    if ((a.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        hm_errorf(err, err_len, "%s: %s", path, strerror(errno));
        free(a.checkpoint_path);
        return HALLMARK_ERR_IO;
    }
    rc = check_log(&a, path, err, err_len);
    *entries = a.entries;
    *first_bad = a.first_bad;
    if (rc == HALLMARK_OK) {
        hm_errorf(err, err_len, "ok");
    }
    (void)close(a.fd);
    free(a.checkpoint_path);
    return rc;
}

/* The lines of entries e[0..n) after the log's head, appended to w, each with its newline;
 * *head_out their new head. Called with the lock held (the chain continues from a->head). The
 * bytes are those hm_audit_line writes for the same entry: "seq", "time", "prev", then the
 * entry's members in order, compact. */
static hallmark_result
build_lines(const hm_sigaudit *a, long long now, const char *client, const hm_sigaudit_entry *e,
            size_t n, hm_json_writer *w, char head_out[44])
{
    char head[44];
    size_t i;

    memcpy(head, a->head, sizeof head);
    for (i = 0; i < n; i++) {
        size_t start = w->len, end = 0;
        unsigned char digest[HM_SHA256_BYTES];
        hm_sha256_stream h;
        const char *text;

        if (e[i].brand == NULL || e[i].kid == NULL || e[i].jti == NULL ||
            e[i].body_sha256 == NULL) {
            return HALLMARK_ERR_INVALID_ARGUMENT;
        }
        hm_json_write_lit(w, "{\"seq\":");
        hm_json_write_int(w, (long long)a->entries + (long long)i + 1);
        hm_json_write_lit(w, ",\"time\":");
        hm_json_write_int(w, now);
        hm_json_write_member(w, ",\"prev\":", head);
        hm_json_write_member(w, ",\"client\":", client != NULL ? client : "-");
        hm_json_write_member(w, ",\"brand\":", e[i].brand);
        hm_json_write_member(w, ",\"kid\":", e[i].kid);
        hm_json_write_member(w, ",\"jti\":", e[i].jti);
        hm_json_write_member(w, ",\"body\":", e[i].body_sha256);
        hm_json_write_lit(w, "}");
        if ((text = hm_json_write_text(w, &end)) == NULL) {
            return HALLMARK_ERR_NOMEM; /* or a client name that is not UTF-8, as jansson refused */
        }
        /* The head: hm_sha256_b64url's digest, on the stream, which runs OpenSSL's SHA-256
         * (the CPU's SHA instructions) where the build has it, not libsodium's portable code. */
        hm_sha256_begin(&h);
        hm_sha256_add(&h, text + start, end - start);
        hm_sha256_end(&h, digest);
        (void)hm_b64url_encode_public(head, digest, sizeof digest);
        hm_json_write_lit(w, "\n");
    }
    memcpy(head_out, head, sizeof head);
    return HALLMARK_OK;
}

hallmark_result
hm_sigaudit_record_all(hm_sigaudit *a, long long now, const char *client,
                       const hm_sigaudit_entry *e, size_t n)
{
    char stack[SIGAUDIT_STACK], head[44];
    hm_json_writer w;
    const char *text = NULL;
    size_t len = 0;
    hallmark_result rc;

    if (a == NULL || (e == NULL && n > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (n == 0) {
        return HALLMARK_OK;
    }
    hm_json_write_init(&w, stack, sizeof stack);
    (void)pthread_mutex_lock(&a->lock);
    if (a->failed) {
        rc = HALLMARK_ERR_IO;
    } else if ((rc = build_lines(a, now, client, e, n, &w, head)) == HALLMARK_OK &&
               (text = hm_json_write_text(&w, &len)) == NULL) {
        rc = HALLMARK_ERR_NOMEM;
    } else if (rc == HALLMARK_OK) {
        if (hm_write_all(a->fd, text, len) != 0) {
            /* No torn line may stay: the chain must still verify when the disk has room again. */
            if (ftruncate(a->fd, a->end) != 0) {
                a->end = -1; /* nothing more to do here: the log is marked failed below */
            }
            a->failed = 1;
            rc = HALLMARK_ERR_IO;
        } else if (((a->unsynced += n) >= SYNC_BATCH || a->sync == HM_SIGAUDIT_SYNC_EACH) &&
                   fdatasync(a->fd) != 0) {
            a->failed = 1;
            rc = HALLMARK_ERR_IO;
        } else {
            a->end += (off_t)len;
            if (a->unsynced >= SYNC_BATCH || a->sync == HM_SIGAUDIT_SYNC_EACH) {
                a->unsynced = 0;
            }
            a->entries += n;
            a->written += n;
            memcpy(a->head, head, sizeof head);
        }
    }
    (void)pthread_mutex_unlock(&a->lock);
    hm_json_write_release(&w);
    return rc;
}

hallmark_result
hm_sigaudit_record(hm_sigaudit *a, long long now, const char *client, const char *brand,
                   const char *kid, const char *jti, const char *body_sha256)
{
    hm_sigaudit_entry e;

    e.brand = brand;
    e.kid = kid;
    e.jti = jti;
    e.body_sha256 = body_sha256;
    return hm_sigaudit_record_all(a, now, client, &e, 1);
}

hallmark_result
hm_sigaudit_flush(hm_sigaudit *a)
{
    hallmark_result rc = HALLMARK_OK;
    size_t entries;
    char head[44];

    int need_sync;

    (void)pthread_mutex_lock(&a->checkpoint);
    (void)pthread_mutex_lock(&a->lock);
    rc = a->failed ? HALLMARK_ERR_IO : HALLMARK_OK;
    need_sync = a->unsynced > 0;
    a->unsynced = 0;
    entries = a->entries;
    memcpy(head, a->head, sizeof head);
    (void)pthread_mutex_unlock(&a->lock);
    /* Outside the log's lock, so that signing goes on meanwhile: fdatasync covers every line
     * written before it, the snapshot's among them, so once it returns everything up to
     * `entries` is durable and the checkpoint never leads the log. */
    if (rc == HALLMARK_OK && need_sync && fdatasync(a->fd) != 0) {
        (void)pthread_mutex_lock(&a->lock);
        a->failed = 1;
        (void)pthread_mutex_unlock(&a->lock);
        rc = HALLMARK_ERR_IO;
    }
    if (rc == HALLMARK_OK && entries != a->checkpointed) {
        if (write_checkpoint(a->checkpoint_path, entries, head) != HALLMARK_OK) {
            (void)pthread_mutex_lock(&a->lock);
            a->failed = 1;
            (void)pthread_mutex_unlock(&a->lock);
            rc = HALLMARK_ERR_IO;
        } else {
            a->checkpointed = entries;
        }
    }
    (void)pthread_mutex_unlock(&a->checkpoint);
    return rc;
}

int
hm_sigaudit_ok(hm_sigaudit *a)
{
    int ok;

    (void)pthread_mutex_lock(&a->lock);
    ok = !a->failed;
    (void)pthread_mutex_unlock(&a->lock);
    return ok;
}

unsigned long
hm_sigaudit_count(hm_sigaudit *a)
{
    unsigned long n;

    (void)pthread_mutex_lock(&a->lock);
    n = a->written;
    (void)pthread_mutex_unlock(&a->lock);
    return n;
}

void
hm_sigaudit_close(hm_sigaudit *a)
{
    if (a == NULL) {
        return;
    }
    (void)hm_sigaudit_flush(a);
    (void)pthread_mutex_destroy(&a->lock);
    (void)pthread_mutex_destroy(&a->checkpoint);
    free_audit(a);
}
