package dev.hallmark;

import java.util.Base64;
import java.util.Objects;

/**
 * A logo of the bundle in force, to fetch when the bundle loads and never when a message is
 * shown (spec HM-CRED-78). Immutable.
 */
public final class LogoRef {
    private final String sha256Base64Url;
    private final byte[] sha256;
    private final String url;

    LogoRef(String sha256Base64Url, String url) {
        this.sha256Base64Url = sha256Base64Url;
        this.sha256 = Base64.getUrlDecoder().decode(sha256Base64Url);
        this.url = url;
    }

    /** The digest's base64url (43 characters): fetch {@code GET <platform>/v1/logos/<it>}. */
    public String sha256Base64Url() { return sha256Base64Url; }

    /** The SHA-256 of the PNG bytes: keep the logo under it. */
    public byte[] sha256() { return sha256.clone(); }

    /** The credential's logo.url, or "" when it has none. */
    public String url() { return url; }

    /**
     * Checks fetched bytes before the app keeps them (the C library's hallmark_logo_check).
     * @return OK when SHA-256(png) is this digest, LOGO_MISMATCH otherwise (discard the bytes)
     * @throws NullPointerException if png is null
     */
    public Result check(byte[] png) {
        Objects.requireNonNull(png, "png");
        return Result.of(Verifier.nativeLogoCheck(Result.VERIFIED.code(), sha256, png));
    }

    @Override
    public String toString() { return "LogoRef(" + sha256Base64Url + ")"; }
}
