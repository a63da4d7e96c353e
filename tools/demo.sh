#!/usr/bin/env bash
# make demo: the whole product on a built-in example. A throwaway keystore onboards "Acme Bank"
# (a logo drawn with libpng, senders on sms, rcs, email and push, one link domain), publishes a
# trust bundle, starts hallmark-signer over TLS on a free loopback port, signs messages of several
# channels over HTTPS with curl, and checks each with hallmark-verify, the CLI over the library
# apps embed; shows the SMS arriving without its token and the app finding it in the token
# directory (GET /v1/tokens/KEY); fetches the brand's logo from the signer (GET /v1/logos/SHA256)
# and checks it against the verified result; draws the message card of brand preview; then shows
# what the verifier says about attacks. A second brand at level basic, "Acme Bank Alerts" with
# Acme's logo, needs a second reviewer at onboarding and is shown as "signed by" its domain only;
# the signer refuses a body with a link outside the brand's link domains. Acme Bank's SMS sender
# always signs, so an SMS from it that the directory holds no token for gets a warning, no brand.
# Then the customer takes control (spec §9.7): a marketing SMS carries a signed Unsubscribe button
# to the platform's consent endpoint, one tap opts out, the next marketing message is refused
# while a one-time code still goes through; a cap of 2 marketing messages a week refuses a third.
# Last, Acme Bank's key leaks: the platform revokes it and re-signs the status object, the app
# fetches it (GET /v1/status), and the OTP it showed with a checkmark earlier loses it.
# Exits 0 when all is as expected.
set -euo pipefail
build=${1:-build}
keys=$build/bin/hallmark-keys
verify=$build/bin/hallmark-verify
signer=$build/bin/hallmark-signer
out=$build/demo
work=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$out"
printf 'demo passphrase, not for production\n' >"$work/pass"
chmod 600 "$work/pass"
export HALLMARK_PASSPHRASE_FILE=$work/pass HALLMARK_KEYSTORE=$work/keystore HALLMARK_OPERATOR=demo
quiet() { "$@" >"$work/cmd.out" 2>&1 || { cat "$work/cmd.out"; exit 1; }; }

echo "Hallmark demo"
echo
echo "1. The platform onboards Acme Bank (hallmark-keys, throwaway keystore, fast test KDF)"
"$build/tests/hm-demo-logo" "#0B5FFF" "$work/acme-logo.png"
quiet "$keys" init --platform "Hallmark Demo" --kdf minimum
export HALLMARK_PLATFORM="Hallmark Demo" # the platform id apps pin (hallmark-verify --platform)
quiet "$keys" brand add acme-bank --name "Acme Bank" --logo "$work/acme-logo.png" --color "#0B5FFF" \
    --sender sms:ACMEBANK@+44 --sender rcs:acme_bank_agent@rbm.goog --sender email:acme.example \
    --sender push:com.acme.bank --link-domain acme.example --link-domain "*.acme.example" \
    --level organization --always-signed sms:ACMEBANK@+44 --cap marketing:2/7d
kid=$("$keys" key add acme-bank 2>/dev/null)
echo "   \"Acme Bank Alerts\" asks to onboard at level basic (only its domain is verified), with"
echo "   Acme's logo byte for byte:"
alerts=(brand add acme-alerts --name "Acme Bank Alerts" --logo "$work/acme-logo.png" --color "#0B5FFF"
    --sender sms:ACMEALERTS@+44 --verified-domain acme-alerts.example --link-domain acme-alerts.example)
