#!/usr/bin/env bash
# make demo: the verifier an app embeds, run through hallmark-verify on messages from the spec's
# test vectors (minted by the vector generator until hallmark-signer lands), one line each.
set -euo pipefail
cli=${1:-build}/bin/hallmark-verify
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

show() { # VECTOR LABEL
    local v=spec/vectors/$1 out status
    python3 tests/cli/vector_tool.py args "$v" "$work" >"$work/args"
    mapfile -t args < <(grep -vx -- --json "$work/args")
    set +e
    out=$("$cli" "${args[@]}" 2>/dev/null | head -n 1)
    status=$?
    set -e
    printf '  %-44s %s\n' "$2" "$out"
    [ "$status" -eq 0 ] || true
}

echo "Hallmark demo: what an app shows for each message (hallmark-verify, pinned root + bundle)"
echo
show 001-sms-alphanumeric.json "SMS from ACMEBANK, signed"
show 012-human-agent.json "support chat, a person named Sam writes"
show 016-four-actions.json "invoice with a signed \"Pay now\" button"
show 018-es256.json "same brand, ES256 key"
show 004-crlf-transport.json "line ends changed in transit"
show 068-amount-changed.json "amount changed from 10.00 to 100.00"
show 065-token-on-other-sender.json "genuine token copied to a spoofed sender"
show 066-sender-not-authorized.json "brand signs for a sender it does not own"
show 075-action-userinfo.json "button to acme.example@evil.example"
show 076-action-suffix-trick.json "button to acme.example.evil.example"
show 026-unsigned.json "no token at all"
show 059-cross-brand-key.json "another brand's key claims to be Acme"
show 094-bundle-rollback.json "older trust bundle replayed"
show 096-bundle-frozen.json "bundle updates blocked past expiry"
echo
echo "Only the first kind of line earns the checkmark. The signer and keys CLI are not built yet."
