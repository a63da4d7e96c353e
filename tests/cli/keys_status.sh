#!/usr/bin/env bash
# Revocation that reaches apps within hours (issue 21, spec §1.8, §6.9, §7.5), measured with the
# tools on a simulated clock (HALLMARK_NOW): a brand key leaks and is revoked at R; the script
# finds when an app that follows the spec first refuses a message the thief signs, with and
# without the status object, and shows the thief's earlier message losing its checkmark. The
# measured latencies are printed ("latency: ...") and checked against the spec's bounds
# (HM-TRUST-73). Also: status-publish's refusals, and publish's 14-day cap (HM-TRUST-72).
set -eu
. tests/cli/lib/keys.sh
hour=3600
day=86400
t0=1795000000
at() { export HALLMARK_NOW=$1; }
export HALLMARK_PLATFORM="Hallmark Test"

# app MESSAGE BUNDLE STATUS NOW [RECHECK [LOADED_AT]]: the verdict (and the re-check's code, after
# a space) at NOW of an app that loaded BUNDLE and STATUS ("-" for none) at LOADED_AT (or NOW).
app() {
    local out
    set +e
    out=$("$verify_cli" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$2" \
        ${3:+$([ "$3" != - ] && echo "--status $3")} --now "$4" --loaded-at "${6:-$4}" \
        --message "$1" ${5:+--recheck "$5"} --json 2>"$work/verr")
    set -e
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["result"], d.get("recheck", "")); ' "$out" 2>/dev/null |
        sed 's/ $//'
}
expect_app() { # WHAT WANT ARGS-of-app...
    local what=$1 want=$2 got
    shift 2
    got=$(app "$@")
    if [ "$got" = "$want" ]; then ok; else bad "$what: got '$got', want '$want' ($(head -c 300 "$work/verr"))"; fi
}

at $t0
expect_ok "init" init --platform "Hallmark Test" --kdf minimum
expect_ok "brand add" brand add acme-bank --name "Acme Bank" --logo "$logo_good" --color "#0b5fff" \
    --sender sms:ACMEBANK@+44 --link-domain acme.example --level organization
expect_ok "key add" key add acme-bank
k=$(cat "$work/out")
expect_fail "status-publish before any publish" 1 "nothing is published yet" status-publish
expect_ok "publish 1" publish
[ -s "$HALLMARK_KEYSTORE/published/status.jws" ] && ok || bad "publish wrote no status.jws"
at $((t0 + day + 60))
expect_ok "promote" key promote "$k"
expect_ok "publish 2 (no status_every: the world before issue 21)" publish
cp "$HALLMARK_KEYSTORE/published/bundle.jws" "$work/b2.jws"
b2_exp=$(python3 -c 'import base64,json,sys; p=open(sys.argv[1]).read().split(".")[1]; print(json.loads(base64.urlsafe_b64decode(p+"="*(-len(p)%4)))["exp"])' "$work/b2.jws")

# publish's caps: the bundle lifetime (14 days) and status_every (5 minutes to a day).
expect_fail "publish --expires 15d" 2 "up to 14d" publish --expires 15d
expect_fail "publish --status-every 1m" 2 "from 5m to 24h" publish --status-every 1m
expect_fail "status-publish --expires 25h" 2 "up to 24h" status-publish --expires 25h
at $((t0 + day + 120))
expect_ok "publish 3 with --status-every 1h" publish --status-every 1h
cp "$HALLMARK_KEYSTORE/published/bundle.jws" "$work/b3.jws"
python3 -c 'import base64,json,sys; p=open(sys.argv[1]).read().split(".")[1]; sys.exit(json.loads(base64.urlsafe_b64decode(p+"="*(-len(p)%4))).get("status_every") != 3600)' \
    "$work/b3.jws" && ok || bad "bundle 3 lacks status_every 3600"
expect_ok "publish 4 keeps --status-every" publish
cp "$HALLMARK_KEYSTORE/published/bundle.jws" "$work/b4.jws"
cp "$HALLMARK_KEYSTORE/published/status.jws" "$work/s4.jws"
python3 -c 'import base64,json,sys; p=open(sys.argv[1]).read().split(".")[1]; sys.exit(json.loads(base64.urlsafe_b64decode(p+"="*(-len(p)%4))).get("status_every") != 3600)' \
    "$work/b4.jws" && ok || bad "bundle 4 lacks status_every 3600"

