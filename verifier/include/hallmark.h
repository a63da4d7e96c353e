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
    HALLMARK_BUNDLE_MALFORMED = 29,         /**< the trust bundle is not well-formed; from verify,
                                                 a key of the token's brand entry is not a valid
                                                 point (spec [HM-BUNDLE-111]) */
    HALLMARK_BUNDLE_BAD_SIGNATURE = 30,     /**< the trust bundle's signature does not verify; from
                                                 verify, the brand entry's credential does not */
    HALLMARK_BUNDLE_UNTRUSTED = 31,         /**< the bundle's chain does not reach a pinned root */
    HALLMARK_BUNDLE_EXPIRED = 32,           /**< the trust bundle is stale: cannot tell */
    HALLMARK_BUNDLE_ROLLBACK = 33,          /**< the bundle is older than one already accepted */
    /* Operator-side errors (keystore, hallmark-keys); the verifier never returns them. */
    HALLMARK_ERR_IO = 34,               /**< a file could not be read or written */
    HALLMARK_ERR_WRONG_PASSPHRASE = 35, /**< a key file does not decrypt with this passphrase */
    HALLMARK_ERR_CORRUPT = 36,          /**< a state or key file is damaged or tampered with */
    /* Signer-side refusals (hallmark-signer); the verifier never returns them. */
    HALLMARK_ERR_UNKNOWN_BRAND = 37, /**< no such brand in the trust bundle in force */
    HALLMARK_ERR_NO_ACTIVE_KEY = 38, /**< the brand has no active, published signing key */
    HALLMARK_ERR_BAD_REQUEST = 39,   /**< a message field is missing or breaks its limits */
    HALLMARK_ERR_TOO_LARGE = 40,     /**< a body, request or batch exceeds its size limit */
    HALLMARK_ERR_UNAUTHORIZED = 41,  /**< the client is not authenticated */
    HALLMARK_ERR_FORBIDDEN = 42,     /**< the client may not sign for this brand or channel */
    HALLMARK_ERR_RATE_LIMITED = 43,  /**< the client sent too many requests */
    HALLMARK_ERR_UNAVAILABLE = 44,   /**< the service cannot sign now (audit log, shutdown) */
    /* Appended verdicts. */
    HALLMARK_SENDER_CONTESTED =
        45,                        /**< two brands in the bundle claim this sender id: none shown */
    HALLMARK_VERIFIED_DOMAIN = 46, /**< full pass for a brand verified at level basic: show only
                                        "signed by" its domain, no checkmark, name or logo */
    HALLMARK_SENDER_ALWAYS_SIGNED = 47, /**< the sender signs every message and this one has no
                                             token of a brand: a warning, with no brand shown */
    /* 48, 54 and 55 are reserved for the rest of issue 22; they are not values of this build. */
    /* Displayed fields (spec §7.2 steps 10e, 12a, 12b). */
    HALLMARK_SUBJECT_MODIFIED = 49,  /**< the displayed subject or title is not the signed one */
    HALLMARK_REPLY_TO_MISMATCH = 50, /**< the displayed Reply-To is not the signed one */
    HALLMARK_REPLY_TO_NOT_AUTHORIZED = 51, /**< the signed Reply-To is outside the brand's e-mail
                                                senders */
    HALLMARK_CATEGORY_NOT_AUTHORIZED = 52, /**< the credential does not list the token's category */
    HALLMARK_LOGO_MISMATCH = 53, /**< logo bytes do not hash to the bundle's digest: discard */
    /* The persisted trust state (spec §6.8). */
    HALLMARK_ERR_API_REPLACED = 56,      /**< a call that cannot carry the trust state: use
                                              hallmark_verifier_create / hallmark_verifier_load */
    HALLMARK_ERR_STATE_INVALID = 57,     /**< the persisted trust state is damaged, of an unknown
                                              version, or of another platform */
    HALLMARK_BUNDLE_WRONG_PLATFORM = 58, /**< the bundle belongs to another platform */
    HALLMARK_BUNDLE_PUBLISHER_SUPERSEDED = 59, /**< an older publisher generation than accepted */
    HALLMARK_BUNDLE_ROOT_FORKED = 60,          /**< the root chain forks from the one accepted */
    HALLMARK_KEY_OUT_OF_SCOPE = 61, /**< the key's scope does not cover the token's channel or
                                         sender: a warning (spec [HM-VERIFY-52]) */
    /* 62-63, 70-72 and 76 are reserved; not values of this build. */
    /* The status object (spec §6.9). */
    HALLMARK_STATUS_INVALID = 64,      /**< the status is malformed, not signed by the bundle's
                                            publishing key, or of another platform */
    HALLMARK_STATUS_OTHER_BUNDLE = 65, /**< the status names another bundle: load that one first */
    HALLMARK_STATUS_ROLLBACK = 66,     /**< the status is older than one already accepted */
    HALLMARK_STATUS_STALE = 67,        /**< the bundle needs a status and none is fresh: neutral,
                                            "cannot tell right now" */
    HALLMARK_CLOCK_BEHIND = 68,        /**< the device's clock is earlier than times the platform
                                            signed (spec [HM-VERIFY-62]): it was set back; neutral */
    HALLMARK_DELIVERY_TOO_LATE = 69,   /**< received_at is later after the token's iat than its
                                            category allows (otp 10 minutes, alert 1 day, others 3
                                            days; spec [HM-TOKEN-61], [HM-VERIFY-64]): neutral */
    /* Consent and volume caps at the signer (spec §9.7); the verifier never returns them. */
    HALLMARK_ERR_RECIPIENT_OPTED_OUT = 73, /**< the recipient opted out of this brand's messages
                                                of this category on this channel */
    HALLMARK_ERR_VOLUME_CAP = 74,          /**< the brand's cap for this category and recipient
                                                is reached until its reset time */
    HALLMARK_ERR_OPT_IN_REQUIRED = 75      /**< marketing needs the recipient's opt-in, and there
                                                is none */
} hallmark_result;

