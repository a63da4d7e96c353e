// The JOSE peer: npm jose in Node.js, one process, signing and verifying the same claims that
// hallmark-signer signed (the payloads of its tokens, with the same protected header) with a
// fresh key: Ed25519 as the tokens are, and ES256 (P-256) under the same header with alg changed.
// Operations run one after another (await), as one caller would.
// Prints one JSON object: operations per second of wall time and per CPU second of the process
// (jose's WebCrypto work may run on libuv's thread pool, which CPU time includes).
// usage: node jose_bench.mjs JOSE_DIR SIGNED.ndjson SECONDS
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [joseDir, signedFile, secondsArg] = process.argv.slice(2);
const require = createRequire(join(joseDir, "package.json"));
const jose = require("jose");
const seconds = Number(secondsArg) || 2;

const lines = readFileSync(signedFile, "utf8").split("\n").filter(Boolean).slice(0, 20000);
const tokens = lines.map((l) => JSON.parse(l).token);
const header = JSON.parse(Buffer.from(tokens[0].split(".")[0], "base64url").toString("utf8"));
const claims = tokens.map((t) => JSON.parse(Buffer.from(t.split(".")[1], "base64url").toString("utf8")));
const encoder = new TextEncoder();

async function rate(op) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let n = 0;
  let elapsed = 0;
  do {
    for (let k = 0; k < 64; k++) await op(n++);
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  } while (elapsed < seconds);
  const cpu = process.cpuUsage(c0);
  return [n / elapsed, n / ((cpu.user + cpu.system) / 1e6)];
}

// Signs and verifies the claims under alg: [sign/s, sign/cpu-s, verify/s, verify/cpu-s].
async function measure(alg) {
  const protectedHeader = { ...header, alg };
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  const sign = (i) =>
    new jose.CompactSign(encoder.encode(JSON.stringify(claims[i % claims.length])))
      .setProtectedHeader(protectedHeader)
      .sign(privateKey);
  const signed = [];
  for (let i = 0; i < Math.min(claims.length, 5000); i++) signed.push(await sign(i));
  const verify = async (i) => {
    const { payload } = await jose.compactVerify(signed[i % signed.length], publicKey);
    JSON.parse(new TextDecoder().decode(payload));
  };
  return [...(await rate(sign)), ...(await rate(verify))];
}

const [s, sCpu, v, vCpu] = await measure(header.alg);
const [es, esCpu, ev, evCpu] = await measure("ES256");
console.log(JSON.stringify({
  jose: JSON.parse(readFileSync(join(joseDir, "node_modules/jose/package.json"), "utf8")).version, node: process.version, alg: header.alg,
  sign: Math.round(s), sign_per_cpu: Math.round(sCpu), verify: Math.round(v),
  verify_per_cpu: Math.round(vCpu),
  es256_sign: Math.round(es), es256_sign_per_cpu: Math.round(esCpu), es256_verify: Math.round(ev),
  es256_verify_per_cpu: Math.round(evCpu),
}));
