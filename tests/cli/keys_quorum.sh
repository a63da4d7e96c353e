#!/usr/bin/env bash
# A leaked key without an app release (issue 20, spec §1.2, §6.4-§6.8): a keystore whose root is a
# set of 3 keys with threshold 2, its secrets on "removable media" (a directory), never in the
# keystore; apps that persist their trust state (hallmark-verify --state). Scenarios:
#   - a leaked publishing key: a forged brand name at serial 2^53-1, accepted by an app that has
#     not loaded a post-rotation bundle (the documented exposure), refused by every app that has,
#     and never locking an app out;
#   - a leaked root quorum: a forked chain, refused by apps that saw the platform's rotation;
#   - an app offline across two publisher rotations and a root rotation catches up from one bundle.
set -eu
. tests/cli/lib/keys.sh

day=86400
t0=$HALLMARK_NOW
at() { export HALLMARK_NOW=$((t0 + $1)); }
media=$work/media
kids_on_media() { find "$media" -name '*.key' | wc -l; }

# pins: the anchor an app ships (the first root set and its threshold), as hallmark-verify options.
pins() {
    python3 -c 'import json,sys
s=json.load(open(sys.argv[1]))
q=s["quorum"]
print("\n".join(a for r in q["sets"][0] for a in ("--root", r["x"])))
print("--threshold"); print(q["threshold"])' "$1/keystore.json"
}

# app STATE-FILE MESSAGE BUNDLE NOW: the result an app with that persisted state gets.
app() {
    local -a anchor
    mapfile -t anchor < <(pins "$HALLMARK_KEYSTORE")
    set +e
    "$verify_cli" "${anchor[@]}" --bundle "$3" --state "$1" --now "$4" --message "$2" --json \
        2>"$work/verr" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])' 2>/dev/null
    set -e
}
expect_app() {
    local what=$1 want=$2 got
    shift 2
    got=$(app "$@")
    if [ "$got" = "$want" ]; then ok; else bad "$what: $got, want $want ($(head -c 300 "$work/verr"))"; fi
}
state_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

# ---- a quorum keystore ----------------------------------------------------------------------------
at 0
expect_fail "threshold 1 is refused" 2 "--threshold K from 2" init --platform "Hallmark Quorum" \
    --kdf minimum --root-media "$media" --threshold 1
expect_fail "--threshold without --root-media" 2 "need --root-media" init --platform "Hallmark Quorum" \
    --kdf minimum --threshold 2
expect_ok "init with a root set of 3, threshold 2" init --platform "Hallmark Quorum" --kdf minimum \
    --root-media "$media" --root-keys 3 --threshold 2
