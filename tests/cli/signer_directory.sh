#!/usr/bin/env bash
# The token directory (spec 9.5-9.6), for real: hallmark-signer keeps every SMS token in its store
# before it returns it, and serves it at GET /v1/tokens/KEY, where the app finds it with the key
# it computes from its own message (hallmark-verify --lookup-key) and verifies it (--tokens).
# SQLite (the default, beside the signature log) and PostgreSQL (a server this test starts);
# pipe mode publishes per chunk; a store that cannot be written means no token is handed out.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh
. tests/cli/lib/postgres.sh
trap 'stop_signer; pg_stop; rm -rf "$work"' EXIT

make_keystore
write_clients
root=$HALLMARK_KEYSTORE/root.pub
bundle=$HALLMARK_KEYSTORE/published/bundle.jws
auth=(-H "Authorization: Bearer acme-secret-token")
body="Acme Bank: your code is 482 913. Never share it."

# sign JSON: POST /v1/sign; the reply in $work/signed, the status in $code.
sign() {
    code=$(curl -sS -o "$work/signed" -w '%{http_code}' "${auth[@]}" \
        -H 'Content-Type: application/json' --data-binary "$1" "$url/v1/sign" || true)
}
# lookup TO BODY: the key an app computes for an SMS from ACMEBANK to TO with BODY.
lookup() {
    python3 -c 'import json,sys; print(json.dumps({"channel":"sms","from":"ACMEBANK","to":sys.argv[1],"body":sys.argv[2]}))' \
        "$1" "$2" >"$work/sms.json"
    "$verify_cli" --lookup-key --message "$work/sms.json"
}
# fetch PATH: GET on the directory; the body in $work/fetched, headers in $work/headers.
fetch() {
    code=$(curl -sS --path-as-is -D "$work/headers" -o "$work/fetched" -w '%{http_code}' "$url$1" ||
        true)
}
# app_verdict: what the app decides for $work/sms.json with the directory's answer.
app_verdict() {
    [ "$code" = 200 ] || echo '{"tokens":[]}' >"$work/fetched"
    "$verify_cli" --root "$root" --bundle "$bundle" --message "$work/sms.json" \
        --tokens "$work/fetched" --json 2>/dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])'
}
token_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$1"; }
check() { # LABEL CONDITION...
    local label=$1
    shift
    if "$@"; then ok; else bad "$label"; fi
}

start_signer "$work/signer.log"
sign "$(msg acme-bank ACMEBANK +447700900123 "$body")"
check "sms signed" [ "$code" = 200 ]
token=$(token_of "$work/signed")
check "the default store is beside the signature log" [ -s "$work/tokens.db" ]
key=$(lookup +447700900123 "$body")
fetch "/v1/tokens/$key"
check "directory: the token of the SMS is served" [ "$code" = 200 ]
check "directory: exactly that token" [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tokens"])' "$work/fetched")" = "['$token']" ]
check "directory: private, briefly cached" grep -qi '^Cache-Control: private, max-age=60' "$work/headers"
check "the app verifies the fetched token" [ "$(app_verdict)" = HALLMARK_VERIFIED ]
# HM-CARRY-30 (issue 22, item 6): an SMS with typographic characters is kept under its GSM-7
# rendering's key too, where the app looks after a CPaaS transliterated it, and verifies there.
sign "$(msg acme-bank ACMEBANK +447700900123 'Acme Bank: it’s due – pay “£10” by 1 Dec…')"
check "rendering: the SMS is signed" [ "$code" = 200 ]
key=$(lookup +447700900123 'Acme Bank: it'"'"'s due - pay "£10" by 1 Dec...')
fetch "/v1/tokens/$key"
check "rendering: the token is served under the GSM-7 rendering's key" [ "$code" = 200 ]
check "rendering: the app verifies the transliterated SMS" [ "$(app_verdict)" = HALLMARK_VERIFIED ]
key=$(lookup +447700900123 'Acme Bank: it’s due – pay “£10” by 1 Dec…')
fetch "/v1/tokens/$key"
check "rendering: and under the key of the SMS as sent" [ "$code" = 200 ]
check "rendering: the SMS as sent verifies too" [ "$(app_verdict)" = HALLMARK_VERIFIED ]
key=$(lookup +447700900123 "Acme Bank: your code is 482 914. Never share it.")
fetch "/v1/tokens/$key"
check "a one-character change finds nothing" [ "$code" = 404 ]
check "the app says unsigned" [ "$(app_verdict)" = HALLMARK_UNSIGNED ]
key=$(lookup +447700900999 "$body")
fetch "/v1/tokens/$key"
check "another recipient finds nothing" [ "$code" = 404 ]
for bad_key in short "../../../etc/passwd" "$(printf 'A%.0s' $(seq 44))" "$(printf 'A%.0s' $(seq 42))%41"; do
    fetch "/v1/tokens/$bad_key"
    check "malformed key $bad_key is 400" [ "$code" = 400 ]
