// The package over every spec vector (spec/vectors/*.json and lookup/*.json), as
// tests/cli/vector_tool.py checks the C library through hallmark-verify: the same result names,
// UI classes, brand data, jti, serial, written state and re-checks. The wasm build has no ES256
// (as make VERIFIER_ES256=0): an ES256 token that passes step 5 gives HALLMARK_UNSUPPORTED_ALG,
// as for the C library built without OpenSSL (tests/cli/verify_vectors_min.sh). With --es256,
// the ES256 build: every vector's own expectation, as the full C library.
// usage: node vectors.mjs SPEC_VECTORS_DIR [--es256]  (imports "hallmark-wasm" from the project)
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { loadHallmark } from "hallmark-wasm";

const dir = process.argv[2];
const es256 = process.argv[3] === "--es256";
const hm = await loadHallmark({ es256 });
let passed = 0, failed = 0;
const fail = (name, why) => { failed++; console.log(`FAIL ${name}: ${why}`); };

const BEFORE_SIGNATURE = new Set(["HALLMARK_UNSIGNED", "HALLMARK_MALFORMED", "HALLMARK_HEADER_REFUSED",
    "HALLMARK_UNSUPPORTED_ALG", "HALLMARK_UNKNOWN_KEY", "HALLMARK_ALG_MISMATCH", "HALLMARK_NO_BUNDLE"]);
const b64json = (part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
const headerAlg = (t) => { try { return b64json(t.split(".")[0]).alg; } catch { return null; } };
const jtis = (tokens) => tokens.flatMap((t) => { try { return [b64json(t.split(".")[1]).jti]; } catch { return []; } });
const same = (a, b) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(x) {
    if (Array.isArray(x)) return x.map(sortKeys);
    if (x !== null && typeof x === "object") {
        return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sortKeys(x[k])]));
    }
    return x;
}

// What an app does with a vector: create, load the bundle and its status, verify, re-check.
function run(v) {
    let verifier;
    try {
        verifier = hm.createVerifier({ platform: v.platform, roots: v.roots, threshold: v.threshold });
    } catch (e) {
        if (e.name !== "HallmarkError") throw e;
        return { result: e.result };
    }
    try {
        const loadNow = v.load_now ?? v.now;
        let state = v.state === null ? null : v.state;
        let serial;
        let written = null;
        if (v.bundle !== null) {
            const load = verifier.loadBundle(v.bundle, { state, now: loadNow });
            if (load.result !== "HALLMARK_OK") return { result: load.result, ui: load.ui };
            state = written = load.state;
            serial = load.serial;
            if (v.status !== undefined) {
                const st = verifier.loadStatus(v.status, { state, now: loadNow });
                if (st.result !== "HALLMARK_OK") return { result: st.result, ui: st.ui, written };
                written = st.state;
            }
        }
        const m = { ...v.message };
        const tokens = m.tokens ?? null;
        delete m.tokens;
        if (m.body_b64 !== undefined) m.body = Buffer.from(m.body_b64, "base64url");
        if (m.reply_to !== undefined) m.replyTo = m.reply_to;
        const out = verifier.verify(m, { receivedAt: v.received_at ?? v.now, now: v.now, tokens });
        if (serial !== undefined) out.serial = serial;
        out.written = written;
        if (v.recheck !== undefined) {
            out.recheck = verifier.verdictStillValid(v.recheck, v.now);
        }
        return out;
    } finally {
        verifier.free();
    }
}

for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const v = JSON.parse(readFileSync(join(dir, file), "utf8"));
    let expect = v.expect;
    const tokens = v.message.tokens ?? [v.message.token ?? ""];
    if (!es256 && tokens.some((t) => headerAlg(t) === "ES256") && !BEFORE_SIGNATURE.has(expect.result) &&
        !expect.result.startsWith("HALLMARK_BUNDLE_") && !expect.result.startsWith("HALLMARK_ERR_")) {
        expect = { result: "HALLMARK_UNSUPPORTED_ALG" };
    }
    const got = run(v);
    const want = expect.result;
    if (got.result !== want) { fail(file, `want ${want}, got ${got.result}`); continue; }
    if (want.startsWith("HALLMARK_ERR_") && want !== "HALLMARK_ERR_STATE_INVALID") { passed++; continue; }
    if (expect.ui !== undefined && got.ui !== expect.ui) { fail(file, `ui ${got.ui}, want ${expect.ui}`); continue; }
    if (got.ui !== hm.uiClass(hm_code(want), v.message.channel) && got.ui !== hm.uiClass(hm_code(want))) {
        fail(file, `ui ${got.ui} is not the library's class of ${want}`); continue;
    }
    if (expect.serial !== undefined && got.serial !== expect.serial) { fail(file, `serial ${got.serial}`); continue; }
    if (expect.state !== undefined) {
        const mine = got.written ? Buffer.from(got.written).toString("ascii") : null;
        if (mine !== expect.state) { fail(file, `state ${mine} != ${expect.state}`); continue; }
    }
    if (expect.brand !== undefined && !same(got.brand, expect.brand)) {
        fail(file, `brand\n  want ${JSON.stringify(expect.brand)}\n  got  ${JSON.stringify(got.brand)}`); continue;
    }
    const pass = want === "HALLMARK_VERIFIED" || want === "HALLMARK_VERIFIED_DOMAIN";
    if (pass ? !jtis(tokens).includes(got.jti) : got.jti !== undefined) { fail(file, `jti ${got.jti}`); continue; }
    if (v.recheck !== undefined && got.recheck !== v.recheck.result) { fail(file, `re-check ${got.recheck}`); continue; }
    passed++;
}

// The lookup keys (spec §9.6): the vector's key, or no key and the vector's result.
for (const file of readdirSync(join(dir, "lookup")).filter((f) => f.endsWith(".json")).sort()) {
    const v = JSON.parse(readFileSync(join(dir, "lookup", file), "utf8"));
    const m = { ...v.message };
    if (m.body_b64 !== undefined) m.body = Buffer.from(m.body_b64, "base64url");
    const got = hm.lookupKey(m);
    const ok = v.expect.result === "HALLMARK_OK" ? got.result === "HALLMARK_OK" && got.key === v.expect.key
        : got.result !== "HALLMARK_OK" && got.key === null;
    if (ok) passed++; else fail(`lookup/${file}`, `want ${v.expect.result} ${v.expect.key ?? ""}, got ${got.result} ${got.key}`);
}

function hm_code(name) {
    for (let c = 0; c <= 255; c++) if (hm.resultName(c) === name) return c;
    return -1;
}
console.log(`wasm-vectors${es256 ? "-es256" : ""}: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
