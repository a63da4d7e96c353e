#!/usr/bin/env bash
# Row 8 of make bench: the token directory's store (signer/store/), SQLite and PostgreSQL (a server
# this script starts, as the tests do: tests/cli/lib/postgres.sh).
#   - signing batches of 100 SMS with each store, as a ratio to signing without one, in the same
#     process and run (bench-store sign);
#   - bytes stored per token, and the cost of a purge step at 100k and 1M live tokens
#     (bench-store purge: 10,000 lapsed tokens removed among them);
#   - directory lookups per second on loopback: hallmark-signer directory under wrk, 20,000 keys;
#   - row 9: consent and cap checks per signature (bench-store consent), each store, as a ratio
#     to signing the same batches without them.
# Writes WORK/rows/store-*.json for report.py.
# usage: bench/store.sh BUILD WORK SECONDS   (WORK from run.sh: ks/, pass, messages.ndjson)
set -euo pipefail
build=$1
work=$2
secs=$3
tool=$build/bench/bench-store
signer=$build/bin/hallmark-signer
dur=$(awk "BEGIN{d = int($secs + 0.5); print d < 1 ? 1 : d}")
pid=
watchdog=
. tests/cli/lib/postgres.sh
stop() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
    if [ -n "$watchdog" ]; then kill "$watchdog" 2>/dev/null || true; wait "$watchdog" 2>/dev/null || true; fi
    pid=
    watchdog=
}
trap 'stop; pg_stop' EXIT
pg_start || { echo "bench: PostgreSQL did not start (make deps installs postgresql-15)" >&2; exit 1; }
pg() { echo "postgres:$(pg_createdb "$1")"; }

grep -m 100 '"channel":"sms"' "$work/messages.ndjson" >"$work/sms100.ndjson"
"$tool" sign "$HALLMARK_KEYSTORE" "$work/pass" "$work/sms100.ndjson" \
    "sqlite:$work/store-sign.db" "$(pg sign)" >"$work/rows/store-sign.json"
# Row 9 (issue 15): consent and cap checks per signature, the same batches, as a ratio to signing
# without them in the same process and run.
"$tool" consent "$HALLMARK_KEYSTORE" "$work/pass" "$work/sms100.ndjson" "$work/consent.key" \
    "sqlite:$work/store-consent.db" "$(pg consent)" >"$work/rows/store-consent.json"

for live in 100000 1000000; do
    "$tool" purge "sqlite:$work/purge-$live.db" "$live" 10000 >"$work/purge.json"
    bytes=$(stat -c %s "$work/purge-$live.db")
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["bytes_per_token"]=round(int(sys.argv[2])/(r["live"]+r["lapsed"])); print(json.dumps(r))' \
        "$work/purge.json" "$bytes" >"$work/rows/store-purge-sqlite-$live.json"
    rm -f "$work/purge-$live.db"*
    spec=$(pg "purge$live")
    "$tool" purge "$spec" "$live" 10000 >"$work/purge.json"
    bytes=$(pg_sql "purge$live" "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid")
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["bytes_per_token"]=round(int(sys.argv[2])/r["live"]); print(json.dumps(r))' \
        "$work/purge.json" "$bytes" >"$work/rows/store-purge-postgres-$live.json"
    pg_sql postgres "DROP DATABASE \"purge$live\"" >/dev/null
done

# lookups BACKEND SPEC: a directory node on SPEC, filled with 20,000 tokens, under wrk.
lookups() {
    "$tool" fill "$2" 20000 | sed 's|^|/v1/tokens/|' >"$work/lookup-paths"
    : >"$work/listen.out"
    "$signer" directory --store "$2" --listen 127.0.0.1:0 --directory-rate 1000000 \
        >"$work/listen.out" 2>"$work/directory.log" &
    pid=$!
    (sleep 600 && kill -TERM "$pid" 2>/dev/null) >/dev/null 2>&1 &
    watchdog=$!
    for _ in $(seq 100); do grep -q "listening on" "$work/listen.out" && break; sleep 0.1; done
    url=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$work/listen.out")
    [ -n "$url" ] || { echo "bench: the directory did not start: $(tail -3 "$work/directory.log")" >&2; exit 1; }
    wrk -t1 -c16 -d"${dur}s" --timeout 2s -s bench/wrk_get.lua "$url" -- "$work/lookup-paths" \
        >"$work/wrk.out" 2>&1 || { cat "$work/wrk.out" >&2; exit 1; }
    stop
    tail -n 1 "$work/wrk.out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
r["backend"] = sys.argv[1]
r["lookups"] = round(r["requests"] / r["seconds"])
print(json.dumps(r))' "$1" >"$work/rows/store-lookups-$1.json"
}
lookups sqlite "sqlite:$work/lookups.db"
lookups postgres "$(pg lookups)"
