#!/usr/bin/env bash
# Installs the Debian packages the project needs, skipping those already present.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

packages=(
    libhiredis-dev   # RESP protocol for the Redis client
    librdkafka-dev   # Kafka client and the mock cluster behind `sessionrank kafka-dev`
    libssl-dev libpq-dev
    redis-server     # project-local Redis
    postgresql       # project-local PostgreSQL
    kcat             # inspect topics by hand
    curl
    chromium         # headless browser for the admin page test (AdminPageBrowserTests)
    python3-venv     # the project-local virtualenv of schemathesis (`make faults`)
    prometheus       # promtool, which checks and tests the alert rules (scripts/check-alerts.sh)
    nginx            # the load balancer in front of `make fleet`'s replicas (scripts/fleet.sh)
    jq               # JSON answers in scripts/fleet.sh
    openssl          # the local stack's throwaway CA for TLS to PostgreSQL (scripts/stack.sh)
)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
log "installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's packages start system-wide servers on the default ports; the project uses its own instances.
