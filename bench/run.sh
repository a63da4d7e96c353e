#!/usr/bin/env bash
# make bench: every row of docs/benchmarks.md, on this machine, in one run. Builds a throwaway
# keystore with four brands, a 200,000-message mix, and measures: the limit (raw libsodium and
# OpenSSL), the signer library, pipe mode, the HTTP service under wrk, the verifier (one thread and
# all cores), trust bundles of 100 / 1,000 / 10,000 brands, the token store (SQLite, PostgreSQL)
# and npm jose in Node.js, and the WebAssembly verifier in Node and Chromium. Prints the
# table, writes bench/results/latest.json and the chart bench/results/latest.png.
# Knobs: BENCH_SECONDS (per measured row, default 2), BENCH_MESSAGES (pipe mode, default 200000).
# Every server listens on 127.0.0.1, port 0, and is stopped by a watchdog if this script dies.
set -euo pipefail
build=${1:-build}
secs=${BENCH_SECONDS:-2}
count=${BENCH_MESSAGES:-200000}
cores=$(nproc)
tools=$build/bench
keys=$build/bin/hallmark-keys
signer=$build/bin/hallmark-signer
results=bench/results
work=$(mktemp -d)
pid=
watchdog=
started=$(date +%s)
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
    if [ -n "$watchdog" ]; then kill "$watchdog" 2>/dev/null || true; fi
    if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$results" "$work/rows"
step() { printf 'bench: %-58s %4ds\n' "$1" "$(($(date +%s) - started))" >&2; }
row() { cat >"$work/rows/$1.json"; } # row NAME < JSON: one result object for report.py

step "keystore: 4 brands with logos, keys published"
# shellcheck source=bench/keystore.sh
. bench/keystore.sh
bench_keystore "$build" "$work"
root=$(cat "$HALLMARK_KEYSTORE/root.pub")
bundle=$HALLMARK_KEYSTORE/published/bundle.jws

# The mix goes to a platform's repeat customers (50 of them), whose recipient stems the signer's
# threads remember (spec HM-TOKEN-55); the phone corpus is one customer's messages from every
# brand and channel, as the app on their phone verifies them; the new-recipient corpus gives
# every token a recipient of its own, so that each verification pays the Argon2id.
customers=50
step "workload: $count messages to $customers customers (bench/workload.py)"
python3 bench/workload.py messages "$count" "$customers" >"$work/messages.ndjson"
head -n 20000 "$work/messages.ndjson" >"$work/mix.ndjson"
python3 bench/workload.py messages 20000 1 >"$work/phone.ndjson"
python3 bench/workload.py messages 500 >"$work/new.ndjson"
for corpus in phone new; do
    "$signer" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/$corpus-signatures.log" \
        <"$work/$corpus.ndjson" >"$work/signed-$corpus.ndjson" 2>"$work/pipe.err" ||
        { cat "$work/pipe.err" >&2; exit 1; }
done

step "2. signer library in-process (bench-sign)"
"$tools/bench-sign" "$HALLMARK_KEYSTORE" "$work/pass" "$work/mix.ndjson" | row sign
# The same mix signed with ES256 keys (a keystore of its own, made in a subshell so that the
# rest of the run keeps the Ed25519 one), beside OpenSSL ES256 with its contexts kept; and the
# phone corpus signed with those keys, for the ES256 verify row (5).
(
    bench_keystore "$build" "$work" es256 "$work/ks-es256"
    "$signer" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/phone-es256-signatures.log" \
        <"$work/phone.ndjson" >"$work/signed-phone-es256.ndjson" 2>"$work/pipe.err" ||
        { cat "$work/pipe.err" >&2; exit 1; }
    "$tools/bench-sign" "$HALLMARK_KEYSTORE" "$work/pass" "$work/mix.ndjson" --es256
) | row sign-es256
input=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["signing_input_mean"])' \
    "$work/rows/sign.json")

step "1. the limit: raw libsodium and OpenSSL, $input-byte input (bench-core)"
"$tools/bench-core" "$input" --json | row core

