#!/usr/bin/env bash
# Runs each libFuzzer binary for SECONDS, starting from its committed seed corpus. New inputs go
# to build/fuzz/corpus-NAME (the committed seeds are never rewritten); a crash is saved under
# build/fuzz/crashes/ and fails the run: copy it into tests/fuzz/corpus/NAME/ as a regression file.
# usage: tools/run-fuzz.sh SECONDS BINARY...
set -euo pipefail
# shellcheck source=tools/fuzz-corpora.sh
. "$(dirname "$0")/fuzz-corpora.sh"
seconds=${1:?usage: tools/run-fuzz.sh SECONDS BINARY...}
shift
mkdir -p build/fuzz/crashes
status=0
for bin in "$@"; do
    name=$(basename "$bin")
    work=build/fuzz/corpus-$name
    mkdir -p "$work"
    echo "== $name: ${seconds}s"
    # The PNG loader also runs under an allocation cap, as libpng's OSS-Fuzz harness does.
    limits=()
    if [ "$name" = fuzz_png ]; then
        limits=(-malloc_limit_mb=64)
    fi
    mapfile -t corpora < <(fuzz_corpora "$name")
    if ! "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 "${limits[@]}" \
        -artifact_prefix=build/fuzz/crashes/"$name"- -print_final_stats=1 \
        "$work" "${corpora[@]}" 2>build/fuzz/"$name".log; then
        echo "$name: FOUND A CRASH, see build/fuzz/$name.log and build/fuzz/crashes/"
        status=1
    fi
    grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec|cov: ' \
        build/fuzz/"$name".log | tail -n 3 | sed 's/^/  /'
done
exit $status
