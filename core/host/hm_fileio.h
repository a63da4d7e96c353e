/* File I/O for the programs that run on a platform's hosts (hallmark-keys, hallmark-signer, the
 * test and bench tools); never linked into the app library, which reads no files.
 *
 * Three jobs: crash-safe state files (temp file, O_EXCL, 0600, + write + fsync + rename +
 * directory fsync, so a crash at any step leaves either the old file or the new one), whole writes
 * to a descriptor, and whole reads of a file with a size cap.
 *
 * Fault injection for tests: when the environment variable HALLMARK_FAULT_AFTER is N (1-5), the
 * process aborts right after step N of an atomic write:
 *   1 temp file created, 2 data written, 3 temp file fsynced, 4 renamed, 5 directory fsynced.
 * With HALLMARK_FAULT_WRITE=K as well, only the K-th atomic write of the process (from 1) is
 * faulted, so a test can stop a command that writes several files at each write in turn.
 * Both are read at every call and only have an effect when set. */
#ifndef HM_FILEIO_H
#define HM_FILEIO_H

#include <stddef.h>

#include "hallmark.h"

/* Writes len bytes to path atomically with mode 0600. HALLMARK_OK or HALLMARK_ERR_IO (errno is
 * kept for the caller's message); on failure the previous file, if any, is untouched and no
 * temp file is left behind. */
hallmark_result hm_atomic_write(const char *path, const void *data, size_t len);

/* Writes all len bytes to fd, retrying short writes and EINTR. 0, or -1 with errno set. */
int hm_write_all(int fd, const void *data, size_t len);

/* Reads a whole file of at most cap bytes into a malloc'd, NUL-terminated buffer. HALLMARK_OK,
 * HALLMARK_ERR_IO (errno set; EFBIG when larger than cap) or HALLMARK_ERR_NOMEM. */
hallmark_result hm_read_file(const char *path, size_t cap, unsigned char **out, size_t *len);

#endif
