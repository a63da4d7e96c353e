# Shared by the multi-node tests (signer_multinode.sh, signer_consent_multinode.sh): signer and
# directory nodes on one PostgreSQL ($conninfo), each on an ephemeral port, stopped by a watchdog
# if a test forgets one. Sourced after tests/cli/lib/signer.sh; node_url[NAME] is a node's URL.
declare -A node_pid node_url node_watchdog
stop_node() { # NAME: SIGTERM, and a clean drain must exit 0
    local name=$1 st=0
    if [ -n "${node_pid[$name]:-}" ] && kill -0 "${node_pid[$name]}" 2>/dev/null; then
        kill -TERM "${node_pid[$name]}"
        wait "${node_pid[$name]}" 2>/dev/null || st=$?
        [ "$st" -eq 0 ] || bad "node $name exited with status $st on SIGTERM"
    fi
    if [ -n "${node_watchdog[$name]:-}" ]; then
        kill "${node_watchdog[$name]}" 2>/dev/null || true
        wait "${node_watchdog[$name]}" 2>/dev/null || true
    fi
    node_pid[$name]=
    node_watchdog[$name]=
}
stop_nodes() {
    local name
    for name in "${!node_pid[@]}"; do stop_node "$name"; done
}
# start_node NAME serve|directory ARGS...: a node on the shared store, on an ephemeral port.
start_node() {
    local name=$1 mode=$2 i
    shift 2
    : >"$work/$name.out"
    if [ "$mode" = serve ]; then
        "$signer_cli" serve --keystore "$HALLMARK_KEYSTORE" --listen 127.0.0.1:0 \
            --audit "$work/$name.log" --clients "$work/clients.json" --threads 2 \
            --rate 100000 --store "postgres:$conninfo" "$@" >"$work/$name.out" 2>"$work/$name.err" &
    else
        "$signer_cli" directory --listen 127.0.0.1:0 --threads 2 --directory-rate 1000000 \
            --store "postgres:$conninfo" "$@" >"$work/$name.out" 2>"$work/$name.err" &
    fi
    node_pid[$name]=$!
    (sleep 300 && kill -TERM "${node_pid[$name]}" 2>/dev/null) >/dev/null 2>&1 &
    node_watchdog[$name]=$!
    for i in $(seq 100); do
        if grep -q "listening on" "$work/$name.out"; then break; fi
        if ! kill -0 "${node_pid[$name]}" 2>/dev/null; then break; fi
        sleep 0.1
    done
    node_url[$name]=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$work/$name.out")
    [ -n "${node_url[$name]}" ] || { bad "node $name did not start: $(tail -3 "$work/$name.err")"; return 1; }
}

