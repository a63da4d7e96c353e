# A PostgreSQL server of the test's own: initdb in a temporary folder, a unix socket in that folder
# and no TCP port, trust authentication for the role "hallmark", stopped by pg_stop (call it from
# the test's EXIT trap). As root, the server runs as the unprivileged user nobody (PostgreSQL
# refuses to run as root). Sourced, not run. `make deps` installs postgresql-15, so a missing
# server is an error, never a skip.
pg_bin=${HALLMARK_PG_BIN:-/usr/lib/postgresql/15/bin}
pg_dir=
pg_as=()

# pg_start: starts the server; sets pg_dir and pg_socket. Returns non-zero, saying why, on failure.
pg_start() {
    if [ ! -x "$pg_bin/initdb" ]; then
        echo "postgres: no $pg_bin/initdb: run make deps (postgresql-15)" >&2
        return 1
    fi
    pg_dir=$(mktemp -d /tmp/hm-pg-XXXXXX)
    if [ "$(id -u)" -eq 0 ]; then
        chown nobody: "$pg_dir"
        pg_as=(runuser -u nobody --)
    fi
    "${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U hallmark --auth=trust -E UTF8 \
        --no-instructions >"$pg_dir/initdb.log" 2>&1 || {
        cat "$pg_dir/initdb.log" >&2
        return 1
    }
    "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
        -o "-k $pg_dir -c listen_addresses= -c max_connections=100" start >/dev/null || {
        cat "$pg_dir/server.log" >&2
        return 1
    }
    pg_socket=$pg_dir
}

# pg_createdb NAME: a fresh database; prints its connection string.
pg_createdb() {
    "$pg_bin/psql" -X -q -h "$pg_socket" -U hallmark -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE DATABASE \"$1\"" >/dev/null && echo "host=$pg_socket user=hallmark dbname=$1"
}

# pg_sql DB SQL: runs SQL in database DB; prints the result unaligned.
pg_sql() {
    "$pg_bin/psql" -X -q -A -t -h "$pg_socket" -U hallmark -d "$1" -v ON_ERROR_STOP=1 -c "$2"
}

# pg_halt / pg_resume: stops the server and starts it again on the same data (an outage).
pg_halt() {
    "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w -t 60 stop >/dev/null
}
pg_resume() {
    "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
        -o "-k $pg_dir -c listen_addresses= -c max_connections=100" start >/dev/null
}

# pg_stop: stops the server (fast shutdown) and removes its folder.
pg_stop() {
    [ -n "$pg_dir" ] || return 0
    "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
    pg_dir=
}
