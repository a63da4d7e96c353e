#!/usr/bin/env bash
# hallmark-signer serve, for real: started on an ephemeral loopback port (plain HTTP, TLS, mutual
# TLS), driven with curl; every token returned is verified with hallmark-verify (the verifier
# library); refused requests get their status and JSON error, leave no trace in the signature log,
# and the service keeps serving.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh

make_keystore
write_clients

# call METHOD PATH [BODY [CURL-ARGS...]]: response body in $work/resp, status in $code.
call() {
    local method=$1 path=$2 body=${3:-}
    shift 3 || shift $#
    if [ -n "$body" ]; then
        code=$(curl -sS -o "$work/resp" -w '%{http_code}' -X "$method" -H 'Content-Type: application/json' \
            --data-binary "$body" "$@" "$url$path" 2>"$work/curl.err" || true)
    else
        code=$(curl -sS -o "$work/resp" -w '%{http_code}' -X "$method" "$@" "$url$path" 2>"$work/curl.err" || true)
    fi
}
auth=(-H "Authorization: Bearer acme-secret-token")
entries() { if [ -f "$work/signatures.log" ]; then wc -l <"$work/signatures.log"; else echo 0; fi; }

# expect_error WHAT STATUS CODE METHOD PATH BODY [CURL-ARGS...]: status, JSON error code, no entry.
expect_error() {
    local what=$1 want=$2 ecode=$3 before got
    shift 3
    before=$(entries)
    call "$@"
    got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["code"])' "$work/resp" 2>/dev/null || echo "not-json")
    if [ "$code" != "$want" ] || [ "$got" != "$ecode" ]; then
        bad "$what: HTTP $code $got, want $want $ecode: $(head -c 300 "$work/resp")"
    elif [ "$(entries)" != "$before" ]; then
        bad "$what: the signature log grew"
    else
        ok
    fi
}

