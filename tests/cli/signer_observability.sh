#!/usr/bin/env bash
# What an operator sees of hallmark-signer serve (issue 18, item 5): one JSON access-log line per
# request (id, method, the real path, status, error code, latency, peer, client) whose id comes
# back as X-Request-Id; /metrics in the Prometheus exposition format (promtool check metrics),
# with each family once, a gauge of the seconds until the bundle expires and batch item refusals
# by code; Retry-After on every 429; and `audit verify`, which checks a signature log offline
# and names its first bad record.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh

make_keystore
write_clients
auth=(-H "Authorization: Bearer acme-secret-token")

# get PATH [CURL-ARGS...]: body in $work/resp, headers in $work/hdr, status in $code.
get() {
    local path=$1
    shift
    code=$(curl -sS -D "$work/hdr" -o "$work/resp" -w '%{http_code}' "$@" "$url$path" 2>"$work/curl.err" || true)
}
post() {
    local path=$1 body=$2
    shift 2
    code=$(curl -sS -D "$work/hdr" -o "$work/resp" -w '%{http_code}' -X POST \
        -H 'Content-Type: application/json' --data-binary "$body" "$@" "$url$path" 2>"$work/curl.err" || true)
}
header() { sed -n "s/^$1: *\\(.*\\)\\r\$/\\1/Ip" "$work/hdr"; }
# log_line ID: the access-log line of request ID, as JSON on one line (empty if none, or many).
log_line() {
    python3 - "$work/serve.log" "$1" <<'PY'
import json, sys
found = []
for line in open(sys.argv[1]):
    try:
        o = json.loads(line)
    except ValueError:
        continue
    if o.get("event") == "request" and o.get("id") == sys.argv[2]:
        found.append(line.strip())
print(found[0] if len(found) == 1 else "")
PY
}
# field LINE NAME: one member of a log line, as JSON.
field() { python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1]).get(sys.argv[2])))' "$1" "$2"; }

