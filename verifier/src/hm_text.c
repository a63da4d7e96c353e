#include "hm_text.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hm_secmem.h"

int32_t
hm_utf8_next(const unsigned char *s, size_t len, size_t *i)
{
    size_t p = *i, need, k;
    int32_t cp;
    unsigned char c = s[p];

    if (c < 0x80) {
        *i = p + 1;
        return c;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        cp = c & 0x07;
    } else {
        return -1;
    }
    if (len - p - 1 < need) {
        return -1;
    }
    for (k = 1; k <= need; k++) {
        if ((s[p + k] & 0xC0) != 0x80) {
            return -1;
        }
        cp = (cp << 6) | (s[p + k] & 0x3F);
    }
    if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
        return -1;
    }
    *i = p + 1 + need;
    return cp;
}

int
hm_utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        uint64_t eight;
        if (len - i >= 8 && (memcpy(&eight, s + i, 8), (eight & 0x8080808080808080ULL) == 0)) {
            i += 8; /* eight ASCII bytes at once */
        } else if (s[i] < 0x80) {
            i++; /* one ASCII byte: what hm_utf8_next would say, without the call */
        } else if (hm_utf8_next(s, len, &i) < 0) {
            return 0;
        }
    }
    return 1;
}

int
hm_utf8_no_controls(const char *s, size_t lo, size_t hi)
{
    size_t n, i = 0;

    if (s == NULL || (n = strlen(s)) < lo || n > hi) {
        return 0;
    }
    while (i < n) {
        int32_t cp = hm_utf8_next((const unsigned char *)s, n, &i);
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            return 0;
        }
    }
    return 1;
}

/* Canonical bytes on their way into the hashes (one, or two fed alike), gathered so that a hash
 * sees a few large updates rather than one per word. */
struct canon {
    hm_sha256_stream *h[2];
    size_t hashes;
    size_t n;
    unsigned char b[1024];
};

static void
canon_add(struct canon *c, const unsigned char *p, size_t len)
{
    size_t k;

    for (k = 0; k < c->hashes; k++) {
        hm_sha256_add(c->h[k], p, len);
    }
}

static void
canon_flush(struct canon *c)
{
    canon_add(c, c->b, c->n);
    c->n = 0;
}

static void
canon_put(struct canon *c, const unsigned char *p, size_t len)
{
    if (c->n + len > sizeof c->b) {
        canon_flush(c);
    }
    if (len >= sizeof c->b) {
        canon_add(c, p, len);
        return;
    }
    memcpy(c->b + c->n, p, len);
    c->n += len;
}

/* Canonicalization (spec §3.1) streams into the hashes of c a line at a time: each line's end
 * found with memchr, its trailing spaces and tabs left out ([HM-CANON-6]), and its line end held
 * back until a later line with content shows it is not at the end of the body ([HM-CANON-7]).
 * The body is valid UTF-8. */
static void
canonicalize(struct canon *c, const unsigned char *body, size_t len)
{
    size_t i = 0, newlines = 0;
    static const unsigned char lf[16] = "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n";

    c->n = 0;
    if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) {
        i = 3;
    }
    while (i < len) {
        const unsigned char *nl = memchr(body + i, '\n', len - i), *cr;
        size_t end = nl != NULL ? (size_t)(nl - body) : len, content;

        if ((cr = memchr(body + i, '\r', end - i)) != NULL) {
            end = (size_t)(cr - body);
        }
        for (content = end; content > i && (body[content - 1] == ' ' || body[content - 1] == '\t');
             content--) {
        }
        if (content > i) {
            while (newlines > 0) {
                size_t n = newlines < sizeof lf ? newlines : sizeof lf;
                canon_put(c, lf, n);
                newlines -= n;
            }
            canon_put(c, body + i, content - i);
        }
        if (end == len) {
            break;
        }
        newlines++; /* CR LF, CR and LF are each one line end ([HM-CANON-4], [HM-CANON-5]) */
        i = end + (body[end] == '\r' && end + 1 < len && body[end + 1] == '\n' ? 2 : 1);
    }
    canon_flush(c);
}

