#!/usr/bin/env bash
# hallmark-signer serve against slow and greedy clients (threat C9 of spec/threat-model.md): a
# connection cap that makes extra clients wait instead of exhausting the service, and a request
# deadline that cuts clients trickling headers, a body or a TLS handshake. Real service on an
# ephemeral loopback port, real sockets (tests/cli/lib/slow_clients.py), real curl.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh

make_keystore
write_clients
slow=tests/cli/lib/slow_clients.py
auth=(-H "Authorization: Bearer acme-secret-token")
host_port() { local hp=${url#*://}; host=${hp%:*}; port=${hp##*:}; }
metric() { curl -sS --max-time 5 "${tls[@]}" "$url/metrics" | sed -n "s/^$1 //p"; }

# check_cut WHAT FILE COUNT: every line of FILE says the server closed the connection between the
# deadline (2 s) and the deadline plus a margin for a loaded machine.
check_cut() {
    local what=$1 file=$2 want=$3 lines
    lines=$(grep -c . "$file" || true)
    if [ "$lines" != "$want" ]; then
        bad "$what: $lines results, want $want: $(cat "$file")"
    elif ! awk '$1 != "closed" || $2 < 1.9 || $2 > 6 { exit 1 }' "$file"; then
        bad "$what: want every connection closed 2 s after it began: $(tr '\n' ' ' <"$file")"
    else
        ok
    fi
}

# ---- options ---------------------------------------------------------------------------------------
for bad_opt in "--max-connections 0" "--request-timeout 0" "--request-timeout 3601"; do
    set +e
    # shellcheck disable=SC2086
    "$signer_cli" serve --keystore "$HALLMARK_KEYSTORE" --listen 127.0.0.1:0 --audit "$work/x.log" \
        --clients "$work/clients.json" $bad_opt >/dev/null 2>"$work/err"
    st=$?
    set -e
    opt=${bad_opt% *}
    [ "$st" = 2 ] && grep -q -- "$opt: 1 to" "$work/err" && ok || bad "$bad_opt: exit $st, $(cat "$work/err")"
done

# ---- plain HTTP: one worker, four connections, two seconds per request ------------------------------
tls=()
start_signer "$work/slow.log" --threads 1 --max-connections 4 --request-timeout 2
host_port
python3 "$slow" "$host" "$port" 4 headers 8 >"$work/headers.out" &
slow_pid=$!
sleep 0.7
# A fifth client is not refused: it waits in the backlog while the four slow ones hold the worker.
set +e
curl -sS --max-time 1 -o /dev/null "$url/healthz" 2>/dev/null
st=$?
set -e
[ "$st" = 28 ] && ok || bad "a fifth connection should wait while four are held (curl exit $st)"
# Once the deadline cuts the slow ones, the waiting clients are served again.
code=$(curl -sS --max-time 8 -o /dev/null -w '%{http_code}' "$url/healthz" || true)
[ "$code" = 200 ] && ok || bad "healthz after the slow clients were cut: $code"
wait "$slow_pid"
check_cut "slow headers (slowloris)" "$work/headers.out" 4

python3 "$slow" "$host" "$port" 2 body 8 >"$work/body.out"
check_cut "slow body" "$work/body.out" 2
[ "$(wc -l <"$work/signatures.log" 2>/dev/null || echo 0)" = 0 ] && ok || bad "a cut request must not be signed"

# A connection that keeps sending whole requests outlives the deadline: it is reset by each one.
if python3 - "$host" "$port" <<'PY'; then ok; else bad "a busy keep-alive connection was cut"; fi
import http.client, json, sys, time
c = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=5)
body = json.dumps({"brand": "acme-bank", "channel": "sms", "from": "ACMEBANK", "to": "+447700900123",
                   "body": "keep-alive", "category": "transactional", "sender": {"kind": "automated"}})
for i in range(8):  # 8 requests 0.6 s apart: 4.8 s on one connection, twice the deadline
    c.request("POST", "/v1/sign", body, {"Content-Type": "application/json",
                                          "Authorization": "Bearer acme-secret-token"})
    r = c.getresponse()
    r.read()
    assert r.status == 200, r.status
    time.sleep(0.6)
PY
[ "$(metric hallmark_connections_cut_total)" = 6 ] && ok || bad "metrics: cut total $(metric hallmark_connections_cut_total), want 6"
paused=$(metric hallmark_accept_paused_total)
[ "${paused:-0}" -ge 1 ] && ok || bad "metrics: accept paused total '$paused', want at least 1"
# A client that pipelines requests without reading the answers, then floods: the server stops
# reading it at the connection's read limit instead of buffering the flood.
rss_kb() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$signer_pid/status"; }
rss_before=$(rss_kb)
python3 "$slow" "$host" "$port" 1 flood 4 >"$work/flood.out"
rss_after=$(rss_kb)
grown=$(((rss_after - rss_before) / 1024))
[ "$grown" -lt 64 ] && ok || bad "a flooding client grew the server by $grown MiB ($(cat "$work/flood.out") bytes sent)"
code=$(curl -sS --max-time 8 -o /dev/null -w '%{http_code}' "$url/healthz" || true)
[ "$code" = 200 ] && ok || bad "healthz after the flood: $code"
stop_signer
grep -q '"status":200' "$work/slow.log" && ok || bad "the service log should show the served requests"

# ---- TLS: a client that never starts its handshake ------------------------------------------------
pki=$work/pki
mkdir -p "$pki"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$pki/server.key" -out "$pki/server.pem" 2>/dev/null
start_signer "$work/tls.log" --threads 2 --max-connections 100 --request-timeout 2 \
    --tls-cert "$pki/server.pem" --tls-key "$pki/server.key"
tls=(--cacert "$pki/server.pem")
host_port
python3 "$slow" "$host" "$port" 3 silent 8 >"$work/silent.out"
check_cut "TLS handshake never started" "$work/silent.out" 3
code=$(curl -sS --max-time 5 "${tls[@]}" -o "$work/resp" -w '%{http_code}' -H 'Content-Type: application/json' \
    "${auth[@]}" --data-binary "$(msg acme-bank ACMEBANK +447700900123 'after the slow ones')" "$url/v1/sign" || true)
[ "$code" = 200 ] && [ "$(verify_token "$work/resp" ACMEBANK +447700900123 'after the slow ones')" = HALLMARK_VERIFIED ] &&
    ok || bad "TLS sign after slow clients: $code $(head -c 200 "$work/resp")"
[ "$(metric hallmark_connections_cut_total)" = 3 ] && ok || bad "TLS metrics: cut total $(metric hallmark_connections_cut_total), want 3"
stop_signer

echo "signer-slow: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
