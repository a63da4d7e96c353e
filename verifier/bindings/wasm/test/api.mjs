// The package's own contract beyond the vectors: ids holding U+0000 are never cut ([HM-ID-7]),
// the logo checks, errors as HallmarkError, a freed verifier, a failed load keeping the bundle in
// force, and the same verdict twice from one verifier. usage: node api.mjs SPEC_VECTORS_DIR
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { loadHallmark, HallmarkError } from "hallmark-wasm";

const dir = process.argv[2];
const hm = await loadHallmark();
let passed = 0, failed = 0;
function check(name, ok, detail = "") {
    if (ok) passed++; else { failed++; console.log(`FAIL ${name} ${detail}`); }
}
const v = JSON.parse(readFileSync(join(dir, "001-sms-alphanumeric.json"), "utf8"));
const make = () => hm.createVerifier({ platform: v.platform, roots: v.roots, threshold: v.threshold });
const at = { receivedAt: v.now, now: v.now };

const verifier = make();
const load = verifier.loadBundle(v.bundle, { state: v.state, now: v.now });
check("load", load.result === "HALLMARK_OK" && load.state instanceof Uint8Array, JSON.stringify(load));
const good = verifier.verify(v.message, at);
check("genuine", good.result === "HALLMARK_VERIFIED" && good.ui === "checkmark" &&
    good.brand.name === "Acme Bank", JSON.stringify(good));
check("again, same verdict", JSON.stringify(verifier.verify(v.message, at)) === JSON.stringify(good));
check("body as bytes", verifier.verify({ ...v.message, body: new TextEncoder().encode(v.message.body) },
    at).result === "HALLMARK_VERIFIED");
// [HM-ID-7]: "ACMEBANK\0.evil" is not cut to ACMEBANK.
const nul = verifier.verify({ ...v.message, from: v.message.from + "\u0000.evil" }, at);
check("U+0000 in from", nul.result === "HALLMARK_SENDER_MISMATCH" && nul.brand === undefined, nul.result);
const nulTo = verifier.verify({ ...v.message, to: v.message.to + "\u0000" }, at);
check("U+0000 in to", nulTo.result === "HALLMARK_RECIPIENT_MISMATCH", nulTo.result);
const nulFetched = verifier.verify({ ...v.message, token: null, from: v.message.from + "\u0000.evil" },
    { ...at, tokens: [v.message.token] });
check("U+0000 in from, fetched", nulFetched.result === "HALLMARK_SENDER_MISMATCH", nulFetched.result);
const fetched = verifier.verify({ ...v.message, token: null }, { ...at, tokens: [v.message.token] });
check("fetched", fetched.result === "HALLMARK_VERIFIED", fetched.result);
const tampered = verifier.verify({ ...v.message, body: v.message.body + "!" }, at);
check("tampered SMS: neutral on sms ([HM-RESULT-44])", tampered.result === "HALLMARK_BODY_MODIFIED" &&
    tampered.ui === "neutral" && tampered.brand === undefined, JSON.stringify(tampered));
check("unsigned", verifier.verify({ ...v.message, token: "" }, at).ui === "neutral");
// Logos: the bundle's list, the digest check both ways.
const logos = verifier.logos();
check("logos listed", logos.length >= 1 && logos.some((l) => l.sha256 === good.brand.logo.sha256),
    JSON.stringify(logos));
check("logo mismatch", hm.logoCheck(good.brand.logo.sha256, "not the logo") === "HALLMARK_LOGO_MISMATCH");
const bytes = new TextEncoder().encode("some png");
const digest = createHash("sha256").update(bytes).digest("base64url");
check("logo match", hm.logoCheck(digest, bytes) === "HALLMARK_OK");
check("logo digest not base64url", hm.logoCheck("!!", bytes) === "HALLMARK_ERR_INVALID_ARGUMENT");
// A failed load keeps the bundle in force and the app's state.
const bad = verifier.loadBundle("not.a.bundle", { state: load.state, now: v.now });
check("bad bundle", bad.result === "HALLMARK_BUNDLE_MALFORMED" && bad.state === undefined, JSON.stringify(bad));
check("bundle kept", verifier.verify(v.message, at).result === "HALLMARK_VERIFIED");
check("re-check", verifier.verdictStillValid({ iss: good.brand.id, kid: good.brand.kid,
    iat: good.brand.iat }, v.now) === "HALLMARK_OK");
check("lookup key", /^[A-Za-z0-9_-]{43}$/.test(hm.lookupKey(v.message).key ?? ""));
check("names", hm.resultName(6) === "HALLMARK_VERIFIED" && hm.uiClass(6) === "checkmark" &&
    hm.uiClass(23, "sms") === "neutral" && hm.uiClass(23) === "warning");
verifier.free();
let threw = null;
try { verifier.verify(v.message, at); } catch (e) { threw = e; }
check("freed verifier throws", threw instanceof TypeError);
threw = null;
try { hm.createVerifier({ platform: v.platform, roots: ["AAAA"], threshold: 1 }); } catch (e) { threw = e; }
check("bad root", threw instanceof HallmarkError && threw.result === "HALLMARK_ERR_INVALID_KEY",
    threw && threw.result);
threw = null;
try { verifier.verify(v.message, { now: 1.5 }); } catch (e) { threw = e; }
check("fractional time refused", threw instanceof TypeError);
const fresh = make();
check("no bundle", fresh.verify(v.message, at).result === "HALLMARK_NO_BUNDLE");
fresh.free();
console.log(`wasm-api: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
