#!/usr/bin/env bash
# The walls between the rooms are enforced by the build, and this shows that they hold:
#   - libhallmark exports only hallmark_* and carries no signing code (tools/check-exports.sh, also
#     run by make check), and the check does fail on a library with signing code linked in;
#   - a verifier file cannot include a keystore, signing or host header (the room's include path),
#     and a path around the include path is caught by tools/check-walls.sh on the dependency file.
set -eu
build=${HALLMARK_BUILD:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() {
    echo "FAIL $*"
    failed=$((failed + 1))
}
# expect_fail LABEL PATTERN COMMAND...: the command fails and says PATTERN.
expect_fail() {
    local label=$1 pattern=$2
    shift 2
    if "$@" >"$work/out" 2>&1; then
        bad "$label: succeeded"
    elif ! grep -q -- "$pattern" "$work/out"; then
        bad "$label: no '$pattern' in: $(head -c 400 "$work/out")"
    else
        ok
    fi
}

# 1. The shipped libraries, full and OpenSSL-free.
for dir in "$build" "$build/min"; do
    [ -f "$dir/lib/libhallmark.a" ] || continue
    if tools/check-exports.sh "$dir/lib/libhallmark.so.0" "$dir/lib/libhallmark.a" >"$work/out" 2>&1
    then ok; else bad "check-exports on $dir: $(cat "$work/out")"; fi
done

# 2. The same check on a libhallmark with the signing object linked in must fail.
cp "$build/lib/libhallmark.a" "$work/libhallmark.a"
ar rs "$work/libhallmark.a" "$build/obj/core/sign/hm_signkey.o" 2>/dev/null
mapfile -t lib_objects < <(ar t "$build/lib/libhallmark.a" | sed "s#^#$work/x/#")
mkdir -p "$work/x" && (cd "$work/x" && ar x "$OLDPWD/$build/lib/libhallmark.a")
cc -shared -o "$work/libhallmark.so.0" "${lib_objects[@]}" "$build/obj/core/sign/hm_signkey.o" \
    2>"$work/ld" || bad "linking the doctored library: $(cat "$work/ld")"
expect_fail "signing code in the .a" "libhallmark.a holds signing code: .*hm_signkey_sign" \
    tools/check-exports.sh "$build/lib/libhallmark.so.0" "$work/libhallmark.a"
expect_fail "signing code in the .so" "libhallmark.so.0 calls signing primitives: .*crypto_sign_detached" \
    tools/check-exports.sh "$work/libhallmark.so.0" "$build/lib/libhallmark.a"
# An exported symbol outside hallmark_*.
printf 'int __attribute__((visibility("default"))) hm_extra(void) { return 1; }\n' >"$work/extra.c"
cc -shared -fPIC -o "$work/libextra.so" "$work/extra.c" "${lib_objects[@]}" 2>"$work/ld" ||
    bad "linking the library with an extra export: $(cat "$work/ld")"
expect_fail "an export outside hallmark_*" "exports symbols outside hallmark_\*: hm_extra" \
    tools/check-exports.sh "$work/libextra.so" "$build/lib/libhallmark.a"

# 3. A verifier file, compiled with the verifier's include path (make room-includes).
verifier_inc=$(make -s --no-print-directory room-includes ROOM=VERIFIER)
[ -n "$verifier_inc" ] || bad "make room-includes ROOM=VERIFIER printed nothing"
# shellcheck disable=SC2086 # word-split the flags
compile() { # FILE.c: compiles it as a verifier source, with a dependency file
    cc -std=c11 -fsyntax-only -MMD -MF "${1%.c}.d" -MT "${1%.c}.o" $verifier_inc \
        $(pkg-config --cflags libsodium jansson) "$1"
}
probe() { # NAME INCLUDE: a verifier file that includes the header
    printf '#include "hm_bundle.h"\n#include "%s"\nint probe(void);\nint probe(void) { return 0; }\n' \
        "$2" >"$work/$1.c"
}
probe control hm_claims.h
if compile "$work/control.c" 2>"$work/out"; then ok; else bad "a verifier file with verifier headers: $(cat "$work/out")"; fi
for header in hm_keystore.h hm_signkey.h hm_jws_sign.h hm_fileio.h hm_png.h hm_signer.h; do
    probe "with_${header%.h}" "$header"
    expect_fail "#include \"$header\" in a verifier file" "$header: No such file or directory" \
        compile "$work/with_${header%.h}.c"
done
# A path around the include list compiles, and the dependency check refuses it.
probe around sign/hm_signkey.h
if compile "$work/around.c" 2>"$work/out"; then ok; else bad "sign/hm_signkey.h: $(cat "$work/out")"; fi
expect_fail "check-walls on \"sign/hm_signkey.h\"" "includes core/sign/hm_signkey.h, which its room may not use" \
    tools/check-walls.sh "$verifier_inc" "$work/around.d"
probe absolute "$PWD/core/host/hm_errorf.h"
if compile "$work/absolute.c" 2>"$work/out"; then ok; else bad "an absolute path: $(cat "$work/out")"; fi
expect_fail "check-walls on an absolute path" "includes core/host/hm_errorf.h, which its room may not use" \
    tools/check-walls.sh "$verifier_inc" "$work/absolute.d"
# The build's own dependency files pass.
if tools/check-walls.sh "$verifier_inc" "$build"/obj/verifier/src/*.d "$build"/obj/core/*.d 2>"$work/out"
then ok; else bad "the verifier's own objects: $(cat "$work/out")"; fi

echo "walls: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
