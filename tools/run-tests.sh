#!/usr/bin/env bash
# Runs the unit runner and every CLI test script, then prints one closing line for the lot.
# usage: tools/run-tests.sh BUILD_DIR [FILTER]
# A filter runs only the unit tests whose name contains it (and no CLI scripts).
# HALLMARK_RUNNER_WRAP (e.g. a valgrind command line) is put in front of the unit runner.
set -uo pipefail
# shellcheck source=tools/fuzz-corpora.sh
. "$(dirname "$0")/fuzz-corpora.sh"

build=${1:?usage: tools/run-tests.sh BUILD_DIR [FILTER]}
filter=${2:-}
export HALLMARK_BUILD=$build
export HALLMARK_VECTORS=${HALLMARK_VECTORS:-$(cd "$(dirname "$0")/.." && pwd)/../shared/vectors}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

passed=0 failed=0 skipped=0 broken=0
timings=() # "SECONDS SUITE", printed slowest first at the end: where a CI run's time goes
tally() { # reads "...N passed, M failed[, K skipped]" lines from $log
    local line
    line=$(grep -E '^([A-Za-z0-9-]+: )?[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        broken=$((broken + 1))
        return
    fi
    line=${line#*: }
    set -- $line
    passed=$((passed + $1))
    failed=$((failed + $3))
    [ $# -ge 6 ] && skipped=$((skipped + $5))
}

# A suite that exits non-zero without a failed test was stopped by a sanitizer, valgrind or a
# crash (ASan reports leaks with status 1, like a failed test): that counts as broken.
check_exit() { # NAME STATUS FAILED_BEFORE
    if [ "$2" -ne 0 ] && [ "$failed" -eq "$3" ]; then
        echo "$1: exited with status $2 and no failed test: see the report above"
        broken=$((broken + 1))
    fi
}

before=$failed
started=$SECONDS
# shellcheck disable=SC2086
${HALLMARK_RUNNER_WRAP:-} "$build/tests/runner" $filter | tee "$log"
rc=${PIPESTATUS[0]}
tally
check_exit runner "$rc" "$before"
timings+=("$((SECONDS - started)) unit runner")

if [ -z "$filter" ]; then
    for replay in "$build"/tests/replay-*; do
        [ -x "$replay" ] || continue
        name=${replay##*/replay-}
        echo "== fuzz corpus replay: $name"
        before=$failed
        seeds=()
        while read -r corpus; do
            seeds+=("$corpus"/*)
        done < <(fuzz_corpora fuzz_"$name")
        started=$SECONDS
        ${HALLMARK_RUNNER_WRAP:-} "$replay" "${seeds[@]}" | tee "$log"
        rc=${PIPESTATUS[0]}
        tally
        check_exit "replay-$name" "$rc" "$before"
        timings+=("$((SECONDS - started)) replay-$name")
    done
    for script in tests/cli/*.sh; do
        [ -e "$script" ] || continue
        echo "== $script"
        before=$failed
        started=$SECONDS
        bash "$script" 2>&1 | tee "$log"
        rc=${PIPESTATUS[0]}
        tally
        check_exit "$script" "$rc" "$before"
        timings+=("$((SECONDS - started)) $script")
    done
fi

if [ -z "$filter" ]; then
    echo "time: $SECONDS s in all; the slowest suites:"
    printf '%s\n' "${timings[@]}" | sort -rn | head -n 12 | sed 's/^/time: /; s/ / s  /2'
fi
[ "$broken" -eq 0 ] || echo "tests: $broken suite(s) broken: no closing line, or stopped by a sanitizer, valgrind or a crash"
line="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || line="$line, $skipped skipped"
echo "total: $line"
[ "$failed" -eq 0 ] && [ "$broken" -eq 0 ]
