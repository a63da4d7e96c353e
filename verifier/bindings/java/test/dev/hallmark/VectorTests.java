package dev.hallmark;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Java binding against the spec's test vectors: every vector through the Java API must give
 * exactly the C verdict (result, serial, brand data), plus the binding's own contract (enum in step
 * with the C codes, threads, the logo check, close). Prints "java: N passed, M failed".
 * usage: java -Djava.library.path=LIBDIR -cp CLASSES dev.hallmark.VectorTests spec/vectors
 */
public final class VectorTests {
    private static int passed;
    private static int failed;

    private static void check(boolean ok, String what) {
        if (ok) {
            passed++;
        } else {
            failed++;
            System.out.println("FAIL " + what);
        }
    }

    public static void main(String[] args) throws Exception {
        List<Path> vectors;
        try (Stream<Path> s = Files.list(Path.of(args[0]))) {
            vectors = s.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
        }
        resultEnumMatchesC();
        uiClassesFollowTheSpec(Path.of(args[0]).toAbsolutePath().getParent().resolve("hallmark.md"));
        int verified = 0;
        for (Path p : vectors) {
            verified += vector(p) ? 1 : 0;
        }
        check(vectors.size() >= 90 && verified >= 20, "vectors: " + vectors.size() + " files, "
                + verified + " verified");
        lookupKeys(Path.of(args[0], "lookup"));
        fetchedContract(vectors);
        threads(vectors);
        idsWithU0000(vectors);
        logoCheck(vectors);
        closing();
        System.out.println("java: " + passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    private static void resultEnumMatchesC() {
        boolean ok = true;
        for (Result r : Result.values()) {
            ok &= r.cName().equals(Verifier.nativeResultName(r.code()));
        }
        // The code after the last Java value must be unknown to C too: nothing is missing.
        int next = Result.values()[Result.values().length - 1].code() + 1;
        ok &= Verifier.nativeResultName(next).equals("HALLMARK_UNKNOWN");
        check(ok, "the Java Result enum is not in step with hallmark_result");
    }

    /**
     * The table of spec §8 is the one source of the UI classes (HM-RESULT-8): every Result's
     * uiClass() must be its row's "App shows" class, and every Result must have a row.
     */
    private static void uiClassesFollowTheSpec(Path spec) throws Exception {
        String text = Files.readString(spec);
        String section = text.substring(text.indexOf("\n## 8 Results"), text.indexOf("\n## 9 "));
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?m)^\\| (\\d+) \\| `(HALLMARK_\\w+)` \\|.*\\| ([^|]+) \\|$")
                .matcher(section);
        Map<String, String> cells = new LinkedHashMap<>();
        cells.put("Checkmark", "checkmark");
        cells.put("Neutral", "neutral");
        cells.put("Warning", "warning");
        cells.put("API error", "api-error");
        cells.put("Domain", "domain");
        cells.put("(", "none");
        int rows = 0;
        boolean ok = true;
        while (m.find()) {
            rows++;
            String cell = m.group(3);
            String want = cells.entrySet().stream().filter(e -> cell.startsWith(e.getKey()))
                    .map(Map.Entry::getValue).findFirst().orElse("(unrecognized: " + cell + ")");
            Result r = Result.of(Integer.parseInt(m.group(1)));
            if (!r.cName().equals(m.group(2)) || !r.uiClass().specName().equals(want)) {
                System.out.println("  " + m.group(2) + ": the table says " + want + ", Java "
                        + r.cName() + " " + r.uiClass().specName());
                ok = false;
            }
            // HM-RESULT-44: "Warning; Neutral on `email` and `sms`" is the class on a channel.
            boolean tolerant = cell.equals("Warning; Neutral on `email` and `sms`");
            for (String channel : new String[] {"email", "sms", "push", "rcs", "x-new"}) {
                UiClass on = tolerant && (channel.equals("email") || channel.equals("sms"))
                        ? UiClass.NEUTRAL : r.uiClass();
                if (r.uiClassOn(channel) != on) {
                    System.out.println("  " + m.group(2) + " on " + channel + ": Java "
                            + r.uiClassOn(channel).specName() + ", the table " + on.specName());
                    ok = false;
                }
            }
        }
        check(ok && rows == Result.values().length, "Result.uiClass() differs from the table of"
                + " spec section 8 (" + rows + " rows, " + Result.values().length + " results)");
        check(Result.VERIFIED.uiClass() == UiClass.CHECKMARK
                && java.util.Arrays.stream(Result.values())
                        .filter(r -> r.uiClass() == UiClass.CHECKMARK).count() == 1
                && UiClass.of(99) == UiClass.NEUTRAL,
                "only VERIFIED is a checkmark; an unknown class is neutral");
        check(Result.VERIFIED_DOMAIN.uiClass() == UiClass.DOMAIN
                && java.util.Arrays.stream(Result.values())
                        .filter(r -> r.uiClass() == UiClass.DOMAIN).count() == 1,
                "only VERIFIED_DOMAIN is domain (HM-RESULT-40)");
        check(Result.SENDER_ALWAYS_SIGNED.code() == 47
                && Result.SENDER_ALWAYS_SIGNED.uiClass() == UiClass.WARNING,
                "SENDER_ALWAYS_SIGNED is 47, a warning (HM-RESULT-41)");
    }

    /**
     * HM-ID-7: a Java String may hold U+0000; a genuine token shown with a sender or recipient
     * that goes on after it must not verify (the shim once cut ids there as C strings).
     */
    @SuppressWarnings("unchecked")
    private static void idsWithU0000(List<Path> vectors) throws Exception {
        Path p = vectors.stream().filter(x -> x.getFileName().toString().startsWith("001-"))
                .findFirst().orElseThrow();
        Map<String, Object> v = (Map<String, Object>) Json.parse(Files.readString(p));
        Map<String, Object> msg = (Map<String, Object>) v.get("message");
        String channel = (String) msg.get("channel"), from = (String) msg.get("from"),
                to = (String) msg.get("to"), body = (String) msg.get("body"),
                token = (String) msg.get("token");
        long now = (Long) v.get("now");
        String[][] cases = {
            {channel, from, to, token, "VERIFIED"},
            {channel, from + "\u0000.evil", to, token, "SENDER_MISMATCH"},
            {channel, from, to + "\u0000999", token, "RECIPIENT_MISMATCH"},
            {channel + "\u0000x", from, to, token, "ERR_INVALID_ARGUMENT"},
            {channel, from + "\u0000.evil", to, "", "UNSIGNED"},
        };
        try (Verifier ver = anchored(v)) {
            check(ver.load(((String) v.get("bundle")).getBytes(StandardCharsets.US_ASCII), null,
                    now).result() == Result.OK, "U+0000 ids: load");
            for (String[] c : cases) {
                Verification out = ver.verify(new Message(c[0], c[1], c[2], body, c[3]), now);
                check(out.result() == Result.valueOf(c[4]), "U+0000 in ids: "
                        + c[1].replace("\u0000", "\\u0000") + " / " + c[2].replace("\u0000", "\\u0000")
                        + " / " + c[0].replace("\u0000", "\\u0000") + ": want " + c[4] + ", got "
                        + out.result());
            }
        }
    }

    /** Runs one vector as test_vectors.c does; true if it is a verified one that passed. */
    @SuppressWarnings("unchecked")
    private static boolean vector(Path path) throws Exception {
        Map<String, Object> v = (Map<String, Object>) Json.parse(Files.readString(path));
        Map<String, Object> expect = (Map<String, Object>) v.get("expect");
        Map<String, Object> msg = (Map<String, Object>) v.get("message");
        String want = (String) expect.get("result");
        long now = (Long) v.get("now");
        long loadNow = v.containsKey("load_now") ? (Long) v.get("load_now") : now;
        String name = path.getFileName().toString();
        Result got;
        long serial = 0;
        String state = null;
        Verification out = null;
        Verifier verifier;
        try {
            verifier = anchored(v);
        } catch (HallmarkException e) {
            check(e.result().cName().equals(want), name + ": want " + want + ", got " + e.result());
            return false;
        }
        try (Verifier ver = verifier) {
            got = null;
            if (v.get("bundle") instanceof String) {
                byte[] persisted = v.get("state") instanceof String
                        ? ((String) v.get("state")).getBytes(StandardCharsets.US_ASCII) : null;
                Verifier.BundleLoad load = ver.load(((String) v.get("bundle"))
                        .getBytes(StandardCharsets.US_ASCII), persisted, loadNow);
                if (load.result() != Result.OK) {
                    got = load.result();
                } else {
                    state = new String(load.state(), StandardCharsets.US_ASCII);
                    java.util.regex.Matcher sm = java.util.regex.Pattern
                            .compile("\"serial\":(\\d+)[,}]").matcher(state);
                    serial = sm.find() ? Long.parseLong(sm.group(1)) : -1;
                }
            }
            if (got == null && v.get("status") instanceof String) {
                // The bundle's status object (spec §6.9), after the bundle, with its state.
                Verifier.BundleLoad load = ver.loadStatus(((String) v.get("status"))
                        .getBytes(StandardCharsets.US_ASCII),
                        state == null ? null : state.getBytes(StandardCharsets.US_ASCII), loadNow);
                if (load.result() != Result.OK) {
                    got = load.result();
                } else {
                    state = new String(load.state(), StandardCharsets.US_ASCII);
                }
            }
            if (got == null) {
                byte[] body = msg.containsKey("body_b64")
                        ? Base64.getUrlDecoder().decode((String) msg.get("body_b64"))
                        : ((String) msg.get("body")).getBytes(StandardCharsets.UTF_8);
                Message m = new Message((String) msg.get("channel"), (String) msg.get("from"),
                        (String) msg.get("to"), body, (String) msg.get("token"));
                if (msg.containsKey("subject") || msg.containsKey("reply_to")) {
                    m = m.withDisplayed((String) msg.get("subject"), (String) msg.get("reply_to"));
                }
                if (msg.get("tokens") instanceof List) {
                    // Arrived without a token: what the token directory returned (spec §9.6).
                    List<String> fetched = new ArrayList<>();
                    for (Object t : (List<Object>) msg.get("tokens")) {
                        fetched.add((String) t);
                    }
                    out = v.containsKey("received_at")
                            ? ver.verifyFetched(m, fetched, (Long) v.get("received_at"), now)
                            : ver.verifyFetched(m, fetched, now);
                } else {
                    // spec HM-VERIFY-60: two times when the vector gives the receipt time
                    out = v.containsKey("received_at")
                            ? ver.verify(m, (Long) v.get("received_at"), now)
                            : ver.verify(m, now);
                }
                got = out.result();
                if (v.get("recheck") instanceof Map) { // spec HM-VERIFY-57
                    Map<String, Object> r = (Map<String, Object>) v.get("recheck");
                    Result again = ver.verdictStillValid((String) r.get("iss"),
                            (String) r.get("kid"), (Long) r.get("iat"), now);
                    if (!again.cName().equals(r.get("result"))) {
                        check(false, name + ": re-check gave " + again.cName());
                        return false;
                    }
                }
            }
        }
        if (!got.cName().equals(want)) {
            check(false, name + ": want " + want + ", got " + got.cName());
            return false;
        }
        if (expect.containsKey("serial") && (Long) expect.get("serial") != serial) {
            check(false, name + ": serial " + serial);
            return false;
        }
        if (expect.containsKey("state") && !expect.get("state").equals(state)) {
            check(false, name + ": state " + state);
            return false;
        }
        if (expect.containsKey("ui") && (out == null || !out.uiClass().specName().equals(expect.get("ui")))) {
            check(false, name + ": ui " + (out == null ? null : out.uiClass().specName()));
            return false;
        }
        if (got == Result.VERIFIED_DOMAIN) {
            // HM-VERIFY-41: a basic brand's result holds no name, logo or colours.
            check(out.displayName().isEmpty() && out.logoSha256().length == 32
                    && java.util.Arrays.equals(out.logoSha256(), new byte[32])
                    && out.logoUrl().isEmpty() && out.logoWidth() == 0
                    && out.colorPrimary().isEmpty() && out.colorBackground().isEmpty()
                    && !out.isVerified() && out.isDomainVerified()
                    && out.uiClass() == UiClass.DOMAIN,
                    name + ": a domain-only result carries a name, logo or colours");
        } else if (got != Result.VERIFIED) {
            check(out == null || (out.brandId().isEmpty() && out.displayName().isEmpty()
                    && out.actions().isEmpty()), name + ": brand data on a failed verification");
            return false;
        }
        String diff = brandDiff((Map<String, Object>) expect.get("brand"), out);
        check(diff == null, name + ": brand data differs at " + diff);
        return diff == null;
    }

    @SuppressWarnings("unchecked")
    private static String brandDiff(Map<String, Object> b, Verification out) {
        Map<String, Object> logo = (Map<String, Object>) b.get("logo");
        Map<String, Object> colors = (Map<String, Object>) b.get("colors");
        Map<String, Object> sender = (Map<String, Object>) b.get("sender");
        String sha = Base64.getUrlEncoder().withoutPadding().encodeToString(out.logoSha256());
        if (!b.get("id").equals(out.brandId())) return "id";
        if (!b.getOrDefault("name", "").equals(out.displayName())) return "name";
        if (!b.getOrDefault("domain", "").equals(out.signedDomain())) return "domain";
        if (!((String) b.get("level")).equalsIgnoreCase(out.level().name())) return "level";
        if (!((String) b.get("category")).equalsIgnoreCase(out.category().name())) return "category";
        if (!((String) sender.get("kind")).equalsIgnoreCase(out.senderKind().name())) return "sender";
        if (!sender.getOrDefault("name", "").equals(out.agentName())) return "sender.name";
        if (!b.get("kid").equals(out.keyId()) || !b.get("alg").equals(out.alg())) return "kid/alg";
        if ((Long) b.get("iat") != out.issuedAt() || (Long) b.get("exp") != out.expiresAt()) return "iat/exp";
        if (logo == null || colors == null) {
            if (logo != null || colors != null || out.result() != Result.VERIFIED_DOMAIN) {
                return "logo/colors";
            }
        } else if (!logo.get("sha256").equals(sha) || (Long) logo.get("width") != out.logoWidth()
                || (Long) logo.get("height") != out.logoHeight()
                || !logo.getOrDefault("url", "").equals(out.logoUrl())) {
            return "logo";
        } else if (!colors.get("primary").equals(out.colorPrimary())
                || !colors.get("background").equals(out.colorBackground())) {
            return "colors";
        }
        if (!b.getOrDefault("conv", "").equals(out.conversationId())) return "conv";
        List<Object> marks = (List<Object>) b.getOrDefault("signed", List.of());
        if (marks.contains("subject") != out.subjectSigned()
                || marks.contains("reply_to") != out.replyToSigned()
                || marks.contains("body_rendering") != out.bodyRendering()) return "signed";
        if (!b.getOrDefault("reply_to", "").equals(out.replyTo())) return "reply_to";
        List<Object> actions = (List<Object>) b.get("actions");
        if (actions.size() != out.actions().size()) return "actions";
        for (int i = 0; i < actions.size(); i++) {
            Map<String, Object> a = (Map<String, Object>) actions.get(i);
            Action o = out.actions().get(i);
            if (!((String) a.get("kind")).equalsIgnoreCase(o.kind().name())
                    || !a.get("label").equals(o.label()) || !a.get("url").equals(o.url())) {
                return "actions[" + i + "]";
            }
        }
        return null;
    }

    /** verifyFetched's refusals: a token with a NUL byte, a message that carries its own token. */
    @SuppressWarnings("unchecked")
    private static void fetchedContract(List<Path> vectors) throws Exception {
        Path p = vectors.stream().filter(x -> x.getFileName().toString().contains("-fetched-mine-"))
                .findFirst().orElseThrow();
        Map<String, Object> v = (Map<String, Object>) Json.parse(Files.readString(p));
        Map<String, Object> msg = (Map<String, Object>) v.get("message");
        List<String> tokens = new ArrayList<>();
        for (Object t : (List<Object>) msg.get("tokens")) {
            tokens.add((String) t);
        }
        String mine = tokens.get(tokens.size() - 1);
        long now = (Long) v.get("now");
        try (Verifier ver = anchored(v)) {
            ver.load(((String) v.get("bundle")).getBytes(StandardCharsets.US_ASCII), null, now);
            Message m = new Message((String) msg.get("channel"), (String) msg.get("from"),
                    (String) msg.get("to"), (String) msg.get("body"), null);
            check(ver.verifyFetched(m, List.of(mine), now).result() == Result.VERIFIED,
                    "verifyFetched: the genuine token");
            check(ver.verifyFetched(m, List.of(mine + "\u0000junk"), now).result()
                    == Result.ERR_INVALID_ARGUMENT, "verifyFetched: a token with a NUL byte");
            Message carrying = new Message((String) msg.get("channel"), (String) msg.get("from"),
                    (String) msg.get("to"), (String) msg.get("body"), mine);
            check(ver.verifyFetched(carrying, List.of(mine), now).result()
                    == Result.ERR_INVALID_ARGUMENT, "verifyFetched: a message with its own token");
        }
    }

    /** spec/vectors/lookup: the key of each message, or the refusal, as the C library gives. */
    @SuppressWarnings("unchecked")
    private static void lookupKeys(Path dir) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
        }
        check(files.size() >= 10, "lookup-key vectors: " + files.size());
        for (Path p : files) {
            Map<String, Object> v = (Map<String, Object>) Json.parse(Files.readString(p));
            Map<String, Object> msg = (Map<String, Object>) v.get("message");
            Map<String, Object> expect = (Map<String, Object>) v.get("expect");
            byte[] body = msg.containsKey("body_b64")
                    ? Base64.getUrlDecoder().decode((String) msg.get("body_b64"))
                    : ((String) msg.get("body")).getBytes(StandardCharsets.UTF_8);
            Message m = new Message((String) msg.get("channel"), (String) msg.get("from"),
                    (String) msg.get("to"), body, null);
            String got;
            try {
                got = "HALLMARK_OK " + Verifier.tokenLookupKey(m);
            } catch (HallmarkException e) {
                got = e.result().cName();
            }
            String want = expect.get("result").equals("HALLMARK_OK")
                    ? "HALLMARK_OK " + expect.get("key") : (String) expect.get("result");
            check(got.equals(want), p.getFileName() + ": want " + want + ", got " + got);
        }
    }

    /** 8 threads verify a verified vector 400 times each while another reloads the bundle. */
    @SuppressWarnings("unchecked")
    private static void threads(List<Path> vectors) throws Exception {
        Path p = vectors.stream().filter(x -> x.getFileName().toString().startsWith("001-"))
                .findFirst().orElseThrow();
        Map<String, Object> v = (Map<String, Object>) Json.parse(Files.readString(p));
        Map<String, Object> msg = (Map<String, Object>) v.get("message");
        byte[] bundle = ((String) v.get("bundle")).getBytes(StandardCharsets.US_ASCII);
        long now = (Long) v.get("now");
        Message m = new Message((String) msg.get("channel"), (String) msg.get("from"),
                (String) msg.get("to"), (String) msg.get("body"), (String) msg.get("token"));
        AtomicInteger ok = new AtomicInteger();
        try (Verifier ver = anchored(v)) {
            check(ver.load(bundle, null, now).result() == Result.OK, "threads: load");
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                ts.add(new Thread(() -> {
                    for (int i = 0; i < 400; i++) {
                        if (ver.verify(m, now).isVerified()) {
                            ok.incrementAndGet();
                        }
                    }
                }));
            }
            Thread loader = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    ver.load(bundle, null, now);
                }
            });
            ts.forEach(Thread::start);
            loader.start();
            for (Thread t : ts) {
                t.join();
            }
            loader.join();
        }
        check(ok.get() == 8 * 400, "threads: " + ok.get() + " of 3200 verified");
    }

    /**
     * The logo check through JNI (hallmark_logo_check): the bytes of a real logo against a verified
     * result that carries their digest, then altered bytes, a result that is not verified, and a
     * verified vector's result against bytes that are not its logo. Seven checks.
     */
    @SuppressWarnings("unchecked")
    private static void logoCheck(List<Path> vectors) throws Exception {
        byte[] png = Files.readAllBytes(Path.of("tests/data/logos/good/brand-256-rgba.png"));
        byte[][] s = new byte[Verification.STRINGS][];
        long[] n = new long[Verification.NUMBERS];
        s[Verification.S_LOGO_SHA256] = MessageDigest.getInstance("SHA-256").digest(png);
        n[Verification.N_CODE] = Result.VERIFIED.code();
        Verification out = new Verification(s, n);
        check(out.logoCheck(png) == Result.OK && out.logoMatches(png), "logo check: the signed logo");
        byte[] flipped = png.clone();
        flipped[flipped.length / 2] ^= 1;
        check(out.logoCheck(flipped) == Result.LOGO_MISMATCH && !out.logoMatches(flipped),
                "logo check: one bit flipped: " + out.logoCheck(flipped));
        byte[] longer = Arrays.copyOf(png, png.length + 1);
        check(out.logoCheck(longer) == Result.LOGO_MISMATCH && out.logoCheck(new byte[0]) == Result.LOGO_MISMATCH,
                "logo check: a byte appended, no bytes");
        n[Verification.N_CODE] = Result.BODY_MODIFIED.code();
        Verification failed = new Verification(s, n);
        check(failed.logoCheck(png) == Result.ERR_INVALID_ARGUMENT && !failed.logoMatches(png),
                "logo check: a result that is not verified shows no logo: " + failed.logoCheck(png));
        try {
            out.logoCheck(null);
            check(false, "logo check: null bytes must throw");
        } catch (NullPointerException expected) {
            passed++;
        }
        // A real verified result: its digest came through JNI from the C verifier.
        Path p = vectors.stream().filter(x -> x.getFileName().toString().startsWith("001-"))
                .findFirst().orElseThrow();
        Map<String, Object> v = (Map<String, Object>) Json.parse(Files.readString(p));
        Map<String, Object> msg = (Map<String, Object>) v.get("message");
        try (Verifier ver = anchored(v)) {
            ver.load(((String) v.get("bundle")).getBytes(StandardCharsets.US_ASCII), null, (Long) v.get("now"));
            Verification real = ver.verify(new Message((String) msg.get("channel"), (String) msg.get("from"),
                    (String) msg.get("to"), (String) msg.get("body"), (String) msg.get("token")), (Long) v.get("now"));
            check(real.isVerified() && real.logoSha256().length == 32 && real.logoCheck(png) == Result.LOGO_MISMATCH,
                    "logo check: a verified vector against another picture: " + real.result());
            Verification unsigned = ver.verify(new Message((String) msg.get("channel"), (String) msg.get("from"),
                    (String) msg.get("to"), (String) msg.get("body"), null), (Long) v.get("now"));
            check(unsigned.logoCheck(png) == Result.ERR_INVALID_ARGUMENT,
                    "logo check: an unsigned message: " + unsigned.logoCheck(png));
            // HM-CRED-78: the logos to fetch at load hold the verified brand's, each once.
            List<LogoRef> logos = ver.logos();
            check(logos.stream().anyMatch(r -> Arrays.equals(r.sha256(), real.logoSha256())
                            && r.sha256Base64Url().length() == 43 && r.url().equals(real.logoUrl())),
                    "logos(): the verified brand's logo is listed: " + logos);
            check(logos.stream().map(LogoRef::sha256Base64Url).distinct().count() == logos.size(),
                    "logos(): each digest once: " + logos);
            LogoRef own = logos.get(0);
            check(own.check(png) == (Arrays.equals(own.sha256(),
                    MessageDigest.getInstance("SHA-256").digest(png)) ? Result.OK : Result.LOGO_MISMATCH)
                    && own.check(new byte[0]) == Result.LOGO_MISMATCH, "LogoRef.check: " + own.check(png));
        }
        try (Verifier none = anchored(v)) {
            none.logos();
            check(false, "logos() before a load must throw NO_BUNDLE");
        } catch (HallmarkException e) {
            check(e.result() == Result.NO_BUNDLE, "logos() before a load: " + e.result());
        }
    }

    /** The verifier a vector's app pins: its platform, threshold and roots (spec §12.3). */
    @SuppressWarnings("unchecked")
    private static Verifier anchored(Map<String, Object> v) {
        return new Verifier((String) v.get("platform"), ((Long) v.get("threshold")).intValue(),
                ((List<Object>) v.get("roots")).toArray(new String[0]));
    }

    @SuppressWarnings("deprecation")
    private static void replaced() {
        try {
            new Verifier("iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w");
            check(false, "the replaced constructor must throw");
        } catch (HallmarkException e) {
            check(e.result() == Result.ERR_API_REPLACED, "replaced constructor: " + e.result());
        }
        try (Verifier ver = new Verifier("Hallmark Vectors", 1, "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w")) {
            Verifier.BundleLoad load = ver.loadBundle(new byte[] {'x'}, 7, 0);
            check(load.result() == Result.ERR_API_REPLACED && load.state() == null,
                    "replaced loadBundle: " + load.result());
        }
        try {
            new Verifier("Hallmark\u0000Vectors", 1, "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w");
            check(false, "a platform id with U+0000 must throw");
        } catch (HallmarkException e) {
            check(e.result() == Result.ERR_INVALID_ARGUMENT, "U+0000 platform: " + e.result());
        }
    }

    private static void closing() {
        replaced();
        Verifier ver = new Verifier("Hallmark Vectors", 1, "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w");
        Verification noBundle = ver.verify(new Message("sms", "ACMEBANK", "+447700900123", "hi", "x.y.z"), 0);
        check(noBundle.result() == Result.NO_BUNDLE && !noBundle.isVerified(), "no bundle loaded: " + noBundle.result());
        ver.close();
        ver.close();
        passed++; // closing twice is harmless
        try {
            ver.verify(new Message("sms", "A", "B", "C", null), 0);
            check(false, "verify after close must throw");
        } catch (IllegalStateException expected) {
            passed++;
        }
        try {
            new Verifier("Hallmark Vectors", 1, "not-a-key");
            check(false, "a bad root must throw");
        } catch (HallmarkException e) {
            check(e.result() == Result.ERR_INVALID_KEY, "bad root: " + e.result());
        }
        try (Verifier v2 = new Verifier("Hallmark Vectors", 1, "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w")) {
            v2.verify(null, 0);
            check(false, "a null message must throw");
        } catch (NullPointerException expected) {
            passed++;
        }
        check(Verifier.version().startsWith("1") || Verifier.version().startsWith("0"), "version " + Verifier.version());
    }

    /** A small strict JSON reader for the vectors: objects, arrays, strings, integers, literals. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json j = new Json(text);
            Object v = j.value();
            j.ws();
            if (j.i != text.length()) {
                throw new IllegalArgumentException("trailing data at " + j.i);
            }
            return v;
        }

        private void ws() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }

        private Object value() {
            ws();
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                ws();
                if (s.charAt(i) == '}') {
                    i++;
                    return m;
                }
                while (true) {
                    ws();
                    String k = string();
                    ws();
                    expect(':');
                    if (m.put(k, value()) != null) {
                        throw new IllegalArgumentException("duplicate key " + k);
                    }
                    ws();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect('}');
                        return m;
                    }
                }
            }
            if (c == '[') {
                List<Object> a = new ArrayList<>();
                i++;
                ws();
                if (s.charAt(i) == ']') {
                    i++;
                    return a;
                }
                while (true) {
                    a.add(value());
                    ws();
                    if (s.charAt(i) == ',') {
                        i++;
                    } else {
                        expect(']');
                        return a;
                    }
                }
            }
            if (c == '"') {
                return string();
            }
            if (s.startsWith("true", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            if (s.startsWith("null", i)) {
                i += 4;
                return null;
            }
            int start = i;
            while (i < s.length() && "-0123456789".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            return Long.parseLong(s.substring(start, i));
        }

        private void expect(char c) {
            if (s.charAt(i) != c) {
                throw new IllegalArgumentException("expected " + c + " at " + i);
            }
            i++;
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n': b.append('\n'); break;
                    case 't': b.append('\t'); break;
                    case 'r': b.append('\r'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                    default: b.append(e);
                }
            }
        }
    }
}
