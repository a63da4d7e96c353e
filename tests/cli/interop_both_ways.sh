#!/usr/bin/env bash
# Interop both ways (issue 6).
# 1. Tokens from hallmark-signer (pipe mode), of an Ed25519 and an ES256 brand key, verify with
#    hallmark-verify, with npm `jose` and with Python `jwcrypto` (python3-jwcrypto), given the
#    JWKS that `hallmark-keys publish` wrote (tests/interop/jose_signer.mjs, jwcrypto_verify.py).
# 2. Tokens minted by `jose` with the spec vectors' seeded brand keys verify with hallmark-verify,
#    and the same tokens with any header member or claim altered give the exact result of spec
#    §7.2 (tests/interop/jose_mint.mjs).
# Without node, npm, the npm registry or jwcrypto, those checks are counted as skipped.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh
skipped=0
dir=build/npm

jose_ready=1
jose_missing() {
    echo "interop-jose: $1; skipping the jose checks"
    jose_ready=0
}
. tests/cli/lib/jose.sh
why=$(jose_setup) || jose_missing "$why"
# jwcrypto comes from Debian (python3-jwcrypto), so it may live only under the system python3.
jwcrypto_py=
for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import jwcrypto' 2>/dev/null; then
        jwcrypto_py=$py
        break
    fi
done
[ -n "$jwcrypto_py" ] || echo "interop-jose: python3-jwcrypto is not installed; skipping its checks"

# helper_result LABEL FILE: adds the helper's closing "LABEL: N passed, M failed" to the totals.
helper_result() {
    local line
    line=$(grep -E "^$1: [0-9]+ passed, [0-9]+ failed$" "$2" | tail -n 1 || true)
    grep '^FAIL' "$2" || true
    if [ -z "$line" ]; then
        bad "$1 printed no result: $(tail -c 400 "$2")"
        return
    fi
    # shellcheck disable=SC2086 # split "LABEL: N passed, M failed" into words
    set -- $line
    passed=$((passed + $2))
    failed=$((failed + $4))
}

# ---- 1. hallmark-signer -> jose, jwcrypto ----
make_two_alg_keystore "Hallmark Interop"

cat >"$work/requests.ndjson" <<'EOF'
{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"Acme Bank: code 4401","category":"otp","sender":{"kind":"automated"}}
{"brand":"acme-bank","channel":"email","from":"acme.example","to":"jane@example.org","body":"Your statement is ready.","category":"transactional","sender":{"kind":"human","name":"Sam"},"conv":"c-9","actions":[{"kind":"link","label":"Open","url":"https://acme.example/s/1"}]}
{"brand":"initech","channel":"sms","from":"INITECH","to":"+447700900123","body":"Initech: meeting moved to 3pm","category":"alert","sender":{"kind":"ai"}}
{"brand":"initech","channel":"sms","from":"INITECH","to":"+15551234567","body":"Initech: TPS report due","category":"service","sender":{"kind":"automated"}}
{"brand":"acme-bank","channel":"email","from":"acme.example","to":"zoe@example.org","body":"Relevé «mars» — 5 € ✓ 🙂","category":"transactional","sender":{"kind":"human","name":"Zoë Ørsted"},"conv":"c/\"9\"\\x","actions":[{"kind":"link","label":"Öffnen \"✓\" \\ 日本","url":"https://acme.example/s/2?q=\"a\""}]}
EOF
sign_all "$work/requests.ndjson" "$work/signed.ndjson"
# The ground truth first: hallmark-verify accepts each signed message.
python3 - "$work/requests.ndjson" "$work/signed.ndjson" "$work" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
outs = [json.loads(l) for l in open(sys.argv[2])]
for i, (r, o) in enumerate(zip(reqs, outs)):
    m = {k: r[k] for k in ("channel", "from", "to", "body")}
    m["token"] = o.get("token", "")
    json.dump(m, open(f"{sys.argv[3]}/m{i}.json", "w"))
PY
for i in 0 1 2 3 4; do
    r=$("$verify_cli" --root "$HALLMARK_KEYSTORE/root.pub" \
        --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" --message "$work/m$i.json" --json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])')
    # Tokens 2 and 3 are Initech's, a brand at level basic: "signed by" its domain (issue 22).
    # Token 4 carries non-ASCII, quotes and backslashes in its claims (issue 16: the claims writer).
    want=HALLMARK_VERIFIED
    [ "$i" -ge 2 ] && [ "$i" -le 3 ] && want=HALLMARK_VERIFIED_DOMAIN
    [ "$r" = "$want" ] && ok || bad "signer token $i: hallmark-verify says $r, want $want"
done
jwks=$HALLMARK_KEYSTORE/published/jwks
[ -f "$jwks/acme-bank.json" ] && [ -f "$jwks/initech.json" ] && ok || bad "no JWKS for both brands in $jwks"

if [ "$jose_ready" = 1 ]; then
    set +e
    node tests/interop/jose_signer.mjs "$PWD/$dir" "$jwks" "$work/signed.ndjson" \
        "$work/requests.ndjson" >"$work/jose_signer.out" 2>&1
    set -e
    helper_result jose-signer "$work/jose_signer.out"
else
    skipped=$((skipped + 12)) # 4 tokens: verified, claim changed, signature swapped
fi
if [ -n "$jwcrypto_py" ]; then
    set +e
    "$jwcrypto_py" tests/interop/jwcrypto_verify.py "$jwks" "$work/signed.ndjson" \
        "$work/requests.ndjson" >"$work/jwcrypto.out" 2>&1
    set -e
    helper_result jwcrypto "$work/jwcrypto.out"
else
    skipped=$((skipped + 8)) # 4 tokens: verified, claim changed
fi

# ---- 2. jose -> hallmark-verify, with the spec vectors' seeded keys and bundle ----
if [ "$jose_ready" = 1 ]; then
    mkdir "$work/mint"
    set +e
    node tests/interop/jose_mint.mjs "$PWD/$dir" spec/vectors/001-sms-alphanumeric.json \
        "$verify_cli" "$work/mint" >"$work/mint.out" 2>&1
    set -e
    helper_result jose-mint "$work/mint.out"
else
    skipped=$((skipped + 62))
fi

line="interop-jose: $passed passed, $failed failed"
[ "$skipped" -eq 0 ] || line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ]
