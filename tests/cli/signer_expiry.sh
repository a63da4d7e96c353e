#!/usr/bin/env bash
# The service's refusals that depend on time and on the disk (spec/signer-api.yaml, threat-model
# section 3.2): a brand whose credential has expired (409 brand_expired), a trust bundle that
# expires while the service runs (503 unavailable, /healthz 503), and a signature log that can no
# longer be written (503 unavailable for good, no torn line left). The keystore is built with its
# clock set back (HALLMARK_NOW); the service runs on the real clock.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh

export HALLMARK_NOW=$(($(date +%s) - 2 * 86400))
make_keystore
expect_ok "globex valid for one day, two days ago" brand update globex --valid-for 1d
expect_ok "publish two days ago" publish
unset HALLMARK_NOW
write_clients

# sign TOKEN BODY: status in $code, error code in $ecode.
sign() {
    code=$(curl -sS --max-time 10 -o "$work/resp" -w '%{http_code}' -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $1" --data-binary "$2" "$url/v1/sign" 2>"$work/curl.err" || true)
    ecode=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("error", {}).get("code", "-"))' "$work/resp" 2>/dev/null || echo not-json)
}
log_lines() { if [ -f "$work/signatures.log" ]; then wc -l <"$work/signatures.log"; else echo 0; fi; }

# start_with_file_limit BLOCKS LOG: the service with RLIMIT_FSIZE at BLOCKS KiB and SIGXFSZ
# ignored, so that writes past it fail with EFBIG; sets $signer_pid, $watchdog_pid and $url.
start_with_file_limit() {
    (
        trap '' XFSZ
        ulimit -f "$1"
        exec "$signer_cli" serve --keystore "$HALLMARK_KEYSTORE" --listen 127.0.0.1:0 \
            --audit "$work/signatures.log" --clients "$work/clients.json" --threads 1 \
            >"$work/listen.out" 2>"$2"
    ) &
    signer_pid=$!
    (sleep 120 && kill -TERM "$signer_pid" 2>/dev/null) >/dev/null 2>&1 &
    watchdog_pid=$!
    for _ in $(seq 100); do grep -q "listening on" "$work/listen.out" && break; sleep 0.1; done
    url=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$work/listen.out")
}

start_signer "$work/expiry.log"
sign acme-secret-token "$(msg acme-bank ACMEBANK +447700900123 'still valid')"
[ "$code" = 200 ] && ok || bad "acme, valid credential: $code $(cat "$work/resp")"
sign globex-secret-token "$(msg globex GLOBEX +447700900123 'expired brand')"
[ "$code" = 409 ] && [ "$ecode" = brand_expired ] && grep -q '"field":"brand"' "$work/resp" && ok ||
    bad "expired brand credential: HTTP $code $ecode $(cat "$work/resp")"
[ "$(log_lines)" = 1 ] && ok || bad "a refused brand left a record: $(log_lines) lines"
stop_signer

# A bundle that expires a few seconds after the service loaded it.
now=$(date +%s)
HALLMARK_NOW=$((now - 90)) hk publish --expires 100s
[ "$status" = 0 ] && ok || bad "publish a bundle expiring in 10 s: $(cat "$work/err")"
bundle_exp=$((now + 10))
start_signer "$work/expiry2.log"
sign acme-secret-token "$(msg acme-bank ACMEBANK +447700900123 'before the bundle expires')"
[ "$code" = 200 ] && ok || bad "sign before the bundle expires: $code $(cat "$work/resp")"
while [ "$(date +%s)" -le $((bundle_exp + 1)) ]; do sleep 0.5; done
sign acme-secret-token "$(msg acme-bank ACMEBANK +447700900123 'after the bundle expired')"
[ "$code" = 503 ] && [ "$ecode" = unavailable ] && grep -q "the trust bundle in force has expired" "$work/resp" &&
    ok || bad "sign after the bundle expired: HTTP $code $ecode $(cat "$work/resp")"
code=$(curl -sS -o "$work/resp" -w '%{http_code}' "$url/healthz" || true)
[ "$code" = 503 ] && grep -q '"status":"unavailable"' "$work/resp" && ok || bad "healthz with an expired bundle: $code $(cat "$work/resp")"
# Publishing and reloading (SIGHUP) brings it back.
expect_ok "publish a fresh bundle" publish
kill -HUP "$signer_pid"
for _ in $(seq 50); do
    sign acme-secret-token "$(msg acme-bank ACMEBANK +447700900123 'after the reload')"
    [ "$code" = 200 ] && break
    sleep 0.1
