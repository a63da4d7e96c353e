#!/usr/bin/env bash
# Every verified vector token checked by an independent JOSE implementation (npm `jose`),
# installed from the npm registry into build/npm. Without node, npm or the registry, the checks
# are counted as skipped, never as passed.
set -eu
dir=build/npm
positives=$(grep -l '"result": "HALLMARK_VERIFIED"' spec/vectors/*.json | wc -l)
skip() {
    echo "jose: $1; skipping its checks"
    echo "jose: 0 passed, 0 failed, $((positives * 2)) skipped"
    exit 0
}
command -v node >/dev/null 2>&1 || skip "node is not installed"
command -v npm >/dev/null 2>&1 || skip "npm is not installed"
if [ ! -f "$dir/node_modules/jose/package.json" ]; then
    mkdir -p "$dir"
    [ -f "$dir/package.json" ] || echo '{"private": true}' >"$dir/package.json"
    timeout 180 npm install --prefix "$dir" --no-audit --no-fund --silent jose@6 >/dev/null 2>&1 ||
        skip "npm could not install jose@6 (no registry?)"
fi
echo "jose $(node -p "require('./$dir/node_modules/jose/package.json').version"), node $(node --version)"
node tests/interop/jose_verify.mjs "$PWD/$dir" spec/vectors
