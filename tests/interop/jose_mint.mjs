// Interop, jose -> Hallmark (issue 6): tokens minted by the npm `jose` package with a brand key of
// the spec vectors (the generator's fixed seeds: acme-bank Ed25519 = 32 bytes 0x03, acme-bank
// P-256 scalar = 32 bytes 0x21, globex Ed25519 = 32 bytes 0x08) and claims built here from the
// spec (§2.3, §2.5) verify with hallmark-verify against that vector's bundle; the same token with
// one header member or one claim altered, re-signed by the same key so that only the content
// differs, gives the exact result of spec §7.2. Where jose refuses to produce a header (alg that
// does not fit the key, crit, b64, duplicate members), the same key signs the exact bytes with
// node:crypto.
// usage: node jose_mint.mjs JOSE_DIR VECTOR_FILE VERIFY_CLI WORK_DIR
// prints "jose-mint: N passed, M failed"
import { createRequire } from "node:module";
import { createHash, createPrivateKey, createPublicKey, sign as cryptoSign } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [joseDir, vectorFile, verifyCli, work] = process.argv.slice(2);
const require = createRequire(join(joseDir, "package.json"));
const jose = require("jose");

let passed = 0;
let failed = 0;
const fail = (what) => { console.log(`FAIL ${what}`); failed++; };
const check = (cond, what) => (cond ? passed++ : fail(what));

const vector = JSON.parse(readFileSync(vectorFile, "utf8"));
const b64u = (buf) => Buffer.from(buf).toString("base64url");
const seg = (s) => Buffer.from(s, "base64url");
const segJson = (s) => JSON.parse(seg(s).toString("utf8"));
const sha = (buf) => createHash("sha256").update(buf).digest();
const NOW = vector.now;

// The brand keys the bundle lists, by brand id (credential sub).
const bundle = segJson(vector.bundle.split(".")[1]);
const brands = Object.fromEntries(bundle.brands.map((b) => [segJson(b.credential.split(".")[1]).sub, b]));
const acme = brands["acme-bank"];
const globex = brands.globex;
const vectorHeader = segJson(vector.message.token.split(".")[0]);
const vectorClaims = segJson(vector.message.token.split(".")[1]);

// Private keys from the generator's seeds, checked against the public keys in the bundle.
async function seededKey(entries, kty, fill) {
  const d = b64u(Buffer.alloc(32, fill));
  const entry = entries.keys.find((k) => k.kty === kty && k.state === "active" &&
    (kty === "OKP" || k.crv === "P-256") && (() => {
      try {
        const jwk = kty === "OKP" ? { kty, crv: k.crv, d, x: k.x } : { kty, crv: k.crv, d, x: k.x, y: k.y };
        const pub = createPublicKey(createPrivateKey({ key: jwk, format: "jwk" })).export({ format: "jwk" });
        return pub.x === k.x && (kty === "OKP" || pub.y === k.y);
      } catch { return false; }
    })());
  if (!entry) throw new Error(`no active ${kty} key of seed ${fill} in the bundle`);
  const priv = kty === "OKP" ? { kty, crv: entry.crv, d, x: entry.x }
                             : { kty, crv: entry.crv, d, x: entry.x, y: entry.y };
  return {
    kid: entry.kid,
    alg: entry.alg,
    jose: await jose.importJWK(priv, entry.alg),
    node: createPrivateKey({ key: priv, format: "jwk" }),
    pub: { kty, crv: entry.crv, x: entry.x, ...(entry.y ? { y: entry.y } : {}) },
  };
}

const ed = await seededKey(acme, "OKP", 0x03);
const es = await seededKey(acme, "EC", 0x21);
const gx = await seededKey(globex, "OKP", 0x08);
check(ed.kid === vectorHeader.kid, "the seed-3 key is the key of the vector's token");
check(await jose.calculateJwkThumbprint(ed.pub, "sha256") === ed.kid, "jose's thumbprint of the Ed25519 key is its kid");
check(await jose.calculateJwkThumbprint(es.pub, "sha256") === es.kid, "jose's thumbprint of the P-256 key is its kid");

// Claims from the spec: rcpt (§2.5), body digest of a body that is already canonical (§3), cred.
const credDigest = b64u(sha(seg(acme.credential.split(".")[1])));
check(credDigest === vectorClaims.cred, "cred digest computed here equals the vector token's");
// The recipient stem (HM-TOKEN-55) by @noble/hashes' Argon2id, not libsodium's.
const { argon2id } = await import(
  pathToFileURL(join(joseDir, "node_modules/@noble/hashes/argon2.js")).href);
