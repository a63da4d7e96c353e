#include "hm_brand_reuse.h"

#include <stdlib.h>
#include <string.h>

static size_t
digest_hash(const unsigned char d[HM_SHA256_BYTES])
{
    size_t h;

    memcpy(&h, d, sizeof h);
    return h;
}

int
hm_entry_index_init(hm_entry_index *index, const hm_trust *trust)
{
    size_t cap = 16, i, slot;

    memset(index, 0, sizeof *index);
    if (trust == NULL || trust->entry_digests == NULL) {
        return 1;
    }
    while (cap < 2 * trust->brand_count) {
        cap *= 2;
    }
    if ((index->slots = calloc(cap, sizeof *index->slots)) == NULL) {
        return 0;
    }
    index->trust = trust;
    index->mask = cap - 1;
    for (i = 0; i < trust->brand_count; i++) {
        for (slot = digest_hash(trust->entry_digests[i]) & index->mask; index->slots[slot] != 0;
             slot = (slot + 1) & index->mask) {
        }
        index->slots[slot] = i + 1;
    }
    return 1;
}

long
hm_entry_index_find(const hm_entry_index *index, const unsigned char digest[HM_SHA256_BYTES])
{
    size_t slot, b;

    if (index->slots == NULL) {
        return -1;
    }
    for (slot = digest_hash(digest) & index->mask; (b = index->slots[slot]) != 0;
         slot = (slot + 1) & index->mask) {
        if (memcmp(index->trust->entry_digests[b - 1], digest, HM_SHA256_BYTES) == 0) {
            return (long)(b - 1);
        }
    }
    return -1;
}

void
hm_entry_index_clear(hm_entry_index *index)
{
    free(index->slots);
    memset(index, 0, sizeof *index);
}

int
hm_brand_copyable(const hm_trust *p, size_t b)
{
    size_t k;

    for (k = 0; k < p->brands[b].key_total; k++) {
        if (p->keys[p->brand_keys[p->brands[b].first_key + k]].pub.evp != NULL) {
            return 0;
        }
    }
    return 1;
}

/* A copy of s (NULL stays NULL); 0 only when out of memory. */
static int
copy_string(char **d, const char *s)
{
    *d = s != NULL ? strdup(s) : NULL;
    return s == NULL || *d != NULL;
}

/* A copy of s's n items, plus one zeroed as the parsers allocate (NULL for NULL); *ok is cleared
 * when out of memory. */
static void *
copy_array(const void *s, size_t n, size_t size, int *ok)
{
    void *a;

    if (s == NULL) {
        return NULL;
    }
    if ((a = calloc(n + 1, size)) == NULL) {
        *ok = 0;
        return NULL;
    }
    if (n > 0) {
        memcpy(a, s, n * size);
    }
    return a;
}

static int
copy_strings(char ***d, size_t *count, char *const *s, size_t n)
{
    size_t j;

    *count = 0;
    *d = NULL;
    if (s == NULL) {
        return 1;
    }
    if ((*d = calloc(n + 1, sizeof **d)) == NULL) {
        return 0;
    }
    for (j = 0; j < n; j++) {
        if (!copy_string(&(*d)[j], s[j])) {
            return 0;
        }
        *count = j + 1;
    }
    return 1;
}

static hallmark_result
copy_brand(hm_brand *d, const hm_brand *s)
{
    size_t j;
    int ok = 1;

    *d = *s;
    d->id = d->name = d->logo_url = d->domain = d->cred_input = NULL;
    d->senders = NULL;
    d->sender_count = d->domain_count = d->phone_count = d->superseded_count = 0;
    d->domains = d->phones = NULL;
    d->revoked = 0;
    d->first_key = d->key_total = 0;
    d->superseded = copy_array(s->superseded, s->superseded_count, sizeof *s->superseded, &ok);
    if (!ok || !copy_string(&d->id, s->id) || !copy_string(&d->name, s->name) ||
        !copy_string(&d->logo_url, s->logo_url) || !copy_string(&d->domain, s->domain) ||
        !copy_strings(&d->domains, &d->domain_count, s->domains, s->domain_count) ||
        !copy_strings(&d->phones, &d->phone_count, s->phones, s->phone_count)) {
        return HALLMARK_ERR_NOMEM;
    }
    d->superseded_count = s->superseded_count;
    d->cred_input = hm_cred_input_share(s->cred_input); /* the same bytes, held, not copied */
    if (s->senders != NULL) {
        if ((d->senders = calloc(s->sender_count + 1, sizeof *d->senders)) == NULL) {
            return HALLMARK_ERR_NOMEM;
        }
    }
    for (j = 0; s->senders != NULL && d->senders != NULL && j < s->sender_count; j++) {
        hm_sender_entry *e = &d->senders[j];
        *e = s->senders[j];
        e->channel = e->value = e->country = NULL;
        d->sender_count = j + 1;
        if (!copy_string(&e->channel, s->senders[j].channel) ||
            !copy_string(&e->value, s->senders[j].value) ||
            !copy_string(&e->country, s->senders[j].country)) {
            return HALLMARK_ERR_NOMEM;
        }
    }
    return HALLMARK_OK;
}

static hallmark_result
copy_key(hm_brand_key *d, const hm_brand_key *s, size_t brand)
{
    int ok = 1;

    *d = *s;
    d->brand = brand;
    d->scope_channels = NULL;
    d->scope_channel_count = 0;
    d->scope_senders =
        copy_array(s->scope_senders, s->scope_sender_count, sizeof *s->scope_senders, &ok);
    if (!ok || !copy_strings(&d->scope_channels, &d->scope_channel_count, s->scope_channels,
                             s->scope_channel_count)) {
        return HALLMARK_ERR_NOMEM;
    }
    return HALLMARK_OK;
}

hallmark_result
hm_brand_copy(hm_trust *t, size_t i, const hm_trust *p, size_t b)
{
    const hm_brand *s = &p->brands[b];
    hallmark_result rc = copy_brand(&t->brands[i], s);
    size_t k;

    for (k = 0; rc == HALLMARK_OK && k < s->key_total; k++) {
        rc = copy_key(&t->keys[t->key_count], &p->keys[p->brand_keys[s->first_key + k]], i);
        t->key_count++;
    }
    return rc;
}
