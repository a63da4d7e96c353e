#!/usr/bin/env bash
# Installs the Debian packages a Hallmark target needs, and only those that are missing.
# usage: tools/deps.sh GROUP...   (groups: build test check fuzz bench)
# As root it runs apt-get update and apt-get install; otherwise it prints the exact command and
# exits 1, so `make test` on a fresh Debian 12 machine either sets itself up or says what to run.
set -euo pipefail

packages_for() {
    case "$1" in
    # libpsl-dev + publicsuffix: the Public Suffix List, read at run time (core/host/hm_suffix).
    # pango + cairo draw brand preview's message card (hallmark-keys only); DejaVu Sans covers
    # Latin, Greek, Cyrillic, Arabic and Hebrew names, WenQuanYi Micro Hei Chinese, Japanese and
    # Korean ones (5 MB, where fonts-noto-cjk is 90 MB).
    # libcurl: hallmark-verify --fetch (the command-line tool only; the library does no I/O).
    # libp11-kit-dev: only its pkcs11.h, the PKCS#11 header p11-kit keeps up to date (CKM_EDDSA
    # included), instead of a copy of our own; HSM modules are loaded with dlopen (docs/hsm.md).
    # help2man: the man pages (make man, make install), made from each tool's --help and
    # --version, so that they cannot drift from them.
    build) echo make gcc pkg-config help2man libsodium-dev libssl-dev libjansson-dev libpng-dev \
        libicu-dev libsqlite3-dev libpq-dev libcurl4-openssl-dev libpsl-dev publicsuffix \
        libp11-kit-dev libevent-dev libpango1.0-dev libcairo2-dev fonts-dejavu-core \
        fonts-wqy-microhei ;;
    # libargon2-1: the reference Argon2, with which tests/cli/vector_tool.py recomputes the
    # recipient stem (spec HM-TOKEN-55) independently of libsodium's Argon2id.
    # softhsm2: a software PKCS#11 token for tests/cli/keys_pkcs11.sh (brand keys in an HSM).
    # emscripten: the verifier for WebAssembly (make wasm, issue 17), Debian's toolchain rather than
    # a downloaded SDK; chromium: the inbox page's test in a real browser (headless, driven by npm
    # puppeteer-core, so no browser is downloaded); Node.js + npm run both.
    # prometheus: its promtool checks /metrics against the exposition format (the parser Prometheus
    # itself uses, rather than a checker of ours). systemd: systemd-analyze verify checks the
    # deployment units (deploy/); man-db: man -l renders the installed pages (tests/cli/install.sh).
    test) echo valgrind curl python3 openssl python3-jwcrypto strace postgresql-15 libargon2-1 \
        softhsm2 emscripten chromium prometheus systemd man-db \
        "$(command -v npm >/dev/null 2>&1 || echo nodejs npm)" ;;
    check) echo clang-format clang-tidy cppcheck ;;
    fuzz) echo clang libclang-rt-14-dev ;;
    # make bench: the HTTP load generator, the chart, and Node.js + npm for the jose peer (Debian's,
    # unless a node with its own npm is already there: Debian's npm would conflict with it);
    # cjose and libjwt, the C JOSE peers of bench-peers (issue 16), linked into that tool only.
    bench) echo wrk gnuplot-nox libcjose-dev libjwt-dev \
        "$(command -v npm >/dev/null 2>&1 || echo nodejs npm)" ;;
    *)
        echo "tools/deps.sh: unknown group '$1' (build, test, check, fuzz, bench)" >&2
        exit 2
        ;;
    esac
}

missing=()
for group in "$@"; do
    for pkg in $(packages_for "$group"); do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: missing ${missing[*]}, and this is not a Debian machine: install them by hand" >&2
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing packages: ${missing[*]}" >&2
    echo "deps: run this, then the make command again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
