#!/usr/bin/env bash
# Separate hosts (issue 18, item 2): init prints the root public key apps pin (what
# hallmark-verify --root takes), not its kid, and where the secret is; root export moves a single
# root's secret to removable media and off the host; the ceremonies (publisher rotate, root
# rotate) then need that medium and read the root from it, and root rotate puts the new root
# there; a quorum root is refused (its secrets were never on the host). export-signer writes
# exactly what a signer host needs, and a signer started from that folder signs tokens that
# verify; a later export follows a rotation and drops the key that no longer signs.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh

# ---- init: the value apps pin --------------------------------------------------------------------
hk init --platform "Hallmark Signer Test" --kdf minimum
[ "$status" -eq 0 ] && ok || bad "init: $(cat "$work/err")"
x=$(cat "$HALLMARK_KEYSTORE/root.pub")
root_kid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["root"]["kid"])' "$HALLMARK_KEYSTORE/keystore.json")
grep -qx "root key      $x" "$work/out" && ok || bad "init does not print the root key $x: $(cat "$work/out")"
grep -qF "apps pin it: hallmark-verify --platform \"Hallmark Signer Test\" --root $x (or --root $HALLMARK_KEYSTORE/root.pub, the file holding it)" "$work/out" && ok || bad "init does not say how apps pin it: $(cat "$work/out")"
grep -q "its secret is $HALLMARK_KEYSTORE/secret/$root_kid.key: move it to removable media with hallmark-keys root export" "$work/out" &&
    ok || bad "init does not say where the secret is: $(cat "$work/out")"
grep "^root key" "$work/out" | grep -qF -e "$root_kid" && bad "init's root key line shows the kid" || ok
rm -rf "$HALLMARK_KEYSTORE"
make_keystore
x=$(cat "$HALLMARK_KEYSTORE/root.pub")
root_kid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["root"]["kid"])' "$HALLMARK_KEYSTORE/keystore.json")
pub_kid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["publisher"]["kid"])' "$HALLMARK_KEYSTORE/keystore.json")
# The printed value works as --root as it is (not only as a file).
sign "$acme_k1" "$(date +%s)" "pinned by value" >"$work/m1.json" 2>/dev/null || true
set +e
"$verify_cli" --root "$x" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" --message "$work/m1.json" --json >"$work/v.json" 2>"$work/verr"
set -e
grep -q '"result":"HALLMARK_VERIFIED"' "$work/v.json" && ok || bad "--root with the printed value: $(cat "$work/v.json" "$work/verr")"

# ---- root export ---------------------------------------------------------------------------------
hk status
grep -q "WARNING   the root secret is on this host" "$work/out" && ok || bad "status does not warn about the root on the host"
before=$(snapshot "$HALLMARK_KEYSTORE")
expect_fail "root export without a medium" 2 "root export needs one --root-media DIR" root export
expect_fail "root export to two media" 2 "root export needs one --root-media DIR" root export --root-media "$work/a" --root-media "$work/b"
expect_fail "publisher rotate: --root-media before export" 2 "this keystore's root secret is in the keystore" publisher rotate --root-media "$work/usb"
[ "$(snapshot "$HALLMARK_KEYSTORE")" = "$before" ] && ok || bad "a refused command changed the keystore"
expect_ok "root export" root export --root-media "$work/usb"
grep -q "^root secret $root_kid moved to $work/usb/$root_kid.key and deleted from the keystore$" "$work/out" && ok || bad "root export says: $(cat "$work/out")"
[ ! -e "$HALLMARK_KEYSTORE/secret/$root_kid.key" ] && ok || bad "the root secret is still in the keystore"
[ -f "$work/usb/$root_kid.key" ] && [ "$(stat -c %a "$work/usb/$root_kid.key")" = 600 ] && ok || bad "no 0600 root file on the medium"
grep -q '"verb":"root export"' "$HALLMARK_KEYSTORE/audit.log" && ok || bad "root export is not in the audit log"
expect_ok "audit verify after root export" audit verify
hk status
grep -q "the root secret is on this host" "$work/out" && bad "status still warns after root export" || ok
expect_fail "root export twice" 1 "the root secret was exported already" root export --root-media "$work/usb"

# ---- the ceremonies read the medium --------------------------------------------------------------
before=$(snapshot "$HALLMARK_KEYSTORE")
expect_fail "publisher rotate without the medium" 2 "the root secret is not on this host" publisher rotate
expect_fail "publisher recertify without the medium" 2 "give --root-media DIR holding $root_kid.key" publisher recertify
mkdir -p "$work/empty"
expect_fail "root rotate with the wrong medium" 1 "the --root-media given hold no usable $root_kid.key" root rotate --root-media "$work/empty"
[ "$(snapshot "$HALLMARK_KEYSTORE")" = "$before" ] && ok || bad "a refused ceremony changed the keystore"
expect_ok "publisher rotate with the medium" publisher rotate --root-media "$work/usb"
expect_ok "root rotate with the medium" root rotate --root-media "$work/usb"
new_root=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["root"]; print(r["kid"], r.get("offline"))' "$HALLMARK_KEYSTORE/keystore.json")
[ "${new_root#* }" = True ] && ok || bad "the new root is not marked offline: $new_root"
new_root=${new_root% *}
[ -f "$work/usb/$new_root.key" ] && [ ! -e "$work/usb/$root_kid.key" ] && ok || bad "the medium should hold the new root only: $(ls "$work/usb")"
[ -z "$(ls "$HALLMARK_KEYSTORE/secret" | grep -e "$root_kid" -e "$new_root")" ] && ok || bad "a root secret reached the keystore: $(ls "$HALLMARK_KEYSTORE/secret")"
expect_ok "publish after the rotations" publish
sign "$acme_k1" "$(date +%s)" "after the rotations" >"$work/m2.json" 2>/dev/null || true
set +e
"$verify_cli" --root "$x" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" --message "$work/m2.json" --json >"$work/v.json" 2>"$work/verr"
set -e
grep -q '"result":"HALLMARK_VERIFIED"' "$work/v.json" && ok || bad "the first pinned root no longer verifies: $(cat "$work/v.json" "$work/verr")"

