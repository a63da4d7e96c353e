#!/usr/bin/env bash
# make demo: a platform onboards a brand with hallmark-keys, the brand's messages are signed (by
# the core library through tests' hm-test-sign, until hallmark-signer lands), and an app checks
# them with hallmark-verify, the CLI over the library apps embed. Then more cases from the spec's
# test vectors.
set -euo pipefail
build=${1:-build}
keys=$build/bin/hallmark-keys
cli=$build/bin/hallmark-verify
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'demo passphrase, not for production\n' >"$work/pass"
chmod 600 "$work/pass"
export HALLMARK_PASSPHRASE_FILE=$work/pass HALLMARK_KEYSTORE=$work/keystore HALLMARK_OPERATOR=demo

step() { printf '\n$ hallmark-keys %s\n' "$*"; "$keys" "$@" 2>&1 | sed 's/^/  /'; }
app() { # LABEL MESSAGE-FILE
    local out
    out=$("$cli" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" \
        --message "$2" 2>/dev/null | head -n 1 || true)
    printf '  %-44s %s\n' "$1" "$out"
}

echo "Hallmark demo. 1) The platform onboards Acme Bank (a demo keystore with a fast KDF)."
step init --platform "Hallmark Demo" --kdf minimum
step brand add acme-bank --name "Acme Bank" --logo tests/data/logos/good/brand-256-rgba.png \
    --color "#0B5FFF" --sender sms:ACMEBANK --link-domain acme.example --level organization
printf '\n$ hallmark-keys key add acme-bank\n'
kid=$("$keys" key add acme-bank 2>/dev/null)
echo "  $kid"
step publish
step key promote "$kid" --force --reason "first key of a new brand: no earlier key to replace"
step publish
step brand preview acme-bank --out "$work/preview.png"

echo
echo "2) Acme Bank sends; the app checks each message against the pinned root and the bundle."
body="Acme Bank: your card ending 4242 was charged £10.00 at Acme Store."
"$build/tests/hm-test-sign" "$HALLMARK_KEYSTORE" acme-bank "$kid" "$(date +%s)" "$body" >"$work/m.json"
app "SMS from ACMEBANK, signed" "$work/m.json"
sed 's/£10\.00/£100.00/' "$work/m.json" >"$work/changed.json"
app "amount changed in transit" "$work/changed.json"
sed 's/"from":"ACMEBANK"/"from":"ACMEBNK"/' "$work/m.json" >"$work/spoof.json"
app "genuine token on a look-alike sender" "$work/spoof.json"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m.pop("token"); print(json.dumps(m))' \
    "$work/m.json" >"$work/unsigned.json"
app "same text, no token (a phisher)" "$work/unsigned.json"

echo
echo "3) The key leaks: the platform revokes it and publishes."
step key revoke "$kid" --reason "demo: key exposed"
step publish
app "the earlier message, after the revocation" "$work/m.json"
step status

echo
echo "4) More cases from the spec's test vectors (spec/vectors):"
show() { # VECTOR LABEL
    local v=spec/vectors/$1 out
    python3 tests/cli/vector_tool.py args "$v" "$work" >"$work/args"
    mapfile -t args < <(grep -vx -- --json "$work/args")
    out=$("$cli" "${args[@]}" 2>/dev/null | head -n 1 || true)
    printf '  %-44s %s\n' "$2" "$out"
}
show 012-human-agent.json "support chat, a person named Sam writes"
show 016-four-actions.json "invoice with a signed \"Pay now\" button"
show 018-es256.json "same brand, ES256 key"
show 004-crlf-transport.json "line ends changed in transit"
show 075-action-userinfo.json "button to acme.example@evil.example"
show 076-action-suffix-trick.json "button to acme.example.evil.example"
show 059-cross-brand-key.json "another brand's key claims to be Acme"
show 094-bundle-rollback.json "older trust bundle replayed"
show 096-bundle-frozen.json "bundle updates blocked past expiry"
echo
echo "Only a ✔ line earns the checkmark. The signer service (hallmark-signer) is not built yet."
