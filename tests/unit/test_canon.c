/* Body canonicalization (spec §3.1) as the signer and the verifier hash it (hm_body_digest,
 * which works a line at a time since issue 16) against the spec's steps done literally, one
 * after another on a copy, over random bodies made of every byte the steps act on. */
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "hm_text.h"
#include "test.h"

static uint64_t rng_state = 0xC0FFEE1234567ULL;

static uint32_t
rnd(uint32_t n)
{
    return test_rand(&rng_state, n);
}

/* Steps 3-7 of §3.1 on a valid UTF-8 body, each a pass of its own: the canonical bytes in out. */
static size_t
canon_by_steps(const unsigned char *in, size_t len, unsigned char *out)
{
    unsigned char a[1024];
    size_t i, n = 0, m = 0, line;

    if (len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0) { /* [HM-CANON-3] */
        in += 3;
        len -= 3;
    }
    for (i = 0; i < len; i++) { /* [HM-CANON-4], [HM-CANON-5] */
        if (in[i] == '\r') {
            a[n++] = '\n';
            i += i + 1 < len && in[i + 1] == '\n';
        } else {
            a[n++] = in[i];
        }
    }
    for (i = 0, line = 0; i <= n; i++) { /* [HM-CANON-6] */
        if (i == n || a[i] == '\n') {
            size_t end = i;
            while (end > line && (a[end - 1] == ' ' || a[end - 1] == '\t')) {
                end--;
            }
            memcpy(out + m, a + line, end - line);
            m += end - line;
            if (i < n) {
                out[m++] = '\n';
            }
            line = i + 1;
        }
    }
    while (m > 0 && out[m - 1] == '\n') { /* [HM-CANON-7] */
        m--;
    }
    return m;
}

TEST(canon_line_at_a_time_matches_the_spec_steps)
{
    static const char *const pieces[] = {" ",
                                         "\t",
                                         "\r",
                                         "\n",
                                         "\r\n",
                                         "a",
                                         "Zz",
                                         ".",
                                         "\x0b",
                                         "\xC2\xA0",
                                         "\xEF\xBB\xBF",
                                         "\xE2\x80\xA8",
                                         "\xC3\xA9t\xC3\xA9",
                                         "0123456789abcdef"};
    unsigned char body[512], canon[1024], want[crypto_hash_sha256_BYTES], got[HM_SHA256_BYTES];
    int round;
    unsigned changed = 0;

    for (round = 0; round < 5000; round++) {
        size_t len = 0, n, k, parts = rnd(40);
        for (k = 0; k < parts; k++) {
            const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
            size_t plen = strlen(p);
            if (len + plen > sizeof body) {
                break;
            }
            memcpy(body + len, p, plen);
            len += plen;
        }
        if (rnd(4) == 0) { /* a long line: the hash takes it in one piece */
            memset(body, 'x', len = sizeof body);
        }
        n = canon_by_steps(body, len, canon);
        changed += n != len || memcmp(body, canon, n) != 0;
        crypto_hash_sha256(want, canon, n);
        CHECK_RC(hm_body_digest(body, len, got), HALLMARK_OK);
        CHECK(memcmp(want, got, sizeof want) == 0);
    }
    CHECK(changed > 1000); /* most bodies had something to canonicalize */
    test_note("5000 random bodies, %u of them changed by canonicalization", changed);
    body[0] = 'a';
    body[1] = 0xC0; /* overlong: not UTF-8 ([HM-CANON-2]) */
    body[2] = 0xAF;
    CHECK_RC(hm_body_digest(body, 3, got), HALLMARK_BODY_MODIFIED);
    memcpy(body, "abcdefgh\xE2\x82", 10); /* cut short after eight ASCII bytes */
    CHECK_RC(hm_body_digest(body, 10, got), HALLMARK_BODY_MODIFIED);
}
