#!/usr/bin/env bash
# Keqiao development/CI stripe-mock: Stripe's official mock API server on 127.0.0.1.
#
#   scripts/stripe-mock.sh start    install if missing, start in the background, wait until it answers
#   scripts/stripe-mock.sh stop     stop the server started here and wait for it to exit
#   scripts/stripe-mock.sh status   pid and address, exit 1 when not running
#   scripts/stripe-mock.sh install  only install the pinned version
#
# The pinned version is built with `go install github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION`
# (Go from PATH; modules from the Go module proxy) into var/stripe-mock/$STRIPE_MOCK_VERSION/bin
# (~35 s the first time; cached afterwards). Its bundled OpenAPI spec is Stripe API version
# 2026-08-26.dahlia, the version pinned in payments/providers/stripe.py; the server runs with
# -strict-version-check so a drift between the two fails the tests. HTTP listens on
# 127.0.0.1:$STRIPE_MOCK_PORT (default 12111); HTTPS, which stripe-mock otherwise opens on all
# interfaces, goes to a unix socket under var/stripe-mock/. Pid: var/stripe-mock/stripe-mock.pid;
# log: var/stripe-mock/stripe-mock.log. On success `start` prints
# STRIPE_API_BASE=http://127.0.0.1:PORT as its last line.
set -euo pipefail

STRIPE_MOCK_VERSION=v0.203.0
SERVICE=stripe-mock
source "$(dirname "${BASH_SOURCE[0]}")/local_service.sh"
VAR="$ROOT/var/stripe-mock"
GOBIN_DIR="$VAR/$STRIPE_MOCK_VERSION/bin"
BIN="$GOBIN_DIR/stripe-mock"
PIDFILE="$VAR/stripe-mock.pid"
LOG="$VAR/stripe-mock.log"
PORT="${STRIPE_MOCK_PORT:-12111}"
TIMEOUT="${STRIPE_MOCK_START_TIMEOUT:-30}"

answers() { curl -fsS -o /dev/null -u sk_test_123: "http://127.0.0.1:$PORT/v1/customers/cus_123" 2>/dev/null; }

running_pid() {
    [ -f "$PIDFILE" ] || return 1
    local pid
    pid="$(cat "$PIDFILE")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$BIN")" ] || return 1
    printf '%s' "$pid"
}

install() {
    [ -x "$BIN" ] && return 0
    command -v go >/dev/null || die "Go is not on PATH; install Go >= 1.22 (Debian: golang-go)"
    mkdir -p "$GOBIN_DIR"
    log "installing github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION into $GOBIN_DIR"
    local t0=$SECONDS
    GOBIN="$GOBIN_DIR" GOFLAGS="${GOFLAGS:--buildvcs=false}" go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION"
    log "installed in $((SECONDS - t0)) s"
}

start() {
    install
    mkdir -p "$VAR"
    if pid="$(running_pid)"; then
        log "already running (pid $pid)"
    else
        if answers; then die "port $PORT is taken by another server; set STRIPE_MOCK_PORT"; fi
        rm -f "$VAR/https.sock"
        nohup "$BIN" -http-addr "127.0.0.1:$PORT" -https-unix "$VAR/https.sock" \
            -strict-version-check >"$LOG" 2>&1 </dev/null &
        echo $! >"$PIDFILE"
        local deadline=$((SECONDS + TIMEOUT))
        until answers; do
            running_pid >/dev/null || { tail -20 "$LOG" >&2; die "exited during start-up"; }
            [ $SECONDS -lt $deadline ] || { tail -20 "$LOG" >&2; die "no answer after $TIMEOUT s"; }
            sleep 0.2
        done
        log "listening on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"))"
    fi
    echo "STRIPE_API_BASE=http://127.0.0.1:$PORT"
}

stop() {
    local pid
    if ! pid="$(running_pid)"; then
        rm -f "$PIDFILE"
        log "not running"
        return 0
    fi
    kill "$pid"
    await_exit "$pid"
    rm -f "$PIDFILE" "$VAR/https.sock"
    log "stopped (pid $pid)"
}

status() { show_status "http://127.0.0.1:$PORT ($STRIPE_MOCK_VERSION)"; }

run_command "${1:-}" start stop status install