# ---- the leak -------------------------------------------------------------------------------------
# R: the key is revoked. The platform's hourly timer last ran status-publish one minute before
# R, and runs it next at R + 59m (the worst case: no one runs it by hand). The app fetches the
# status hourly, last one second before each timer run (the worst case again).
R=$((t0 + 2 * day))
kid_short=$k
at $((R - 60))
expect_ok "timer: status-publish at R - 1m" status-publish
cp "$HALLMARK_KEYSTORE/published/status.jws" "$work/s-before.jws"
sign "$k" $((R - 1800)) "Acme Bank: call us now on 0800 000 000" >"$work/thief1.json"
expect_app "the thief's message at R - 30m, app with bundle 4 and the status of R - 1m" \
    "HALLMARK_VERIFIED HALLMARK_OK" "$work/thief1.json" "$work/b4.jws" "$work/s-before.jws" $((R - 59)) \
    "acme-bank:$k:$((R - 1800))"
at $R
expect_ok "revoke the leaked key at R" key revoke "$kid_short" --reason "key file found on a laptop"
sign "$k" $((R + 1800)) "Acme Bank: your account is locked, call 0800 000 000" >"$work/thief2.json"
at $((R + 59 * 60))
expect_ok "timer: status-publish at R + 59m" status-publish
cp "$HALLMARK_KEYSTORE/published/status.jws" "$work/s-after.jws"
expect_app "app fetch at R + 59m - 1s (before the timer ran): the key still verifies" \
    "HALLMARK_VERIFIED" "$work/thief2.json" "$work/b4.jws" "$work/s-before.jws" $((R + 59 * 60 - 1))
after=$((R + 119 * 60 - 1))
expect_app "app fetch at R + 1h59m - 1s: the thief's new message is refused" \
    "HALLMARK_KEY_REVOKED" "$work/thief2.json" "$work/b4.jws" "$work/s-after.jws" $after
expect_app "app fetch at R + 1h59m - 1s: the thief's earlier message loses its checkmark" \
    "HALLMARK_KEY_REVOKED HALLMARK_KEY_REVOKED" "$work/thief1.json" "$work/b4.jws" "$work/s-after.jws" $after \
    "acme-bank:$k:$((R - 1800))"
echo "latency: after, hourly timer and hourly app fetch: $((after - R)) s ($(((after - R + hour - 1) / hour)) h at most)"
[ $((after - R)) -le $((2 * hour)) ] && ok || bad "the status took longer than 2 hours"

# Status fetches blocked: the app holds the status of R - 1m; its checkmarks end at its exp.
s_exp=$((R - 60 + 6 * hour))
expect_app "status blocked: still verified at the held status's exp" \
    "HALLMARK_VERIFIED" "$work/thief2.json" "$work/b4.jws" "$work/s-before.jws" $s_exp
expect_app "status blocked: one second later no checkmark, new or stored" \
    "HALLMARK_STATUS_STALE HALLMARK_STATUS_STALE" "$work/thief1.json" "$work/b4.jws" "$work/s-before.jws" $((s_exp + 1)) \
    "acme-bank:$k:$((R - 1800))" $((R - 59))
blocked=$((s_exp + 1 - R))
echo "latency: after, status fetches blocked: $blocked s ($(((blocked + hour - 1) / hour)) h at most)"
[ "$blocked" -le $((6 * hour)) ] && ok || bad "a blocked status kept the checkmark over 6 hours"
expect_app "bundle 4 with no status at all: cannot tell" \
    "HALLMARK_STATUS_STALE" "$work/thief2.json" "$work/b4.jws" - $((R + 60))

# Before issue 21: the app holds bundle 2 (no status) and the attacker blocks its updates.
sign "$k" $((b2_exp - 60)) "Acme Bank: your account is locked, call 0800 000 000" >"$work/thief3.json"
expect_app "before: bundle 2 alone still verifies the thief's new message at its exp" \
    "HALLMARK_VERIFIED" "$work/thief3.json" "$work/b2.jws" - "$b2_exp" "" $((R - 59))
expect_app "before: bundle 2 alone, one second past its exp" \
    "HALLMARK_BUNDLE_EXPIRED" "$work/thief3.json" "$work/b2.jws" - $((b2_exp + 1)) "" $((R - 59))
before=$((b2_exp + 1 - R))
echo "latency: before, bundle updates blocked: $before s ($(((before + hour - 1) / hour)) h)"
[ "$before" -gt $((4 * day)) ] && ok || bad "the bundle of before expired within 4 days"

# A status is refused when the bundle it names expired, and when the clock went back.
at $((R + 8 * day))
expect_fail "status-publish past the bundle's exp" 1 "a status cannot revive it" status-publish
at $((t0 + day))
expect_fail "status-publish with the clock before the bundle" 1 "the clock is before bundle" status-publish
echo "keys-status: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
