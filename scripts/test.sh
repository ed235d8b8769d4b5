#!/usr/bin/env bash
# The README's test command (`make test`): everything a fresh machine needs, then every test.
#
# 1. Installs missing system packages with apt-get (only what `command -v`/dpkg do not find):
#    a JDK >= 17 with javac, maven, unzip, curl (Elasticsearch); Go (stripe-mock); chromium
#    (the browser test); libharfbuzz-subset0 and Pango (WeasyPrint PDFs; the CJK fonts come from
#    PyPI and the repository, see kernel/pdf/render.py); postgresql (the PostgreSQL run).
# 2. Creates/updates .venv with the project and its dev extras, while a fresh Elasticsearch
#    node starts (es/run.sh); then stripe-mock (scripts/stripe-mock.sh) and a throw-away
#    PostgreSQL cluster (scripts/postgres.sh), all on 127.0.0.1, ALWAYS stopped on exit. With
#    DATABASE_URL=postgres://... set, that database server is used instead of the throw-away
#    cluster (its user needs CREATEDB: pytest-django creates test_<name>).
# 3. Runs ruff, import-linter (lint-imports), the structure check (scripts/check_structure.py)
#    and mypy once, beside the whole pytest suite twice, on SQLite and on PostgreSQL at the
#    same time (each with its own var directory, its output printed when both ended),
#    with ELASTICSEARCH_URL and STRIPE_API_BASE set and the service guard
#    (tests/service_guard.py): a run fails if any Elasticsearch, Stripe or browser test was
#    skipped or none of them passed, or if its database tests did not really run on its database
#    (it then prints "service-guard: sqlite ok" or "service-guard: postgresql ok").
# ES_PORT, STRIPE_MOCK_PORT and PG_PORT choose the ports (defaults 9250, 12111 and 5433).
# Arguments are passed to both pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
say() { printf 'test: %s\n' "$*" >&2; }
die() { printf 'test: FAILED: %s\n' "$*" >&2; exit 1; }
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# --- 1. system packages -------------------------------------------------------------------------
jdk_ok() {
    local major
    major="$(javac -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p')"
    [ -n "$major" ] && [ "$major" -ge 17 ]
}
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
packages=()
jdk_ok || packages+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || packages+=(maven)
command -v unzip >/dev/null || packages+=(unzip)
command -v curl >/dev/null || packages+=(curl)
command -v unshare >/dev/null || packages+=(util-linux)
command -v go >/dev/null || packages+=(golang-go)
[ -x /usr/bin/chromium ] || packages+=(chromium)
python3 -c 'import ensurepip, venv' 2>/dev/null || packages+=(python3-venv)
for pkg in libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0; do
    have_pkg "$pkg" || packages+=("$pkg")
done
[ -n "${PG_BIN:-}" ] || ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
    || packages+=(postgresql)
if [ "${#packages[@]}" -gt 0 ]; then
    say "installing ${packages[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${packages[@]}" >/dev/null
    jdk_ok || die "no JDK >= 17 (javac) after installing ${packages[*]}"
fi
say "system packages ready after $(( $(date +%s) - started ))s"

# --- 2. services and the Python environment -----------------------------------------------------
started_postgres=0
stop_services() {
    local status=$?
    # A test run, the checks or the node's start still going (interrupted): stop them first.
    local job
    for job in $(jobs -p); do stop_job "$job"; done
    es/run.sh stop >/dev/null 2>&1 || say "es/run.sh stop failed"
    scripts/stripe-mock.sh stop >/dev/null 2>&1 || say "stripe-mock stop failed"
    # Only the cluster this run started: a given DATABASE_URL's server is the caller's.
    if [ "$started_postgres" = 1 ]; then
        scripts/postgres.sh stop >/dev/null 2>&1 || say "postgres stop failed"
    fi
    rm -rf "${work:-}" "${suite_logs:-}"
    say "finished in $(( $(date +%s) - started ))s"
    exit "$status"
}
# Background jobs run in a session of their own (setsid), so that stopping one stops what it
# started too: maven under the node's start, gunicorn, chromium and test nodes under pytest.
stop_job() {
    kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
trap stop_services EXIT
trap 'exit 130' INT TERM

# The Elasticsearch node (download, plugin build, start: about half a minute, no Python) starts
# while pip installs the Python environment.
work="$(mktemp -d)"
setsid es/run.sh start --fresh >"$work/es.out" 2>"$work/es.err" &
es_start=$!
make --no-print-directory venv bytecode || { status=$?; stop_job "$es_start"; exit "$status"; }
es_status=0
wait "$es_start" || es_status=$?
cat "$work/es.err" >&2
[ "$es_status" -eq 0 ] || die "the Elasticsearch node did not start (see var/es/es.log)"
ELASTICSEARCH_URL="$(sed -n 's/^ELASTICSEARCH_URL=//p' "$work/es.out" | tail -n 1)"
[ -n "$ELASTICSEARCH_URL" ] || die "es/run.sh printed no ELASTICSEARCH_URL"
curl -fsS -m 30 "$ELASTICSEARCH_URL/_cluster/health?wait_for_status=yellow&timeout=20s" >/dev/null \
    || die "Elasticsearch at $ELASTICSEARCH_URL does not answer"
stripe_out="$(scripts/stripe-mock.sh start)" || die "stripe-mock did not start (see var/stripe-mock/)"
STRIPE_API_BASE="$(printf '%s\n' "$stripe_out" | sed -n 's/^STRIPE_API_BASE=//p' | tail -n 1)"
[ -n "$STRIPE_API_BASE" ] || die "scripts/stripe-mock.sh printed no STRIPE_API_BASE"
case "${DATABASE_URL:-}" in
    postgres://* | postgresql://* | pgsql://*)
        POSTGRES_URL="$DATABASE_URL"
        say "PostgreSQL run on the given DATABASE_URL" ;;
    *)
        started_postgres=1
        pg_out="$(scripts/postgres.sh start)" || die "PostgreSQL did not start (its log is above)"
        POSTGRES_URL="$(printf '%s\n' "$pg_out" | sed -n 's/^DATABASE_URL=//p' | tail -n 1)"
        [ -n "$POSTGRES_URL" ] || die "scripts/postgres.sh printed no DATABASE_URL" ;;
