#!/usr/bin/env bash
# Issue 13: a sender id, a prefix, an app id, an e-mail domain or a link domain belongs to one
# brand (spec §5.6, HM-CRED-28 to HM-CRED-30). hallmark-keys refuses an overlap with one line
# naming the holder and changes nothing; --transfer-from BRAND --reason TEXT moves it in one
# audited commit and takes it from the holder. A bundle that still gives a sender to two brands
# (a keystore edited outside the CLI and sealed) shows no brand for it (HALLMARK_SENDER_CONTESTED),
# and the signer refuses to sign for it.
set -eu
. tests/cli/lib/keys.sh
ks=$HALLMARK_KEYSTORE

# unchanged WHAT EXIT TEXT ARGS...: expect_fail, and the keystore is byte for byte as before.
unchanged() {
    local before
    before=$(snapshot "$ks")
    expect_fail "$@"
    if [ "$(snapshot "$ks")" != "$before" ]; then bad "$1: the keystore changed"; fi
}

# has BRAND ENTRY: 0 if the brand holds ENTRY ("sms:ID", "sms:+PREFIX*", "link:DOMAIN").
has() {
    python3 - "$ks/keystore.json" "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
b = [b for b in s["brands"] if b["id"] == sys.argv[2]][0]
held = {"link:" + d for d in b["link_domains"]}
held |= {e["channel"] + ":" + (e["id"] if "id" in e else e["prefix"] + "*") for e in b["senders"]}
sys.exit(0 if sys.argv[3] in held else 1)
PY
}

# moved WHAT FROM ENTRY...: the last audit line records a transfer from FROM, with its reason,
# of each entry ("sender sms:NORTHWIND", "link domain acme.example").
moved() {
    local what=$1 from=$2
    shift 2
    if python3 - "$ks/audit.log" "$from" "$@" <<'PY'; then ok; else bad "$what: audit line: $(tail -n 1 "$ks/audit.log")"; fi
import json, sys
e = json.loads(open(sys.argv[1]).read().splitlines()[-1])
t = e["transfer"]
assert t["from"] == sys.argv[2] and t["reason"].startswith("contract") and t["from_cred"] != t["from_cred_before"]
assert sorted(t["moved"]) == sorted(sys.argv[3:]), t["moved"]
PY
}

hk help brand
[ "$status" -eq 0 ] && grep -qF -- "--transfer-from BRAND --reason TEXT" "$work/out" &&
    grep -qF "Senders and link domains belong to one brand" "$work/out" && ok || bad "help brand lacks the ownership rule"
hk --help
[ "$status" -eq 0 ] && grep -qF "brand add|update ... --transfer-from BRAND --reason TEXT" "$work/out" && ok ||
    bad "--help lacks --transfer-from"

# ---- the holders ---------------------------------------------------------------------------------
expect_ok "init" init --platform "Hallmark Ownership" --kdf minimum
export HALLMARK_PLATFORM="Hallmark Ownership" # the platform id apps pin (hallmark-verify --platform)
expect_ok "holder northwind" brand add northwind --verified-domain northwind.example --name "Northwind" --logo "$(logo_for northwind)" --color "#0B5FFF" \
    --sender sms:NORTHWIND --sender sms:72233 --sender sms:+447700800555 --sender-prefix sms:+4477009 \
    --sender email:northwind.example --sender push:com.northwind.app --link-domain northwind.example
expect_ok "holder contoso" brand add contoso --verified-domain contoso.example --name "Contoso" --logo "$(logo_for contoso)" --color "#0B5FFF" \
    --sender sms:CONTOSO --sender-prefix sms:+4420790 --sender email:mail.contoso.example \
    --link-domain pay.contoso.example
expect_ok "holder oldco" brand add oldco --verified-domain oldco.example --name "OldCo" --logo "$(logo_for oldco)" --color "#0B5FFF" --sender sms:OLDCO
expect_ok "revoke oldco" brand revoke oldco --reason "closed"
expect_ok "newcomer fab-x" brand add fab-x --verified-domain fab-x.example --name "Fab X" --logo "$(logo_for fab-x)" --color "#0B5FFF" \
    --sender sms:FABX --link-domain fabx.example

# ---- refusals: one line naming the holder and its entry; nothing written -------------------------
unchanged "refuse: exact sms id" 1 "sender sms:NORTHWIND: brand northwind holds sender sms:NORTHWIND" \
    brand update fab-x --sender sms:NORTHWIND
grep -qF -- "--transfer-from northwind --reason TEXT" "$work/err" && ok || bad "the refusal does not say how to transfer: $(cat "$work/err")"
unchanged "refuse: brand add with another brand's sender" 1 "brand northwind holds sender sms:NORTHWIND" \
    brand add fab-y --verified-domain fab-y.example --name "Fab Y" --logo "$(logo_for with)" --color "#0B5FFF" --sender sms:FABY --sender sms:NORTHWIND
