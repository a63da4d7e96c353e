/* hallmark-verify --logo-dir: the app's logo store, filled when a bundle loads and read when a
 * message is shown (spec §5.3, [HM-CRED-78]: never a fetch at display, which is a read receipt).
 * Each logo is DIR/<base64url sha256>.png, written atomically after its digest check. */
#ifndef VERIFY_LOGOS_H
#define VERIFY_LOGOS_H

#include <stddef.h>

#include "hallmark.h"
#include "hm_b64url.h"

struct verify_logo_counts {
    size_t held;    /* already in the store, digest checked */
    size_t fetched; /* fetched now and kept */
    size_t refused; /* fetched bytes that did not hash to their digest: discarded */
    size_t failed;  /* no answer, an HTTP error, or a write error */
    size_t missing; /* not held and no platform to fetch from */
};

/* After a load: every logo of the bundle in force (hallmark_verifier_logos) that dir does not
 * hold is fetched from platform (GET <platform>/v1/logos/<sha256>; NULL: fetch nothing), checked
 * and written to dir. Returns 0 only when the list itself cannot be had; says on stderr what
 * failed for each logo. */
int verify_logos_sync(hallmark_verifier *v, const char *dir, const char *platform, long timeout_s,
                      struct verify_logo_counts *counts);

/* At display: the path of the logo with this digest when dir holds it with the right bytes
 * (1), else 0 (show the placeholder). Never fetches. */
int verify_logos_file(const char *dir, const unsigned char sha256[32], char *path, size_t cap);

#endif
