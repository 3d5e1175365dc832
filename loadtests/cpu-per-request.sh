#!/usr/bin/env bash
# CPU per request of the service, Redis and the Kafka dev broker, for /health/live, page views
# (GET /v1/recommend) and single events (POST /v1/events), each beside /health/live in the same
# sequence of runs. Closed loop: `wrk -t1 -c32` per endpoint, back to back, the load the
# performance issue's table uses (../shared/bench/cpu.sh in the shared checkout): page views over
# 10,000 sessions and 2,000 demo products, single product_view events with unique ids.
# CPU comes from /proc/PID/stat of each process (user + system ticks) over the run. Throughput on
# a shared machine swings with its other load; CPU per request moves much less, so it is the
# figure to compare before and after a change.
#
#   loadtests/cpu-per-request.sh [seconds per run, 10] [rounds, 3]
#
# Prints one line per run, then the median of the rounds per endpoint as a Markdown table.
# Expects a release `sessionrank serve` on 127.0.0.1:${SESSIONRANK_HTTP_PORT:-8080} (with
# SESSIONRANK_RATE_LIMIT_REQUESTS_PER_SECOND=0, so the limiter does not answer 429 instead) and
# the local stack (`make stack db`). SESSIONRANK_LOAD_STOREFRONT_KEY, when set, is sent as the
# storefront key with events; without it events go anonymous (storefront.allowAnonymous).
set -euo pipefail
SECONDS_PER_RUN="${1:-10}"; ROUNDS="${2:-3}"
PORT="${SESSIONRANK_HTTP_PORT:-8080}"
URL="http://127.0.0.1:$PORT"
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }

# Each process by the port it listens on: other checkouts may run their own stacks.
listener() { ss -ltnpH "sport = :$1" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }
service=$(listener "$PORT"); [[ -n "$service" ]] || { echo "nothing listens on $PORT: start sessionrank serve" >&2; exit 1; }
redis=$(listener "${SESSIONRANK_REDIS_PORT:-6390}")
broker=$(listener "${SESSIONRANK_KAFKA_PORT:-9092}")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/recommend.lua" <<'LUA'
math.randomseed(os.time())
local tag = tostring(math.random(1, 1e9))
request = function()
  return wrk.format("GET", string.format("/v1/recommend?sessionId=cpu%s-%d&itemId=p-%05d&limit=10",
    tag, math.random(1, 10000), math.random(1, 2000)))
end
LUA
cat >"$work/events.lua" <<LUA
math.randomseed(os.time() + 7)
local tag = tostring(math.random(1, 1e9))
local key = "${SESSIONRANK_LOAD_STOREFRONT_KEY:-}"
local headers = {["Content-Type"] = "application/json"}
if key ~= "" then headers["Authorization"] = "Bearer " .. key end
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"eventId":"cpu%s-%d","type":"product_view","sessionId":"cpu%s-%d","itemId":"p-%05d"}',
    tag, n, tag, math.random(1, 10000), math.random(1, 2000))
  return wrk.format("POST", "/v1/events", headers, body)
end
LUA

cpu() { [[ -n "$1" ]] && awk '{print $14 + $15}' "/proc/$1/stat" || echo 0; }
results="$work/results.tsv"
run() {
    local name=$1; shift
    local before=("$(cpu "$service")" "$(cpu "$redis")" "$(cpu "$broker")")
    local output; output=$(wrk -t1 -c32 -d"${SECONDS_PER_RUN}s" "$@")
    local after=("$(cpu "$service")" "$(cpu "$redis")" "$(cpu "$broker")")
    python3 - "$name" "$output" "$(getconf CLK_TCK)" "${before[@]}" "${after[@]}" >>"$results" <<'PY'
import re, sys
name, output, tick = sys.argv[1], sys.argv[2], int(sys.argv[3])
b, a = list(map(float, sys.argv[4:7])), list(map(float, sys.argv[7:10]))
n = int(re.search(r"(\d+) requests in", output).group(1))
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
errors = re.search(r"Socket errors: (.*)", output)
us = [(a[i] - b[i]) * 1e6 / tick / max(n, 1) for i in range(3)]
print(f"{name}\t{rate:.0f}\t{us[0]:.1f}\t{us[1]:.1f}\t{us[2]:.1f}\t{bad.group(1) if bad else 0}\t{errors.group(1) if errors else ''}")
PY
    tail -n 1 "$results" | awk -F'\t' '{printf "%-10s %7s req/s  service %6s µs  redis %6s µs  broker %6s µs  non-2xx %s %s\n", $1, $2, $3, $4, $5, $6, $7}'
}

for round in $(seq 1 "$ROUNDS"); do
    echo "round $round of $ROUNDS"
    run health "$URL/health/live"
    run recommend -s "$work/recommend.lua" "$URL"
    run health "$URL/health/live"
    run events -s "$work/events.lua" "$URL"
done

python3 - "$results" <<'PY'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
def median(name, column):
    return statistics.median(float(r[column]) for r in rows if r[0] == name)
health_rate, health_service = median("health", 1), median("health", 2)
print()
print("| per request (median of rounds) | /health/live | /v1/recommend (page view) | /v1/events (one view) |")
print("|---|---|---|---|")
names = ["health", "recommend", "events"]
print("| service CPU µs | " + " | ".join(f"{median(n, 2):.0f}" + ("" if n == "health" else f" ({median(n, 2) / health_service:.1f}× health)") for n in names) + " |")
print("| Redis CPU µs | " + " | ".join(f"{median(n, 3):.0f}" for n in names) + " |")
print("| dev broker CPU µs | " + " | ".join(f"{median(n, 4):.0f}" for n in names) + " |")
print("| closed-loop rate /s | " + " | ".join(f"{median(n, 1):.0f}" + ("" if n == "health" else f" ({100 * median(n, 1) / health_rate:.0f} %)") for n in names) + " |")
failed = sum(int(r[5]) for r in rows)
if failed:
    print(f"\n{failed} non-2xx answers: the figures include refusals; check the service's settings (rate limit, credentials).")
PY
