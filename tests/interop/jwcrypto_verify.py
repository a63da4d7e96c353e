#!/usr/bin/env python3
"""Interop, Hallmark -> jwcrypto (issue 6): every token hallmark-signer wrote (pipe mode NDJSON)
verifies with Python's jwcrypto (Debian python3-jwcrypto) against the brand's JWKS from
`hallmark-keys publish`, and the same token with one claim changed does not.

jwcrypto 1.1 predates RFC 9864, so it knows Ed25519 signatures only under the name "EdDSA"; the
fully-specified name "Ed25519" that Hallmark writes is registered here as that same jwcrypto
implementation (the signature check itself is jwcrypto's, through pyca/cryptography).

usage: jwcrypto_verify.py JWKS_DIR SIGNED_NDJSON REQUESTS_NDJSON
prints "jwcrypto: N passed, M failed"
"""
import base64
import json
import os
import sys

from jwcrypto import jwa, jwk, jws

if "Ed25519" not in jwa.JWA.algorithms_registry:
    jwa.JWA.algorithms_registry["Ed25519"] = jwa.JWA.algorithms_registry["EdDSA"]
ALGS = ["Ed25519", "EdDSA", "ES256"]


def seg_json(s):
    return json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def verify(token, keyset):
    obj = jws.JWS()
    obj.allowed_algs = ALGS
    obj.deserialize(token)
    kid = obj.jose_header["kid"]
    key = keyset.get_key(kid)
    if key is None:
        raise ValueError(f"kid {kid} not in the brand's JWKS")
    if key.thumbprint() != kid:
        raise ValueError("kid is not jwcrypto's RFC 7638 thumbprint of the key")
    obj.verify(key)
    return obj.jose_header, json.loads(obj.payload)


def main():
    jwks_dir, signed_file, requests_file = sys.argv[1:4]
    requests = [json.loads(l) for l in open(requests_file, encoding="utf-8") if l.strip()]
    signed = [json.loads(l) for l in open(signed_file, encoding="utf-8") if l.strip()]
    passed = failed = 0
    algs = set()
    for i, (req, out) in enumerate(zip(requests, signed)):
        with open(os.path.join(jwks_dir, req["brand"] + ".json"), encoding="utf-8") as f:
            keyset = jwk.JWKSet.from_json(f.read())
        try:
            header, claims = verify(out["token"], keyset)
            assert header["typ"] == "hallmark-msg+jwt", header
            assert claims["iss"] == req["brand"] and claims["from"] == req["from"], claims
            algs.add(header["alg"])
            passed += 1
        except Exception as e:  # noqa: BLE001 - any refusal is the finding
            print(f"FAIL line {i + 1} ({req['brand']}): jwcrypto refused: {e!r}")
            failed += 1
            continue
        h, p, s = out["token"].split(".")
        claims = seg_json(p)
        claims["channel"] = "email"
        tampered = ".".join([h, b64u(json.dumps(claims).encode()), s])
        try:
            verify(tampered, keyset)
            print(f"FAIL line {i + 1}: jwcrypto accepted a changed claim")
            failed += 1
        except jws.InvalidJWSSignature:
            passed += 1
        except Exception as e:  # noqa: BLE001
            print(f"FAIL line {i + 1}: changed claim refused for another reason: {e!r}")
            failed += 1
    if not {"Ed25519", "ES256"} <= algs:
        print(f"FAIL want tokens of both algorithms, got {sorted(algs)}")
        failed += 1
    print(f"jwcrypto: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
