/* The signature log of hallmark-signer: one hash-chained JSON line per token issued (time,
 * client, brand, key id, token id, body digest), in the format of the keystore's audit log
 * (hm_audit), so `hallmark-keys`' checker and hm_audit_verify read it too. Lines are written
 * (O_APPEND) before the token is handed out and made durable (fdatasync) after each record or in
 * batches; once a write fails, every later record fails, and the caller must stop signing.
 *
 * A chain alone cannot show that its newest entries were cut off, or that the whole file was
 * replaced by another valid chain. So every flush also writes a checkpoint, PATH.head (JSON:
 * entries, head, written atomically after the log is durable), and open refuses a log that does
 * not reach the checkpoint's entry count with the checkpoint's head there. The checkpoint may lag
 * the log (a crash between the two), never lead it. Someone able to rewrite both files can still
 * rewrite history: copy the checkpoint off the host as well (spec/threat-model.md, C7/C11).
 * Thread-safe. */
#ifndef HM_SIGAUDIT_H
#define HM_SIGAUDIT_H

#include <stddef.h>

#include "hallmark.h"

typedef struct hm_sigaudit hm_sigaudit;

/* When records reach the disk. */
typedef enum {
    HM_SIGAUDIT_SYNC_BATCH = 0, /* every 256 records here, and at each hm_sigaudit_flush */
    HM_SIGAUDIT_SYNC_EACH = 1   /* before hm_sigaudit_record returns: no token outlives a crash
                                   without its record, at one fdatasync per signature */
} hm_sigaudit_sync;

/* Opens (or creates, 0600) the log at path after checking its whole chain (the file is mapped:
 * no size cap) against its checkpoint PATH.head, and locks it (flock): one writer per log.
 * HALLMARK_OK; HALLMARK_ERR_CORRUPT: broken chain, log cut or rewritten since the checkpoint, or
 * a log with entries and no checkpoint (refuse to start); HALLMARK_ERR_IO (errno EWOULDBLOCK:
 * another process writes it); HALLMARK_ERR_NOMEM. err (may be NULL) receives a sentence for the
 * operator. A write that fails is cut back, so the file never keeps a torn line. */
hallmark_result hm_sigaudit_open(const char *path, hm_sigaudit_sync sync, hm_sigaudit **out,
                                 char *err, size_t err_len);

/* Checks a log offline, for an auditor, without locking or writing anything: the whole chain,
 * and that it reaches its checkpoint (checkpoint, or PATH.head when NULL; a copy kept off the
 * host shows a log rewritten with its checkpoint). *entries receives the number of entries,
 * *first_bad the 1-based entry where the chain breaks (0 when it does not). HALLMARK_OK;
 * HALLMARK_ERR_CORRUPT (broken chain, log cut or rewritten since the checkpoint, entries without
 * a checkpoint, or a malformed checkpoint), HALLMARK_ERR_IO (the log is unreadable),
 * HALLMARK_ERR_NOMEM; err (may be NULL) receives the sentence for the operator, as
 * hm_sigaudit_open. */
hallmark_result hm_sigaudit_verify(const char *path, const char *checkpoint, size_t *entries,
                                   size_t *first_bad, char *err, size_t err_len);

/* Records one signature. HALLMARK_OK, or HALLMARK_ERR_IO once the log cannot be written (then
 * for good). Durable on return with HM_SIGAUDIT_SYNC_EACH; with BATCH every 256 records are made
 * durable here and hm_sigaudit_flush does the rest. */
hallmark_result hm_sigaudit_record(hm_sigaudit *a, long long now, const char *client,
                                   const char *brand, const char *kid, const char *jti,
                                   const char *body_sha256);

/* One signature, for hm_sigaudit_record_all. */
typedef struct hm_sigaudit_entry {
    const char *brand, *kid, *jti, *body_sha256;
} hm_sigaudit_entry;

/* Records n signatures of one client in one write (a batch request): all of them, or none
 * (HALLMARK_ERR_IO, and the log fails for good; HALLMARK_ERR_NOMEM, also for a client name that
 * is not UTF-8, and HALLMARK_ERR_INVALID_ARGUMENT, for an entry with a NULL string, write
 * nothing). Durable on return with HM_SIGAUDIT_SYNC_EACH. n == 0 is HALLMARK_OK. */
hallmark_result hm_sigaudit_record_all(hm_sigaudit *a, long long now, const char *client,
                                       const hm_sigaudit_entry *e, size_t n);

/* Makes every record so far durable (fdatasync), then writes the checkpoint. HALLMARK_OK or
 * HALLMARK_ERR_IO. */
hallmark_result hm_sigaudit_flush(hm_sigaudit *a);

/* 1 while every write so far has succeeded. */
int hm_sigaudit_ok(hm_sigaudit *a);

/* Records written since open. */
unsigned long hm_sigaudit_count(hm_sigaudit *a);

/* Flushes, closes and frees. NULL allowed. */
void hm_sigaudit_close(hm_sigaudit *a);

#endif
