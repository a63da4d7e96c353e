/* Where an installed program finds its data: PREFIX/share/hallmark, found from the program's own
 * location (PREFIX/bin), so that an install into any prefix cites its own files. */
#ifndef HM_DATADIR_H
#define HM_DATADIR_H

#include <stddef.h>

/* The absolute path of share/hallmark/name beside the running program's bin/ folder when that
 * file exists; else fallback (e.g. its place in the source tree). out receives it, NUL-terminated
 * and cut at cap; returns out. */
const char *hm_datadir_path(const char *name, const char *fallback, char *out, size_t cap);

#endif