/** The highest value of hallmark_result, for tables and bounds checks. Not every value below it
 * is a code of this build: hallmark_result_name gives "HALLMARK_UNKNOWN" for a gap. */
#define HALLMARK_RESULT_MAX 76

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

/**
 * What an app shows for a result (spec §8, [HM-RESULT-5], the table's "App shows" column).
 *
 * Values are part of the ABI and never renumbered. HALLMARK_UI_NEUTRAL is 0, so a zeroed value
 * never reads as a checkmark.
 */
typedef enum hallmark_ui {
    HALLMARK_UI_NEUTRAL = 0,   /**< no checkmark, no warning: like any unverified message */
    HALLMARK_UI_CHECKMARK = 1, /**< the verified checkmark, brand name and logo (VERIFIED only) */
    HALLMARK_UI_WARNING = 2,   /**< no checkmark; warn that a claimed verified sender failed */
    HALLMARK_UI_API_ERROR = 3, /**< a programming or resource error; a message shows neutral */
    HALLMARK_UI_NONE = 4,      /**< not a message verdict: a call's success, a bundle load's
                                    failure, an operator or signer code */
    HALLMARK_UI_DOMAIN = 5     /**< "signed by" and the verified domain only: no checkmark, no
                                    name, no logo, no colours (HALLMARK_VERIFIED_DOMAIN only) */
} hallmark_ui;

/**
 * The UI class of a result code on a byte-exact channel (push, inapp, rcs, whatsapp, an unknown
 * channel), as the table of spec §8 gives it first. A verify call fills the class on the
 * message's own channel in hallmark_verification.ui: use that, or hallmark_ui_class_on for a
 * stored verdict; this call stays for apps built before [HM-RESULT-44]. HALLMARK_UI_CHECKMARK for
 * HALLMARK_VERIFIED only; HALLMARK_UI_DOMAIN for HALLMARK_VERIFIED_DOMAIN only (a brand at level
 * basic, [HM-RESULT-40]: "signed by" its domain); HALLMARK_UI_WARNING when a token names a real
 * brand key and a check that protects the user failed; HALLMARK_UI_NEUTRAL when the token cannot be
 * tied to a brand or the failure comes from the clock or stale data; HALLMARK_UI_API_ERROR for
 * codes 1-5; HALLMARK_UI_NONE for HALLMARK_OK, the load-only codes (29-31, 33, 57-60), the logo
 * check's HALLMARK_LOGO_MISMATCH (53) and the
 * operator and signer codes (34-44); HALLMARK_UI_API_ERROR also for HALLMARK_ERR_API_REPLACED (56).
 * A value that is not a hallmark_result gives HALLMARK_UI_NEUTRAL
 * ([HM-RESULT-3]). Never HALLMARK_UI_CHECKMARK for anything but HALLMARK_VERIFIED. Thread-safe.
 *
 * The type is hallmark_ui, not hallmark_ui_class: C (and Swift's importer) cannot give a type and
 * a function one name.
 */
HALLMARK_API hallmark_ui hallmark_ui_class(hallmark_result code);

/**
 * The UI class of a result code on a channel ([HM-RESULT-44]): as hallmark_ui_class, except that
 * HALLMARK_BODY_MODIFIED, HALLMARK_RECIPIENT_MISMATCH, HALLMARK_SUBJECT_MODIFIED and
 * HALLMARK_REPLY_TO_MISMATCH are HALLMARK_UI_NEUTRAL on "email" and "sms" (intermediaries change
 * text in good faith there: RFC 6376 treats a failed signature like none). channel is the
 * message's channel, NUL-terminated, borrowed; NULL gives hallmark_ui_class(code). Thread-safe.
 */
HALLMARK_API hallmark_ui hallmark_ui_class_on(hallmark_result code, const char *channel);

/**
 * The stable name of a UI class: "checkmark", "neutral", "warning", "api-error", "none" or
 * "domain" (as
 * printed by hallmark-verify --json). Never NULL: a value outside hallmark_ui gives "neutral".
 * Static string; thread-safe.
 */