if "$keys" "${alerts[@]}" >"$work/cmd.out" 2>&1; then echo "a look-alike was onboarded unreviewed"; exit 1; fi
sed 's/^hallmark-keys: /   refused: /; s/; a second reviewer.*//' "$work/cmd.out"
quiet "$keys" "${alerts[@]}" --second-reviewer "Jane Roe" --reason "Acme Bank's own alerts brand"
echo "   onboarded after Jane Roe's audited second review; apps will show only its domain"
alerts_kid=$("$keys" key add acme-alerts 2>/dev/null)
quiet "$keys" publish
quiet "$keys" key promote "$kid" --force --reason "first key of a new brand"
quiet "$keys" key promote "$alerts_kid" --force --reason "first key of a new brand"
quiet "$keys" publish --consent-url https://consent.hallmark-demo.example/v1/consent
quiet "$keys" brand preview acme-bank --out "$out/acme-preview.png" \
    --body "Acme Bank: your code is 318 204. Never share it." --category otp \
    --action "Not me" --action "Call Acme Bank"
echo "   brand acme-bank, key ${kid:0:12}..., bundle serial 2, logo in published/logos/;"
echo "   its SMS sender ACMEBANK (for +44 recipients) always signs; at most 2 marketing messages"
echo "   a week to one customer (published in its credential for apps to show)"

echo "2. hallmark-signer serves HTTPS on a free loopback port"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=localhost" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/tls.key" -out "$work/tls.pem" 2>/dev/null
token_hash=$(printf 'demo-pipeline-token' | openssl dgst -sha256 -binary | basenc --base64url | tr -d '=')
printf '{"clients":[{"id":"demo-pipeline","token_sha256":"%s","brands":["acme-bank"]}]}\n' \
    "$token_hash" >"$work/clients.json"
"$signer" serve --keystore "$HALLMARK_KEYSTORE" --listen 127.0.0.1:0 --tls-cert "$work/tls.pem" \
    --tls-key "$work/tls.key" --clients "$work/clients.json" --audit "$work/signatures.log" \
    --threads 2 >"$work/listen.out" 2>"$work/signer.log" &
pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/listen.out" && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$work/listen.out")
[ -n "$url" ] || { cat "$work/signer.log"; exit 1; }
echo "   $url"

# sign NAME JSON: POST /v1/sign over HTTPS; the reply goes to $work/NAME.reply, status to stdout.
sign() {
    curl -sS --cacert "$work/tls.pem" -o "$work/$1.reply" -w '%{http_code}' \
        -H 'Authorization: Bearer demo-pipeline-token' -H 'Content-Type: application/json' \
        --data-binary "$2" "$url/v1/sign"
}
# message NAME CHANNEL FROM TO BODY: the message an app receives, with the token from NAME.reply.
message() {
    python3 - "$@" <<'PY'
import json, sys
name, channel, frm, to, body, work = sys.argv[1:7]
token = json.load(open(f"{work}/{name}.reply")).get("token", "")
print(json.dumps({"channel": channel, "from": frm, "to": to, "body": body, "token": token}))
PY
}
verdict() { "$verify" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" \
    --message "$1" 2>/dev/null | head -n 1 || true; }
row() { printf '   %-42s %s\n' "$1" "$2"; }

echo "3. Acme Bank's pipeline signs; the customer's app verifies"
expect_verified=0
send() { # NAME CHANNEL FROM TO BODY EXTRA LABEL
    local code
    code=$(sign "$1" "$(python3 -c 'import json,sys; m={"brand":"acme-bank","channel":sys.argv[1],"from":sys.argv[2],"to":sys.argv[3],"body":sys.argv[4],"category":sys.argv[5],"sender":json.loads(sys.argv[6])}; m.update(json.loads(sys.argv[7])); print(json.dumps(m))' "$2" "$3" "$4" "$5" "$6" "$7" "$8")")
    [ "$code" = 200 ] || { echo "sign $1: HTTP $code $(cat "$work/$1.reply")"; exit 1; }
    message "$1" "$2" "$3" "$4" "$5" "$work" >"$work/$1.msg"
    row "$9" "$(verdict "$work/$1.msg")"
    expect_verified=$((expect_verified + 1))
}
send otp sms ACMEBANK +447700900123 "Acme Bank: your code is 318 204. Never share it." otp \
    '{"kind":"automated"}' '{}' "SMS one-time code"
send invoice email acme.example customer@example.com "Your November statement is ready." transactional \
    '{"kind":"automated"}' '{"actions":[{"kind":"link","label":"Pay now","url":"https://pay.acme.example/inv/8841"}]}' \
    "e-mail with a signed \"Pay now\" button"
send chat rcs acme_bank_agent@rbm.goog +447700900123 "Hi, this is Sam from Acme Bank support." service \
    '{"kind":"human","name":"Sam"}' '{"conv":"c-7f3a9e"}' "RCS chat, a person (Sam) writes"
send push push com.acme.bank device-4242 "Card payment of 10.00 GBP at Acme Store" alert \
    '{"kind":"ai"}' '{}' "push alert written by an AI"

HM_FROM=ACMEALERTS "$build/tests/hm-test-sign" "$HALLMARK_KEYSTORE" acme-alerts "$alerts_kid" \
    "$(date +%s)" "Acme Bank Alerts: a payment of 10.00 GBP was declined." >"$work/alerts.msg"
got=$(verdict "$work/alerts.msg")
row "SMS of Acme Bank Alerts (level basic)" "$got"
case "$got" in "signed by acme-alerts.example"*) ;; *) echo "a basic brand was not domain-only"; exit 1 ;; esac

