#!/usr/bin/env bash
# Several nodes on one PostgreSQL, as a platform scales the token directory out (spec 9.6): two
# signing nodes (hallmark-signer serve, each with its own signature log) and one directory-only
# node (hallmark-signer directory: no keystore, no passphrase, no clients) on a server this test
# starts. Real clients: curl sends, hallmark-verify --fetch is the app.
#   - a token signed on either node is served by the directory node, and the app verifies it;
#   - kill -9 of a signing node in the middle of batches loses no token that a client received;
#   - PostgreSQL stopped under load: 503s, never a token handed out that is not stored, and every
#     node recovers when it is back.
set -eu
. tests/cli/lib/keys.sh
. tests/cli/lib/signer.sh
. tests/cli/lib/postgres.sh
. tests/cli/lib/nodes.sh
trap 'stop_nodes; pg_stop; rm -rf "$work"' EXIT

check() { # LABEL CONDITION...
    local label=$1
    shift
    if "$@"; then ok; else bad "$label"; fi
}
auth=(-H "Authorization: Bearer acme-secret-token")
root=$HALLMARK_KEYSTORE/root.pub
bundle=$HALLMARK_KEYSTORE/published/bundle.jws

# app FROM TO BODY: what the app decides for an SMS that came without a token, fetching from the
# directory node (hallmark-verify --fetch); prints the result name, or "fetch-failed".
app() {
    python3 -c 'import json,sys; print(json.dumps({"channel":"sms","from":sys.argv[1],"to":sys.argv[2],"body":sys.argv[3]}))' \
        "$1" "$2" "$3" >"$work/app-msg.json"
    "$verify_cli" --root "$root" --bundle "$bundle" --message "$work/app-msg.json" \
        --fetch "${node_url[dir]}/v1/tokens" --json 2>"$work/app.err" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])' 2>/dev/null ||
        echo fetch-failed
}

# load NAME NODE ROUNDS BATCH: a client sending ROUNDS requests of BATCH SMS each to NODE (BATCH 1
# uses POST /v1/sign), one after the other; each answer in $work/load/NAME-R.{json,code}.
load() {
    local name=$1 node=$2 rounds=$3 batch=$4 r j msgs
    for r in $(seq "$rounds"); do
        if [ "$batch" -eq 1 ]; then
            msgs=$(msg acme-bank ACMEBANK "+4477009$(printf '%05d' "$r")" "$name round $r")
            curl -sS -m 10 -o "$work/load/$name-$r.json" -w '%{http_code}' "${auth[@]}" \
                -H 'Content-Type: application/json' --data-binary "$msgs" "$node/v1/sign" \
                >"$work/load/$name-$r.code" 2>/dev/null || echo "curl-failed" >"$work/load/$name-$r.code"
        else
            msgs=
            for j in $(seq "$batch"); do
                msgs="$msgs${msgs:+,}$(msg acme-bank ACMEBANK "+4477009$(printf '%05d' "$j")" "$name round $r message $j")"
            done
            curl -sS -m 10 -o "$work/load/$name-$r.json" -w '%{http_code}' "${auth[@]}" \
                -H 'Content-Type: application/json' --data-binary "{\"messages\":[$msgs]}" \
                "$node/v1/sign/batch" >"$work/load/$name-$r.code" 2>/dev/null ||
                echo "curl-failed" >"$work/load/$name-$r.code"
        fi
    done
}

# received NAME-PREFIX: every token a client received whole (curl finished, HTTP 200), one line
# each: "TO<TAB>BODY<TAB>TOKEN". The message of each result is rebuilt from the request's pattern.
received() {
    python3 - "$work/load" "$1" <<'PY'
import glob, json, os, re, sys
folder, prefix = sys.argv[1], sys.argv[2]
for code_file in sorted(glob.glob(os.path.join(folder, prefix + "*-*.code"))):
    if open(code_file).read().strip() != "200":
        continue
    stem = code_file[:-5]
    name, r = re.match(r".*/(.+)-(\d+)$", stem).groups()
    answer = json.load(open(stem + ".json"))
    if "results" in answer:
        for j, res in enumerate(answer["results"], 1):
            if "token" in res:
                print(f"+4477009{j:05d}\t{name} round {r} message {j}\t{res['token']}")
    elif "token" in answer:
        print(f"+4477009{int(r):05d}\t{name} round {r}\t{answer['token']}")
PY
}

