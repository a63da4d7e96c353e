# npm `jose` for the interop suites, installed once into build/npm from the npm registry.
# Sourced. jose_setup: returns 0 when jose is ready (jose_dir holds its prefix), else prints the
# reason on stdout and returns 1, so the caller counts its checks as skipped.
jose_dir=build/npm
jose_setup() {
    if ! command -v node >/dev/null 2>&1; then
        echo "node is not installed"
        return 1
    fi
    if ! command -v npm >/dev/null 2>&1; then
        echo "npm is not installed"
        return 1
    fi
    # @noble/hashes: an Argon2id independent of libsodium's, for the recipient stem (spec
    # HM-TOKEN-55) in the tokens the suites mint and check on their own.
    if [ ! -f "$jose_dir/node_modules/jose/package.json" ] ||
        [ ! -f "$jose_dir/node_modules/@noble/hashes/argon2.js" ]; then
        mkdir -p "$jose_dir"
        [ -f "$jose_dir/package.json" ] || echo '{"private": true}' >"$jose_dir/package.json"
        if ! timeout 180 npm install --prefix "$jose_dir" --no-audit --no-fund --silent jose@6 \
            @noble/hashes@2 >/dev/null 2>&1; then
            echo "npm could not install jose@6 and @noble/hashes@2 (no registry?)"
            return 1
        fi
    fi
}