# ---- plain HTTP ----------------------------------------------------------------------------------
start_signer "$work/plain.log"
call GET /healthz
[ "$code" = 200 ] && grep -q '"status":"ok"' "$work/resp" && ok || bad "healthz: $code $(cat "$work/resp")"
call POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 'Acme Bank: your code is 123456')" "${auth[@]}"
if [ "$code" = 200 ]; then ok; else bad "sign: $code $(cat "$work/resp")"; fi
[ "$(verify_token "$work/resp" ACMEBANK +447700900123 'Acme Bank: your code is 123456')" = HALLMARK_VERIFIED ] && ok || bad "token does not verify"
[ "$(verify_token "$work/resp" ACMEBANK +447700900124 'Acme Bank: your code is 123456')" = HALLMARK_RECIPIENT_MISMATCH ] && ok || bad "token bound to another recipient"
[ "$(entries)" = 1 ] && ok || bad "signature log should have 1 entry"
call POST /v1/sign "$(msg acme-bank +447700900555 +447700900123 'Pay now' '"actions":[{"kind":"link","label":"Pay now","url":"https://pay.acme.example/i/42"}],"conv":"c-42"')" "${auth[@]}"
[ "$code" = 200 ] && [ "$(verify_token "$work/resp" +447700900555 +447700900123 'Pay now')" = HALLMARK_VERIFIED ] && ok || bad "prefix sender with action: $code $(cat "$work/resp")"
batch="{\"messages\":[$(msg acme-bank ACMEBANK +447700900123 one),$(msg acme-bank EVIL +447700900123 two),$(msg acme-bank ACMEBANK +447700900123 three)]}"
call POST /v1/sign/batch "$batch" "${auth[@]}"
if [ "$code" = 200 ] && python3 - "$work/resp" <<'PY'; then ok; else bad "batch: $code $(head -c 400 "$work/resp")"; fi
import json, sys
r = json.load(open(sys.argv[1]))["results"]
assert len(r) == 3 and "token" in r[0] and r[1]["error"]["code"] == "sender_not_authorized" and "token" in r[2]
# The reply is written as it goes (signed results without jansson): compact JSON, members in
# the documented order, one newline, the same bytes a JSON library would give.
raw = open(sys.argv[1], "rb").read()
assert raw == (json.dumps({"results": r}, separators=(",", ":"), ensure_ascii=False) + "\n").encode(), raw[:200]
assert list(r[0]) == ["token", "jti", "kid", "serial"] and isinstance(r[0]["serial"], int), r[0]
assert list(r[1]) == ["error"] and list(r[1]["error"])[:2] == ["code", "message"], r[1]
PY
call GET /v1/bundle
cmp -s "$work/resp" "$HALLMARK_KEYSTORE/published/bundle.jws" && [ "$code" = 200 ] && ok || bad "GET /v1/bundle is not the published bundle"
etag=$(curl -sS -D - -o /dev/null "$url/v1/bundle" | sed -n 's/^ETag: *\(.*\)\r$/\1/Ip')
call GET /v1/bundle "" -H "If-None-Match: $etag"
[ "$code" = 304 ] && ok || bad "If-None-Match: $code (etag $etag)"
call GET /v1/jwks
[ "$code" = 200 ] && grep -qF -e "$acme_k1" "$work/resp" && ok || bad "jwks"
# The status object (spec 6.9): the published file, read on every request (issue 21).
call GET /v1/status
cmp -s "$work/resp" "$HALLMARK_KEYSTORE/published/status.jws" && [ "$code" = 200 ] && ok || bad "GET /v1/status is not the published status: $code"
mv "$HALLMARK_KEYSTORE/published/status.jws" "$work/status.saved"
expect_error "no status published" 404 not_found GET /v1/status ""
mv "$work/status.saved" "$HALLMARK_KEYSTORE/published/status.jws"
call GET /v1/status
[ "$code" = 200 ] && ok || bad "GET /v1/status after the file came back: $code"
# Refusals: status, JSON code, nothing signed.
expect_error "no credentials" 401 unauthorized POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 x)"
expect_error "wrong token" 401 unauthorized POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 x)" -H "Authorization: Bearer guess"
expect_error "malformed Authorization" 401 unauthorized POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 x)" -H "Authorization: Basic eDp5"
expect_error "client of another brand" 403 forbidden POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 x)" -H "Authorization: Bearer globex-secret-token"
expect_error "client limited to sms" 403 forbidden POST /v1/sign "$(printf '{"brand":"acme-bank","channel":"email","from":"acme.example","to":"a@b.example","body":"x","category":"alert","sender":{"kind":"automated"}}')" -H "Authorization: Bearer sms-only-token"
expect_error "malformed JSON" 400 bad_request POST /v1/sign '{"brand":' "${auth[@]}"
expect_error "duplicate member" 400 bad_request POST /v1/sign '{"brand":"acme-bank","brand":"globex"}' "${auth[@]}"
code=$(curl -sS -o "$work/resp" -w '%{http_code}' -H 'Content-Type: text/plain' --data-binary "$(msg acme-bank ACMEBANK +447700900123 x)" "${auth[@]}" "$url/v1/sign")
[ "$code" = 400 ] && grep -q "Content-Type must be application/json" "$work/resp" && ok || bad "wrong content type: $code"
expect_error "unknown member" 400 bad_request POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 x '"catgory":"otp"')" "${auth[@]}"
python3 - "$work/resp" <<'PY' && ok || bad "the unknown member is not named: $(cat "$work/resp")"
import json, sys
e = json.load(open(sys.argv[1]))["error"]
assert e["field"] == "catgory" and e["message"].startswith('unknown member "catgory" (known: brand, '), e
PY
expect_error "unknown brand" 404 unknown_brand POST /v1/sign "$(msg nobody ACMEBANK +447700900123 x)" -H "Authorization: Bearer sms-only-token"
expect_error "unauthorized sender" 403 sender_not_authorized POST /v1/sign "$(msg acme-bank GLOBEX +447700900123 x)" "${auth[@]}"
expect_error "foreign action domain" 403 action_not_authorized POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 x '"actions":[{"kind":"link","label":"Pay","url":"https://acme.example.evil.example/"}]')" "${auth[@]}"
expect_error "bad category" 400 bad_request POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 x | sed 's/transactional/newsletter/')" "${auth[@]}"
expect_error "bad recipient" 400 bad_request POST /v1/sign "$(msg acme-bank ACMEBANK 07700900123 x)" "${auth[@]}"
python3 -c 'import sys; sys.stdout.write("{\"messages\":[" + ",".join(["{}"] * 101) + "]}")' >"$work/bigbatch.json"
expect_error "batch over the limit" 413 too_large POST /v1/sign/batch "@$work/bigbatch.json" "${auth[@]}"
grep -qF '"message":"101 messages: a batch holds at most 100 (the signer'"'"'s --batch-max)"' "$work/resp" && ok ||
    bad "the batch limit is not stated: $(cat "$work/resp")"
