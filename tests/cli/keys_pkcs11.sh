#!/usr/bin/env bash
# Issue 19: brand signing keys in a PKCS#11 token (docs/hsm.md), with SoftHSM2 from Debian and a
# token the test initialises in its own folder (its own SOFTHSM2_CONF).
# - key add --pkcs11: strict RFC 7512 URIs, the PIN never on the command line, clear errors
#   (wrong PIN, no PIN source, no module, no such token, a label already in use);
# - rotation file key -> HSM key -> file key through the gates (publish, the propagation window,
#   promote), with the service under load and reloaded by SIGHUP: no failed request;
# - a key signs in a parent process, then in a forked child, then in the parent again;
# - tokens signed through the token verify with the C library (hallmark-verify), jwcrypto and,
#   in the plain build, npm jose;
# - the token made unreachable mid-run (its folder moved away): 503 hsm_unavailable, a metric,
#   no crash, and signing resumes when it is back;
# - at signer start: a wrong PIN, a missing object, an object of the wrong key type and a URI that
#   names two objects each stop the start with a clear reason.
set -eu
# PINs that cannot turn up by chance in a timestamp, a key id or a hash chain (a PIN of 1234 did,
# once: the checks below that no file holds the PIN must only fail when one does).
pin=hm-pin-Qz7w
wrong_pin=hm-wrong-Kx9v
so_pin=hm-so-Lr2t
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh
module=/usr/lib/softhsm/libsofthsm2.so
if [ ! -e "$module" ] || ! command -v softhsm2-util >/dev/null; then
    echo "keys-pkcs11: softhsm2 is not installed (make deps installs it)"
    echo "keys-pkcs11: 0 passed, 1 failed"
    exit 1
fi
# Under ASan: full stacks at malloc, so that tools/lsan.supp can name SoftHSM2's own EdDSA leak
# (libcrypto frames alone would not say whose it is).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
mkdir -p "$work/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$work" \
    >"$work/softhsm2.conf"
export SOFTHSM2_CONF=$work/softhsm2.conf
softhsm2-util --init-token --free --label hallmark --pin "$pin" --so-pin "$so_pin" >/dev/null
softhsm2-util --init-token --free --label second --pin "$pin" --so-pin "$so_pin" >/dev/null
printf '%s\n' "$pin" >"$work/pin"
printf '%s\n' "$wrong_pin" >"$work/wrong-pin"
chmod 600 "$work/pin" "$work/wrong-pin"

make_keystore
write_clients
unset HALLMARK_PKCS11_MODULE HALLMARK_PKCS11_PIN_FILE

# ---- key add: errors before any key is made ----------------------------------------------------
export HALLMARK_PKCS11_PIN_FILE=$work/pin
expect_fail "no module" 2 "no module" key add acme-bank --pkcs11 'pkcs11:token=hallmark;object=a'
export HALLMARK_PKCS11_MODULE=$module
expect_fail "not a URI" 2 'starts with "pkcs11:"' key add acme-bank --pkcs11 'token=hallmark;object=a'
expect_fail "pin-value" 2 'never pin-value' key add acme-bank --pkcs11 'pkcs11:token=hallmark;object=a?pin-value='"$pin"
expect_fail "bad escape" 2 'badly percent-encoded' key add acme-bank --pkcs11 'pkcs11:token=hall%4;object=a'
expect_fail "%00" 2 'badly percent-encoded' key add acme-bank --pkcs11 'pkcs11:token=hallmark;object=a%00b'
expect_fail "twice" 2 'object is given twice' key add acme-bank --pkcs11 'pkcs11:token=hallmark;object=a;object=b'
expect_fail "unknown attribute" 2 'is not one Hallmark uses' key add acme-bank --pkcs11 'pkcs11:token=hallmark;slot-id=1;object=a'
expect_fail "no token" 2 'token=LABEL is required' key add acme-bank --pkcs11 'pkcs11:object=a'
expect_fail "no such token" 2 'no token labelled "nosuch"' key add acme-bank --pkcs11 'pkcs11:token=nosuch;object=a'
HALLMARK_PKCS11_PIN_FILE=$work/wrong-pin expect_fail "wrong PIN" 1 'wrong PIN' \
    key add acme-bank --pkcs11 'pkcs11:token=hallmark;object=a'
HALLMARK_PKCS11_PIN_FILE= expect_fail "no PIN source" 2 'no PIN source' \
    key add acme-bank --pkcs11 'pkcs11:token=hallmark;object=a'
expect_fail "missing PIN file" 2 'cannot be read' \
    key add acme-bank --pkcs11 "pkcs11:token=hallmark;object=a?pin-source=$work/nosuch"
