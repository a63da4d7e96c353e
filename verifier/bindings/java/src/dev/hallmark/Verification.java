package dev.hallmark;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The verdict on one message and, only when {@link #isVerified()}, the brand data to render.
 * For any other result every brand field is empty (strings ""), so nothing of an unverified
 * brand can be shown by mistake. Immutable and safe to share between threads.
 */
public final class Verification {
    /** Verification level of the brand (spec §5.5). */
    public enum Level { UNKNOWN, BASIC, ORGANIZATION, TRADEMARK }
    /** Message category (spec §2.3). */
    public enum Category { UNKNOWN, TRANSACTIONAL, OTP, ALERT, MARKETING, SERVICE }
    /** Who wrote the message (spec §2.3). */
    public enum SenderKind { UNKNOWN, AUTOMATED, HUMAN, AI }

    // Layout shared with the JNI shim (hallmark_jni.c): indexes into the arrays it fills.
    static final int S_DETAIL = 0, S_BRAND_ID = 1, S_NAME = 2, S_LOGO_URL = 3, S_PRIMARY = 4,
            S_BACKGROUND = 5, S_AGENT = 6, S_CONV = 7, S_KID = 8, S_ALG = 9, S_JTI = 10,
            S_LABELS = 11, S_URLS = 15, S_LOGO_SHA256 = 19, S_DOMAIN = 20, S_REPLY_TO = 21,
            STRINGS = 22;
    static final int N_CODE = 0, N_LOGO_W = 1, N_LOGO_H = 2, N_LEVEL = 3, N_CATEGORY = 4,
            N_SENDER = 5, N_ACTIONS = 6, N_IAT = 7, N_EXP = 8, N_KINDS = 9, N_UI = 13,
            N_SIGNED = 14, NUMBERS = 15;
    // hallmark.h's HALLMARK_SIGNED_* marks.
    private static final long SIGNED_SUBJECT = 1, SIGNED_REPLY_TO = 2, SIGNED_BODY_RENDERING = 4;

    private final Result result;
    private final String detail, brandId, displayName, logoUrl, colorPrimary, colorBackground,
            agentName, conversationId, keyId, alg, tokenId, signedDomain, replyTo;
    private final UiClass ui;
    private final long signedFields;
    private final byte[] logoSha256;
    private final int logoWidth, logoHeight;
    private final Level level;
    private final Category category;
    private final SenderKind senderKind;
    private final List<Action> actions;
    private final long issuedAt, expiresAt;

    Verification(byte[][] s, long[] n) {
        result = Result.of((int) n[N_CODE]);
        detail = str(s[S_DETAIL]);
        brandId = str(s[S_BRAND_ID]);
        displayName = str(s[S_NAME]);
        logoUrl = str(s[S_LOGO_URL]);
        colorPrimary = str(s[S_PRIMARY]);
        colorBackground = str(s[S_BACKGROUND]);
        agentName = str(s[S_AGENT]);
        conversationId = str(s[S_CONV]);
        keyId = str(s[S_KID]);
        alg = str(s[S_ALG]);
        tokenId = str(s[S_JTI]);
        signedDomain = str(s[S_DOMAIN]);
        replyTo = str(s[S_REPLY_TO]);
        ui = UiClass.of((int) n[N_UI]);
        signedFields = n[N_SIGNED];
        logoSha256 = s[S_LOGO_SHA256] == null ? new byte[0] : s[S_LOGO_SHA256];
        logoWidth = (int) n[N_LOGO_W];
        logoHeight = (int) n[N_LOGO_H];
        level = Level.values()[(int) Math.min(n[N_LEVEL], Level.values().length - 1)];
        category = Category.values()[(int) Math.min(n[N_CATEGORY], Category.values().length - 1)];
        senderKind = SenderKind.values()[(int) Math.min(n[N_SENDER], SenderKind.values().length - 1)];
        List<Action> list = new ArrayList<>();
        for (int i = 0; i < n[N_ACTIONS] && i < 4; i++) {
            int k = (int) n[N_KINDS + i];
            list.add(new Action(Action.Kind.values()[k < Action.Kind.values().length ? k : 0],
                    str(s[S_LABELS + i]), str(s[S_URLS + i])));
        }
        actions = Collections.unmodifiableList(list);
        issuedAt = n[N_IAT];
        expiresAt = n[N_EXP];
    }

    private static String str(byte[] b) {
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }

    /** The verdict; only {@link Result#VERIFIED} earns the checkmark. */
    public Result result() { return result; }
    /**
     * What the app shows, on the message's own channel (spec §8, HM-RESULT-44): the C library
     * computes it, so a changed body on e-mail or SMS is neutral and a warning on push.
     * {@link UiClass#CHECKMARK} only on a full pass.
     */
    public UiClass uiClass() { return ui; }
    /**
     * True when the subject or title the app passed ({@link Message#withDisplayed}) is the
     * signed one: only then may the verified view show it (HM-RESULT-46).
     */
    public boolean subjectSigned() { return (signedFields & SIGNED_SUBJECT) != 0; }
    /** True when the Reply-To the app passed is the signed one (HM-RESULT-46). */
    public boolean replyToSigned() { return (signedFields & SIGNED_REPLY_TO) != 0; }
    /** True when the body matched a rendering the brand signed (alt_body, spec §3.4). */
    public boolean bodyRendering() { return (signedFields & SIGNED_BODY_RENDERING) != 0; }
    /** The signed Reply-To address (canonical), or "": where a reply goes (HM-CARRY-28). */
    public String replyTo() { return replyTo; }
    /** True only on a full pass that earns the checkmark ({@link Result#VERIFIED}). */
    public boolean isVerified() { return result == Result.VERIFIED; }
    /**
     * True on a full pass for a brand verified at level basic ({@link Result#VERIFIED_DOMAIN},
     * spec HM-CRED-40): show "signed by" {@link #signedDomain()} only; the display name, logo and
     * colours are empty.
     */
    public boolean isDomainVerified() { return result == Result.VERIFIED_DOMAIN; }
    /**
     * The domain whose control the platform verified (spec HM-CRED-41): always on
     * {@link Result#VERIFIED_DOMAIN}, on {@link Result#VERIFIED} when the credential names one,
     * else "".
     */
    public String signedDomain() { return signedDomain; }
    /** What failed, in words (for logs, not for customers). */
    public String detail() { return detail; }
    public String brandId() { return brandId; }
    public String displayName() { return displayName; }
    /** SHA-256 of the logo PNG; show a logo only if its bytes hash to this. */
    public byte[] logoSha256() { return logoSha256.clone(); }
    /**
     * Checks logo bytes against the signed digest with the C library (hallmark_logo_check, spec
     * HM-CRED-9): show a logo only when this is {@link Result#OK}. The app fetches every logo of a
     * bundle when it loads (the platform's GET /v1/logos/{sha256}) and caches it by digest; it
     * never fetches one when it shows a message, which would tell the server who read what.
     * @param png the PNG file bytes, as downloaded or cached; not modified.
     * @return OK when SHA-256(png) equals {@link #logoSha256()}; LOGO_MISMATCH when it does not;
     *     ERR_INVALID_ARGUMENT when this is not a verified result (there is no logo to show).
     * @throws NullPointerException if png is null
     */
    public Result logoCheck(byte[] png) {
        Objects.requireNonNull(png, "png");
        return Result.of(Verifier.nativeLogoCheck(result.code(), logoSha256, png));
    }

    /** True only when this is a verified result and png is its signed logo ({@link #logoCheck}). */
    public boolean logoMatches(byte[] png) {
        return logoCheck(png) == Result.OK;
    }

    public int logoWidth() { return logoWidth; }
    public int logoHeight() { return logoHeight; }
    public String logoUrl() { return logoUrl; }
    public String colorPrimary() { return colorPrimary; }
    public String colorBackground() { return colorBackground; }
    public Level level() { return level; }
    public Category category() { return category; }
    public SenderKind senderKind() { return senderKind; }
    /** The human agent's name when {@link #senderKind()} is HUMAN, else "". */
    public String agentName() { return agentName; }
    /**
     * The conversation id scoped to its brand, "brand-id/conv" (spec HM-VERIFY-51), or "". Thread
     * messages by this value only: two brands' conversations never share one.
     */
    public String conversationId() { return conversationId; }
    public List<Action> actions() { return actions; }
    public String keyId() { return keyId; }
    public String alg() { return alg; }
    public String tokenId() { return tokenId; }
    /** The signed issue time: the message's time in the verified view (HM-RESULT-46). */
    public long issuedAt() { return issuedAt; }
    public long expiresAt() { return expiresAt; }
}
