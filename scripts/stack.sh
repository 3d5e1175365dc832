#!/usr/bin/env bash
# Starts, stops and reports the project-local Redis, PostgreSQL and Kafka dev broker, and on
# request a 3-primary, 3-replica Redis Cluster (start-cluster/stop-cluster, scripts/redis-cluster.sh).
# Everything lives under .local/ (git-ignored), listens on loopback only, and is safe to re-run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

REDIS_DIR="$LOCAL_DIR/redis"
POSTGRES_DIR="$LOCAL_DIR/postgres"
KAFKA_DIR="$LOCAL_DIR/kafka"
# A throwaway CA and a server certificate for 127.0.0.1/localhost, so TLS to the dependencies can
# be tested locally; other-ca.pem is an unrelated CA that must be refused; client.pem is a client
# certificate (for servers that ask for one, and for the TLS cluster bus of the tests);
# elsewhere.pem is a server certificate for another name, which the host name check must refuse.
TLS_DIR="$LOCAL_DIR/tls"

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

# PostgreSQL refuses to run as root, so its commands run as the `postgres` system user.
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# An open port is not enough: while it replays a large append-only file Redis answers LOADING.
wait_for_redis_data() {
    for _ in $(seq 1 600); do
        [[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]] && return 0
        sleep 0.2
    done
    die "redis did not finish loading its data within 120 s"
}

start_redis() {
    mkdir -p "$REDIS_DIR"
    make_tls_material
    if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
        log "redis already running on $REDIS_PORT"
        wait_for_redis_data
        enable_redis_tls
        return
    fi
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --protected-mode yes \
        --dir "$REDIS_DIR" --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
        --appendonly yes --appendfsync everysec --save "" --maxmemory 1gb --maxmemory-policy volatile-lru
    wait_for_port "$REDIS_PORT" redis
    wait_for_redis_data
    enable_redis_tls
    log "redis on 127.0.0.1:$REDIS_PORT, with TLS on 127.0.0.1:$REDIS_TLS_PORT"
}

