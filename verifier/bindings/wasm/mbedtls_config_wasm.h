/* mbed TLS configuration of the WebAssembly verifier's ES256 build (tools/wasm-deps.sh): ECDSA
 * verification on P-256 only. No internal RNG: verification handles public data only, so the
 * blinding of ecp_mul, which needs one, protects nothing here. */
#ifndef MBEDTLS_CONFIG_WASM_H
#define MBEDTLS_CONFIG_WASM_H

#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECP_NO_INTERNAL_RNG

#include "mbedtls/check_config.h"

#endif