unchanged "refuse: short code" 1 "sender sms:72233: brand northwind holds sender sms:72233" \
    brand update fab-x --sender sms:72233
unchanged "refuse: E.164 number inside another brand's prefix" 1 \
    "sender sms:+447700900123: brand northwind holds sender sms:+4477009*" brand update fab-x --sender sms:+447700900123
unchanged "refuse: prefix over another brand's number" 1 \
    "sender sms:+4477008*: brand northwind holds sender sms:+447700800555" brand update fab-x --sender-prefix sms:+4477008
unchanged "refuse: prefix inside another brand's prefix" 1 \
    "sender sms:+44770090*: brand northwind holds sender sms:+4477009*" brand update fab-x --sender-prefix sms:+44770090
unchanged "refuse: prefix around another brand's prefix" 1 \
    "sender sms:+44207*: brand contoso holds sender sms:+4420790*" brand update fab-x --sender-prefix sms:+44207
unchanged "refuse: the same prefix" 1 "brand northwind holds sender sms:+4477009*" brand update fab-x --sender-prefix sms:+4477009
unchanged "refuse: e-mail subdomain of another brand's domain" 1 \
    "sender email:mail.northwind.example: brand northwind holds sender email:northwind.example" \
    brand update fab-x --sender email:mail.northwind.example
unchanged "refuse: e-mail domain above another brand's subdomain" 1 \
    "sender email:contoso.example: brand contoso holds sender email:mail.contoso.example" \
    brand update fab-x --sender email:contoso.example
before=$(snapshot "$ks")
hk brand update fab-x --sender email:NorthWind.Example
[ "$status" -eq 1 ] && grep -qF "recorded as email:northwind.example" "$work/err" &&
    grep -qF "brand northwind holds sender email:northwind.example" "$work/err" &&
    [ "$(snapshot "$ks")" = "$before" ] && ok || bad "refuse: e-mail domain in capitals: exit $status: $(cat "$work/err")"
unchanged "refuse: link subdomain of another brand's link domain" 1 \
    "link domain pay.northwind.example: brand northwind holds link domain northwind.example" \
    brand update fab-x --link-domain pay.northwind.example
unchanged "refuse: link domain above another brand's" 1 \
    "link domain contoso.example: brand contoso holds link domain pay.contoso.example" \
    brand update fab-x --link-domain contoso.example
unchanged "refuse: push app id" 1 "sender push:com.northwind.app: brand northwind holds sender push:com.northwind.app" \
    brand update fab-x --sender push:com.northwind.app
unchanged "refuse: a revoked brand still holds its senders" 1 "brand oldco (revoked) holds sender sms:OLDCO" \
    brand update fab-x --sender sms:OLDCO
unchanged "refuse: an overlap with a third brand despite --transfer-from" 1 "brand contoso holds sender sms:CONTOSO" \
    brand update fab-x --sender sms:NORTHWIND --sender sms:CONTOSO --transfer-from northwind --reason "contract 1"
unchanged "transfer without a reason" 2 "--transfer-from needs --reason TEXT" \
    brand update fab-x --sender sms:NORTHWIND --transfer-from northwind
unchanged "transfer from itself" 2 "a brand cannot transfer from itself" \
    brand update fab-x --sender sms:FABX --transfer-from fab-x --reason "contract 1"
unchanged "transfer from an unknown brand" 1 "--transfer-from nobody: no such brand" \
    brand update fab-x --sender sms:NORTHWIND --transfer-from nobody --reason "contract 1"
unchanged "transfer from a brand that holds none of it" 1 "brand contoso holds nothing that the given" \
    brand update fab-x --sender sms:FABX --sender sms:FABX2 --transfer-from contoso --reason "contract 1"
unchanged "transfer with another command" 2 "--transfer-from goes with brand add or brand update" \
    brand revoke fab-x --transfer-from northwind --reason "contract 1"

# ---- no overlap: accepted ------------------------------------------------------------------------
expect_ok "accept: the same number on another channel" brand update fab-x --sender sms:FABX --sender whatsapp:+447700900123
expect_ok "accept: the same app id on another channel" brand update fab-x --sender sms:FABX --sender inapp:com.northwind.app
expect_ok "accept: a look-alike domain that is not within" brand update fab-x --sender sms:FABX \
    --sender email:evilnorthwind.example --link-domain northwind.example.fabx.example
expect_ok "accept: a prefix beside another brand's" brand update fab-x --sender sms:FABX --sender-prefix sms:+4477010