const stemOf = (channel, from, to) => Buffer.from(argon2id(Buffer.from(to),
  sha(Buffer.from(`hallmark-stem-v1\0${channel}\0${from}\0`)).subarray(0, 16),
  { t: 2, m: 1024, p: 1, dkLen: 32 }));
const rcptOf = (jti, channel, from, to) =>
  b64u(sha(Buffer.concat([Buffer.from(`hallmark-rcpt-v2\0${jti}\0${channel}\0`), stemOf(channel, from, to)])));
check(rcptOf(vectorClaims.jti, "sms", vectorClaims.from, vector.message.to) === vectorClaims.rcpt, "rcpt computed here equals the vector token's");
const TO = "+447700900123";
const BODY = "Acme Bank: your parcel 7731 is out for delivery.";
const baseClaims = (jti) => ({
  iss: "acme-bank", iat: NOW - 60, exp: NOW - 60 + 86400, jti, channel: "sms", from: "ACMEBANK",
  rcpt: rcptOf(jti, "sms", "ACMEBANK", TO), body: b64u(sha(Buffer.from(BODY))), cred: credDigest,
  category: "transactional", sender: { kind: "automated" },
});
const baseHeader = (key) => ({ alg: key.alg, typ: "hallmark-msg+jwt", kid: key.kid });

// Exact bytes signed by the key itself (for headers jose will not produce).
function rawSign(key, headerText, payloadText) {
  const input = `${b64u(Buffer.from(headerText))}.${b64u(Buffer.from(payloadText))}`;
  const sig = key.pub.kty === "OKP" ? cryptoSign(null, Buffer.from(input), key.node)
    : cryptoSign("sha256", Buffer.from(input), { key: key.node, dsaEncoding: "ieee-p1363" });
  return `${input}.${b64u(sig)}`;
}
const joseSign = (key, header, claims) =>
  new jose.CompactSign(Buffer.from(JSON.stringify(claims))).setProtectedHeader(header).sign(key.jose);

function verdict(name, token, message = {}) {
  const msg = { channel: "sms", from: "ACMEBANK", to: TO, body: BODY, token, ...message };
  writeFileSync(join(work, "bundle.jws"), vector.bundle);
  writeFileSync(join(work, "message.json"), JSON.stringify(msg));
  const args = [];
  for (const r of vector.roots) args.push("--root", r);
  args.push("--platform", vector.platform, "--threshold", String(vector.threshold));
  args.push("--bundle", join(work, "bundle.jws"), "--now", String(NOW), "--message",
            join(work, "message.json"), "--json");
  const r = spawnSync(verifyCli, args, { encoding: "utf8" });
  try { return JSON.parse(r.stdout).result; } catch { return `exit ${r.status}: ${r.stderr.trim()}`; }
}
const expect = (name, token, want, message) => {
  const got = verdict(name, token, message);
  check(got === want, `${name}: ${got}, want ${want}`);
};

// ---- minted by jose, verified by Hallmark ----
let n = 0;
const jti = () => `jose-${(++n).toString().padStart(3, "0")}`;
expect("jose Ed25519", await joseSign(ed, baseHeader(ed), baseClaims(jti())), "HALLMARK_VERIFIED");
expect("jose EdDSA", await joseSign(ed, { ...baseHeader(ed), alg: "EdDSA" }, baseClaims(jti())), "HALLMARK_VERIFIED");
expect("jose ES256", await joseSign(es, baseHeader(es), baseClaims(jti())), "HALLMARK_VERIFIED");
{
  const c = { ...baseClaims(jti()), category: "service", sender: { kind: "human", name: "Ana" }, conv: "c-jose-1",
              actions: [{ kind: "link", label: "Track", url: "https://acme.example/track/7731" }],
              "x-future": { nested: [1] } };
  expect("jose full claims (human, conv, action, unknown claim)", await joseSign(ed, baseHeader(ed), c), "HALLMARK_VERIFIED");
}
// A jose token Hallmark accepts is also one jose accepts back (both directions on one token).
{
  const t = await joseSign(es, baseHeader(es), baseClaims(jti()));
  const { protectedHeader } = await jose.compactVerify(t, await jose.importJWK(es.pub, "ES256"), { algorithms: ["ES256"] });
  check(protectedHeader.kid === es.kid, "jose verifies its own ES256 token with the bundle key");
}

