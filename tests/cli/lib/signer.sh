# Shared by the hallmark-signer tests: a keystore with brand acme-bank (sms:ACMEBANK@+44,
# email:acme.example, link domain acme.example) and brand globex, a clients file, and a service
# started on an ephemeral loopback port that stops by itself (timeout) if a test forgets it.
# Sourced after tests/cli/lib/keys.sh.
signer_cli=$build/bin/hallmark-signer
unset HALLMARK_NOW # the service signs with the real clock; the keystore must agree

# activate_first_keys KID...: publishes the new keys, promotes each and publishes again.
activate_first_keys() {
    local kid
    expect_ok "publish" publish
    for kid in "$@"; do
        expect_ok "promote $kid" key promote "$kid" --force --reason "first key"
    done
    expect_ok "publish again" publish
}

make_keystore() {
    expect_ok "init" init --platform "Hallmark Signer Test" --kdf minimum
    export HALLMARK_PLATFORM="Hallmark Signer Test" # the platform id apps pin (hallmark-verify --platform)
    expect_ok "brand acme" brand add acme-bank --name "Acme Bank" --logo "$logo_good" \
        --color "#0B5FFF" --sender sms:ACMEBANK@+44 --sender email:acme.example \
        --sender-prefix sms:+4477009 --link-domain acme.example --link-domain "*.acme.example" \
        --level organization
    expect_ok "brand globex" brand add globex --verified-domain globex.example --name "Globex" --logo "$(logo_for globex)" \
        --color "#003399" --sender sms:GLOBEX@+44
    expect_ok "acme key" key add acme-bank
    acme_k1=$(cat "$work/out")
    expect_ok "globex key" key add globex
    globex_k1=$(cat "$work/out")
    activate_first_keys "$acme_k1" "$globex_k1"
}

# make_two_alg_keystore PLATFORM: brand acme-bank (level organization; sms:ACMEBANK@+44,
# email:acme.example, whatsapp numbers +4477009..., link domain acme.example) with an Ed25519 key
# and brand initech (level basic; sms:INITECH@+44 and @+1, email:initech.example, link domain
# initech.example) with an ES256 key, both active; sets $ed_kid and $es_kid.
make_two_alg_keystore() {
    expect_ok "init" init --platform "$1" --kdf minimum
    export HALLMARK_PLATFORM=$1 # the platform id apps pin (hallmark-verify --platform)
    expect_ok "brand acme" brand add acme-bank --name "Acme Bank" --logo "$logo_good" \
        --color "#0B5FFF" --sender sms:ACMEBANK@+44 --sender email:acme.example \
        --sender-prefix whatsapp:+4477009 --link-domain acme.example --level organization
    expect_ok "brand initech" brand add initech --verified-domain initech.example --name "Initech" \
        --logo "$(logo_for initech)" --color "#003399" --sender sms:INITECH@+44 \
        --sender sms:INITECH@+1 --sender email:initech.example --link-domain initech.example
    expect_ok "acme Ed25519 key" key add acme-bank
    ed_kid=$(cat "$work/out")
    expect_ok "initech ES256 key" key add initech --alg es256
    es_kid=$(cat "$work/out")
    activate_first_keys "$ed_kid" "$es_kid"
}

# sign_all IN OUT: signs the requests of IN (NDJSON) in pipe mode into OUT, logging to
# $work/sig.log; every one must be signed (exit 0).
sign_all() {
    local st
    set +e
    "$signer_cli" sign --keystore "$HALLMARK_KEYSTORE" --audit "$work/sig.log" <"$1" >"$2" \
        2>"$work/err"
    st=$?
    set -e
    [ "$st" -eq 0 ] && ok || bad "hallmark-signer sign exited $st: $(head -c 600 "$2" "$work/err")"
}

# Bearer tokens: the clients file holds only their SHA-256 (base64url).
token_hash() { printf '%s' "$1" | openssl dgst -sha256 -binary | basenc --base64url | tr -d '='; }

write_clients() {
    cat >"$work/clients.json" <<JSON
{"clients": [
  {"id": "acme-pipeline", "token_sha256": "$(token_hash acme-secret-token)", "brands": ["acme-bank"]},
  {"id": "globex-pipeline", "token_sha256": "$(token_hash globex-secret-token)", "brands": ["globex"]},
  {"id": "sms-only", "token_sha256": "$(token_hash sms-only-token)", "brands": ["*"], "channels": ["sms"]},
  {"id": "mtls-client", "cert_cn": "pipeline.acme.example", "brands": ["acme-bank"]}
]}
JSON
}

# start_signer LOG ARGS...: starts the service, sets $signer_pid and $url.
start_signer() {
    local log=$1 i
    shift
    : >"$work/listen.out"
    "$signer_cli" serve --keystore "$HALLMARK_KEYSTORE" --listen 127.0.0.1:0 \
        --audit "$work/signatures.log" --clients "$work/clients.json" --threads 2 "$@" \
        >"$work/listen.out" 2>"$log" &
    signer_pid=$!
    # The service stops by itself after 5 minutes, whatever happens to this script.
    (sleep 300 && kill -TERM "$signer_pid" 2>/dev/null) >/dev/null 2>&1 &
    watchdog_pid=$!
    for i in $(seq 100); do
        if grep -q "listening on" "$work/listen.out"; then break; fi
        if ! kill -0 "$signer_pid" 2>/dev/null; then break; fi
        sleep 0.1
    done
    url=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$work/listen.out")
    [ -n "$url" ] || { bad "the service did not start: $(tail -3 "$log")"; return 1; }
}

stop_signer() {
    local st=0
    if [ -n "${signer_pid:-}" ] && kill -0 "$signer_pid" 2>/dev/null; then
        kill -TERM "$signer_pid"
        wait "$signer_pid" 2>/dev/null || st=$?
        # A clean drain exits 0; a sanitizer report or a crash does not.
        [ "$st" -eq 0 ] || bad "the service exited with status $st on SIGTERM"
    fi
    if [ -n "${watchdog_pid:-}" ]; then
        kill "$watchdog_pid" 2>/dev/null || true
        wait "$watchdog_pid" 2>/dev/null || true
    fi
    signer_pid=
    watchdog_pid=
}
trap 'stop_signer; rm -rf "$work"' EXIT

# msg BRAND FROM TO BODY [EXTRA-JSON-MEMBERS]: a sign request.
msg() {
    printf '{"brand":"%s","channel":"sms","from":"%s","to":"%s","body":"%s","category":"transactional","sender":{"kind":"automated"}%s}' \
        "$1" "$2" "$3" "$4" "${5:+,$5}"
}

# verify_token RESPONSE-FILE FROM TO BODY: hallmark-verify on the token, prints the result name.
verify_token() {
    python3 - "$1" "$2" "$3" "$4" >"$work/vmsg.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(json.dumps({"channel": "sms", "from": sys.argv[2], "to": sys.argv[3], "body": sys.argv[4],
                  "token": r.get("token", "")}))
PY
    "$verify_cli" --root "$HALLMARK_KEYSTORE/root.pub" --bundle "$HALLMARK_KEYSTORE/published/bundle.jws" \
        --message "$work/vmsg.json" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])'
}
