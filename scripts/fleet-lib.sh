# The fleet's settings and its replica and nginx lifecycle. Sourced by scripts/fleet.sh and
# scripts/fleet-check.sh (after scripts/env.sh); every value can be overridden from the environment.

FLEET_DIR="$LOCAL_DIR/fleet"
FLEET_PORT="${SESSIONRANK_FLEET_PORT:-8180}"                            # nginx
IFS=, read -r -a FLEET_REPLICA_PORTS <<<"${SESSIONRANK_FLEET_REPLICA_PORTS:-8181,8182,8183}"
FLEET_TOKENS_FILE="$FLEET_DIR/tokens.env"
FLEET_CONFIG="${SESSIONRANK_FLEET_CONFIG:-$SESSIONRANK_ROOT/config/sessionrank.yaml}"
FLEET_NGINX_TEMPLATE="$SESSIONRANK_ROOT/config/nginx-fleet.conf"

# The release executables: given, or the project's own release builds (built when missing).
service_bin() {
    if [[ -n "${SESSIONRANK_BIN:-}" ]]; then echo "$SESSIONRANK_BIN"; return; fi
    local bin; bin="$(cd "$SESSIONRANK_ROOT" && swift build -c release --show-bin-path)/sessionrank"
    [[ -x "$bin" ]] || (cd "$SESSIONRANK_ROOT" && swift build -c release >&2)
    echo "$bin"
}
load_bin() {
    if [[ -n "${SESSIONRANK_LOAD_BIN:-}" ]]; then echo "$SESSIONRANK_LOAD_BIN"; return; fi
    local bin; bin="$(cd "$SESSIONRANK_ROOT" && swift build -c release --package-path loadtests --show-bin-path)/sessionrank-load"
    [[ -x "$bin" ]] || (cd "$SESSIONRANK_ROOT" && swift build -c release --package-path loadtests >&2)
    echo "$bin"
}

random_secret() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# Tokens are made once per fleet and kept (mode 600) so that `check` and a person can use them.
load_tokens() {
    if [[ ! -s "$FLEET_TOKENS_FILE" ]]; then
        mkdir -p "$FLEET_DIR"
        (umask 077; cat >"$FLEET_TOKENS_FILE" <<EOF
FLEET_EDITOR_TOKEN=fleet-editor-$(random_secret)
FLEET_PRIVACY_TOKEN=fleet-privacy-$(random_secret)
SESSIONRANK_ADMIN_TOKEN=fleet-viewer-$(random_secret)
SESSIONRANK_LOAD_STOREFRONT_KEY=fleet-shop-$(random_secret)
EOF
        )
    fi
    set -a; source "$FLEET_TOKENS_FILE"; set +a
}

