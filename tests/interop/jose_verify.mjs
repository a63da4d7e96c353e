// Independent check with the npm `jose` package: every verified token in spec/vectors/ must pass
// jose's compactVerify with the brand key's public JWK taken from the bundle, and the same token
// with one claim changed (re-encoded payload, original signature) must fail there too.
// usage: node jose_verify.mjs JOSE_DIR VECTOR_DIR   (prints "jose: N passed, M failed")
import { createRequire } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const [joseDir, vectorDir] = process.argv.slice(2);
const require = createRequire(join(joseDir, "package.json"));
const jose = require("jose");

const b64json = (seg) => JSON.parse(Buffer.from(seg, "base64url").toString("utf8"));
let passed = 0;
let failed = 0;
const fail = (what) => { console.log(`FAIL ${what}`); failed++; };

for (const name of readdirSync(vectorDir).filter((f) => f.endsWith(".json")).sort()) {
  const vector = JSON.parse(readFileSync(join(vectorDir, name), "utf8"));
  if (vector.expect.result !== "HALLMARK_VERIFIED") continue;
  const token = vector.message.token;
  const header = b64json(token.split(".")[0]);
  const bundle = b64json(vector.bundle.split(".")[1]);
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
