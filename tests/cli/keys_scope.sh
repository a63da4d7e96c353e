#!/usr/bin/env bash
# Issue 20, brand keys that mean something: a pending key's nbf is its earliest promotion time
# (HM-TRUST-66), credentials name their platform (HM-CRED-80), and a brand may hold several
# active keys, each scoped to some channels and senders (HM-TRUST-65, HM-BUNDLE-81,
# HM-VERIFY-52): the verifier refuses a scoped key's token for another sender, and the signer
# picks the key whose scope covers each message. Simulated clock for hallmark-keys, then the real
# one for hallmark-signer.
set -eu
. tests/cli/lib/keys.sh
day=86400
t0=1795000000
at() { export HALLMARK_NOW=$((t0 + $1)); }
bundle=$HALLMARK_KEYSTORE/published/bundle.jws

# key_entry KID MEMBER: a member of the key's entry in the published bundle (JSON), or "absent".
key_entry() {
    python3 - "$bundle" "$1" "$2" <<'PY'
import base64, json, sys
d = lambda s: json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
p = d(open(sys.argv[1]).read().split(".")[1])
for b in p["brands"]:
    for k in b["keys"]:
        if k["kid"] == sys.argv[2]:
            print(json.dumps(k.get(sys.argv[3]), sort_keys=True) if sys.argv[3] in k else "absent")
PY
}
# credential_platforms: the platform member of every credential of the published bundle.
credential_platforms() {
    python3 - "$bundle" <<'PY'
import base64, json, sys
d = lambda s: json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
p = d(open(sys.argv[1]).read().split(".")[1])
print(sorted({d(b["credential"].split(".")[1]).get("platform", "none") for b in p["brands"]}))
PY
}
# signed_by KID IAT FROM: a message of brand scopeco from FROM signed with KID at IAT.
signed_by() { HM_FROM=$3 "$test_sign" "$HALLMARK_KEYSTORE" scopeco "$1" "$2" "ScopeCo: your code is 4242" >"$work/m.json"; }

# ---- pending nbf (HM-TRUST-66) ------------------------------------------------------------------
at 0
expect_ok "init" init --platform "Hallmark Scope Test" --kdf minimum --propagation 24h
export HALLMARK_PLATFORM="Hallmark Scope Test"
expect_ok "brand add" brand add scopeco --name "ScopeCo" --logo "$(logo_for scopeco)" --color "#0b5fff" \
    --sender sms:SCOPEA@+44 --sender sms:SCOPEB@+44 --sender email:scopeco.example \
    --link-domain scopeco.example --level organization
expect_ok "first key" key add scopeco
k1=$(cat "$work/out")
at 3600
expect_ok "publish" publish
[ "$(key_entry "$k1" nbf)" = $((t0 + 3600 + day)) ] && ok || bad "pending nbf: $(key_entry "$k1" nbf), want publish time + 24h"
[ "$(credential_platforms)" = "['Hallmark Scope Test']" ] && ok || bad "credential platform: $(credential_platforms)"
# A token of the pending key dated before its promotion time: refused, whoever holds the key.
signed_by "$k1" $((t0 + 7200)) SCOPEA
expect_verdict "pending key before its nbf" HALLMARK_KEY_NOT_VALID "$work/m.json" "$bundle" $((t0 + 7200))
# A second publish keeps the nbf of the first.
at 7200
expect_ok "publish again" publish
[ "$(key_entry "$k1" nbf)" = $((t0 + 3600 + day)) ] && ok || bad "nbf moved on republish: $(key_entry "$k1" nbf)"
expect_fail "promote before the window" 1 "Promote after then" key promote "$k1"
# Forced: the nbf moves back to the promotion time, in the next bundle.
expect_ok "forced promotion" key promote "$k1" --force --reason "first key of a new brand"
grep -q "apps refuse its messages until they load the next bundle" "$work/err" && ok || bad "forced promotion warning: $(cat "$work/err")"
expect_ok "publish the promotion" publish
[ "$(key_entry "$k1" nbf)" = $((t0 + 7200)) ] && ok || bad "forced nbf: $(key_entry "$k1" nbf), want the promotion time"
signed_by "$k1" $((t0 + 7300)) SCOPEB
expect_verdict "first key verifies" HALLMARK_VERIFIED "$work/m.json" "$bundle" $((t0 + 7300))

# ---- a vendor's key scoped to SCOPEA (HM-TRUST-65) ----------------------------------------------
at $((2 * day))
expect_fail "scope sender the brand does not hold" 1 "not a sender of brand scopeco" \
    key add scopeco --scope-sender sms:SCOPEZ@+44
expect_fail "scope sender of another country" 1 "not a sender of brand scopeco" \
    key add scopeco --scope-sender sms:SCOPEA@+33
expect_fail "scope channel the brand does not send on" 1 "has no sender on that channel" \
    key add scopeco --scope-channel rcs
expect_fail "scope sender twice" 2 "is given twice" \
    key add scopeco --scope-sender sms:SCOPEA@+44 --scope-sender sms:SCOPEA@+44
