#!/usr/bin/env bash
# make wasm: the verifier for WebAssembly with Debian's emscripten, and the npm package around it.
# The same C as libhallmark (core/ and verifier/src/, the OpenSSL-free configuration, as
# make VERIFIER_ES256=0), the JSON view of hallmark-verify --json (verifier/cli/verify_json.c) and
# the flat calls of verifier/bindings/wasm/hallmark_wasm.c, linked against libsodium and jansson
# built for wasm from Debian's sources (tools/wasm-deps.sh). Writes WASM_DIR/pkg/ (the package's
# files) and WASM_DIR/hallmark-wasm-VERSION.tgz (npm pack).
# usage: tools/build-wasm.sh WASM_DIR
set -euo pipefail
dir=$1
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
tools/wasm-deps.sh "$dir"
prefix=$dir/prefix
pkg=$dir/pkg
mkdir -p "$pkg"
# build NAME ES256 SOURCES... -- ARCHIVES...: compiles the verifier with HALLMARK_WITH_ES256=ES256
# into WASM_DIR/obj-NAME and links pkg/NAME.mjs and pkg/NAME.wasm.
build() {
    local name=$1 es256=$2 obj=$dir/obj-$1 src=() libs=() objs=() f o
    shift 2
    while [ "$1" != -- ]; do src+=("$1"); shift; done
    shift
    libs=("$@")
    mkdir -p "$obj"
    local flags=(-std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
        -Wformat=2 -Werror -Os -D_POSIX_C_SOURCE=200809L -DHALLMARK_WITH_ES256="$es256"
        -DHALLMARK_BUNDLE_PARTS=0 # a reload parses the whole bundle here (hm_bundle.c says why)
        -DHALLMARK_WITH_OPENSSL=0
        -Iverifier/include -Icore -Iverifier/src -Iverifier/cli -Iverifier/bindings/wasm
        -I"$prefix/include")
    for f in "${src[@]}"; do
        o=$obj/$(echo "$f" | tr / _).o
        objs+=("$o")
        if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ -n "$(find verifier/include core verifier/src \
            verifier/cli verifier/bindings/wasm -name '*.h' -newer "$o" | head -n 1)" ]; then
            emcc "${flags[@]}" -c "$f" -o "$o" &
        fi
        [ "$(jobs -rp | wc -l)" -lt "$(nproc)" ] || wait -n
    done
    wait
    # No filesystem, no exit runtime; the memory grows for large bundles. ENVIRONMENT=web: in
    # Node the package hands the .wasm bytes over itself (wasmBinary), so one glue serves both.
    emcc -Os -o "$pkg/$name.mjs" "${objs[@]}" "${libs[@]}" \
        -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createHallmarkCore -sENVIRONMENT=web \
        -sFILESYSTEM=0 -sALLOW_MEMORY_GROWTH=1 -sTOTAL_STACK=1048576 \
        -sEXPORTED_FUNCTIONS=_malloc,_free -sEXPORTED_RUNTIME_METHODS=UTF8ToString
}
common=(core/hm_b64url.c core/hm_digest.c core/hm_json.c core/hm_key.c core/hm_secmem.c
    verifier/src/*.c verifier/cli/verify_json.c verifier/bindings/wasm/hallmark_wasm.c)
# The primary build: Ed25519 brands only (as make VERIFIER_ES256=0).
build hallmark-core 0 "${common[@]}" -- "$prefix/lib/libjansson.a" "$prefix/lib/libsodium.a"
# ES256 too: the same verifier with P-256 verification on mbed TLS (hm_es256_mbedtls.c in place
# of core/hm_es256.c's OpenSSL); loadHallmark({ es256: true }) picks it.
build hallmark-core-es256 1 "${common[@]}" verifier/bindings/wasm/hm_es256_mbedtls.c -- \
    "$prefix/lib/libjansson.a" "$prefix/lib/libmbedcrypto.a" "$prefix/lib/libsodium.a"
cp verifier/bindings/wasm/package.json verifier/bindings/wasm/hallmark.js \
    verifier/bindings/wasm/hallmark.d.ts verifier/bindings/wasm/README.md "$pkg/"
rm -f "$dir"/hallmark-wasm-*.tgz
(cd "$pkg" && npm pack --silent --pack-destination .. >/dev/null)
echo "wasm: $pkg/hallmark-core.wasm $(wc -c <"$pkg/hallmark-core.wasm") bytes (ES256:" \
    "$(wc -c <"$pkg/hallmark-core-es256.wasm")), $(ls "$dir"/hallmark-wasm-*.tgz)"