# Percent-decoding: %61 is "a"; the label then exists, so a second key of that name is refused.
expect_ok "key add in the token" key add acme-bank --pkcs11 'pkcs11:token=hallm%61rk;object=acme%2ded'
hsm_ed=$(cat "$work/out")
expect_fail "a URI naming two objects" 1 'already holds an object labelled "acme-ed"' \
    key add acme-bank --pkcs11 'pkcs11:token=hallmark;object=acme-ed'
# The keystore records where the key lives, never the PIN.
python3 - "$HALLMARK_KEYSTORE/keystore.json" "$hsm_ed" "$module" "$pin" >"$work/rec" <<'PY' && ok || bad "keystore record: $(cat "$work/rec")"
import json, re, sys
s = json.load(open(sys.argv[1]))
k = [k for b in s["brands"] for k in b["keys"] if k["kid"] == sys.argv[2]][0]
p = k["pkcs11"]
assert re.fullmatch(r"pkcs11:token=hallmark;object=acme-ed;id=(%[0-9a-f]{2}){16};type=private", p["uri"]), p
assert p["module"] == sys.argv[3] and k["alg"] == "Ed25519", p
assert sys.argv[4] not in json.dumps(s)
PY
[ ! -e "$HALLMARK_KEYSTORE/secret/$hsm_ed.key" ] && ok || bad "an HSM key got a key file"
! grep -rqF -- "$pin" "$HALLMARK_KEYSTORE/audit.log" && ok || bad "the PIN is in the audit log"
expect_ok "es256 key in the token" key add globex --alg es256 --pkcs11 "pkcs11:token=second;object=globex-es?pin-source=$work/pin"
hsm_es=$(cat "$work/out")

# ---- fork: a child initialises the module again, opens its own session and logs in -------------
for rec in "$hsm_ed Ed25519" "$hsm_es ES256"; do
    set -- $rec
    uri=$(python3 -c 'import json,sys
s=json.load(open(sys.argv[1]))
print([k["pkcs11"]["uri"] for b in s["brands"] for k in b["keys"] if k["kid"]==sys.argv[2]][0])' "$HALLMARK_KEYSTORE/keystore.json" "$1")
    out=$("$build/tests/hm-test-pkcs11" "$module" "$uri" "$2" 2>&1) &&
        [ "$out" = "pkcs11-fork: parent ok, child ok, parent ok" ] && ok || bad "fork with $2: $out"
done

# ---- the service under load: file key -> HSM key -> file key ----------------------------------
start_signer "$work/serve.log"
sms() { msg acme-bank ACMEBANK +447700900123 "$1"; }
# load N OUT: N sign requests one after another, each status on a line of OUT.
load() {
    local i
    for i in $(seq "$1"); do
        curl -s -o /dev/null -w '%{http_code}\n' -H 'Authorization: Bearer acme-secret-token' \
            -H 'Content-Type: application/json' \
            -d "$(sms "load $i")" "$url/v1/sign" || echo curl-failed
    done >"$2"
}
sign_once() { # sign_once OUT BODY [TOKEN]: one request, its reply in OUT, its status printed
    curl -s -o "$1" -w '%{http_code}' -H "Authorization: Bearer ${3:-acme-secret-token}" \
        -H 'Content-Type: application/json' \
        -d "$2" "$url/v1/sign"
}
kid_in() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("kid",""))' "$1"; }

load 400 "$work/load1" &
load_pid=$!
expect_ok "publish the HSM keys" publish
expect_fail "the gate: not before the window" 1 "Promote after then" key promote "$hsm_ed"
expect_ok "promote the HSM key" key promote "$hsm_ed" --force --reason "issue 19 test"
expect_ok "promote the globex HSM key" key promote "$hsm_es" --force --reason "issue 19 test"
expect_ok "publish" publish
kill -HUP "$signer_pid"
wait "$load_pid"
[ "$(sort -u "$work/load1")" = 200 ] && ok || bad "requests failed during the rotation to the HSM key: $(sort "$work/load1" | uniq -c | tr '\n' ' ')"
for i in $(seq 50); do
    [ "$(sign_once "$work/r.json" "$(sms "after reload")")" = 200 ] || break
    [ "$(kid_in "$work/r.json")" = "$hsm_ed" ] && break
    sleep 0.1
done
[ "$(kid_in "$work/r.json")" = "$hsm_ed" ] && ok || bad "the service did not switch to the HSM key: $(cat "$work/r.json")"
[ "$(verify_token "$work/r.json" ACMEBANK +447700900123 "after reload")" = HALLMARK_VERIFIED ] && ok ||
    bad "an HSM Ed25519 token does not verify with the C library"
