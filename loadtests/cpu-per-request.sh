#!/usr/bin/env bash
# CPU milliseconds per request of the service, the Kafka dev broker and Redis, under a closed-loop
# load from wrk (Debian package `wrk`). Throughput on a shared machine swings with its other
# load; CPU per request moves much less, so this is the figure to compare before and after a change.
#
#   loadtests/cpu-per-request.sh recommend|events [seconds] [connections]
#
# Expects `sessionrank serve` on 127.0.0.1:${SESSIONRANK_HTTP_PORT:-8080} and the local stack
# (`make stack`). Every run uses fresh session ids, so sessions do not grow from run to run.
set -euo pipefail
KIND="${1:?recommend or events}"; SECONDS_TO_RUN="${2:-8}"; CONNECTIONS="${3:-4}"
PORT="${SESSIONRANK_HTTP_PORT:-8080}"
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }

service=$(pgrep -f "sessionrank serve" | head -1) || { echo "no sessionrank serve running" >&2; exit 1; }
broker=$(pgrep -f "sessionrank kafka-dev" | head -1 || true)
redis=$(pgrep -f "redis-server.*:${SESSIONRANK_REDIS_PORT:-6390}" | head -1 || true)

script=$(mktemp --suffix=.lua)
trap 'rm -f "$script"' EXIT
case "$KIND" in
recommend) cat >"$script" <<'LUA'
math.randomseed(os.time())
local tag = tostring(math.random(1, 1e9))
request = function()
  return wrk.format("GET", string.format("/v1/recommend?sessionId=cpu%s-%d&itemId=p-%05d&placement=product",
    tag, math.random(1, 5000), math.random(1, 2000)))
end
LUA
;;
events) cat >"$script" <<'LUA'
math.randomseed(os.time())
local tag = tostring(math.random(1, 1e9))
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"eventId":"cpu%s-%d","type":"product_view","sessionId":"cpu%s-%d","itemId":"p-%05d","timestamp":"%s"}',
    tag, n, tag, math.random(1, 5000), math.random(1, 2000), os.date("!%Y-%m-%dT%H:%M:%SZ"))
  return wrk.format("POST", "/v1/events", {["Content-Type"]="application/json"}, body)
end
LUA
;;
*) echo "kind must be recommend or events" >&2; exit 2 ;;
esac

cpu() { [[ -n "$1" ]] && awk '{print $14 + $15}' "/proc/$1/stat" || echo 0; }
before=("$(cpu "$service")" "$(cpu "$broker")" "$(cpu "$redis")")
output=$(wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_TO_RUN}s" -s "$script" "http://127.0.0.1:$PORT")
after=("$(cpu "$service")" "$(cpu "$broker")" "$(cpu "$redis")")
requests=$(awk '/requests in/ {print $1}' <<<"$output")
python3 - "$requests" "$(getconf CLK_TCK)" "${before[@]}" "${after[@]}" <<'PY'
import sys
n, tick = int(sys.argv[1]), int(sys.argv[2])
b, a = list(map(float, sys.argv[3:6])), list(map(float, sys.argv[6:9]))
per = [(a[i] - b[i]) * 1000 / tick / max(n, 1) for i in range(3)]
print(f"{n} requests; CPU ms per request: service {per[0]:.3f}, kafka dev broker {per[1]:.3f}, redis {per[2]:.3f}")
PY
