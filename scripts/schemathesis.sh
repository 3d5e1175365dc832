#!/usr/bin/env bash
# Property-based API test: schemathesis (from PyPI, pinned) against a live debug build of the
# service, with every check, on the public, privacy and admin endpoints of openapi.yaml.
# Exits non-zero when schemathesis finds a 5xx, a response that breaks the schema, or any other
# failed check. No failure is excepted: the checks keep schemathesis' default expectations (but
# for the 428 of scripts/schemathesis.toml), and scripts/schemathesis_hooks.py only makes the
# valid requests valid where the clock or stored state decides (timestamp window, live ETag,
# ranking config text).
#
# The service runs on a free port against the shared Redis (its own database number) and
# PostgreSQL server (its own database, recreated and seeded each run), and a Kafka dev broker of
# its own on another free port, so nothing the run writes reaches data other checkouts use.
#
# Usage: scripts/schemathesis.sh [extra schemathesis options, e.g. --max-examples 50 --seed 1]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SESSIONRANK_ROOT"

SCHEMATHESIS_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-20}"
VENV="$LOCAL_DIR/schemathesis-venv"
WORK="$LOCAL_DIR/schemathesis"
REDIS_DATABASE="${SCHEMATHESIS_REDIS_DATABASE:-11}"
DATABASE="sessionrank_schemathesis"

# 1. schemathesis in a project-local virtualenv.
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q " $SCHEMATHESIS_VERSION\$"; then
    log "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
    python3 -m venv "$VENV" || die "python3 -m venv failed; scripts/install-deps.sh installs python3-venv"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# 2. The service binary (debug unless SESSIONRANK_BUILD_CONFIGURATION says otherwise).
nice -n 15 swift build -c "$BUILD_CONFIGURATION" --product sessionrank >/dev/null
BIN="$(bin_path)/sessionrank"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
HTTP_PORT=$(free_port)
BROKER_PORT=$(free_port)
rm -rf "$WORK"
mkdir -p "$WORK/snapshots"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# 3. Its own Kafka dev broker, database and Redis database.
"$BIN" kafka-dev --port "$BROKER_PORT" --partitions 2 >"$WORK/kafka-dev.log" 2>&1 &
pids+=($!)
wait_for_port "$BROKER_PORT" "schemathesis kafka dev broker"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
"$PG_BIN/psql" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_USER_NAME" -d postgres \
    -c "DROP DATABASE IF EXISTS $DATABASE" -c "CREATE DATABASE $DATABASE" >/dev/null
export SESSIONRANK_POSTGRES_URL="postgres://$POSTGRES_USER_NAME@127.0.0.1:$POSTGRES_PORT/$DATABASE"
export SESSIONRANK_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/$REDIS_DATABASE"
export SESSIONRANK_KAFKA_BOOTSTRAP="127.0.0.1:$BROKER_PORT"
"$BIN" migrate >"$WORK/migrate.log" 2>&1
"$BIN" seed --demo >"$WORK/seed.log" 2>&1