// ---- header altered, re-signed by the same key ----
const H = baseHeader(ed);
const headerCases = [
  ["alg ES256 on the Ed25519 key", { ...H, alg: "ES256" }, "HALLMARK_ALG_MISMATCH", true],
  ["alg Ed25519 on the P-256 key", { ...baseHeader(es), alg: "Ed25519" }, "HALLMARK_ALG_MISMATCH", true, gx],
  ["alg HS256", { ...H, alg: "HS256" }, "HALLMARK_UNSUPPORTED_ALG", true],
  ["alg none", { ...H, alg: "none" }, "HALLMARK_UNSUPPORTED_ALG", true],
  ["alg ED25519", { ...H, alg: "ED25519" }, "HALLMARK_UNSUPPORTED_ALG", true],
  ["typ JWT", { ...H, typ: "JWT" }, "HALLMARK_MALFORMED"],
  ["typ absent", { alg: H.alg, kid: H.kid }, "HALLMARK_MALFORMED"],
  ["kid absent", { alg: H.alg, typ: H.typ }, "HALLMARK_MALFORMED"],
  ["kid of another brand's key", { ...H, kid: gx.kid }, "HALLMARK_BAD_SIGNATURE"],
  ["kid unknown", { ...H, kid: b64u(sha(Buffer.from("nobody"))) }, "HALLMARK_UNKNOWN_KEY"],
  ["jwk added (the key's own)", { ...H, jwk: ed.pub }, "HALLMARK_HEADER_REFUSED"],
  ["jku added", { ...H, jku: "https://evil.example/jwks.json" }, "HALLMARK_HEADER_REFUSED"],
  ["x5u added", { ...H, x5u: "https://evil.example/c.pem" }, "HALLMARK_HEADER_REFUSED"],
  ["x5c added", { ...H, x5c: ["MIIB"] }, "HALLMARK_HEADER_REFUSED"],
  ["x5t added", { ...H, x5t: "AAAAAAAAAAAAAAAAAAAAAAAAAAA" }, "HALLMARK_HEADER_REFUSED"],
  ["cty added", { ...H, cty: "JWT" }, "HALLMARK_HEADER_REFUSED"],
  ["crit added", { ...H, crit: ["exp"] }, "HALLMARK_HEADER_REFUSED", true],
  ["b64 false added", { ...H, b64: false }, "HALLMARK_HEADER_REFUSED", true],
  ["zip added", { ...H, zip: "DEF" }, "HALLMARK_HEADER_REFUSED", true],
  ["unknown member added", { ...H, "x-hallmark": 1 }, "HALLMARK_HEADER_REFUSED"],
];
for (const [name, header, want, raw, signer] of headerCases) {
  const key = signer || (header.kid === es.kid ? es : ed);
  const claims = baseClaims(jti());
  const token = raw ? rawSign(key, JSON.stringify(header), JSON.stringify(claims))
                    : await joseSign(key, header, claims);
  expect(`header: ${name}`, token, want);
}
{
  const c = JSON.stringify(baseClaims(jti()));
  expect("header: duplicate alg member",
         rawSign(ed, `{"alg":"Ed25519","typ":"hallmark-msg+jwt","kid":"${ed.kid}","alg":"ES256"}`, c), "HALLMARK_MALFORMED");
}

