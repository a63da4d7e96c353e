# The WebAssembly suites' preflight (wasm_node.sh, wasm_browser.sh). Sourced.
# wasm_preflight NAME COUNT TOOL...: exits the suite, counting COUNT checks as skipped with the
# reason, under memcheck and the sanitizer builds (no C of ours runs under them in these suites:
# emcc builds the wasm; the other suites cover the same C there); a missing TOOL fails it, since
# make deps installs them (tools/deps.sh, group test).
wasm_preflight() {
    local name=$1 count=$2 tool
    shift 2
    local why=
    [ -z "${HALLMARK_RUNNER_WRAP:-}" ] || why="running under memcheck"
    case "${HALLMARK_BUILD:-build}" in *asan* | *valgrind* | *fuzz*) why="sanitizer build" ;; esac
    if [ -n "$why" ]; then
        echo "$name: $why; skipping its checks"
        echo "$name: 0 passed, 0 failed, $count skipped"
        exit 0
    fi
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "FAIL $tool is missing: run make deps"
            echo "$name: 0 passed, 1 failed"
            exit 1
        fi
    done
}
