#!/usr/bin/env bash
# hallmark-verify --logo-dir/--logo-base (spec HM-CRED-78, HM-CRED-79): logos are fetched when a
# bundle loads, from a real hallmark-signer (GET /v1/logos/{sha256}, ephemeral loopback port), all
# of the bundle's shown logos whatever the message, each checked against its digest and kept
# under it; a message never causes a fetch; a basic or revoked brand's logo is not fetched; bytes
# that do not hash to their digest (a lying server) are discarded and never shown.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh

make_keystore
expect_ok "brand northwind" brand add northwind --name "Northwind Energy" \
    --logo "$(logo_for northwind)" --color "#0B5FFF" --sender sms:NORTHWIND@+44 --level organization
expect_ok "brand initrode" brand add initrode --name "Initrode Travel" \
    --logo "$(logo_for initrode)" --color "#0B5FFF" --sender sms:INITRODE@+44 --level organization
expect_ok "revoke initrode" brand revoke initrode --reason "test: a revoked brand's logo"
expect_ok "publish the brands" publish
write_clients
start_signer "$work/serve.log"

b64sha() { openssl dgst -sha256 -binary "$1" | basenc --base64url | tr -d '='; }
# The digests the bundle carries, by brand id.
python3 - "$HALLMARK_KEYSTORE/published/bundle.jws" >"$work/digests" <<'PY'
import base64, json, sys
d = lambda s: json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
b = d(open(sys.argv[1]).read().split(".")[1])
for e in b["brands"]:
    c = d(e["credential"].split(".")[1])
    print(c["sub"], c["logo"]["sha256"])
PY
digest_of() { sed -n "s/^$1 //p" "$work/digests"; }
acme_sha=$(digest_of acme-bank)
north_sha=$(digest_of northwind)
globex_sha=$(digest_of globex)
initrode_sha=$(digest_of initrode)

curl -sS -o "$work/acme.json" -H "Authorization: Bearer acme-secret-token" -H "Content-Type: application/json" \
    --data "$(msg acme-bank ACMEBANK +447700900123 "Acme Bank: your card was charged 10.00")" "$url/v1/sign"
python3 - "$work/acme.json" >"$work/message.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(json.dumps({"channel": "sms", "from": "ACMEBANK", "to": "+447700900123",
                  "body": "Acme Bank: your card was charged 10.00", "token": r["token"]}))
PY
mkdir -p "$work/store"
# verify_logos OUT-PREFIX ARGS...: hallmark-verify --json with the logo store; exit status in $st.
verify_logos() {
    local out=$1
    shift
    set +e
    "$verify_cli" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" \
        --message "$work/message.json" --json --logo-dir "$work/store" "$@" >"$work/$out.json" 2>"$work/$out.err"
    st=$?
    set -e
}
logo_file() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["brand"]["logo"]["file"])' "$work/$1.json"; }

# ---- no platform given: nothing is fetched, the verdict shows the placeholder --------------------
verify_logos none
[ "$st" = 0 ] && [ "$(logo_file none)" = None ] && ok || bad "no store yet: exit $st, file $(logo_file none)"
grep -q "logos: 0 held, 0 fetched, 0 refused (digest mismatch), 0 failed, 2 not fetched" "$work/none.err" && ok ||
    bad "no --logo-base: $(cat "$work/none.err")"

# ---- the load fetches every shown logo: acme's and northwind's, not globex (basic) nor initrode (revoked)
verify_logos first --logo-base "$url"
[ "$st" = 0 ] && ok || bad "first load: exit $st $(cat "$work/first.err")"
grep -q "logos: 0 held, 2 fetched, 0 refused" "$work/first.err" && ok || bad "first load: $(cat "$work/first.err")"
for sha in "$acme_sha" "$north_sha"; do
    [ -f "$work/store/$sha.png" ] && [ "$(b64sha "$work/store/$sha.png")" = "$sha" ] &&
        cmp -s "$work/store/$sha.png" "$HALLMARK_KEYSTORE/published/logos/$sha.png" && ok ||
        bad "logo $sha not kept under its digest"
