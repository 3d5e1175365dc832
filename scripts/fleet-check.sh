#!/usr/bin/env bash
# `scripts/fleet.sh check` / `make fleet-check`: the checks of docs/RELIABILITY.md "Several
# replicas behind nginx", against a running fleet (scripts/fleet.sh start). Exits 1 when one fails.
#  1. steady load: the harness's fleet scenario through nginx; no 5xx, no transport error;
#     meanwhile
#  2. a ranking config changed through replica 1's admin API is served by every replica
#     (each asked directly) within admin.reloadSeconds (+1 s for the reload's query and the probes);
#  3. a consent withdrawal through replica 1 reaches every replica (bound FLEET_CONSENT_BOUND, 5 s);
#  4. rolling restart under load (the harness and an event poster through nginx): one replica
#     at a time out of nginx, SIGTERM, start again, wait until ready, back in, next
#     (FLEET_RESTART_DRAIN=0: no drain, SIGTERM while nginx still sends to it); no 5xx through
#     nginx, no timeout or connect error, and every event answered 202 is in topic `events`.
#     Connections closed by nginx's reloads (`closed`) are reported, not failed on, with the drain.
# Settings: FLEET_LOAD_SECONDS (60), FLEET_RESTART_LOAD_SECONDS (60), FLEET_EVENT_RATE (25/s),
# FLEET_LOAD_ARGS (extra harness options, e.g. "--rate-scale 2"), FLEET_RELOAD_SECONDS (5:
# admin.reloadSeconds of the config the replicas run). Results: .local/fleet/checks/<time>/.
set -uo pipefail
SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$SCRIPTS/env.sh"
source "$SCRIPTS/fleet-lib.sh"
set -e
load_tokens
export SESSIONRANK_ADMIN_TOKEN SESSIONRANK_LOAD_STOREFRONT_KEY

nginx_alive || die "nginx is not running; start the fleet first (scripts/fleet.sh start)"
for n in $(seq 1 "$(replica_count)"); do replica_ready "$n" || die "replica $n is not ready; start the fleet first"; done

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$FLEET_DIR/checks/$STAMP"
mkdir -p "$OUT"
ln -sfn "$STAMP" "$FLEET_DIR/checks/latest"
TARGET="http://127.0.0.1:$FLEET_PORT"
REPLICAS=$(IFS=,; echo "${FLEET_REPLICA_PORTS[*]}")
LOAD=$(load_bin)
CHECKS=(python3 "$SCRIPTS/fleet_checks.py")
SCENARIO="$SESSIONRANK_ROOT/loadtests/scenarios/fleet.yaml"
FAILED=()
# Whatever ends this script also ends the load it started (the poster runs until told to stop).
trap 'touch "$OUT/restart/stop" 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true' EXIT
record() { # name, command...: runs a check, keeps its JSON line, notes a failure
    local name=$1; shift
    if "$@" >"$OUT/$name.json"; then log "$name: passed"; else FAILED+=("$name"); log "$name: FAILED"; fi
    cat "$OUT/$name.json"
}

# The compliance checks of the harness need the catalogue: exported as run-standard.sh does.
{
    printf 'itemId\tcategory\tminAge\tregions\n'
    psql "$SESSIONRANK_POSTGRES_URL" -X -q -At -F $'\t' \
        -c "SELECT id, category, min_age, coalesce(array_to_string(allowed_regions, ','), '') FROM products ORDER BY id"
} >"$OUT/catalog.tsv"

harness() { # out-dir, seconds: the fleet scenario through nginx (run it in the background)
    "$LOAD" run --scenario "$SCENARIO" --target "$TARGET" --duration "$2" --warmup 5 \
        --catalog "$OUT/catalog.tsv" --out "$1" ${FLEET_LOAD_ARGS:-} >"$1.log" 2>&1
}
# CPU seconds (user + system) the replicas and nginx's processes have used so far, one line.
cpu_seconds() {
    local pids=() n
    for n in $(seq 1 "$(replica_count)"); do pids+=("$(replica_pid "$n")"); done
    pids+=("$(nginx_pid)" $(pgrep -P "$(nginx_pid)" || true))
    local tick; tick=$(getconf CLK_TCK)
    for pid in "${pids[@]}"; do awk -v t="$tick" '{ printf "%.2f ", ($14 + $15) / t }' "/proc/$pid/stat"; done
    echo
}
nginx_log_lines() { wc -l <"$(nginx_dir)/logs/access.log"; }
nginx_statuses_since() { # first line: status counts of nginx's answers after that line
    sleep 2 # the access log is buffered for up to 1 s
    tail -n +"$(($1 + 1))" "$(nginx_dir)/logs/access.log" | awk '{ n[$1]++ } END { for (s in n) printf "%s %d\n", s, n[s] }' | sort
}

