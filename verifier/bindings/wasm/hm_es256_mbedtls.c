/* ES256 verification for the WebAssembly build on mbed TLS 2.28 (Debian's source, built by
 * tools/wasm-deps.sh): the interface of hm_es256.h, which core/hm_es256.c implements on OpenSSL
 * for the native builds. The JOSE signature is raw r||s; mbedtls_ecdsa_verify takes r and s as
 * numbers and refuses either outside [1, n-1]; high-S is accepted, as on OpenSSL (spec §11).
 * Not thread-safe (the first verify caches the generator's table in the group): the wasm build
 * has one thread. */
#include "hm_es256.h"

#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <sodium.h>
#include <stdlib.h>

#include "hm_key.h"

struct es256_public {
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
};

static void
es256_public_clear(struct es256_public *k)
{
    mbedtls_ecp_point_free(&k->q);
    mbedtls_ecp_group_free(&k->grp);
    free(k);
}

hallmark_result
hm_es256_public_load(void **evp, const unsigned char *pub, size_t pub_len)
{
    struct es256_public *k;

    if (evp == NULL || pub == NULL) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    *evp = NULL;
    if (pub_len != HM_ES256_PUBLIC_BYTES || pub[0] != 0x04) {
        return HALLMARK_ERR_INVALID_KEY;
    }
    k = calloc(1, sizeof *k);
    if (k == NULL) {
        return HALLMARK_ERR_NOMEM;
    }
    mbedtls_ecp_group_init(&k->grp);
    mbedtls_ecp_point_init(&k->q);
    if (mbedtls_ecp_group_load(&k->grp, MBEDTLS_ECP_DP_SECP256R1) != 0) {
        es256_public_clear(k);
        return HALLMARK_ERR_INTERNAL;
    }
    /* The point must decode and lie on the curve (not the point at infinity). */
    if (mbedtls_ecp_point_read_binary(&k->grp, &k->q, pub, pub_len) != 0 ||
        mbedtls_ecp_check_pubkey(&k->grp, &k->q) != 0) {
        es256_public_clear(k);
        return HALLMARK_ERR_INVALID_KEY;
    }
    *evp = k;
    return HALLMARK_OK;
}

void
hm_es256_public_free(void *evp)
{
    if (evp != NULL) {
        es256_public_clear(evp);
    }
}

hallmark_result
hm_es256_verify(void *evp, const unsigned char *msg, size_t msg_len, const unsigned char *sig,
                size_t sig_len)
{
    struct es256_public *k = evp;
    unsigned char digest[crypto_hash_sha256_BYTES];
    mbedtls_mpi r, s;
    hallmark_result rc = HALLMARK_BAD_SIGNATURE;

    if (evp == NULL || sig == NULL || (msg == NULL && msg_len > 0)) {
        return HALLMARK_ERR_INVALID_ARGUMENT;
    }
    if (sig_len != HM_SIG_BYTES) {
        return HALLMARK_BAD_SIGNATURE;
    }
    (void)crypto_hash_sha256(digest, msg_len > 0 ? msg : (const unsigned char *)"", msg_len);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    if (mbedtls_mpi_read_binary(&r, sig, HM_ES256_COORD_BYTES) != 0 ||
        mbedtls_mpi_read_binary(&s, sig + HM_ES256_COORD_BYTES, HM_ES256_COORD_BYTES) != 0) {
        rc = HALLMARK_ERR_NOMEM;
    } else if (mbedtls_ecdsa_verify(&k->grp, digest, sizeof digest, &k->q, &r, &s) == 0) {
        rc = HALLMARK_OK;
    }
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    return rc;
}