echo "   The SMS itself arrives without its token (it cannot carry ~600 bytes): the signer put the"
echo "   token in its directory before it answered, and the app looks it up by its own message"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m.pop("token"); print(json.dumps(m))' \
    "$work/otp.msg" >"$work/sms.msg"
directory() { # MESSAGE-FILE ANSWER-FILE: GET /v1/tokens/KEY over HTTPS; the status to stdout
    local key code
    key=$("$verify" --lookup-key --message "$1")
    code=$(curl -sS --cacert "$work/tls.pem" -o "$2" -w '%{http_code}' "$url/v1/tokens/$key")
    [ "$code" = 200 ] || echo '{"tokens":[]}' >"$2"
    echo "$code ${key:0:10}"
}
fetched_verdict() { "$verify" --root "$HALLMARK_KEYSTORE/root.pub" \
    --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" --message "$1" --tokens "$2" 2>/dev/null |
    head -n 1 || true; }
set -- $(directory "$work/sms.msg" "$work/tokens.json")
row "GET /v1/tokens/$2..." "HTTP $1, $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["tokens"]))' "$work/tokens.json") token"
got=$(fetched_verdict "$work/sms.msg" "$work/tokens.json")
row "the SMS with the directory's token" "$got"
case "$got" in *"verified by"*) ;; *) echo "the SMS did not verify through the directory"; exit 1 ;; esac
sed 's/318 204/318 205/' "$work/sms.msg" >"$work/sms-changed.msg"
set -- $(directory "$work/sms-changed.msg" "$work/tokens-changed.json")
row "one digit changed: /v1/tokens/${2:0:6}..." "HTTP $1: nothing under that key"
got=$(fetched_verdict "$work/sms-changed.msg" "$work/tokens-changed.json")
row "so that SMS (ACMEBANK always signs)" "$got"
case "$got" in *HALLMARK_SENDER_ALWAYS_SIGNED*) ;; *) echo "a changed SMS was not a warning"; exit 1 ;; esac

