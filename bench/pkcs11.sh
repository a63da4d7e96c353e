#!/usr/bin/env bash
# Signatures per second through a PKCS#11 token (SoftHSM2) per algorithm, 1 and 2 threads, as a
# ratio to the file-key path in the same run, and beside the module called directly (the floor):
# docs/benchmarks.md, "Keys in a PKCS#11 token". SoftHSM2 is software: the figures measure
# Hallmark's PKCS#11 overhead, not a real HSM's speed.
# usage: bench/pkcs11.sh [BUILD]   (BENCH_SECONDS per measured row, default 2)
set -eu
build=${1:-build}
module=${HALLMARK_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
make --no-print-directory -s BUILD="$build" "$build/bench/bench-pkcs11"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$work" \
    >"$work/softhsm2.conf"
export SOFTHSM2_CONF=$work/softhsm2.conf
softhsm2-util --init-token --free --label bench --pin 1234 --so-pin 5678 >/dev/null
printf '1234\n' >"$work/pin"
HALLMARK_PKCS11_PIN_FILE=$work/pin "$build/bench/bench-pkcs11" "$module" bench "${BENCH_SECONDS:-2}"
