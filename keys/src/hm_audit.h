/* The keystore's audit log: JSON Lines, append-only in meaning, each entry hash-chained to the
 * one before it. Entry n carries "seq": n (from 1) and "prev": base64url SHA-256 of the exact
 * bytes of line n-1 (for the first entry, of the string "hallmark-audit-v1"). An append checks the
 * whole chain first and refuses to extend a broken log, then rewrites the file atomically
 * (hm_fileio), so a crash never leaves a torn line.
 *
 * Deleting the newest entries cannot be seen from the log alone; the keystore's state file
 * records the head (hash of the last line) so that it can be. */
#ifndef HM_AUDIT_H
#define HM_AUDIT_H

#include <jansson.h>
#include <stddef.h>

#include "hallmark.h"

/* Largest audit log read (64 MiB): beyond that, rotate it. */
#define HM_AUDIT_MAX ((size_t)64 * 1024 * 1024)

/*
 * Appends entry (a JSON object, borrowed; it must not contain "seq", "time" or "prev") with the
 * time now. head (may be NULL) receives the new head hash, base64url, 44 bytes with the NUL.
 * HALLMARK_OK, HALLMARK_ERR_CORRUPT (the existing chain is broken), HALLMARK_ERR_IO,
 * HALLMARK_ERR_NOMEM or HALLMARK_ERR_INVALID_ARGUMENT. A missing file starts a new log.
 */
hallmark_result hm_audit_append(const char *path, const json_t *entry, long long now,
                                char head[44]);

/* The head of an empty log: base64url SHA-256 of "hallmark-audit-v1". */
void hm_audit_genesis(char head[44]);

/*
 * Builds, without writing, the line that would follow a log of `entries` entries whose head is
 * prev: *line receives it malloc'd, without its newline; head (may be NULL) its hash. The same
 * inputs always give the same line, so a keystore can commit the line first and write it after
 * (a crash in between is completed by the next command). HALLMARK_OK, HALLMARK_ERR_NOMEM or
 * HALLMARK_ERR_INVALID_ARGUMENT.
 */
hallmark_result hm_audit_line(const char prev[44], size_t entries, const json_t *entry,
                              long long now, char **line, char head[44]);

/*
 * Appends line if, and only if, the log holds exactly `entries` valid entries ending in prev
 * (a missing file is an empty log); HALLMARK_ERR_CORRUPT otherwise. Atomic rewrite.
 */
hallmark_result hm_audit_append_line(const char *path, size_t entries, const char prev[44],
                                     const char *line);

/*
 * Checks the whole chain. *entries receives the number of entries; on HALLMARK_ERR_CORRUPT,
 * *first_bad receives the 1-based number of the first entry that is malformed, out of sequence
 * or does not chain to the one before it. head as above. A missing file is HALLMARK_ERR_IO.
 */
hallmark_result hm_audit_verify(const char *path, size_t *entries, size_t *first_bad,
                                char head[44]);

/*
 * hm_audit_verify for a log already in memory (text, len; the signer maps its log, which has no
 * size cap). Besides the count and head, head_at (may be NULL) receives the head after entry
 * at_entry (the genesis head for 0), or "" when the log holds fewer entries: a checkpoint kept
 * elsewhere shows whether the log was cut or rewritten since.
 */
hallmark_result hm_audit_walk(const unsigned char *text, size_t len, size_t at_entry,
                              size_t *entries, size_t *first_bad, char head[44], char head_at[44]);

#endif
