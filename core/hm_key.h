/* Public keys: Ed25519 and ECDSA P-256, from raw bytes or a JWK, their RFC 7638 thumbprints,
 * and signature verification. Internal to Hallmark. */
#ifndef HM_KEY_H
#define HM_KEY_H

#include <jansson.h>
#include <stddef.h>

#include "hallmark.h"

typedef enum hm_alg { HM_ALG_UNKNOWN = 0, HM_ALG_ED25519 = 1, HM_ALG_ES256 = 2 } hm_alg;

#define HM_SIG_BYTES 64U
#define HM_ED25519_PUBLIC_BYTES 32U
#define HM_ES256_COORD_BYTES 32U
/* Uncompressed SEC1 point: 0x04 || x || y. */
#define HM_ES256_PUBLIC_BYTES 65U
#define HM_KID_LEN 43U
/* Longest canonical JWK: the P-256 one, 125 characters. */
#define HM_JWK_MAX 160U

/*
 * A validated public key. Fill it with hm_pubkey_from_raw or hm_pubkey_from_jwk, release it with
 * hm_pubkey_clear. After that it is read-only and may be used by many threads at once.
 */
typedef struct hm_pubkey {
    hm_alg alg;
    size_t raw_len;
    unsigned char raw[HM_ES256_PUBLIC_BYTES];
    char kid[HM_KID_LEN + 1];
    void *evp; /* ES256 only: hm_es256_public_load's key handle, owned */
} hm_pubkey;

/* "Ed25519" or "ES256" (the names pinned in trust bundles); HM_ALG_UNKNOWN for anything else. */
hm_alg hm_alg_from_name(const char *name);

/* The JOSE name of an algorithm ("Ed25519", "ES256"), or "unknown". */
const char *hm_alg_name(hm_alg alg);

/* 1 if this build can verify alg (ES256 can be compiled out), else 0. */
int hm_alg_supported(hm_alg alg);

/*
 * Imports a raw public key: 32 bytes for Ed25519 (must be a canonical point of the prime-order
 * subgroup, never small order), 65 bytes 0x04||x||y for ES256 (must be on the curve).
 * Returns HALLMARK_OK, HALLMARK_ERR_INVALID_KEY, HALLMARK_UNSUPPORTED_ALG (ES256 compiled out),
 * HALLMARK_ERR_INVALID_ARGUMENT, HALLMARK_ERR_NOMEM or HALLMARK_ERR_INTERNAL. On failure the key
 * is left cleared.
 */
hallmark_result hm_pubkey_from_raw(hm_pubkey *key, hm_alg alg, const unsigned char *raw,
                                   size_t raw_len);

/*
 * Imports the public members of a JWK object: kty "OKP" + crv "Ed25519" + x, or kty "EC" + crv
 * "P-256" + x + y, strict base64url of the exact lengths. Other members are not read, except "d":
 * a JWK carrying private material is refused (HALLMARK_ERR_INVALID_KEY). Same results as
 * hm_pubkey_from_raw.
 */
hallmark_result hm_pubkey_from_jwk(hm_pubkey *key, const json_t *jwk);

/*
 * As hm_pubkey_from_jwk, except that an Ed25519 key's point is not checked (every other rule is):
 * for a trust bundle's brand keys, checked on first use (spec §6.6 [HM-BUNDLE-110]). The key MUST
 * NOT verify anything before hm_pubkey_point_ok has said 1 for it.
 */
hallmark_result hm_pubkey_from_jwk_unchecked(hm_pubkey *key, const json_t *jwk);

/* 1 if key passes the point check of hm_pubkey_from_raw (an ES256 key always does: it was checked
 * when it was built), else 0. Costs one Ed25519 subgroup check (~45 us). */
int hm_pubkey_point_ok(const hm_pubkey *key);

/* Releases what a key owns and zeroes it. NULL and an already cleared key are allowed. */
void hm_pubkey_clear(hm_pubkey *key);

/*
 * Writes the RFC 7638 canonical JWK (required members, lexicographic order, no whitespace) as a
 * NUL-terminated string. Returns HALLMARK_OK, HALLMARK_ERR_BUFFER_TOO_SMALL or
 * HALLMARK_ERR_INVALID_ARGUMENT.
 */
hallmark_result hm_pubkey_canonical_jwk(const hm_pubkey *key, char *out, size_t out_cap,
                                        size_t *out_len);

/*
 * Verifies a 64-byte signature (Ed25519, or ES256 raw r||s) over msg. Returns HALLMARK_OK,
 * HALLMARK_BAD_SIGNATURE (including any length other than 64), HALLMARK_UNSUPPORTED_ALG,
 * HALLMARK_ERR_INVALID_ARGUMENT or HALLMARK_ERR_INTERNAL.
 */
hallmark_result hm_pubkey_verify(const hm_pubkey *key, const unsigned char *msg, size_t msg_len,
                                 const unsigned char *sig, size_t sig_len);

/*
 * Ed25519 verification of raw key bytes without the import-time point checks: exactly what
 * libsodium decides ([HM-TRUST-6]). For external test vectors that probe the primitive itself,
 * and under hm_pubkey_verify. A message of 64 KiB or more (a trust bundle) is first checked by
 * hm_ed25519_valid_on_openssl where the build links OpenSSL; libsodium decides whatever that
 * does not prove valid.
 */
hallmark_result hm_ed25519_verify_raw(const unsigned char *pk, size_t pk_len,
                                      const unsigned char *msg, size_t msg_len,
                                      const unsigned char *sig, size_t sig_len);

/*
 * Ed25519 on OpenSSL, whose SHA-512 is about 4x libsodium's portable one: nearly all of the check
 * of a 20 MB bundle is that hash (issue 16). pk is 32 bytes, sig 64. Returns 1 only when the
 * signature is valid under libsodium's rules too:
 * - pk must pass crypto_core_ed25519_is_valid_point (canonical, not small order, in the
 *   prime-order subgroup: every key Hallmark imports does, [HM-TRUST-7]);
 * - so [S]B - [k]A lies in that subgroup, whose one small-order point is the identity: the one R
 *   libsodium refuses that OpenSSL would accept is the identity's encoding, refused here;
 * - both refuse S >= L and compare the canonical encoding of the computed point with R's bytes.
 * 0 otherwise (a refusal, an error, a key outside the subgroup), and always 0 in a build without
 * OpenSSL: a "bad" verdict is only ever libsodium's. Exposed for the unit test that holds it to
 * libsodium's verdicts (ed25519_long_path_agrees_with_libsodium).
 */
int hm_ed25519_valid_on_openssl(const unsigned char *pk, const unsigned char *msg, size_t msg_len,
                                const unsigned char *sig);

#endif
