#!/usr/bin/env bash
# Keqiao development/CI Elasticsearch: real Elasticsearch nodes on 127.0.0.1.
#
#   es/run.sh start [--nodes N] [--port P] [--fresh]   start N nodes (default 1), wait for health
#   es/run.sh stop                                     stop every node started here, wait for exit
#   es/run.sh stop-node I                              stop node I only (failover tests; 0-based)
#   es/run.sh start-node I                             start node I again and wait until it rejoins
#   es/run.sh status                                   pids, RSS and cluster health
#
# The distribution is Elastic's "integ-test-zip" of Elasticsearch $ES_VERSION from Maven Central
# (es/pom.xml -> es/lib, cached in ~/.m2), unpacked under var/es/home, plus es/plugin (cjk analyzer,
# cjk_width/cjk_bigram/flatten_graph/synonym_graph filters and GET /, which that distribution lacks),
# compiled here with javac. Node I listens on http 127.0.0.1:(P+I), transport 127.0.0.1:(P+100+I).
# Data: var/es/data/<N>n/node-I; logs: var/es/es.log (node 0 console), var/es/es-node-I.log (others),
# var/es/logs/node-I/ (Elasticsearch's own files); pids: var/es/es.pid (one server pid a line).
#
# Environment: ES_STATE_DIR (default var/es: this instance's config, data, logs and pid files; give
# each instance that runs at the same time its own, e.g. a test cluster on other ports next to the
# development node: the data, log and pid paths above move there; var/es/home stays shared),
# ES_PORT (default 9250), ES_NODES (default 1), ES_HEAP (JVM heap options for each node;
# default "-Xms512m -Xmx1g" for one node, "-Xms512m -Xmx512m" each for several), ES_START_TIMEOUT
# (seconds, default 240), ES_TRANSPORT_PORT (default ES_PORT+100), ES_JAVA_HOME or JAVA_HOME (a JDK >= 17;
# default: the JDK of `java` on PATH). Elasticsearch refuses to run as root: as root the nodes run in a
# user namespace (unshare --user) where they are uid 1000; files they write stay owned by root.
# On success `start` prints ELASTICSEARCH_URL=http://127.0.0.1:P as its last line.
set -euo pipefail

ES_VERSION=8.19.21
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ES_DIR="$ROOT/es"
DIST="$ROOT/var/es" # the unpacked distribution and the plugin build, shared by every instance
VAR="${ES_STATE_DIR:-$DIST}" # this instance's config, data, logs and pid files
ZIP="$ES_DIR/lib/elasticsearch-$ES_VERSION.zip"
HOME_DIR="$DIST/home/elasticsearch-$ES_VERSION"
PLUGIN_DIR="$HOME_DIR/plugins/keqiao-dev"
PIDFILE="$VAR/es.pid"
STATEFILE="$VAR/es.state"

PORT="${ES_PORT:-9250}"
NODES="${ES_NODES:-1}"
FRESH=0
TIMEOUT="${ES_START_TIMEOUT:-240}"

