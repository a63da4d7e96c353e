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

# has BRAND ENTRY: 0 if the brand holds ENTRY ("sms:ID@+44", "sms:+PREFIX*", "link:DOMAIN").
has() {
    python3 - "$ks/keystore.json" "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
b = [b for b in s["brands"] if b["id"] == sys.argv[2]][0]
held = {"link:" + d for d in b["link_domains"]}
held |= {e["channel"] + ":" + (e["id"] + ("@" + e["country"] if "country" in e else "") if "id" in e else e["prefix"] + "*") for e in b["senders"]}
sys.exit(0 if sys.argv[3] in held else 1)
PY
}

# moved WHAT FROM ENTRY...: the last audit line records a transfer from FROM, with its reason,
# of each entry ("sender sms:NORTHWIND@+44", "link domain acme.example").
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
    --sender sms:NORTHWIND@+44 --sender sms:72233@+44 --sender sms:+447700800555 --sender-prefix sms:+4477009 \
    --sender email:northwind.example --sender push:com.northwind.app --link-domain northwind.example
expect_ok "holder contoso" brand add contoso --verified-domain contoso.example --name "Contoso" --logo "$(logo_for contoso)" --color "#0B5FFF" \
    --sender sms:CONTOSO@+44 --sender-prefix sms:+44207901 --sender email:mail.contoso.example \
    --link-domain pay.contoso.example
expect_ok "holder oldco" brand add oldco --verified-domain oldco.example --name "OldCo" --logo "$(logo_for oldco)" --color "#0B5FFF" --sender sms:OLDCO@+44
expect_ok "revoke oldco" brand revoke oldco --reason "closed"
expect_ok "newcomer fab-x" brand add fab-x --verified-domain fab-x.example --name "Fab X" --logo "$(logo_for fab-x)" --color "#0B5FFF" \
    --sender sms:FABX@+44 --link-domain fabx.example

# ---- refusals: one line naming the holder and its entry; nothing written -------------------------
unchanged "refuse: exact sms id" 1 "sender sms:NORTHWIND@+44: brand northwind holds sender sms:NORTHWIND@+44" \
    brand update fab-x --sender sms:NORTHWIND@+44
grep -qF -- "--transfer-from northwind --reason TEXT" "$work/err" && ok || bad "the refusal does not say how to transfer: $(cat "$work/err")"
unchanged "refuse: brand add with another brand's sender" 1 "brand northwind holds sender sms:NORTHWIND@+44" \
    brand add fab-y --verified-domain fab-y.example --name "Fab Y" --logo "$(logo_for with)" --color "#0B5FFF" --sender sms:FABY@+44 --sender sms:NORTHWIND@+44
unchanged "refuse: short code" 1 "sender sms:72233@+44: brand northwind holds sender sms:72233@+44" \
    brand update fab-x --sender sms:72233@+44
unchanged "refuse: E.164 number inside another brand's prefix" 1 \
    "sender sms:+447700900123: brand northwind holds sender sms:+4477009*" brand update fab-x --sender sms:+447700900123
unchanged "refuse: prefix over another brand's number" 1 \
    "sender sms:+4477008*: brand northwind holds sender sms:+447700800555" brand update fab-x --sender-prefix sms:+4477008
unchanged "refuse: prefix inside another brand's prefix" 1 \
    "sender sms:+44770090*: brand northwind holds sender sms:+4477009*" brand update fab-x --sender-prefix sms:+44770090
unchanged "refuse: prefix around another brand's prefix" 1 \
    "sender sms:+4420790*: brand contoso holds sender sms:+44207901*" brand update fab-x --sender-prefix sms:+4420790
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
unchanged "refuse: a revoked brand still holds its senders" 1 "brand oldco (revoked) holds sender sms:OLDCO@+44" \
    brand update fab-x --sender sms:OLDCO@+44
unchanged "refuse: an overlap with a third brand despite --transfer-from" 1 "brand contoso holds sender sms:CONTOSO@+44" \
    brand update fab-x --sender sms:NORTHWIND@+44 --sender sms:CONTOSO@+44 --transfer-from northwind --reason "contract 1"
unchanged "transfer without a reason" 2 "--transfer-from needs --reason TEXT" \
    brand update fab-x --sender sms:NORTHWIND@+44 --transfer-from northwind
unchanged "transfer from itself" 2 "a brand cannot transfer from itself" \
    brand update fab-x --sender sms:FABX@+44 --transfer-from fab-x --reason "contract 1"
unchanged "transfer from an unknown brand" 1 "--transfer-from nobody: no such brand" \
    brand update fab-x --sender sms:NORTHWIND@+44 --transfer-from nobody --reason "contract 1"
