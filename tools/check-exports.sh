#!/usr/bin/env bash
# The shipped verifier library's surface, in the manner of jansson's check-exports:
#   - libhallmark.so exports only hallmark_* symbols;
#   - neither the .so nor the .a holds signing code: no hm_signkey_* or hm_jws_sign* symbol, and
#     no reference to a signing or key-generating primitive of libsodium or OpenSSL.
# usage: tools/check-exports.sh LIBHALLMARK.so LIBHALLMARK.a
set -euo pipefail
so=${1?usage: tools/check-exports.sh LIBHALLMARK.so LIBHALLMARK.a}
a=${2?usage: tools/check-exports.sh LIBHALLMARK.so LIBHALLMARK.a}
status=0
fail() {
    echo "check-exports: $*" >&2
    status=1
}
for f in "$so" "$a"; do
    [ -f "$f" ] || { echo "check-exports: $f: no such file (build it first)" >&2; exit 2; }
done

extra=$(nm -D --defined-only "$so" | awk '{print $NF}' | grep -v '^hallmark_' || true)
[ -z "$extra" ] || fail "$so exports symbols outside hallmark_*: $(echo $extra)"

signing_defined='^(hm_signkey_|hm_jws_sign)'
signing_used='^(crypto_sign_detached|crypto_sign_keypair|crypto_sign_seed_keypair|crypto_sign_ed25519_sk_to_|crypto_sign$|EVP_DigestSign|EVP_PKEY_sign|EVP_PKEY_keygen|EC_KEY_generate_key|ECDSA_do_sign|ECDSA_sign)'
for f in "$so" "$a"; do
    # Every symbol of the symbol table (local ones too, unless stripped) and the dynamic table.
    syms=$( { nm "$f" 2>/dev/null || true; nm -D "$f" 2>/dev/null || true; } |
        awk 'NF >= 2 {print $(NF-1), $NF}')
    found=$(echo "$syms" | awk '$1 != "U" {print $2}' | grep -E "$signing_defined" | sort -u || true)
    [ -z "$found" ] || fail "$f holds signing code: $(echo $found)"
    found=$(echo "$syms" | awk '$1 == "U" {print $2}' | sed 's/@.*//' | grep -E "$signing_used" |
        sort -u || true)
    [ -z "$found" ] || fail "$f calls signing primitives: $(echo $found)"
done
[ $status -ne 0 ] || echo "check-exports: $so exports only hallmark_*; no signing code in $so or $a"
exit $status