HALLMARK_API const char *hallmark_ui_class_name(hallmark_ui ui);

/** The library's version, HALLMARK_VERSION_STRING at build time. Thread-safe. */
HALLMARK_API const char *hallmark_version(void);

/* ---- Verifying messages ---------------------------------------------------------------------- */

/** Verification levels of a brand credential (spec §5.5): the level decides the verified code,
 * HALLMARK_VERIFIED_DOMAIN for basic, HALLMARK_VERIFIED for the others ([HM-CRED-40]). */
typedef enum hallmark_level {
    HALLMARK_LEVEL_UNKNOWN = 0,
    HALLMARK_LEVEL_BASIC = 1,        /**< domain control verified: "signed by" the domain only */
    HALLMARK_LEVEL_ORGANIZATION = 2, /**< legal entity verified */
    HALLMARK_LEVEL_TRADEMARK = 3     /**< registered trademark verified (as a BIMI VMC) */
} hallmark_level;

/** Message categories (spec §2): what the customer can filter and opt out of. */
typedef enum hallmark_category {
    HALLMARK_CATEGORY_UNKNOWN = 0,
    HALLMARK_CATEGORY_TRANSACTIONAL = 1,
    HALLMARK_CATEGORY_OTP = 2,
    HALLMARK_CATEGORY_ALERT = 3,
    HALLMARK_CATEGORY_MARKETING = 4,
    HALLMARK_CATEGORY_SERVICE = 5
} hallmark_category;

/** Who is writing (spec §2). */
typedef enum hallmark_sender_kind {
    HALLMARK_SENDER_UNKNOWN = 0,
    HALLMARK_SENDER_AUTOMATED = 1,
    HALLMARK_SENDER_HUMAN = 2,
    HALLMARK_SENDER_AI = 3
} hallmark_sender_kind;

/** Kinds of signed action buttons (spec §2). */
typedef enum hallmark_action_kind {
    HALLMARK_ACTION_UNKNOWN = 0,
    HALLMARK_ACTION_LINK = 1,
    HALLMARK_ACTION_REPLY = 2,
    HALLMARK_ACTION_CALL = 3,
    HALLMARK_ACTION_UNSUBSCRIBE = 4,
    HALLMARK_ACTION_PREFERENCES = 5
} hallmark_action_kind;

#define HALLMARK_MAX_ACTIONS 4

/** One validated action: its URL is https and inside the brand's link domains. */
typedef struct hallmark_action {
    hallmark_action_kind kind;
    char label[161]; /**< UTF-8, at most 40 bytes used by v1 */
    char url[2049];
} hallmark_action;

/**
 * Everything an app needs to render a verdict, with no parsing and no pointers to free: every
 * string is a NUL-terminated array inside the struct. The brand fields are filled only when
 * code == HALLMARK_VERIFIED; otherwise they are all empty, so nothing of an unverified brand can
 * be shown by mistake. On HALLMARK_VERIFIED_DOMAIN (a brand at level basic, [HM-VERIFY-41]) they
 * are filled except display_name, the logo fields and the colours, which stay empty: the app shows
 * "signed by" and signed_domain. brand_id is for replay detection and logs, not for display.
 * A call writes each string up to its NUL, and actions[i] past action_count as empty (kind 0,
 * empty label and url): the bytes after a string's NUL are not part of the result, and may hold
 * whatever the struct held before.
 */
typedef struct hallmark_verification {
    hallmark_result code; /**< the verdict; only HALLMARK_VERIFIED shows the checkmark */
    const char *detail;   /**< static text saying what failed (never NULL) */
    char brand_id[64];
    char display_name[257];
    unsigned char logo_sha256[32];
    uint32_t logo_width, logo_height;
    char logo_url[2049];   /**< optional, may be empty */
    char color_primary[8]; /**< "#RRGGBB" */
    char color_background[8];
    hallmark_level level;
    hallmark_category category;
    hallmark_sender_kind sender_kind;
    char agent_name[161]; /**< optional name of the human agent, may be empty */
    char
        conversation_id[193]; /**< scoped to its brand: brand id, "/", the token's conv
                                   ([HM-VERIFY-51]); thread messages by this, never the bare conv */
    size_t action_count;
    hallmark_action actions[HALLMARK_MAX_ACTIONS];
    char key_id[44];   /**< RFC 7638 thumbprint of the brand key that signed */
    char alg[8];       /**< "Ed25519" or "ES256" */
    char token_id[65]; /**< jti */
    int64_t issued_at, expires_at;
    char signed_domain[254]; /**< the credential's verified domain ([HM-CRED-41]): always on
                                  HALLMARK_VERIFIED_DOMAIN, on HALLMARK_VERIFIED when present */
    /* Appended for issue 22 items 6 and 7 ([HM-VERIFY-49]). */
    hallmark_ui ui; /**< what the app shows, on the message's channel ([HM-RESULT-44]): filled
                         for every verdict, so the app never computes it */
    unsigned int signed_fields; /**< HALLMARK_SIGNED_* marks of a pass: which displayed fields are
                                     signed; the verified view shows only those ([HM-RESULT-46]) */
    char reply_to[255]; /**< the signed Reply-To address (canonical), empty if the token has none */
} hallmark_verification;