export HALLMARK_PLATFORM="Hallmark Quorum" # the platform id apps pin (hallmark-verify --platform)
[ "$(kids_on_media)" -eq 3 ] && ok || bad "want 3 root key files on the media, got $(kids_on_media)"
for f in "$media"/*.key; do
    k=$(basename "$f" .key)
    [ ! -e "$HALLMARK_KEYSTORE/secret/$k.key" ] && ok || bad "root secret $k is in the keystore"
done
[ "$(find "$HALLMARK_KEYSTORE/secret" -name '*.key' | wc -l)" -eq 1 ] && ok ||
    bad "the keystore should hold the publishing key only: $(ls "$HALLMARK_KEYSTORE/secret")"
expect_ok "root show" root show
grep -q 'threshold 2, root keys' "$work/out" && ok || bad "root show: $(cat "$work/out")"
expect_ok "brand add" brand add acme-bank --verified-domain acme-bank.example --level organization --name "Acme Bank" --logo "$logo_good" --color "#0b5fff" \
    --sender sms:ACMEBANK@+44 --link-domain acme.example
expect_ok "key add" key add acme-bank
k1=$(cat "$work/out")
expect_ok "promote" key promote "$k1" --force --reason "first key"
expect_ok "publish 1" publish
cp "$HALLMARK_KEYSTORE/published/bundle.jws" "$work/b1.jws"
python3 -c 'import base64,json,sys
d=lambda s: json.loads(base64.urlsafe_b64decode(s+"="*(-len(s)%4)))
p=d(open(sys.argv[1]).read().split(".")[1])
sys.exit(0 if isinstance(p["publisher"], list) and len(p["publisher"]) == 2 else 1)' "$work/b1.jws" &&
    ok || bad "the publisher certificate should carry 2 root signatures"
HM_TTL=$((7 * day)) sign "$k1" $((t0 + 100)) "Acme Bank: your code is 123456" >"$work/m1.json"
expect_app "app A, first load" HALLMARK_VERIFIED "$work/a.state" "$work/m1.json" "$work/b1.jws" $((t0 + 200))
cp "$work/a.state" "$work/offline.state" # app O stays offline from here on
[ "$(state_field "$work/a.state" generation)" = 1 ] && ok || bad "generation 1 expected: $(cat "$work/a.state")"

# Ceremonies need a quorum on the media, and nothing changes without it.
mkdir "$work/one"
cp "$(find "$media" -name '*.key' | head -n 1)" "$work/one/"
before=$(sha256sum "$HALLMARK_KEYSTORE/keystore.json")
expect_fail "publisher rotate with 1 of 3 root files" 1 "threshold is 2" publisher rotate --root-media "$work/one"
expect_fail "publisher rotate without --root-media" 2 "--root-media DIR" publisher rotate
[ "$(sha256sum "$HALLMARK_KEYSTORE/keystore.json")" = "$before" ] && ok || bad "a refused rotation changed the state"

# ---- a leaked publishing key --------------------------------------------------------------------
# The attacker copies the keystore (the publishing key and its passphrase), renames acme-bank,
# gives it a key of their own, and mints a bundle at serial 2^53-1 under the same, still valid,
# generation-1 certificate, and a token with their key.
cp -a "$HALLMARK_KEYSTORE" "$work/stolen"
HALLMARK_KEYSTORE=$work/stolen hk brand update acme-bank --name "Acme Bank Security"
[ "$status" -eq 0 ] && ok || bad "the attacker's rename: $(cat "$work/err")"
HALLMARK_KEYSTORE=$work/stolen hk key add acme-bank
kx=$(cat "$work/out")
HALLMARK_KEYSTORE=$work/stolen hk key promote "$kx" --force --reason "attacker"
[ "$status" -eq 0 ] && ok || bad "the attacker's key: $(cat "$work/err")"
"$test_sign" --bundle "$work/stolen" 9007199254740991 | tr -d '\n' >"$work/forged.jws"
HM_TTL=$((7 * day)) "$test_sign" "$work/stolen" acme-bank "$kx" $((t0 + 300)) \
    "Acme Bank Security: call +44 20 7946 0000 now" >"$work/evil.json"
at $((1 * day))
cp "$work/a.state" "$work/b.state" # app B: the same history as A, but it loads late
expect_ok "publisher rotate --compromised (publishes at once)" publisher rotate --root-media "$media" \
    --compromised --reason "publishing key copied from the host"
grep -q '"verb":"publisher rotate".*"generation":2,"incident":"compromised","reason":"publishing key copied from the host"' \
    "$HALLMARK_KEYSTORE/audit.log" && ok || bad "no incident record: $(tail -n 1 "$HALLMARK_KEYSTORE/audit.log")"
cp "$HALLMARK_KEYSTORE/published/bundle.jws" "$work/b2.jws"
expect_app "app A loads the post-rotation bundle" HALLMARK_VERIFIED "$work/a.state" "$work/m1.json" "$work/b2.jws" $((t0 + day + 60))
expect_app "app A refuses the leaked key's serial 2^53-1" HALLMARK_BUNDLE_PUBLISHER_SUPERSEDED "$work/a.state" "$work/evil.json" "$work/forged.jws" $((t0 + day + 120))
expect_app "app B, not yet updated, shows the forged brand (the documented exposure)" HALLMARK_VERIFIED "$work/b.state" "$work/evil.json" "$work/forged.jws" $((t0 + day + 60))
[ "$(state_field "$work/b.state" serial)" = 9007199254740991 ] && ok || bad "app B's serial: $(cat "$work/b.state")"
expect_app "app B is not locked out: the platform's bundle is taken" HALLMARK_VERIFIED "$work/b.state" "$work/m1.json" "$work/b2.jws" $((t0 + day + 180))
expect_app "app B then refuses the forgery" HALLMARK_BUNDLE_PUBLISHER_SUPERSEDED "$work/b.state" "$work/evil.json" "$work/forged.jws" $((t0 + day + 240))
expect_app "app B: the forged token no longer verifies on the platform's bundle" HALLMARK_UNKNOWN_KEY "$work/b.state" "$work/evil.json" "$work/b2.jws" $((t0 + day + 300))

# ---- a leaked root quorum: a forked chain --------------------------------------------------------
# The attacker copies two root files and the keystore, and rotates the root in their copy.
mkdir "$work/stolen-media"
find "$media" -name '*.key' | head -n 2 | xargs -I{} cp {} "$work/stolen-media/"
rm -rf "$work/stolen"
cp -a "$HALLMARK_KEYSTORE" "$work/stolen"
cp "$work/a.state" "$work/c.state" # app C: up to date, but will see the fork first
at $((2 * day))
HALLMARK_KEYSTORE=$work/stolen hk root rotate --root-media "$work/stolen-media"
[ "$status" -eq 0 ] && ok || bad "the attacker's rotation: $(cat "$work/err")"
HALLMARK_KEYSTORE=$work/stolen hk publish
[ "$status" -eq 0 ] && ok || bad "the attacker's publish: $(cat "$work/err")"
cp "$work/stolen/published/bundle.jws" "$work/fork.jws"
expect_ok "root rotate --compromised" root rotate --root-media "$media" --compromised --reason "two custodians' media lost"
grep -q '"verb":"root rotate".*"incident":"compromised"' "$HALLMARK_KEYSTORE/audit.log" && ok || bad "no root incident record"
[ "$(kids_on_media)" -eq 3 ] && ok || bad "the old set's files should be gone from the media, 3 new ones there: $(kids_on_media)"
expect_ok "publish after the root rotation" publish
cp "$HALLMARK_KEYSTORE/published/bundle.jws" "$work/b3.jws"
expect_app "app A follows the platform's chain" HALLMARK_VERIFIED "$work/a.state" "$work/m1.json" "$work/b3.jws" $((t0 + 2 * day + 60))
[ "$(state_field "$work/a.state" root_seq)" = 1 ] && ok || bad "root_seq 1 expected: $(cat "$work/a.state")"
expect_app "app A refuses the attacker's fork" HALLMARK_BUNDLE_ROOT_FORKED "$work/a.state" "$work/m1.json" "$work/fork.jws" $((t0 + 2 * day + 120))
expect_app "app C sees the fork first (the documented exposure)" HALLMARK_VERIFIED "$work/c.state" "$work/m1.json" "$work/fork.jws" $((t0 + 2 * day + 60))
expect_app "app C then refuses the platform's chain: it needs new pins" HALLMARK_BUNDLE_ROOT_FORKED "$work/c.state" "$work/m1.json" "$work/b3.jws" $((t0 + 2 * day + 120))

# ---- an app offline across two publisher rotations and the root rotation --------------------------
at $((3 * day))
expect_ok "publisher rotate (scheduled)" publisher rotate --root-media "$media"
expect_ok "publish 4" publish
expect_app "app O, offline since generation 1 and the first root set, catches up from one bundle" \
    HALLMARK_VERIFIED "$work/offline.state" "$work/m1.json" "$HALLMARK_KEYSTORE/published/bundle.jws" $((t0 + 3 * day + 60))
[ "$(state_field "$work/offline.state" generation)" = 3 ] && [ "$(state_field "$work/offline.state" root_seq)" = 1 ] &&
    ok || bad "app O's state: $(cat "$work/offline.state")"

# ---- short-lived certificates: the weekly ceremony -----------------------------------------------
exp_of_cert() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["publisher"]["exp"])' "$HALLMARK_KEYSTORE/keystore.json"; }
cert_end=$(exp_of_cert)
[ "$cert_end" -eq $((t0 + 3 * day + 28 * day)) ] && ok || bad "a quorum certificate lasts 28 days: ends $cert_end"
at $((3 * day + 22 * day))
expect_ok "status 22 days on" status
grep -q "WARNING   the publisher certificate ends" "$work/out" && ok || bad "status should warn: $(cat "$work/out")"
expect_ok "publish with 6 days of certificate left" publish
python3 -c 'import base64,json,sys
d=lambda s: json.loads(base64.urlsafe_b64decode(s+"="*(-len(s)%4)))
p=d(open(sys.argv[1]).read().split(".")[1])
sys.exit(0 if p["exp"] == int(sys.argv[2]) else 1)' "$HALLMARK_KEYSTORE/published/bundle.jws" "$cert_end" &&
    ok || bad "the bundle must end with its certificate (HM-BUNDLE-63)"
expect_fail "recertify with 1 root file" 1 "threshold is 2" publisher recertify --root-media "$work/one"
expect_ok "publisher recertify" publisher recertify --root-media "$media"
[ "$(exp_of_cert)" -eq $((t0 + 25 * day + 28 * day)) ] && ok || bad "recertify: ends $(exp_of_cert)"
expect_ok "status after the ceremony" status
grep -q "WARNING   the publisher certificate" "$work/out" && bad "status still warns" || ok
grep -q '"verb":"publisher recertify".*"generation":3' "$HALLMARK_KEYSTORE/audit.log" && ok || bad "recertify not audited"
expect_ok "publish after recertify" publish
HM_TTL=$((2 * day)) sign "$k1" $((t0 + 25 * day + 10)) "Acme Bank: statement ready" >"$work/m5.json"
expect_app "app O after the ceremony (same generation, new certificate)" HALLMARK_VERIFIED "$work/offline.state" "$work/m5.json" "$HALLMARK_KEYSTORE/published/bundle.jws" $((t0 + 25 * day + 60))

# ---- brand key lifetimes: a key that leaves active is cut (HM-TRUST-64) ----------------------------
expect_ok "key add k2" key add acme-bank
k2=$(cat "$work/out")
expect_ok "publish k2 pending" publish
at $((26 * day + 3600))
expect_ok "promote k2 (k1 leaves active)" key promote "$k2"
expect_ok "publish with k1 retiring" publish
cut=$(python3 -c 'import base64,json,sys
d=lambda s: json.loads(base64.urlsafe_b64decode(s+"="*(-len(s)%4)))
p=d(open(sys.argv[1]).read().split(".")[1])
print([k["exp"] for b in p["brands"] for k in b["keys"] if k["kid"]==sys.argv[2]][0])' "$HALLMARK_KEYSTORE/published/bundle.jws" "$k1")
[ "$cut" -eq $((t0 + 26 * day + 3600 + day)) ] && ok || bad "k1's exp should be cut to promotion + 24h: $cut"
HM_TTL=3600 sign "$k1" $((t0 + 26 * day + 3600 + day + 10)) "Acme Bank: late" >"$work/late.json"
expect_app "a k1 token issued after its cut exp" HALLMARK_KEY_NOT_VALID "$work/offline.state" "$work/late.json" "$HALLMARK_KEYSTORE/published/bundle.jws" $((t0 + 26 * day + 3600 + day + 20))
expect_ok "key revoke k1" key revoke "$k1" --reason "INC-9: found in a log"
grep -q '"verb":"key revoke".*"incident":"key revoked"' "$HALLMARK_KEYSTORE/audit.log" && ok || bad "key revoke: no incident record"

# ---- the keystore is consistent, its log complete -----------------------------------------------
expect_ok "status" status
expect_ok "audit verify" audit verify
echo "keys-quorum: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
