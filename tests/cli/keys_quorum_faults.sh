#!/usr/bin/env bash
# Crash safety of the quorum-root paths of hallmark-keys (issue 20): init --root-media, publisher
# rotate and root rotate with --root-media, and their --compromised forms, stopped (abort()) after
# each step of each of their atomic writes (HALLMARK_FAULT_WRITE=K, HALLMARK_FAULT_AFTER=1..5, see
# core/host/hm_fileio.h). After every crash: status and audit verify accept the keystore, the audit
# log has the old or the new number of entries, the published bundles are intact, and the root
# media still hold a quorum of the set the state names (a crash never strands the ceremonies).
set -eu
. tests/cli/lib/keys.sh
ulimit -c 0
HALLMARK_RUNNER_WRAP=

expect_ok "base init" init --platform "Hallmark Quorum Faults" --kdf minimum --root-media "$work/base-media"
export HALLMARK_PLATFORM="Hallmark Quorum Faults" # the platform id apps pin (hallmark-verify --platform)
expect_ok "base brand" brand add acme-bank --verified-domain acme-bank.example --name "Acme Bank" --logo "$logo_good" --color "#0B5FFF" \
    --sender sms:ACMEBANK@+44 --link-domain acme.example
expect_ok "base key" key add acme-bank
k1=$(cat "$work/out")
expect_ok "base promote" key promote "$k1" --force --reason "first key"
expect_ok "base publish" publish
mv "$HALLMARK_KEYSTORE" "$work/base"
(cd "$work/base" && sha256sum published/bundle-*.jws) >"$work/published.sums"
base_entries=$(wc -l <"$work/base/audit.log")

# quorum_on_media DIR MEDIA: the media hold at least threshold files of the state's current set.
quorum_on_media() {
    python3 -c 'import json,os,sys
s=json.load(open(sys.argv[1]))
q=s["quorum"]
have=sum(os.path.exists(os.path.join(sys.argv[2], r["kid"]+".key")) for r in q["sets"][-1])
sys.exit(0 if have >= q["threshold"] else 1)' "$1/keystore.json" "$2"
}

check_after() { # DIR MEDIA COMMITS WHAT
    local dir=$1 media=$2 commits=$3 what=$4 n
    HALLMARK_KEYSTORE=$dir hk status
    if [ "$status" -ne 0 ]; then bad "$what: status exit $status: $(head -c 300 "$work/err")"; return; fi
    HALLMARK_KEYSTORE=$dir hk audit verify
    if [ "$status" -ne 0 ]; then bad "$what: audit verify exit $status: $(head -c 300 "$work/err")"; return; fi
    n=$(wc -l <"$dir/audit.log")
    if [ "$n" -lt "$base_entries" ] || [ "$n" -gt $((base_entries + commits)) ]; then
        bad "$what: audit log has $n entries, want $base_entries to $((base_entries + commits))"; return
    fi
    if ! (cd "$dir" && sha256sum --quiet -c "$work/published.sums"); then
        bad "$what: a published bundle changed or vanished"; return
    fi
    quorum_on_media "$dir" "$media" && ok || bad "$what: the media no longer hold a quorum of the state's set"
}

commands=(
    "publisher rotate"
    "publisher rotate --compromised --reason leak"
    "root rotate"
    "root rotate --compromised --reason lost-medium"
)
crashes=0
for cmd in "${commands[@]}"; do
    read -ra argv <<<"$cmd"
    commits=1
    case "$cmd" in *"publisher rotate --compromised"*) commits=2 ;; esac
    k=1
    while :; do
        completed=0
        for step in 1 2 3 4 5; do
            rm -rf "$work/ks" "$work/media" && cp -a "$work/base" "$work/ks" && cp -a "$work/base-media" "$work/media"
            set +e
            { HALLMARK_FAULT_WRITE=$k HALLMARK_FAULT_AFTER=$step "$keys_cli" "${argv[@]}" --dir "$work/ks" \
                --root-media "$work/media" >/dev/null 2>&1; } 2>/dev/null
            st=$?
            set -e
            if [ "$st" -eq 0 ]; then
                completed=1
                check_after "$work/ks" "$work/media" "$commits" "$cmd: completed"
                break
            fi
            if [ "$st" -ne 134 ]; then
                bad "$cmd: write $k step $step: exit $st, want an abort (134)"
                continue
            fi
            crashes=$((crashes + 1))
            check_after "$work/ks" "$work/media" "$commits" "$cmd: crash at write $k step $step"
        done
        [ "$completed" -eq 1 ] && break
        k=$((k + 1))
        if [ "$k" -gt 30 ]; then bad "$cmd: more than 30 writes?"; break; fi
    done
    if [ "$k" -lt 2 ]; then bad "$cmd: never reached its first write"; fi
done

# init --root-media: a crash leaves either no keystore or a whole one, never a root secret in it.
k=1
while :; do
    completed=0
    for step in 1 2 3 4 5; do
        rm -rf "$work/fresh" "$work/fresh-media"
        set +e
        { HALLMARK_FAULT_WRITE=$k HALLMARK_FAULT_AFTER=$step "$keys_cli" init --dir "$work/fresh" \
            --platform P --kdf minimum --root-media "$work/fresh-media" >/dev/null 2>&1; } 2>/dev/null
        st=$?
        set -e
        if [ "$st" -ne 0 ] && [ "$st" -ne 134 ]; then bad "init: write $k step $step: exit $st"; continue; fi
        [ "$st" -eq 134 ] && crashes=$((crashes + 1))
        if [ -f "$work/fresh/keystore.json" ]; then
            HALLMARK_KEYSTORE=$work/fresh hk status
            [ "$status" -eq 0 ] && ok || bad "init: crash at write $k step $step: status exit $status"
            quorum_on_media "$work/fresh" "$work/fresh-media" && ok ||
                bad "init: crash at write $k step $step: a committed keystore without its quorum on the media"
            [ "$(find "$work/fresh/secret" -name '*.key' | wc -l)" -le 1 ] && ok ||
                bad "init: crash at write $k step $step: a root secret in the keystore"
        else
            ok
        fi
        if [ "$st" -eq 0 ]; then completed=1; break; fi
    done
    [ "$completed" -eq 1 ] && break
    k=$((k + 1))
    if [ "$k" -gt 30 ]; then bad "init: more than 30 writes?"; break; fi
done

[ "$crashes" -gt 20 ] && ok || bad "only $crashes crash cases"
echo "keys-quorum-faults: $crashes crashes injected"
echo "keys-quorum-faults: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
