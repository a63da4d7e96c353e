/* hallmark-verify --logo-dir: the app's logo store (spec §5.3, [HM-CRED-78], [HM-CRED-79]). */
#include "verify_logos.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hm_fileio.h"
#include "verify_fetch.h"

static int
logo_path(char *path, size_t cap, const char *dir, const char *sha256_b64)
{
    int n = snprintf(path, cap, "%s/%s.png", dir, sha256_b64);

    return n > 0 && (size_t)n < cap;
}

/* 1 when dir holds bytes for ref that pass the digest check. */
static int
held(const char *dir, const hallmark_logo_ref *ref)
{
    char path[4096];
    unsigned char *png = NULL;
    size_t len = 0;
    int ok;

    if (!logo_path(path, sizeof path, dir, ref->sha256_b64) ||
        hm_read_file(path, VERIFY_LOGO_BODY_MAX, &png, &len) != HALLMARK_OK) {
        return 0;
    }
    ok = hallmark_logo_ref_check(ref, png, len) == HALLMARK_OK;
    free(png);
    return ok;
}

int
verify_logos_sync(hallmark_verifier *v, const char *dir, const char *platform, long timeout_s,
                  struct verify_logo_counts *counts)
{
    hallmark_logo_ref *refs = NULL;
    size_t n = 0, i;
    hallmark_result rc;

    memset(counts, 0, sizeof *counts);
    rc = hallmark_verifier_logos(v, NULL, 0, &n);
    if (rc != HALLMARK_OK && rc != HALLMARK_ERR_BUFFER_TOO_SMALL) {
        fprintf(stderr, "hallmark-verify: logos: %s\n", hallmark_strerror(rc));
        return 0;
    }
    if (n > 0 && ((refs = calloc(n, sizeof *refs)) == NULL ||
                  (rc = hallmark_verifier_logos(v, refs, n, &n)) != HALLMARK_OK)) {
        fprintf(stderr, "hallmark-verify: logos: %s\n",
                refs == NULL ? "out of memory" : hallmark_strerror(rc));
        free(refs);
        return 0;
    }
    for (i = 0; i < n; i++) {
        char path[4096], err[512];
        unsigned char *png = NULL;
        size_t len = 0;

        if (held(dir, &refs[i])) {
            counts->held++;
            continue;
        }
        if (platform == NULL) {
            counts->missing++;
            continue;
        }
        if (!verify_fetch_logo(platform, refs[i].sha256_b64, timeout_s, &png, &len, err,
                               sizeof err)) {
            fprintf(stderr,
                    "hallmark-verify: logo %s not fetched: %s; its messages show the "
                    "placeholder until the next load fetches it\n",
                    refs[i].sha256_b64, err);
            counts->failed++;
            continue;
        }
        if (hallmark_logo_ref_check(&refs[i], png, len) != HALLMARK_OK) {
            fprintf(stderr,
                    "hallmark-verify: logo %s: the %zu bytes fetched do not hash to it: "
                    "discarded (%s)\n",
                    refs[i].sha256_b64, len, hallmark_strerror(HALLMARK_LOGO_MISMATCH));
            counts->refused++;
        } else if (!logo_path(path, sizeof path, dir, refs[i].sha256_b64) ||
                   hm_atomic_write(path, png, len) != HALLMARK_OK) {
            fprintf(stderr, "hallmark-verify: %s/%s.png: %s\n", dir, refs[i].sha256_b64,
                    strerror(errno));
            counts->failed++;
        } else {
            counts->fetched++;
        }
        free(png);
    }
    free(refs);
    return 1;
}

int
verify_logos_file(const char *dir, const unsigned char sha256[32], char *path, size_t cap)
{
    hallmark_logo_ref ref;

    memset(&ref, 0, sizeof ref);
    memcpy(ref.sha256, sha256, sizeof ref.sha256);
    if (hm_b64url_encode(ref.sha256_b64, sizeof ref.sha256_b64, sha256, 32, NULL) != HALLMARK_OK ||
        !held(dir, &ref)) {
        return 0;
    }
    return logo_path(path, cap, dir, ref.sha256_b64);
}
