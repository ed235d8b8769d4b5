#!/usr/bin/env bash
# Keqiao development/CI PostgreSQL: a throw-away cluster on 127.0.0.1.
#
#   scripts/postgres.sh start    create a fresh cluster, start it, create the role and database
#   scripts/postgres.sh stop     stop the cluster started here and delete its data (always)
#   scripts/postgres.sh status   pid and DATABASE_URL, exit 1 when not running
#
# Uses Debian's postgresql package (any major version; the newest under /usr/lib/postgresql/,
# or PG_BIN). The data directory is var/postgres/data, the log var/postgres/postgres.log. The
# server listens on 127.0.0.1:$PG_PORT only (default 5433, so it never clashes with a system
# cluster on 5432) and its unix socket lives in var/postgres/, not /var/run/postgresql. It runs
# with fsync, synchronous_commit and full_page_writes off: fast, and the data does not survive
# a crash (it is thrown away on stop anyway). initdb refuses to run as root, so as root the
# cluster runs as the unprivileged user $PG_OS_USER (default postgres, created by the Debian
# package). `start` creates the login role and database "keqiao" (PG_DB) with a random password
# and CREATEDB (pytest-django creates test_keqiao next to it); on success it prints
# DATABASE_URL=postgres://keqiao:PASSWORD@127.0.0.1:PORT/keqiao as its last line.
set -euo pipefail

SERVICE=postgres
source "$(dirname "${BASH_SOURCE[0]}")/local_service.sh"
VAR="$ROOT/var/postgres"
DATA="$VAR/data"
LOG="$VAR/postgres.log"
URLFILE="$VAR/database_url"
PORT="${PG_PORT:-5433}"
DB="${PG_DB:-keqiao}"
OS_USER="${PG_OS_USER:-postgres}"
TIMEOUT="${PG_START_TIMEOUT:-60}"

bindir() {
    if [ -n "${PG_BIN:-}" ]; then
        printf '%s' "$PG_BIN"
        return 0
    fi
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$dir" ] || die "PostgreSQL is not installed (Debian: apt-get install postgresql), or set PG_BIN"
    printf '%s' "$dir"
}

# Runs a PostgreSQL program as the cluster's owner: ourselves, or $OS_USER when we are root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        id "$OS_USER" >/dev/null 2>&1 || die "user $OS_USER does not exist (set PG_OS_USER)"
        runuser -u "$OS_USER" -- "$@"
    else
        "$@"
    fi
}

running_pid() {
    [ -f "$DATA/postmaster.pid" ] || return 1
    local pid
    pid="$(head -n 1 "$DATA/postmaster.pid")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    # Only our own server: the pid must be a postgres binary (pids are reused).
    [ "$(basename "$(readlink -f "/proc/$pid/exe" 2>/dev/null)")" = postgres ] || return 1
    printf '%s' "$pid"
}

psql_admin() {
    as_owner "$(bindir)/psql" -X -q -v ON_ERROR_STOP=1 -h "$VAR" -p "$PORT" -U postgres \
        -d postgres "$@"
}

start() {
    local bin
    bin="$(bindir)"
    if pid="$(running_pid)"; then
        log "already running (pid $pid)"
        cat "$URLFILE"
        return 0
    fi
    # A leftover data directory (a killed run) is thrown away: every start is a fresh cluster.
    rm -rf "$VAR"
    mkdir -p "$VAR"
    if [ "$(id -u)" -eq 0 ]; then
        chown "$OS_USER" "$VAR"
        # The owner must be able to reach var/postgres through the repository's directories.
        as_owner test -x "$VAR" || die "user $OS_USER cannot enter $VAR (check the permissions of its parents)"
    fi
    chmod 700 "$VAR"
    local password
    password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    local t0=$SECONDS
    as_owner "$bin/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >"$VAR/initdb.log" 2>&1 \
        || { tail -20 "$VAR/initdb.log" >&2; die "initdb failed"; }
    # Later lines of postgresql.conf override earlier ones.
    as_owner tee -a "$DATA/postgresql.conf" >/dev/null <<EOF
# scripts/postgres.sh: a throw-away cluster for development and tests
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$VAR'
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
EOF
    as_owner "$bin/pg_ctl" -D "$DATA" -l "$LOG" -w -t "$TIMEOUT" start >/dev/null \
        || { tail -20 "$LOG" >&2; die "the server did not start (port $PORT taken? set PG_PORT)"; }
    psql_admin -c "CREATE ROLE $DB LOGIN CREATEDB PASSWORD '$password'" \
        -c "CREATE DATABASE $DB OWNER $DB" \
        || die "could not create the role and database $DB"
    printf 'DATABASE_URL=postgres://%s:%s@127.0.0.1:%s/%s\n' "$DB" "$password" "$PORT" "$DB" \
        >"$URLFILE"
    chmod 600 "$URLFILE"
    log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (pid $(running_pid)), ready in $((SECONDS - t0)) s"
    cat "$URLFILE"
}

stop() {
    if pid="$(running_pid)"; then
        as_owner "$(bindir)/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true
        await_exit "$pid"
        log "stopped (pid $pid)"
    else
        log "not running"
    fi
    rm -rf "$VAR"
}

status() {
    show_status "127.0.0.1:$PORT" || return 1
    cat "$URLFILE"
}

run_command "${1:-}" start stop status