unchanged "transfer from a brand that holds none of it" 1 "brand contoso holds nothing that the given" \
    brand update fab-x --sender sms:FABX@+44 --sender sms:FABX2@+44 --transfer-from contoso --reason "contract 1"
unchanged "transfer with another command" 2 "--transfer-from goes with brand add or brand update" \
    brand revoke fab-x --transfer-from northwind --reason "contract 1"

# ---- no overlap: accepted ------------------------------------------------------------------------
expect_ok "accept: the same number on another channel" brand update fab-x --sender sms:FABX@+44 --sender whatsapp:+447700900123
expect_ok "accept: the same app id on another channel" brand update fab-x --sender sms:FABX@+44 --sender inapp:com.northwind.app
expect_ok "accept: a look-alike domain that is not within" brand update fab-x --sender sms:FABX@+44 \
    --sender email:evilnorthwind.example --link-domain northwind.example.fabx.example
expect_ok "accept: a prefix beside another brand's" brand update fab-x --sender sms:FABX@+44 --sender-prefix sms:+4477010

# ---- transfers: one commit each, audited, the holder loses the entry -----------------------------
fab=(--sender sms:FABX@+44)
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
transfer "transfer: exact sms id" northwind --sender sms:NORTHWIND@+44 -- "sender sms:NORTHWIND@+44"
has fab-x sms:NORTHWIND@+44 && ! has northwind sms:NORTHWIND@+44 && ok || bad "sms:NORTHWIND@+44 did not move"
transfer "transfer: short code" northwind --sender sms:72233@+44 -- "sender sms:72233@+44"
has fab-x sms:72233@+44 && ! has northwind sms:72233@+44 && ok || bad "sms:72233@+44 did not move"
transfer "transfer: E.164 number inside the holder's prefix" northwind --sender sms:+447700900123 -- "sender sms:+4477009*"
has fab-x sms:+447700900123 && ! has northwind 'sms:+4477009*' && ok || bad "the prefix was not taken from northwind"
transfer "transfer: prefix over the holder's number" northwind --sender-prefix sms:+4477008 -- "sender sms:+447700800555"
has fab-x 'sms:+4477008*' && ! has northwind sms:+447700800555 && ok || bad "sms:+447700800555 was not taken"
transfer "transfer: prefix inside the holder's prefix" contoso --sender-prefix sms:+442079012 -- "sender sms:+44207901*"
has fab-x 'sms:+442079012*' && ! has contoso 'sms:+44207901*' && ok || bad "contoso's prefix was not taken"
transfer "transfer: e-mail subdomain" northwind --sender email:mail.northwind.example -- "sender email:northwind.example"
has fab-x email:mail.northwind.example && ! has northwind email:northwind.example && ok || bad "e-mail domain did not move"
transfer "transfer: link subdomain" northwind --link-domain pay.northwind.example -- "link domain northwind.example"
has fab-x link:pay.northwind.example && ! has northwind link:northwind.example && ok || bad "link domain did not move"
transfer "transfer: push app id" northwind --sender push:com.northwind.app -- "sender push:com.northwind.app"
has fab-x push:com.northwind.app && ! has northwind push:com.northwind.app && ok || bad "push app id did not move"
transfer "transfer: from a revoked brand" oldco --sender sms:OLDCO@+44 -- "sender sms:OLDCO@+44"
has fab-x sms:OLDCO@+44 && ! has oldco sms:OLDCO@+44 && ok || bad "sms:OLDCO@+44 did not move"
expect_ok "transfer: brand add" brand add fab-z --verified-domain fab-z.example --name "Fab Z" --logo "$(logo_for fab-z)" --color "#0B5FFF" \
    --sender sms:CONTOSO@+44 --link-domain contoso.example --transfer-from contoso --reason "contract 9"
moved "transfer: brand add" contoso "sender sms:CONTOSO@+44" "link domain pay.contoso.example"
has fab-z sms:CONTOSO@+44 && ! has contoso sms:CONTOSO@+44 && ! has contoso link:pay.contoso.example && ok ||
    bad "brand add did not take contoso's entries"
[ "$(tail -n 1 "$ks/audit.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["verb"])')" = "brand add" ] && ok ||
    bad "a transfer is one audit line, the command's own"
expect_ok "audit verify after the transfers" audit verify
grep -q "hash chain intact" "$work/out" && grep -q "MAC is intact" "$work/out" && ok || bad "audit verify: $(cat "$work/out")"
unchanged "the moved sender is now fab-x's" 1 "brand fab-x holds sender sms:NORTHWIND@+44" \
    brand update northwind --sender sms:NORTHWIND@+44

