#!/usr/bin/env bash
# GET /v1/logos/{sha256} on a real hallmark-signer (ephemeral loopback port, curl): the exact bytes
# hallmark-keys published, whose SHA-256 is the digest the bundle carries; immutable caching
# headers and 304; 404 for a digest no brand of the bundle in force carries (also when a file of
# that name exists, and for a brand not yet published or revoked, across reloads); 400 for every
# path segment that is not exactly a base64url SHA-256 (traversal included); and a logo file
# swapped or removed on disk is never served (500, JSON error).
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh

make_keystore
write_clients
start_signer "$work/logos.log"

b64sha() { openssl dgst -sha256 -binary "$1" | basenc --base64url | tr -d '='; }
# The logo digest the bundle in force carries for acme-bank (the credential's logo.sha256).
sha=$(python3 -c 'import base64,json,sys
d=lambda s: json.loads(base64.urlsafe_b64decode(s+"="*(-len(s)%4)))
b=d(open(sys.argv[1]).read().split(".")[1])
print([d(x["credential"].split(".")[1]) for x in b["brands"]][0]["logo"]["sha256"])' \
    "$HALLMARK_KEYSTORE/published/bundle.jws")
published=$HALLMARK_KEYSTORE/published/logos/$sha.png

# get PATH [CURL-ARGS...]: body in $work/resp, headers in $work/hdr, status in $code.
get() {
    local path=$1
    shift
    rm -f "$work/resp" "$work/hdr"
    code=$(curl -sS --path-as-is -o "$work/resp" -D "$work/hdr" -w '%{http_code}' "$@" "$url$path" \
        2>"$work/curl.err" || true)
}
header() { tr -d '\r' <"$work/hdr" | sed -n "s/^$1: //Ip" | tail -n 1; }
error_code() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"]["code"])' "$work/resp" 2>/dev/null || echo not-json; }

# expect_error WHAT STATUS CODE PATH [CURL-ARGS...]
expect_error() {
    local what=$1 want=$2 ecode=$3
    shift 3
    get "$@"
    if [ "$code" = "$want" ] && [ "$(error_code)" = "$ecode" ] &&
        [ "$(header Content-Type)" = "application/json" ]; then
        ok
    else
        bad "$what: HTTP $code $(error_code), want $want $ecode: $(head -c 200 "$work/resp")"
    fi
}

# ---- the logo: exact bytes, digest, headers -----------------------------------------------------
get "/v1/logos/$sha"
[ "$code" = 200 ] && ok || bad "logo: HTTP $code $(head -c 200 "$work/resp")"
cmp -s "$work/resp" "$published" && ok || bad "logo: not the published bytes"
[ "$(b64sha "$work/resp")" = "$sha" ] && ok || bad "logo: bytes hash to $(b64sha "$work/resp"), want $sha"
head -c 8 "$work/resp" | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a' && ok || bad "logo: not a PNG"
[ "$(header Content-Type)" = "image/png" ] && ok || bad "Content-Type: $(header Content-Type)"
[ "$(header Cache-Control)" = "public, max-age=31536000, immutable" ] && ok || bad "Cache-Control: $(header Cache-Control)"
[ "$(header ETag)" = "\"$sha\"" ] && ok || bad "ETag: $(header ETag)"
[ "$(header X-Content-Type-Options)" = "nosniff" ] && ok || bad "X-Content-Type-Options: $(header X-Content-Type-Options)"
[ "$(header Content-Length)" = "$(stat -c %s "$published")" ] && ok || bad "Content-Length: $(header Content-Length)"

# ---- conditional requests -----------------------------------------------------------------------
for inm in "\"$sha\"" "W/\"$sha\"" "\"other\", \"$sha\"" "*"; do
    get "/v1/logos/$sha" -H "If-None-Match: $inm"
    if [ "$code" = 304 ] && [ ! -s "$work/resp" ] && [ "$(header ETag)" = "\"$sha\"" ] &&
        [ "$(header Cache-Control)" = "public, max-age=31536000, immutable" ]; then
        ok
    else
        bad "If-None-Match $inm: HTTP $code, ETag $(header ETag), $(wc -c <"$work/resp") bytes"
    fi
done
get "/v1/logos/$sha" -H "If-None-Match: \"${sha%?}A\""
[ "$code" = 200 ] && cmp -s "$work/resp" "$published" && ok || bad "another ETag: HTTP $code"

# ---- unknown digests: 404, also for a file in published/logos that the bundle does not name ------
other=tests/data/logos/good/plain-96.png
osha=$(b64sha "$other")
expect_error "unknown digest" 404 not_found "/v1/logos/$osha"
cp "$other" "$HALLMARK_KEYSTORE/published/logos/$osha.png"
expect_error "a file the bundle does not name" 404 not_found "/v1/logos/$osha"
expect_error "unknown digest, If-None-Match" 404 not_found "/v1/logos/$osha" -H "If-None-Match: *"
rm -f "$HALLMARK_KEYSTORE/published/logos/$osha.png"

# ---- malformed paths: 400, nothing read ---------------------------------------------------------
z43=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
for p in "" "${sha%?}" "${sha}A" "$sha.png" "$sha/" "${sha:0:40}/.." "../../keystore.json" \
    "..%2F..%2Fkeystore.json" "%2e%2e%2f%2e%2e%2fkeystore.json" "../logos/$sha" "${sha:0:41}%41" \
    "${sha:0:42}=" "${sha:0:42}+" "${z43%A}B" "${z43%A}/" ".${sha:1}" "$sha%00" "$sha;x" "${sha}/../$sha"; do
    expect_error "malformed path /v1/logos/$p" 400 bad_request "/v1/logos/$p"
done
# The traversal, as a client would send it unnormalized, reaches nothing of the keystore.
get "/v1/logos/../../keystore.json"
grep -q '"platform"' "$work/resp" && bad "traversal served the keystore" || ok
get "/v1/logos/$sha?x=1"
[ "$code" = 200 ] && cmp -s "$work/resp" "$published" && ok || bad "a query string: HTTP $code"
expect_error "/v1/logos without the slash" 404 not_found "/v1/logos"
code=$(curl -sS -o "$work/resp" -w '%{http_code}' -X POST --data x "$url/v1/logos/$sha" || true)
[ "$code" = 400 ] && [ "$(error_code)" = bad_request ] && ok || bad "POST: HTTP $code"

# ---- a file swapped or removed on disk is never served ------------------------------------------
cp "$published" "$work/logo.keep"
cp "$other" "$published" # a valid PNG, the wrong one
expect_error "swapped logo" 500 corrupt "/v1/logos/$sha"
cmp -s "$work/resp" "$other" && bad "the swapped file was served" || ok
[ -z "$(header ETag)" ] && [ "$(tr -d '\r' <"$work/hdr" | grep -ci '^cache-control:')" = 1 ] &&
    [ "$(header Cache-Control)" = no-store ] && ok || bad "an error is cacheable: $(cat "$work/hdr")"
printf 'x' >>"$work/logo.bad" && cat "$work/logo.keep" "$work/logo.bad" >"$published" # one byte more
expect_error "logo with a byte appended" 500 corrupt "/v1/logos/$sha"
rm -f "$published"
expect_error "logo file removed" 500 internal "/v1/logos/$sha"
grep -q '"event":"logo_corrupt"' "$work/logos.log" && grep -q '"event":"logo_missing"' "$work/logos.log" &&
    ok || bad "the broken copies were not logged: $(tail -n 3 "$work/logos.log")"
cp "$work/logo.keep" "$published"
get "/v1/logos/$sha"
[ "$code" = 200 ] && cmp -s "$work/resp" "$published" && ok || bad "restored logo: HTTP $code"

# ---- the bundle in force decides: a new brand's logo after the reload, none once it is revoked ---
# reload_to SERIAL: SIGHUP, then wait until the service has loaded that bundle.
reload_to() {
    local i
    kill -HUP "$signer_pid"
    for i in $(seq 50); do
        grep -q "\"event\":\"reloaded\",\"serial\":$1," "$work/logos.log" && return 0
        sleep 0.1
    done
    bad "the service did not load bundle $1: $(tail -n 2 "$work/logos.log")"
}
serial_now() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["serial"])' "$HALLMARK_KEYSTORE/keystore.json"; }
expect_ok "brand initech" brand add initech --verified-domain initech.example --name "Initech" --logo "$other" --color "#003399" --sender sms:INITECH@+44
# Its digest is the canonical re-encoding's (brand add re-encodes --verified-domain re-encodes.example), not the uploaded file's.
nsha=$(python3 -c 'import json,sys; print([b for b in json.load(open(sys.argv[1]))["brands"] if b["id"]=="initech"][0]["logo"]["sha256"])' \
    "$HALLMARK_KEYSTORE/keystore.json")