log() { printf 'es: %s\n' "$*" >&2; }
die() { printf 'es: ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

java_home() {
    local jh="${ES_JAVA_HOME:-${JAVA_HOME:-}}"
    if [ -z "$jh" ]; then
        local java
        java="$(command -v java)" || die "no java on PATH; install a JDK >= 17 or set ES_JAVA_HOME"
        jh="$(dirname "$(dirname "$(readlink -f "$java")")")"
    fi
    [ -x "$jh/bin/java" ] || die "no java in $jh"
    printf '%s' "$jh"
}

# ------------------------------------------------------------------ install

fetch_distribution() {
    [ -s "$ZIP" ] && return 0
    command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
    log "resolving org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION from Maven Central"
    local t0; t0="$(now)"
    mkdir -p "$DIST"
    if ! mvn -B -f "$ES_DIR/pom.xml" -Delasticsearch.version="$ES_VERSION" dependency:copy-dependencies \
        > "$DIST/mvn.log" 2>&1; then
        tail -n 30 "$DIST/mvn.log" >&2
        die "mvn could not resolve the Elasticsearch distribution (full output: $DIST/mvn.log)"
    fi
    [ -s "$ZIP" ] || die "mvn finished but $ZIP is missing"
    log "downloaded $(du -h "$ZIP" | cut -f1) in $(since "$t0")s"
}

unpack_distribution() {
    [ -x "$HOME_DIR/bin/elasticsearch" ] && return 0
    command -v unzip >/dev/null || die "unzip not found (apt-get install unzip)"
    local t0; t0="$(now)"
    rm -rf "$DIST/home.tmp"
    mkdir -p "$DIST/home.tmp" "$DIST/home"
    unzip -q "$ZIP" -d "$DIST/home.tmp"
    rm -rf "$HOME_DIR"
    mv "$DIST/home.tmp/elasticsearch-$ES_VERSION" "$HOME_DIR"
    rm -rf "$DIST/home.tmp"
    log "unpacked into $HOME_DIR in $(since "$t0")s"
}

build_plugin() {
    local jar="$PLUGIN_DIR/keqiao-dev.jar" src="$ES_DIR/plugin/src"
    if [ -s "$jar" ] && [ -z "$(find "$src" -newer "$jar" -name '*.java' -print -quit)" ]; then
        return 0
    fi
    local jh; jh="$(java_home)"
    [ -x "$jh/bin/javac" ] || die "no javac in $jh (need a JDK, not a JRE)"
    local build="$DIST/plugin-build"
    rm -rf "$build"
    mkdir -p "$build/classes" "$PLUGIN_DIR"
    "$jh/bin/javac" --release 17 -nowarn -encoding UTF-8 -cp "$HOME_DIR/lib/*" -d "$build/classes" \
        $(find "$src" -name '*.java') || die "compiling es/plugin failed"
    "$jh/bin/jar" --create --file "$jar.tmp" -C "$build/classes" .
    mv "$jar.tmp" "$jar"
    cat > "$PLUGIN_DIR/plugin-descriptor.properties" <<EOF
description=Keqiao development node: cjk analyzer, cjk_width, cjk_bigram, flatten_graph, synonym_graph, GET /
version=$ES_VERSION
name=keqiao-dev
classname=org.keqiao.esdev.KeqiaoDevPlugin
java.version=17
elasticsearch.version=$ES_VERSION
EOF
    log "built es/plugin into $PLUGIN_DIR"
}

# ------------------------------------------------------------------ per-node config

node_conf() { # index -> writes config dir, prints its path
    local i="$1" conf="$VAR/conf/node-$i"
    local http=$((PORT + i)) tport=$(( ${ES_TRANSPORT_PORT:-$((PORT + 100))} + i ))
    mkdir -p "$conf/jvm.options.d" "$DATA_ROOT/node-$i" "$VAR/logs/node-$i" "$VAR/tmp/node-$i"
    local f
    for f in jvm.options log4j2.properties roles.yml role_mapping.yml users users_roles; do
        cp "$HOME_DIR/config/$f" "$conf/$f"
    done
    local heap
    if [ -n "${ES_HEAP:-}" ]; then heap="$ES_HEAP"
    elif [ "$NODES" -eq 1 ]; then heap="-Xms512m -Xmx1g"
    else heap="-Xms512m -Xmx512m"; fi
    printf '%s\n' $heap > "$conf/jvm.options.d/keqiao-heap.options"
    {
        echo "# generated by es/run.sh; edits are overwritten"
        echo "cluster.name: keqiao-dev"
        echo "node.name: node-$i"
        echo "network.host: 127.0.0.1"
        echo "http.port: $http"
        echo "transport.port: $tport"
        echo "path.data: $DATA_ROOT/node-$i"
        echo "path.logs: $VAR/logs/node-$i"
        echo "xpack.security.enabled: false"
        echo "action.destructive_requires_name: false"
        echo "cluster.routing.allocation.disk.threshold_enabled: false"
        if [ "$NODES" -eq 1 ]; then
            echo "discovery.type: single-node"
        else
            local seeds="" names="" j
            for ((j = 0; j < NODES; j++)); do
                seeds+="${seeds:+, }\"127.0.0.1:$(( ${ES_TRANSPORT_PORT:-$((PORT + 100))} + j ))\""
                names+="${names:+, }\"node-$j\""
            done
            echo "discovery.seed_hosts: [$seeds]"
            # Only for bootstrapping a new cluster; a node with data must not carry it.
            [ -d "$DATA_ROOT/node-$i/_state" ] || echo "cluster.initial_master_nodes: [$names]"
        fi
    } > "$conf/elasticsearch.yml"
    printf '%s' "$conf"
}

# ------------------------------------------------------------------ processes

# A pid counts as ours only if it is alive and its command line names our Elasticsearch home.
ours() {
    local pid="$1"
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$HOME_DIR"
}

node_pid() { # index -> server pid (if running)
    local f="$VAR/run/node-$1.pid"
    [ -s "$f" ] && ours "$(cat "$f")" && cat "$f"
}

launcher_pid() {
    local f="$VAR/run/node-$1.launcher.pid"
    [ -s "$f" ] && ours "$(cat "$f")" && cat "$f"
}

running_nodes() { # prints indices of running nodes
    local f i
    for f in "$VAR"/run/node-*.launcher.pid; do
        [ -e "$f" ] || continue
        i="${f##*/node-}"; i="${i%%.*}"
        if launcher_pid "$i" >/dev/null || node_pid "$i" >/dev/null; then echo "$i"; fi
    done
}

write_pidfile() {
    local i out=""
    for i in $(running_nodes | sort -n); do
        out+="$(node_pid "$i" || launcher_pid "$i")"$'\n'
    done
    printf '%s' "$out" > "$PIDFILE"
}

log_of() { if [ "$1" -eq 0 ]; then echo "$VAR/es.log"; else echo "$VAR/es-node-$1.log"; fi; }

launch_node() {
    local i="$1" conf jh
    conf="$(node_conf "$i")"
    jh="$(java_home)"
    local wrap=()
    if [ "$(id -u)" -eq 0 ]; then
        unshare --user --map-user=1000 --map-group=1000 true 2>/dev/null \
            || die "running as root and 'unshare --user' is not permitted here; Elasticsearch refuses to run as root: run as another user"
        wrap=(unshare --user --map-user=1000 --map-group=1000)
    fi
    mkdir -p "$VAR/run"
    rm -f "$VAR/run/node-$i.pid"
    local logf; logf="$(log_of "$i")"
    : > "$logf"
    (
        cd "$VAR/logs/node-$i"
        unset ES_JAVA_OPTS
        export ES_PATH_CONF="$conf" ES_JAVA_HOME="$jh" ES_TMPDIR="$VAR/tmp/node-$i"
        exec nohup "${wrap[@]}" "$HOME_DIR/bin/elasticsearch" -p "$VAR/run/node-$i.pid" >>"$logf" 2>&1 </dev/null
    ) &
    echo $! > "$VAR/run/node-$i.launcher.pid"
}

stop_one() { # index
    local i="$1" pid lpid waited=0
    pid="$(node_pid "$i" || true)"
    lpid="$(launcher_pid "$i" || true)"
    [ -n "$pid$lpid" ] || { rm -f "$VAR/run/node-$i.pid" "$VAR/run/node-$i.launcher.pid"; return 0; }
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
    [ -n "$lpid" ] && kill -TERM "$lpid" 2>/dev/null || true
    while { [ -n "$pid" ] && ours "$pid"; } || { [ -n "$lpid" ] && ours "$lpid"; }; do
        if [ "$waited" -ge 600 ]; then # 60 s
            log "node-$i did not exit after SIGTERM; sending SIGKILL"
            [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
            [ -n "$lpid" ] && kill -KILL "$lpid" 2>/dev/null || true
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    rm -f "$VAR/run/node-$i.pid" "$VAR/run/node-$i.launcher.pid"
    log "node-$i stopped (pid ${pid:-$lpid})"
}

fail_start() {
    local i
    for i in $(seq 0 $((NODES - 1))); do
        local logf; logf="$(log_of "$i")"
        echo "----- last 40 lines of $logf -----" >&2
        tail -n 40 "$logf" >&2 || true
    done
    for i in $(running_nodes); do stop_one "$i"; done
    write_pidfile
    die "$1"
}

health() { # query -> prints body; returns 0 on HTTP 200
    local out code
    out="$(curl -s -m 30 -w '\n%{http_code}' "http://127.0.0.1:$PORT/_cluster/health?$1" 2>/dev/null)" || return 1
    code="${out##*$'\n'}"
    printf '%s' "${out%$'\n'*}"
    [ "$code" = 200 ]
}

rss_report() {
    local i pid
    for i in $(running_nodes | sort -n); do
        pid="$(node_pid "$i" || true)"
        [ -n "$pid" ] || continue
        log "node-$i pid $pid http 127.0.0.1:$((PORT + i)) RSS $(awk '/VmRSS/ { printf "%d MiB", $2 / 1024 }' "/proc/$pid/status")"
    done
}

# ------------------------------------------------------------------ commands

cmd_start() {
    while [ $# -gt 0 ]; do
        case "$1" in
            --nodes) NODES="${2:?--nodes needs a number}"; shift 2 ;;
            --nodes=*) NODES="${1#*=}"; shift ;;
            --port) PORT="${2:?--port needs a number}"; shift 2 ;;
            --port=*) PORT="${1#*=}"; shift ;;
            --fresh) FRESH=1; shift ;;
            *) die "unknown option $1 (start [--nodes N] [--port P] [--fresh])" ;;
        esac
    done
    [[ "$NODES" =~ ^[1-9][0-9]*$ ]] || die "--nodes must be a positive number"
    [[ "$PORT" =~ ^[0-9]+$ ]] || die "--port must be a number"
    DATA_ROOT="$VAR/data/${NODES}n"

    if [ -n "$(running_nodes)" ]; then
        if [ -s "$STATEFILE" ] && [ "$(cat "$STATEFILE")" = "$NODES $PORT" ] \
            && [ "$(running_nodes | wc -l)" -eq "$NODES" ] && health "timeout=5s" >/dev/null; then
            log "already running ($NODES node(s))"
            echo "ELASTICSEARCH_URL=http://127.0.0.1:$PORT"
            return 0
        fi
        die "Elasticsearch from es/run.sh is already running ($(cat "$STATEFILE" 2>/dev/null || echo '?') = nodes port); run 'es/run.sh stop' first"
    fi
    local i
    local p
    for ((i = 0; i < NODES; i++)); do
        for p in $((PORT + i)) $(( ${ES_TRANSPORT_PORT:-$((PORT + 100))} + i )); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
                die "port $p on 127.0.0.1 is already in use by something else; choose other ports with ES_PORT/--port (http) or ES_TRANSPORT_PORT"
            fi
        done
    done

    local t0; t0="$(now)"
    fetch_distribution
    unpack_distribution
    build_plugin
    if [ "$FRESH" -eq 1 ]; then rm -rf "$DATA_ROOT"; log "removed $DATA_ROOT"; fi

    local t1; t1="$(now)"
    mkdir -p "$VAR"
    echo "$NODES $PORT" > "$STATEFILE"
    for ((i = 0; i < NODES; i++)); do launch_node "$i"; done
    sleep 1 # let each launcher exec into Elasticsearch before its pid is checked
    log "starting $NODES node(s) of Elasticsearch $ES_VERSION (logs: $VAR/es.log)"

    local deadline=$(( $(date +%s) + TIMEOUT )) want body
    if [ "$NODES" -eq 1 ]; then want="yellow"; else want="green"; fi
    while :; do
        for ((i = 0; i < NODES; i++)); do
            launcher_pid "$i" >/dev/null || node_pid "$i" >/dev/null \
                || fail_start "node-$i exited during start-up"
        done
        if body="$(health "wait_for_status=$want&wait_for_nodes=$NODES&timeout=5s")"; then
            break
        fi
        [ "$(date +%s)" -lt "$deadline" ] || fail_start "cluster not $want with $NODES node(s) after ${TIMEOUT}s; last health: ${body:-no answer}"
        sleep 1
    done
    write_pidfile
    local status; status="$(printf '%s' "$body" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')"
    if [ "$status" != green ]; then
        log "cluster status $status: a single node cannot hold replicas, so indices created with number_of_replicas >= 1 stay yellow"
    fi
    log "up in $(since "$t1")s (total $(since "$t0")s), status $status"
    rss_report
    echo "ELASTICSEARCH_URL=http://127.0.0.1:$PORT"
}

