#include "hm_sigaudit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "hm_atomic.h"
#include "hm_audit.h"

#define SYNC_BATCH 256U

struct hm_sigaudit {
    pthread_mutex_t lock;
    int fd;
    int failed;
    off_t end; /* where the next line starts: a short write is cut back to here */
    size_t entries;
    unsigned long written, unsynced;
    char head[44];
};

hallmark_result
hm_sigaudit_open(const char *path, hm_sigaudit **out)
{
    hm_sigaudit *a;
    size_t entries = 0, bad = 0;
    hallmark_result rc;

    *out = NULL;
    if ((a = calloc(1, sizeof *a)) == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    rc = hm_audit_verify(path, &entries, &bad, a->head);
    if (rc == HALLMARK_ERR_IO && errno == ENOENT) {
        hm_audit_genesis(a->head);
        entries = 0;
        rc = HALLMARK_OK;
    }
    if (rc != HALLMARK_OK) {
        free(a);
        return rc;
    }
    a->entries = entries;
    a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (a->fd < 0) {
        free(a);
        return HALLMARK_ERR_IO;
    }
    /* One writer per log: two would each extend the chain from their own head. */
    if (flock(a->fd, LOCK_EX | LOCK_NB) != 0) {
        (void)close(a->fd);
        free(a);
        errno = EWOULDBLOCK;
        return HALLMARK_ERR_IO;
    }
    a->end = lseek(a->fd, 0, SEEK_END);
    if (pthread_mutex_init(&a->lock, NULL) != 0) {
        (void)close(a->fd);
        free(a);
        return HALLMARK_ERR_INTERNAL;
    }
    *out = a;
    return HALLMARK_OK;
}

hallmark_result
hm_sigaudit_record(hm_sigaudit *a, long long now, const char *client, const char *brand,
                   const char *kid, const char *jti, const char *body_sha256)
{
    json_t *e = json_pack("{s:s,s:s,s:s,s:s,s:s}", "client", client != NULL ? client : "-", "brand",
                          brand, "kid", kid, "jti", jti, "body", body_sha256);
    char *line = NULL, head[44];
    hallmark_result rc = HALLMARK_ERR_NOMEM;

    if (e == NULL) {
        return rc;
    }
    (void)pthread_mutex_lock(&a->lock);
    if (a->failed) {
        rc = HALLMARK_ERR_IO;
    } else if ((rc = hm_audit_line(a->head, a->entries, e, now, &line, head)) == HALLMARK_OK) {
        size_t n = strlen(line);
        line[n] = '\n'; /* the NUL becomes the line end; write n + 1 bytes */
        if (hm_write_all(a->fd, line, n + 1) != 0) {
            /* No torn line may stay: the chain must still verify when the disk has room again. */
            if (ftruncate(a->fd, a->end) != 0) {
                a->end = -1; /* nothing more to do here: the log is marked failed below */
            }
            a->failed = 1;
            rc = HALLMARK_ERR_IO;
        } else if (++a->unsynced >= SYNC_BATCH && fdatasync(a->fd) != 0) {
            a->failed = 1;
            rc = HALLMARK_ERR_IO;
        } else {
            a->end += (off_t)(n + 1);
            if (a->unsynced >= SYNC_BATCH) {
                a->unsynced = 0;
            }
            a->entries++;
            a->written++;
            memcpy(a->head, head, sizeof head);
        }
    }
    (void)pthread_mutex_unlock(&a->lock);
    free(line);
    json_decref(e);
    return rc;
}

hallmark_result
hm_sigaudit_flush(hm_sigaudit *a)
{
    hallmark_result rc = HALLMARK_OK;

    (void)pthread_mutex_lock(&a->lock);
    if (a->failed) {
        rc = HALLMARK_ERR_IO;
    } else if (a->unsynced > 0) {
        if (fdatasync(a->fd) != 0) {
            a->failed = 1;
            rc = HALLMARK_ERR_IO;
        } else {
            a->unsynced = 0;
        }
    }
    (void)pthread_mutex_unlock(&a->lock);
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
    (void)close(a->fd);
    (void)pthread_mutex_destroy(&a->lock);
    free(a);
}