/** signed_fields: the subject or title the app passed is the signed one (step 12a). */
#define HALLMARK_SIGNED_SUBJECT 1u
/** signed_fields: the Reply-To the app passed is the signed one (step 12b). */
#define HALLMARK_SIGNED_REPLY_TO 2u
/** signed_fields: the body matched one of the signer's renderings (alt_body), not body itself. */
#define HALLMARK_SIGNED_BODY_RENDERING 4u

/**
 * A message as the app received it. Strings are NUL-terminated UTF-8.
 *
 * An id cannot hold U+0000 here: C reads "ALPHABANK\0.evil" as "ALPHABANK". A caller whose
 * strings may hold U+0000 (a binding: Java, Kotlin, Swift; text decoded from a protocol) must not
 * cut them: it passes the lengths to hallmark_verify_sized, which treats such an id as one that
 * is valid for no channel ([HM-ID-7]).
 */
typedef struct hallmark_message {
    const char *channel;       /**< "sms", "rcs", "whatsapp", "email", "push", "inapp", ... */
    const char *from;          /**< sender id as the channel showed it, canonical form (§4) */
    const char *to;            /**< the app user's own id on that channel, canonical form */
    const unsigned char *body; /**< body bytes as received (NULL allowed when body_len is 0) */
    size_t body_len;
    const char *token; /**< compact JWS; NULL or empty means the message is unsigned */
    size_t token_len;
    /* Optional displayed fields ([HM-VERIFY-48]); NULL: the app displays no such field, and it is
     * neither checked nor marked signed. Bytes as displayed, not NUL-terminated: a zero byte
     * inside never matches a signed value. Appended: a caller that zero-initializes the struct
     * ({0}, designated initializers, memset) passes none. */
    const char *subject; /**< the e-mail Subject (unfolded, decoded) or the push/in-app title */
    size_t subject_len;
    const char *reply_to; /**< the e-mail Reply-To addr-spec the app would reply to */
    size_t reply_to_len;
} hallmark_message;

/** An opaque verifier: the app's trust anchor for one platform plus the trust bundle in force. */
typedef struct hallmark_verifier hallmark_verifier;

/** The largest trust state a load writes (spec §6.8), in bytes: the state_out capacity to give. */
#define HALLMARK_TRUST_STATE_MAX 1024
/** HALLMARK_TRUST_STATE_MAX, for bindings that cannot read macros. Thread-safe. */
HALLMARK_API size_t hallmark_trust_state_max(void);

/**
 * Creates a verifier for one platform, with the trust anchor the app pins (spec §1.2,
 * [HM-TRUST-60]). An app that verifies messages of several platforms creates one verifier, and
 * persists one trust state, per platform.
 * @param out         receives a new verifier, owned by the caller (hallmark_verifier_free).
 * @param platform    the platform id, NUL-terminated UTF-8: the exact "platform" of its bundles;
 *                    copied.
 * @param roots       root_count Ed25519 public keys, each the base64url of its 32 bytes (the JWK
 *                    "x" value): the pinned root set. Borrowed for the call.
 * @param root_count  1 to 16.
 * @param threshold   how many keys of the set must sign a publisher certificate or a root
 *                    rotation statement: 1 to root_count.
 * @return HALLMARK_OK, HALLMARK_ERR_INVALID_ARGUMENT (NULL, no roots, more than 16, a threshold
 *         out of range, a platform id that is empty, longer than 64 bytes or holds a control
 *         character, a root listed twice), HALLMARK_ERR_INVALID_KEY (a root is not a valid
 *         Ed25519 key), HALLMARK_ERR_NOMEM or HALLMARK_ERR_INTERNAL.
 * Thread safety: may be called from any thread.
 */
HALLMARK_API hallmark_result hallmark_verifier_create(hallmark_verifier **out, const char *platform,
                                                      const char *const *roots, size_t root_count,
                                                      size_t threshold) HALLMARK_WARN_UNUSED;

