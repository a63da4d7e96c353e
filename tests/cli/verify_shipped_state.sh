#!/usr/bin/env bash
# A floor shipped with the app (spec HM-TRUST-74, issue 21): the trust state of the newest bundle
# at release time, made with hallmark-verify --state, is the state of a fresh install's first
# load. With it the install refuses a bundle older than the release (an attacker's replay of the
# bundle from before a revocation) and accepts newer ones; without it, the same install accepts
# the old bundle (the exposure HM-TRUST-74 closes). Simulated clock.
set -eu
. tests/cli/lib/keys.sh
t0=$HALLMARK_NOW
at() { export HALLMARK_NOW=$((t0 + $1)); }
pub=$HALLMARK_KEYSTORE/published
echo '{"channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"hi"}' >"$work/m.json"

at 0
expect_ok "init" init --platform "Ship Test" --kdf minimum
export HALLMARK_PLATFORM="Ship Test"
expect_ok "brand" brand add acme-bank --verified-domain acme.example --name "Acme Bank" --logo "$logo_good" \
    --color "#0B5FFF" --sender sms:ACMEBANK@+44 --link-domain acme.example
expect_ok "publish 1" publish
at 3600
expect_ok "publish 2" publish
at 7200
expect_ok "publish 3" publish
now=$((t0 + 7300))
# The release build: load the newest bundle of that day (serial 2) once, keep the state.
expect_verdict "the release build loads bundle 2" HALLMARK_UNSIGNED "$work/m.json" "$pub/bundle-2.jws" "$now" "$work/shipped.state"
[ -s "$work/shipped.state" ] && ok || bad "no state was written for the release"
# A fresh install with the shipped floor, shown the older bundle 1: refused.
cp "$work/shipped.state" "$work/app.state"
expect_verdict "older bundle on a fresh install with the floor" HALLMARK_BUNDLE_ROLLBACK "$work/m.json" "$pub/bundle-1.jws" "$now" "$work/app.state"
cmp -s "$work/shipped.state" "$work/app.state" && ok || bad "a refused load changed the app's state"
expect_verdict "newer bundle on the same install" HALLMARK_UNSIGNED "$work/m.json" "$pub/bundle-3.jws" "$now" "$work/app.state"
cmp -s "$work/shipped.state" "$work/app.state" && bad "the newer load did not advance the state" || ok
# The same install without a shipped floor takes the older bundle: the exposure the floor closes.
expect_verdict "older bundle on a fresh install without a floor" HALLMARK_UNSIGNED "$work/m.json" "$pub/bundle-1.jws" "$now" "$work/none.state"

echo "verify-shipped-state: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
