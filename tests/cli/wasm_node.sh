#!/usr/bin/env bash
# The WebAssembly verifier's npm package (verifier/bindings/wasm, make wasm) in Node: its npm pack
# tarball installed into an empty project, then every spec vector through both of its builds (the
# C library's result names, UI classes, brand data; test/vectors.mjs) and the package's own contract
# (test/api.mjs). Runs fully in make test; counted as skipped under ASan, valgrind and fuzz builds
# (no C of ours runs under a sanitizer here: the wasm is built by emcc; the suites there cover it).
set -eu
build=${HALLMARK_BUILD:-build}
# shellcheck source=tests/cli/lib/wasm.sh
source tests/cli/lib/wasm.sh
wasm_preflight wasm-node "$((2 * $(ls spec/vectors/*.json spec/vectors/lookup/*.json | wc -l) + 23))" emcc node npm
start=$(date +%s)
make --no-print-directory wasm >/dev/null
tarball=$(ls "$PWD"/build/wasm/hallmark-wasm-*.tgz)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# An empty project, as a customer's: the tarball is its only dependency (no registry needed).
echo '{"name": "wasm-node-test", "private": true, "type": "module"}' >"$work/package.json"
timeout 120 npm install --prefix "$work" --no-audit --no-fund --silent "$tarball" >/dev/null
cp verifier/bindings/wasm/test/vectors.mjs verifier/bindings/wasm/test/api.mjs "$work/"
passed=0
failed=0
# The Ed25519 build (ES256 tokens stop at UNSUPPORTED_ALG), the ES256 build (every expectation).
for run in vectors vectors:--es256 api; do
    t=${run%%:*}
    arg=()
    case "$run" in *:*) arg=("${run#*:}") ;; esac
    set +e
    (cd "$work" && timeout 120 node "$t.mjs" "$OLDPWD/spec/vectors" "${arg[@]}") >"$work/$t.out" 2>&1
    status=$?
    set -e
    grep -v -E '^wasm-[a-z0-9-]+: [0-9]+ passed' "$work/$t.out" || true
    line=$(grep -E '^wasm-[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed$' "$work/$t.out" | tail -n 1)
    echo "$line"
    if [ -z "$line" ]; then
        echo "FAIL $t.mjs stopped with status $status and no closing line"
        failed=$((failed + 1))
        continue
    fi
    set -- ${line#*: }
    passed=$((passed + $1))
    failed=$((failed + $3))
    [ "$status" -eq 0 ] || [ "$3" -gt 0 ] || { echo "FAIL $t.mjs exited $status"; failed=$((failed + 1)); }
done
echo "wasm-node: $(node --version), $(($(date +%s) - start)) s"
echo "wasm-node: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
