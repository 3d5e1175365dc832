#!/usr/bin/env bash
# `make loadtest`: release build, local stack and service, the standard scenario, the report.
# Everything it starts it stops again; results go to loadtests/results/<time>/ (git-ignored).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh

SCENARIO="${LOADTEST_SCENARIO:-loadtests/scenarios/standard.json}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="loadtests/results/$STAMP"
mkdir -p "$OUT"

log "building the service and the harness (release)"
make --no-print-directory CONFIGURATION=release build stack db
swift build -c release --package-path loadtests
# A fresh dev broker: the mock cluster's cost per event grows with its retained log.
SESSIONRANK_BUILD_CONFIGURATION=release scripts/stack.sh restart-kafka
SERVICE_BIN="$(swift build -c release --show-bin-path)/sessionrank"
LOAD_BIN="$(swift build -c release --package-path loadtests --show-bin-path)/sessionrank-load"

if (exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT") 2>/dev/null; then
    die "port $HTTP_PORT is already in use; stop that process first so the run measures a fresh release build"
fi
log "starting the service on 127.0.0.1:$HTTP_PORT (log: $OUT/service.log)"
# The admin reads in the scenario need a viewer token: one is made for this run unless given.
if [[ -z "${SESSIONRANK_ADMIN_TOKEN:-}" ]]; then
    SESSIONRANK_ADMIN_TOKEN="loadtest-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
fi
export SESSIONRANK_ADMIN_TOKEN
# The planned test users (demo-minor, demo-adult) name userId, which needs the storefront key.
if [[ -z "${SESSIONRANK_LOAD_STOREFRONT_KEY:-}" ]]; then
    SESSIONRANK_LOAD_STOREFRONT_KEY="loadtest-shop-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
fi
export SESSIONRANK_LOAD_STOREFRONT_KEY
# One harness is one client: the per-client rate limit would measure itself, not the service.
SESSIONRANK_ADMIN_TOKENS="${SESSIONRANK_ADMIN_TOKENS:+$SESSIONRANK_ADMIN_TOKENS,}loadtest:viewer:$SESSIONRANK_ADMIN_TOKEN,loadtest-shop:storefront:$SESSIONRANK_LOAD_STOREFRONT_KEY" \
SESSIONRANK_RATE_LIMIT_REQUESTS_PER_SECOND=0 SESSIONRANK_BUILD_CONFIGURATION=release "$SERVICE_BIN" serve --config config/sessionrank.yaml >"$OUT/service.log" 2>&1 &
SERVICE_PID=$!
trap 'kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true' EXIT

for _ in $(seq 1 600); do
    if curl -fsS -m 1 "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null 2>&1; then break; fi
    kill -0 "$SERVICE_PID" 2>/dev/null || die "the service exited; see $OUT/service.log"
    sleep 0.2
done
curl -fsS -m 1 "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null || die "the service did not become ready in 120 s"

# The correctness checks need each item's category, age limit and allowed regions: taken from
# the service's own catalogue unless a file is given. Blocked regions are not in the file format,
# so the region check covers allow-lists only.
CATALOG="${LOADTEST_CATALOG:-}"
if [[ -z "$CATALOG" ]]; then
    CATALOG="$OUT/catalog.tsv"
    {
        printf 'itemId\tcategory\tminAge\tregions\n'
        psql "$SESSIONRANK_POSTGRES_URL" -X -q -At -F $'\t' \
            -c "SELECT id, category, min_age, coalesce(array_to_string(allowed_regions, ','), '') FROM products ORDER BY id"
    } >"$CATALOG" || die "could not export the catalogue from PostgreSQL for the correctness checks"
    log "catalogue for the correctness checks: $CATALOG ($(( $(wc -l <"$CATALOG") - 1 )) items)"
fi
CATALOG_ARGS=(--catalog "$CATALOG")

set +e
"$LOAD_BIN" run --scenario "$SCENARIO" --target "http://127.0.0.1:$HTTP_PORT" --out "$OUT" "${CATALOG_ARGS[@]}" ${LOADTEST_ARGS:-}
STATUS=$?
if [[ "${LOADTEST_CAPACITY:-0}" == 1 ]]; then
    "$LOAD_BIN" capacity --scenario loadtests/scenarios/capacity.json --target "http://127.0.0.1:$HTTP_PORT" --out "$OUT/capacity"
    CAPACITY_STATUS=$?
    [[ $STATUS -eq 0 ]] && STATUS=$CAPACITY_STATUS
fi
set -e
ln -sfn "$STAMP" loadtests/results/latest
log "report: $OUT/report.html (also loadtests/results/latest/)"
exit $STATUS
