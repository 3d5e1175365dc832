#!/usr/bin/env bash
# `make fleet`: three `sessionrank serve` replicas on loopback behind nginx, sharing the local
# stack (Redis, PostgreSQL, Kafka dev broker); each learns from the Kafka log on its own.
#   start    stack, migrate and seed, the replicas (each until ready), nginx
#   stop     nginx and the replicas (SIGTERM); the stack stays (`make stop`)
#   status   what runs, with each replica's readiness
#   check    the scripted checks of docs/RELIABILITY.md "Several replicas behind nginx"
#            (scripts/fleet-check.sh); exits non-zero when one fails
#   restart  rolling restart: one replica at a time out of nginx, SIGTERM, start, wait until
#            ready, back in (FLEET_RESTART_DRAIN=0: no drain, SIGTERM while nginx sends to it)
# Settings: SESSIONRANK_FLEET_PORT (nginx, 8180), SESSIONRANK_FLEET_REPLICA_PORTS (8181,8182,8183),
# FLEET_UPSTREAM_KEEPALIVE (idle connections nginx keeps to the replicas, 64; 0: one per request),
# SESSIONRANK_BIN and SESSIONRANK_LOAD_BIN (executables; default: the release builds, built
# when missing), and the stack's SESSIONRANK_* ports. State, logs and tokens: .local/fleet/.
set -euo pipefail
SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$SCRIPTS/env.sh"
source "$SCRIPTS/fleet-lib.sh"

start() {
    "$SCRIPTS/install-deps.sh"
    local bin; bin=$(service_bin)
    SESSIONRANK_BIN="$bin" "$SCRIPTS/stack.sh" start
    (cd "$SESSIONRANK_ROOT" && "$bin" migrate && "$bin" seed --demo)
    load_tokens
    local n
    for n in $(seq 1 "$(replica_count)"); do start_replica "$n"; done
    for n in $(seq 1 "$(replica_count)"); do wait_replica_ready "$n"; log "replica $n ready"; done
    start_nginx
    curl -fsS -m 2 "http://127.0.0.1:$FLEET_PORT/health/ready" >/dev/null || die "nginx does not reach a ready replica"
    cat >&2 <<EOF
[sessionrank] fleet up: http://127.0.0.1:$FLEET_PORT (nginx) -> replicas on ${FLEET_REPLICA_PORTS[*]}
[sessionrank] tokens (editor, privacy, viewer, storefront key): $FLEET_TOKENS_FILE
[sessionrank] next: scripts/fleet.sh check; scripts/fleet.sh stop
EOF
}

stop() {
    stop_nginx
    local n
    for n in $(seq 1 "$(replica_count)"); do stop_replica "$n"; done
    log "fleet stopped (the stack is still up: make stop)"
}

status() {
    if nginx_alive; then echo "nginx:     up (127.0.0.1:$FLEET_PORT, pid $(nginx_pid))"; else echo "nginx:     down"; fi
    local n
    for n in $(seq 1 "$(replica_count)"); do
        if ! replica_alive "$n"; then echo "replica $n: down"
        elif replica_ready "$n"; then echo "replica $n: ready (127.0.0.1:$(replica_port "$n"), pid $(replica_pid "$n"))"
        else echo "replica $n: not ready (127.0.0.1:$(replica_port "$n"), pid $(replica_pid "$n"))"; fi
    done
    "$SCRIPTS/stack.sh" status
}

# One replica at a time: out of nginx, SIGTERM, wait for it to exit, start it again, wait until
# ready, back into nginx (FLEET_RESTART_DRAIN=0 skips the drain).
rolling_restart() {
    load_tokens
    local n
    for n in $(seq 1 "$(replica_count)"); do restart_replica "$n"; done
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    check) shift; exec "$SCRIPTS/fleet-check.sh" "$@" ;;
    restart) rolling_restart ;;
    *) echo "usage: $0 start|stop|status|check|restart" >&2; exit 2 ;;
esac
