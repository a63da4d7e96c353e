package dev.hallmark;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The Hallmark verifier for apps: pinned root keys plus the trust bundle in force, over the C
 * library (libhallmark_jni). Thread-safe like the C library: any number of threads may call
 * {@link #verify} at once, also while another thread loads a bundle. {@link #close} frees the
 * native memory; it waits for calls in progress, is idempotent, and any later call throws
 * IllegalStateException.
 *
 * <pre>
 * try (Verifier v = new Verifier("Hallmark Demo", 2, root1, root2, root3)) {
 *     Verifier.BundleLoad load = v.load(bundleBytes, storedState, now); // storedState null at first
 *     if (load.result() == Result.OK) { storedState = load.state(); } // persist it as it is
 *     Verification out = v.verify(new Message("sms", "ACMEBANK", myNumber, body, token), receivedAt);
 *     if (out.isVerified()) { show checkmark, out.displayName(), the cached logo if out.logoMatches(png) }
 * }
 * </pre>
 */
public final class Verifier implements AutoCloseable {
    static {
        System.loadLibrary("hallmark_jni");
    }

    /**
     * The outcome of a bundle load: {@link Result#OK} and the trust state to persist, or why not.
     */
    public static final class BundleLoad {
        private final Result result;
        private final byte[] state;

        BundleLoad(Result result, byte[] state) {
            this.result = result;
            this.state = state;
        }

        public Result result() { return result; }

        /**
         * The next trust state when result is OK (spec §6.8), else null: persist these bytes for
         * this platform, as they are, and pass them to the next {@link #load}. A copy.
         */
        public byte[] state() { return state == null ? null : state.clone(); }
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private long handle;

    /**
     * A verifier for one platform, with the trust anchor the app pins (spec §1.2): the platform
     * id (the "platform" of its bundles), the root set (base64url of 32 bytes each) and how many
     * of its keys must sign a publisher certificate or a root rotation statement.
     * @throws HallmarkException with ERR_INVALID_KEY for a key that is not a valid Ed25519 key,
     *     ERR_INVALID_ARGUMENT for no roots, more than 16, a root twice, a threshold outside
     *     [1, roots], or a platform id that is empty, over 64 bytes or holds a control character.
     */
    public Verifier(String platform, int threshold, String... roots) {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(roots, "roots");
        for (String r : roots) {
            Objects.requireNonNull(r, "root");
        }
        long[] out = new long[1];
        int rc = nativeCreate(platform.getBytes(StandardCharsets.UTF_8), threshold, roots, out);
        if (rc != 0) {
            throw new HallmarkException(Result.of(rc), "cannot create the verifier");
        }
        handle = out[0];
    }

    /**
     * Replaced: it pins no platform id and no threshold.
     * @throws HallmarkException always, with {@link Result#ERR_API_REPLACED}
     * @deprecated use {@link #Verifier(String, int, String...)}
     */
    @Deprecated
    public Verifier(String... roots) {
        throw new HallmarkException(Result.ERR_API_REPLACED,
                "Verifier(roots) pins no platform id or threshold: use Verifier(platform, "
                        + "threshold, roots) and load(bundle, state, now)");
    }

    /**
     * Loads a trust bundle (compact JWS bytes) against the app's persisted trust state (spec
     * §6.6-§6.8). On {@link Result#OK}, persist {@link BundleLoad#state()}; a failure leaves the
     * bundle in force and the app's state as they were.
     * @param state the state persisted after the last successful load, or null on first use only
     *     (an app must never answer ERR_STATE_INVALID by passing null)
     * @param now the current time, Unix seconds
     */
    public BundleLoad load(byte[] bundle, byte[] state, long now) {
        Objects.requireNonNull(bundle, "bundle");
        lock.readLock().lock();
        try {
            byte[] next = new byte[STATE_MAX];
            int[] nextLen = new int[1];
            int rc = nativeLoad(live(), bundle, state, now, next, nextLen);
            return new BundleLoad(Result.of(rc),
                    rc == 0 ? java.util.Arrays.copyOf(next, nextLen[0]) : null);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Loads the status object of the bundle in force (spec §6.9): the small signed file, fetched
     * at least every status_every seconds of the bundle, that carries the keys and brands
     * revoked since it. Call it right after every successful {@link #load}. On
     * {@link Result#OK} persist {@link BundleLoad#state()} as after a bundle load, then re-check
     * stored verdicts with {@link #verdictStillValid}. STATUS_OTHER_BUNDLE: fetch and load the
     * bundle first. A failure leaves the status in force and the app's state as they were.
     * @param state the state persisted after the last successful load (bundle or status)
     * @param now the current time, Unix seconds
     */
    public BundleLoad loadStatus(byte[] status, byte[] state, long now) {
        Objects.requireNonNull(status, "status");
        lock.readLock().lock();
        try {
            byte[] next = new byte[STATE_MAX];
            int[] nextLen = new int[1];
            int rc = nativeLoadStatus(live(), status, state, now, next, nextLen);
            return new BundleLoad(Result.of(rc),
                    rc == 0 ? java.util.Arrays.copyOf(next, nextLen[0]) : null);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Re-checks a stored verdict (spec §7.5, HM-VERIFY-57): the app keeps
     * {@link Verification#brandId()}, {@link Verification#keyId()} and
     * {@link Verification#issuedAt()} with every VERIFIED or VERIFIED_DOMAIN verdict, calls this
     * for each after every successful bundle or status load and before showing stored messages
     * after a restart, and shows the stored checkmark only on {@link Result#OK}; otherwise it
     * shows {@code result.uiClass()} in its place (KEY_REVOKED, BRAND_REVOKED, ISSUER_MISMATCH,
     * KEY_NOT_VALID: a warning; NO_BUNDLE, BUNDLE_EXPIRED, STATUS_STALE, UNKNOWN_KEY: neutral).
     */
    public Result verdictStillValid(String brandId, String keyId, long issuedAt, long now) {
        Objects.requireNonNull(brandId, "brandId");
        Objects.requireNonNull(keyId, "keyId");
        lock.readLock().lock();
        try {
            return Result.of(nativeStillValid(live(), brandId.getBytes(StandardCharsets.UTF_8),
                    keyId.getBytes(StandardCharsets.UTF_8), issuedAt, now));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Replaced: a bare serial cannot carry the publisher generation or the root chain position.
     * Loads nothing.
     * @return a load with {@link Result#ERR_API_REPLACED}, always
     * @deprecated use {@link #load(byte[], byte[], long)}
     */
    @Deprecated
    public BundleLoad loadBundle(byte[] bundle, long lastSerial, long now) {
        return new BundleLoad(Result.ERR_API_REPLACED, null);
    }

    /**
     * Verifies one message at time now (the receipt time): {@code verify(message, now, now)}.
     * Never throws for a bad message. To verify later, use {@link #verify(Message, long, long)}:
     * a receipt time earlier than the data loaded gives CLOCK_BEHIND here (spec HM-VERIFY-63).
     */
    public Verification verify(Message message, long now) {
        return verify(message, now, now);
    }

    /**
     * Verifies one message with two times (spec HM-VERIFY-60): receivedAt, when the app received
     * it by its own clock (recorded then; never a time the message or its transport reports),
     * judges the token and the credential; now, the device clock at this call, judges the
     * bundle, its status and the clock floor. receivedAt later than now + 300 s gives
     * ERR_INVALID_ARGUMENT; a clock set back before the data loaded gives CLOCK_BEHIND.
     */
    public Verification verify(Message message, long receivedAt, long now) {
        Objects.requireNonNull(message, "message");
        lock.readLock().lock();
        try {
            byte[][] strings = new byte[Verification.STRINGS][];
            long[] numbers = new long[Verification.NUMBERS];
            nativeVerify(live(), message.channel, message.from, message.to, message.body,
                    message.token, message.subject, message.replyTo, receivedAt, now, strings,
                    numbers);
            return new Verification(strings, numbers);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Verifies a message that arrived without its token (SMS; RCS or WhatsApp with directory
     * carriage) against the tokens the platform's token directory returned for its
     * {@link #tokenLookupKey lookup key}, as spec HM-CARRY-18 says: tokens of other recipients
     * are discarded; VERIFIED if one verifies, else the first remaining token's result, else
     * UNSIGNED (also for an empty list after a 404). If the fetch itself failed, do not call this:
     * show the neutral UI and retry later. Never throws for a bad message or bad tokens; more than
     * 100 tokens, or a message that carries a token, give ERR_INVALID_ARGUMENT.
     */
    public Verification verifyFetched(Message message, List<String> tokens, long now) {
        return verifyFetched(message, tokens, now, now);
    }

    /** {@link #verifyFetched(Message, List, long)} with two times, as {@link #verify(Message,
     * long, long)}: receivedAt when the SMS arrived, now at this (possibly later) fetch. */
    public Verification verifyFetched(Message message, List<String> tokens, long receivedAt,
            long now) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(tokens, "tokens");
        byte[][] list = new byte[tokens.size()][];
        for (int i = 0; i < list.length; i++) {
            list[i] = Objects.requireNonNull(tokens.get(i), "token").getBytes(StandardCharsets.UTF_8);
        }
        lock.readLock().lock();
        try {
            byte[][] strings = new byte[Verification.STRINGS][];
            long[] numbers = new long[Verification.NUMBERS];
            if (message.token.length > 0) {
                numbers[0] = Result.ERR_INVALID_ARGUMENT.code();
                strings[0] = "the message carries a token: use verify".getBytes(StandardCharsets.UTF_8);
            } else {
                nativeVerifyFetched(live(), message.channel, message.from, message.to, message.body,
                        message.subject, message.replyTo, list, receivedAt, now, strings, numbers);
            }
            return new Verification(strings, numbers);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The token directory's lookup key of a message (spec §9.6): the app fetches
     * {@code GET <token endpoint>/<key>} and passes the answer's tokens to
     * {@link #verifyFetched}. The message's token, if any, is ignored.
     * @throws HallmarkException ERR_INVALID_ARGUMENT for an id that is not valid for its channel,
     *         BODY_MODIFIED for a body that is not UTF-8 (no token can exist for it)
     */
    public static String tokenLookupKey(Message message) {
        Objects.requireNonNull(message, "message");
        byte[] key = new byte[LOOKUP_KEY_LENGTH];
        int rc = nativeLookupKey(message.channel, message.from, message.to, message.body, key);
        if (rc != Result.OK.code()) {
            throw new HallmarkException(Result.of(rc), "no lookup key for this message");
        }
        return new String(key, StandardCharsets.US_ASCII);
    }

    /**
     * The logos of the bundle in force that the app may show (spec HM-CRED-78, HM-CRED-79):
     * call it after every load that returns OK, fetch those not cached yet (the platform's
     * {@code GET /v1/logos/<sha256Base64Url>}, or {@link LogoRef#url()}), keep each only when
     * {@link LogoRef#check} returns OK, and never fetch a logo when a message is shown: that
     * fetch would be a read receipt.
     * @throws HallmarkException NO_BUNDLE before a load
     */
    public List<LogoRef> logos() {
        lock.readLock().lock();
        try {
            int[] rc = new int[1];
            String[] flat = nativeLogos(live(), rc);
            if (rc[0] != Result.OK.code() || flat == null) {
                throw new HallmarkException(Result.of(rc[0]), "no logo list");
            }
            List<LogoRef> out = new java.util.ArrayList<>(flat.length / 2);
            for (int i = 0; i + 1 < flat.length; i += 2) {
                out.add(new LogoRef(flat[i], flat[i + 1]));
            }
            return java.util.Collections.unmodifiableList(out);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Length of a token lookup key (base64url of SHA-256). */
    public static final int LOOKUP_KEY_LENGTH = 43;

    /** Frees the native verifier; harmless to call again. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (handle != 0) {
                nativeFree(handle);
                handle = 0;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private long live() {
        if (handle == 0) {
            throw new IllegalStateException("the verifier is closed");
        }
        return handle;
    }

    /** The C library's name for a result code (for tests that compare the two enums). */
    static native String nativeResultName(int code);

    /** The C library's UI class (hallmark_ui) of a result code. */
    static native int nativeUiClass(int code);

    /** hallmark_ui_class_on: the class of a result code on a channel (UTF-8 bytes). */
    static native int nativeUiClassOn(int code, byte[] channel);

    /** The C library's version string. */
    public static native String version();

    /** HALLMARK_TRUST_STATE_MAX: the largest state a load writes. */
    static final int STATE_MAX = nativeStateMax();

    private static native int nativeStateMax();

    private static native int nativeCreate(byte[] platform, int threshold, String[] roots,
            long[] handleOut);

    private static native int nativeLoad(long handle, byte[] bundle, byte[] state, long now,
            byte[] stateOut, int[] stateLenOut);

    private static native int nativeLoadStatus(long handle, byte[] status, byte[] state, long now,
            byte[] stateOut, int[] stateLenOut);

    private static native int nativeStillValid(long handle, byte[] iss, byte[] kid, long iat,
            long now);

    private static native void nativeVerify(long handle, byte[] channel, byte[] from, byte[] to,
            byte[] body, byte[] token, byte[] subject, byte[] replyTo, long receivedAt, long now,
            byte[][] strings, long[] numbers);

    private static native void nativeVerifyFetched(long handle, byte[] channel, byte[] from,
            byte[] to, byte[] body, byte[] subject, byte[] replyTo, byte[][] tokens,
            long receivedAt, long now, byte[][] strings, long[] numbers);

    private static native int nativeLookupKey(byte[] channel, byte[] from, byte[] to, byte[] body,
            byte[] keyOut);

    private static native void nativeFree(long handle);

    private static native String[] nativeLogos(long handle, int[] rcOut);

    /** hallmark_logo_check on a result code and logo digest (Verification.logoCheck). */
    static native int nativeLogoCheck(int code, byte[] sha256, byte[] png);
}
