#!/usr/bin/env bash
# Instructions per operation, counted by callgrind (valgrind): the same count for the same binary
# and input whatever else the machine is doing, where make bench's rates move with the neighbours.
# It builds the bench keystore (bench/keystore.sh), then counts:
#   sign    hm_signer_sign over 2,000 messages of the repeat-customer mix, stems from the memo
#           (bench-sign --count 1, after its first pass filled the memo);
#   verify  hallmark_verify over 2,000 tokens of one customer's phone (bench-verify --count 1);
# and in the same runs the bare signature inside them (crypto_sign_detached,
# crypto_sign_verify_detached), so each line says what the primitive costs and what the rest is.
# usage: bench/callgrind.sh [BUILD]    (make callgrind; BENCH_KEEP=1 keeps the profiles)
set -euo pipefail
build=${1:-build}
tools=$build/bench
signer=$build/bin/hallmark-signer
work=$(mktemp -d)
# BENCH_KEEP=1 keeps the work directory (the callgrind.out files, for callgrind_annotate).
trap 'if [ -n "${BENCH_KEEP:-}" ]; then echo "callgrind: kept $work" >&2; else rm -rf "$work"; fi' EXIT
command -v valgrind >/dev/null || { echo "callgrind: valgrind is missing (make deps)" >&2; exit 1; }

# shellcheck source=bench/keystore.sh
. bench/keystore.sh
bench_keystore "$build" "$work"
root=$(cat "$HALLMARK_KEYSTORE/root.pub")
bundle=$HALLMARK_KEYSTORE/published/bundle.jws
python3 bench/workload.py messages 2000 50 >"$work/mix.ndjson"
python3 bench/workload.py messages 2000 1 >"$work/phone.ndjson"
"$signer" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/signatures.log" \
    <"$work/phone.ndjson" >"$work/signed-phone.ndjson" 2>"$work/sign.err" ||
    { cat "$work/sign.err" >&2; exit 1; }

# count NAME OPS FUNCTION PRIMITIVE COMMAND...: instructions inside FUNCTION per operation, and
# inside PRIMITIVE (called from it) per operation.
count() {
    local name=$1 ops=$2 fn=$3 prim=$4
    shift 4
    valgrind --tool=callgrind --callgrind-out-file="$work/$name.out" --toggle-collect="$fn" \
        "$@" >/dev/null 2>"$work/$name.err" || { cat "$work/$name.err" >&2; exit 1; }
    callgrind_annotate --inclusive=yes "$work/$name.out" 2>/dev/null |
        python3 -c '
import re, sys
name, ops, fn, prim = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
total = part = None
for line in sys.stdin:
    m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(\S+)", line)
    if not m:
        continue
    n, where = int(m.group(1).replace(",", "")), m.group(2)
    func = where.split(":", 1)[-1].split(" ")[0]
    if total is None and func == fn:
        total = n
    if part is None and func == prim:
        part = n
if total is None or part is None:
    sys.exit(f"callgrind: {name}: no count for {fn} or {prim}")
print(f"{name:7} {total // ops:>10,} instructions per operation; {prim} {part // ops:,} "
      f"({part / total:.0%}); the rest {(total - part) // ops:,}")
' "$name" "$ops" "$fn" "$prim"
}

echo "callgrind: instructions per operation ($(valgrind --version), $(uname -m))"
count sign 2000 sign_counted crypto_sign_detached \
    "$tools/bench-sign" "$HALLMARK_KEYSTORE" "$work/pass" "$work/mix.ndjson" --count 1
count verify 2000 verify_counted crypto_sign_verify_detached \
    "$tools/bench-verify" "$root" "$bundle" "$work/signed-phone.ndjson" 1 --count 1
