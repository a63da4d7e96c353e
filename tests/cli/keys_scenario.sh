#!/usr/bin/env bash
# The hallmark-keys scenario of its issue: init, onboard a brand with a PNG logo, add and promote
# a key, publish, sign messages (core library, hm-test-sign), rotate, publish again, and check with
# the verifier (hallmark-verify) at each step.
set -eu
. tests/cli/lib/keys.sh
day=86400
t0=1795000000
export HM_TTL=$((7 * day)) # the longest a token may live ([HM-TOKEN-60]): retired keys must outlast it

at() { export HALLMARK_NOW=$((t0 + $1)); }
# state_get KEY [MEMBER]: a member of the state file.
state_get() {
    python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print(v[sys.argv[3]] if len(sys.argv) > 3 else v)' \
        "$HALLMARK_KEYSTORE/keystore.json" "$@"
}
# jws_kid FILE: the kid of a compact JWS's header.
jws_kid() {
    python3 -c 'import base64,json,sys; h=open(sys.argv[1]).read().split(".")[0]; print(json.loads(base64.urlsafe_b64decode(h+"="*(-len(h)%4)))["kid"])' "$1"
}
# jws_payload FILE publisher_kid: the kid of the publisher certificate inside a bundle.
jws_payload() {
    python3 -c 'import base64,json,sys
d=lambda s: json.loads(base64.urlsafe_b64decode(s+"="*(-len(s)%4)))
p=d(open(sys.argv[1]).read().split(".")[1])
c=p["publisher"] if isinstance(p["publisher"], str) else p["publisher"][0]
print(d(c.split(".")[0])["kid"])' "$1"
}

# ---- day 0: a keystore, a brand, its first key --------------------------------------------------
at 0
expect_ok "init" init --platform "Hallmark Test" --kdf minimum
export HALLMARK_PLATFORM="Hallmark Test" # the platform id apps pin (hallmark-verify --platform)
cp "$HALLMARK_KEYSTORE/root.pub" "$work/root0.pub"
expect_ok "brand add" brand add acme-bank --name "Acme Bank" --logo "$logo_good" --color "#0b5fff" \
    --sender sms:ACMEBANK@+44 --sender-prefix sms:+4477009 --link-domain acme.example --level organization
