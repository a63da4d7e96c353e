#!/usr/bin/env bash
# Crash safety of hallmark-keys: every command that writes is stopped (abort()) after each step of
# each of its atomic writes (HALLMARK_FAULT_WRITE=K, HALLMARK_FAULT_AFTER=1..5, see core/host/hm_fileio.h).
# After every crash: status and audit verify accept the keystore, the audit log has either the old
# or the new number of entries, every bundle published before (published/bundle-SERIAL.jws) is
# byte for byte intact, and the
# latest published bundle still loads in the verifier.
set -eu
. tests/cli/lib/keys.sh
ulimit -c 0
# Hundreds of short runs: memcheck (make valgrind) would take minutes here and the scenario and
# error suites already run every command under it, so this suite runs the binaries bare.
HALLMARK_RUNNER_WRAP=

# The base keystore: brand acme-bank with an active key and a revoked one, two bundles published.
expect_ok "base init" init --platform "Hallmark Faults" --kdf minimum
export HALLMARK_PLATFORM="Hallmark Faults" # the platform id apps pin (hallmark-verify --platform)
expect_ok "base brand" brand add acme-bank --verified-domain acme-bank.example --name "Acme Bank" --logo "$logo_good" --color "#0B5FFF" \
    --sender sms:ACMEBANK@+44 --link-domain acme.example
expect_ok "base key" key add acme-bank
k1=$(cat "$work/out")
expect_ok "base promote" key promote "$k1" --force --reason "first key"
expect_ok "base second key" key add acme-bank
kx=$(cat "$work/out")
expect_ok "base revoke" key revoke "$kx" --reason "test"
expect_ok "base publish" publish
expect_ok "base publish again" publish
mv "$HALLMARK_KEYSTORE" "$work/base"
cp "$work/base/root.pub" "$work/root.pub" # what apps pinned; root rotate must not strand them
echo '{"channel":"sms","from":"ACMEBANK","to":"+447700900123","body":"hi"}' >"$work/unsigned.json"

commands=(
    "brand add globex --verified-domain globex.example --name Globex --logo $(logo_for globex) --color #003399 --sender sms:GLOBEX@+44"
    "brand update acme-bank --color #003399"
    "key add acme-bank"
    "key add acme-bank --scope-sender sms:ACMEBANK@+44"
    "publish"
    "rotate acme-bank"
    "key revoke $k1 --reason leaked"
    "key destroy $kx"
    "root rotate"
    "publisher rotate"
    "brand revoke acme-bank --reason ended"
)

entries() { wc -l <"$1/audit.log"; }

# check_after DIR BEFORE_ENTRIES COMMITS WHAT: the keystore in DIR is usable and lost nothing; the
# command commits COMMITS changes (rotate: a key, then a bundle), each all or nothing.
check_after() {
    local dir=$1 before=$2 commits=$3 what=$4 n
    HALLMARK_KEYSTORE=$dir hk status
    if [ "$status" -ne 0 ]; then bad "$what: status exit $status: $(head -c 300 "$work/err")"; return; fi
    HALLMARK_KEYSTORE=$dir hk audit verify
    if [ "$status" -ne 0 ]; then bad "$what: audit verify exit $status: $(head -c 300 "$work/err")"; return; fi
    n=$(entries "$dir")
    if [ "$n" -lt "$before" ] || [ "$n" -gt $((before + commits)) ]; then
        bad "$what: audit log has $n entries, want $before to $((before + commits))"; return
    fi
    if ! python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(open(sys.argv[2]).read() != s["root"]["x"] + "\n")' \
        "$dir/keystore.json" "$dir/root.pub"; then
        bad "$what: root.pub is not the current root"; return
    fi
    if ! (cd "$dir" && sha256sum --quiet -c "$work/published.sums"); then
        bad "$what: a published file changed or vanished"; return
    fi
    if ! "$verify_cli" --root "$work/root.pub" --bundle "$dir/published/bundle.jws" --json \
        --now "$HALLMARK_NOW" --message "$work/unsigned.json" 2>/dev/null |
        grep -q '"result":"HALLMARK_UNSIGNED","message":"[^"]*","serial":[0-9]'; then
        bad "$what: the latest bundle no longer loads"; return
    fi
    ok
}