done
sign "$(msg acme-bank ACMEBANK +447700900123 "$body" '"carriage":"inline"')"
check "an SMS asking for inline carriage is refused" [ "$code" = 400 ]
check "the refusal names carriage" grep -q '"field":"carriage"' "$work/signed"
sign '{"brand":"acme-bank","channel":"email","from":"acme.example","to":"a@b.example","body":"x","category":"transactional","sender":{"kind":"automated"},"carriage":"directory"}'
check "e-mail through the directory is refused" [ "$code" = 400 ]
# A batch: every token is served under its own key.
curl -sS -o "$work/batch" "${auth[@]}" -H 'Content-Type: application/json' --data-binary \
    "{\"messages\":[$(msg acme-bank ACMEBANK +447700900101 one),$(msg acme-bank ACMEBANK +447700900102 two),$(msg acme-bank ACMEBANK +447700900103 three)]}" \
    "$url/v1/sign/batch"
for n in 1:one 2:two 3:three; do
    fetch "/v1/tokens/$(lookup "+44770090010${n%%:*}" "${n#*:}")"
    check "batch message ${n#*:} is in the directory" [ "$code" = 200 ]
done

# A store file that is not ours: refused at start, untouched.
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("CREATE TABLE contacts (name TEXT)"); c.commit()' "$work/contacts.db"
sum_before=$(sha256sum <"$work/contacts.db")
set +e
timeout 20 "$signer_cli" serve --keystore "$HALLMARK_KEYSTORE" --listen 127.0.0.1:0 --audit "$work/other.log" \
    --clients "$work/clients.json" --store "sqlite:$work/contacts.db" >/dev/null 2>"$work/notours.err"
st=$?
"$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/other.log" \
    --store "sqlite:$work/contacts.db" </dev/null >/dev/null 2>>"$work/notours.err"
st2=$?
set -e
check "a store file that is not ours: serve refuses to start (exit 2)" [ "$st" = 2 ]
check "a store file that is not ours: so does sign (exit 2)" [ "$st2" = 2 ]
check "and says so" grep -q 'not a Hallmark store' "$work/notours.err"
check "and leaves it as it was" [ "$(sha256sum <"$work/contacts.db")" = "$sum_before" ]

# Pipe mode on the same store (another signature log: one writer each), read by the service.
msg acme-bank ACMEBANK +447700900777 "piped code 1" >"$work/pipe.in"
printf '\n' >>"$work/pipe.in"
"$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/pipe.log" <"$work/pipe.in" \
    >"$work/pipe.out" 2>"$work/pipe.err"
fetch "/v1/tokens/$(lookup +447700900777 "piped code 1")"
check "a piped SMS is in the directory" [ "$code" = 200 ]
check "the piped token is the one printed" grep -qF -e "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tokens"][0])' "$work/fetched")" "$work/pipe.out"

# kill -9 right after the reply: the token the client got is still served after a restart.
sign "$(msg acme-bank ACMEBANK +447700900555 "after a crash")"
kill -9 "$signer_pid"
wait "$signer_pid" 2>/dev/null || true
signer_pid=
start_signer "$work/signer2.log"
fetch "/v1/tokens/$(lookup +447700900555 "after a crash")"
check "kill -9: the token handed out survives" [ "$code" = 200 ]
stop_signer

