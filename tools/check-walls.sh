#!/usr/bin/env bash
# Checks that every header an object of one room includes lies in a folder that room may use.
# usage: tools/check-walls.sh "ROOM_INCLUDE_FLAGS" OBJECT.d...
# The include flags are the room's (-Iverifier/include -Icore ...); a header in the project counts
# only if its own folder is one of them or the source's folder. The include path already refuses
# `#include "hm_keystore.h"` in the verifier; this also refuses a path around it, such as
# "sign/hm_signkey.h" (core/ is on the verifier's path) or "../../keys/src/hm_keystore.h".
# Headers outside the project (libpng, jansson ...) are not this check's business.
set -euo pipefail
flags=${1?usage: tools/check-walls.sh "INCLUDE_FLAGS" OBJECT.d...}
shift
top=$(cd "$(dirname "$0")/.." && pwd)
declare -A allowed=()
for f in $flags; do
    case $f in -I*) allowed[$(realpath -m --relative-to="$top" "$top/${f#-I}")]=1 ;; esac
done
status=0
for dep in "$@"; do
    [ -f "$dep" ] || continue
    # The first rule of a -MMD file: "object: source header header ...", lines joined at "\".
    mapfile -t files < <(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$dep" | head -n 1 |
        cut -d: -f2- | tr -s ' ' '\n' | sed '/^$/d')
    [ ${#files[@]} -gt 0 ] || continue
    source=$(realpath -m --relative-to="$top" "$top/${files[0]}")
    for f in "${files[@]:1}"; do
        rel=$(realpath -m --relative-to="$top" "$([[ $f = /* ]] && echo "$f" || echo "$top/$f")")
        case $rel in ../* | /*) continue ;; esac
        dir=$(dirname "$rel")
        [ -n "${allowed[$dir]:-}" ] || [ "$dir" = "$(dirname "$source")" ] && continue
        echo "walls: $source includes $rel, which its room may not use" \
            "(it may use: ${!allowed[*]})" >&2
        status=1
    done
done
exit $status
