#!/usr/bin/env bash
# The verifier built without OpenSSL (make VERIFIER_ES256=0) over every vector.
set -eu
HALLMARK_NO_ES256=1 exec bash tests/cli/verify_vectors.sh