/**
 * Loads a trust bundle (spec §6.6) against the app's persisted trust state, and on success
 * replaces the bundle in force and writes the next state, which the app MUST persist for this
 * platform as it is and pass to the next load ([HM-BUNDLE-31]).
 *
 * The state is an opaque, versioned byte string (spec §6.8): store its bytes, never edit them. It
 * is how an app shuts out a leaked key without an app release: a bundle of an older publisher
 * generation, a root chain that forks from the one seen, or an older serial of the same
 * generation is refused. A later library may write a longer state; the capacity to give is
 * always HALLMARK_TRUST_STATE_MAX.
 *
 * @param bundle         the bundle's compact JWS bytes; copied, the caller keeps ownership.
 * @param state          the state persisted after the last successful load, borrowed; NULL with
 *                       state_len 0 on first use only (no state: no floor, spec §11).
 * @param now            current time, seconds since the Unix epoch.
 * @param state_out      receives the next state on HALLMARK_OK (not NUL-terminated); may be the
 *                       same buffer as state. Untouched on failure.
 * @param state_out_cap  at least HALLMARK_TRUST_STATE_MAX.
 * @param state_out_len  receives the length of the next state on HALLMARK_OK.
 * @param err            optional detail on failure (static strings).
 * @return HALLMARK_OK; HALLMARK_ERR_INVALID_ARGUMENT (NULL, state NULL with a length, now < 0);
 *         HALLMARK_ERR_BUFFER_TOO_SMALL (state_out_cap < HALLMARK_TRUST_STATE_MAX);
 *         HALLMARK_ERR_STATE_INVALID (the state is damaged, of an unknown version or of another
 *         platform: report it, do not retry with no state); HALLMARK_BUNDLE_MALFORMED,
 *         HALLMARK_BUNDLE_UNTRUSTED, HALLMARK_BUNDLE_BAD_SIGNATURE,
 *         HALLMARK_BUNDLE_WRONG_PLATFORM, HALLMARK_BUNDLE_ROOT_FORKED,
 *         HALLMARK_BUNDLE_PUBLISHER_SUPERSEDED, HALLMARK_BUNDLE_ROLLBACK,
 *         HALLMARK_BUNDLE_EXPIRED; HALLMARK_ERR_NOMEM. On failure the bundle in force (if any)
 *         stays in force and the app keeps its persisted state.
 * Thread safety: safe while other threads call hallmark_verify on the same verifier: the new
 * bundle is built aside and swapped in atomically (verifications take no lock; the load waits
 * at most for verifications inside their first few instructions); a verify that started earlier
 * finishes on the bundle it started with. Concurrent loads are serialized. The verifier also checks
 * the bundle against the state of the bundle it holds, so it never moves back within a process.
 * Cost: a bundle whose brand entries are mostly byte for byte those of the bundle held is read in
 * parts, and only the changed entries are parsed (spec §6.6 [HM-BUNDLE-114]; the result is the
 * same as a first load's); the WebAssembly build always parses the whole bundle.
 */
HALLMARK_API hallmark_result hallmark_verifier_load(hallmark_verifier *verifier,
                                                    const unsigned char *bundle, size_t bundle_len,
                                                    const unsigned char *state, size_t state_len,
                                                    int64_t now, unsigned char *state_out,
                                                    size_t state_out_cap, size_t *state_out_len,
                                                    hallmark_error *err) HALLMARK_WARN_UNUSED;

/**
 * Loads the status object of the bundle in force (spec §6.9, [HM-BUNDLE-87]): the small, signed,
 * hourly file that carries the keys and brands revoked since that bundle. On success the
 * verifier uses it from the next verify on, and writes the next trust state, which the app
 * persists as after hallmark_verifier_load (it holds the status floor, [HM-BUNDLE-92]). Then the
 * app re-checks its stored verdicts with hallmark_verdict_still_valid ([HM-VERIFY-57]).
 *
 * Call it right after every successful hallmark_verifier_load, and again at least every
 * status_every seconds of the bundle ([HM-TRUST-71]). A bundle that asks for a status gives
 * HALLMARK_STATUS_STALE (neutral) from verify until a fresh one is loaded.
 *
 * @param status      the status's compact JWS bytes; borrowed for the call.
 * @param state       the state persisted after the last successful load (bundle or status),
 *                    borrowed; NULL with state_len 0 when there is none.
 * @param now         current time, seconds since the Unix epoch.
 * @param state_out   receives the next state on HALLMARK_OK (not NUL-terminated); may be the
 *                    same buffer as state. Untouched on failure.
 * @param state_out_cap  at least HALLMARK_TRUST_STATE_MAX.
 * @param state_out_len  receives the length of the next state on HALLMARK_OK.
 * @param err         optional detail on failure (static strings).
 * @return HALLMARK_OK; HALLMARK_ERR_INVALID_ARGUMENT; HALLMARK_ERR_BUFFER_TOO_SMALL;
 *         HALLMARK_ERR_STATE_INVALID; HALLMARK_NO_BUNDLE (load the bundle first);
 *         HALLMARK_STATUS_INVALID (malformed, not signed by the bundle's publishing key, another
 *         platform); HALLMARK_STATUS_OTHER_BUNDLE (it names another bundle: fetch and load the
 *         bundle, then the status again); HALLMARK_STATUS_ROLLBACK (older than one accepted);
 *         HALLMARK_STATUS_STALE (already expired); HALLMARK_ERR_NOMEM. On failure the status in
 *         force (if any) stays, and the app keeps its persisted state.
 * Thread safety: as hallmark_verifier_load (serialized with loads; verifies may run alongside).
 */