expect_ok "vendor key" key add scopeco --scope-sender sms:SCOPEA@+44
kv=$(cat "$work/out")
expect_ok "email key" key add scopeco --scope-channel email
ke=$(cat "$work/out")
expect_ok "publish the vendor keys" publish
[ "$(key_entry "$kv" scope)" = '{"senders": [{"channel": "sms", "country": "+44", "id": "SCOPEA"}]}' ] && ok ||
    bad "vendor scope in the bundle: $(key_entry "$kv" scope)"
[ "$(key_entry "$ke" scope)" = '{"channels": ["email"]}' ] && ok || bad "email scope: $(key_entry "$ke" scope)"
[ "$(key_entry "$k1" scope)" = absent ] && ok || bad "the first key got a scope: $(key_entry "$k1" scope)"
at $((3 * day + 60))
expect_ok "promote the vendor key" key promote "$kv"
expect_ok "promote the email key" key promote "$ke"
expect_ok "publish three active keys" publish
for k in "$k1" "$kv" "$ke"; do
    [ "$(key_entry "$k" state)" = '"active"' ] && ok || bad "key ${k:0:8}: $(key_entry "$k" state), want active (other scopes stay active)"
done
now=$((3 * day + 120))
signed_by "$kv" $((t0 + now)) SCOPEA
expect_verdict "vendor key for its sender" HALLMARK_VERIFIED "$work/m.json" "$bundle" $((t0 + now))
signed_by "$kv" $((t0 + now)) SCOPEB
expect_verdict "vendor key for the brand's other sender" HALLMARK_KEY_OUT_OF_SCOPE "$work/m.json" "$bundle" $((t0 + now))
"$verify_cli" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$bundle" --now $((t0 + now)) --message "$work/m.json" \
    --json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["ui"]=="warning" and "brand" not in d, d' &&
    ok || bad "out of scope: not a warning without a brand"
signed_by "$ke" $((t0 + now)) SCOPEA
expect_verdict "email key for an SMS" HALLMARK_KEY_OUT_OF_SCOPE "$work/m.json" "$bundle" $((t0 + now))
signed_by "$k1" $((t0 + now)) SCOPEB
expect_verdict "unscoped key beside scoped ones" HALLMARK_VERIFIED "$work/m.json" "$bundle" $((t0 + now))

# ---- rotation and retirement with several active keys -------------------------------------------
expect_fail "rotate without --key" 2 "has 3 active keys" rotate scopeco
expect_fail "rotate --key naming no key" 1 "not an active key of scopeco" rotate scopeco --key ZZZZZZZZZZ
expect_fail "rotate with a scope" 2 "rotate keeps the scope" rotate scopeco --key "$kv" --scope-channel sms
expect_ok "rotate the vendor key" rotate scopeco --key "$kv"
kv2=$(kid_of scopeco pending)
[ "$(key_entry "$kv2" scope)" = "$(key_entry "$kv" scope)" ] && ok || bad "the new vendor key lost its scope: $(key_entry "$kv2" scope)"
at $((5 * day))
expect_ok "rotate again: promote" rotate scopeco --key "$kv"
[ "$(key_entry "$kv" state)" = '"retiring"' ] && [ "$(key_entry "$kv2" state)" = '"active"' ] &&
    [ "$(key_entry "$k1" state)" = '"active"' ] && [ "$(key_entry "$ke" state)" = '"active"' ] && ok ||
    bad "after the vendor rotation: $(key_entry "$kv" state) $(key_entry "$kv2" state) $(key_entry "$k1" state) $(key_entry "$ke" state)"
# The old vendor key's exp is cut to the promotion plus the window (HM-TRUST-64).
[ "$(key_entry "$kv" exp)" = $((t0 + 5 * day + day)) ] && ok || bad "retiring exp: $(key_entry "$kv" exp)"
# One of several active keys retires without a successor: retiring, cut at the window.
expect_ok "retire the email key" key retire "$ke"
grep -q "is retiring; scopeco keeps its other active keys" "$work/out" && ok || bad "retire output: $(cat "$work/out")"
expect_ok "publish the retirement" publish
[ "$(key_entry "$ke" state)" = '"retiring"' ] && [ "$(key_entry "$ke" exp)" = $((t0 + 6 * day)) ] && ok ||
    bad "retired email key: $(key_entry "$ke" state) $(key_entry "$ke" exp)"
# A brand update that drops a sender a key's scope names: publish says which key and what to do.
expect_ok "drop SCOPEA" brand update scopeco --sender sms:SCOPEB@+44 --sender email:scopeco.example
expect_fail "publish with a scope the brand lost" 1 "has sender sms:SCOPEA@+44 in its scope, which the brand no longer holds" publish
expect_ok "put SCOPEA back" brand update scopeco --sender sms:SCOPEA@+44 --sender sms:SCOPEB@+44 --sender email:scopeco.example
expect_ok "publish with SCOPEA back" publish
expect_ok "status" status
grep -q "scope: sender sms:SCOPEA@+44" "$work/out" && grep -q "scope: channel email" "$work/out" && ok || bad "status lacks the scopes: $(cat "$work/out")"
expect_ok "audit chain" audit verify

echo "keys-scope: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