# Per-address rate limit.
start_signer "$work/signer3.log" --directory-rate 2
limited=0
for _ in 1 2 3 4 5 6; do
    fetch "/v1/tokens/$key"
    if [ "$code" = 429 ]; then limited=1; fi
done
check "lookups past the rate get 429" [ "$limited" = 1 ]
check "with Retry-After" grep -qi '^Retry-After: 1' "$work/headers"
stop_signer

# Every node purges on a timer (--purge-every): a token that lapsed (exp + 300 yesterday, put there
# by hand in the table of its day, as the store lays them out) is gone after a step with its day,
# a live one stays, and /metrics counts it.
lapsed_day=$(($(date +%s) / 86400 - 1))
python3 - "$work/tokens.db" "$lapsed_day" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
day = int(sys.argv[2])
db.execute(f"CREATE TABLE tokens_d{day} (seq INTEGER PRIMARY KEY, lookup_key TEXT NOT NULL,"
           " iat INTEGER NOT NULL, purge_at INTEGER NOT NULL, token TEXT NOT NULL)")
db.execute(f"INSERT INTO tokens_d{day} (lookup_key, iat, purge_at, token) VALUES (?, ?, ?, ?)",
           ("L" * 43, day * 86400 - 90000, day * 86400 + 10, "lapsed.token.x"))
db.commit()
PY
start_signer "$work/signer-purge.log" --purge-every 1
sleep 2.5
fetch "/v1/tokens/$(lookup +447700900123 "$body")"
check "purge: a live token stays" [ "$code" = 200 ]
check "purge: the lapsed day is gone" [ "$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM sqlite_master WHERE name = ?", (f"tokens_d{sys.argv[2]}",)).fetchone()[0])' "$work/tokens.db" "$lapsed_day")" = 0 ]
curl -sS -o "$work/metrics" "$url/metrics"
check "purge: counted in /metrics" grep -qx 'hallmark_tokens_purged_total 1' "$work/metrics"
stop_signer

# A full disk under the SQLite store (RLIMIT_FSIZE, SIGXFSZ ignored: writes fail with EFBIG) on a
# fresh signature log, so that the store fills first: 503s that carry no token, and every token
# handed out before is still served after a restart with room.
mkdir -p "$work/full"
start_signer "$work/full.err" --audit "$work/full/signatures.log"
stop_signer # the store now exists, with its schema
(
    trap '' XFSZ
    ulimit -f 96
    exec "$signer_cli" serve --keystore "$HALLMARK_KEYSTORE" --listen 127.0.0.1:0 \
        --audit "$work/full/signatures.log" --clients "$work/clients.json" --threads 1 \
        >"$work/listen.out" 2>"$work/full.err"
) &
signer_pid=$!
(sleep 120 && kill -TERM "$signer_pid" 2>/dev/null) >/dev/null 2>&1 &
watchdog_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/listen.out" && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$work/listen.out")
statuses= handed_out=0 tokens_in_refusals=0
for i in $(seq 60); do
    sign "$(msg acme-bank ACMEBANK +447700900123 "disk filling $i: $(printf 'x%.0s' $(seq 300))")"
    statuses="$statuses $code"
    if [ "$code" = 200 ]; then
        handed_out=$((handed_out + 1))
        printf '%s\t%s\n' "$i" "$(token_of "$work/signed")" >>"$work/full/handed-out"
    elif grep -q '"token"' "$work/signed"; then
        tokens_in_refusals=$((tokens_in_refusals + 1))
    fi
    [ "$code" = 503 ] && cp "$work/signed" "$work/full/refusal"
done
case "$statuses" in
*200*503*) ok ;;
*) bad "full disk: want 200s then 503s, got$statuses" ;;
esac
echo "full disk: $handed_out tokens handed out, then:$(echo "$statuses" | tr ' ' '\n' | sort | uniq -c | tr '\n' ' ')"
check "full disk: no refusal carries a token" [ "$tokens_in_refusals" = 0 ]
check "full disk: the refusal says why" grep -q 'the token directory cannot be written now' "$work/full/refusal"
stop_signer
start_signer "$work/signer-after-full.log" --audit "$work/full/signatures.log"
lost=0
while IFS=$'\t' read -r i token; do
    fetch "/v1/tokens/$(lookup +447700900123 "disk filling $i: $(printf 'x%.0s' $(seq 300))")"
    grep -qF -e "$token" "$work/fetched" || lost=$((lost + 1))
