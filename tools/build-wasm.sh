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
obj=$dir/hallmark-obj
mkdir -p "$obj" "$pkg"
src=(core/hm_b64url.c core/hm_digest.c core/hm_json.c core/hm_key.c core/hm_secmem.c
    verifier/src/*.c verifier/cli/verify_json.c verifier/bindings/wasm/hallmark_wasm.c)
flags=(-std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wformat=2 -Werror -Os -D_POSIX_C_SOURCE=200809L -DHALLMARK_WITH_ES256=0
    -Iverifier/include -Icore -Iverifier/src -Iverifier/cli -Iverifier/bindings/wasm -I"$prefix/include")
objs=()
for f in "${src[@]}"; do
    o=$obj/$(echo "$f" | tr / _).o
    objs+=("$o")
    if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ -n "$(find verifier/include core verifier/src \
        verifier/cli -name '*.h' -newer "$o" | head -n 1)" ]; then
        emcc "${flags[@]}" -c "$f" -o "$o" &
    fi
    [ "$(jobs -rp | wc -l)" -lt "$(nproc)" ] || wait -n
done
wait
# No filesystem, no exit runtime; the memory grows for large bundles. ENVIRONMENT=web: in Node
# the package hands the .wasm bytes over itself (wasmBinary), so one glue file serves both.
emcc -Os -o "$pkg/hallmark-core.mjs" "${objs[@]}" "$prefix/lib/libjansson.a" "$prefix/lib/libsodium.a" \
    -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createHallmarkCore -sENVIRONMENT=web \
    -sFILESYSTEM=0 -sALLOW_MEMORY_GROWTH=1 -sTOTAL_STACK=1048576 \
    -sEXPORTED_FUNCTIONS=_malloc,_free -sEXPORTED_RUNTIME_METHODS=UTF8ToString
cp verifier/bindings/wasm/package.json verifier/bindings/wasm/hallmark.js \
    verifier/bindings/wasm/hallmark.d.ts verifier/bindings/wasm/README.md "$pkg/"
rm -f "$dir"/hallmark-wasm-*.tgz
(cd "$pkg" && npm pack --silent --pack-destination .. >/dev/null)
echo "wasm: $pkg/hallmark-core.wasm $(wc -c <"$pkg/hallmark-core.wasm") bytes, $(ls "$dir"/hallmark-wasm-*.tgz)"
