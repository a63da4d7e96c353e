#include "hm_errorf.h"

#include <stdarg.h>
#include <stdio.h>

void
hm_errorf(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (err != NULL && cap > 0) {
        /* clang 14 reports an uninitialized va_list here: a false positive. */
        (void)vsnprintf(err, cap, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
    }
    va_end(ap);
}