done <"$work/full/handed-out"
check "full disk: all $handed_out tokens handed out are served after a restart" [ "$lost" = 0 ]
sign "$(msg acme-bank ACMEBANK +447700900123 "room again")"
check "full disk: with room again, signing resumes" [ "$code" = 200 ]
stop_signer

# PostgreSQL: the same path, then an outage (503, no token handed out) and the recovery.
if pg_start; then
    conninfo=$(pg_createdb directory)
    start_signer "$work/signer4.log" --store "postgres:$conninfo"
    sign "$(msg acme-bank ACMEBANK +447700900321 "postgres code")"
    check "postgres: signed" [ "$code" = 200 ]
    fetch "/v1/tokens/$(lookup +447700900321 "postgres code")"
    check "postgres: served" [ "$code" = 200 ]
    check "postgres: the app verifies" [ "$(app_verdict)" = HALLMARK_VERIFIED ]
    pg_halt
    sign "$(msg acme-bank ACMEBANK +447700900322 "during the outage")"
    check "postgres down: 503" [ "$code" = 503 ]
    if grep -q '"token"' "$work/signed"; then bad "postgres down: no token handed out"; else ok; fi
    pg_resume
    sign "$(msg acme-bank ACMEBANK +447700900323 "after the outage")"
    check "postgres back: signing resumes" [ "$code" = 200 ]
    fetch "/v1/tokens/$(lookup +447700900323 "after the outage")"
    check "postgres back: served" [ "$code" = 200 ]
    # A commit that hangs (every PostgreSQL process stopped with SIGSTOP): the request waits off
    # the event loop, so requests that need no store are still answered (lookups wait for the
    # store like the commit); a client that gives up is let go, and its request freed once the
    # commit ends; at SIGTERM a waiting commit finishes first.
    pg_procs=$(head -1 "$pg_dir/data/postmaster.pid")
    pg_procs="$pg_procs $(pgrep -P "$pg_procs" | tr '\n' ' ')"
    kill -STOP $pg_procs
    code=$(curl -sS -m 1 -o /dev/null -w '%{http_code}' "${auth[@]}" -H 'Content-Type: application/json' \
        --data-binary "$(msg acme-bank ACMEBANK +447700900324 "given up")" "$url/v1/sign" 2>/dev/null || true)
    check "hung commit: the client that gives up gets no token" [ "$code" = 000 ]
    code=$(curl -sS -m 2 -o /dev/null -w '%{http_code}' "$url/healthz" || true)
    check "hung commit: the event loops still answer (healthz)" [ "$code" = 200 ]
    kill -CONT $pg_procs
    sign "$(msg acme-bank ACMEBANK +447700900325 "after the hang")"
    check "hung commit: the service goes on" [ "$code" = 200 ]
    kill -STOP $pg_procs
    curl -sS -m 10 -o "$work/waiting" -w '%{http_code}' "${auth[@]}" -H 'Content-Type: application/json' \
        --data-binary "$(msg acme-bank ACMEBANK +447700900326 "waiting at shutdown")" "$url/v1/sign" \
        >"$work/waiting.code" 2>/dev/null &
    waiting_client=$!
    sleep 0.5
    kill -TERM "$signer_pid"
    sleep 1.5
    kill -CONT $pg_procs
    wait "$signer_pid" && st=0 || st=$?
    signer_pid=
    wait "$waiting_client" || true
    check "hung commit at SIGTERM: the service still exits cleanly" [ "$st" = 0 ]
    [ "$st" = 0 ] || grep -v '^{"time"' "$work/signer4.log" | tail -40
    if [ -s "$work/waiting" ] && grep -q '"token"' "$work/waiting"; then
        fetch "/v1/tokens/$(lookup +447700900326 "waiting at shutdown")"
        check "hung commit at SIGTERM: a token handed out is stored" [ "$code" = 200 ]
    else
        ok
    fi
    stop_signer
else
    bad "PostgreSQL did not start (make deps installs postgresql-15)"
fi

echo "signer-directory: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