python3 -c 'import sys; sys.stdout.write("{\"body\":\"" + "x" * 1100000 + "\"}")' >"$work/big.json"
expect_error "body over the limit" 413 too_large POST /v1/sign "@$work/big.json" "${auth[@]}"
expect_error "GET on sign" 400 bad_request GET /v1/sign ""
call GET /nowhere
[ "$code" = 404 ] && grep -q not_found "$work/resp" && ok || bad "404: $code"
call GET /healthz
[ "$code" = 200 ] && ok || bad "still serving after refusals: $code"
call GET /metrics
[ "$code" = 200 ] && grep -q 'hallmark_signatures_total{brand="acme-bank",result="ok"} 4' "$work/resp" &&
    grep -q 'hallmark_errors_total{code="unauthorized"} 3' "$work/resp" &&
    grep -q "hallmark_key_age_seconds{brand=\"acme-bank\",kid=\"$acme_k1\"}" "$work/resp" && ok || bad "metrics: $(head -c 1500 "$work/resp")"
if grep -qi 'acme bank: your code' "$work/plain.log" || grep -q 'acme-secret-token' "$work/plain.log"; then bad "a body or token in the logs"; else ok; fi
stop_signer
[ "$(entries)" = 4 ] && ok || bad "signature log: $(entries) entries, want 4"
python3 - "$work/signatures.log" <<'PY' && ok || bad "signature log chain"
import base64, hashlib, json, sys
prev = base64.urlsafe_b64encode(hashlib.sha256(b"hallmark-audit-v1").digest()).rstrip(b"=").decode()
for n, line in enumerate(open(sys.argv[1], "rb").read().split(b"\n")[:-1], 1):
    e = json.loads(line)
    assert e["seq"] == n and e["prev"] == prev and e["client"] == "acme-pipeline", e
    prev = base64.urlsafe_b64encode(hashlib.sha256(line).digest()).rstrip(b"=").decode()
PY

# ---- a unix socket and the per-client rate limit -------------------------------------------------
start_signer "$work/unix.log" --listen "unix:$work/signer.sock" --rate 3
sock=(--unix-socket "$work/signer.sock")
url=http://localhost
before=$(entries)
statuses=""
for i in $(seq 8); do
    call POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 "burst $i")" "${sock[@]}" "${auth[@]}"
    statuses="$statuses $code"
