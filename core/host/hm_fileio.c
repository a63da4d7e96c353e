#include "hm_fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Atomic writes so far in this process, for HALLMARK_FAULT_WRITE. The keystore CLI is single
 * threaded; a data race here could only shift which write a test faults. */
static unsigned long write_count;

static void
fault_point(unsigned long write_no, int step)
{
    const char *after = getenv("HALLMARK_FAULT_AFTER"), *which = getenv("HALLMARK_FAULT_WRITE");
    unsigned long want = which != NULL ? strtoul(which, NULL, 10) : 0;

    if (after != NULL && atoi(after) == step && (want == 0 || want == write_no)) {
        abort();
    }
}

int
hm_write_all(int fd, const void *data, size_t len)
{
    const unsigned char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* fsync of the directory that holds path, so the rename itself is durable. */
static int
sync_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    int fd, rc;

    if (slash == NULL) {
        memcpy(dir, ".", 2);
    } else if (slash == path) {
        memcpy(dir, "/", 2);
    } else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof dir) {
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    rc = fsync(fd);
    (void)close(fd);
    return rc;
}

hallmark_result
hm_atomic_write(const char *path, const void *data, size_t len)
{
    char tmp[4096];
    int fd, n, saved;
    unsigned long write_no;

    if (path == NULL || (data == NULL && len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    write_no = ++write_count;
    n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return HALLMARK_ERR_IO;
    }
    /* A temp file of this name can only be one a crashed process with our PID left behind
     * (PIDs come back, and a service in a container is always PID 1): callers write under the
     * keystore lock or the signature log's flock, so no live writer owns it. O_EXCL still
     * refuses whatever appears between the two calls. */
    (void)unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return HALLMARK_ERR_IO;
    }
    fault_point(write_no, 1);
    if (hm_write_all(fd, data, len) != 0) {
        goto fail;
    }
    fault_point(write_no, 2);
    if (fsync(fd) != 0) {
        goto fail;
    }
    fault_point(write_no, 3);
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        goto fail;
    }
    fault_point(write_no, 4);
    if (sync_parent(path) != 0) {
        return HALLMARK_ERR_IO; /* renamed: the new file is in place, only durability is unknown */
    }
    fault_point(write_no, 5);
    return HALLMARK_OK;
fail:
    saved = errno;
    if (fd >= 0) {
        (void)close(fd);
    }
    (void)unlink(tmp);
    errno = saved;
    return HALLMARK_ERR_IO;
}

hallmark_result
hm_read_file(const char *path, size_t cap, unsigned char **out, size_t *len)
{
    FILE *f;
    unsigned char *buf;
    size_t n;
    int saved;

    if (path == NULL || out == NULL || len == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    *len = 0;
    f = fopen(path, "rb");
    if (f == NULL) {
        return HALLMARK_ERR_IO;
    }
    buf = malloc(cap + 1);
    if (buf == NULL) {
        (void)fclose(f);
        return HALLMARK_ERR_NOMEM;
    }
    n = fread(buf, 1, cap + 1, f);
    saved = ferror(f) ? EIO : 0;
    (void)fclose(f);
    if (saved != 0 || n > cap) {
        free(buf);
        errno = saved != 0 ? saved : EFBIG;
        return HALLMARK_ERR_IO;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return HALLMARK_OK;
}