expect_ok "brand preview" brand preview acme-bank --out "$work/preview.png"
if head -c 8 "$work/preview.png" | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a'; then ok; else bad "preview is not a PNG"; fi
# The message card: 720x800 RGBA, the CLI says what it drew, and no font is missing.
png_size() { python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(33); print("%dx%d %d/%d" % (struct.unpack(">II",d[16:24])+(d[24],d[25])))' "$1"; }
[ "$(png_size "$work/preview.png")" = "720x800 8/6" ] && ok || bad "preview size: $(png_size "$work/preview.png")"
grep -q 'the message card of "Acme Bank" with the verified checkmark' "$work/out" && ok || bad "preview output: $(cat "$work/out")"
[ ! -s "$work/err" ] && ok || bad "preview warned: $(cat "$work/err")"
expect_ok "brand preview with options" brand preview acme-bank --out "$work/preview2.png" --body "Sam here: your case 42 is solved." \
    --category service --sender-kind human --agent Sam --action "Open case" --action Reply --action Call
[ "$(png_size "$work/preview2.png")" = "720x800 8/6" ] && ! cmp -s "$work/preview.png" "$work/preview2.png" && ok || bad "preview with options: the same card"
for bad_opt in "--category news:--category: one of" "--sender-kind bot:--sender-kind: one of" \
    "--agent Sam:--agent names the person" "--body :--body: 1 to 1024 bytes" \
    "--action 01234567890123456789012345678901234567890:--action: a label"; do
    opt=${bad_opt%%:*} msg=${bad_opt#*:}
    read -ra argv <<<"$opt"
    [ "${#argv[@]}" -eq 1 ] && argv+=("")
    expect_fail "preview option ${argv[0]}" 2 "$msg" brand preview acme-bank --out "$work/bad.png" "${argv[@]}"
done
expect_fail "preview with five actions" 2 "--action may be given at most 4 times" brand preview acme-bank --out "$work/bad.png" \
    --action a --action b --action c --action d --action e
[ ! -e "$work/bad.png" ] && ok || bad "a refused preview wrote a file"
expect_ok "key add" key add acme-bank
k1=$(cat "$work/out")
expect_fail "promote before publishing" 1 "has not been published yet" key promote "$k1"
expect_ok "publish 1" publish
# The canonical logo is published under the digest the bundle carries, and its bytes hash to it.
logo_sha=$(state_get brands | python3 -c 'import ast,sys; print(ast.literal_eval(sys.stdin.read())[0]["logo"]["sha256"])')
logo_pub=$HALLMARK_KEYSTORE/published/logos/$logo_sha.png
[ "$(openssl dgst -sha256 -binary "$logo_pub" | basenc --base64url | tr -d '=')" = "$logo_sha" ] && ok || bad "published logo does not hash to $logo_sha"
cmp -s "$logo_pub" "$HALLMARK_KEYSTORE/logos/$logo_sha.png" && ok || bad "published logo is not the canonical one"
[ "$(stat -c %a "$logo_pub") $(stat -c %a "$HALLMARK_KEYSTORE/published/logos")" = "600 700" ] && ok || bad "published logo modes: $(stat -c %a "$logo_pub")"
python3 -c 'import base64,json,sys
d=lambda s: json.loads(base64.urlsafe_b64decode(s+"="*(-len(s)%4)))
b=d(open(sys.argv[1]).read().split(".")[1])
sys.exit(0 if [d(x["credential"].split(".")[1])["logo"]["sha256"] for x in b["brands"]]==[sys.argv[2]] else 1)' \
    "$HALLMARK_KEYSTORE/published/bundle.jws" "$logo_sha" && ok || bad "the bundle does not carry logo $logo_sha"
[ -z "$(ls "$HALLMARK_KEYSTORE/published/logos" | grep -v '^[A-Za-z0-9_-]\{43\}\.png$')" ] && ok || bad "stray files in published/logos: $(ls "$HALLMARK_KEYSTORE/published/logos")"
expect_fail "promote inside the window" 1 "propagation window" key promote "$k1"
at $((day - 60))
expect_fail "promote one minute before the window ends" 1 "Promote after then" key promote "$k1"
at $((day + 60))
expect_ok "promote after the window" key promote "$k1"
expect_ok "publish 2" publish
cp "$HALLMARK_KEYSTORE/published/bundle.jws" "$work/b2.jws"
sign "$k1" $((t0 + day + 100)) "Acme Bank: your card was charged 10.00" >"$work/m1.json"
expect_verdict "k1 message, bundle 2" HALLMARK_VERIFIED "$work/m1.json" "$work/b2.jws" $((t0 + day + 200))
sed 's/10\.00/100.00/' "$work/m1.json" >"$work/m1-changed.json"
expect_verdict "k1 message, body changed" HALLMARK_BODY_MODIFIED "$work/m1-changed.json" "$work/b2.jws" $((t0 + day + 200))

# ---- day 2: rotate ------------------------------------------------------------------------------
at $((2 * day))
expect_ok "rotate: add and publish k2" rotate acme-bank
k2=$(kid_of acme-bank pending)
[ "$(ls "$HALLMARK_KEYSTORE"/published/bundle-*.jws | wc -l)" -eq 3 ] && ok || bad "rotate did not publish bundle 3"
expect_fail "rotate again inside the window" 1 "waits for the propagation window" rotate acme-bank
expect_fail "promote k2 inside the window" 1 "propagation window" key promote "${k2:0:10}"
at $((3 * day + 10))
expect_ok "rotate: promote k2 and publish" rotate acme-bank
[ "$(kid_of acme-bank active)" = "$k2" ] && ok || bad "k2 is not active"
[ "$(kid_of acme-bank retiring)" = "$k1" ] && ok || bad "k1 is not retiring"
cp "$HALLMARK_KEYSTORE/published/bundle.jws" "$work/b4.jws"
expect_verdict "old k1 message while k1 is retiring" HALLMARK_VERIFIED "$work/m1.json" "$work/b4.jws" $((t0 + 3 * day + 20))
sign "$k2" $((t0 + 3 * day + 30)) "Acme Bank: new key here" >"$work/m2.json"
expect_verdict "k2 message, bundle 4" HALLMARK_VERIFIED "$work/m2.json" "$work/b4.jws" $((t0 + 3 * day + 40))
expect_verdict "k2 message on the older bundle 2 (not there yet)" HALLMARK_UNKNOWN_KEY "$work/m2.json" "$work/b2.jws" $((t0 + 3 * day + 40))
expect_fail "retire the active key" 1 "promote another key first" key retire "$k2"

# ---- day 4: retire k1 ---------------------------------------------------------------------------
at $((4 * day))
expect_fail "retire k1 before signers can have switched" 1 "retire after" key retire "$k1"
at $((4 * day + 60))
expect_ok "retire k1" key retire "$k1"
expect_ok "publish 5" publish
cp "$HALLMARK_KEYSTORE/published/bundle.jws" "$work/b5.jws"
expect_verdict "old k1 message after k1 retired" HALLMARK_VERIFIED "$work/m1.json" "$work/b5.jws" $((t0 + 4 * day + 10))
sign "$k1" $((t0 + 4 * day + 3700)) "Acme Bank: signed after retirement" >"$work/m1-late.json"
expect_verdict "k1 message dated after its retirement" HALLMARK_KEY_NOT_VALID "$work/m1-late.json" "$work/b5.jws" $((t0 + 4 * day + 3800))
expect_fail "destroy k1 while its messages live" 1 "still vouches for messages" key destroy "$k1"

# ---- day 5: k1 leaks: revoke --------------------------------------------------------------------
at $((5 * day))
expect_fail "revoke without a reason" 2 "needs --reason" key revoke "$k1"
expect_ok "revoke k1" key revoke "$k1" --reason "key file found on a laptop"
expect_ok "publish 6" publish
cp "$HALLMARK_KEYSTORE/published/bundle.jws" "$work/b6.jws"
expect_verdict "k1 message after revocation" HALLMARK_KEY_REVOKED "$work/m1.json" "$work/b6.jws" $((t0 + 5 * day + 10))
expect_verdict "k2 message still verifies" HALLMARK_VERIFIED "$work/m2.json" "$work/b6.jws" $((t0 + 5 * day + 10)) "$work/app.state"
grep -q '"serial":6}$' "$work/app.state" && ok || bad "the app's trust state after bundle 6: $(cat "$work/app.state")"
expect_verdict "older bundle 5 after 6 was accepted" HALLMARK_BUNDLE_ROLLBACK "$work/m1.json" "$work/b5.jws" $((t0 + 5 * day + 10)) "$work/app.state"
expect_verdict "bundle 6 loaded, then past its expiry" HALLMARK_BUNDLE_EXPIRED "$work/m2.json" "$work/b6.jws" $((t0 + 13 * day)) "" $((t0 + 5 * day + 10))
expect_verdict "bundle 6 loaded after its expiry" HALLMARK_BUNDLE_EXPIRED "$work/m2.json" "$work/b6.jws" $((t0 + 13 * day))
expect_ok "destroy the revoked k1" key destroy "$k1"
[ ! -e "$HALLMARK_KEYSTORE/secret/$k1.key" ] && ok || bad "k1's secret file is still there"
expect_ok "publish 7 (k1 stays listed as revoked)" publish
expect_verdict "k1 message after destroy" HALLMARK_KEY_REVOKED "$work/m1.json" "$HALLMARK_KEYSTORE/published/bundle.jws" $((t0 + 5 * day + 10))
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); ks=[k["kid"] for k in d["keys"]]; sys.exit(0 if ks==[sys.argv[2]] else 1)' \
    "$HALLMARK_KEYSTORE/published/jwks/acme-bank.json" "$k2"; then ok; else bad "JWKS should hold k2 only"; fi

# ---- day 6: brand update, root rotation ---------------------------------------------------------
at $((6 * day))
expect_ok "brand update colour" brand update acme-bank --color "#003399"
expect_ok "publish 8" publish
expect_verdict "message with the superseded credential" HALLMARK_VERIFIED "$work/m2.json" "$HALLMARK_KEYSTORE/published/bundle.jws" $((t0 + 6 * day + 10))
root_a=$(state_get root kid)
[ -e "$HALLMARK_KEYSTORE/secret/$root_a.key" ] && ok || bad "the first root's secret file is missing before rotation"
expect_ok "root rotate" root rotate
root_b=$(state_get root kid)
[ "$root_b" != "$root_a" ] && ok || bad "root rotate kept the root"
[ ! -e "$HALLMARK_KEYSTORE/secret/$root_a.key" ] && ok || bad "root rotate: the old root's secret file is still there"
[ -e "$HALLMARK_KEYSTORE/secret/$root_b.key" ] && ok || bad "root rotate: the new root's secret file is missing"
expect_ok "publish 9" publish
expect_verdict "app pinning the first root follows the chain" HALLMARK_VERIFIED "$work/m2.json" "$HALLMARK_KEYSTORE/published/bundle.jws" $((t0 + 6 * day + 10)) "$work/app0.state" "" "$work/root0.pub"
sign "$k2" $((t0 + 6 * day + 20)) "Acme Bank: after the root rotation" >"$work/m3.json"
expect_verdict "new message, new root pinned" HALLMARK_VERIFIED "$work/m3.json" "$HALLMARK_KEYSTORE/published/bundle.jws" $((t0 + 6 * day + 30)) "$work/app1.state"

# ---- publisher rotation -------------------------------------------------------------------------
pub_a=$(state_get publisher kid)
serial_a=$(state_get serial)
expect_ok "publisher rotate" publisher rotate
pub_b=$(state_get publisher kid)
[ "$pub_b" != "$pub_a" ] && ok || bad "publisher rotate kept the publishing key"
[ ! -e "$HALLMARK_KEYSTORE/secret/$pub_a.key" ] && ok || bad "publisher rotate: the old publishing secret is still there"
[ -e "$HALLMARK_KEYSTORE/secret/$pub_b.key" ] && ok || bad "publisher rotate: the new publishing secret is missing"
grep -q "\"verb\":\"publisher rotate\",\"old_publisher\":\"$pub_a\",\"new_publisher\":\"$pub_b\",\"root\":\"$root_b\"" \
    "$HALLMARK_KEYSTORE/audit.log" && ok || bad "publisher rotate not audited: $(tail -n 1 "$HALLMARK_KEYSTORE/audit.log")"
expect_ok "publish after publisher rotate" publish
serial_b=$(state_get serial)
[ "$serial_b" -gt "$serial_a" ] && ok || bad "serial $serial_b after publisher rotate, was $serial_a"
[ "$(jws_kid "$HALLMARK_KEYSTORE/published/bundle.jws")" = "$pub_b" ] && ok || bad "the bundle is not signed by the new publishing key"
[ "$(jws_payload "$HALLMARK_KEYSTORE/published/bundle.jws" publisher_kid)" = "$root_b" ] && ok || bad "the new publisher certificate is not signed by the current root"
expect_verdict "new publishing key: app pinning the first root" HALLMARK_VERIFIED "$work/m3.json" "$HALLMARK_KEYSTORE/published/bundle.jws" $((t0 + 6 * day + 35)) "$work/app0.state" "" "$work/root0.pub"
expect_verdict "new publishing key: app pinning the current root" HALLMARK_VERIFIED "$work/m3.json" "$HALLMARK_KEYSTORE/published/bundle.jws" $((t0 + 6 * day + 35)) "$work/app1.state"
grep -q '"generation":2,' "$work/app1.state" && ok || bad "publisher rotate: generation 2 expected in $(cat "$work/app1.state")"
expect_verdict "the old publishing key's bundle 9, after the new generation" HALLMARK_BUNDLE_PUBLISHER_SUPERSEDED "$work/m3.json" "$HALLMARK_KEYSTORE/published/bundle-$serial_a.jws" $((t0 + 6 * day + 36)) "$work/app1.state"

# ---- brand revocation ---------------------------------------------------------------------------
expect_ok "brand revoke" brand revoke acme-bank --reason "contract ended"
expect_ok "publish 10" publish
grep -q '"keys": \[\]' "$HALLMARK_KEYSTORE/published/jwks/acme-bank.json" && ok || bad "a revoked brand's JWKS must be empty"
expect_verdict "message of a revoked brand" HALLMARK_BRAND_REVOKED "$work/m3.json" "$HALLMARK_KEYSTORE/published/bundle.jws" $((t0 + 6 * day + 40))

# ---- the keystore is consistent, its log complete -----------------------------------------------
expect_ok "status" status
grep -q "acme-bank" "$work/out" && ok || bad "status does not list the brand"
expect_ok "audit verify" audit verify
n=$(wc -l <"$HALLMARK_KEYSTORE/audit.log")
[ "$n" -ge 20 ] && ok || bad "audit log has only $n entries"
grep -q '"verb":"key revoke".*"reason":"key file found on a laptop"' "$HALLMARK_KEYSTORE/audit.log" && ok || bad "revocation reason not audited"
[ "$(stat -c %a "$HALLMARK_KEYSTORE/keystore.json")" = 600 ] && ok || bad "state file mode"
[ "$(stat -c %a "$HALLMARK_KEYSTORE/secret/$k2.key")" = 600 ] && ok || bad "key file mode"
# ---- published logos: idempotent, and a damaged copy is rewritten ---------------------------------
ino=$(stat -c %i "$logo_pub")
expect_ok "publish again (logo unchanged)" publish
[ "$(stat -c %i "$logo_pub")" = "$ino" ] && ok || bad "publish rewrote an unchanged logo"
printf 'x' >>"$logo_pub"
expect_ok "publish over a damaged logo (damaged published logo)" publish
cmp -s "$logo_pub" "$HALLMARK_KEYSTORE/logos/$logo_sha.png" && ok || bad "publish did not repair a damaged published logo"
echo "keys-scenario: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