HALLMARK_API hallmark_result hallmark_verifier_load_status(
    hallmark_verifier *verifier, const unsigned char *status, size_t status_len,
    const unsigned char *state, size_t state_len, int64_t now, unsigned char *state_out,
    size_t state_out_cap, size_t *state_out_len, hallmark_error *err) HALLMARK_WARN_UNUSED;

/**
 * Re-checks a stored verdict (spec §7.5, [HM-VERIFY-57]): whether a message that was given
 * HALLMARK_VERIFIED or HALLMARK_VERIFIED_DOMAIN may still show it, against the bundle and status
 * in force. The app stores the result's brand_id, key_id and issued_at with each such verdict,
 * and calls this for each after every successful bundle or status load and before showing stored
 * messages after a restart. It shows the stored checkmark only on HALLMARK_OK, and otherwise the
 * UI class of the code returned (hallmark_ui_class).
 * @param iss  the stored brand_id; @param kid  the stored key_id (NUL-terminated).
 * @param iat  the stored issued_at; @param now  current time, seconds since the Unix epoch.
 * @return HALLMARK_OK (still valid); HALLMARK_NO_BUNDLE, HALLMARK_BUNDLE_EXPIRED,
 *         HALLMARK_STATUS_STALE (neutral: cannot tell now); HALLMARK_UNKNOWN_KEY (neutral: the key
 *         has left the bundles); HALLMARK_KEY_REVOKED, HALLMARK_ISSUER_MISMATCH,
 *         HALLMARK_BRAND_REVOKED, HALLMARK_KEY_NOT_VALID (warning: withdrawn);
 *         HALLMARK_ERR_INVALID_ARGUMENT (NULL, now < 0).
 * Thread safety: as hallmark_verify.
 */
HALLMARK_API hallmark_result hallmark_verdict_still_valid(hallmark_verifier *verifier,
                                                          const char *iss, const char *kid,
                                                          int64_t iat,
                                                          int64_t now) HALLMARK_WARN_UNUSED;

/**
 * Replaced: it pins no platform id and no threshold. Sets *out to NULL (when out is not NULL) and
 * returns HALLMARK_ERR_API_REPLACED. Use hallmark_verifier_create. Kept so that a caller built
 * against an earlier header gets this answer rather than a missing symbol or a weaker verifier.
 */
HALLMARK_API hallmark_result hallmark_verifier_new(hallmark_verifier **out,
                                                   const char *const *roots,
                                                   size_t root_count) HALLMARK_WARN_UNUSED;

/**
 * Replaced: a bare serial cannot carry the publisher generation or the root chain position, so
 * an app that kept calling it would lose the protection against a leaked key without noticing
 * ([HM-BUNDLE-31]). Changes nothing, fills err, and returns HALLMARK_ERR_API_REPLACED. Use
 * hallmark_verifier_load.
 */
HALLMARK_API hallmark_result
hallmark_verifier_load_bundle(hallmark_verifier *verifier, const unsigned char *bundle,
                              size_t bundle_len, uint64_t last_serial, int64_t now,
                              uint64_t *serial_out, hallmark_error *err) HALLMARK_WARN_UNUSED;

/**
 * Verifies one message (spec §7) and fills out (always, whatever the verdict).
 * @param now  the time to judge by, at receipt: the device clock when the message arrived,
 *             seconds since the epoch; it is used as both times of hallmark_verify_at. To verify
 *             later, call hallmark_verify_at with the receipt time and the current time: a
 *             receipt time earlier than the data loaded gives HALLMARK_CLOCK_BEHIND here
 *             ([HM-VERIFY-63]), never a verdict judged against data taken for fresh.
 * @return the verdict, also in out->code: HALLMARK_VERIFIED or (level basic)
 *         HALLMARK_VERIFIED_DOMAIN only on a full pass; otherwise the first failing step's
 *         code (spec §8), or HALLMARK_ERR_INVALID_ARGUMENT / _NOMEM. A message with no token
 *         (or one that cannot be tied to a brand key: MALFORMED, HEADER_REFUSED,
 *         UNSUPPORTED_ALG, UNKNOWN_KEY) from a sender that always signs gives
 *         HALLMARK_SENDER_ALWAYS_SIGNED instead ([HM-VERIFY-42]), with no brand data in out.
 *         Apps that fetch SMS tokens from the directory call hallmark_verify_fetched after it
 *         answered rather than this without a token.
 * Thread safety: any number of threads may verify concurrently, and with a bundle load.
 */
HALLMARK_API hallmark_result hallmark_verify(hallmark_verifier *verifier,
                                             const hallmark_message *message, int64_t now,
                                             hallmark_verification *out);

