/* ES256 verification on OpenSSL 3's EVP interface. The JOSE signature is raw r||s; OpenSSL wants
 * DER, so it is encoded here from r and s (never parsed from attacker-supplied DER). */
#include "hm_es256.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "hm_digest.h"
#include "hm_key.h"

/* Verification contexts made ready once and kept: a context serves one verification at a time,
 * so each thread takes one out of a slot (an atomic exchange, no lock) and puts it back after;
 * a thread that finds every slot empty makes one, and frees it if every slot is full again. */
#define CTX_SLOTS 4

struct es256_key {
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *_Atomic slot[CTX_SLOTS];
};

static EVP_PKEY_CTX *
ctx_take(struct es256_key *k)
{
    EVP_PKEY_CTX *ctx;
    size_t i;

    for (i = 0; i < CTX_SLOTS; i++) {
        if ((ctx = atomic_exchange(&k->slot[i], NULL)) != NULL) {
            return ctx;
        }
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
    if (ctx != NULL && EVP_PKEY_verify_init(ctx) != 1) {
        EVP_PKEY_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

static void
ctx_give_back(struct es256_key *k, EVP_PKEY_CTX *ctx)
{
    size_t i;

    for (i = 0; i < CTX_SLOTS; i++) {
        EVP_PKEY_CTX *empty = NULL;

        if (atomic_compare_exchange_strong(&k->slot[i], &empty, ctx)) {
            return;
        }
    }
    EVP_PKEY_CTX_free(ctx);
}

hallmark_result
hm_es256_public_load(void **evp, const unsigned char *pub, size_t pub_len)
{
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL, *check = NULL;
    EVP_PKEY *pkey = NULL;
    struct es256_key *k = NULL;
    hallmark_result rc = HALLMARK_ERR_INTERNAL;
    size_t i;

    if (evp == NULL || pub == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *evp = NULL;
    if (pub_len != HM_ES256_PUBLIC_BYTES || pub[0] != 0x04) {
        return HALLMARK_ERR_INVALID_KEY;
    }
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
        EVP_PKEY_fromdata_init(ctx) <= 0) {
        goto out;
    }
    /* fromdata decodes the point and refuses one that is not on the curve. */
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        rc = HALLMARK_ERR_INVALID_KEY;
        goto out;
    }
    check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (check == NULL) {
        goto out;
    }
    if (EVP_PKEY_public_check(check) != 1) {
        rc = HALLMARK_ERR_INVALID_KEY;
        goto out;
    }
    if ((k = malloc(sizeof *k)) == NULL) {
        goto out;
    }
    k->pkey = pkey;
    pkey = NULL;
    for (i = 0; i < CTX_SLOTS; i++) {
        atomic_init(&k->slot[i], NULL);
    }
    *evp = k;
    rc = HALLMARK_OK;
out:
    if (rc != HALLMARK_OK) {
        ERR_clear_error(); /* the refusal is our result; keep the thread's error queue empty */
    }
    EVP_PKEY_CTX_free(check);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return rc;
}

void
hm_es256_public_free(void *evp)
{
    struct es256_key *k = evp;
    size_t i;

    if (k == NULL) {
        return;
    }
    for (i = 0; i < CTX_SLOTS; i++) {
        EVP_PKEY_CTX_free(atomic_load(&k->slot[i]));
    }
    EVP_PKEY_free(k->pkey);
    free(k);
}

/* Appends the DER INTEGER of the 32-byte big-endian unsigned n at der: its length (at most 35). */
static size_t
der_integer(unsigned char *der, const unsigned char *n)
{
    size_t skip = 0, len;

    while (skip < HM_ES256_COORD_BYTES - 1 && n[skip] == 0) {
        skip++; /* minimal: no leading zero byte (zero itself is one 0x00) */
    }
    len = HM_ES256_COORD_BYTES - skip;
    der[0] = 0x02;
    if ((n[skip] & 0x80U) != 0) { /* positive: a zero byte before a high bit */
        der[1] = (unsigned char)(len + 1);
        der[2] = 0x00;
        memcpy(der + 3, n + skip, len);
        return len + 3;
    }
    der[1] = (unsigned char)len;
    memcpy(der + 2, n + skip, len);
    return len + 2;
}

hallmark_result
hm_es256_verify(void *evp, const unsigned char *msg, size_t msg_len, const unsigned char *sig,
                size_t sig_len)
{
    struct es256_key *k = evp;
    unsigned char der[2 + 2 * (3 + HM_ES256_COORD_BYTES)], digest[HM_SHA256_BYTES];
    size_t der_len;
    hm_sha256_stream h;
    EVP_PKEY_CTX *ctx;
    int ok;

    if (k == NULL || sig == NULL || (msg == NULL && msg_len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (sig_len != HM_SIG_BYTES) {
        return HALLMARK_BAD_SIGNATURE;
    }
    /* SEQUENCE { INTEGER r, INTEGER s }: at most 70 bytes of content, so short-form lengths. */
    der_len = 2;
    der_len += der_integer(der + der_len, sig);
    der_len += der_integer(der + der_len, sig + HM_ES256_COORD_BYTES);
    der[0] = 0x30;
    der[1] = (unsigned char)(der_len - 2);
    hm_sha256_begin(&h);
    hm_sha256_add(&h, msg, msg_len);
    hm_sha256_end(&h, digest);
    if ((ctx = ctx_take(k)) == NULL) {
        ERR_clear_error();
        return HALLMARK_ERR_INTERNAL;
    }
    /* 1 = valid, 0 = invalid, negative = malformed (e.g. r or s zero): all but 1 are refusals. */
    ok = EVP_PKEY_verify(ctx, der, der_len, digest, sizeof digest);
    ctx_give_back(k, ctx);
    if (ok != 1) {
        ERR_clear_error();
        return HALLMARK_BAD_SIGNATURE;
    }
    return HALLMARK_OK;
}