state_kid() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["kid"])' "$1/keystore.json" "$2"; }
base_root=$(state_kid "$work/base" root)
base_publisher=$(state_kid "$work/base" publisher)

# secrets_after DIR COMMAND WHAT: root rotate and publisher rotate replace a secret. Before their
# commit the old secret must stay; after it (once a command has opened the keystore, as
# check_after's status does) the old one must be gone and the new one there.
secrets_after() {
    local dir=$1 what=$3 member old now
    case "$2" in
    "root rotate") member=root old=$base_root ;;
    "publisher rotate") member=publisher old=$base_publisher ;;
    *) return 0 ;;
    esac
    now=$(state_kid "$dir" "$member")
    [ "$now" = "$old" ] && seen="$seen $member-before" || seen="$seen $member-after"
    if [ "$now" = "$old" ]; then
        [ -e "$dir/secret/$old.key" ] && ok || bad "$what: the $member secret is gone before the commit"
    elif [ ! -e "$dir/secret/$old.key" ] && [ -e "$dir/secret/$now.key" ]; then
        ok
    else
        bad "$what: after the commit the old $member secret must be gone and the new one there"
    fi
}

seen=""

(cd "$work/base" && sha256sum published/bundle-*.jws) >"$work/published.sums" # each serial, immutable
base_entries=$(entries "$work/base")
crashes=0
for cmd in "${commands[@]}"; do
    read -ra argv <<<"$cmd"
    k=1
    while :; do
        completed=0
        for step in 1 2 3 4 5; do
            rm -rf "$work/ks" && cp -a "$work/base" "$work/ks"
            set +e
            { HALLMARK_FAULT_WRITE=$k HALLMARK_FAULT_AFTER=$step "$keys_cli" "${argv[@]}" >/dev/null 2>&1; } 2>/dev/null
            st=$?
            set -e
            if [ "$st" -eq 0 ]; then
                completed=1
                secrets_after "$work/ks" "$cmd" "$cmd: completed"
                break
            fi
            if [ "$st" -ne 134 ]; then
                bad "$cmd: write $k step $step: exit $st, want an abort (134)"
                continue
            fi
            crashes=$((crashes + 1))
            commits=1
            [ "${argv[0]}" = rotate ] && commits=2
            check_after "$work/ks" "$base_entries" "$commits" "$cmd: crash at write $k step $step"
            secrets_after "$work/ks" "$cmd" "$cmd: crash at write $k step $step"
        done
        [ "$completed" -eq 1 ] && break
        k=$((k + 1))
        if [ "$k" -gt 20 ]; then bad "$cmd: more than 20 writes?"; break; fi
    done
    # The command has k-1 writes; without a fault it must complete on the base keystore.
    if [ "$k" -lt 2 ]; then bad "$cmd: never reached its first write"; fi
done

# Both sides of each commit were reached: crashes before it and after it.
for want in root-before root-after publisher-before publisher-after; do
    case " $seen " in *" $want "*) ok ;; *) bad "no crash case reached $want" ;; esac
done

# init in an empty directory, crashed at each write: afterwards either no keystore (and init can
# run again) or a keystore that status and audit verify accept.
k=1
while [ "$k" -le 20 ]; do
    done_init=0
    for step in 1 2 3 4 5; do
        rm -rf "$work/fresh"
        set +e
        { HALLMARK_KEYSTORE=$work/fresh HALLMARK_FAULT_WRITE=$k HALLMARK_FAULT_AFTER=$step \
            "$keys_cli" init --platform P --kdf minimum >/dev/null 2>&1; } 2>/dev/null
        st=$?
        set -e
        if [ "$st" -eq 0 ]; then done_init=1; break; fi
        crashes=$((crashes + 1))
        if [ -e "$work/fresh/keystore.json" ]; then
            HALLMARK_KEYSTORE=$work/fresh hk audit verify
            if [ "$status" -eq 0 ]; then ok; else bad "init crash $k/$step: audit verify: $(cat "$work/err")"; fi
        else
            HALLMARK_KEYSTORE=$work/fresh hk init --platform P --kdf minimum
            if [ "$status" -eq 0 ]; then ok; else bad "init crash $k/$step: init again: $(cat "$work/err")"; fi
        fi
    done
    [ "$done_init" -eq 1 ] && break
    k=$((k + 1))
done
echo "keys-faults: $crashes crashes injected"
echo "keys-faults: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