/**
 * Verifies one message with two times (spec [HM-VERIFY-60]): received_at, when the app received
 * the message by its own clock (recorded at receipt; never a time the message or its transport
 * reports), judges the token's window and the credential; now, the device clock at this call,
 * judges the bundle, its status and the clock floor. An app that verifies at receipt passes the
 * same value twice; one that verifies later (an SMS token fetched again, a stored message shown
 * again) passes the recorded receipt time and the current time.
 * @return as hallmark_verify; also HALLMARK_ERR_INVALID_ARGUMENT when received_at is negative or
 *         later than now + 300 s ([HM-VERIFY-61]), and HALLMARK_CLOCK_BEHIND (neutral) when now
 *         is more than 300 s before the newest time the platform signed in the data loaded (the
 *         bundle's or the status's iat, [HM-VERIFY-62]).
 * Thread safety: as hallmark_verify.
 */
HALLMARK_API hallmark_result hallmark_verify_at(hallmark_verifier *verifier,
                                                const hallmark_message *message,
                                                int64_t received_at, int64_t now,
                                                hallmark_verification *out);

/**
 * hallmark_verify_sized with two times, as hallmark_verify_at (the Java and Swift bindings use it).
 */
HALLMARK_API hallmark_result hallmark_verify_sized_at(hallmark_verifier *verifier,
                                                      const hallmark_message *message,
                                                      size_t channel_len, size_t from_len,
                                                      size_t to_len, int64_t received_at,
                                                      int64_t now, hallmark_verification *out);

/**
 * hallmark_verify for callers that know the byte lengths of the channel and ids, because their
 * strings may hold U+0000 (the Java and Swift bindings use it). message->channel, ->from and ->to
 * must each be NUL-terminated at channel_len, from_len and to_len bytes; body and token are as for
 * hallmark_verify. An id holding a zero byte before its length is valid for no channel, as any id
 * with a C0 control ([HM-ID-7], [HM-ID-6]): it is never cut, and the verdict is the one
 * hallmark_verify gives for any invalid id, at the same step:
 *   - from: HALLMARK_SENDER_MISMATCH (step 10b), unless an earlier step fails first;
 *   - to:   HALLMARK_RECIPIENT_MISMATCH (step 12), unless an earlier step fails first;
 *   - channel: HALLMARK_ERR_INVALID_ARGUMENT (a channel is [a-z0-9-]{1,16}, [HM-VERIFY-1]).
 * So "ALPHABANK\0.evil" with ALPHABANK's genuine token gives HALLMARK_SENDER_MISMATCH, never
 * HALLMARK_VERIFIED. A string that is not NUL-terminated at its length gives
 * HALLMARK_ERR_INVALID_ARGUMENT. Otherwise as hallmark_verify, also for thread safety.
 */
HALLMARK_API hallmark_result hallmark_verify_sized(hallmark_verifier *verifier,
                                                   const hallmark_message *message,
                                                   size_t channel_len, size_t from_len,
                                                   size_t to_len, int64_t now,
                                                   hallmark_verification *out);

/**
 * Checks logo bytes from the app's store against the digest a verified message carries.
 * @return HALLMARK_OK if SHA-256(png) equals v->logo_sha256, HALLMARK_LOGO_MISMATCH if not,
 *         HALLMARK_ERR_INVALID_ARGUMENT if v is not a HALLMARK_VERIFIED result (a
 *         HALLMARK_VERIFIED_DOMAIN result has no logo to show) or png is NULL.
 */
HALLMARK_API hallmark_result hallmark_logo_check(const hallmark_verification *v,
                                                 const unsigned char *png,
                                                 size_t png_len) HALLMARK_WARN_UNUSED;

/** Length of a token lookup key: base64url of a SHA-256 digest, without padding. */
#define HALLMARK_LOOKUP_KEY_LEN 43

/**
 * The token directory's lookup key of a message that arrived without its token (spec §9.5-9.6,
 * HM-CARRY-16): SMS, and RCS or WhatsApp with directory carriage. The app fetches
 * GET <platform's token endpoint>/<key> and passes what it gets to hallmark_verify_fetched.
 * The key covers the channel, the sender, the recipient and the canonical body, so a lookup needs
 * both the app user's own id and the text, and one key holds one recipient's tokens.
 * @param message  channel, from, to and body as for hallmark_verify; its token is ignored.
 * @param out      receives the key and a NUL: out_cap must be at least HALLMARK_LOOKUP_KEY_LEN + 1.
 * @return HALLMARK_OK; HALLMARK_ERR_INVALID_ARGUMENT (NULL, an unknown channel, or a sender or
 *         recipient id that is not an id of that channel, §4); HALLMARK_ERR_BUFFER_TOO_SMALL;
 *         HALLMARK_BODY_MODIFIED when the body is not UTF-8 (no token can exist for it).
 * Thread safety: pure function of its arguments.
 */
HALLMARK_API hallmark_result hallmark_token_lookup_key(const hallmark_message *message, char *out,
                                                       size_t out_cap) HALLMARK_WARN_UNUSED;

/**
 * A logo of the bundle in force, to fetch right after a load, never when a message is shown
 * (spec [HM-CRED-78]: a fetch at display is a read receipt).
 */
