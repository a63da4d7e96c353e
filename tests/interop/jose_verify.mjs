// Independent check with the npm `jose` package: every verified token in spec/vectors/ must pass
// jose's compactVerify with the brand key's public JWK taken from the bundle, and the same token
// with one claim changed (re-encoded payload, original signature) must fail there too.
// usage: node jose_verify.mjs JOSE_DIR VECTOR_DIR   (prints "jose: N passed, M failed")
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [joseDir, vectorDir] = process.argv.slice(2);
const require = createRequire(join(joseDir, "package.json"));
const jose = require("jose");

const b64json = (seg) => JSON.parse(Buffer.from(seg, "base64url").toString("utf8"));
// rcpt of spec §2.5: SHA-256("hallmark-rcpt-v2" 0 jti 0 channel 0 stem), the stem (HM-TOKEN-55)
// by @noble/hashes' Argon2id, not libsodium's.
const { argon2id } = await import(
  pathToFileURL(join(joseDir, "node_modules/@noble/hashes/argon2.js")).href);
const stemOf = (channel, from, to) => Buffer.from(argon2id(Buffer.from(to),
  createHash("sha256").update(`hallmark-stem-v1\0${channel}\0${from}\0`).digest().subarray(0, 16),
  { t: 2, m: 1024, p: 1, dkLen: 32 }));
const boundTo = (token, msg) => {
  try {
    const c = b64json(token.split(".")[1]);
    const rcpt = createHash("sha256").update(`hallmark-rcpt-v2\0${c.jti}\0${c.channel}\0`)
      .update(stemOf(c.channel, c.from, msg.to)).digest("base64url");
    return c.rcpt === rcpt;
  } catch {
    return false;
  }
};
const joseAccepts = async (token, bundle) => {
  try {
    const header = b64json(token.split(".")[0]);
    const entry = bundle.brands.flatMap((b) => b.keys).find((k) => k.kid === header.kid);
    const jwk = { kty: entry.kty, crv: entry.crv, x: entry.x, ...(entry.y ? { y: entry.y } : {}) };
    await jose.compactVerify(token, await jose.importJWK(jwk, header.alg),
                             { algorithms: [header.alg] });
    return true;
  } catch {
    return false;
  }
};
let passed = 0;
let failed = 0;
const fail = (what) => { console.log(`FAIL ${what}`); failed++; };

for (const name of readdirSync(vectorDir).filter((f) => f.endsWith(".json")).sort()) {
  const vector = JSON.parse(readFileSync(join(vectorDir, name), "utf8"));
  if (vector.expect.result !== "HALLMARK_VERIFIED") continue;
  const bundle = b64json(vector.bundle.split(".")[1]);
  let token = vector.message.token;
  if (vector.message.tokens) {
    // Arrived without a token (spec §9.6): of the directory's tokens, the one bound to this
    // recipient (rcpt recomputed here) whose signature jose also accepts.
    token = undefined;
    for (const t of vector.message.tokens.filter((x) => boundTo(x, vector.message))) {
      if (await joseAccepts(t, bundle)) { token = t; break; }
    }
    if (!token) { fail(`${name}: no fetched token of this recipient passes jose`); continue; }
  }
  const header = b64json(token.split(".")[0]);
  const entry = bundle.brands.flatMap((b) => b.keys).find((k) => k.kid === header.kid);
  if (!entry) { fail(`${name}: kid not in bundle`); continue; }
  const jwk = { kty: entry.kty, crv: entry.crv, x: entry.x, ...(entry.y ? { y: entry.y } : {}) };
  try {
    const key = await jose.importJWK(jwk, header.alg);
    if (await jose.calculateJwkThumbprint(jwk, "sha256") !== header.kid) {
      fail(`${name}: jose's RFC 7638 thumbprint differs from the kid`);
      continue;
    }
    const { payload } = await jose.compactVerify(token, key, { algorithms: [header.alg] });
    const claims = JSON.parse(new TextDecoder().decode(payload));
    if (claims.iss !== vector.expect.brand.id) { fail(`${name}: iss`); continue; }
    passed++;
  } catch (e) {
    fail(`${name}: jose refused a Hallmark-verified token: ${e.code || e.message}`);
    continue;
  }
  // Tampered twin: one claim changed, the original signature kept.
  const [h, p, s] = token.split(".");
  const claims = b64json(p);
  claims.from = claims.from + "X";
  const tampered = [h, Buffer.from(JSON.stringify(claims)).toString("base64url"), s].join(".");
  try {
    await jose.compactVerify(tampered, await jose.importJWK(jwk, header.alg),
                             { algorithms: [header.alg] });
    fail(`${name}: jose accepted a tampered payload`);
  } catch (e) {
    if (e.code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") passed++;
    else fail(`${name}: tampered twin failed for another reason: ${e.code || e.message}`);
  }
}
console.log(`jose: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
