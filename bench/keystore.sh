# The bench keystore, for bench/run.sh and bench/callgrind.sh (sourced): four brands with PNG logos
# drawn by hm-demo-logo, senders on SMS, e-mail, RCS, WhatsApp and push, link domains, one key
# each (Ed25519 unless asked), published and promoted. Exports what hallmark-keys,
# hallmark-signer and the bench tools read (HALLMARK_KEYSTORE, HALLMARK_PASSPHRASE_FILE, ...);
# WORK/pass is the passphrase.
# usage: bench_keystore BUILD WORK [ALG [DIR]]   (ALG ed25519, the default, or es256: every
# brand's key; DIR: the keystore, WORK/ks by default)
bench_keystore() {
    local build=$1 work=$2 alg=${3:-ed25519} keys=$1/bin/hallmark-keys id name color options kid
    local -a kids=()
    printf 'bench passphrase, not a secret\n' >"$work/pass"
    chmod 600 "$work/pass"
    export HALLMARK_PASSPHRASE_FILE=$work/pass HALLMARK_KEYSTORE=${4:-$work/ks} HALLMARK_OPERATOR=bench
    export HALLMARK_PLATFORM="Hallmark Bench"
    unset HALLMARK_NOW
    bench_quiet() { "$@" >"$work/cmd.out" 2>&1 || { cat "$work/cmd.out" >&2; exit 1; }; }
    bench_quiet "$keys" init --platform "Hallmark Bench" --kdf minimum
    while IFS=$'\t' read -r id name color options; do
        "$build/tests/hm-demo-logo" "$color" "$work/$id.png" "$id" # a picture of its own (HM-CRED-42)
        # shellcheck disable=SC2086 # options is a list of words without spaces
        bench_quiet "$keys" brand add "$id" --name "$name" --logo "$work/$id.png" --color "$color" $options
        kids+=("$("$keys" key add "$id" --alg "$alg" 2>/dev/null)")
    done < <(python3 bench/workload.py brands)
    bench_quiet "$keys" publish
    for kid in "${kids[@]}"; do bench_quiet "$keys" key promote "$kid" --force --reason "bench"; done
    bench_quiet "$keys" publish
}
