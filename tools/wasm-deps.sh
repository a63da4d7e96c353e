#!/usr/bin/env bash
# Builds libsodium, jansson and mbed TLS (ES256 build only) for WebAssembly with Debian's emscripten, from the Debian source
# packages of the versions Debian 12 ships for the native build (the .orig tarballs plus Debian's
# own patches, e.g. libsodium's CVE-2025-69277 fix), pinned by sha256 and cached under
# build/wasm/ (tarballs in src/, the static libraries and headers in prefix/).
# usage: tools/wasm-deps.sh WASM_DIR   (prints nothing when prefix/ is already built)
set -euo pipefail
dir=$(realpath -m "$1")
pool=http://deb.debian.org/debian/pool/main
security=http://security.debian.org/debian-security/pool/updates/main
# file, pool path, sha256
sources=(
    "libsodium_1.0.18.orig.tar.gz libs/libsodium d59323c6b712a1519a5daf710b68f5e7fde57040845ffec53850911f10a5d4f4"
    "libsodium_1.0.18-1+deb12u1.debian.tar.xz libs/libsodium f410474e46346b06b162defa05b1be26906aeed6cf309e3d4ebe30b4d1350733"
    "jansson_2.14.orig.tar.gz j/jansson c739578bf6b764aa0752db9a2fdadcfe921c78f1228c7ec0bb47fa804c55d17b"
    "jansson_2.14-2.debian.tar.xz j/jansson e89fe4fd8221f6934ddb50f2e7f8404311928d0e23e49a5599f3d3d14ee8cb88"
    "mbedtls_2.28.3.orig.tar.gz m/mbedtls 3b4953aa55a681e084d31892d9904cc5328d6b4958ea57b90ae4b4f94ae69a8d"
    "mbedtls_2.28.3-1.debian.tar.xz m/mbedtls 3e03c61f63c7bbcd0bf695b53e6663ab448cc2e15429cd67d0e4f32e699645a9"
)
prefix=$dir/prefix
[ -f "$prefix/.done" ] && exit 0
# Debian's acorn (node-acorn, an emscripten dependency) lives where only Debian's node looks.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
mkdir -p "$dir/src"
for entry in "${sources[@]}"; do
    read -r file path sum <<<"$entry"
    if [ ! -f "$dir/src/$file" ]; then
        curl -sSf --max-time 120 -o "$dir/src/$file.part" "$pool/$path/$file" ||
            curl -sSf --max-time 120 -o "$dir/src/$file.part" "$security/$path/$file"
        mv "$dir/src/$file.part" "$dir/src/$file"
    fi
    if ! echo "$sum  $dir/src/$file" | sha256sum -c --quiet -; then
        echo "wasm-deps: $file does not have the pinned sha256 $sum" >&2
        exit 1
    fi
done

