#!/usr/bin/env bash
# Every verified vector token checked by an independent JOSE implementation (npm `jose`),
# installed from the npm registry into build/npm. Without node, npm or the registry, the checks
# are counted as skipped, never as passed.
set -eu
positives=$(grep -l '"result": "HALLMARK_VERIFIED"' spec/vectors/*.json | wc -l)
skip() {
    echo "jose: $1; skipping its checks"
    echo "jose: 0 passed, 0 failed, $((positives * 2)) skipped"
    exit 0
}
. tests/cli/lib/jose.sh
dir=$jose_dir
why=$(jose_setup) || skip "$why"
echo "jose $(node -p "require('./$dir/node_modules/jose/package.json').version"), node $(node --version)"
node tests/interop/jose_verify.mjs "$PWD/$dir" spec/vectors
