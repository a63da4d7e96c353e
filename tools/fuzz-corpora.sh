# shellcheck shell=bash
# Sourced by tools/run-fuzz.sh and tools/run-tests.sh: the seed corpora of a fuzz target. Its own,
# and for a target that reads what other targets read, theirs as well: fuzz_json_doc parses, as
# jansson does, the JSON inside tokens, bundles, JWKs, sign requests and credentials (issue 16:
# the verifier's payload parser is fuzzed against jansson on the existing corpora).
# usage: fuzz_corpora NAME   (prints one folder a line)
fuzz_corpora() {
    echo "tests/fuzz/corpus/$1"
    case $1 in
    fuzz_json_doc)
        printf 'tests/fuzz/corpus/%s\n' fuzz_token fuzz_bundle fuzz_json_jwk fuzz_signer_request \
            fuzz_credential
        ;;
    esac
}
