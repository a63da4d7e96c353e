// Independent check of what hallmark-keys publishes, with the npm `jose` package:
// - the bundle's chain: root (root.pub) -> publisher certificate -> bundle and every credential;
// - each token given verifies against the brand's published JWKS (createLocalJWKSet), and each
//   token listed after "--refused" does not (its key was revoked, so it left the JWKS).
// usage: node jose_keystore.mjs JOSE_DIR ROOT_PUB BUNDLE JWKS TOKEN_FILE... [--refused TOKEN_FILE...]
// prints "jose-keys: N passed, M failed"
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [joseDir, rootPub, bundleFile, jwksFile, ...rest] = process.argv.slice(2);
const require = createRequire(join(joseDir, "package.json"));
const jose = require("jose");
let passed = 0;
let failed = 0;
const fail = (what) => { console.log(`FAIL ${what}`); failed++; };
const text = (f) => readFileSync(f, "utf8").trim();
const payloadOf = async (jws, key, typ) => {
  const r = await jose.compactVerify(jws, key, { algorithms: ["Ed25519"] });
  if (r.protectedHeader.typ !== typ) throw new Error(`typ ${r.protectedHeader.typ}`);
  return JSON.parse(new TextDecoder().decode(r.payload));
};

try {
  const root = await jose.importJWK({ kty: "OKP", crv: "Ed25519", x: text(rootPub) }, "Ed25519");
  const bundleJws = text(bundleFile);
  const unverified = JSON.parse(Buffer.from(bundleJws.split(".")[1], "base64url").toString("utf8"));
  const cert = await payloadOf(unverified.publisher, root, "hallmark-publisher+jwt");
  passed++;
  const publisher = await jose.importJWK(cert.jwk, "Ed25519");
  const bundle = await payloadOf(bundleJws, publisher, "hallmark-bundle+jwt");
  passed++;
  for (const b of bundle.brands) {
    await payloadOf(b.credential, publisher, "hallmark-brand+jwt");
    passed++;
  }
} catch (e) {
  fail(`bundle chain: ${e.message}`);
}

const jwks = jose.createLocalJWKSet(JSON.parse(text(jwksFile)));
let refused = false;
for (const arg of rest) {
  if (arg === "--refused") { refused = true; continue; }
  const token = JSON.parse(text(arg)).token;
  try {
    await jose.compactVerify(token, jwks, { algorithms: ["Ed25519", "ES256"] });
    if (refused) fail(`${arg}: verified against the JWKS, but its key is revoked`); else passed++;
  } catch (e) {
    if (refused) passed++; else fail(`${arg}: ${e.message}`);
  }
}
console.log(`jose-keys: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
