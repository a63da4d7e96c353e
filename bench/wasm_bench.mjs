// Row 10 of make bench: the WebAssembly verifier (hallmark-wasm, make wasm). Sizes of the .wasm
// and the JavaScript, raw and gzipped (-9); verifies per second of the same tokens, in Node and in
// Debian's chromium (headless, puppeteer-core), by hallmark-wasm (every Hallmark rule: bundle,
// credential, sender, body digest, actions) and by npm jose (the JWS signature only, with the
// brand's key from the bundle), one after another as one caller would (jose awaits each). In
// Node also the ES256 option measured for the web: WebCrypto's ECDSA P-256 verify (async).
// Prints one JSON object. usage: node wasm_bench.mjs NPM_DIR PKG_DIR ROOT BUNDLE SIGNED.ndjson SECONDS
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join, extname } from "node:path";
import { gzipSync } from "node:zlib";
import { pathToFileURL } from "node:url";

const [npmDir, pkgDir, root, bundlePath, signedFile, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg) || 2;
const require = createRequire(join(npmDir, "package.json"));
const jose = require("jose");
const { loadHallmark } = await import(pathToFileURL(join(pkgDir, "hallmark.js")));

const bundle = readFileSync(bundlePath, "utf8");
const samples = readFileSync(signedFile, "utf8").split("\n").filter(Boolean).slice(0, 2000)
  .map((l) => { const m = JSON.parse(l); return { channel: m.channel, from: m.from, to: m.to, body: m.body, token: m.token }; });
const b64json = (s) => JSON.parse(Buffer.from(s, "base64url").toString("utf8"));
const jwks = Object.fromEntries(b64json(bundle.split(".")[1]).brands.flatMap((b) => b.keys).map((k) => [k.kid, k]));
const platform = b64json(bundle.split(".")[1]).platform;

const size = (f) => { const b = readFileSync(join(pkgDir, f)); return { raw: b.length, gzip: gzipSync(b, { level: 9 }).length }; };
const out = { wasm: size("hallmark-core.wasm"), wasm_es256: size("hallmark-core-es256.wasm"),
  glue: size("hallmark-core.mjs"), api: size("hallmark.js") };

async function rate(op) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let n = 0, elapsed = 0;
  do {
    for (let k = 0; k < 64; k++) await op(n++);
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  } while (elapsed < seconds);
  const cpu = process.cpuUsage(c0);
  return [Math.round(n / elapsed), Math.round(n / ((cpu.user + cpu.system) / 1e6))];
}

// Node: hallmark-wasm, every rule.
const hm = await loadHallmark();
const v = hm.createVerifier({ platform, roots: [root], threshold: 1 });
const now = Math.floor(Date.now() / 1000);
const load = v.loadBundle(bundle, { now });
if (load.result !== "HALLMARK_OK") throw new Error(`bundle: ${load.result}`);
const bad = samples.filter((m) => v.verify(m, { now }).result !== "HALLMARK_VERIFIED").length;
if (bad > 0) throw new Error(`${bad} of ${samples.length} samples did not verify in wasm`);
[out.node_hallmark, out.node_hallmark_per_cpu] = await rate((i) => v.verify(samples[i % samples.length], { now }));
v.free();

// Node: the ES256 build (mbed TLS P-256) on spec vector 018, an ES256 brand's token, every rule.
const v18 = JSON.parse(readFileSync(new URL("../spec/vectors/018-es256.json", import.meta.url), "utf8"));
const hm256 = await loadHallmark({ es256: true });
const v256 = hm256.createVerifier({ platform: v18.platform, roots: v18.roots, threshold: v18.threshold });
if (v256.loadBundle(v18.bundle, { state: v18.state, now: v18.now }).result !== "HALLMARK_OK") throw new Error("018 bundle");
if (v256.verify(v18.message, { now: v18.now }).result !== "HALLMARK_VERIFIED") throw new Error("018 verdict");
[out.node_hallmark_es256] = await rate(() => v256.verify(v18.message, { now: v18.now }));
v256.free();