start_signer "$work/serve.log" --rate 3
port=${url##*:}

# ---- the access log and the request id -----------------------------------------------------------
get /healthz
id=$(header X-Request-Id)
[ "$code" = 200 ] && [[ "$id" =~ ^[0-9a-f]{16}$ ]] && ok || bad "healthz: $code, X-Request-Id '$id'"
sleep 0.2
line=$(log_line "$id")
if [ -n "$line" ] && [ "$(field "$line" method)" = '"GET"' ] && [ "$(field "$line" path)" = '"/healthz"' ] &&
    [ "$(field "$line" status)" = 200 ] && [ "$(field "$line" error)" = null ] &&
    [ "$(field "$line" client)" = '"-"' ] && [[ "$(field "$line" peer)" =~ ^\"127\.0\.0\.1:[0-9]+\"$ ]] &&
    [[ "$(field "$line" latency_ms)" =~ ^[0-9]+\.[0-9]+$ ]]; then ok; else bad "healthz log line: '$line'"; fi
# Each request its own id.
get /healthz
[ "$(header X-Request-Id)" != "$id" ] && ok || bad "two requests, one id"
# A well-formed id from upstream is kept; anything else is replaced.
get /v1/jwks -H "X-Request-Id: trace-42.a_b"
[ "$(header X-Request-Id)" = trace-42.a_b ] && ok || bad "upstream id not kept: '$(header X-Request-Id)'"
sleep 0.2
line=$(log_line trace-42.a_b)
[ "$(field "$line" path)" = '"/v1/jwks"' ] && ok || bad "jwks log line: '$line'"
get /v1/jwks -H 'X-Request-Id: no spaces"or quotes'
[[ "$(header X-Request-Id)" =~ ^[0-9a-f]{16}$ ]] && ok || bad "a bad upstream id was kept: '$(header X-Request-Id)'"
# A sign request: the client, and the error code of a refusal.
post /v1/sign "$(msg acme-bank ACMEBANK +447700900123 'Acme Bank: code 1')" "${auth[@]}"
id=$(header X-Request-Id)
sleep 0.2
line=$(log_line "$id")
[ "$code" = 200 ] && [ "$(field "$line" client)" = '"acme-pipeline"' ] && [ "$(field "$line" path)" = '"/v1/sign"' ] &&
    [ "$(field "$line" method)" = '"POST"' ] && ok || bad "sign log line: $code '$line'"
post /v1/sign "$(msg acme-bank ACMEBANK +447700900123 x)" -H "Authorization: Bearer guess"
id=$(header X-Request-Id)
sleep 0.2
line=$(log_line "$id")
[ "$code" = 401 ] && [ "$(field "$line" error)" = '"unauthorized"' ] && [ "$(field "$line" status)" = 401 ] &&
    ok || bad "401 log line: $code '$line'"
# A token lookup is logged without its key (it would say who received which message).
key=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
get "/v1/tokens/$key"
id=$(header X-Request-Id)
sleep 0.2
line=$(log_line "$id")
[ "$code" = 404 ] && [ "$(field "$line" path)" = '"/v1/tokens/{key}"' ] && ok || bad "lookup log line: $code '$line'"
grep -qF -e "$key" "$work/serve.log" && bad "a lookup key reached the log" || ok
# An unknown path is logged as sent, escaped.
get '/no/such%22path'
id=$(header X-Request-Id)
sleep 0.2
line=$(log_line "$id")
[ "$code" = 404 ] && [ "$(field "$line" path)" = '"/no/such%22path"' ] && [ "$(field "$line" error)" = '"not_found"' ] &&
    ok || bad "404 log line: $code '$line'"

# ---- batch item refusals, and Retry-After on every 429 ------------------------------------------
sleep 1.1 # a full bucket (--rate 3)
post /v1/sign/batch "{\"messages\":[$(msg acme-bank EVIL +447700900123 one),$(msg acme-bank ACMEBANK +447700900123 two)]}" "${auth[@]}"
[ "$code" = 200 ] && ok || bad "batch: $code $(head -c 300 "$work/resp")"
# The per-client rate: a request past it is 429 with Retry-After (it had none before).
for _ in 1 2 3 4 5; do
    post /v1/sign "$(msg acme-bank ACMEBANK +447700900123 'Acme Bank: code 2')" "${auth[@]}"
    [ "$code" = 429 ] && break
done
[ "$code" = 429 ] && [ "$(header Retry-After)" = 1 ] && ok || bad "per-client 429: $code, Retry-After '$(header Retry-After)'"
sleep 1.1
post /v1/sign/batch "{\"messages\":[$(msg acme-bank ACMEBANK +447700900123 a),$(msg acme-bank ACMEBANK +447700900123 b),$(msg acme-bank ACMEBANK +447700900123 c),$(msg acme-bank ACMEBANK +447700900123 d)]}" "${auth[@]}"
[ "$code" = 429 ] && [ "$(header Retry-After)" = 1 ] && ok || bad "batch over the rate: $code, Retry-After '$(header Retry-After)'"

# ---- /metrics ------------------------------------------------------------------------------------
get /metrics
cp "$work/resp" "$work/metrics.txt"
[ "$code" = 200 ] && ok || bad "metrics: $code"
grep -qx 'hallmark_batch_item_refusals_total{code="sender_not_authorized"} 1' "$work/metrics.txt" && ok ||
    bad "batch refusal not counted: $(grep batch_item "$work/metrics.txt")"
# Each family: HELP and TYPE once, its samples together, every sample under a TYPE.
if python3 - "$work/metrics.txt" <<'PY'; then ok; else bad "metrics layout"; fi
import re, sys
seen, current, types = set(), None, {}
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    m = re.match(r"# (HELP|TYPE) (\S+) ", line)
    if m:
        key = (m.group(1), m.group(2))
        assert key not in seen, f"{key} twice"
        seen.add(key)
        if m.group(1) == "TYPE":
            current = m.group(2)
            types[current] = line.split()[-1]
        continue
    name = re.match(r"[a-z_]+", line).group(0)
    base = re.sub(r"_(bucket|sum|count)$", "", name) if types.get(current) == "histogram" else name
    assert base == current, f"{name} outside its family ({current})"
for kind, name in seen:
    assert ("HELP", name) in seen and ("TYPE", name) in seen, name
PY
get /healthz
exp=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bundle_expires"])' "$work/resp")
gauge=$(sed -n 's/^hallmark_bundle_expiry_seconds \(-\{0,1\}[0-9]*\)$/\1/p' "$work/metrics.txt")
now=$(date +%s)
[ -n "$gauge" ] && [ $((exp - now - gauge)) -le 5 ] && [ $((exp - now - gauge)) -ge -5 ] && [ "$gauge" -gt 0 ] &&
    ok || bad "bundle expiry gauge '$gauge', bundle expires $exp, now $now"
case "$build" in
*asan* | *valgrind*) echo "signer-observability: promtool skipped under $build (it runs no C of ours)"; skipped=1 ;;
*)
    skipped=0
    if ! command -v promtool >/dev/null; then
        bad "promtool is missing: make deps (tools/deps.sh test: prometheus)"
    elif promtool check metrics <"$work/metrics.txt" >"$work/promtool.out" 2>&1; then ok; else
        bad "promtool check metrics: $(head -c 600 "$work/promtool.out")"
    fi
    ;;
esac
stop_signer
# --access-log signs: sign requests only (and reads the service failed), as a busy directory wants.
start_signer "$work/signs.log" --access-log signs
get /healthz
post /v1/sign "$(msg acme-bank ACMEBANK +447700900123 'Acme Bank: code 3')" "${auth[@]}"
id=$(header X-Request-Id)
sleep 0.2
[ "$(grep -c '"event":"request"' "$work/signs.log")" = 1 ] && grep -q "\"id\":\"$id\"" "$work/signs.log" && ok ||
    bad "--access-log signs: $(grep '"event":"request"' "$work/signs.log")"
stop_signer

# ---- audit verify: the signature log, offline ----------------------------------------------------
log=$work/signatures.log
n=$(wc -l <"$log")
set +e
"$signer_cli" audit verify "$log" >"$work/av.out" 2>"$work/av.err"
st=$?
set -e
[ "$st" = 0 ] && grep -qx "$log: $n records, hash chain intact, reaches its checkpoint $log.head" "$work/av.out" &&
    ok || bad "audit verify of a good log: exit $st $(cat "$work/av.out" "$work/av.err")"
[ "$n" -ge 3 ] && ok || bad "want at least 3 records, have $n"
# audit_expect WHAT STATUS STDERR-SUBSTRING [FIRST-BAD] ARGS...
audit_expect() {
    local what=$1 want=$2 text=$3 first=$4
    shift 4
    set +e
    "$signer_cli" audit verify "$@" >"$work/av.out" 2>"$work/av.err"
    st=$?
    set -e
    if [ "$st" != "$want" ] || ! grep -qF -- "$text" "$work/av.err"; then
        bad "$what: exit $st, want $want with '$text': $(cat "$work/av.err")"
    elif [ -n "$first" ] && ! grep -qx "first bad record: $first" "$work/av.out"; then
        bad "$what: first bad record: $(cat "$work/av.out")"
    else ok; fi
}
cp "$log" "$work/good.log"
cp "$log.head" "$work/good.log.head"
# One character of record 2 changed.
sed '2s/"client":"acme-pipeline"/"client":"acme-pipelinf"/' "$work/good.log" >"$log"
cmp -s "$log" "$work/good.log" && bad "the tamper did not change the log" || ok
audit_expect "record 2 changed" 1 "hash chain is broken at entry 3" 3 "$log"
# Record 2 removed: record 3 no longer follows.
sed '2d' "$work/good.log" >"$log"
audit_expect "record 2 removed" 1 "hash chain is broken at entry 2" 2 "$log"
# The newest record cut: only the checkpoint shows it.
head -n $((n - 1)) "$work/good.log" >"$log"
audit_expect "last record cut" 1 "was cut: it has $((n - 1)) entries, its checkpoint recorded $n" "" "$log"
# The checkpoint gone, or replaced by a copy kept off the host.
cp "$work/good.log" "$log"
mv "$log.head" "$work/offhost.head"
audit_expect "no checkpoint" 1 "no checkpoint" "" "$log"
set +e
"$signer_cli" audit verify "$log" --checkpoint "$work/offhost.head" >"$work/av.out" 2>"$work/av.err"
st=$?
set -e
[ "$st" = 0 ] && ok || bad "--checkpoint: exit $st $(cat "$work/av.err")"
[ -e "$log.head" ] && bad "audit verify wrote a checkpoint" || ok
# A whole log replaced by another valid chain, its checkpoint too: the off-host copy shows it.
head -n 1 "$work/good.log" >"$log"
printf '{"entries":1,"head":"%s"}\n' "$(head -n 1 "$work/good.log" | tr -d '\n' | openssl dgst -sha256 -binary | basenc --base64url | tr -d '=')" >"$log.head"
"$signer_cli" audit verify "$log" >/dev/null 2>&1 && ok || bad "a cut log with a matching checkpoint should verify"
audit_expect "rewritten, off-host checkpoint" 1 "was cut" "" "$log" --checkpoint "$work/offhost.head"
audit_expect "missing log" 2 "No such file" "" "$work/none.log"
audit_expect "usage" 2 "audit verify LOG" "" "$log" extra
echo "signer-observability: $passed passed, $failed failed$([ "$skipped" = 0 ] || echo ", $skipped skipped")"
[ "$failed" -eq 0 ]