# Unpacks an .orig tarball and applies the Debian patches in series order.
unpack() { # name version
    rm -rf "$dir/$1"
    mkdir -p "$dir/$1"
    tar -xzf "$dir/src/${1}_$2.orig.tar.gz" -C "$dir/$1" --strip-components=1
    tar -xJf "$dir/src/${1}_$2"-*.debian.tar.xz -C "$dir/$1"
    [ -f "$dir/$1/debian/patches/series" ] || return 0
    while read -r patch; do
        case "$patch" in '' | '#'*) continue ;; esac
        patch -s -d "$dir/$1" -p1 <"$dir/$1/debian/patches/$patch"
    done <"$dir/$1/debian/patches/series"
}
start=$(date +%s)
# Compiles the listed sources (relative to SRC_DIR) into ARCHIVE, one emcc per file, two at once.
compile() { # archive src_dir flags... -- files...
    local archive=$1 src_dir=$2 flags=() objs=() f o opt
    shift 2
    while [ "$1" != -- ]; do flags+=("$1"); shift; done
    shift
    mkdir -p "$dir/obj"
    for f in "$@"; do
        o=$dir/obj/$(echo "$f" | tr / _).o
        objs+=("$o")
        # Argon2id and its BLAKE2b at -O3: the recipient stem of every verify (HM-TOKEN-55) runs
        # 2.3 times faster than at -Os, for 3 KB of .wasm (measured; wasm SIMD did not help).
        case "$f" in
        crypto_pwhash/argon2/* | crypto_generichash/blake2b/*) opt=-O3 ;;
        *) opt=-Os ;;
        esac
        emcc "$opt" -w "${flags[@]}" -c "$src_dir/$f" -o "$o" &
        [ "$(jobs -rp | wc -l)" -lt "$(nproc)" ] || wait -n
    done
    wait
    rm -f "$archive"
    emar rcs "$archive" "${objs[@]}"
}
mkdir -p "$prefix/lib" "$prefix/include"

# libsodium: the Debian snapshot has no generated configure; only the files the verifier's calls
# reach are compiled (Ed25519 verify and point check, SHA-256/512, Argon2id with its BLAKE2b,
# base64, memzero/memcmp/malloc, and the implementations sodium_init picks), as libsodium's
# minimal build, in its portable C (no SIMD, the
# 32-bit field arithmetic), with JavaScript's getRandomValues behind randombytes (its emscripten
# path). The headers are the full ones (sodium.h of a minimal build hides crypto_core_ed25519.h,
# whose point check the verifier calls; its source is compiled here).
unpack libsodium 1.0.18
s=$dir/libsodium/src/libsodium
sed -e 's/@VERSION@/1.0.18/' -e 's/@SODIUM_LIBRARY_VERSION_MAJOR@/10/' \
    -e 's/@SODIUM_LIBRARY_VERSION_MINOR@/3/' -e 's/@SODIUM_LIBRARY_MINIMAL_DEF@//' \
    "$s/include/sodium/version.h.in" >"$s/include/sodium/version.h"
compile "$prefix/lib/libsodium.a" "$s" -DCONFIGURED=1 -DNATIVE_LITTLE_ENDIAN=1 -DMINIMAL=1 \
    -DSODIUM_STATIC=1 -I"$s/include/sodium" -I"$s/include" -- \
    crypto_core/ed25519/ref10/ed25519_ref10.c crypto_core/ed25519/core_ed25519.c \
    crypto_sign/ed25519/ref10/open.c crypto_sign/ed25519/sign_ed25519.c \
    crypto_hash/sha256/cp/hash_sha256_cp.c crypto_hash/sha256/hash_sha256.c \
    crypto_hash/sha512/cp/hash_sha512_cp.c crypto_hash/sha512/hash_sha512.c \
    crypto_pwhash/argon2/argon2-core.c crypto_pwhash/argon2/argon2-encoding.c \
    crypto_pwhash/argon2/argon2-fill-block-ref.c crypto_pwhash/argon2/argon2.c \
    crypto_pwhash/argon2/blake2b-long.c crypto_pwhash/argon2/pwhash_argon2i.c \
    crypto_pwhash/argon2/pwhash_argon2id.c crypto_pwhash/crypto_pwhash.c \
    crypto_generichash/blake2b/ref/blake2b-compress-ref.c \
    crypto_generichash/blake2b/ref/blake2b-ref.c crypto_verify/sodium/verify.c \
    crypto_generichash/blake2b/ref/generichash_blake2b.c crypto_sign/ed25519/ref10/sign.c \
    sodium/codecs.c sodium/core.c sodium/runtime.c sodium/utils.c sodium/version.c \
    randombytes/randombytes.c crypto_sign/crypto_sign.c \
    crypto_generichash/blake2b/generichash_blake2.c \
    crypto_onetimeauth/poly1305/onetimeauth_poly1305.c \
    crypto_onetimeauth/poly1305/donna/poly1305_donna.c \
    crypto_scalarmult/curve25519/scalarmult_curve25519.c \
    crypto_scalarmult/curve25519/ref10/x25519_ref10.c crypto_stream/chacha20/stream_chacha20.c \
    crypto_stream/chacha20/ref/chacha20_ref.c crypto_stream/salsa20/stream_salsa20.c \
    crypto_stream/salsa20/ref/salsa20_ref.c crypto_core/salsa/ref/core_salsa_ref.c
cp -r "$s/include/sodium.h" "$s/include/sodium" "$prefix/include/"

# jansson: the headers its autotools build generates, written here for wasm32 (long long ints).
unpack jansson 2.14
j=$dir/jansson
sed -e 's/@json_inline@/inline/' -e 's/@json_have_long_long@/1/' -e 's/@json_have_localeconv@/1/' \
    -e 's/@json_have_atomic_builtins@/1/' -e 's/@json_have_sync_builtins@/1/' \
    "$j/src/jansson_config.h.in" >"$j/src/jansson_config.h"
printf '#define HAVE_STDINT_H 1\n#define HAVE_UNISTD_H 1\n#define HAVE_LOCALE_H 1\n#define HAVE_SETLOCALE 1\n#define HAVE_ATOMIC_BUILTINS 1\n#define HAVE_SYNC_BUILTINS 1\n#define INITIAL_HASHTABLE_ORDER 3\n' \
    >"$j/src/jansson_private_config.h"
compile "$prefix/lib/libjansson.a" "$j/src" -DHAVE_CONFIG_H -I"$j/src" -- \
    dump.c error.c hashtable.c hashtable_seed.c load.c memory.c pack_unpack.c strbuffer.c \
    strconv.c utf.c value.c version.c
cp "$j/src/jansson.h" "$j/src/jansson_config.h" "$prefix/include/"
# mbed TLS (the LTS branch Debian 12 ships): ECDSA P-256 verification for the ES256 build only,
# configured by verifier/bindings/wasm/mbedtls_config_wasm.h.
unpack mbedtls 2.28.3
m=$dir/mbedtls
compile "$prefix/lib/libmbedcrypto.a" "$m/library" -I"$m/include" \
    -I"$(realpath verifier/bindings/wasm)" -DMBEDTLS_CONFIG_FILE='"mbedtls_config_wasm.h"' -- \
    bignum.c ecp.c ecp_curves.c ecdsa.c asn1parse.c asn1write.c platform_util.c constant_time.c
cp -r "$m/include/mbedtls" "$prefix/include/"
touch "$prefix/.done"
echo "wasm-deps: libsodium 1.0.18-1+deb12u1, jansson 2.14-2 and mbedtls 2.28.3-1 built for wasm in $(($(date +%s) - start)) s"