done
for sha in "$globex_sha" "$initrode_sha"; do
    [ ! -e "$work/store/$sha.png" ] && ok || bad "logo $sha of a basic or revoked brand was fetched"
done
[ "$(logo_file first)" = "$work/store/$acme_sha.png" ] && ok || bad "verdict logo file: $(logo_file first)"
[ "$(stat -c %a "$work/store/$acme_sha.png")" = 600 ] && ok || bad "logo file mode $(stat -c %a "$work/store/$acme_sha.png")"

# ---- the next load holds them: no request, and a message alone never fetches ---------------------
verify_logos second --logo-base "$url"
grep -q "logos: 2 held, 0 fetched" "$work/second.err" && ok || bad "second load: $(cat "$work/second.err")"
stop_signer
verify_logos offline
[ "$st" = 0 ] && [ "$(logo_file offline)" = "$work/store/$acme_sha.png" ] && ok ||
    bad "with the platform down the held logo still shows: exit $st, $(logo_file offline)"

# ---- a lying server: bytes that do not hash to the digest are discarded, never shown -------------
rm -f "$work/store/$acme_sha.png"
printf 'not the acme logo' >"$work/store/$north_sha.png" # a damaged store file is not "held"
python3 - "$work/port" <<'PY' &
import http.server, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(sys.argv[1] + ".paths", "a") as f:
            f.write(self.path + "\n")
        body = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
threading.Timer(60, s.shutdown).start()
s.serve_forever()
PY
liar=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
verify_logos liar --logo-base "http://127.0.0.1:$(cat "$work/port")"
kill "$liar" 2>/dev/null || true
wait "$liar" 2>/dev/null || true
[ "$st" = 0 ] && grep -q "logos: 0 held, 0 fetched, 2 refused (digest mismatch)" "$work/liar.err" && ok ||
    bad "lying server: exit $st $(cat "$work/liar.err")"
grep -q "do not hash to it: discarded" "$work/liar.err" && ok || bad "no discard message: $(cat "$work/liar.err")"
[ ! -e "$work/store/$acme_sha.png" ] && [ "$(logo_file liar)" = None ] && ok ||
    bad "a mismatching logo was kept or shown: $(logo_file liar)"
[ "$(sort "$work/port.paths" | tr '\n' ' ')" = "$(printf '/v1/logos/%s\n' "$acme_sha" "$north_sha" | sort | tr '\n' ' ')" ] && ok ||
    bad "the load asked for: $(cat "$work/port.paths"), want exactly acme's and northwind's logos"
[ "$(cat "$work/store/$north_sha.png")" = "not the acme logo" ] && ok ||
    bad "the damaged file was replaced by other wrong bytes"

# ---- usage ------------------------------------------------------------------------------------
set +e
"$verify_cli" --root "$HALLMARK_KEYSTORE/root.pub" --logo-base "http://127.0.0.1:1" \
    --message "$work/message.json" >/dev/null 2>"$work/usage.err"
st1=$?
"$verify_cli" --root "$HALLMARK_KEYSTORE/root.pub" --logo-dir "$work/no-such-dir" \
    --message "$work/message.json" >/dev/null 2>"$work/usage2.err"
st2=$?
"$verify_cli" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" \
    --logo-dir "$work/store" --logo-base "http://example.com" --message "$work/message.json" \
    >/dev/null 2>"$work/usage3.err"
set -e
[ "$st1" = 2 ] && grep -q "needs --logo-dir" "$work/usage.err" && ok || bad "--logo-base alone: $st1 $(cat "$work/usage.err")"
[ "$st2" = 2 ] && grep -q "not a directory" "$work/usage2.err" && ok || bad "--logo-dir missing: $st2 $(cat "$work/usage2.err")"
grep -q "must be https://" "$work/usage3.err" && ok || bad "plain http to another host: $(cat "$work/usage3.err")"

echo "verify-logos: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