cp "$work/r.json" "$work/ed-token.json"
# export-signer (issue 18) with keys in the token: no key file to copy, the record says where
# the key lives, and a signer started from the export signs through the token.
expect_ok "export-signer with HSM keys" export-signer "$work/signer-host"
[ ! -e "$work/signer-host/secret/$hsm_ed.key" ] && ok || bad "export-signer wrote a file for an HSM key"
grep -q '"pkcs11"' "$work/signer-host/keystore.json" && ok || bad "the exported keystore lost the token record"
printf '%s\n' "$(sms "from the signer host")" | "$signer_cli" sign --keystore "$work/signer-host" \
    --audit "$work/host-signatures.log" >"$work/host.out" 2>"$work/host.err" &&
    grep -q "\"kid\":\"$hsm_ed\"" "$work/host.out" && ok ||
    bad "a signer started from the export did not sign through the token: $(cat "$work/host.err")"
[ "$(sign_once "$work/g.json" "$(msg globex GLOBEX +447700900123 "es256 via HSM")" globex-secret-token)" = 200 ] &&
    [ "$(kid_in "$work/g.json")" = "$hsm_es" ] && ok || bad "globex ES256 via HSM: $(cat "$work/g.json")"
[ "$(verify_token "$work/g.json" GLOBEX +447700900123 "es256 via HSM")" = HALLMARK_VERIFIED_DOMAIN ] && ok ||
    bad "an HSM ES256 token does not verify with the C library"
# Independent JOSE implementations, on the JWKS hallmark-keys published.
/usr/bin/python3 - "$HALLMARK_KEYSTORE/published/jwks" "$work/ed-token.json" "$work/g.json" <<'PY' && ok || bad "jwcrypto refused an HSM token"
import json, os, sys
from jwcrypto import jwa, jwk, jws
if "Ed25519" not in jwa.JWA.algorithms_registry:
    jwa.JWA.algorithms_registry["Ed25519"] = jwa.JWA.algorithms_registry["EdDSA"]
keys = jwk.JWKSet()
for f in os.listdir(sys.argv[1]):
    for k in json.load(open(os.path.join(sys.argv[1], f)))["keys"]:
        keys.add(jwk.JWK(**k))
for f in sys.argv[2:]:
    t = json.load(open(f))["token"]
    s = jws.JWS()
    s.deserialize(t)
    kid = s.jose_header["kid"]
    s.allowed_algs = ["Ed25519", "ES256"]
    s.verify(keys.get_key(kid))
PY
skipped=0
if [ "${HALLMARK_BUILD:-build}" != build ]; then
    # Node runs none of our C: the sanitizer and valgrind builds leave it to the plain one.
    echo "keys-pkcs11: npm jose check skipped in ${HALLMARK_BUILD} (runs in the plain build)"
    skipped=1
else
    . tests/cli/lib/jose.sh
    if why=$(jose_setup); then
        node --input-type=module - "$PWD/$jose_dir" "$HALLMARK_KEYSTORE/published/jwks" "$work/ed-token.json" "$work/g.json" <<'JS' && ok || bad "npm jose refused an HSM token"
import { createRequire } from "node:module";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
const [dir, jwks, ...tokens] = process.argv.slice(2);
const jose = createRequire(join(dir, "package.json"))("jose");
const keys = readdirSync(jwks).flatMap((f) => JSON.parse(readFileSync(join(jwks, f), "utf8")).keys);
const set = jose.createLocalJWKSet({ keys });
for (const f of tokens) {
  await jose.compactVerify(JSON.parse(readFileSync(f, "utf8")).token, set, { algorithms: ["Ed25519", "ES256"] });
}
JS
    else
        bad "npm jose: $why"
    fi
fi

# ---- the token goes away mid-run, then comes back ----------------------------------------------
mv "$work/tokens" "$work/tokens.away"
code=$(sign_once "$work/down.json" "$(sms "token away")")
for i in $(seq 30); do
    [ "$code" = 503 ] && break
    sleep 0.2
    code=$(sign_once "$work/down.json" "$(sms "token away")")
done
[ "$code" = 503 ] && grep -q '"hsm_unavailable: the HSM' "$work/down.json" && grep -q '"code": *"unavailable"' "$work/down.json" &&
    ok || bad "token away: $code $(cat "$work/down.json")"
