#!/usr/bin/env bash
# A passphrase per root custodian (spec HM-TRUST-67, issue 20): each root key of the quorum is
# sealed on its own custodian's medium under that custodian's own passphrase, so no one person
# (nor the keystore passphrase) opens a quorum; the ceremonies take the media and passphrases of
# at least the threshold of custodians, in any order.
set -eu
. tests/cli/lib/keys.sh
day=86400
t0=$HALLMARK_NOW
at() { export HALLMARK_NOW=$((t0 + $1)); }
for n in a b c; do
    mkdir -p "$work/media-$n"
    printf 'custodian %s passphrase, long enough\n' "$n" >"$work/pass-$n"
    chmod 600 "$work/pass-$n"
done
media() { for n in "$@"; do printf -- '--root-media\n%s\n' "$work/media-$n"; done; }
passes() { for n in "$@"; do printf -- '--custodian-passphrase-file\n%s\n' "$work/pass-$n"; done; }
files_on() { find "$work/media-$1" -name '*.key' | wc -l; }
mapfile -t abc < <(media a b c)
mapfile -t pabc < <(passes a b c)

# ---- init refusals: nothing is created ----------------------------------------------------------
cp "$work/pass-a" "$work/pass-a2"
expect_fail "two custodians, one passphrase" 1 "gave the same passphrase" \
    init --platform "Custodian Test" --kdf minimum "${abc[@]}" --custodian-passphrase-file "$work/pass-a" \
    --custodian-passphrase-file "$work/pass-a2" --custodian-passphrase-file "$work/pass-c"
expect_fail "a custodian with the keystore's passphrase" 1 "gave the keystore's passphrase" \
    init --platform "Custodian Test" --kdf minimum "${abc[@]}" --custodian-passphrase-file "$work/pass-a" \
    --custodian-passphrase-file "$HALLMARK_PASSPHRASE_FILE" --custodian-passphrase-file "$work/pass-c"
mapfile -t ab < <(media a b)
expect_fail "two media for three keys" 2 "give one medium per key" \
    init --platform "Custodian Test" --kdf minimum "${ab[@]}" "${pabc[@]:0:4}"
expect_fail "a medium without its custodian's passphrase" 2 "give its custodian's --custodian-passphrase-file" \
    init --platform "Custodian Test" --kdf minimum "${abc[@]}" "${pabc[@]:0:4}"
expect_fail "more passphrases than media" 2 "one per medium, in the same order" \
    init --platform "Custodian Test" --kdf minimum "${ab[@]}" "${pabc[@]}"
[ ! -e "$HALLMARK_KEYSTORE" ] && [ "$(files_on a)$(files_on b)$(files_on c)" = 000 ] && ok ||
    bad "a refused init left a keystore or key files"

# ---- init: one key per medium, each under its custodian's passphrase ----------------------------
expect_ok "init with three custodians" init --platform "Custodian Test" --kdf minimum "${abc[@]}" "${pabc[@]}"
[ "$(files_on a)$(files_on b)$(files_on c)" = 111 ] && ok || bad "key files per medium: $(files_on a)$(files_on b)$(files_on c)"
grep -q '"kdf"' "$work/media-a/"*.key && ok || bad "the medium's file is not a sealed key file"
expect_ok "status" status
if grep -q "sealed under one passphrase" "$work/out"; then bad "status warns with three custodians"; else ok; fi

# ---- ceremonies: any two custodians, each with their own passphrase ------------------------------
at $((day))
mapfile -t cb < <(media c b)
mapfile -t pcb < <(passes c b)
expect_ok "recertify with custodians c and b" publisher recertify "${cb[@]}" "${pcb[@]}"
mapfile -t pbc < <(passes b c)
expect_fail "passphrases in the wrong order" 1 "did not open with its custodian's passphrase" \
    publisher recertify "${cb[@]}" "${pbc[@]}"
mapfile -t a_only < <(media a)
expect_fail "one custodian alone" 1 "hold 1 usable root key file(s) of the current set; the threshold is 2" \
    publisher recertify "${a_only[@]}" --custodian-passphrase-file "$work/pass-a"
# The keystore passphrase opens no medium, even with all three.
expect_fail "the keystore passphrase on every medium" 1 "did not open with its custodian's passphrase" \
    publisher recertify "${abc[@]}" --custodian-passphrase-file "$HALLMARK_PASSPHRASE_FILE" \
    --custodian-passphrase-file "$HALLMARK_PASSPHRASE_FILE" --custodian-passphrase-file "$HALLMARK_PASSPHRASE_FILE"

# ---- root rotate: a new set, one key per medium again, the old files gone ------------------------
old=$(find "$work"/media-? -name '*.key' | sort)
expect_ok "root rotate" root rotate "${abc[@]}" "${pabc[@]}"
new=$(find "$work"/media-? -name '*.key' | sort)
[ "$(files_on a)$(files_on b)$(files_on c)" = 111 ] && [ "$old" != "$new" ] && ok ||
    bad "after root rotate: $(files_on a)$(files_on b)$(files_on c), files changed: $([ "$old" != "$new" ] && echo yes)"
expect_ok "publish after the rotation" publish
expect_ok "recertify with the new set" publisher recertify "${cb[@]}" "${pcb[@]}"
expect_ok "audit chain" audit verify

# ---- a single-custodian keystore: allowed for tests, and status says so -------------------------
export HALLMARK_KEYSTORE=$work/ks-single
expect_ok "init with one medium" init --platform "Custodian Test" --kdf minimum --root-media "$work/media-single"
[ "$(find "$work/media-single" -name '*.key' | wc -l)" -eq 3 ] && ok || bad "single medium holds $(find "$work/media-single" -name '*.key' | wc -l) files"
expect_ok "status of the single-custodian keystore" status
grep -q "WARNING   every root key is sealed under one passphrase" "$work/out" && ok || bad "no custodian warning: $(cat "$work/out")"

echo "keys-custodians: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