done
n200=$(echo "$statuses" | tr ' ' '\n' | grep -c '^200$' || true)
n429=$(echo "$statuses" | tr ' ' '\n' | grep -c '^429$' || true)
[ "$n200" -ge 3 ] && [ "$n429" -ge 1 ] && [ $((n200 + n429)) -eq 8 ] && ok || bad "rate limit over a unix socket: $statuses"
[ "$(entries)" -eq $((before + n200)) ] && ok || bad "rate-limited requests must not be signed"
sleep 1.2
call POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 "after the pause")" "${sock[@]}" "${auth[@]}"
[ "$code" = 200 ] && ok || bad "the bucket refills: $code"
sleep 1.2
five="{\"messages\":[$(for i in 1 2 3 4; do printf '%s,' "$(msg acme-bank ACMEBANK +447700900123 "b$i")"; done)$(msg acme-bank ACMEBANK +447700900123 b5)]}"
before=$(entries)
call POST /v1/sign/batch "$five" "${sock[@]}" "${auth[@]}"
[ "$code" = 429 ] && [ "$(entries)" = "$before" ] && ok || bad "a batch of 5 counts 5 against a rate of 3: $code"
stop_signer

# ---- which key signs: the one the bundle in force names active ----------------------------------
start_signer "$work/keys.log"
expect_ok "new key" key add acme-bank
acme_k2=$(cat "$work/out")
expect_ok "publish it" publish
expect_ok "promote it, not yet published" key promote "$acme_k2" --force --reason test
kill -HUP "$signer_pid"
sleep 0.5
call POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 'before the publish')" "${auth[@]}"
grep -q "\"kid\":\"$acme_k1\"" "$work/resp" && ok || bad "a promotion not yet published must not change the signing key: $(cat "$work/resp")"
expect_ok "publish the promotion" publish
kill -HUP "$signer_pid"
sleep 0.5
call POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 'after the publish')" "${auth[@]}"
grep -q "\"kid\":\"$acme_k2\"" "$work/resp" && [ "$(verify_token "$work/resp" ACMEBANK +447700900123 'after the publish')" = HALLMARK_VERIFIED ] && ok || bad "the published active key signs: $(cat "$work/resp")"
# A brand with only a pending key, and a revoked brand: 409, nothing signed.
expect_ok "brand with no active key" brand add initech --verified-domain initech.example --name "Initech" --logo "$(logo_for initech)" --color "#003399" --sender sms:INITECH@+44
expect_ok "its pending key" key add initech
expect_ok "revoke globex" brand revoke globex --reason "test"
expect_ok "publish both" publish
kill -HUP "$signer_pid"
sleep 0.5
star=(-H "Authorization: Bearer sms-only-token")
expect_error "brand without an active key" 409 no_active_key POST /v1/sign "$(msg initech INITECH +447700900123 x)" "${star[@]}"
expect_error "revoked brand" 409 brand_revoked POST /v1/sign "$(msg globex GLOBEX +447700900123 x)" "${star[@]}"
stop_signer

# ---- refusals at start-up ------------------------------------------------------------------------
start_fail() { # WHAT TEXT ARGS...
    local what=$1 text=$2 st=0
    shift 2
    "$signer_cli" serve --keystore "$HALLMARK_KEYSTORE" --audit "$work/other.log" "$@" \
        >/dev/null 2>"$work/start.err" </dev/null || st=$?
    [ "$st" -eq 2 ] && grep -qF -- "$text" "$work/start.err" && ok || bad "$what: exit $st: $(cat "$work/start.err")"
}
cp "$work/clients.json" "$work/clients.good"
sed 's/"brands": \["globex"\]/"brands": ["globex"], "channel": ["sms"]/' "$work/clients.good" >"$work/clients.json"
start_fail "unknown member in the clients file" "client 2: only id" --listen 127.0.0.1:0 --clients "$work/clients.json"
sed 's/"channels": \["sms"\]/"channels": []/' "$work/clients.good" >"$work/clients.json"
start_fail "empty channel list" "client 3: only id" --listen 127.0.0.1:0 --clients "$work/clients.json"
sed 's/"id": "globex-pipeline"/"id": "acme-pipeline"/' "$work/clients.good" >"$work/clients.json"
start_fail "duplicate client id" "client 2 repeats" --listen 127.0.0.1:0 --clients "$work/clients.json"
cp "$work/clients.good" "$work/clients.json"
start_fail "plain HTTP beyond loopback" "would send bearer tokens in the clear" --listen 0.0.0.0:0 --clients "$work/clients.json"
start_fail "too many threads" "--threads: 1 to 64" --listen 127.0.0.1:0 --clients "$work/clients.json" --threads 100

