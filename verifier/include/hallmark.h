/*
 * hallmark.h - the Hallmark verifier library, the part of Hallmark that apps embed.
 *
 * Given a message, its detached token and a signed trust bundle, the library returns one precise
 * verdict and the brand data to render. Only HALLMARK_VERIFIED earns the trusted checkmark.
 *
 * This header includes no third-party header. Every public symbol starts with hallmark_ or
 * HALLMARK_. The normative definition of every code and format is spec/hallmark.md.
 */
#ifndef HALLMARK_H
#define HALLMARK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define HALLMARK_API __attribute__((visibility("default")))
#define HALLMARK_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define HALLMARK_API
#define HALLMARK_WARN_UNUSED
#endif

#define HALLMARK_VERSION_STRING "0.1.0"

/**
 * Every result the library can give, verdicts and API errors alike (spec/hallmark.md §8).
 *
 * Values are part of the ABI and of the test vectors: a value is never renumbered or reused, and
 * new codes are appended. HALLMARK_VERIFIED is deliberately not 0, so a zeroed result never reads
 * as verified; HALLMARK_OK is the success of every call that is not a verification.
 */
typedef enum hallmark_result {
    HALLMARK_OK = 0,                   /**< the call succeeded (non-verify calls) */
    HALLMARK_ERR_INVALID_ARGUMENT = 1, /**< NULL or out-of-range argument */
    HALLMARK_ERR_NOMEM = 2,            /**< an allocation failed */
    HALLMARK_ERR_INTERNAL = 3,         /**< libsodium or OpenSSL failed unexpectedly */
    HALLMARK_ERR_BUFFER_TOO_SMALL = 4, /**< the caller's output buffer is too small */
    HALLMARK_ERR_INVALID_KEY = 5,      /**< key bytes are not a valid key */
    HALLMARK_VERIFIED = 6,             /**< full pass: the only code that shows the checkmark */
    HALLMARK_UNSIGNED = 7,             /**< the message carries no token */
    HALLMARK_MALFORMED = 8,            /**< the token is not well-formed */
    HALLMARK_HEADER_REFUSED = 9,       /**< a refused or unknown protected header member */
    HALLMARK_UNSUPPORTED_ALG = 10,     /**< alg is not one Hallmark supports */
    HALLMARK_ALG_MISMATCH = 11,        /**< alg does not name the key's pinned algorithm */
    HALLMARK_UNKNOWN_KEY = 12,         /**< kid names no key in the trust bundle */
    HALLMARK_BAD_SIGNATURE = 13,       /**< the signature does not verify */
    HALLMARK_KEY_REVOKED = 14,         /**< the signing key has been revoked */
    HALLMARK_KEY_NOT_VALID = 15,       /**< the key was not valid when the token was issued */
    HALLMARK_ISSUER_MISMATCH = 16,     /**< the key belongs to another brand than iss */
    HALLMARK_BRAND_REVOKED = 17,       /**< the brand has been revoked */
    HALLMARK_BRAND_EXPIRED = 18,       /**< the brand credential is not valid now */
    HALLMARK_BRAND_CREDENTIAL_INVALID = 19, /**< the token binds a credential not in force */
    HALLMARK_CHANNEL_MISMATCH = 20,         /**< the token was issued for another channel */
    HALLMARK_SENDER_MISMATCH = 21,          /**< the token was issued for another sender id */
    HALLMARK_SENDER_NOT_AUTHORIZED = 22,    /**< the brand may not send from this sender id */
    HALLMARK_BODY_MODIFIED = 23,            /**< the body is not the one that was signed */
    HALLMARK_RECIPIENT_MISMATCH = 24,       /**< the token was issued for another recipient */
    HALLMARK_TOKEN_EXPIRED = 25,            /**< the token's validity has ended */
    HALLMARK_TOKEN_NOT_YET_VALID = 26,      /**< the token was issued in the future */
    HALLMARK_ACTION_NOT_AUTHORIZED = 27,    /**< an action URL is outside the brand's domains */
    HALLMARK_NO_BUNDLE = 28,                /**< no trust bundle has been loaded */
    HALLMARK_BUNDLE_MALFORMED = 29,         /**< the trust bundle is not well-formed */
    HALLMARK_BUNDLE_BAD_SIGNATURE = 30,     /**< the trust bundle's signature does not verify */
    HALLMARK_BUNDLE_UNTRUSTED = 31,         /**< the bundle's chain does not reach a pinned root */
    HALLMARK_BUNDLE_EXPIRED = 32,           /**< the trust bundle is stale: cannot tell */
    HALLMARK_BUNDLE_ROLLBACK = 33           /**< the bundle is older than one already accepted */
} hallmark_result;

/** The highest value of hallmark_result, for tables and bounds checks. */
#define HALLMARK_RESULT_MAX HALLMARK_BUNDLE_ROLLBACK

/**
 * Detail about a failure, filled by calls that accept it (the pointer may be NULL).
 *
 * message and field point to static strings owned by the library (never free them); field is
 * NULL when no single field is at fault. Neither ever contains key material or message text.
 */
typedef struct hallmark_error {
    hallmark_result code;
    const char *message;
    const char *field;
} hallmark_error;

/**
 * A static, human-readable sentence for a result code. Never NULL: an unknown value gives
 * "unknown result code". Thread-safe.
 */
HALLMARK_API const char *hallmark_strerror(hallmark_result code);

/**
 * The stable symbolic name of a result code ("HALLMARK_VERIFIED"), as used by the test vectors
 * and the CLI's --json output. Never NULL: an unknown value gives "HALLMARK_UNKNOWN". Thread-safe.
 */
HALLMARK_API const char *hallmark_result_name(hallmark_result code);

/**
 * Parses a symbolic name back to its code.
 * @param name  NUL-terminated name such as "HALLMARK_BODY_MODIFIED".
 * @param out   receives the code.
 * @return HALLMARK_OK, or HALLMARK_ERR_INVALID_ARGUMENT if name is NULL or unknown.
 */
HALLMARK_API hallmark_result hallmark_result_from_name(const char *name,
                                                       hallmark_result *out) HALLMARK_WARN_UNUSED;

/** The library's version, HALLMARK_VERSION_STRING at build time. Thread-safe. */
HALLMARK_API const char *hallmark_version(void);

#ifdef __cplusplus
}
#endif

#endif /* HALLMARK_H */
