#!/usr/bin/env bash
# CPU milliseconds and context switches per request of the service, Redis and the Kafka dev
# broker, at a fixed open-model rate from the bundled harness. The open-model counterpart of
# cpu-per-request.sh (which needs wrk): a fixed rate keeps the count of wake-ups per request
# comparable between builds, and context switches are what an idle-to-busy loop pays for.
#
#   loadtests/cpu-at-rate.sh recommend|events|health [rate] [seconds]
#
# Expects `sessionrank serve` on 127.0.0.1:${SESSIONRANK_HTTP_PORT:-8080}, the local stack
# (`make stack`) and a release build of the harness (`swift build -c release --package-path loadtests`).
# Counts are taken over the middle of the run, after the warm-up and before the end.
set -euo pipefail
KIND="${1:?recommend, events or health}"; RATE="${2:-500}"; SECONDS_TO_RUN="${3:-20}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOAD="$ROOT/loadtests/.build/release/sessionrank-load"
[[ -x "$LOAD" ]] || { echo "build the harness first: swift build -c release --package-path loadtests" >&2; exit 1; }
[[ "$RATE" =~ ^[0-9]+$ && "$SECONDS_TO_RUN" =~ ^[0-9]+$ ]] || { echo "rate and seconds must be whole numbers" >&2; exit 2; }
(( SECONDS_TO_RUN >= 10 )) || { echo "run at least 10 seconds" >&2; exit 2; }

service=$(pgrep -f "sessionrank[^ ]* serve --config" | head -1) || { echo "no sessionrank serve running" >&2; exit 1; }
broker=$(pgrep -f "sessionrank kafka-dev" | head -1 || true)
redis=$(pgrep -f "redis-server.*:${SESSIONRANK_REDIS_PORT:-6390}" | head -1 || true)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$KIND" in
recommend) workload='{ "kind": "recommend", "rate": { "type": "constant", "rate": 1 } }' ;;
events) workload='{ "kind": "events", "rate": { "type": "constant", "rate": 1 }, "batchSize": 1 }' ;;
health) workload='{ "kind": "health", "rate": { "type": "constant", "rate": 1 } }' ;;
*) echo "kind must be recommend, events or health" >&2; exit 2 ;;
esac
echo "{ \"name\": \"cpu-$KIND\", \"warmupSeconds\": 3, \"durationSeconds\": $SECONDS_TO_RUN, \"workloads\": [ $workload ] }" >"$work/scenario.json"

cpu() { [[ -n "$1" ]] && awk '{print $14 + $15}' "/proc/$1/stat" || echo 0; }
switches() { awk '/ctxt_switches/ {s += $2} END {print s}' /proc/"$service"/task/*/status 2>/dev/null || true; }

"$LOAD" run --scenario "$work/scenario.json" --target "http://127.0.0.1:${SESSIONRANK_HTTP_PORT:-8080}" --rate "$RATE" --duration "$SECONDS_TO_RUN" --warmup 3 --out "$work/out" >"$work/log" 2>&1 &
load=$!
window=$(( SECONDS_TO_RUN - 8 ))
sleep 6
before=("$(cpu "$service")" "$(cpu "$redis")" "$(cpu "$broker")" "$(switches)")
sleep "$window"
after=("$(cpu "$service")" "$(cpu "$redis")" "$(cpu "$broker")" "$(switches)")
wait "$load" || true

ticks=$(getconf CLK_TCK)
requests=$(( RATE * window ))
per() { awk -v d="$1" -v n="$requests" -v t="$ticks" 'BEGIN {printf "%.3f", d * 1000 / t / n}'; }
echo "$KIND at $RATE/s, counted over ${window} s ($requests requests):"
echo "  CPU ms per request: service $(per $(( after[0] - before[0] ))), Redis $(per $(( after[1] - before[1] ))), Kafka dev broker $(per $(( after[2] - before[2] )))"
echo "  service context switches per request: $(awk -v d=$(( after[3] - before[3] )) -v n="$requests" 'BEGIN {printf "%.2f", d / n}')"
grep -E "^(endpoint|recommend|events|health) " "$work/log" || cat "$work/log"