step "3. pipe mode: hallmark-signer sign, $count messages, the limit before and after"
"$tools/bench-core" "$input" --json | row limit-pipe-before
TIMEFORMAT='%R %U %S'
{ time "$signer" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/pipe-signatures.log" \
    <"$work/messages.ndjson" >"$work/signed.ndjson" 2>"$work/pipe.err"; } 2>"$work/pipe.time" ||
    { cat "$work/pipe.err" >&2; exit 1; }
read -r wall user sys <"$work/pipe.time"
signed=$(grep -c '"token"' "$work/signed.ndjson" || true)
[ "$signed" -eq "$count" ] || { echo "bench: pipe mode signed $signed of $count" >&2; exit 1; }
row pipe <<JSON
{"messages":$count,"wall_s":$wall,"cpu_s":$(awk "BEGIN{print $user + $sys}"),"sign":$(awk "BEGIN{printf \"%.0f\", $count / $wall}")}
JSON
"$tools/bench-core" "$input" --json | row limit-pipe-after
head -n 20000 "$work/signed.ndjson" >"$work/signed-mix.ndjson"

step "5. verifier, 1 and $cores threads, one customer's phone (bench-verify)"
"$tools/bench-verify" "$root" "$bundle" "$work/signed-phone.ndjson" "$cores" | row verify
step "5. verifier, ES256 keys, 1 and $cores threads, one customer's phone (bench-verify --es256)"
"$tools/bench-verify" "$(cat "$work/ks-es256/root.pub")" "$work/ks-es256/published/bundle.jws" \
    "$work/signed-phone-es256.ndjson" "$cores" --es256 | row verify-es256
step "5. verifier, 1 thread, every token a new recipient (bench-verify)"
"$tools/bench-verify" "$root" "$bundle" "$work/signed-new.ndjson" 1 | row verify-new

for n in 100 1000 10000; do
    step "6. trust bundle of $n brands x 3 keys (bench-bundle, bench-verify)"
    # The next bundle changes 5 brands: the reload row (issue 16, spec HM-BUNDLE-112).
    "$tools/bench-bundle" "$HALLMARK_KEYSTORE" "$work/pass" "$n" "$work/bundle-$n.jws" \
        "$work/bundle-$n-next.jws"
    "$tools/bench-verify" "$root" "$work/bundle-$n.jws" "$work/signed-phone.ndjson" 1 \
        --reload "$work/bundle-$n-next.jws" | row "bundle-$n"
done

step "4. hallmark-signer serve under wrk (bench/service.sh), the limit before and after"
"$tools/bench-core" "$input" --json | row limit-service-before
bench/service.sh "$build" "$work" "$secs" "$cores"
"$tools/bench-core" "$input" --json | row limit-service-after

step "8. the token directory's store: SQLite and PostgreSQL (bench/store.sh)"
bench/store.sh "$build" "$work" "$secs"

step "7. peer: npm jose in Node.js (bench/jose_bench.mjs)"
# shellcheck source=tests/cli/lib/jose.sh
source tests/cli/lib/jose.sh
if reason=$(jose_setup); then
    node bench/jose_bench.mjs "$PWD/$jose_dir" "$work/signed-mix.ndjson" "$secs" | row jose
else
    printf '{"skipped":"%s"}\n' "$reason" | row jose
fi

step "7. peers: cjose and libjwt, ES256, the same claims (bench-peers)"
"$tools/bench-peers" "$work/signed-mix.ndjson" | row peers

step "10. the WebAssembly verifier in Node and Chromium, beside jose (bench/wasm_bench.mjs)"
if reason=$(jose_setup); then
    # puppeteer-core drives Debian's chromium (no browser download), as tests/cli/wasm_browser.sh.
    [ -f "$jose_dir/node_modules/puppeteer-core/package.json" ] ||
        timeout 180 npm install --prefix "$jose_dir" --no-audit --no-fund --silent puppeteer-core@24 \
            >/dev/null 2>&1 || true
    node bench/wasm_bench.mjs "$PWD/$jose_dir" "$PWD/build/wasm/pkg" "$root" "$bundle" \
        "$work/signed-phone.ndjson" "$secs" | row wasm
else
    printf '{"skipped":"%s"}\n' "$reason" | row wasm
fi

step "11. brand keys in a PKCS#11 token: SoftHSM2 beside file keys (bench/pkcs11.sh)"
bench/pkcs11.sh "$build" | python3 -c '
import json, re, sys
rows = []
for line in sys.stdin:
    m = re.match(r"pkcs11 (\S+)\s+threads=(\d+)\s+file\s+(\d+)/s\s+token\s+(\d+)/s\s+ratio \S+\s+"
                 r"module alone\s+(\d+)/s", line)
    if m:
        rows.append({"alg": m.group(1), "threads": int(m.group(2)), "file": int(m.group(3)),
                     "token": int(m.group(4)), "module": int(m.group(5))})
print(json.dumps({"rows": rows} if rows else {"skipped": "bench/pkcs11.sh printed no row"}))
' | row pkcs11

step "1. the limit again, at the end (the report keeps the best of both)"
"$tools/bench-core" "$input" --json | row core-end

step "report (bench/report.py) and chart (bench/chart.gp)"
python3 bench/report.py "$work/rows" "$results/latest.json" "$work/chart" "$(($(date +%s) - started))"
gnuplot -e "datadir='$work/chart'; out='$results/latest.png'" bench/chart.gp
echo "bench: wrote $results/latest.json and $results/latest.png in $(($(date +%s) - started)) s"
