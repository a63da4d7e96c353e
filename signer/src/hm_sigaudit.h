/* The signature log of hallmark-signer: one hash-chained JSON line per token issued (time,
 * client, brand, key id, token id, body digest), in the format of the keystore's audit log
 * (hm_audit), so `hallmark-keys`' checker and hm_audit_verify read it too. Lines are written
 * (O_APPEND) before the token is handed out and made durable in batches (fdatasync); once a write
 * fails, every later record fails, and the caller must stop signing. Thread-safe. */
#ifndef HM_SIGAUDIT_H
#define HM_SIGAUDIT_H

#include <stddef.h>

#include "hallmark.h"

typedef struct hm_sigaudit hm_sigaudit;

/* Opens (or creates, 0600) the log at path after checking its whole chain, and locks it (flock):
 * one writer per log. HALLMARK_OK, HALLMARK_ERR_CORRUPT (broken chain: refuse to start),
 * HALLMARK_ERR_IO (errno EWOULDBLOCK: another process writes it), HALLMARK_ERR_NOMEM. A write that
 * fails is cut back, so the file never keeps a torn line. */
hallmark_result hm_sigaudit_open(const char *path, hm_sigaudit **out);

/* Records one signature. HALLMARK_OK, or HALLMARK_ERR_IO once the log cannot be written (then
 * for good). Every 256 records are made durable here; hm_sigaudit_flush does the rest. */
hallmark_result hm_sigaudit_record(hm_sigaudit *a, long long now, const char *client,
                                   const char *brand, const char *kid, const char *jti,
                                   const char *body_sha256);

/* Makes every record so far durable (fdatasync). HALLMARK_OK or HALLMARK_ERR_IO. */
hallmark_result hm_sigaudit_flush(hm_sigaudit *a);

/* 1 while every write so far has succeeded. */
int hm_sigaudit_ok(hm_sigaudit *a);

/* Records written since open. */
unsigned long hm_sigaudit_count(hm_sigaudit *a);

/* Flushes, closes and frees. NULL allowed. */
void hm_sigaudit_close(hm_sigaudit *a);

#endif
