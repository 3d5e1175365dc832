#!/usr/bin/env bash
# Checks the Prometheus alert rules: syntax and expressions (`promtool check rules`), then the
# unit tests that feed them series and assert which alerts fire (`promtool test rules`).
# promtool comes with Debian's `prometheus` package (scripts/install-deps.sh installs it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SESSIONRANK_ROOT"

command -v promtool >/dev/null 2>&1 \
    || die "promtool not found: install Debian's prometheus package (scripts/install-deps.sh, or apt-get install --no-install-recommends prometheus)"

promtool check rules config/prometheus/alerts.yaml
promtool test rules config/prometheus/alerts_test.yaml
log "alert rules: checked and tested"
