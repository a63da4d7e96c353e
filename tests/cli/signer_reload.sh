#!/usr/bin/env bash
# Reloads under load: keep-alive clients sign for a bounded time (LOAD_SECONDS, default 12 s, and
# at most 50000 requests per client) while the keystore rotates acme-bank's key and the service
# gets SIGHUP every second. No request may fail, the new key must take over, and every token must
# verify (hm-verify-batch, the verifier library) with the bundle in force at the end.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh
seconds=${LOAD_SECONDS:-12}
# The rotation must land while the load runs: keys commands run bare here even under make
# valgrind (memcheck makes each take seconds; the other keys suites run them under memcheck).
HALLMARK_RUNNER_WRAP=

make_keystore
write_clients
start_signer "$work/reload.log" --rate 1000000
python3 tests/interop/load_client.py "$url" acme-secret-token "$seconds" 50000 3 "$work/tokens.ndjson" \
    >"$work/load.out" 2>&1 &
load_pid=$!
rotated=0
for i in $(seq "$seconds"); do
    sleep 1
    if [ "$i" -eq 3 ]; then
        # A whole rotation while serving: add, publish, promote, publish (the SIGHUPs pick it up).
        expect_ok "rotate: key add" key add acme-bank
        acme_k2=$(cat "$work/out")
        expect_ok "rotate: publish" publish
        expect_ok "rotate: promote" key promote "$acme_k2" --force --reason "load test"
        expect_ok "rotate: publish again" publish
        rotated=1
    fi
    if [ "$i" -eq 5 ]; then
        # A reload that must fail (a damaged bundle) while the old set keeps serving.
        cp "$HALLMARK_KEYSTORE/published/bundle.jws" "$work/good.jws"
        printf 'garbage' >"$HALLMARK_KEYSTORE/published/bundle.jws"
        kill -HUP "$signer_pid"
        sleep 0.5
        cp "$work/good.jws" "$HALLMARK_KEYSTORE/published/bundle.jws"
    fi
    kill -HUP "$signer_pid"
done
set +e
wait "$load_pid"
load_status=$?
set -e
cat "$work/load.out"
[ "$load_status" -eq 0 ] && ok || bad "requests failed during reloads"
grep -q "load: [1-9][0-9]* ok, 0 failed, 2 kids" "$work/load.out" && ok || bad "want both keys used, no failure"
[ "$rotated" -eq 1 ] && ok || bad "no rotation happened"
reloads=$(grep -c '"event":"reloaded"' "$work/reload.log" || true)
[ "$reloads" -ge $((seconds - 2)) ] && ok || bad "only $reloads reloads"
grep -q '"event":"reload_failed"' "$work/reload.log" && ok || bad "the damaged bundle should fail its reload"
set +e
"$build/tests/hm-verify-batch" "$(cat "$HALLMARK_KEYSTORE/root.pub")" "$HALLMARK_KEYSTORE/published/bundle.jws" \
    "$(date +%s)" <"$work/tokens.ndjson" >"$work/verdicts"
verify_status=$?
set -e
cat "$work/verdicts"
[ "$verify_status" -eq 0 ] && ok || bad "some tokens do not verify"
stop_signer
n=$(wc -l <"$work/tokens.ndjson")
[ "$(wc -l <"$work/signatures.log")" -eq "$n" ] && ok || bad "signature log has $(wc -l <"$work/signatures.log") entries for $n tokens"
echo "signer-reload: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
