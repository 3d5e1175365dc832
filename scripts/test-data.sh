#!/usr/bin/env bash
# Runs a command (the test suite) against data of its own, so `make test` never touches what
# `make run` serves: a PostgreSQL database recreated, migrated and seeded each run, a Redis
# database number of its own (flushed first), and a Kafka dev broker of its own on another port,
# so the developer's service neither learns the tests' events nor serves their ranking configs.
# It also starts the Redis Cluster of the cluster tests (scripts/redis-cluster.sh; reused when up).
#
# Usage: scripts/test-data.sh COMMAND [ARGS...]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SESSIONRANK_ROOT"

TEST_DATABASE="${SESSIONRANK_TEST_POSTGRES_DB:-sessionrank_test}"
TEST_REDIS_DATABASE="${SESSIONRANK_TEST_REDIS_DATABASE:-12}"
TEST_KAFKA_PORT="${SESSIONRANK_TEST_KAFKA_PORT:-9093}"
WORK="$LOCAL_DIR/test-data"
BIN="$(bin_path)/sessionrank"
[ -x "$BIN" ] || die "no sessionrank binary at $BIN; build first (make build-tests)"
mkdir -p "$WORK"

broker_pid=""
cleanup() {
    if [ -n "$broker_pid" ]; then kill "$broker_pid" 2>/dev/null || true; wait "$broker_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

# A broker left by an interrupted run would keep the last run's records: replace it.
if (exec 3<>"/dev/tcp/127.0.0.1/$TEST_KAFKA_PORT") 2>/dev/null; then
    die "port $TEST_KAFKA_PORT (the tests' Kafka dev broker) is taken; stop what holds it or set SESSIONRANK_TEST_KAFKA_PORT"
fi
"$BIN" kafka-dev --port "$TEST_KAFKA_PORT" >"$WORK/kafka-dev.log" 2>&1 &
broker_pid=$!
wait_for_port "$TEST_KAFKA_PORT" "the tests' kafka dev broker"

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
"$PG_BIN/psql" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_USER_NAME" -d postgres \
    -c "DROP DATABASE IF EXISTS $TEST_DATABASE WITH (FORCE)" -c "CREATE DATABASE $TEST_DATABASE" >/dev/null
redis-cli -p "$REDIS_PORT" -n "$TEST_REDIS_DATABASE" FLUSHDB >/dev/null

export SESSIONRANK_POSTGRES_URL="postgres://$POSTGRES_USER_NAME@127.0.0.1:$POSTGRES_PORT/$TEST_DATABASE"
export SESSIONRANK_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/$TEST_REDIS_DATABASE"
export SESSIONRANK_KAFKA_BOOTSTRAP="127.0.0.1:$TEST_KAFKA_PORT"
# The stack's throwaway CA (scripts/stack.sh), for the TLS tests, and Redis's TLS port.
export SESSIONRANK_TEST_TLS_DIR="$LOCAL_DIR/tls"
export SESSIONRANK_REDIS_TLS_URL="rediss://127.0.0.1:$REDIS_TLS_PORT/$TEST_REDIS_DATABASE"
"$SESSIONRANK_ROOT/scripts/redis-cluster.sh" start
SESSIONRANK_REDIS_CLUSTER_URL="$("$SESSIONRANK_ROOT/scripts/redis-cluster.sh" url)"
export SESSIONRANK_REDIS_CLUSTER_URL
"$BIN" migrate >"$WORK/migrate.log" 2>&1 || die "migrating $TEST_DATABASE failed; see $WORK/migrate.log"
"$BIN" seed --demo >"$WORK/seed.log" 2>&1 || die "seeding $TEST_DATABASE failed; see $WORK/seed.log"
log "tests use database $TEST_DATABASE, Redis database $TEST_REDIS_DATABASE, Kafka dev broker 127.0.0.1:$TEST_KAFKA_PORT, Redis Cluster $SESSIONRANK_REDIS_CLUSTER_URL"

"$@"