[ "$nsha" != "$sha" ] && ok || bad "initech's logo is acme-bank's"
expect_error "a brand not yet published" 404 not_found "/v1/logos/$nsha"
expect_ok "publish initech" publish
reload_to "$(serial_now)"
get "/v1/logos/$nsha"
[ "$code" = 200 ] && cmp -s "$work/resp" "$HALLMARK_KEYSTORE/published/logos/$nsha.png" &&
    [ "$(b64sha "$work/resp")" = "$nsha" ] && ok || bad "a published brand's logo after the reload: HTTP $code"
expect_ok "revoke initech" brand revoke initech --reason "test"
expect_ok "publish the revocation" publish
reload_to "$(serial_now)"
expect_error "a revoked brand's logo" 404 not_found "/v1/logos/$nsha"
get "/v1/logos/$sha"
[ "$code" = 200 ] && ok || bad "acme-bank's logo after initech's revocation: HTTP $code"

# ---- counted by endpoint, not by digest; the service still serves --------------------------------
get /metrics
grep -q '^hallmark_requests_total{endpoint="/v1/logos/",status="200"} [0-9]' "$work/resp" && ok ||
    bad "metrics: $(grep logos "$work/resp" | head -3)"
grep -qF -e "$sha" "$work/resp" && bad "metrics carry a digest" || ok
get /healthz
[ "$code" = 200 ] && ok || bad "healthz after the logo requests: $code"
stop_signer
echo "signer-logos: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