typedef struct hallmark_logo_ref {
    unsigned char sha256[32]; /**< the digest of the PNG bytes: keep the logo under it */
    char sha256_b64[44];      /**< its base64url: GET <platform>/v1/logos/<sha256_b64> */
    char url[2049];           /**< the credential's logo.url, or empty */
} hallmark_logo_ref;

/**
 * Lists the logos of the bundle in force that an app may show ([HM-CRED-79]): those of brands
 * that are not revoked and not at level basic, each digest once, in digest order. Call it after
 * every load that returns HALLMARK_OK, fetch the ones not held yet, check each with
 * hallmark_logo_ref_check, and keep them by digest. Thread-safe, like verify.
 * @param v      a verifier.
 * @param out    receives up to cap entries, owned by the caller; may be NULL when cap is 0.
 * @param cap    the number of entries out can hold.
 * @param count  receives the number of logos, also when out is too small.
 * @return HALLMARK_OK; HALLMARK_ERR_BUFFER_TOO_SMALL (count says how many to give room for);
 *         HALLMARK_NO_BUNDLE; HALLMARK_ERR_INVALID_ARGUMENT; HALLMARK_ERR_NOMEM.
 */
HALLMARK_API hallmark_result hallmark_verifier_logos(hallmark_verifier *v, hallmark_logo_ref *out,
                                                     size_t cap,
                                                     size_t *count) HALLMARK_WARN_UNUSED;

/**
 * Checks fetched logo bytes against the digest the bundle names ([HM-CRED-9], [HM-CRED-79]),
 * before the app keeps them.
 * @return HALLMARK_OK when SHA-256(png) equals ref->sha256; HALLMARK_LOGO_MISMATCH otherwise
 * (discard the bytes, show the placeholder, fetch again at the next load);
 *         HALLMARK_ERR_INVALID_ARGUMENT for NULL arguments. Thread-safe.
 */
HALLMARK_API hallmark_result hallmark_logo_ref_check(const hallmark_logo_ref *ref,
                                                     const unsigned char *png,
                                                     size_t len) HALLMARK_WARN_UNUSED;

/** At most this many tokens are read from one directory answer (HM-CARRY-17). */
#define HALLMARK_FETCHED_TOKENS_MAX 100

/**
 * Verifies a message that arrived without its token against the tokens the directory returned
 * for its lookup key (spec §9.6, HM-CARRY-18). Each token is verified as hallmark_verify would;
 * tokens that give HALLMARK_RECIPIENT_MISMATCH belong to someone else and are discarded. The
 * verdict is HALLMARK_VERIFIED or HALLMARK_VERIFIED_DOMAIN if a remaining token verifies (out
 * describes the first such token, HM-CARRY-40), else the
 * result of the first remaining token, else (none remain, or token_count is 0 after a 404)
 * HALLMARK_UNSIGNED, or HALLMARK_SENDER_ALWAYS_SIGNED when the sender always signs (HM-CARRY-23:
 * the directory's "none" for a sender that signs every message is a warning, with no brand data).
 * When the fetch itself failed, do not call this: show the neutral UI and retry later
 * (HM-CARRY-19).
 * @param message      the message as received; its token must be NULL or empty.
 * @param tokens       token_count compact JWS strings, NUL-terminated, as the directory returned
 *                     them (newest first); borrowed. NULL only when token_count is 0.
 * @param token_count  at most HALLMARK_FETCHED_TOKENS_MAX.
 * @param now          as for hallmark_verify.
 * @return the verdict, also in out->code, or HALLMARK_ERR_INVALID_ARGUMENT (NULL, a message that
 *         carries a token, too many tokens) / HALLMARK_ERR_NOMEM.
 * Thread safety: as hallmark_verify.
 */
HALLMARK_API hallmark_result hallmark_verify_fetched(hallmark_verifier *verifier,
                                                     const hallmark_message *message,
                                                     const char *const *tokens, size_t token_count,
                                                     int64_t now, hallmark_verification *out);

/**
 * hallmark_verify_fetched with two times, as hallmark_verify_at: received_at is when the SMS
 * arrived, now is the time of this (possibly later) fetch.
 */
HALLMARK_API hallmark_result hallmark_verify_fetched_at(hallmark_verifier *verifier,
                                                        const hallmark_message *message,
                                                        const char *const *tokens,
                                                        size_t token_count, int64_t received_at,
                                                        int64_t now, hallmark_verification *out);

/** Frees a verifier and its bundle. NULL is allowed. Not concurrently with other calls on it. */
HALLMARK_API void hallmark_verifier_free(hallmark_verifier *verifier);

/** Names for the enums above ("transactional", "human", "link", "trademark"); never NULL. */
HALLMARK_API const char *hallmark_category_name(hallmark_category c);
HALLMARK_API const char *hallmark_sender_kind_name(hallmark_sender_kind k);
HALLMARK_API const char *hallmark_action_kind_name(hallmark_action_kind k);
HALLMARK_API const char *hallmark_level_name(hallmark_level l);

#ifdef __cplusplus
}
#endif

#endif /* HALLMARK_H */