// Node: jose, the signature only, with the brand's key.
const keys = {};
for (const [kid, jwk] of Object.entries(jwks)) keys[kid] = await jose.importJWK(jwk, jwk.alg);
const kidOf = samples.map((m) => b64json(m.token.split(".")[0]).kid);
[out.node_jose, out.node_jose_per_cpu] = await rate(async (i) => {
  const k = i % samples.length;
  const { payload } = await jose.compactVerify(samples[k].token, keys[kidOf[k]]);
  JSON.parse(new TextDecoder().decode(payload));
});

// The ES256 option: WebCrypto ECDSA P-256 over the same signing inputs (async, as the page would).
const subtle = globalThis.crypto.subtle;
const pair = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
const inputs = samples.slice(0, 200).map((m) => new TextEncoder().encode(m.token.slice(0, m.token.lastIndexOf("."))));
const sigs = [];
for (const input of inputs) sigs.push(await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, input));
[out.node_es256_webcrypto] = await rate(async (i) => {
  const k = i % inputs.length;
  if (!await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pair.publicKey, sigs[k], inputs[k])) throw new Error("es256");
});
out.node = process.version;
out.jose = JSON.parse(readFileSync(join(npmDir, "node_modules/jose/package.json"), "utf8")).version;

// Chromium: the same two loops in a page, from a loopback server on an ephemeral port.
let puppeteer = null;
try { puppeteer = require("puppeteer-core"); } catch { out.chromium_skipped = "puppeteer-core is not installed in " + npmDir; }
if (puppeteer !== null) {
  const files = { "/": Buffer.from("<!doctype html><title>bench</title>") };
  const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm" };
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    let body = files[path];
    try {
      if (body === undefined && path.startsWith("/hallmark-wasm/")) body = readFileSync(join(pkgDir, path.slice(15)));
      if (body === undefined && path.startsWith("/jose/") && !path.includes("..")) {
        body = readFileSync(join(npmDir, "node_modules/jose/dist/webapi", path.slice(6)));
      }
    } catch { body = undefined; }
    if (body === undefined) { res.writeHead(404).end(); return; }
    res.writeHead(200, { "Content-Type": TYPES[extname(path)] ?? "text/html" }).end(body);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const r = await page.evaluate(async (a) => {
      const { loadHallmark: load } = await import("/hallmark-wasm/hallmark.js");
      const j = await import("/jose/index.js");
      const rateIn = async (op) => {
        const t0 = performance.now();
        let n = 0, el = 0;
        do { for (let k = 0; k < 64; k++) await op(n++); el = (performance.now() - t0) / 1000; } while (el < a.seconds);
        return Math.round(n / el);
      };
      const lib = await load();
      const ver = lib.createVerifier({ platform: a.platform, roots: [a.root], threshold: 1 });
      const t = Math.floor(Date.now() / 1000);
      if (ver.loadBundle(a.bundle, { now: t }).result !== "HALLMARK_OK") throw new Error("bundle");
      const hallmark = await rateIn((i) => {
        if (ver.verify(a.samples[i % a.samples.length], { now: t }).result !== "HALLMARK_VERIFIED") throw new Error("verdict");
      });
      const ks = {};
      for (const [kid, jwk] of Object.entries(a.jwks)) ks[kid] = await j.importJWK(jwk, jwk.alg);
      const kids = a.samples.map((m) => JSON.parse(atob(m.token.split(".")[0].replace(/-/g, "+").replace(/_/g, "/"))).kid);
      const joseRate = await rateIn(async (i) => {
        const k = i % a.samples.length;
        const { payload } = await j.compactVerify(a.samples[k].token, ks[kids[k]]);
        JSON.parse(new TextDecoder().decode(payload));
      });
      return { hallmark, jose: joseRate, ua: navigator.userAgent };
    }, { seconds, platform, root, bundle, samples: samples.slice(0, 500), jwks });
    out.chromium_hallmark = r.hallmark;
    out.chromium_jose = r.jose;
    out.chromium = (await browser.version()).replace(/^[^/]*\//, "");
  } finally {
    await browser.close();
    server.close();
  }
}
console.log(JSON.stringify(out));
