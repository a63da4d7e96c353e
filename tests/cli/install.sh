#!/usr/bin/env bash
# make install into a fresh prefix (issue 18, item 4), then everything run from there with no
# LD_LIBRARY_PATH: each tool's --version and --help (hallmark-signer's citing the installed API
# description), a keystore made, a message signed and verified by the installed tools, a small
# program built against the installed hallmark.pc and run, each man page rendered by man -l and
# naming every option its tool's --help names, the bash completion, the jar and JNI library
# (built first), and make uninstall leaving nothing behind.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh

case "$build" in
*asan* | *valgrind* | *fuzz*)
    echo "install: skipped under $build (packaging runs no C of ours under the sanitizer)"
    echo "install: 0 passed, 0 failed, 1 skipped"
    exit 0
    ;;
esac
for tool in help2man man pkg-config; do
    command -v "$tool" >/dev/null || {
        echo "install: $tool is missing: make deps"
        echo "install: 0 passed, 1 failed"
        exit 1
    }
done

prefix=$work/prefix
mk() { env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory -s BUILD="$build" "$@"; }
# make install installs the jar and the JNI library when they are built: build them first (as
# java_vectors.sh does; make deps installs the JDK), so that a fresh clone checks them too.
for tool in java javac; do
    command -v "$tool" >/dev/null || {
        echo "install: $tool is missing: make deps"
        echo "install: 0 passed, 1 failed"
        exit 1
    }
done
if mk java >"$work/java.out" 2>&1; then ok; else bad "make java: $(tail -5 "$work/java.out")"; fi
if mk install PREFIX="$prefix" >"$work/install.out" 2>&1; then ok; else bad "make install: $(tail -5 "$work/install.out")"; fi
version=$(sed -n 's/^#define HALLMARK_VERSION_STRING "\(.*\)"/\1/p' verifier/include/hallmark.h)
unset LD_LIBRARY_PATH

# ---- the tools, from the prefix -----------------------------------------------------------------
for t in hallmark-verify hallmark-keys hallmark-signer; do
    out=$("$prefix/bin/$t" --version 2>&1) && [ "$out" = "$t $version" ] && ok || bad "$t --version: '$out'"
    "$prefix/bin/$t" --help >"$work/$t.help" 2>&1 && [ -s "$work/$t.help" ] && ok || bad "$t --help failed"
done
grep -qF "$prefix/share/hallmark/signer-api.yaml" "$work/hallmark-signer.help" && ok ||
    bad "hallmark-signer --help does not cite the installed API: $(tail -1 "$work/hallmark-signer.help")"
cmp -s "$prefix/share/hallmark/signer-api.yaml" spec/signer-api.yaml && ok || bad "signer-api.yaml not installed"
# A keystore, a signature and a verdict, all by the installed tools.
keys_cli=$prefix/bin/hallmark-keys
verify_cli=$prefix/bin/hallmark-verify
signer_cli=$prefix/bin/hallmark-signer
make_keystore
printf '%s\n' "$(msg acme-bank ACMEBANK +447700900123 'Acme Bank: your code is 4242')" >"$work/in.ndjson"
if "$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/sig.log" <"$work/in.ndjson" >"$work/out.json" 2>"$work/sign.err"; then
    ok
else bad "installed signer: $(cat "$work/sign.err")"; fi
[ "$(verify_token "$work/out.json" ACMEBANK +447700900123 'Acme Bank: your code is 4242')" = HALLMARK_VERIFIED ] && ok ||
    bad "the installed hallmark-verify does not verify the installed signer's token"

