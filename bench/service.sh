#!/usr/bin/env bash
# Row 4 of make bench: hallmark-signer serve on 127.0.0.1 (plain HTTP: the bench measures signing,
# not TLS) under wrk, one wrk thread, BENCH_SECONDS per run. Single messages over 1 to 16
# keep-alive connections (the highest rate without errors, and its p99), batches of 10 and 100,
# and 1 and CORES server threads. The server's CPU time comes from /proc/PID/stat before and after
# each run. Writes one row per run, WORK/rows/service-NAME.json, for report.py.
# usage: bench/service.sh BUILD WORK SECONDS CORES   (WORK from run.sh: ks/, pass, mix.ndjson)
set -euo pipefail
build=$1
work=$2
secs=$3
cores=$4
signer=$build/bin/hallmark-signer
ticks=$(getconf CLK_TCK)
dur=$(awk "BEGIN{d = int($secs + 0.5); print d < 1 ? 1 : d}") # wrk takes whole seconds
token=bench-pipeline-token
pid=
watchdog=
stop() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
    if [ -n "$watchdog" ]; then kill "$watchdog" 2>/dev/null || true; wait "$watchdog" 2>/dev/null || true; fi
    pid=
    watchdog=
}
trap stop EXIT

hash=$(printf '%s' "$token" | openssl dgst -sha256 -binary | basenc --base64url | tr -d '=')
printf '{"clients":[{"id":"bench","token_sha256":"%s","brands":["*"]}]}\n' "$hash" >"$work/clients.json"
cp "$work/mix.ndjson" "$work/bodies-1.ndjson"
for size in 10 100; do python3 bench/workload.py batches "$work/mix.ndjson" "$size" >"$work/bodies-$size.ndjson"; done

# start THREADS: the service on a free loopback port; sets $pid and $url. A watchdog stops it
# after 10 minutes whatever happens here.
start() {
    : >"$work/listen.out"
    "$signer" serve --keystore "$HALLMARK_KEYSTORE" --listen 127.0.0.1:0 --threads "$1" \
        --audit "$work/serve-signatures-$1.log" --clients "$work/clients.json" --rate 1000000 \
        --batch-max 100 >"$work/listen.out" 2>"$work/serve.log" &
    pid=$!
    (sleep 600 && kill -TERM "$pid" 2>/dev/null) >/dev/null 2>&1 &
    watchdog=$!
    for _ in $(seq 100); do
        grep -q "listening on" "$work/listen.out" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    url=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$work/listen.out")
    [ -n "$url" ] || { echo "bench: the service did not start: $(tail -3 "$work/serve.log")" >&2; exit 1; }
}

cpu_ticks() { sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}'; }

# run NAME SERVER_THREADS CONNECTIONS BATCH
run() {
    local name=$1 threads=$2 conns=$3 batch=$4 path=/v1/sign before after
    [ "$batch" -eq 1 ] || path=/v1/sign/batch
    before=$(cpu_ticks)
    wrk -t1 -c"$conns" -d"${dur}s" --timeout 2s -s bench/wrk_post.lua "$url$path" -- \
        "$work/bodies-$batch.ndjson" "$path" "$token" >"$work/wrk.out" 2>&1 ||
        { cat "$work/wrk.out" >&2; exit 1; }
    after=$(cpu_ticks)
    tail -n 1 "$work/wrk.out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
name, threads, conns, batch, cpu_ticks, tck = sys.argv[1:7]
batch = int(batch)
cpu = int(cpu_ticks) / int(tck)
r.update(name=name, server_threads=int(threads), connections=int(conns), batch=batch,
         server_cpu_s=round(cpu, 2))
r["rps"] = round(r["requests"] / r["seconds"])
r["sign"] = round(r["requests"] * batch / r["seconds"])
r["sign_per_cpu"] = round(r["requests"] * batch / cpu) if cpu > 0 else None
print(json.dumps(r))' "$name" "$threads" "$conns" "$batch" "$((after - before))" "$ticks" \
        >"$work/rows/service-$name.json"
}

start "$cores"
for c in 1 2 4 8 16; do run "single-c$c" "$cores" "$c" 1; done
run "batch10-c4" "$cores" 4 10
run "batch100-c2" "$cores" 2 100
run "batch100-c4" "$cores" 4 100
stop
if [ "$cores" -gt 1 ]; then
    start 1
    run "single-t1-c4" 1 4 1
    run "batch10-t1-c4" 1 4 10
    run "batch100-t1-c4" 1 4 100
    stop
fi
