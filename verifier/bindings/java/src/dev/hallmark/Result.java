package dev.hallmark;

/**
 * Every result of the Hallmark C library (hallmark.h), with the same numeric codes. Only
 * {@link #VERIFIED} earns the checkmark. Generated from hallmark_result; the values never change.
 */
public enum Result {
    /** the call succeeded (non-verify calls) */
    OK(0),
    /** NULL or out-of-range argument */
    ERR_INVALID_ARGUMENT(1),
    /** an allocation failed */
    ERR_NOMEM(2),
    /** libsodium or OpenSSL failed unexpectedly */
    ERR_INTERNAL(3),
    /** the caller's output buffer is too small */
    ERR_BUFFER_TOO_SMALL(4),
    /** key bytes are not a valid key */
    ERR_INVALID_KEY(5),
    /** full pass: the only code that shows the checkmark */
    VERIFIED(6),
    /** the message carries no token */
    UNSIGNED(7),
    /** the token is not well-formed */
    MALFORMED(8),
    /** a refused or unknown protected header member */
    HEADER_REFUSED(9),
    /** alg is not one Hallmark supports */
    UNSUPPORTED_ALG(10),
    /** alg does not name the key's pinned algorithm */
    ALG_MISMATCH(11),
    /** kid names no key in the trust bundle */
    UNKNOWN_KEY(12),
    /** the signature does not verify */
    BAD_SIGNATURE(13),
    /** the signing key has been revoked */
    KEY_REVOKED(14),
    /** the key was not valid when the token was issued */
    KEY_NOT_VALID(15),
    /** the key belongs to another brand than iss */
    ISSUER_MISMATCH(16),
    /** the brand has been revoked */
    BRAND_REVOKED(17),
    /** the brand credential is not valid now */
    BRAND_EXPIRED(18),
    /** the token binds a credential not in force */
    BRAND_CREDENTIAL_INVALID(19),
    /** the token was issued for another channel */
    CHANNEL_MISMATCH(20),
    /** the token was issued for another sender id */
    SENDER_MISMATCH(21),
    /** the brand may not send from this sender id */
    SENDER_NOT_AUTHORIZED(22),
    /** the body is not the one that was signed */
    BODY_MODIFIED(23),
    /** the token was issued for another recipient */
    RECIPIENT_MISMATCH(24),
    /** the token's validity has ended */
    TOKEN_EXPIRED(25),
    /** the token was issued in the future */
    TOKEN_NOT_YET_VALID(26),
    /** an action URL is outside the brand's domains */
    ACTION_NOT_AUTHORIZED(27),
    /** no trust bundle has been loaded */
    NO_BUNDLE(28),
    /** the trust bundle is not well-formed */
    BUNDLE_MALFORMED(29),
    /** the trust bundle's signature does not verify */
    BUNDLE_BAD_SIGNATURE(30),
    /** the bundle's chain does not reach a pinned root */
    BUNDLE_UNTRUSTED(31),
    /** the trust bundle is stale: cannot tell */
    BUNDLE_EXPIRED(32),
    /** the bundle is older than one already accepted */
    BUNDLE_ROLLBACK(33),
    /** a file could not be read or written */
    ERR_IO(34),
    /** a key file does not decrypt with this passphrase */
    ERR_WRONG_PASSPHRASE(35),
    /** a state or key file is damaged or tampered with */
    ERR_CORRUPT(36),
    /** no such brand in the trust bundle in force */
    ERR_UNKNOWN_BRAND(37),
    /** the brand has no active, published signing key */
    ERR_NO_ACTIVE_KEY(38),
    /** a message field is missing or breaks its limits */
    ERR_BAD_REQUEST(39),
    /** a body, request or batch exceeds its size limit */
    ERR_TOO_LARGE(40),
    /** the client is not authenticated */
    ERR_UNAUTHORIZED(41),
    /** the client may not sign for this brand or channel */
    ERR_FORBIDDEN(42),
    /** the client sent too many requests */
    ERR_RATE_LIMITED(43),
    /** the service cannot sign now (audit log, shutdown) */
    ERR_UNAVAILABLE(44),
    /** two brands in the bundle claim this sender id: none shown */
    SENDER_CONTESTED(45),
    /** full pass for a brand verified at level basic: show only "signed by" its domain */
    VERIFIED_DOMAIN(46),
    /** the sender signs every message and this one has no token of a brand: a warning, no brand */
    SENDER_ALWAYS_SIGNED(47),
    // 48, 54 and 55 are reserved for the rest of issue 22.
    /** the displayed subject or title is not the signed one */
    SUBJECT_MODIFIED(49),
    /** the displayed Reply-To is not the signed one */
    REPLY_TO_MISMATCH(50),
    /** the signed Reply-To is outside the brand's e-mail senders */
    REPLY_TO_NOT_AUTHORIZED(51),
    /** the brand's credential does not list the token's category (spec HM-CRED-76) */
    CATEGORY_NOT_AUTHORIZED(52),
    /** logo bytes do not hash to the digest the bundle names: discard them (spec HM-CRED-79) */
    LOGO_MISMATCH(53),
    /** a call that cannot carry the trust state: use Verifier(platform, threshold, roots) and load */
    ERR_API_REPLACED(56),
    /** the persisted trust state is damaged, of an unknown version, or of another platform */
    ERR_STATE_INVALID(57),
    /** the bundle belongs to another platform */
    BUNDLE_WRONG_PLATFORM(58),
    /** the bundle's publishing key is of an older generation than one accepted */
    BUNDLE_PUBLISHER_SUPERSEDED(59),
    /** the bundle's root chain forks from the one accepted */
    BUNDLE_ROOT_FORKED(60),
    /** the brand's key signed for a channel or sender its scope does not cover: a warning (spec
     * HM-VERIFY-52) */
    KEY_OUT_OF_SCOPE(61),
    /** the status object is malformed, not signed by the bundle's publishing key, or of another
     * platform (spec §6.9) */
    STATUS_INVALID(64),
    /** the status object names another bundle: load that bundle, then the status again */
    STATUS_OTHER_BUNDLE(65),
    /** the status object is older than one already accepted */
    STATUS_ROLLBACK(66),
    /** the bundle needs a fresh status object: neutral, "cannot tell right now" */
    STATUS_STALE(67),
    /** the device's clock is earlier than times the platform signed (set back): neutral */
    CLOCK_BEHIND(68),
    /**
     * received later after signing than the token's category allows (otp 10 minutes, alert 1 day,
     * others 3 days): a replay or a slow delivery, neutral (spec HM-VERIFY-64)
     */
    DELIVERY_TOO_LATE(69),
    /** the recipient opted out of this brand's messages of this category on this channel */
    ERR_RECIPIENT_OPTED_OUT(73),
    /** the brand's cap for this category and recipient is reached until its reset time */
    ERR_VOLUME_CAP(74),
    /** marketing needs the recipient's opt-in, and there is none */
    ERR_OPT_IN_REQUIRED(75);