# ---- the library, through pkg-config -----------------------------------------------------------
lib=$prefix/lib
[ "$(readlink "$lib/libhallmark.so")" = libhallmark.so.0 ] && [ -f "$lib/libhallmark.so.0" ] && ok || bad "soname link"
cat >"$work/app.c" <<'C'
#include <hallmark.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    printf("%s %s\n", hallmark_version(), hallmark_strerror(HALLMARK_OK));
    return strcmp(hallmark_version(), HALLMARK_VERSION_STRING) != 0;
}
C
export PKG_CONFIG_PATH=$lib/pkgconfig
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
if cc -o "$work/app" "$work/app.c" $(pkg-config --cflags --libs hallmark) 2>"$work/cc.err"; then ok; else bad "cc with hallmark.pc: $(cat "$work/cc.err")"; fi
out=$("$work/app" 2>&1) && [ "${out%% *}" = "$version" ] && ok || bad "the app linked with hallmark.pc: '$out'"
ldd "$work/app" | grep -q "libhallmark.so.0 => $lib/libhallmark.so.0" && ok || bad "the app does not load the installed library: $(ldd "$work/app" | grep hallmark)"
# The static library too (Requires.private names its dependencies).
# shellcheck disable=SC2046
if cc -o "$work/app-static" "$work/app.c" $(pkg-config --cflags hallmark) "$lib/libhallmark.a" $(pkg-config --libs --static hallmark | sed 's/-lhallmark//') 2>"$work/cc.err" &&
    "$work/app-static" >/dev/null; then ok; else bad "static link: $(cat "$work/cc.err")"; fi

# ---- man pages: rendered, and naming every option of --help ------------------------------------
for t in hallmark-verify hallmark-keys hallmark-signer; do
    page=$prefix/share/man/man1/$t.1
    if MANWIDTH=200 man --nh --nj -l "$page" >"$work/$t.man" 2>"$work/man.err" && grep -q '^NAME' "$work/$t.man" &&
        grep -q "$version" "$work/$t.man"; then ok; else bad "man -l $t.1: $(head -3 "$work/man.err")"; fi
    missing=$(grep -o -- '--[a-z][a-z0-9-]*' "$work/$t.help" | sort -u | while read -r o; do
        grep -qF -- "$o" "$work/$t.man" || echo "$o"
    done)
    [ -z "$missing" ] && ok || bad "$t.1 lacks options of --help: $missing"
done

# ---- bash completion: the installed tools' own commands and options -----------------------------
comp=$prefix/share/bash-completion/completions
[ -L "$comp/hallmark-keys" ] && [ -L "$comp/hallmark-signer" ] && [ -f "$comp/hallmark-verify" ] && ok || bad "completion files"
got=$(PATH=$prefix/bin:$PATH bash -c '. "$1"; COMP_WORDS=(hallmark-signer ""); COMP_CWORD=1; _hallmark; echo "${COMPREPLY[*]}"
    COMP_WORDS=(hallmark-keys pub); COMP_CWORD=1; _hallmark; echo "${COMPREPLY[*]}"
    COMP_WORDS=(hallmark-verify --bun); COMP_CWORD=1; _hallmark; echo "${COMPREPLY[*]}"' _ "$comp/hallmark-verify")
[ "$got" = "$(printf 'audit client directory serve sign\npublish publisher\n--bundle')" ] && ok || bad "completion: $got"

# ---- Java: the jar and the JNI library (built above) ---------------------------------------------
[ -f "$prefix/share/java/hallmark.jar" ] && [ -f "$prefix/lib/jni/libhallmark_jni.so" ] && ok || bad "jar or JNI library not installed"
mkdir -p "$work/j"
printf 'public class Load { public static void main(String[] a) throws Exception { Class.forName("dev.hallmark.Verifier"); System.out.println("loaded"); } }\n' >"$work/j/Load.java"
javac -d "$work/j" "$work/j/Load.java" &&
    [ "$(java -Djava.library.path="$prefix/lib/jni" -cp "$prefix/share/java/hallmark.jar:$work/j" Load 2>&1)" = loaded ] &&
    ok || bad "the installed jar does not load its JNI library"

# ---- uninstall --------------------------------------------------------------------------------
if mk uninstall PREFIX="$prefix" >"$work/uninstall.out" 2>&1; then ok; else bad "make uninstall: $(tail -3 "$work/uninstall.out")"; fi
left=$(find "$prefix" \( -type f -o -type l \) | sed "s|^$prefix/||")
[ -z "$left" ] && ok || bad "make uninstall left: $left"
echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
