#!/usr/bin/env bash
# The customer's inbox page in a real browser (issue 17): tools/demo.sh writes the page with the
# demo's genuine messages and attacks, and verifier/bindings/wasm/test/browser.mjs loads it in
# Debian's chromium, headless, through npm puppeteer-core (installed once into build/npm, as
# tests/cli/lib/jose.sh does; it downloads no browser), from a loopback server on an ephemeral
# port. Per message: checkmark, domain, warning or neutral, the brand name and the result name;
# the checkmark's text alternative, keyboard focus on a signed button; no console error. Saves
# the screenshot to $build/inbox.png (docs/inbox.png is one such). Runs fully in make test;
# counted as skipped under ASan, valgrind and fuzz builds (no C of ours runs there under them).
set -eu
build=${HALLMARK_BUILD:-build}
# shellcheck source=tests/cli/lib/wasm.sh
source tests/cli/lib/wasm.sh
wasm_preflight wasm-browser "63" emcc node npm chromium
start=$(date +%s)
npm_dir=build/npm
if [ ! -f "$npm_dir/node_modules/puppeteer-core/package.json" ]; then
    mkdir -p "$npm_dir"
    [ -f "$npm_dir/package.json" ] || echo '{"private": true}' >"$npm_dir/package.json"
    if ! timeout 180 npm install --prefix "$npm_dir" --no-audit --no-fund --silent puppeteer-core@24 >/dev/null 2>&1; then
        echo "wasm-browser: npm could not install puppeteer-core@24 (no registry?); skipping its checks"
        echo "wasm-browser: 0 passed, 0 failed, 63 skipped"
        exit 0
    fi
fi
make --no-print-directory wasm >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The demo writes the page under $build/demo/inbox; a failed demo is a failed check here.
if ! tools/demo.sh "$build" >"$work/demo.out" 2>&1; then
    tail -n 20 "$work/demo.out"
    echo "FAIL tools/demo.sh did not write the inbox"
    echo "wasm-browser: 0 passed, 1 failed"
    exit 1
fi
# The script runs from build/npm so that it finds puppeteer-core there.
cp verifier/bindings/wasm/test/browser.mjs "$npm_dir/browser-test.mjs"
set +e
timeout 120 node "$npm_dir/browser-test.mjs" "$PWD/$build/demo/inbox" "$PWD/$build/inbox.png"
status=$?
set -e
echo "wasm-browser: the demo and the page, $(($(date +%s) - start)) s"
[ "$status" -eq 0 ] || [ "$status" -eq 1 ] || { echo "FAIL browser.mjs exited $status"; echo "wasm-browser: 0 passed, 1 failed"; }
exit "$status"