# ---- transfers: one commit each, audited, the holder loses the entry -----------------------------
fab=(--sender sms:FABX)
# transfer WHAT FROM NEW-OPTIONS... -- MOVED...: brand update fab-x with its senders so far plus
# the new ones, moved from FROM; the audit line names exactly MOVED.
transfer() {
    local what=$1 from=$2 opts=() m=()
    shift 2
    while [ "$1" != -- ]; do
        opts+=("$1")
        shift
    done
    shift
    m=("$@")
    fab+=("${opts[@]}")
    expect_ok "$what" brand update fab-x "${fab[@]}" --transfer-from "$from" --reason "contract 7: $what"
    grep -qF "moved from brand $from:" "$work/out" && ok || bad "$what: output: $(cat "$work/out")"
    moved "$what" "$from" "${m[@]}"
}
transfer "transfer: exact sms id" northwind --sender sms:NORTHWIND -- "sender sms:NORTHWIND"
has fab-x sms:NORTHWIND && ! has northwind sms:NORTHWIND && ok || bad "sms:NORTHWIND did not move"
transfer "transfer: short code" northwind --sender sms:72233 -- "sender sms:72233"
has fab-x sms:72233 && ! has northwind sms:72233 && ok || bad "sms:72233 did not move"
transfer "transfer: E.164 number inside the holder's prefix" northwind --sender sms:+447700900123 -- "sender sms:+4477009*"
has fab-x sms:+447700900123 && ! has northwind 'sms:+4477009*' && ok || bad "the prefix was not taken from northwind"
transfer "transfer: prefix over the holder's number" northwind --sender-prefix sms:+4477008 -- "sender sms:+447700800555"
has fab-x 'sms:+4477008*' && ! has northwind sms:+447700800555 && ok || bad "sms:+447700800555 was not taken"
transfer "transfer: prefix inside the holder's prefix" contoso --sender-prefix sms:+44207901 -- "sender sms:+4420790*"
has fab-x 'sms:+44207901*' && ! has contoso 'sms:+4420790*' && ok || bad "contoso's prefix was not taken"
transfer "transfer: e-mail subdomain" northwind --sender email:mail.northwind.example -- "sender email:northwind.example"
has fab-x email:mail.northwind.example && ! has northwind email:northwind.example && ok || bad "e-mail domain did not move"
transfer "transfer: link subdomain" northwind --link-domain pay.northwind.example -- "link domain northwind.example"
has fab-x link:pay.northwind.example && ! has northwind link:northwind.example && ok || bad "link domain did not move"
transfer "transfer: push app id" northwind --sender push:com.northwind.app -- "sender push:com.northwind.app"
has fab-x push:com.northwind.app && ! has northwind push:com.northwind.app && ok || bad "push app id did not move"
transfer "transfer: from a revoked brand" oldco --sender sms:OLDCO -- "sender sms:OLDCO"
has fab-x sms:OLDCO && ! has oldco sms:OLDCO && ok || bad "sms:OLDCO did not move"
expect_ok "transfer: brand add" brand add fab-z --verified-domain fab-z.example --name "Fab Z" --logo "$(logo_for fab-z)" --color "#0B5FFF" \
    --sender sms:CONTOSO --link-domain contoso.example --transfer-from contoso --reason "contract 9"
moved "transfer: brand add" contoso "sender sms:CONTOSO" "link domain pay.contoso.example"
has fab-z sms:CONTOSO && ! has contoso sms:CONTOSO && ! has contoso link:pay.contoso.example && ok ||
    bad "brand add did not take contoso's entries"
[ "$(tail -n 1 "$ks/audit.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["verb"])')" = "brand add" ] && ok ||
    bad "a transfer is one audit line, the command's own"
expect_ok "audit verify after the transfers" audit verify
grep -q "hash chain intact" "$work/out" && grep -q "MAC is intact" "$work/out" && ok || bad "audit verify: $(cat "$work/out")"
unchanged "the moved sender is now fab-x's" 1 "brand fab-x holds sender sms:NORTHWIND" \
    brand update northwind --sender sms:NORTHWIND

# ---- issue 13 as reported: two brands, one sender, published: never a checkmark ------------------
# Real clock: the signer signs with it.
unset HALLMARK_NOW
export HALLMARK_KEYSTORE=$work/ks2
ks=$HALLMARK_KEYSTORE
expect_ok "issue 13: init" init --platform "Hallmark Issue 13" --kdf minimum
export HALLMARK_PLATFORM="Hallmark Issue 13" # the platform id apps pin (hallmark-verify --platform)
expect_ok "issue 13: northwind" brand add northwind --verified-domain northwind.example --name "Northwind" --logo "$(logo_for northwind)" --color "#0B5FFF" \
    --sender sms:NORTHWIND --sender email:northwind.example