    private final int code;

    Result(int code) {
        this.code = code;
    }

    /** The C library's numeric code. */
    public int code() {
        return code;
    }

    /** The C name, e.g. "HALLMARK_VERIFIED". */
    public String cName() {
        return "HALLMARK_" + name();
    }

    /**
     * What the app shows for this result (spec §8), from the C library's hallmark_ui_class: the
     * checkmark for {@link #VERIFIED} only; "signed by" the domain for {@link #VERIFIED_DOMAIN}.
     */
    public UiClass uiClass() {
        return UiClass.of(Verifier.nativeUiClass(code));
    }

    /**
     * What the app shows for this result on a channel (spec HM-RESULT-44), from the C library's
     * hallmark_ui_class_on: {@link #BODY_MODIFIED}, {@link #RECIPIENT_MISMATCH},
     * {@link #SUBJECT_MODIFIED} and {@link #REPLY_TO_MISMATCH} are neutral on "email" and "sms",
     * where intermediaries change text in good faith; everything else as {@link #uiClass()}. For
     * a stored verdict; a fresh one carries its class in {@link Verification#uiClass()}.
     * @throws NullPointerException if channel is null
     */
    public UiClass uiClassOn(String channel) {
        return UiClass.of(Verifier.nativeUiClassOn(code,
                java.util.Objects.requireNonNull(channel, "channel")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** The result with this numeric code; IllegalArgumentException for an unknown code. */
    public static Result of(int code) {
        for (Result r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown Hallmark result code " + code);
    }
}