esac
export ELASTICSEARCH_URL STRIPE_API_BASE
say "Elasticsearch at $ELASTICSEARCH_URL, stripe-mock at $STRIPE_API_BASE, PostgreSQL ready after $(( $(date +%s) - started ))s"

# --- 3. checks and tests --------------------------------------------------------------------------
# The checks (mypy takes a minute or two on a fresh clone) run beside the two test runs, which
# leave a core idle much of the time; their output comes first, and the test runs are stopped
# as soon as a check fails.
(
    set -e
    .venv/bin/ruff check .
    .venv/bin/lint-imports
    .venv/bin/python scripts/check_structure.py
    .venv/bin/mypy .
) >"$work/checks.log" 2>&1 &
checks_run=$!
# Both runs always happen, side by side: each spends about half its time waiting on
# Elasticsearch, PostgreSQL and the processes its tests start (a run's CPU time is about half
# its wall time), so on two cores the pair takes little more than the longer run. Each has its
# own var directory (seal keys, media, caches) and pytest temporary directory; indices and
# test nodes are already per process (tests/matching/es_support.py, es_nodes.py). The outputs
# are printed one after the other when both ended; the script fails if either failed.
suite_logs="$(mktemp -d)"
run_suite() {  # name, database URL, pytest arguments... (run in the background: pytest
    # replaces the job's subshell, so stopping the job stops pytest)
    local name=$1 url=$2
    shift 2
    export KEQIAO_VAR_DIR="$PWD/var/test-$name" DATABASE_URL="$url"
    # --durations: the slowest tests in the log, where to look when CI nears its 25 minutes.
    exec setsid .venv/bin/python -m pytest -p tests.service_guard --guard-database="$name" \
        --basetemp="$suite_logs/tmp-$name" --durations=15 "$@" >"$suite_logs/$name.log" 2>&1
}
say "pytest on SQLite and on PostgreSQL, side by side"
run_suite sqlite "sqlite:///$PWD/var/keqiao.sqlite3" "$@" &
sqlite_run=$!
# Some tests run once, in one of the two runs, and the service guard leaves them out of the
# other: those marked database_independent run in the SQLite run, those marked postgresql_only
# (row locks, threads sharing the database, the OpenAPI conformance test's throw-away database
# of this server) here. In its own run such a test may not be skipped, and browser,
# Elasticsearch and Stripe tests cannot be left out of either run otherwise: the service
# guard fails a run that deselects or skips one.
run_suite postgresql "$POSTGRES_URL" "$@" &
postgres_run=$!
if ! wait "$checks_run"; then
    cat "$work/checks.log"
    stop_job "$sqlite_run"
    stop_job "$postgres_run"
    die "ruff, import-linter, the structure check or mypy failed (above); the tests were stopped"
fi
say "checks passed"
cat "$work/checks.log"
status=0
wait "$sqlite_run" || status=1
say "pytest on SQLite"
cat "$suite_logs/sqlite.log"
wait "$postgres_run" || status=1
say "pytest on PostgreSQL"
cat "$suite_logs/postgresql.log"
[ "$status" -eq 0 ] || die "the suite failed on SQLite or PostgreSQL (see above)"