echo "4. The app fetches the brand's logo when the bundle loads, and checks it"
# The app reads the digests from the bundle it just loaded (never fetches at display time: that
# would tell the platform who read which message, and when), downloads each logo once, and keeps
# it by digest. Showing a verified message, it checks the bytes against the result's logo_sha256.
logo_sha=$(python3 -c 'import base64,json,sys
d=lambda s: json.loads(base64.urlsafe_b64decode(s+"="*(-len(s)%4)))
b=d(open(sys.argv[1]).read().split(".")[1])
print(d(b["brands"][0]["credential"].split(".")[1])["logo"]["sha256"])' "$HALLMARK_KEYSTORE/published/bundle.jws")
code=$(curl -sS --cacert "$work/tls.pem" -o "$out/acme-logo.png" -D "$work/logo.headers" \
    -w '%{http_code}' "$url/v1/logos/$logo_sha")
[ "$code" = 200 ] || { echo "GET /v1/logos/$logo_sha: HTTP $code"; exit 1; }
got_sha=$(openssl dgst -sha256 -binary "$out/acme-logo.png" | basenc --base64url | tr -d '=')
signed_sha=$("$verify" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" \
    --message "$work/otp.msg" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["brand"]["logo"]["sha256"])')
cache=$(tr -d '\r' <"$work/logo.headers" | sed -n 's/^[Cc]ache-[Cc]ontrol: //p')
row "GET /v1/logos/${logo_sha:0:10}..." "HTTP $code, $(wc -c <"$out/acme-logo.png") bytes, $cache"
if [ "$got_sha" = "$signed_sha" ]; then
    row "logo bytes vs the verified logo_sha256" "✔ match: show it beside the checkmark"
else
    row "logo bytes vs the verified logo_sha256" "✘ no match: show no logo"
    exit 1
fi
printf 'not the logo' >"$work/other.png"
other_sha=$(openssl dgst -sha256 -binary "$work/other.png" | basenc --base64url | tr -d '=')
code=$(curl -sS --cacert "$work/tls.pem" -o /dev/null -w '%{http_code}' "$url/v1/logos/$other_sha")
row "a logo no brand of the bundle has" "HTTP $code"
code=$(curl -sS --path-as-is --cacert "$work/tls.pem" -o /dev/null -w '%{http_code}' \
    "$url/v1/logos/../../keystore.json")
row "GET /v1/logos/../../keystore.json" "HTTP $code"
echo "   the message card customers will see: $out/acme-preview.png"

echo "5. What the app says about attacks"
sed 's/318 204/913 402/' "$work/otp.msg" >"$work/tampered.msg"
row "code changed in transit" "$(verdict "$work/tampered.msg")"
sed 's/"from": "ACMEBANK"/"from": "ACMEBNK"/' "$work/otp.msg" >"$work/spoofed.msg"
row "genuine token on a look-alike sender" "$(verdict "$work/spoofed.msg")"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["token"]=""; print(json.dumps(m))' \
    "$work/otp.msg" >"$work/unsigned.msg"
got=$(verdict "$work/unsigned.msg")
row "SMS from ACMEBANK, no token (stripped)" "$got"
case "$got" in *HALLMARK_SENDER_ALWAYS_SIGNED*) ;; *) echo "a stripped SMS was not a warning"; exit 1 ;; esac
row "  the app shows" "a warning, no name or logo; the thread stays unbranded"
code=$(sign evil "$(printf '{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"Pay here","category":"transactional","sender":{"kind":"automated"},"actions":[{"kind":"link","label":"Pay","url":"https://acme.example.evil.example/pay"}]}')")
row "signer asked for a button to evil.example" "HTTP $code $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["code"])' "$work/evil.reply")"
body_code=$(sign evilbody "$(printf '{"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"Your card is locked: https://acme-secure-login.example/verify","category":"alert","sender":{"kind":"automated"}}')")
row "signer asked for a link in the body" "HTTP $body_code $(python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; print(e["code"], "in", e.get("field"))' "$work/evilbody.reply")"
[ "$body_code" = 403 ] || { echo "an off-domain link in the body was signed"; exit 1; }
python3 tests/cli/vector_tool.py args spec/vectors/076-action-suffix-trick.json "$work" >"$work/args"
mapfile -t args < <(grep -vx -- --json "$work/args")
row "forged button to acme.example.evil.example" "$("$verify" "${args[@]}" 2>/dev/null | head -n 1 || true)"

echo "6. The customer takes control (consent and caps, enforced where messages are signed)"
deal="Acme Bank: 2% cashback on travel this month."
send deal sms ACMEBANK +447700900456 "$deal" marketing '{"kind":"automated"}' '{}' "marketing SMS"
buttons=$("$verify" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" \
    --message "$work/deal.msg" --json 2>/dev/null | python3 -c 'import json,sys; print(", ".join(a["kind"] + " -> " + a["url"] for a in json.load(sys.stdin)["brand"]["actions"]))')
row "  its signed button" "$buttons"
# The tap: the app sends the message it verified to the platform's consent endpoint (the bundle's
# consent_url; here the signer itself), which checks it with its own verifier.
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); m["choice"]="out"; print(json.dumps(m))' \
    "$work/deal.msg" >"$work/tap.json"
tap=$(curl -sS --cacert "$work/tls.pem" -o "$work/tap.reply" -w '%{http_code}' \
    -H 'Content-Type: application/json' --data-binary @"$work/tap.json" "$url/v1/consent")
row "the customer taps Unsubscribe" "HTTP $tap $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["recorded"]; print(r["scope"], r["choice"], "on", r["channel"], "from the", r["source"])' "$work/tap.reply")"
refused() { # NAME TO CATEGORY BODY: sign, and print "HTTP status code"
    local code
    code=$(sign "$1" "$(python3 -c 'import json,sys; print(json.dumps({"brand":"acme-bank","channel":"sms","from":"ACMEBANK","to":sys.argv[1],"body":sys.argv[3],"category":sys.argv[2],"sender":{"kind":"automated"}}))' "$2" "$3" "$4")")
    echo "HTTP $code $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["code"])' "$work/$1.reply")"
}
next=$(refused next +447700900456 marketing "Acme Bank: last chance for 2% cashback.")
row "the next marketing SMS" "$next"
[ "$next" = "HTTP 409 recipient_opted_out" ] || { echo "marketing was signed after the opt-out"; exit 1; }
send code sms ACMEBANK +447700900456 "Acme Bank: your code is 552 901." otp '{"kind":"automated"}' '{}' \
    "a one-time code still goes through"
send deal1 sms ACMEBANK +447700900457 "$deal" marketing '{"kind":"automated"}' '{}' "another customer: marketing 1 of 2"
send deal2 sms ACMEBANK +447700900457 "$deal" marketing '{"kind":"automated"}' '{}' "marketing 2 of 2"
third=$(refused deal3 +447700900457 marketing "$deal")
row "marketing 3 in the same week" "$third, reset $(python3 -c 'import json,sys,time; print(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(json.load(open(sys.argv[1]))["error"]["reset"])))' "$work/deal3.reply")"
[ "$third" = "HTTP 429 volume_cap" ] || { echo "the cap was not enforced"; exit 1; }
# The customer's inbox page (issue 17): the messages above as an app received them, the bundle and
# the pinned root; the page verifies them itself with the wasm verifier (nothing precomputed).
inbox=$out/inbox
rm -rf "$inbox" && mkdir -p "$inbox/data/logos" "$inbox/hallmark-wasm"
cp verifier/bindings/wasm/inbox/index.html verifier/bindings/wasm/inbox/inbox.css \
    verifier/bindings/wasm/inbox/inbox.js "$inbox/"
tar -xzf "$(ls "${HALLMARK_WASM_DIR:-build/wasm}"/hallmark-wasm-*.tgz)" -C "$inbox/hallmark-wasm" \
    --strip-components=1
cp "$HALLMARK_KEYSTORE/published/bundle.jws" "$inbox/data/bundle.jws"
cp "$out/acme-logo.png" "$inbox/data/logos/$logo_sha.png"
python3 - "$work" "$inbox/data/inbox.json" "$(head -n 1 "$HALLMARK_KEYSTORE/root.pub")" \
    "$HALLMARK_PLATFORM" "$(date +%s)" <<'PY'
import json, sys
work, path, root, platform, now = sys.argv[1:6]
def msg(name):
    return json.load(open(f"{work}/{name}.msg", encoding="utf-8"))
items = [
    ("otp", "SMS one-time code", msg("otp"), None),
    ("statement", "e-mail: your statement", msg("invoice"), None),
    ("chat", "RCS chat with support", msg("chat"), None),
    ("push", "push: card payment", msg("push"), None),
    ("alerts", "SMS from a brand at level basic", msg("alerts"), None),
    ("sms-directory", "SMS, token from the directory", msg("sms"),
     json.load(open(f"{work}/tokens.json"))["tokens"]),
    ("deal", "marketing SMS with Unsubscribe", msg("deal"), None),
    ("tampered", "attack: code changed in transit", msg("tampered"), None),
    ("lookalike", "attack: look-alike sender", msg("spoofed"), None),
    ("stripped", "attack: signature stripped", msg("unsigned"), None),
    ("unknown", "an unsigned text", {"channel": "sms", "from": "+447700900999",
     "to": "+447700900123", "body": "Your parcel is held: pay the fee at parcel-fee.example"}, None),
]
messages = []
for ident, title, m, tokens in items:
    item = {"id": ident, "title": title, "received_at": int(now), "message": m}
    if tokens is not None:
        item["tokens"] = tokens
    messages.append(item)
json.dump({"trust": {"platform": platform, "roots": [root], "threshold": 1}, "messages": messages},
          open(path, "w", encoding="utf-8"), indent=1, ensure_ascii=False)
PY

echo "7. Acme Bank's key leaks: the platform revokes it, and the app withdraws earlier checkmarks"
# The app stored the OTP's verdict with its brand, key and issue time (spec HM-VERIFY-57). The
# platform revokes the key and re-signs the status object (hallmark-keys status-publish, also its
# hourly timer); the app fetches GET /v1/status, loads it, and re-checks every stored checkmark.
stored=$("$verify" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" \
    --message "$work/otp.msg" --json 2>/dev/null |
    python3 -c 'import json,sys; b=json.load(sys.stdin)["brand"]; print("%s:%s:%s" % (b["id"], b["kid"], b["iat"]))')
row "the OTP, stored with its verdict" "✔ ${stored:0:24}..."
quiet "$keys" key revoke "$kid" --reason "demo: key file found on a laptop"
quiet "$keys" status-publish
status_code=$(curl -sS --cacert "$work/tls.pem" -o "$work/status.jws" -w '%{http_code}' "$url/v1/status")
[ "$status_code" = 200 ] || { echo "GET /v1/status: HTTP $status_code"; exit 1; }
row "GET /v1/status" "HTTP $status_code, $(wc -c <"$work/status.jws") bytes, the key listed as revoked"
recheck=$("$verify" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" \
    --status "$work/status.jws" --message "$work/otp.msg" --recheck "$stored" --json 2>/dev/null |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["recheck"], d["result"])' || true)
set -- $recheck
row "the stored OTP, re-checked" "✘ withdrawn: ${1:-?} (the app now shows a warning)"
row "the same message verified again" "${2:-?}"
[ "${1:-}" = HALLMARK_KEY_REVOKED ] && [ "${2:-}" = HALLMARK_KEY_REVOKED ] ||
    { echo "the revoked key's earlier message kept its checkmark"; exit 1; }

kill -TERM "$pid"
wait "$pid" || { echo "the signer did not stop cleanly"; exit 1; }
pid=
entries=$(wc -l <"$work/signatures.log")
echo
echo "The signer recorded $entries signatures in its hash-chained log and stopped cleanly."
echo "Only a ✔ line earns the checkmark."
echo
echo "The customer's inbox, verified in the browser by the WebAssembly verifier: $out/inbox/"
echo "  python3 -m http.server --bind 127.0.0.1 --directory $out/inbox 8000"
echo "  then open http://127.0.0.1:8000/ (the .wasm is fetched over HTTP: file:// cannot load it)"
[ "$entries" -eq "$expect_verified" ] && [ "$code" = 403 ] && [ "$got_sha" = "$signed_sha" ]