done
[ "$code" = 200 ] && ok || bad "sign after publish + SIGHUP: $code $(cat "$work/resp")"
stop_signer

# The file-size limit below is for the signature log, but it binds every file of the process, the
# token directory's SQLite files too (its -shm index alone is 32 KiB): grow the log past them
# first, with e-mail messages, whose tokens travel inline and never touch the store.
start_signer "$work/grow.log"
emails=$(for i in $(seq 100); do printf '{"brand":"acme-bank","channel":"email","from":"acme.example","to":"c%s@example.com","body":"statement %s","category":"transactional","sender":{"kind":"automated"}},' "$i" "$i"; done | sed 's/,$//')
for _ in 1 2 3; do
    curl -sS -o /dev/null -H 'Content-Type: application/json' -H "Authorization: Bearer acme-secret-token" \
        --data-binary "{\"messages\":[$emails]}" "$url/v1/sign/batch"
done
stop_signer
[ "$(stat -c %s "$work/signatures.log")" -gt 40960 ] && ok || bad "the log did not grow past 40 KiB"

# A signature log that cannot grow (RLIMIT_FSIZE; SIGXFSZ ignored, so writes fail with EFBIG).
before=$(stat -c %s "$work/signatures.log")
lines_before=$(log_lines)
start_with_file_limit $(((before + 700) / 1024 + 1)) "$work/full.log"
echo "log limit test starts at $before bytes"; limit=$((((before + 700) / 1024 + 1) * 1024))
statuses=
for i in $(seq 12); do
    sign acme-secret-token "$(msg acme-bank ACMEBANK +447700900123 "record $i with some padding to fill the file quickly")"
    statuses="$statuses $code"
done
case "$statuses" in
*200*503*) ok ;;
*) bad "log full: want some 200 then 503, got$statuses" ;;
esac
case "$statuses" in
*503*200*) bad "a 200 after the log failed:$statuses" ;;
*) ok ;;
esac
[ "$ecode" = unavailable ] && grep -q "the signature log cannot be written: signing stopped" "$work/resp" && ok ||
    bad "log full: last error $ecode $(cat "$work/resp")"
code=$(curl -sS -o "$work/resp" -w '%{http_code}' "$url/healthz" || true)
[ "$code" = 503 ] && ok || bad "healthz with a failed log: $code"
stop_signer
echo "statuses:$statuses"; signed=$(echo "$statuses" | tr ' ' '\n' | grep -c '^200$' || true)
[ "$(log_lines)" = $((lines_before + signed)) ] && [ "$(stat -c %s "$work/signatures.log")" -le "$limit" ] && ok ||
    bad "log full: $(log_lines) lines for $lines_before + $signed tokens"
# No torn line: the whole chain still verifies, so the next start (without the limit) works.
start_signer "$work/after-full.log"
sign acme-secret-token "$(msg acme-bank ACMEBANK +447700900123 'disk has room again')"
[ "$code" = 200 ] && ok || bad "after the disk has room again: $code $(cat "$work/resp") $(tail -2 "$work/after-full.log")"
stop_signer

# A batch whose records do not fit: none of its tokens is handed out, and the log keeps no part
# of it (all its records go in one write, cut back on failure).
before=$(stat -c %s "$work/signatures.log")
lines_before=$(log_lines)
start_with_file_limit $(((before + 500) / 1024 + 1)) "$work/batch-full.log"
batch="{\"messages\":[$(for i in $(seq 20); do printf '%s,' "$(msg acme-bank ACMEBANK +447700900123 "batch $i")"; done | sed 's/,$//')]}"
code=$(curl -sS --max-time 10 -o "$work/resp" -w '%{http_code}' -H 'Content-Type: application/json' \
    -H "Authorization: Bearer acme-secret-token" --data-binary "$batch" "$url/v1/sign/batch" || true)
if [ "$code" = 200 ] && python3 - "$work/resp" <<'PY'; then ok; else bad "batch over a full disk: $code $(head -c 300 "$work/resp")"; fi
import json, sys
r = json.load(open(sys.argv[1]))["results"]
assert len(r) == 20 and all(x.get("error", {}).get("code") == "unavailable" for x in r), r[:2]
PY
stop_signer
[ "$(log_lines)" = "$lines_before" ] && [ "$(stat -c %s "$work/signatures.log")" = "$before" ] && ok ||
    bad "batch over a full disk left $(($(log_lines) - lines_before)) records"

echo "signer-expiry: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