# ---- a quorum root was never on the host ---------------------------------------------------------
(
    export HALLMARK_KEYSTORE=$work/quorum
    hk init --platform Q --kdf minimum --root-media "$work/qmedia"
    [ "$status" -eq 0 ] || echo "FAIL quorum init: $(cat "$work/err")"
    hk root export --root-media "$work/usb2"
    [ "$status" -eq 1 ] && grep -q "this keystore's root is a quorum" "$work/err" || echo "FAIL quorum root export: $status $(cat "$work/err")"
) >"$work/quorum.out"
[ ! -s "$work/quorum.out" ] && ok || bad "$(cat "$work/quorum.out")"

# ---- export-signer -------------------------------------------------------------------------------
keys_dir=$HALLMARK_KEYSTORE
host=$work/signer-host
expect_fail "export-signer into the keystore" 2 "is the keystore itself" export-signer "$HALLMARK_KEYSTORE"
mkdir -p "$work/busy" && touch "$work/busy/notes.txt"
expect_fail "export-signer into a busy folder" 2 "is not empty and holds no earlier export-signer" export-signer "$work/busy"
expect_ok "export-signer" export-signer "$host"
grep -q "^signer keystore $host: keystore.json, published/ ([0-9]* files), 2 brand keys in secret/; no root or publisher secret$" "$work/out" &&
    ok || bad "export-signer says: $(cat "$work/out")"
(cd "$host" && find . -type f | sort) >"$work/host.files"
(cd "$HALLMARK_KEYSTORE" && { echo ./keystore.json; find ./published -type f; echo "./secret/$acme_k1.key"; echo "./secret/$globex_k1.key"; } | sort) >"$work/want.files"
diff "$work/want.files" "$work/host.files" >"$work/files.diff" && ok || bad "the signer host's files: $(cat "$work/files.diff")"
cmp -s "$host/published/bundle.jws" "$HALLMARK_KEYSTORE/published/bundle.jws" && ok || bad "bundle.jws differs"
[ "$(stat -c %a "$host")" = 700 ] && [ "$(stat -c %a "$host/secret/$acme_k1.key")" = 600 ] && ok || bad "modes: $(stat -c %a "$host" "$host/secret/$acme_k1.key")"
grep -rlq -e "$pub_kid.key" "$host" 2>/dev/null && bad "a publisher secret file reached the host" || ok

write_clients
export HALLMARK_KEYSTORE=$host
start_signer "$work/host.log" --reload-every 1
export HALLMARK_KEYSTORE=$keys_dir
code=$(curl -sS -m 5 -o "$work/resp" -w '%{http_code}' -H 'Content-Type: application/json' -H "Authorization: Bearer acme-secret-token" \
    --data-binary "$(msg acme-bank ACMEBANK +447700900123 'from the signer host')" "$url/v1/sign" 2>/dev/null || true)
[ "$code" = 200 ] && [ "$(verify_token "$work/resp" ACMEBANK +447700900123 'from the signer host')" = HALLMARK_VERIFIED ] &&
    grep -q "\"kid\":\"$acme_k1\"" "$work/resp" && ok || bad "a signer on the exported folder: $code $(cat "$work/resp")"

# A rotation on the keys host, exported again: the signer host follows by itself.
expect_ok "key add" key add acme-bank
acme_k2=$(cat "$work/out")
expect_ok "publish" publish
expect_ok "promote" key promote "$acme_k2" --force --reason "offline root test"
expect_ok "publish again" publish
expect_ok "export-signer again" export-signer "$host"
[ -f "$host/secret/$acme_k2.key" ] && [ ! -e "$host/secret/$acme_k1.key" ] && ok || bad "after the rotation the host holds: $(ls "$host/secret")"
for _ in $(seq 40); do
    code=$(curl -sS -m 5 -o "$work/resp" -w '%{http_code}' -H 'Content-Type: application/json' -H "Authorization: Bearer acme-secret-token" \
        --data-binary "$(msg acme-bank ACMEBANK +447700900123 'after the rotation')" "$url/v1/sign" 2>/dev/null || true)
    grep -q "\"kid\":\"$acme_k2\"" "$work/resp" && break
    sleep 0.2
done
[ "$code" = 200 ] && grep -q "\"kid\":\"$acme_k2\"" "$work/resp" &&
    [ "$(verify_token "$work/resp" ACMEBANK +447700900123 'after the rotation')" = HALLMARK_VERIFIED ] && ok ||
    bad "the signer host did not move to the new key: $code $(cat "$work/resp")"
stop_signer

# Before any publish there is nothing a signer could use.
(
    export HALLMARK_KEYSTORE=$work/fresh
    hk init --platform F --kdf minimum
    hk export-signer "$work/fresh-host"
    [ "$status" -eq 1 ] && grep -q "nothing is published yet" "$work/err" || echo "FAIL export-signer before publish: $status $(cat "$work/err")"
) >"$work/fresh.out"
[ ! -s "$work/fresh.out" ] && ok || bad "$(cat "$work/fresh.out")"

echo "keys-offline-root: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
