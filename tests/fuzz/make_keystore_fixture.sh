#!/usr/bin/env bash
# Builds tests/fuzz/keystore/ (the keystore that fuzz_keystore loads with the fuzzed state in
# place of its keystore.json) and the seed corpus of fuzz_keystore and fuzz_audit, with the
# project's own hallmark-keys and hallmark-signer. Run from the repository root after `make`;
# the output is committed, so run it again only when the keystore format changes.
# Minimum KDF limits keep each fuzz run fast; the clock is fixed (HALLMARK_NOW) to match
# FIXTURE_NOW in tests/fuzz/fuzz_keystore.c.
set -euo pipefail
build=${HALLMARK_BUILD:-build}
out=tests/fuzz/keystore
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'fuzz-keystore-passphrase\n' >"$work/pass"
chmod 600 "$work/pass"
export HALLMARK_PASSPHRASE_FILE=$work/pass HALLMARK_KEYSTORE=$work/ks HALLMARK_NOW=1790000000 \
    HALLMARK_OPERATOR=fuzz-fixture
k="$build/bin/hallmark-keys"
"$k" init --platform "Hallmark Fuzz" --kdf minimum >/dev/null
"$k" brand add acme-bank --name "Acme Bank" --logo tests/data/logos/good/brand-256-rgba.png \
    --color "#0B5FFF" --sender sms:ACMEBANK@+44 --sender email:acme.example --sender-prefix sms:+4477009 \
    --link-domain acme.example >/dev/null
"$k" brand add globex --name "Globex" --logo tests/data/logos/good/brand-256-rgba.png \
    --color "#003399" --sender sms:GLOBEX@+44 >/dev/null
acme=$("$k" key add acme-bank 2>/dev/null)
globex=$("$k" key add globex --alg es256 2>/dev/null)
"$k" publish --expires 90d >/dev/null
"$k" key promote "$acme" --force --reason "fuzz fixture" >/dev/null
"$k" key promote "$globex" --force --reason "fuzz fixture" >/dev/null
"$k" key add acme-bank >/dev/null 2>&1 # a pending key beside the active one
"$k" publish --expires 90d >/dev/null
rm -rf "$out"
mkdir -p "$out" tests/fuzz/corpus/fuzz_keystore tests/fuzz/corpus/fuzz_audit
cp -r "$work/ks/." "$out/"
rm -f "$out/lock"
# Seeds: the real state, and the real audit log (fuzz_audit's first byte picks the checkpoint).
cp "$work/ks/keystore.json" tests/fuzz/corpus/fuzz_keystore/state-two-brands.json
python3 - "$work/ks/keystore.json" tests/fuzz/corpus/fuzz_keystore/state-no-keys.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for b in s["brands"]:
    b["keys"] = []
json.dump(s, open(sys.argv[2], "w"), separators=(",", ":"))
PY
{ printf '\002'; cat "$work/ks/audit.log"; } >tests/fuzz/corpus/fuzz_audit/keystore-audit-log
python3 - "$work/sig.log" <<'PY' # a signature log of two records, chained as hm_sigaudit writes it
import base64, hashlib, json, sys
head = base64.urlsafe_b64encode(hashlib.sha256(b"hallmark-audit-v1").digest()).rstrip(b"=").decode()
with open(sys.argv[1], "wb") as f:
    for n in (1, 2):
        line = json.dumps({"seq": n, "time": 1790000000 + n, "prev": head, "client": "pipe",
                           "brand": "acme-bank", "kid": "k" * 43, "jti": "j" * 22, "body": "b" * 43},
                          separators=(",", ":")).encode()
        f.write(line + b"\n")
        head = base64.urlsafe_b64encode(hashlib.sha256(line).digest()).rstrip(b"=").decode()
PY
{ printf '\001'; cat "$work/sig.log"; } >tests/fuzz/corpus/fuzz_audit/signature-log
printf '\000' >tests/fuzz/corpus/fuzz_audit/empty
echo "fixture: $out; seeds in tests/fuzz/corpus/fuzz_keystore and fuzz_audit"