# ---- TLS and mutual TLS --------------------------------------------------------------------------
pki=$work/pki
mkdir -p "$pki"
mkca() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$2" \
    -keyout "$pki/$1.key" -out "$pki/$1.pem" 2>/dev/null; }
mkcert() { # NAME CN CA [SAN]
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" \
        -keyout "$pki/$1.key" -out "$pki/$1.csr" 2>/dev/null
    printf 'subjectAltName=%s\n' "${4:-DNS:$2}" >"$pki/$1.ext"
    openssl x509 -req -in "$pki/$1.csr" -CA "$pki/$3.pem" -CAkey "$pki/$3.key" -CAcreateserial \
        -days 2 -extfile "$pki/$1.ext" -out "$pki/$1.pem" 2>/dev/null
}
mkca ca "Hallmark Test CA"
mkca other "Some Other CA"
mkcert server localhost ca "IP:127.0.0.1,DNS:localhost"
mkcert client pipeline.acme.example ca
mkcert stranger pipeline.acme.example other
mkcert unknown someone.else.example ca
start_signer "$work/tls.log" --tls-cert "$pki/server.pem" --tls-key "$pki/server.key" --client-ca "$pki/ca.pem"
case "$url" in https://*) ok ;; *) bad "TLS service URL: $url" ;; esac
tls=(--cacert "$pki/ca.pem")
call POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 'over TLS')" "${tls[@]}" "${auth[@]}"
[ "$code" = 200 ] && [ "$(verify_token "$work/resp" ACMEBANK +447700900123 'over TLS')" = HALLMARK_VERIFIED ] && ok || bad "TLS + bearer: $code $(cat "$work/resp" "$work/curl.err")"
call POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 'mutual TLS')" "${tls[@]}" --cert "$pki/client.pem" --key "$pki/client.key"
[ "$code" = 200 ] && [ "$(verify_token "$work/resp" ACMEBANK +447700900123 'mutual TLS')" = HALLMARK_VERIFIED ] && ok || bad "mTLS: $code $(cat "$work/resp" "$work/curl.err")"
expect_error "certificate from another CA" 401 unauthorized POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 x)" "${tls[@]}" --cert "$pki/stranger.pem" --key "$pki/stranger.key"
expect_error "valid certificate, unknown client" 401 unauthorized POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 x)" "${tls[@]}" --cert "$pki/unknown.pem" --key "$pki/unknown.key"
code=$(curl -sS -o /dev/null -o /dev/null -o /dev/null -w '%{http_code} ' "${tls[@]}" --cert "$pki/client.pem" --key "$pki/client.key" \
    -H 'Connection: close' "$url/healthz" "$url/healthz" "$url/healthz" 2>"$work/curl.err" || true)
[ "$code" = "200 200 200 " ] && ok || bad "mTLS with resumed sessions: $code $(cat "$work/curl.err")"
expect_error "mTLS client, other brand" 403 forbidden POST /v1/sign "$(msg globex GLOBEX +447700900123 x)" "${tls[@]}" --cert "$pki/client.pem" --key "$pki/client.key"
expect_error "TLS without credentials" 401 unauthorized POST /v1/sign "$(msg acme-bank ACMEBANK +447700900123 x)" "${tls[@]}"
code=$(curl -sS -o /dev/null -w '%{http_code}' "${url/https/http}/healthz" 2>/dev/null || true)
[ "$code" != 200 ] && ok || bad "plain HTTP answered on the TLS port"
call GET /healthz "" "${tls[@]}"
[ "$code" = 200 ] && ok || bad "TLS healthz after refusals: $code"
stop_signer
grep -q '"event":"stopped"' "$work/tls.log" && ok || bad "SIGTERM: no clean stop"
echo "signer-http: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