hallmark_result
hm_body_hash_update(hm_sha256_stream *h, const unsigned char *body, size_t len)
{
    struct canon c;

    if (h == NULL || (body == NULL && len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (!hm_utf8_valid(body, len)) {
        return HALLMARK_BODY_MODIFIED;
    }
    c.h[0] = h;
    c.hashes = 1;
    canonicalize(&c, body, len);
    return HALLMARK_OK;
}

hallmark_result
hm_body_digest(const unsigned char *body, size_t len, unsigned char out[HM_SHA256_BYTES])
{
    hm_sha256_stream h;
    hallmark_result rc;

    if (out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    hm_sha256_begin(&h);
    rc = hm_body_hash_update(&h, body, len);
    if (rc == HALLMARK_OK) {
        hm_sha256_end(&h, out);
    } else {
        hm_sha256_drop(&h);
    }
    return rc;
}

/* Starts K of HM-CARRY-16 in h: label, channel, sender and recipient stem, NUL-separated, up to
 * the canonical body. */
static void
lookup_key_begin(hm_sha256_stream *h, const char *channel, const char *sender,
                 const unsigned char stem[HM_SHA256_BYTES])
{
    static const char label[] = "hallmark-token-key-v3";
    static const unsigned char zero = 0;

    hm_sha256_begin(h);
    hm_sha256_add(h, label, sizeof label); /* with its 0 */
    hm_sha256_add(h, channel, strlen(channel) + 1);
    hm_sha256_add(h, sender, strlen(sender) + 1);
    hm_sha256_add(h, stem, HM_SHA256_BYTES);
    hm_sha256_add(h, &zero, 1);
}

/* K of HM-CARRY-16: label, channel, sender, recipient stem and canonical body, NUL-separated. */
hallmark_result
hm_token_lookup_key(const char *channel, const char *sender,
                    const unsigned char stem[HM_SHA256_BYTES], const unsigned char *body,
                    size_t len, unsigned char out[HM_SHA256_BYTES])
{
    hm_sha256_stream h;
    hallmark_result rc;

    if (channel == NULL || sender == NULL || stem == NULL || out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    lookup_key_begin(&h, channel, sender, stem);
    rc = hm_body_hash_update(&h, body, len);
    if (rc == HALLMARK_OK) {
        hm_sha256_end(&h, out);
    } else {
        hm_sha256_drop(&h);
    }
    return rc;
}

hallmark_result
hm_body_digest_and_lookup_key(const char *channel, const char *sender,
                              const unsigned char stem[HM_SHA256_BYTES], const unsigned char *body,
                              size_t len, unsigned char digest[HM_SHA256_BYTES],
                              unsigned char key[HM_SHA256_BYTES])
{
    hm_sha256_stream d, k;
    struct canon c;

    if (channel == NULL || sender == NULL || stem == NULL || digest == NULL || key == NULL ||
        (body == NULL && len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (!hm_utf8_valid(body, len)) {
        return HALLMARK_BODY_MODIFIED;
    }
    hm_sha256_begin(&d);
    lookup_key_begin(&k, channel, sender, stem);
    c.h[0] = &d;
    c.h[1] = &k;
    c.hashes = 2;
    canonicalize(&c, body, len);
    hm_sha256_end(&d, digest);
    hm_sha256_end(&k, key);
    return HALLMARK_OK;
}

static int
forbidden_in_name(int32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || /* Cc */
           cp == 0x00AD || cp == 0x061C || cp == 0x115F || cp == 0x1160 || cp == 0x180E ||
           (cp >= 0x200B && cp <= 0x200F) || /* ZW space/joiners, LRM, RLM */
           (cp >= 0x202A && cp <= 0x202E) || /* bidi embeddings and overrides */
           (cp >= 0x2060 && cp <= 0x206F) || /* word joiner, bidi isolates, Cf */
           cp == 0x3164 || cp == 0xFEFF || cp == 0xFFA0 ||
           (cp >= 0xFFF9 && cp <= 0xFFFB) ||   /* interlinear annotation */
           (cp >= 0xE0000 && cp <= 0xE007F) || /* tags */
           (cp >= 0xFE00 && cp <= 0xFE0F);     /* variation selectors */
}

int
hm_display_name_ok(const char *name, size_t len)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t i = 0, count = 0;

    if (name == NULL || len == 0) {
        return 0;
    }
    while (i < len) {
        int32_t cp = hm_utf8_next(s, len, &i);
        if (cp < 0 || forbidden_in_name(cp) || ++count > 64) {
            return 0;
        }
    }
    /* No leading or trailing space: "Acme Bank " must not pass for "Acme Bank". */
    return s[0] != ' ' && s[len - 1] != ' ';
}

int
hm_action_label_ok(const char *label, size_t len)
{
    return label != NULL && len >= 1 && len <= 40 && memchr(label, '\0', len) == NULL &&
           hm_display_name_ok(label, len);
}

/* A memo entry: the BLAKE2b-256 (memo_key) of a stem's exact inputs (channel 0 sender 0 recipient
 * 0), and the stem. */
struct stem_slot {
    unsigned char key[HM_SHA256_BYTES];
    unsigned char stem[HM_SHA256_BYTES];
};

/* The stems this thread computed last, newest replacing oldest: a phone hears from a handful of
 * senders, so its verifier pays the Argon2id once per sender, not once per message; the tokens a
 * directory returns for one message, and runs of messages from one sender to one recipient, pay
 * it once too. A thread's own memo needs no lock (issue 16: no shared lock per verify). */
#define HM_STEM_RECENT 32
static _Thread_local struct {
    struct stem_slot slot[HM_STEM_RECENT];
    unsigned count, next;
    unsigned long computed;
} recent;

unsigned long
hm_stem_computed(void)
{
    return recent.computed;
}

/* The larger memo of hm_stem_memo_reserve: buckets of slots, chosen by the key (memo_find). */
static _Thread_local struct {
    struct stem_slot *slots; /* hm_secret_alloc; NULL: none */
    size_t mask;
    unsigned char *used; /* one byte a slot */
} big_memo;

hallmark_result
hm_stem_memo_reserve(size_t entries)
{
    size_t n = 1;

    if (entries == 0 || entries > HM_STEM_MEMO_MAX) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    while (n < entries) {
        n *= 2;
    }
    hm_stem_memo_release();
    big_memo.slots = hm_secret_alloc(n * sizeof *big_memo.slots);
    big_memo.used = calloc(n, 1);
    if (big_memo.slots == NULL || big_memo.used == NULL) {
        hm_stem_memo_release();
        return HALLMARK_ERR_NOMEM;
    }
    big_memo.mask = n - 1;
    return HALLMARK_OK;
}

void
hm_stem_memo_release(void)
{
    hm_secret_free(big_memo.slots); /* wiped */
    free(big_memo.used);
    big_memo.slots = NULL;
    big_memo.used = NULL;
    big_memo.mask = 0;
}

/* The memo key of a stem's inputs (each length counts its NUL): BLAKE2b-256, as collision-resistant
 * as SHA-256 for a key that is ours alone, at about a third of the instructions of libsodium's
 * portable SHA-256 (every message pays it, hit or miss). The crypto_generichash_blake2b calls, not
 * the generic wrapper: the WebAssembly build's libsodium carries BLAKE2b (Argon2id's) but not it.
 */
static void
memo_key(const char *channel, size_t cl, const char *sender, size_t sl, const char *recipient,
         size_t rl, unsigned char key[HM_SHA256_BYTES])
{
    crypto_generichash_blake2b_state st;

    (void)crypto_generichash_blake2b_init(&st, NULL, 0, HM_SHA256_BYTES);
    (void)crypto_generichash_blake2b_update(&st, (const unsigned char *)channel, cl);
    (void)crypto_generichash_blake2b_update(&st, (const unsigned char *)sender, sl);
    (void)crypto_generichash_blake2b_update(&st, (const unsigned char *)recipient, rl);
    (void)crypto_generichash_blake2b_final(&st, key, HM_SHA256_BYTES);
}

/* The larger memo is a set of buckets of HM_STEM_WAYS slots, not one slot a key: direct-mapped,
 * two of a platform's few thousand repeat recipients share a slot by the birthday bound (about 10
 * in 830 for 65,536 slots) and evict each other on every message, each eviction an Argon2id
 * (about 18k instructions a token on bench-sign's mix); a bucket of 4 holds them. */
#define HM_STEM_WAYS 4

/* The first slot of the bucket the key maps to, and the bucket's size (the whole memo when it is
 * smaller than a bucket). */
static size_t
bucket_of(const unsigned char key[HM_SHA256_BYTES], size_t *ways)
{
    uint64_t at;

    memcpy(&at, key, sizeof at);
    *ways = big_memo.mask + 1 < HM_STEM_WAYS ? big_memo.mask + 1 : HM_STEM_WAYS;
    return (size_t)(at & big_memo.mask) & ~(*ways - 1);
}

/* The stem memoized under key into out: 1, or 0 when this thread has none. *big gets the slot of
 * the larger memo to keep it in (NULL without one): a free one of its bucket, else one chosen by
 * the key. */
static int
memo_find(const unsigned char key[HM_SHA256_BYTES], unsigned char out[HM_SHA256_BYTES],
          struct stem_slot **big)
{
    unsigned i;

    *big = NULL;
    if (big_memo.slots != NULL) {
        size_t ways, first = bucket_of(key, &ways), w;
        for (w = 0; w < ways; w++) {
            struct stem_slot *slot = &big_memo.slots[first + w];
            if (!big_memo.used[first + w]) {
                *big = *big != NULL ? *big : slot;
            } else if (memcmp(slot->key, key, HM_SHA256_BYTES) == 0) {
                memcpy(out, slot->stem, HM_SHA256_BYTES);
                return 1;
            }
        }
        if (*big == NULL && ways > 0) {
            *big = &big_memo.slots[first + key[8] % ways];
        }
    }
    for (i = 0; i < recent.count; i++) {
        if (memcmp(recent.slot[i].key, key, HM_SHA256_BYTES) == 0) {
            memcpy(out, recent.slot[i].stem, HM_SHA256_BYTES);
            return 1;
        }
    }
    return 0;
}

/* Keeps a stem just computed: in the recent ring, and in the larger memo's slot if there is one. */
static void
memo_keep(const unsigned char key[HM_SHA256_BYTES], const unsigned char stem[HM_SHA256_BYTES],
          struct stem_slot *big)
{
    struct stem_slot *r = &recent.slot[recent.next];

    memcpy(r->key, key, HM_SHA256_BYTES);
    memcpy(r->stem, stem, HM_SHA256_BYTES);
    recent.next = (recent.next + 1) % HM_STEM_RECENT;
    recent.count = recent.count < HM_STEM_RECENT ? recent.count + 1 : HM_STEM_RECENT;
    if (big != NULL) {
        memcpy(big->key, key, HM_SHA256_BYTES);
        memcpy(big->stem, stem, HM_SHA256_BYTES);
        big_memo.used[big - big_memo.slots] = 1;
    }
}

hallmark_result
hm_recipient_stem(const char *channel, const char *sender, const char *recipient,
                  unsigned char out[HM_SHA256_BYTES])
{
    struct stem_slot *big = NULL;
    unsigned char key[HM_SHA256_BYTES];
    static const char label[] = "hallmark-stem-v1";
    unsigned char salt[HM_SHA256_BYTES];
    crypto_hash_sha256_state st;
    size_t cl, sl, rl;

    if (channel == NULL || sender == NULL || recipient == NULL || out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    cl = strlen(channel) + 1;
    sl = strlen(sender) + 1;
    rl = strlen(recipient) + 1;
    memo_key(channel, cl, sender, sl, recipient, rl, key);
    if (memo_find(key, out, &big)) {
        return HALLMARK_OK;
    }
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)label, sizeof label); /* with its 0 */
    crypto_hash_sha256_update(&st, (const unsigned char *)channel, cl);
    crypto_hash_sha256_update(&st, (const unsigned char *)sender, sl);
    crypto_hash_sha256_final(&st, salt);
    if (crypto_pwhash(out, HM_SHA256_BYTES, recipient, rl - 1, salt, HM_STEM_OPSLIMIT,
                      HM_STEM_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return HALLMARK_ERR_NOMEM;
    }
    recent.computed++;
    memo_keep(key, out, big);
    return HALLMARK_OK;
}

hallmark_result
hm_recipient_digest(const char *jti, const char *channel, const unsigned char stem[HM_SHA256_BYTES],
                    unsigned char out[HM_SHA256_BYTES])
{
    static const unsigned char label[] = "hallmark-rcpt-v2";
    crypto_hash_sha256_state st;

    if (jti == NULL || channel == NULL || stem == NULL || out == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    /* label 0 jti 0 channel 0 stem: each string with its own NUL, one update apiece. */
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, label, sizeof label);
    crypto_hash_sha256_update(&st, (const unsigned char *)jti, strlen(jti) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)channel, strlen(channel) + 1);
    crypto_hash_sha256_update(&st, stem, HM_SHA256_BYTES);
    crypto_hash_sha256_final(&st, out);
    return HALLMARK_OK;
}