cmd_stop() {
    local i any=0
    for i in $(running_nodes | sort -rn); do stop_one "$i"; any=1; done
    rm -f "$PIDFILE" "$STATEFILE"
    [ "$any" -eq 1 ] || log "not running"
}

cmd_stop_node() {
    local i="${1:?stop-node needs a node index}"
    [ -n "$(launcher_pid "$i" || node_pid "$i" || true)" ] || die "node-$i is not running"
    stop_one "$i"
    write_pidfile
}

cmd_start_node() { # restart one stopped node of the running cluster (after stop-node)
    local i="${1:?start-node needs a node index}"
    [ -s "$STATEFILE" ] || die "no cluster started by es/run.sh; use 'start'"
    read -r NODES PORT < "$STATEFILE"
    [[ "$i" =~ ^[0-9]+$ ]] && [ "$i" -lt "$NODES" ] || die "node index must be 0..$((NODES - 1))"
    [ -z "$(launcher_pid "$i" || node_pid "$i" || true)" ] || die "node-$i is already running"
    DATA_ROOT="$VAR/data/${NODES}n"
    launch_node "$i"
    sleep 1
    local deadline=$(( $(date +%s) + TIMEOUT ))
    until curl -s -m 5 -o /dev/null "http://127.0.0.1:$((PORT + i))/_cluster/health?local=true"; do
        launcher_pid "$i" >/dev/null || node_pid "$i" >/dev/null || { tail -n 40 "$(log_of "$i")" >&2; die "node-$i exited during start-up"; }
        [ "$(date +%s)" -lt "$deadline" ] || { tail -n 40 "$(log_of "$i")" >&2; die "node-$i did not answer within ${TIMEOUT}s"; }
        sleep 1
    done
    local body
    body="$(health "wait_for_nodes=$NODES&timeout=${TIMEOUT}s")" || die "node-$i did not rejoin: $body"
    write_pidfile
    log "node-$i is back in the cluster"
}

cmd_status() {
    if [ -s "$STATEFILE" ]; then read -r NODES PORT < "$STATEFILE"; fi
    local nodes; nodes="$(running_nodes | sort -n | tr '\n' ' ')"
    if [ -z "$nodes" ]; then echo "stopped"; return 3; fi
    echo "running nodes: $nodes(started with $NODES, first http port $PORT)"
    rss_report
    local i
    for i in $nodes; do
        if curl -s -m 5 "http://127.0.0.1:$((PORT + i))/_cluster/health"; then
            echo
            echo "ELASTICSEARCH_URL=http://127.0.0.1:$((PORT + i))"
            return 0
        fi
    done
    return 1
}

case "${1:-}" in
    start) shift; cmd_start "$@" ;;
    stop) cmd_stop ;;
    stop-node) shift; cmd_stop_node "$@" ;;
    start-node) shift; cmd_start_node "$@" ;;
    status) cmd_status ;;
    *) echo "usage: $0 start [--nodes N] [--port P] [--fresh] | stop | stop-node I | start-node I | status" >&2; exit 2 ;;
esac