curl -s "$url/metrics" >"$work/metrics" || true
awk '$1 == "hallmark_hsm_unavailable_total" && $2 > 0 { f = 1 } END { exit !f }' "$work/metrics" && ok ||
    bad "metric: $(grep hsm "$work/metrics")"
grep -q '"hsm_unavailable"' "$work/serve.log" && ok || bad "no hsm_unavailable log line"
kill -0 "$signer_pid" && ok || bad "the service died when the token went away"
mv "$work/tokens.away" "$work/tokens"
code=0
for i in $(seq 50); do
    code=$(sign_once "$work/back.json" "$(sms "token back")")
    [ "$code" = 200 ] && break
    sleep 0.2
done
[ "$code" = 200 ] && [ "$(kid_in "$work/back.json")" = "$hsm_ed" ] && ok || bad "signing did not resume: $code $(cat "$work/back.json")"
[ "$(verify_token "$work/back.json" ACMEBANK +447700900123 "token back")" = HALLMARK_VERIFIED ] && ok ||
    bad "a token after recovery does not verify"

# ---- back to a file key for acme-bank, under load -----------------------------------------------
expect_ok "acme file key" key add acme-bank
file2=$(cat "$work/out")
expect_ok "publish" publish
expect_ok "promote acme's file key" key promote "$file2" --force --reason "back to a file key"
expect_ok "publish" publish
load 200 "$work/load2" &
load_pid=$!
sleep 0.5
kill -HUP "$signer_pid"
wait "$load_pid"
[ "$(sort -u "$work/load2")" = 200 ] && ok || bad "requests failed on the way back to a file key: $(sort "$work/load2" | uniq -c | tr '\n' ' ')"
[ "$(sign_once "$work/f.json" "$(sms "file again")")" = 200 ] && [ "$(kid_in "$work/f.json")" = "$file2" ] && ok ||
    bad "not signed with the file key: $(cat "$work/f.json")"

# ---- at signer start: wrong PIN, missing object, wrong key type, two objects -------------------
stop_signer
# start_fails WHAT TEXT: the service refuses to start, with TEXT in its log.
start_fails() {
    set +e
    timeout 20 "$signer_cli" serve --keystore "$HALLMARK_KEYSTORE" --listen 127.0.0.1:0 \
        --audit "$work/signatures.log" --clients "$work/clients.json" --threads 2 >/dev/null 2>"$work/start.err"
    local st=$?
    set -e
    if [ "$st" -eq 0 ] || [ "$st" -eq 124 ]; then
        bad "$1: the service started (status $st)"
    elif ! grep -qF -- "$2" "$work/start.err"; then bad "$1: $(head -c 300 "$work/start.err")"; else ok; fi
}
cp "$work/wrong-pin" "$work/pin"
start_fails "wrong PIN at start" "wrong PIN"
printf '%s\n' "$pin" >"$work/pin"
! grep -qF -- "$wrong_pin" "$work/start.err" && ok || bad "the PIN is in the error"
# globex's ES256 key is still active, in token "second": emptied, it has no object; then an RSA
# key with the recorded label and id is the wrong type; then two P-256 keys with them are two.
globex_id=$(python3 -c 'import json,re,sys,urllib.parse
s=json.load(open(sys.argv[1]))
u=[k["pkcs11"]["uri"] for b in s["brands"] for k in b["keys"] if k["kid"]==sys.argv[2]][0]
print(urllib.parse.unquote_to_bytes(re.search(r"id=([^;]*)",u).group(1)).hex())' "$HALLMARK_KEYSTORE/keystore.json" "$hsm_es")
reinit_second() {
    softhsm2-util --delete-token --token second >/dev/null
    softhsm2-util --init-token --free --label second --pin "$pin" --so-pin "$so_pin" >/dev/null
}
reinit_second
start_fails "missing object at start" 'holds no private key labelled globex-es'
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/rsa.pem" 2>/dev/null
softhsm2-util --import "$work/rsa.pem" --token second --label globex-es --id "$globex_id" --pin "$pin" >/dev/null
start_fails "wrong key type at start" 'is not an ES256 key'
reinit_second
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/p1.pem" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/p2.pem" 2>/dev/null
softhsm2-util --import "$work/p1.pem" --token second --label globex-es --id "$globex_id" --pin "$pin" >/dev/null
softhsm2-util --import "$work/p2.pem" --token second --label globex-es --id "$globex_id" --pin "$pin" --force >/dev/null
start_fails "a URI naming two objects at start" 'names more than one private key'

echo "keys-pkcs11: $passed passed, $failed failed$([ "$skipped" -eq 0 ] || echo ", $skipped skipped")"
[ "$failed" -eq 0 ]
