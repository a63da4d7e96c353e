/* The keystore passphrase: from a file (--passphrase-file, else $HALLMARK_PASSPHRASE_FILE) or a
 * terminal prompt, never from a command-line argument. It lives only in hm_secret_alloc memory. */
#ifndef HM_PASSPHRASE_H
#define HM_PASSPHRASE_H

#include <stddef.h>

#include "hallmark.h"

/* The longest passphrase read, in bytes; the shortest a new keystore accepts. */
#define HM_PASSPHRASE_MAX 1024U
#define HM_PASSPHRASE_MIN_NEW 12U

/*
 * Reads the passphrase. file (may be NULL) wins over $HALLMARK_PASSPHRASE_FILE, which wins over
 * the terminal (/dev/tty, echo off, with prompt). A file's first line is the passphrase (a final
 * "\n" or "\r\n" is not part of it); a file that others may read is refused. With is_new, the
 * terminal asks twice and the passphrase must have at least HM_PASSPHRASE_MIN_NEW bytes.
 * *out receives hm_secret_alloc memory (NUL-terminated; free with hm_secret_free), *len its length.
 * HALLMARK_OK; HALLMARK_ERR_IO or HALLMARK_ERR_INVALID_ARGUMENT with a one-line reason in err;
 * HALLMARK_ERR_NOMEM.
 */
hallmark_result hm_passphrase_read(const char *file, const char *prompt, int is_new, char **out,
                                   size_t *len, char *err, size_t err_cap);

#endif
