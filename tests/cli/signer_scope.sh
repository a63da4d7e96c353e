#!/usr/bin/env bash
# hallmark-signer with several active keys of one brand (spec HM-TRUST-65): each message is signed
# with the active key whose scope covers its channel and sender (a scoped key before the
# unscoped one), every token verifies, and a message no key covers is refused, never signed with
# a key whose scope the verifier would refuse. Real clock.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh
make_keystore
expect_ok "vendor key for ACMEBANK" key add acme-bank --scope-sender sms:ACMEBANK@+44
kv=$(cat "$work/out")
expect_ok "publish it" publish
expect_ok "promote it" key promote "$kv" --force --reason "vendor onboarding"
expect_ok "publish the promotion" publish

# sign_lines LINE...: the pipe-mode results of the request lines, in $work/out.ndjson; $st.
sign_lines() {
    printf '%s\n' "$@" >"$work/in.ndjson"
    set +e
    "$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/sig.log" <"$work/in.ndjson" >"$work/out.ndjson" 2>"$work/err"
    st=$?
    set -e
}
acme_sms='{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"Acme Bank: code 1234","category":"otp","sender":{"kind":"automated"}}'
acme_prefix='{"brand":"acme-bank","channel":"sms","from":"+447700900555","to":"+447700900123","body":"Acme Bank: hello","category":"transactional","sender":{"kind":"automated"}}'
acme_mail='{"brand":"acme-bank","channel":"email","from":"acme.example","to":"customer@example.com","body":"Statement ready","category":"transactional","sender":{"kind":"automated"}}'
sign_lines "$acme_sms" "$acme_prefix" "$acme_mail"
[ "$st" -eq 0 ] && ok || bad "pipe exit $st: $(cat "$work/err")"
kids=$(python3 -c 'import json,sys; print(" ".join(json.loads(l).get("kid","-") for l in open(sys.argv[1])))' "$work/out.ndjson")
[ "$kids" = "$kv $acme_k1 $acme_k1" ] && ok || bad "keys chosen: $kids, want the vendor key for ACMEBANK only"
python3 - "$work/out.ndjson" "$work" <<'PY'
import json, sys
for n, l in enumerate(open(sys.argv[1])):
    m = json.loads(l)
    json.dump({k: m[k] for k in ("channel", "from", "to", "body", "token")}, open(f"{sys.argv[2]}/s{n}.json", "w"))
PY
for n in 0 1 2; do
    got=$("$verify_cli" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" \
        --message "$work/s$n.json" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])')
    [ "$got" = HALLMARK_VERIFIED ] && ok || bad "token $n: $got"
done

# The unscoped key revoked: the vendor key signs ACMEBANK only; the other senders get no token.
expect_ok "revoke the unscoped key" key revoke "$acme_k1" --reason "test: the vendor key stays"
if grep -q "has no active key now" "$work/err"; then bad "revoke warned of no active key with the vendor key active"; else ok; fi
expect_ok "publish the revocation" publish
sign_lines "$acme_sms" "$acme_mail"
[ "$st" -eq 1 ] && ok || bad "pipe exit $st, want 1 (a line refused)"
python3 - "$work/out.ndjson" "$kv" <<'PY' && ok || bad "after the revocation: $(cat "$work/out.ndjson")"
import json, sys
a, b = [json.loads(l) for l in open(sys.argv[1])]
assert a["kid"] == sys.argv[2], a
e = b["error"]
assert "token" not in b and e["code"] == "no_active_key" and e["field"] == "from", b
assert "scope" in e["message"], e
PY

# /metrics lists both keys of the brand; /healthz counts brands, not keys.
write_clients
start_signer "$work/serve.log" --clients "$work/clients.json"
curl -fsS "$url/metrics" >"$work/metrics" && ok || bad "metrics"
[ "$(grep -c '^hallmark_key_age_seconds{brand="acme-bank"' "$work/metrics")" -eq 1 ] && ok ||
    bad "key age lines for acme-bank: $(grep key_age "$work/metrics")"
curl -fsS "$url/healthz" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["brands"] == 2, d' && ok || bad "healthz brands"
stop_signer

echo "signer-scope: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