# ---- issue 13 as reported: two brands, one sender, published: never a checkmark ------------------
# Real clock: the signer signs with it.
unset HALLMARK_NOW
export HALLMARK_KEYSTORE=$work/ks2
ks=$HALLMARK_KEYSTORE
expect_ok "issue 13: init" init --platform "Hallmark Issue 13" --kdf minimum
export HALLMARK_PLATFORM="Hallmark Issue 13" # the platform id apps pin (hallmark-verify --platform)
expect_ok "issue 13: northwind" brand add northwind --verified-domain northwind.example --name "Northwind" --logo "$(logo_for northwind)" --color "#0B5FFF" \
    --sender sms:NORTHWIND@+44 --sender email:northwind.example
expect_fail "issue 13: a second brand with Northwind's senders is refused" 1 "brand northwind holds sender sms:NORTHWIND@+44" \
    brand add fab-x --verified-domain fab-x.example --name "Fab X" --logo "$(logo_for fab-x)" --color "#0B5FFF" --sender sms:NORTHWIND@+44 --sender email:northwind.example
expect_ok "issue 13: fab-x" brand add fab-x --verified-domain fab-x.example --name "Fab X" --logo "$(logo_for fab-x)" --color "#0B5FFF" --sender sms:FABX@+44
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
b["senders"] += [{"channel": "sms", "id": "NORTHWIND", "country": "+44"}, {"channel": "email", "id": "northwind.example"}]
json.dump(s, open(sys.argv[1], "w"))
PY
expect_ok "issue 13: seal the old keystore" audit seal --reason "keystore from before issue 13"
before=$(snapshot "$ks")
expect_fail "issue 13: publish refuses a bundle that gives one sender to two brands" 1 \
    "brand northwind holds sender sms:NORTHWIND@+44 and brand fab-x holds sender sms:NORTHWIND@+44, which overlap" publish
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
# refused_by_signer WHAT BRAND CODE: hallmark-signer sign (pipe mode) refuses the brand's SMS from
# NORTHWIND to +447700900123 with CODE.
refused_by_signer() {
    local st
    set +e
    printf '{"brand":"%s","channel":"sms","from":"NORTHWIND","to":"+447700900123","body":"x","category":"otp","sender":{"kind":"automated"}}\n' "$2" |
        "$build/bin/hallmark-signer" sign --keystore "$ks" --audit "$work/sig.log" >"$work/sign.out" 2>"$work/sign.err"
    st=$?
    set -e
    [ "$st" -eq 1 ] && grep -q "\"code\":\"$3\"" "$work/sign.out" && ok ||
        bad "$1: exit $st $(cat "$work/sign.out" "$work/sign.err")"
}
refused_by_signer "issue 13: the signer signs for a contested sender" fab-x sender_contested
# The repair: give the senders back to Northwind.
expect_ok "issue 13: transfer back" brand update northwind --sender sms:NORTHWIND@+44 --sender email:northwind.example \
    --transfer-from fab-x --reason "contract: senders are Northwind's"
expect_ok "issue 13: publish the repair" publish
HM_FROM=NORTHWIND "$test_sign" "$ks" northwind "$kn" "$now" "Northwind: your order" >"$work/nw2.json"
expect_verdict "issue 13: Northwind verifies again" HALLMARK_VERIFIED_DOMAIN "$work/nw2.json" "$bundle" "$now"
HM_FROM=NORTHWIND "$test_sign" "$ks" fab-x "$kf" "$now" "Fab X: pay now" >"$work/fabx2.json"
expect_verdict "issue 13: Fab X's SMS from NORTHWIND is refused" HALLMARK_SENDER_NOT_AUTHORIZED "$work/fabx2.json" "$bundle" "$now"
expect_ok "issue 13: audit verify" audit verify

# ---- issue 22: sender ids are national namespaces; always-signed senders ---------------------------
# (spec HM-CRED-61..67, HM-VERIFY-42, HM-TOKEN-42) The same alphanumeric id in another country is
# another sender; the same id in the same country is still refused.
expect_ok "issue 22: the same id for another country" brand add fab-us --verified-domain fab-us.example --name "Fab US" \
    --logo "$(logo_for fab-us)" --color "#0B5FFF" --sender sms:NORTHWIND@+1 --always-signed sms:NORTHWIND@+1
expect_fail "issue 22: the same id for the same country" 1 "sender sms:NORTHWIND@+44: brand northwind holds sender sms:NORTHWIND@+44" \
    brand update fab-us --sender sms:NORTHWIND@+1 --sender sms:NORTHWIND@+44
