#!/usr/bin/env bash
# The store suite (tests/unit/test_store.c) against PostgreSQL: the same tests the unit runner
# runs on SQLite, on a server this script starts (tests/cli/lib/postgres.sh) and stops. `make deps`
# installs postgresql-15, so a server that does not start is a failure, not a skip.
set -eu
build=${HALLMARK_BUILD:-build}
. tests/cli/lib/postgres.sh
out=$(mktemp)
trap 'pg_stop; rm -f "$out"' EXIT
if ! pg_start; then
    echo "store-postgres: 0 passed, 1 failed"
    exit 1
fi
conninfo=$(pg_createdb store_suite)
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on $pg_socket"
set +e
# shellcheck disable=SC2086 # HALLMARK_RUNNER_WRAP is a command line (make valgrind)
HALLMARK_STORE="postgres:$conninfo" ${HALLMARK_RUNNER_WRAP:-} "$build/tests/runner" store_ |
    tee "$out"
status=${PIPESTATUS[0]}
set -e
line=$(grep -E '^unit: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
passed=$(echo "$line" | awk '{print $2}')
failed=$(echo "$line" | awk '{print $4}')
if [ -z "$line" ] || [ "$passed" -lt 7 ]; then
    echo "FAIL the store suite did not run on PostgreSQL (status $status)"
    failed=$((${failed:-0} + 1))
fi
echo "store-postgres: ${passed:-0} passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
