# What the development/CI service scripts share (scripts/postgres.sh, scripts/stripe-mock.sh):
# messages, stopping a process, `status` and the command dispatch. Sourced, not run: the
# sourcing script sets SERVICE (the name its messages start with) and defines running_pid
# (prints the server's pid, fails when it is not running) and its commands.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '%s: %s\n' "$SERVICE" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$SERVICE" "$*" >&2; exit 1; }

# Waits up to 5 s for process $1 to exit, then kills it.
await_exit() {
    local pid="$1"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
}

# The `status` command: "running pid PID on $1" (status 0), or "not running" (status 1).
show_status() {
    local pid
    if pid="$(running_pid)"; then
        echo "running pid $pid on $1"
    else
        echo "not running"
        return 1
    fi
}

# Runs the command $1 when it is one of the script's commands (the other arguments), else
# prints the usage and fails.
run_command() {
    local command="${1:-}" known
    shift
    for known in "$@"; do
        if [ "$command" = "$known" ]; then
            "$command"
            return
        fi
    done
    die "usage: $0 $(IFS='|'; echo "$*")"
}