# 4. The service, with a random editor and privacy token, a storefront key (so generated calls
# may name userId and requestId) and a visitor token key. Rate limits are off: the limiter has its own
# tests, and a 429 here would only hide what schemathesis is after.
token() { python3 -c 'import secrets; print(secrets.token_hex(20))'; }
EDITOR_TOKEN=$(token); PRIVACY_TOKEN=$(token); STOREFRONT_KEY=$(token)
export SESSIONRANK_ADMIN_TOKENS="st-editor:editor:$EDITOR_TOKEN,st-privacy:privacy:$PRIVACY_TOKEN,st-storefront:storefront:$STOREFRONT_KEY"
export SESSIONRANK_STOREFRONT_VISITOR_TOKEN_KEYS="st-1:$(token)"
export SESSIONRANK_HTTP_PORT="$HTTP_PORT"
export SESSIONRANK_RATE_LIMIT_REQUESTS_PER_SECOND=0
export SESSIONRANK_MODEL_LEARN_FROM_LOG=false
export SESSIONRANK_MODEL_SNAPSHOT_DIRECTORY="$WORK/snapshots"
export SESSIONRANK_MODEL_BOOTSTRAP_DEMO_SESSIONS=2000
export SESSIONRANK_ADMIN_RELOAD_SECONDS=3600
# Budgets as generous as the Swift tests use: two shared cores make Redis answers slow at times,
# and a privacy call that times out is a (documented) 503 that would read as a server error.
export SESSIONRANK_REDIS_COMMAND_TIMEOUT_MILLISECONDS=2000
export SESSIONRANK_ENRICHMENT_BUDGET_MILLISECONDS=1000
export SESSIONRANK_RECOMMEND_BUDGET_MILLISECONDS=2000
# Debug level adds one access-log line per request: the service's own count of answers by status.
export SESSIONRANK_LOGGING_LEVEL=debug
"$BIN" serve --config config/sessionrank.yaml >"$WORK/service.log" 2>&1 &
pids+=($!)
BASE="http://127.0.0.1:$HTTP_PORT"
for _ in $(seq 1 600); do
    curl -sf "$BASE/health/ready" >/dev/null 2>&1 && break
    kill -0 "${pids[-1]}" 2>/dev/null || { tail -n 20 "$WORK/service.log" >&2; die "the service exited during start"; }
    sleep 0.1
done
curl -sf "$BASE/health/ready" >/dev/null || { tail -n 20 "$WORK/service.log" >&2; die "the service did not become ready"; }
ready_line=$(wc -l <"$WORK/service.log")   # the start-up polls of /health/ready (503 until ready) come before

# 5. schemathesis on every operation; scripts/schemathesis.toml hands each security scheme the
# token of its role. Editor calls store and activate configs: in this run's own database. One
# worker: Python 3.11's parser is not safe across hypothesis' threads ("AST constructor
# recursion depth mismatch").
export SCHEMATHESIS_ADMIN_TOKEN="$EDITOR_TOKEN" SCHEMATHESIS_PRIVACY_TOKEN="$PRIVACY_TOKEN" SCHEMATHESIS_STOREFRONT_KEY="$STOREFRONT_KEY"
# A visitor token for the session of the document's examples (s-4b1d0c), living as long as allowed;
# generated calls for other sessions get the documented 403.
SCHEMATHESIS_VISITOR_TOKEN=$("$BIN" token mint --session s-4b1d0c --ttl 3600)
export SCHEMATHESIS_VISITOR_TOKEN
# The hooks read the live ETag from the service (scripts/schemathesis_hooks.py).
export SCHEMATHESIS_BASE_URL="$BASE"
status=0
"$VENV/bin/schemathesis" --config-file scripts/schemathesis.toml run "$BASE/openapi.yaml" \
    --checks all --max-examples "$MAX_EXAMPLES" --workers 1 --seed "${SCHEMATHESIS_SEED:-20261123}" \
    --generation-database none --output-truncate true --report junit --report-dir "$WORK/report" "$@" || status=1

tail -n +"$((ready_line + 1))" "$WORK/service.log" >"$WORK/service-run.log"
answers=$(grep -o '"http.status":"[0-9]*"' "$WORK/service-run.log" | grep -o '[0-9][0-9][0-9]' | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}')
log "answers by status, from the service's access log: $answers"
if grep -q '"http.status":"5[0-9][0-9]"' "$WORK/service-run.log"; then
    log "the service answered 5xx; see $WORK/service.log"
    status=1
fi
if grep -q '"level":"critical"\|Fatal error' "$WORK/service.log"; then
    log "the service logged a critical error or crashed; see $WORK/service.log"
    status=1
fi
kill -0 "${pids[-1]}" 2>/dev/null || { log "the service is no longer running; see $WORK/service.log"; status=1; }
[ "$status" -eq 0 ] && log "schemathesis: no failures" || log "schemathesis: failures (reports under $WORK)"
exit "$status"