replica_dir() { echo "$FLEET_DIR/replica-$1"; }
replica_port() { echo "${FLEET_REPLICA_PORTS[$(($1 - 1))]}"; }
replica_pid() { cat "$(replica_dir "$1")/pid" 2>/dev/null || true; }
replica_alive() { local pid; pid=$(replica_pid "$1"); [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }
replica_count() { echo "${#FLEET_REPLICA_PORTS[@]}"; }

# One replica: its own port, snapshot folder and Kafka client id; the shared stack otherwise.
# Each learns from the whole log in assignment mode (no consumer group; offsets live in its
# snapshots), so nothing else has to differ. The rate limit is off by default: the load
# harness is one client, and behind nginx every request comes from 127.0.0.1.
start_replica() {
    local n=$1 dir port bin
    dir=$(replica_dir "$n"); port=$(replica_port "$n"); bin=$(service_bin)
    if replica_alive "$n"; then log "replica $n already running on $port"; return; fi
    mkdir -p "$dir/snapshots"
    (
        cd "$SESSIONRANK_ROOT"
        export SESSIONRANK_HTTP_PORT="$port"
        export SESSIONRANK_MODEL_SNAPSHOT_DIRECTORY="$dir/snapshots"
        export SESSIONRANK_KAFKA_CLIENT_ID="sessionrank-r$n"
        export SESSIONRANK_MODEL_BOOTSTRAP_DEMO_SESSIONS="${SESSIONRANK_MODEL_BOOTSTRAP_DEMO_SESSIONS:-20000}"
        export SESSIONRANK_RATE_LIMIT_REQUESTS_PER_SECOND="${SESSIONRANK_RATE_LIMIT_REQUESTS_PER_SECOND:-0}"
        export SESSIONRANK_RATE_LIMIT_CLIENT_HEADER=X-Real-IP
        export SESSIONRANK_ADMIN_TOKENS="${SESSIONRANK_ADMIN_TOKENS:+$SESSIONRANK_ADMIN_TOKENS,}fleet-editor:editor:$FLEET_EDITOR_TOKEN,fleet-viewer:viewer:$SESSIONRANK_ADMIN_TOKEN,fleet-privacy:privacy:$FLEET_PRIVACY_TOKEN,fleet-shop:storefront:$SESSIONRANK_LOAD_STOREFRONT_KEY"
        nohup "$bin" serve --config "$FLEET_CONFIG" >>"$dir/service.log" 2>&1 &
        echo $! >"$dir/pid"
    )
    log "replica $n starting on 127.0.0.1:$port (pid $(replica_pid "$n"), log $dir/service.log)"
}

# Ready: /health/ready answers 200 and the model has caught up with the log it found at start.
replica_ready() {
    local body
    body=$(curl -fsS -m 1 "http://127.0.0.1:$(replica_port "$1")/health/ready" 2>/dev/null) || return 1
    jq -e '(.model.replaying // false) == false' <<<"$body" >/dev/null
}

wait_replica_ready() {
    local n=$1 seconds=${2:-120}
    for _ in $(seq 1 $((seconds * 10))); do
        replica_ready "$n" && return 0
        replica_alive "$n" || die "replica $n exited; see $(replica_dir "$n")/service.log"
        sleep 0.1
    done
    die "replica $n was not ready within ${seconds}s"
}

# SIGTERM, then wait for the graceful shutdown (shutdown.deadlineSeconds, 30 s, plus the 5 s the
# service gives itself to stop a hung one) before SIGKILL.
stop_replica() {
    local n=$1 pid
    pid=$(replica_pid "$n")
    [[ -n "$pid" ]] || return 0
    if kill -TERM "$pid" 2>/dev/null; then
        for _ in $(seq 1 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            log "replica $n did not stop within 40 s; SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$(replica_dir "$n")/pid"
}

nginx_dir() { echo "$FLEET_DIR/nginx"; }
nginx_pid() { cat "$(nginx_dir)/nginx.pid" 2>/dev/null || true; }
nginx_alive() { local pid; pid=$(nginx_pid); [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; }

# nginx.conf from the template: the fleet's port, its upstream servers, and a prefix of its own.
# FLEET_DRAINED names a replica (1-based) marked `down`: nginx sends it nothing new.
write_nginx_config() {
    local dir servers="" port n=0
    dir=$(nginx_dir)
    mkdir -p "$dir/logs" "$dir/temp"
    for port in "${FLEET_REPLICA_PORTS[@]}"; do
        n=$((n + 1))
        if [[ "${FLEET_DRAINED:-}" == "$n" ]]; then
            servers+="        server 127.0.0.1:$port down;"$'\n'
        else
            servers+="        server 127.0.0.1:$port max_fails=1 fail_timeout=5s;"$'\n'
        fi
    done
    local keepalive="        # no idle connections kept to the replicas (FLEET_UPSTREAM_KEEPALIVE=0)"
    if [[ "${FLEET_UPSTREAM_KEEPALIVE:-64}" != 0 ]]; then
        keepalive="        keepalive ${FLEET_UPSTREAM_KEEPALIVE:-64};  # idle HTTP/1.1 connections kept to the replicas"
    fi
    awk -v port="$FLEET_PORT" -v dir="$dir" -v servers="$servers" -v keepalive="$keepalive" '
        /@UPSTREAM_SERVERS@/ { printf "%s", servers; next }
        /@UPSTREAM_KEEPALIVE@/ { print keepalive; next }
        { gsub(/@FLEET_PORT@/, port); gsub(/@FLEET_NGINX_DIR@/, dir); print }
    ' "$FLEET_NGINX_TEMPLATE" >"$dir/nginx.conf"
}

start_nginx() {
    command -v nginx >/dev/null || die "nginx is missing; run scripts/install-deps.sh"
    write_nginx_config
    local dir; dir=$(nginx_dir)
    nginx -t -q -p "$dir" -c "$dir/nginx.conf" || die "nginx rejected $dir/nginx.conf"
    if nginx_alive; then
        nginx -p "$dir" -c "$dir/nginx.conf" -s reload
        log "nginx reloaded on 127.0.0.1:$FLEET_PORT"
    else
        nginx -p "$dir" -c "$dir/nginx.conf"
        wait_for_port "$FLEET_PORT" nginx
        log "nginx on 127.0.0.1:$FLEET_PORT in front of ${FLEET_REPLICA_PORTS[*]}"
    fi
}

stop_nginx() {
    nginx_alive || return 0
    local dir; dir=$(nginx_dir)
    nginx -p "$dir" -c "$dir/nginx.conf" -s quit 2>/dev/null || kill "$(nginx_pid)" 2>/dev/null || true
    for _ in $(seq 1 50); do nginx_alive || break; sleep 0.1; done
}

# Waits until nginx runs only its current workers: after a reload the old ones finish the
# requests they hold (and close their kept-alive connections) before they exit.
wait_nginx_old_workers() {
    local i
    for i in $(seq 1 200); do
        [[ $(pgrep -c -P "$(nginx_pid)" || true) -le 1 ]] && return 0
        sleep 0.05
    done
    log "old nginx workers still running after 10 s"
}

# Takes replica n out of nginx (drain: reload with it marked down), or puts every replica back.
nginx_drain() { FLEET_DRAINED=$1 start_nginx >/dev/null 2>&1; wait_nginx_old_workers; }
nginx_undrain() { FLEET_DRAINED= start_nginx >/dev/null 2>&1; wait_nginx_old_workers; }

# One step of a rolling restart. By default (FLEET_RESTART_DRAIN=1): out of nginx first (a
# reload with it marked down, then the old workers finish what they hold), SIGTERM, start,
# ready, back in. Each reload closes nginx's idle client connections; a client that sends on
# one at that moment and does not resend on a new connection sees an error (docs/RELIABILITY.md).
# With FLEET_RESTART_DRAIN=0: SIGTERM while nginx still sends to the replica, so only the
# passive health checks and retries stand between clients and its shutdown.
# Prints the step's times.
restart_replica() {
    local n=$1 t0 t1 t2
    if [[ "${FLEET_RESTART_DRAIN:-1}" == 1 ]]; then nginx_drain "$n"; fi
    t0=$(date +%s.%N); stop_replica "$n"; t1=$(date +%s.%N)
    start_replica "$n" 2>/dev/null; wait_replica_ready "$n"; t2=$(date +%s.%N)
    if [[ "${FLEET_RESTART_DRAIN:-1}" == 1 ]]; then nginx_undrain; fi
    awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" -v d="${FLEET_RESTART_DRAIN:-1}" \
        'BEGIN { printf "replica %d (drain %s): exited %.2f s after SIGTERM, ready %.2f s after start\n", n, d == 1 ? "on" : "off", b - a, c - b }'
}
