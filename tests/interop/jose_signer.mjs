// Interop, Hallmark -> jose (issue 6): every token hallmark-signer wrote (pipe mode NDJSON) verifies
// with the npm `jose` package against the brand's JWKS from `hallmark-keys publish`, its kid is
// jose's RFC 7638 thumbprint of that key, and the same token with one claim changed (original
// signature kept) or with its signature from another token does not verify.
// usage: node jose_signer.mjs JOSE_DIR JWKS_DIR SIGNED_NDJSON REQUESTS_NDJSON
// prints "jose-signer: N passed, M failed"
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [joseDir, jwksDir, signedFile, requestsFile] = process.argv.slice(2);
const require = createRequire(join(joseDir, "package.json"));
const jose = require("jose");
let passed = 0;
let failed = 0;
const fail = (what) => { console.log(`FAIL ${what}`); failed++; };
const lines = (f) => readFileSync(f, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
const segJson = (s) => JSON.parse(Buffer.from(s, "base64url").toString("utf8"));

const requests = lines(requestsFile);
const signed = lines(signedFile);
const algs = new Set();
for (const [i, out] of signed.entries()) {
  const req = requests[i];
  if (!out.token) { fail(`line ${i + 1}: no token: ${JSON.stringify(out)}`); continue; }
  const jwks = JSON.parse(readFileSync(join(jwksDir, `${req.brand}.json`), "utf8"));
  const header = segJson(out.token.split(".")[0]);
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  try {
    if (!jwk) throw new Error(`kid ${header.kid} not in the brand's JWKS`);
    const { kid, alg, use, ...pub } = jwk;
    if (await jose.calculateJwkThumbprint(pub, "sha256") !== header.kid) throw new Error("kid is not the RFC 7638 thumbprint");
    const { payload, protectedHeader } = await jose.compactVerify(out.token, jose.createLocalJWKSet(jwks),
      { algorithms: ["Ed25519", "EdDSA", "ES256"] });
    const claims = JSON.parse(new TextDecoder().decode(payload));
    if (protectedHeader.typ !== "hallmark-msg+jwt") throw new Error(`typ ${protectedHeader.typ}`);
    if (protectedHeader.alg !== jwk.alg) throw new Error(`alg ${protectedHeader.alg} for a ${jwk.alg} key`);
    if (claims.iss !== req.brand || claims.from !== req.from || claims.channel !== req.channel) throw new Error("claims");
    algs.add(protectedHeader.alg);
    passed++;
  } catch (e) {
    fail(`line ${i + 1} (${req.brand}): jose refused a hallmark-signer token: ${e.code || e.message}`);
    continue;
  }
  const [h, p, s] = out.token.split(".");
  const claims = segJson(p);
  claims.body = claims.rcpt;
  const tampered = `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
  const other = signed.find((o, j) => j !== i && o.token && segJson(o.token.split(".")[0]).kid === header.kid);
  for (const [what, t] of [["claim changed", tampered], ["signature of another token", other && `${h}.${p}.${other.token.split(".")[2]}`]]) {
    if (!t) continue;
    try {
      await jose.compactVerify(t, jose.createLocalJWKSet(jwks), { algorithms: ["Ed25519", "EdDSA", "ES256"] });
      fail(`line ${i + 1}: jose accepted a token with its ${what}`);
    } catch (e) {
      if (e.code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") passed++;
      else fail(`line ${i + 1}: ${what}: failed for another reason: ${e.code || e.message}`);
    }
  }
}
if (!algs.has("Ed25519") || !algs.has("ES256")) fail(`want tokens of both algorithms, got ${[...algs]}`);
console.log(`jose-signer: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