expect_fail "issue 13: a second brand with Northwind's senders is refused" 1 "brand northwind holds sender sms:NORTHWIND" \
    brand add fab-x --verified-domain fab-x.example --name "Fab X" --logo "$(logo_for fab-x)" --color "#0B5FFF" --sender sms:NORTHWIND --sender email:northwind.example
expect_ok "issue 13: fab-x" brand add fab-x --verified-domain fab-x.example --name "Fab X" --logo "$(logo_for fab-x)" --color "#0B5FFF" --sender sms:FABX
expect_ok "issue 13: northwind key" key add northwind
kn=$(cat "$work/out")
expect_ok "issue 13: fab-x key" key add fab-x
kf=$(cat "$work/out")
expect_ok "issue 13: publish" publish
expect_ok "issue 13: promote northwind" key promote "$kn" --force --reason "first key"
expect_ok "issue 13: promote fab-x" key promote "$kf" --force --reason "first key"
# A keystore from before the rule: fab-x was given Northwind's senders; the operator seals it.
python3 - "$ks/keystore.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
b = [b for b in s["brands"] if b["id"] == "fab-x"][0]
b["senders"] += [{"channel": "sms", "id": "NORTHWIND"}, {"channel": "email", "id": "northwind.example"}]
json.dump(s, open(sys.argv[1], "w"))
PY
expect_ok "issue 13: seal the old keystore" audit seal --reason "keystore from before issue 13"
before=$(snapshot "$ks")
expect_fail "issue 13: publish refuses a bundle that gives one sender to two brands" 1 \
    "brand northwind holds sender sms:NORTHWIND and brand fab-x holds sender sms:NORTHWIND, which overlap" publish
[ "$(snapshot "$ks")" = "$before" ] && ok || bad "issue 13: the refused publish changed the keystore"
# The same state as a bundle built by other means (or by hallmark-keys before issue 13).
"$test_sign" --bundle "$ks" 99 | tr -d '\n' >"$ks/published/bundle.jws"
now=$(date +%s)
bundle=$ks/published/bundle.jws
HM_FROM=NORTHWIND "$test_sign" "$ks" fab-x "$kf" "$now" "Fab X: pay now" >"$work/fabx.json"
expect_verdict "issue 13: Fab X's SMS from NORTHWIND is not verified" HALLMARK_SENDER_CONTESTED "$work/fabx.json" "$bundle" "$now"
HM_FROM=NORTHWIND "$test_sign" "$ks" northwind "$kn" "$now" "Northwind: your order" >"$work/nw.json"
expect_verdict "issue 13: Northwind's own SMS gets no brand either" HALLMARK_SENDER_CONTESTED "$work/nw.json" "$bundle" "$now"
HM_FROM=FABX "$test_sign" "$ks" fab-x "$kf" "$now" "Fab X: hello" >"$work/fabx-own.json"
# Both brands are at level basic (issue 22): a pass is "signed by" their domain, no checkmark.
expect_verdict "issue 13: Fab X's own sender still verifies" HALLMARK_VERIFIED_DOMAIN "$work/fabx-own.json" "$bundle" "$now"
set +e
echo '{"brand":"fab-x","channel":"sms","from":"NORTHWIND","to":"+447700900123","body":"x","category":"otp","sender":{"kind":"automated"}}' |
    "$build/bin/hallmark-signer" sign --keystore "$ks" --audit "$work/sig.log" >"$work/sign.out" 2>"$work/sign.err"
st=$?
set -e
[ "$st" -eq 1 ] && grep -q '"code":"sender_contested"' "$work/sign.out" && ok ||
    bad "issue 13: the signer signs for a contested sender: exit $st $(cat "$work/sign.out" "$work/sign.err")"
# The repair: give the senders back to Northwind.
expect_ok "issue 13: transfer back" brand update northwind --sender sms:NORTHWIND --sender email:northwind.example \
    --transfer-from fab-x --reason "contract: senders are Northwind's"
expect_ok "issue 13: publish the repair" publish
HM_FROM=NORTHWIND "$test_sign" "$ks" northwind "$kn" "$now" "Northwind: your order" >"$work/nw2.json"
expect_verdict "issue 13: Northwind verifies again" HALLMARK_VERIFIED_DOMAIN "$work/nw2.json" "$bundle" "$now"
HM_FROM=NORTHWIND "$test_sign" "$ks" fab-x "$kf" "$now" "Fab X: pay now" >"$work/fabx2.json"
expect_verdict "issue 13: Fab X's SMS from NORTHWIND is refused" HALLMARK_SENDER_NOT_AUTHORIZED "$work/fabx2.json" "$bundle" "$now"
expect_ok "issue 13: audit verify" audit verify

echo "keys-ownership: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