# A second, TLS port on the same server (the plain port stays as it is), with a certificate from
# the throwaway CA; clients need no certificate of their own. Set at run time, so a server started
# by an older checkout of this script gets it too.
enable_redis_tls() {
    (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_TLS_PORT") 2>/dev/null && return
    redis-cli -p "$REDIS_PORT" config set tls-cert-file "$TLS_DIR/server.pem" tls-key-file "$TLS_DIR/server.key" \
        tls-ca-cert-file "$TLS_DIR/ca.pem" tls-auth-clients no >/dev/null \
        || die "redis on $REDIS_PORT refused the TLS settings; is redis-server built with TLS?"
    [[ "$(redis-cli -p "$REDIS_PORT" config set tls-port "$REDIS_TLS_PORT")" == OK ]] \
        || die "redis could not listen with TLS on $REDIS_TLS_PORT; set SESSIONRANK_REDIS_TLS_PORT to a free port"
    wait_for_port "$REDIS_TLS_PORT" "redis (TLS)"
}

make_tls_material() {
    [ -s "$TLS_DIR/server.pem" ] && [ -s "$TLS_DIR/other-ca.pem" ] && [ -s "$TLS_DIR/client.pem" ] && [ -s "$TLS_DIR/elsewhere.pem" ] && return
    command -v openssl >/dev/null || die "openssl is missing; run scripts/install-deps.sh"
    mkdir -p "$TLS_DIR"
    (
        cd "$TLS_DIR"
        # Kept when present: running servers hold certificates of this CA.
        if [ ! -s server.pem ] || [ ! -s other-ca.pem ]; then
            rm -f client.pem elsewhere.pem  # a new CA: its certificates are made anew below
            openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=SessionRank local CA" \
                -keyout ca.key -out ca.pem 2>/dev/null
            openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Unrelated CA" \
                -keyout other-ca.key -out other-ca.pem 2>/dev/null
            sign server "/CN=localhost" 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
        fi
        [ -s client.pem ] || sign client "/CN=sessionrank-client" 'extendedKeyUsage=clientAuth\n'
        # A server certificate for another name only (no IP entry), for the host name check.
        [ -s elsewhere.pem ] || sign elsewhere "/CN=elsewhere.invalid" 'subjectAltName=DNS:elsewhere.invalid\nextendedKeyUsage=serverAuth\n'
    )
    log "throwaway TLS CA, server and client certificates in $TLS_DIR"
}

# sign NAME SUBJECT EXTENSIONS: NAME.key and NAME.pem, signed by ca.pem (in the current directory).
sign() {
    openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
    printf "$3" >"$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

start_postgres() {
    local bin; bin=$(pg_bin)
    [ -n "$bin" ] || die "PostgreSQL binaries not found; run scripts/install-deps.sh"
    mkdir -p "$LOCAL_DIR"
    if [ ! -s "$POSTGRES_DIR/PG_VERSION" ]; then
        mkdir -p "$POSTGRES_DIR"
        [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$POSTGRES_DIR"
        chmod 700 "$POSTGRES_DIR"
        # Trust on loopback only: a throwaway development database, never exposed.
        as_postgres "$bin/initdb" -D "$POSTGRES_DIR" -U "$POSTGRES_USER_NAME" -A trust --no-sync -E UTF8 >/dev/null
    fi
    if as_postgres "$bin/pg_ctl" -D "$POSTGRES_DIR" status >/dev/null 2>&1; then
        log "postgres already running on $POSTGRES_PORT"
    elif "$bin/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -t 1; then
        # Another checkout's project-local server holds the port: share it rather than fail.
        log "postgres of another checkout answers on $POSTGRES_PORT; using it"
    else
        # TLS on, plain connections still allowed: each client chooses with its sslmode. The key
        # must belong to the server's user.
        make_tls_material
        cp "$TLS_DIR/server.key" "$POSTGRES_DIR/server.key"
        cp "$TLS_DIR/server.pem" "$POSTGRES_DIR/server.pem"
        [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$POSTGRES_DIR/server.key" "$POSTGRES_DIR/server.pem"
        chmod 600 "$POSTGRES_DIR/server.key"
        as_postgres "$bin/pg_ctl" -D "$POSTGRES_DIR" -l "$POSTGRES_DIR/postgres.log" -w -t 60 start \
            -o "-p $POSTGRES_PORT -c listen_addresses=127.0.0.1 -k $POSTGRES_DIR -c max_connections=200 -c ssl=on -c ssl_cert_file=server.pem -c ssl_key_file=server.key" >/dev/null
    fi
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -t 30 || die "postgres is not accepting connections on $POSTGRES_PORT"
    if ! "$bin/psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_USER_NAME" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$POSTGRES_DB_NAME'" | grep -q 1; then
        "$bin/createdb" -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_USER_NAME" "$POSTGRES_DB_NAME"
    fi
    log "postgres on 127.0.0.1:$POSTGRES_PORT database $POSTGRES_DB_NAME"
}

start_kafka() {
    mkdir -p "$KAFKA_DIR"
    if [ -f "$KAFKA_DIR/kafka-dev.pid" ] && kill -0 "$(cat "$KAFKA_DIR/kafka-dev.pid")" 2>/dev/null; then
        log "kafka dev broker already running on $KAFKA_PORT"; return
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null; then
        log "a kafka dev broker of another checkout answers on $KAFKA_PORT; using it"; return
    fi
    # SESSIONRANK_BIN: an already built executable (scripts/fleet.sh passes its own).
    local binary; binary="${SESSIONRANK_BIN:-$(bin_path)/sessionrank}"
    [ -x "$binary" ] || die "$binary is missing; build first (make build)"
    nohup "$binary" kafka-dev --port "$KAFKA_PORT" >"$KAFKA_DIR/kafka-dev.log" 2>&1 &
    echo $! >"$KAFKA_DIR/kafka-dev.pid"
    wait_for_port "$KAFKA_PORT" "kafka dev broker"
    log "kafka dev broker on 127.0.0.1:$KAFKA_PORT"
}

# The dev broker walks a partition's whole retained log on every fetch, so it costs more the
# longer it runs under load (docs/PERFORMANCE.md): load tests start from a fresh one.
restart_kafka() {
    if [ ! -f "$KAFKA_DIR/kafka-dev.pid" ]; then
        if (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null; then
            log "the kafka dev broker on $KAFKA_PORT belongs to another checkout; not restarting it"; return
        fi
        start_kafka; return
    fi
    local pid; pid=$(cat "$KAFKA_DIR/kafka-dev.pid")
    stop_kafka
    # The new broker needs the port: wait for the old one to exit and let it go.
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null || break
        sleep 0.1
    done
    start_kafka
}

stop_kafka() {
    if [ -f "$KAFKA_DIR/kafka-dev.pid" ]; then
        kill "$(cat "$KAFKA_DIR/kafka-dev.pid")" 2>/dev/null || true
        rm -f "$KAFKA_DIR/kafka-dev.pid"
    fi
}

stop_all() {
    stop_kafka
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    "$(dirname "${BASH_SOURCE[0]}")/redis-cluster.sh" stop
    local bin; bin=$(pg_bin)
    if [ -n "$bin" ] && [ -s "$POSTGRES_DIR/PG_VERSION" ]; then
        as_postgres "$bin/pg_ctl" -D "$POSTGRES_DIR" -m fast -w stop >/dev/null 2>&1 || true
    fi
    log "stopped"
}

status() {
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && echo "redis:    up (127.0.0.1:$REDIS_PORT, TLS $REDIS_TLS_PORT)" || echo "redis:    down"
    "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" 2>/dev/null && echo "postgres: up (127.0.0.1:$POSTGRES_PORT)" || echo "postgres: down"
    (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null && echo "kafka:    up (127.0.0.1:$KAFKA_PORT)" || echo "kafka:    down"
}

case "${1:-}" in
    start) start_redis; start_postgres; start_kafka ;;
    start-redis) start_redis ;;
    start-postgres) start_postgres ;;
    start-kafka) start_kafka ;;
    restart-kafka) restart_kafka ;;
    start-cluster) "$(dirname "${BASH_SOURCE[0]}")/redis-cluster.sh" start ;;
    stop-cluster) "$(dirname "${BASH_SOURCE[0]}")/redis-cluster.sh" stop ;;
    stop) stop_all ;;
    status) status; "$(dirname "${BASH_SOURCE[0]}")/redis-cluster.sh" status ;;
    *) echo "usage: $0 start|stop|status|start-redis|start-postgres|start-kafka|restart-kafka|start-cluster|stop-cluster" >&2; exit 2 ;;
esac
