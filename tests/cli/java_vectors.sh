#!/usr/bin/env bash
# The Java binding (verifier/bindings/java, JNI) over every spec vector: the same verdicts and
# brand data as the C library, plus its thread and close contract. Skipped, and counted as such,
# without a JDK, and under memcheck or ASan (the JVM does not run under them; the C library it
# wraps is covered there by the other suites).
set -eu
build=${HALLMARK_BUILD:-build}
count=$(($(ls spec/vectors/*.json spec/vectors/lookup/*.json | wc -l) + 32))
skip() {
    echo "java: $1; skipping its checks"
    echo "java: 0 passed, 0 failed, $count skipped"
    exit 0
}
command -v javac >/dev/null 2>&1 && command -v java >/dev/null 2>&1 || skip "no JDK (javac, java)"
[ -z "${HALLMARK_RUNNER_WRAP:-}" ] || skip "running under memcheck"
case "$build" in *asan* | *fuzz*) skip "sanitizer build" ;; esac
jh=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
[ -f "$jh/include/jni.h" ] || skip "no jni.h under $jh"
make --no-print-directory BUILD="$build" java >/dev/null
echo "$(java -version 2>&1 | head -n 1)"
java -Djava.library.path="$build/lib" -cp "$build/java/classes:$build/java/test-classes" \
    dev.hallmark.VectorTests spec/vectors
