/* One-line error messages into a caller's buffer: how every library on a platform's hosts (keys,
 * vetting, signer) fills an `err, err_cap` pair. */
#ifndef HM_ERRORF_H
#define HM_ERRORF_H

#include <stddef.h>

/* Formats into err (cap bytes, always NUL-terminated, truncated if need be). NULL err or zero cap
 * does nothing. */
void hm_errorf(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