# all_served FILE: every token listed (received output) is served by the directory node under the
# key the app computes for its message (hallmark-verify --lookup-key), byte for byte. Prints
# "served/total".
all_served() {
    local n=0 key line
    python3 - "$1" "$work/msgs" <<'PY'
import json, os, sys
os.makedirs(sys.argv[2], exist_ok=True)
for n, line in enumerate(open(sys.argv[1])):
    to, body, _ = line.rstrip("\n").split("\t")
    with open(os.path.join(sys.argv[2], f"{n}.json"), "w") as f:
        json.dump({"channel": "sms", "from": "ACMEBANK", "to": to, "body": body}, f)
PY
    while IFS= read -r line; do
        key=$("$verify_cli" --lookup-key --message "$work/msgs/$n.json")
        printf '%s\t%s\n' "$key" "${line##*$'\t'}"
        n=$((n + 1))
    done <"$1" >"$work/keys.tsv"
    rm -rf "$work/msgs"
    python3 - "${node_url[dir]}" "$work/keys.tsv" <<'PY'
import json, sys, urllib.request, urllib.error
base, path = sys.argv[1], sys.argv[2]
served = total = 0
for line in open(path):
    key, token = line.rstrip("\n").split("\t")
    total += 1
    try:
        with urllib.request.urlopen(f"{base}/v1/tokens/{key}", timeout=10) as r:
            if token in json.load(r)["tokens"]:
                served += 1
    except urllib.error.HTTPError:
        pass
print(f"{served}/{total}")
PY
}

make_keystore
write_clients
mkdir -p "$work/load"
if ! pg_start; then
    bad "PostgreSQL did not start (make deps installs postgresql-15)"
    echo "(${SECONDS}s)"
echo "signer-multinode: $passed passed, $failed failed"
    exit 1
fi
conninfo=$(pg_createdb hallmark)
start_node a serve
start_node b serve
start_node dir directory

# The directory node: tokens only, and it says so.
code=$(curl -sS -o "$work/dir-sign" -w '%{http_code}' "${auth[@]}" --data-binary '{}' "${node_url[dir]}/v1/sign")
check "directory node: POST /v1/sign is 404" [ "$code" = 404 ]
check "directory node: and says where to sign" grep -q 'serves only the token directory' "$work/dir-sign"
code=$(curl -sS -o /dev/null -w '%{http_code}' "${node_url[dir]}/v1/bundle")
check "directory node: no bundle (no keys here)" [ "$code" = 404 ]
code=$(curl -sS -o "$work/dir-health" -w '%{http_code}' "${node_url[dir]}/healthz")
check "directory node: healthy" [ "$code" = 200 ]
check "directory node: health names the mode and store" grep -q '"mode": *"directory".*"store": *"postgres"' "$work/dir-health"
timeout 20 "$signer_cli" directory --listen 127.0.0.1:0 --store "postgres:$conninfo" \
    --keystore "$HALLMARK_KEYSTORE" >/dev/null 2>"$work/dir-ks.err" && st=0 || st=$?
check "directory node refuses a keystore" [ "$st" = 2 ]
check "and says why" grep -q 'takes no --keystore' "$work/dir-ks.err"

# Signed on either node, served by the directory node, verified by the app.
for node in a b; do
    code=$(curl -sS -o "$work/signed-$node" -w '%{http_code}' "${auth[@]}" \
        -H 'Content-Type: application/json' \
        --data-binary "$(msg acme-bank ACMEBANK +447700900123 "Your code from node $node is 1234")" \
        "${node_url[$node]}/v1/sign")
    check "node $node signs" [ "$code" = 200 ]
    check "the app verifies node $node's SMS through the directory node" \
        [ "$(app ACMEBANK +447700900123 "Your code from node $node is 1234")" = HALLMARK_VERIFIED ]
done
check "a one-character change finds nothing: unsigned" \
    [ "$(app ACMEBANK +447700900123 "Your code from node a is 1235")" = HALLMARK_UNSIGNED ]

# kill -9 of node a in the middle of batches of 20 from three clients.
loaders=()
for c in k1 k2 k3; do
    load "$c" "${node_url[a]}" 40 20 &
    loaders+=($!)