log "1-3. steady load through nginx for ${FLEET_LOAD_SECONDS:-60} s; config and consent checks meanwhile (results: $OUT)"
mkdir -p "$OUT/steady"
from=$(nginx_log_lines)
cpu_before=$(cpu_seconds)
harness "$OUT/steady" "${FLEET_LOAD_SECONDS:-60}" &
harness_pid=$!
sleep 15
record config "${CHECKS[@]}" config --replicas "$REPLICAS" --editor-token "$FLEET_EDITOR_TOKEN" \
    --reload-seconds "${FLEET_RELOAD_SECONDS:-5}" || true
record consent "${CHECKS[@]}" consent --replicas "$REPLICAS" --privacy-token "$FLEET_PRIVACY_TOKEN" \
    --storefront-key "$SESSIONRANK_LOAD_STOREFRONT_KEY" --bound "${FLEET_CONSENT_BOUND:-5}" || true
wait "$harness_pid" || log "harness exit status $? (2: a latency objective missed; the errors are checked below)"
cpu_after=$(cpu_seconds)
record steady-load "${CHECKS[@]}" load-summary --summary "$OUT/steady/summary.json" || true
# CPU per request: replicas and nginx (workers included) over the steady run, warm-up, probes and drain included.
requests=$(jq '.overall.scheduled + .harness.warmupRequests' "$OUT/steady/summary.json")
awk -v before="$cpu_before" -v after="$cpu_after" -v requests="$requests" -v replicas="$(replica_count)" 'BEGIN {
    nb = split(before, b, " "); split(after, a, " ")
    for (i = 1; i <= nb; i++) { d = a[i] - b[i]; if (i <= replicas) r += d; else x += d }
    printf "CPU over the steady run: replicas %.1f s, nginx %.1f s; per request (%d requests): replicas %.3f ms, nginx %.3f ms\n",
        r, x, requests, 1000 * r / requests, 1000 * x / requests
}' | tee "$OUT/steady-cpu.txt"
nginx_statuses_since "$from" | tee "$OUT/steady-nginx-statuses.txt"

log "4. rolling restart under load"
mkdir -p "$OUT/restart"
from=$(nginx_log_lines)
prefix="fleet-$STAMP"
harness "$OUT/restart" "${FLEET_RESTART_LOAD_SECONDS:-60}" &
harness_pid=$!
"${CHECKS[@]}" post-events --target "$TARGET" --rate "${FLEET_EVENT_RATE:-25}" --duration 600 \
    --stop-file "$OUT/restart/stop" --prefix "$prefix" --ids "$OUT/restart/acknowledged-ids.txt" \
    >"$OUT/post-events.json" &
poster_pid=$!
sleep 8
: >"$OUT/restart-timings.txt"
for n in $(seq 1 "$(replica_count)"); do
    restart_replica "$n" | tee -a "$OUT/restart-timings.txt"
    sleep 3
done
sleep 5
touch "$OUT/restart/stop"
if wait "$poster_pid"; then log "post-events: passed"; else FAILED+=("post-events"); log "post-events: FAILED"; fi
cat "$OUT/post-events.json"
wait "$harness_pid" || log "harness exit status $? (2: a latency objective missed; the errors are checked below)"
# Each drain reloads nginx, which closes its idle client connections: a request the harness
# sends on one at that moment fails as `closed` (the harness does not resend on a new
# connection; the event poster does, and counts it). Reported, not failed on, when draining.
tolerate=()
[[ "${FLEET_RESTART_DRAIN:-1}" == 1 ]] && tolerate=(--tolerate closed)
record restart-load "${CHECKS[@]}" load-summary --summary "$OUT/restart/summary.json" "${tolerate[@]}" || true
nginx_statuses_since "$from" | tee "$OUT/restart-nginx-statuses.txt"
if awk '$1 >= 500 { bad = 1 } END { exit bad }' "$OUT/restart-nginx-statuses.txt"; then
    log "restart-nginx-5xx: passed"
else
    FAILED+=("restart-nginx-5xx"); log "restart-nginx-5xx: FAILED"
fi
retried=$(tail -n +"$((from + 1))" "$(nginx_dir)/logs/access.log" | grep -c 'upstream=[^ ]*, ' || true)
echo "requests nginx passed to a second replica: $retried" | tee "$OUT/restart-retries.txt"
record events-in-kafka "${CHECKS[@]}" verify-events --ids "$OUT/restart/acknowledged-ids.txt" --prefix "$prefix" \
    --bootstrap "$SESSIONRANK_KAFKA_BOOTSTRAP" || true

if [[ ${#FAILED[@]} -gt 0 ]]; then
    log "fleet checks FAILED: ${FAILED[*]} (details: $OUT)"
    exit 1
fi
log "fleet checks passed (details: $OUT)"
