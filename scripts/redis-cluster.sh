#!/usr/bin/env bash
# Starts and stops a Redis Cluster of three primaries and three replicas on loopback, for the
# cluster tests and for trying the service against a cluster (redis.url redis+cluster://...).
# Ports SESSIONRANK_REDIS_CLUSTER_PORT (default 7000) to +5; data under $LOCAL_DIR/redis-cluster.
# Safe to re-run: a healthy cluster is reused; a node that was stopped is started again and
# rejoins from its nodes.conf.
#
# Usage: scripts/redis-cluster.sh start|stop|status|url
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

BASE_PORT="${SESSIONRANK_REDIS_CLUSTER_PORT:-7000}"
CLUSTER_DIR="$LOCAL_DIR/redis-cluster"
PORTS=()
for offset in 0 1 2 3 4 5; do PORTS+=($((BASE_PORT + offset))); done

cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}"; }
node_up() { [[ "$(cli "$1" ping 2>/dev/null)" == PONG ]]; }
cluster_state() { cli "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n 's/^cluster_state://p'; }
known_nodes() { cli "$1" cluster info 2>/dev/null | tr -d '\r' | sed -n 's/^cluster_known_nodes://p'; }

start_node() {
    local port=$1 dir="$CLUSTER_DIR/$1"
    mkdir -p "$dir"
    # The config file lets a test restart a node it killed: `redis-server <config_file from INFO>`.
    # A short node timeout makes failover take about two seconds instead of fifteen.
    cat >"$dir/redis.conf" <<CONF
port $port
bind 127.0.0.1
protected-mode yes
daemonize yes
dir $dir
pidfile $dir/redis.pid
logfile $dir/redis.log
cluster-enabled yes
cluster-config-file nodes.conf
cluster-node-timeout 1000
cluster-replica-validity-factor 0
# The other primaries keep serving their slots while one is down.
cluster-require-full-coverage no
appendonly no
save ""
maxmemory 256mb
maxmemory-policy volatile-lru
CONF
    node_up "$port" || redis-server "$dir/redis.conf"
}

wait_until_ok() {
    for _ in $(seq 1 300); do
        local all_ok=1
        for port in "${PORTS[@]}"; do
            [[ "$(cluster_state "$port")" == ok && "$(known_nodes "$port")" == 6 ]] || { all_ok=0; break; }
        done
        [ "$all_ok" -eq 1 ] && return 0
        sleep 0.2
    done
    die "the Redis cluster on ports ${PORTS[0]}-${PORTS[5]} did not reach cluster_state:ok within 60 s; see $CLUSTER_DIR/*/redis.log"
}

start() {
    command -v redis-server >/dev/null || die "redis-server is missing; run scripts/install-deps.sh"
    for port in "${PORTS[@]}"; do start_node "$port"; done
    for port in "${PORTS[@]}"; do wait_for_port "$port" "redis cluster node"; done
    if [[ "$(known_nodes "${PORTS[0]}")" != 6 ]]; then
        local addresses=()
        for port in "${PORTS[@]}"; do addresses+=("127.0.0.1:$port"); done
        redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >"$CLUSTER_DIR/create.log" 2>&1 \
            || die "redis-cli --cluster create failed; see $CLUSTER_DIR/create.log"
    fi
    wait_until_ok
    log "redis cluster (3 primaries, 3 replicas) on 127.0.0.1:${PORTS[0]}-${PORTS[5]}"
}

stop() {
    for port in "${PORTS[@]}"; do cli "$port" shutdown nosave >/dev/null 2>&1 || true; done
    log "redis cluster stopped"
}

status() {
    for port in "${PORTS[@]}"; do
        if node_up "$port"; then
            echo "redis cluster node $port: up ($(cli "$port" role | head -n 1), cluster_state $(cluster_state "$port"))"
        else
            echo "redis cluster node $port: down"
        fi
    done
}

url() {
    local seeds=()
    for port in "${PORTS[@]}"; do seeds+=("127.0.0.1:$port"); done
    (IFS=,; echo "redis+cluster://${seeds[*]}")
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    url) url ;;
    *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