// ---- each claim altered, re-signed ----
const claimCases = [
  ["iss another brand", (c) => ({ ...c, iss: "globex" }), "HALLMARK_ISSUER_MISMATCH"],
  ["iss absent", ({ iss, ...c }) => c, "HALLMARK_MALFORMED"],
  ["iat before the key's nbf", (c) => ({ ...c, iat: NOW - 200 * 86400, exp: NOW - 199 * 86400 }), "HALLMARK_KEY_NOT_VALID"],
  ["iat a fraction", (c) => ({ ...c, iat: c.iat + 0.5 }), "HALLMARK_MALFORMED"],
  ["iat in the future", (c) => ({ ...c, iat: NOW + 3600, exp: NOW + 3600 + 86400 }), "HALLMARK_TOKEN_NOT_YET_VALID"],
  ["exp equal to iat", (c) => ({ ...c, exp: c.iat }), "HALLMARK_MALFORMED"],
  ["exp 31 days after iat", (c) => ({ ...c, exp: c.iat + 31 * 86400 }), "HALLMARK_MALFORMED"],
  ["exp in the past", (c) => ({ ...c, iat: NOW - 3 * 86400, exp: NOW - 2 * 86400 }), "HALLMARK_TOKEN_EXPIRED"],
  ["jti changed (rcpt no longer binds it)", (c) => ({ ...c, jti: `${c.jti}x` }), "HALLMARK_RECIPIENT_MISMATCH"],
  ["jti outside the base64url alphabet", (c) => ({ ...c, jti: "a b" }), "HALLMARK_MALFORMED"],
  ["channel whatsapp (with the brand's WhatsApp number)", (c) => ({ ...c, channel: "whatsapp", from: "+447700900500", rcpt: rcptOf(c.jti, "whatsapp", "+447700900500", TO) }), "HALLMARK_CHANNEL_MISMATCH"],
  ["channel whatsapp with an SMS sender id", (c) => ({ ...c, channel: "whatsapp" }), "HALLMARK_MALFORMED"],
  ["from another authorized sender", (c) => ({ ...c, from: "+447700900777" }), "HALLMARK_SENDER_MISMATCH"],
  ["rcpt of another recipient", (c) => ({ ...c, rcpt: rcptOf(c.jti, "sms", "ACMEBANK", "+447700900999") }), "HALLMARK_RECIPIENT_MISMATCH"],
  ["body of another text", (c) => ({ ...c, body: b64u(sha(Buffer.from(`${BODY}!`))) }), "HALLMARK_BODY_MODIFIED"],
  ["cred of no credential", (c) => ({ ...c, cred: b64u(sha(Buffer.from("forged"))) }), "HALLMARK_BRAND_CREDENTIAL_INVALID"],
  ["cred not a digest", (c) => ({ ...c, cred: "AAAA" }), "HALLMARK_MALFORMED"],
  ["category unknown", (c) => ({ ...c, category: "urgent" }), "HALLMARK_MALFORMED"],
  ["sender kind unknown", (c) => ({ ...c, sender: { kind: "robot" } }), "HALLMARK_MALFORMED"],
  ["sender name on an automated sender", (c) => ({ ...c, sender: { kind: "automated", name: "Bot" } }), "HALLMARK_MALFORMED"],
  ["action outside the link domains", (c) => ({ ...c, actions: [{ kind: "link", label: "Pay", url: "https://acme.example.evil.example/pay" }] }), "HALLMARK_ACTION_NOT_AUTHORIZED"],
  ["action with userinfo", (c) => ({ ...c, actions: [{ kind: "link", label: "Pay", url: "https://acme.example@evil.example/pay" }] }), "HALLMARK_ACTION_NOT_AUTHORIZED"],
  ["five actions", (c) => ({ ...c, actions: Array(5).fill({ kind: "link", label: "Go", url: "https://acme.example/" }) }), "HALLMARK_MALFORMED"],
];
for (const [name, alter, want] of claimCases) {
  expect(`claim: ${name}`, await joseSign(ed, H, alter(baseClaims(jti()))), want);
}
{
  const c = baseClaims(jti());
  const text = JSON.stringify(c).replace("{", '{"iss":"globex",');
  expect("claim: duplicate iss member", rawSign(ed, JSON.stringify(H), text), "HALLMARK_MALFORMED");
  const text2 = JSON.stringify(c).replace('"sender":{"kind":"automated"}', '"sender":{"kind":"automated","kind":"ai"}');
  expect("claim: duplicate sender.kind member", rawSign(ed, JSON.stringify(H), text2), "HALLMARK_MALFORMED");
}
// Another brand's valid key, as itself, for Acme's sender: the credential does not authorize it.
{
  const c = { ...baseClaims(jti()), iss: "globex", cred: b64u(sha(seg(globex.credential.split(".")[1]))) };
  expect("globex's key for Acme's sender", await joseSign(gx, baseHeader(gx), c), "HALLMARK_SENDER_NOT_AUTHORIZED");
}
// Altered without re-signing: the original signature over other bytes.
{
  const t = await joseSign(ed, H, baseClaims(jti()));
  const [h, p, s] = t.split(".");
  const c = segJson(p);
  c.from = "72233";
  expect("payload altered, signature kept", `${h}.${b64u(Buffer.from(JSON.stringify(c)))}.${s}`, "HALLMARK_BAD_SIGNATURE");
  const h2 = b64u(Buffer.from(JSON.stringify({ ...H, alg: "EdDSA" })));
  expect("header altered, signature kept", `${h2}.${p}.${s}`, "HALLMARK_BAD_SIGNATURE");
  // The message altered instead of the token.
  expect("message from another sender", t, "HALLMARK_SENDER_MISMATCH", { from: "GLOBEX" });
  expect("message to another recipient", t, "HALLMARK_RECIPIENT_MISMATCH", { to: "+447700900999" });
  expect("message body altered", t, "HALLMARK_BODY_MODIFIED", { body: `${BODY} Call 555-0100.` });
}

console.log(`jose-mint: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
