#!/usr/bin/env bash
# hallmark-verify --fetch against a token directory that misbehaves (tests/cli/lib/bad_directory.py,
# on loopback): an answer too large (with and without Content-Length), too many tokens, not JSON,
# an error status, a rate limit, a redirect, a server that does not answer in time, and endpoints
# an app must not use. Each is a clear error and exit 2 (the app shows the neutral UI and retries,
# HM-CARRY-19), never a verdict; a 404 is "no token": unsigned. The request itself is what an app
# sends: GET <endpoint>/<the message's lookup key>, no cookies. The good path (200, verified) is in
# signer_multinode.sh, against a real directory node.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh

make_keystore
root=$HALLMARK_KEYSTORE/root.pub
bundle=$HALLMARK_KEYSTORE/published/bundle.jws
python3 -c 'import json; print(json.dumps({"channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"Your code is 1234"}))' >"$work/sms.json"
key=$("$verify_cli" --lookup-key --message "$work/sms.json")

python3 tests/cli/lib/bad_directory.py "$work/requests" >"$work/port" &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
base=http://127.0.0.1:$(cat "$work/port")

# fetch MODE [ARGS...]: hallmark-verify --fetch $base/MODE; sets $st, stderr in $work/err.
fetch() {
    local mode=$1
    shift
    set +e
    "$verify_cli" --root "$root" --bundle "$bundle" --message "$work/sms.json" \
        --fetch "$base/$mode" --json "$@" >"$work/out" 2>"$work/err"
    st=$?
    set -e
}
expect() { # LABEL STATUS TEXT: the last fetch exited STATUS and said TEXT on stderr
    if [ "$st" = "$2" ] && grep -qF -- "$3" "$work/err"; then ok; else
        bad "$1: status $st, stderr: $(head -c 300 "$work/err")"
    fi
}

fetch none
if [ "$st" = 1 ] && grep -q '"result": *"HALLMARK_UNSIGNED"' "$work/out"; then ok; else bad "404: unsigned ($st)"; fi
check_request() {
    if grep -qx "GET /none/$key" "$work/requests"; then ok; else bad "the request is GET <endpoint>/<lookup key>"; fi
    if grep -qi '^Cookie:' "$work/requests"; then bad "no cookies are sent"; else ok; fi
    if grep -qi '^Accept: application/json' "$work/requests"; then ok; else bad "asks for JSON"; fi
}
check_request
fetch none/ # a trailing slash on the endpoint is not doubled
if [ "$st" = 1 ]; then ok; else bad "trailing slash ($st)"; fi
fetch huge
expect "an answer over 1 MiB (Content-Length)" 2 "larger than 1048576 bytes"
fetch chunked
expect "an answer over 1 MiB (chunked)" 2 "larger than 1048576 bytes"
fetch many
expect "101 tokens" 2 "not a token directory answer"
fetch garbage
expect "not JSON" 2 "not a token directory answer"
fetch numbers
expect "tokens that are not strings" 2 "tokens[0] is not a string"
fetch extra
expect "another member beside tokens" 2 "not a token directory answer"
fetch error
expect "500" 2 "HTTP 500"
fetch limited
expect "429 with Retry-After" 2 "retry after 7 s"
: >"$work/requests"
fetch redirect
expect "a redirect is not followed" 2 "HTTP 302"
if grep -q '^GET /none/x' "$work/requests"; then bad "the redirect was followed"; else ok; fi
start=$SECONDS
fetch slow --fetch-timeout 1
expect "a directory that does not answer in time" 2 "no answer"
if [ $((SECONDS - start)) -le 3 ]; then ok; else bad "--fetch-timeout 1 took $((SECONDS - start)) s"; fi
for endpoint in http://192.0.2.1/v1/tokens ftp://127.0.0.1/v1/tokens file:///etc; do
    set +e
    "$verify_cli" --root "$root" --bundle "$bundle" --message "$work/sms.json" \
        --fetch "$endpoint" >"$work/out" 2>"$work/err"
    st=$?
    set -e
    expect "endpoint $endpoint refused" 2 "must be https://"
done
set +e
"$verify_cli" --root "$root" --bundle "$bundle" --message "$work/sms.json" --fetch "$base/none" \
    --tokens /dev/null >"$work/out" 2>"$work/err"
st=$?
"$verify_cli" --root "$root" --bundle "$bundle" --message "$work/sms.json" --fetch "$base/none" \
    --fetch-timeout 0 >/dev/null 2>>"$work/err"
st2=$?
set -e
expect "--fetch with --tokens" 2 "give one"
if [ "$st2" = 2 ] && grep -q 'fetch-timeout 0: 1 to 300' "$work/err"; then ok; else bad "--fetch-timeout 0"; fi
python3 -c 'import json; print(json.dumps({"channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"x","token":"a.b.c"}))' >"$work/with-token.json"
set +e
"$verify_cli" --root "$root" --bundle "$bundle" --message "$work/with-token.json" \
    --fetch "$base/none" >"$work/out" 2>"$work/err"
st=$?
set -e
expect "a message that carries its token is not fetched for" 2 "--fetch: the message already carries a token"

echo "verify-fetch: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
