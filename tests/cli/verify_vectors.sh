#!/usr/bin/env bash
# hallmark-verify over every vector in spec/vectors/ (result, exit status, brand data, serial),
# and the rebuild check: the generator must reproduce spec/vectors/ byte for byte (spec §12.4).
set -eu
build=${HALLMARK_BUILD:-build}
cli=$build/bin/hallmark-verify
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

mkdir "$work/rebuilt"
"$build/tests/gen-vectors" "$work/rebuilt" spec/vectors >/dev/null
if diff -r -q "$work/rebuilt" spec/vectors; then
    passed=$((passed + 1))
else
    echo "FAIL the generator no longer reproduces spec/vectors/: run 'make vectors' and review"
    failed=$((failed + 1))
fi

for vector in spec/vectors/*.json; do
    python3 tests/cli/vector_tool.py args "$vector" "$work" >"$work/args"
    mapfile -t args <"$work/args"
    set +e
    # shellcheck disable=SC2086 # HALLMARK_RUNNER_WRAP is a command line (make valgrind)
    ${HALLMARK_RUNNER_WRAP:-} "$cli" "${args[@]}" >"$work/out" 2>"$work/err"
    status=$?
    set -e
    if python3 tests/cli/vector_tool.py check "$vector" "$work/out" "$status"; then
        passed=$((passed + 1))
    else
        echo "FAIL $vector (stderr: $(head -c 300 "$work/err"))"
        failed=$((failed + 1))
    fi
done
echo "cli-vectors: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
