#!/usr/bin/env bash
# What hallmark-keys publishes, checked by an independent JOSE implementation (npm `jose`, as in
# jose_vectors.sh): the bundle's signature chain from root.pub, and tokens of an Ed25519 and an
# ES256 brand key against the brand's JWKS; a revoked key's token must leave the JWKS.
set -eu
. tests/cli/lib/keys.sh
skip() {
    echo "jose-keys: $1; skipping its checks"
    echo "jose-keys: 0 passed, 0 failed, 1 skipped"
    exit 0
}
. tests/cli/lib/jose.sh
dir=$jose_dir
why=$(jose_setup) || skip "$why"
expect_ok "init" init --platform "Hallmark JOSE" --kdf minimum
export HALLMARK_PLATFORM="Hallmark JOSE" # the platform id apps pin (hallmark-verify --platform)
expect_ok "brand" brand add acme-bank --verified-domain acme-bank.example --name "Acme Bank" --logo "$logo_good" --color "#0B5FFF" \
    --sender sms:ACMEBANK@+44
expect_ok "ed25519 key" key add acme-bank
ed=$(cat "$work/out")
expect_ok "es256 key" key add acme-bank --alg es256
es=$(cat "$work/out")
expect_ok "publish" publish
sign "$ed" $((HALLMARK_NOW + 10)) "Acme Bank: Ed25519" >"$work/ed.json"
sign "$es" $((HALLMARK_NOW + 10)) "Acme Bank: ES256" >"$work/es.json"
expect_ok "revoke the es256 key" key revoke "$es" --reason "interop test"
expect_ok "publish again" publish
ks=$HALLMARK_KEYSTORE
# The node script prints its own "jose-keys: N passed, M failed" line (tallied by run-tests.sh).
set +e
node tests/interop/jose_keystore.mjs "$PWD/$dir" "$ks/root.pub" "$ks/published/bundle.jws" \
    "$ks/published/jwks/acme-bank.json" "$work/ed.json" --refused "$work/es.json"
node_status=$?
set -e
[ "$node_status" -eq 0 ] && ok || bad "jose_keystore.mjs exited $node_status"
echo "keys-jose: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