done
sleep 1.5
kill -9 "${node_pid[a]}"
wait "${node_pid[a]}" 2>/dev/null || true
node_pid[a]=
wait "${loaders[@]}"
received k >"$work/received-kill"
cut_short=$(grep -lv '^200$' "$work"/load/k*.code | wc -l)
got=$(wc -l <"$work/received-kill")
check "kill -9: clients received tokens before the kill ($got)" [ "$got" -gt 0 ]
check "kill -9: some requests were cut by it ($cut_short)" [ "$cut_short" -gt 0 ]
echo "kill -9: $got tokens received whole, $cut_short requests cut (${SECONDS}s)"
served=$(all_served "$work/received-kill")
check "kill -9: every token a client received is served ($served)" [ "$served" = "$got/$got" ]
head -1 "$work/received-kill" | {
    IFS=$'\t' read -r to body _
    check "kill -9: and the app verifies it" [ "$(app ACMEBANK "$to" "$body")" = HALLMARK_VERIFIED ]
}
start_node a serve
check "kill -9: the node starts again on its log" [ -n "${node_url[a]}" ]

# PostgreSQL stopped under load: single requests to both nodes, the server halted for a while.
loaders=()
for c in pa pb; do
    node=${c#p}
    load "$c" "${node_url[$node]}" 120 1 &
    loaders+=($!)
done
sleep 1
pg_halt
code=$(curl -sS -o /dev/null -w '%{http_code}' "${node_url[dir]}/healthz")
check "postgres down: the directory node is unhealthy (503)" [ "$code" = 503 ]
code=$(curl -sS -o /dev/null -w '%{http_code}' "${node_url[dir]}/v1/tokens/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
check "postgres down: a lookup is 503, not 404" [ "$code" = 503 ]
sleep 1
pg_resume
wait "${loaders[@]}"
refused=$(grep -l '^503$' "$work"/load/p*.code | wc -l)
check "postgres down: some sign requests got 503 ($refused)" [ "$refused" -gt 0 ]
tokens_in_503=$(grep -l '"token"' $(grep -l '^503$' "$work"/load/p*.code | sed 's/\.code$/.json/') 2>/dev/null | wc -l)
check "postgres down: no 503 carries a token" [ "$tokens_in_503" = 0 ]
received p >"$work/received-outage"
got=$(wc -l <"$work/received-outage")
echo "postgres down: $got tokens handed out, $refused requests refused (${SECONDS}s)"
served=$(all_served "$work/received-outage")
check "postgres down: every token handed out is stored ($served)" [ "$served" = "$got/$got" ]
for node in a b; do
    code=$(curl -sS -o /dev/null -w '%{http_code}' "${auth[@]}" -H 'Content-Type: application/json' \
        --data-binary "$(msg acme-bank ACMEBANK +447700900999 "after the outage on $node")" \
        "${node_url[$node]}/v1/sign")
    check "postgres back: node $node signs again" [ "$code" = 200 ]
    check "postgres back: and its SMS verifies through the directory" \
        [ "$(app ACMEBANK +447700900999 "after the outage on $node")" = HALLMARK_VERIFIED ]
done
code=$(curl -sS -o /dev/null -w '%{http_code}' "${node_url[dir]}/healthz")
check "postgres back: the directory node is healthy" [ "$code" = 200 ]
stop_nodes
check "every node drained cleanly" [ "$failed" = 0 ]

# A store from the future, and a database whose hallmark_ tables are someone else's (the store
# shares a database with other applications' tables, under its own prefix): refused at start,
# with what to do, and never written to.
pg_sql hallmark "UPDATE hallmark_meta SET value = '99' WHERE name = 'schema'" >/dev/null
timeout 20 "$signer_cli" directory --listen 127.0.0.1:0 --store "postgres:$conninfo" >/dev/null 2>"$work/future.err" && st=0 || st=$?
check "a schema from the future: the directory node refuses to start (exit 2)" [ "$st" = 2 ]
check "and says so" grep -q 'schema 99 is newer than this program' "$work/future.err"
check "and wrote nothing" [ "$(pg_sql hallmark "SELECT value FROM hallmark_meta WHERE name = 'schema'")" = 99 ]
other=$(pg_createdb other)
pg_sql other "CREATE TABLE hallmark_tokens (id int)" >/dev/null
timeout 20 "$signer_cli" directory --listen 127.0.0.1:0 --store "postgres:$other" >/dev/null 2>"$work/other.err" && st=0 || st=$?
check "hallmark tables that are not ours: refused (exit 2)" [ "$st" = 2 ]
check "and says so" grep -q 'hallmark tables that are not a Hallmark store' "$work/other.err"
check "and created nothing in it" [ "$(pg_sql other "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 1 ]

echo "(${SECONDS}s)"
echo "signer-multinode: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
