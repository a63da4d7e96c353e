# Shared by the hallmark-keys CLI tests: a fresh keystore with a test passphrase, a clock the
# test moves (HALLMARK_NOW), and assertions that count into "label: N passed, M failed".
# Sourced, not run. Expects $build (default build) and sets $work (removed on exit).
build=${HALLMARK_BUILD:-build}
keys_cli=$build/bin/hallmark-keys
verify_cli=$build/bin/hallmark-verify
test_sign=$build/tests/hm-test-sign
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
printf 'correct horse battery staple\n' >"$work/pass"
chmod 600 "$work/pass"
export HALLMARK_PASSPHRASE_FILE=$work/pass
export HALLMARK_KEYSTORE=$work/ks
export HALLMARK_OPERATOR=tests
export HALLMARK_NOW=1795000000
logo_good=tests/data/logos/good/brand-256-rgba.png
# logo_for SEED: the path of a logo of its own for SEED (a brand id), drawn by hm-demo-logo: each
# brand of a test gets a picture that is not near another's (spec HM-CRED-42), as in real life.
logo_for() {
    [ -e "$work/logo-$1.png" ] || "$build/tests/hm-demo-logo" "#0B5FFF" "$work/logo-$1.png" "$1"
    echo "$work/logo-$1.png"
}

ok() { passed=$((passed + 1)); }
bad() {
    echo "FAIL $*"
    failed=$((failed + 1))
}

# hk ARGS...: runs hallmark-keys (under $HALLMARK_RUNNER_WRAP when set), output in $work/out,
# $work/err, status in $status.
hk() {
    set +e
    # shellcheck disable=SC2086 # HALLMARK_RUNNER_WRAP is a command line (make valgrind)
    ${HALLMARK_RUNNER_WRAP:-} "$keys_cli" "$@" >"$work/out" 2>"$work/err"
    status=$?
    set -e
}

# expect_ok WHAT ARGS...: the command succeeds.
expect_ok() {
    local what=$1
    shift
    hk "$@"
    if [ "$status" -eq 0 ]; then ok; else bad "$what: exit $status: $(head -c 400 "$work/err")"; fi
}

# expect_fail WHAT STATUS SUBSTRING ARGS...: exits STATUS with SUBSTRING on a one-line stderr.
expect_fail() {
    local what=$1 want=$2 text=$3
    shift 3
    hk "$@"
    if [ "$status" -ne "$want" ]; then
        bad "$what: exit $status, want $want: $(head -c 400 "$work/err")"
    elif ! grep -qF -- "$text" "$work/err"; then
        bad "$what: stderr lacks '$text': $(head -c 400 "$work/err")"
    elif [ "$(grep -c '^hallmark-keys: ' "$work/err")" -ne 1 ] ||
        ! head -n 1 "$work/err" | grep -q '^hallmark-keys: '; then
        bad "$what: want one 'hallmark-keys: ' line, got: $(cat "$work/err")"
    else
        ok
    fi
}

# kid_of BRAND STATE: the kid of the brand's key in STATE (from the state file).
kid_of() {
    python3 -c 'import json,sys
s=json.load(open(sys.argv[1]))
print([k["kid"] for b in s["brands"] if b["id"]==sys.argv[2] for k in b["keys"] if k["state"]==sys.argv[3]][0])' \
        "$HALLMARK_KEYSTORE/keystore.json" "$1" "$2"
}

# sign KID IAT BODY > message.json: a message signed with a keystore key.
sign() { "$test_sign" "$HALLMARK_KEYSTORE" acme-bank "$1" "$2" "$3"; }

# verdict MESSAGE BUNDLE NOW [STATE-FILE [LOADED_AT [ROOT]]]: the result name hallmark-verify
# gives; with a STATE-FILE the app's trust state is read from it and the next one written there.
verdict() {
    local root=${6:-$HALLMARK_KEYSTORE/root.pub}
    set +e
    "$verify_cli" --root "$root" --bundle "$2" --now "$3" ${4:+--state "$4"} \
        --loaded-at "${5:-$3}" --message "$1" --json 2>"$work/verr" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])' 2>/dev/null
    set -e
}

# expect_verdict WHAT WANT ARGS-of-verdict...
expect_verdict() {
    local what=$1 want=$2 got
    shift 2
    got=$(verdict "$@")
    if [ "$got" = "$want" ]; then ok; else bad "$what: verdict $got, want $want ($(head -c 300 "$work/verr"))"; fi
}

# snapshot DIR: every file of the keystore with its SHA-256, sorted.
snapshot() { (cd "$1" && find . -type f ! -name lock -print0 | sort -z | xargs -0 sha256sum); }