expect_ok "issue 22: northwind always signs" brand update northwind --always-signed sms:NORTHWIND@+44
python3 - "$ks" <<'PY' && ok || bad "issue 22: the always-signed mark is not in the keystore or the audit line"
import json, sys
s = json.load(open(sys.argv[1] + "/keystore.json"))
nw = [b for b in s["brands"] if b["id"] == "northwind"][0]
marks = {(e["channel"], e.get("id")): e.get("always_signed") for e in nw["senders"]}
assert marks == {("sms", "NORTHWIND"): True, ("email", "northwind.example"): None}, marks
e = json.loads(open(sys.argv[1] + "/audit.log").read().splitlines()[-1])
assert e["verb"] == "brand update" and e["always_signed"] == ["sms:NORTHWIND@+44"], e
PY
expect_ok "issue 22: fab-us key" key add fab-us
ku=$(cat "$work/out")
expect_ok "issue 22: publish" publish
expect_ok "issue 22: promote fab-us" key promote "$ku" --force --reason "first key"
expect_ok "issue 22: publish the key" publish
now=$(date +%s) # after fab-us's key began
strip() { python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["token"]=""; print(json.dumps(m))' "$1"; }
HM_FROM=NORTHWIND "$test_sign" "$ks" northwind "$kn" "$now" "Northwind: your order" >"$work/nw3.json"
expect_verdict "issue 22: Northwind's genuine SMS" HALLMARK_VERIFIED_DOMAIN "$work/nw3.json" "$bundle" "$now"
strip "$work/nw3.json" >"$work/nw3-stripped.json"
expect_verdict "issue 22: Northwind's SMS without its token is a warning" HALLMARK_SENDER_ALWAYS_SIGNED "$work/nw3-stripped.json" "$bundle" "$now"
"$verify_cli" --root "$ks/root.pub" --bundle "$bundle" --now "$now" --message "$work/nw3-stripped.json" --json >"$work/vout" 2>/dev/null || true
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["ui"]=="warning" and "brand" not in j, j' "$work/vout" && ok ||
    bad "issue 22: the warning carries a brand or is not a warning: $(cat "$work/vout")"
HM_FROM=NORTHWIND HM_TO=+12025550123 "$test_sign" "$ks" fab-us "$ku" "$now" "Fab US: your order" >"$work/us.json"
expect_verdict "issue 22: Fab US's NORTHWIND in the US is not contested" HALLMARK_VERIFIED_DOMAIN "$work/us.json" "$bundle" "$now"
strip "$work/us.json" >"$work/us-stripped.json"
expect_verdict "issue 22: Fab US always signs NORTHWIND in the US" HALLMARK_SENDER_ALWAYS_SIGNED "$work/us-stripped.json" "$bundle" "$now"
HM_FROM=NORTHWIND "$test_sign" "$ks" fab-us "$ku" "$now" "Fab US: your order" >"$work/us-uk.json"
expect_verdict "issue 22: Fab US's NORTHWIND towards the UK is not its sender" HALLMARK_SENDER_NOT_AUTHORIZED "$work/us-uk.json" "$bundle" "$now"
HM_FROM=FABX "$test_sign" "$ks" fab-x "$kf" "$now" "Fab X: hello" >"$work/fabx3.json"
strip "$work/fabx3.json" >"$work/fabx3-stripped.json"
expect_verdict "issue 22: a sender that does not always sign, unsigned" HALLMARK_UNSIGNED "$work/fabx3-stripped.json" "$bundle" "$now"
refused_by_signer "issue 22: the signer signs NORTHWIND (+1) towards +44" fab-us sender_not_authorized
expect_ok "issue 22: marks cleared" brand update northwind --always-signed none
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); nw=[b for b in s["brands"] if b["id"]=="northwind"][0]; assert not any("always_signed" in e for e in nw["senders"])' \
    "$ks/keystore.json" && ok || bad "issue 22: --always-signed none left a mark"
# A keystore from before the rules (HM-CRED-64, HM-CRED-65): publish refuses it.
cp "$ks/keystore.json" "$work/ks-before.json"
python3 - "$ks/keystore.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
b = [b for b in s["brands"] if b["id"] == "fab-x"][0]
for e in b["senders"]:
    e.pop("country", None)
json.dump(s, open(sys.argv[1], "w"))
PY
expect_ok "issue 22: seal a keystore with a sender without a country" audit seal --reason "keystore from before issue 22"
unchanged "issue 22: publish refuses a short code or alphanumeric id without a country" 1 \
    "brand fab-x holds sender sms:FABX without the country of its recipients" publish
python3 - "$ks/keystore.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
b = [b for b in s["brands"] if b["id"] == "fab-x"][0]
b["senders"] = [{"channel": "sms", "id": "FABX", "country": "+44"}, {"channel": "sms", "prefix": "+1"}]
json.dump(s, open(sys.argv[1], "w"))
PY
expect_ok "issue 22: seal a keystore with a short prefix" audit seal --reason "keystore from before issue 22"
unchanged "issue 22: publish refuses a prefix below the minimum" 1 \
    "brand fab-x holds sender prefix sms:+1, shorter than a country code and five digits" publish

echo "keys-ownership: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
