#!/usr/bin/env bash
# The bundle's life in a running signer (issue 18, item 1; spec/signer-api.yaml, /healthz):
# a bundle published while the service runs is loaded by itself within --reload-every (no
# SIGHUP); a damaged bundle changes nothing (the old set keeps signing, the failure is logged
# once, not at every check) and the next good one is loaded; /healthz says "degraded" (200,
# reason bundle_expires_soon) once the bundle expires within --expiry-warning; and
# hallmark-keys publish --if-due publishes only when the bundle is due (exit 3 and "not due"
# otherwise, the keystore untouched). Bounded: every wait is a loop of at most 8 s.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh

make_keystore
write_clients

# health: GET /healthz into $work/health, status in $code; field NAME prints one member.
health() { code=$(curl -sS -m 5 -o "$work/health" -w '%{http_code}' "$url/healthz" 2>/dev/null || true); }
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], "-"))' "$work/health" "$1" 2>/dev/null || echo -; }
# wait_serial N: up to 8 s for /healthz to report serial N.
wait_serial() {
    local i
    for i in $(seq 40); do
        health
        [ "$(field serial)" = "$1" ] && return 0
        sleep 0.2
    done
    return 1
}
sign_ok() {
    local c
    c=$(curl -sS -m 5 -o "$work/resp" -w '%{http_code}' -H 'Content-Type: application/json' \
        -H "Authorization: Bearer acme-secret-token" \
        --data-binary "$(msg acme-bank ACMEBANK +447700900123 "$1")" "$url/v1/sign" 2>/dev/null || true)
    [ "$c" = 200 ] && [ "$(verify_token "$work/resp" ACMEBANK +447700900123 "$1")" = HALLMARK_VERIFIED ]
}
serial_now() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["last_publish"]["serial"])' "$HALLMARK_KEYSTORE/keystore.json"; }

# ---- publish --if-due ---------------------------------------------------------------------------
s0=$(serial_now)
before=$(snapshot "$HALLMARK_KEYSTORE")
hk publish --if-due 3d
[ "$status" -eq 3 ] && grep -q "^not due: bundle serial $s0 expires .* more than 3d away; nothing published$" "$work/out" &&
    ok || bad "if-due 3d on a 7-day bundle: exit $status: $(cat "$work/out" "$work/err")"
[ "$(snapshot "$HALLMARK_KEYSTORE")" = "$before" ] && ok || bad "a publish that was not due changed the keystore"
expect_fail "if-due: not a duration" 2 "--if-due: a duration up to 14d" publish --if-due soon
expect_fail "if-due: past the longest bundle" 2 "--if-due: a duration up to 14d" publish --if-due 15d

# ---- the service follows publications by itself --------------------------------------------------
start_signer "$work/life.log" --reload-every 1
health
[ "$code" = 200 ] && [ "$(field status)" = ok ] && [ "$(field serial)" = "$s0" ] && ok ||
    bad "healthz at start: $code $(cat "$work/health")"
sign_ok "before the publication" && ok || bad "sign at start: $(cat "$work/resp")"

# A timer's run once the bundle is within the window: 8d is more than the 7-day bundle's life.
hk publish --if-due 8d
[ "$status" -eq 0 ] && grep -q "^due: bundle serial $s0 expires .* within 8d; publishing$" "$work/out" &&
    ok || bad "if-due 8d: exit $status: $(cat "$work/out" "$work/err")"
s1=$(serial_now)
[ "$s1" -eq $((s0 + 1)) ] && ok || bad "if-due 8d published serial $s1, want $((s0 + 1))"
wait_serial "$s1" && ok || bad "no SIGHUP: the service still reports $(cat "$work/health"), want serial $s1"
grep -q '"event":"bundle_changed"' "$work/life.log" && grep -q "\"event\":\"reloaded\".*\"serial\":$s1," "$work/life.log" &&
    ok || bad "the log lacks the reload: $(tail -3 "$work/life.log")"
sign_ok "after the publication" && ok || bad "sign after the reload: $(cat "$work/resp")"

# A damaged bundle (written as publish writes, by rename): the old set keeps signing.
cp "$HALLMARK_KEYSTORE/published/bundle.jws" "$work/good.jws"
printf 'garbage' >"$work/bad.jws"
mv "$work/bad.jws" "$HALLMARK_KEYSTORE/published/bundle.jws"
for _ in $(seq 40); do grep -q '"event":"reload_failed"' "$work/life.log" && break; sleep 0.2; done
grep -q '"event":"reload_failed"' "$work/life.log" && ok || bad "a damaged bundle was not noticed"
sleep 2.5 # two more checks of the same damaged file
[ "$(grep -c '"event":"reload_failed"' "$work/life.log")" -eq 1 ] && ok ||
    bad "the same damaged file was tried again: $(grep -c '"event":"reload_failed"' "$work/life.log") failures"
health
[ "$code" = 200 ] && [ "$(field serial)" = "$s1" ] && ok || bad "healthz after a damaged bundle: $code $(cat "$work/health")"
# (the file apps would verify with is the damaged one: the token's serial says which set signed)
sign_ok "while the file is damaged" || true
grep -q "\"token\":.*\"serial\":$s1}" "$work/resp" && ok || bad "the old set stopped signing: $(cat "$work/resp")"

# A bundle that expires within --expiry-warning (default 2 days): degraded, still 200, signing.
cp "$work/good.jws" "$HALLMARK_KEYSTORE/published/bundle.jws.tmp" && mv "$HALLMARK_KEYSTORE/published/bundle.jws.tmp" "$HALLMARK_KEYSTORE/published/bundle.jws"
expect_ok "publish a 1-day bundle" publish --expires 1d
s2=$(serial_now)
wait_serial "$s2" && ok || bad "the 1-day bundle was not loaded: $(cat "$work/health")"
health
exp_in=$(field bundle_expires_in)
[ "$code" = 200 ] && [ "$(field status)" = degraded ] && [ "$(field reason)" = bundle_expires_soon ] &&
    [ "$exp_in" -gt 86000 ] && [ "$exp_in" -le 86400 ] && ok ||
    bad "healthz with a 1-day bundle: $code $(cat "$work/health")"
sign_ok "while degraded" && ok || bad "a degraded node must still sign: $(cat "$work/resp")"
stop_signer

# --expiry-warning 0: the same 1-day bundle is simply ok; bad values are refused.
start_signer "$work/life2.log" --expiry-warning 0 --reload-every 0
health
[ "$code" = 200 ] && [ "$(field status)" = ok ] && ok || bad "--expiry-warning 0: $code $(cat "$work/health")"
stop_signer
for bad_arg in "--reload-every -1" "--reload-every 86401" "--expiry-warning 1209601" "--expiry-warning 2d"; do
    set +e
    # shellcheck disable=SC2086 # one option and its value
    "$signer_cli" serve --keystore "$HALLMARK_KEYSTORE" $bad_arg >/dev/null 2>"$work/err"
    st=$?
    set -e
    [ "$st" -eq 2 ] && grep -q "^hallmark-signer: ${bad_arg%% *}: " "$work/err" && ok || bad "$bad_arg: exit $st $(cat "$work/err")"
done

echo "signer-lifecycle: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
