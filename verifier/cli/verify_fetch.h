/* hallmark-verify --fetch: the app's side of the token directory (spec §9.6, HM-CARRY-17), with
 * libcurl. Only the command-line tool fetches: the library does no I/O. */
#ifndef VERIFY_FETCH_H
#define VERIFY_FETCH_H

#include <stddef.h>

/* The largest answer taken: 100 tokens (HALLMARK_FETCHED_TOKENS_MAX) of at most 8 KiB each, with
 * room for the JSON around them. A longer answer is refused, not cut. */
#define VERIFY_FETCH_BODY_MAX ((size_t)1024 * 1024)

/* GET <endpoint>/<key>, as an app does it: HTTPS (plain HTTP only to a loopback address), no
 * redirects, no cookies, no credentials, connect and total time limits (timeout_s), at most
 * VERIFY_FETCH_BODY_MAX bytes. On an answer of 200 or 404: returns 1, *status that code, and for
 * 200 *body (malloc'd, the caller frees) and *len; for 404 *body is NULL. Anything else (no
 * answer, another status, a larger body): returns 0 and says why in err, naming what the app does
 * then (HM-CARRY-19: neutral, retry later). */
int verify_fetch_tokens(const char *endpoint, const char *key, long timeout_s, long *status,
                        unsigned char **body, size_t *len, char *err, size_t err_cap);

/* The largest logo taken: a canonical PNG of 1024 x 1024 RGBA (spec §5.3) is at most about
 * 4 MiB and some bytes. */
#define VERIFY_LOGO_BODY_MAX ((size_t)5 * 1024 * 1024)

/* GET <platform>/v1/logos/<sha256_b64> with the same rules (HTTPS or loopback HTTP, no redirects,
 * no cookies, timeout_s), at most VERIFY_LOGO_BODY_MAX bytes. Returns 1 with *body (malloc'd) and
 * *len on 200; 0 with the reason in err otherwise (404 included). */
int verify_fetch_logo(const char *platform, const char *sha256_b64, long timeout_s,
                      unsigned char **body, size_t *len, char *err, size_t err_cap);

#endif
