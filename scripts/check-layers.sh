#!/usr/bin/env bash
# Fails when a target imports what its layer must not. SwiftPM stops a target from naming an
# undeclared dependency in Package.swift, but on Linux a module that is built anyway can still be
# imported; this check holds the layering to what docs/ARCHITECTURE.md draws.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# target -> the only modules it may import (a space-separated list), or "!" and those it must not.
declare -A rule=(
    [Recommender]="Foundation Synchronization"
    [RecommenderLab]="Foundation Synchronization Recommender"
    [Compliance]="Foundation Yams"
    [RedisClient]="! Hummingbird HTTPTypes PostgresNIO KafkaClient KafkaDevBroker Recommender RecommenderLab Compliance RecommendationServer"
    [KafkaClient]="! Hummingbird HTTPTypes PostgresNIO RedisClient KafkaDevBroker Recommender RecommenderLab Compliance RecommendationServer"
    [KafkaDevBroker]="! Hummingbird HTTPTypes PostgresNIO RedisClient Recommender RecommenderLab Compliance RecommendationServer"
    [RecommendationServer]="! KafkaDevBroker RecommenderLab"
)

failures=0
for target in "${!rule[@]}"; do
    dir="Sources/$target"
    [ -d "$dir" ] || { echo "check-layers: $dir is missing; update scripts/check-layers.sh" >&2; failures=$((failures + 1)); continue; }
    read -r -a words <<<"${rule[$target]}"
    while IFS= read -r line; do
        file=${line%%:*}
        module=$(sed -E 's/^[^:]+:[0-9]+:[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*(public[[:space:]]+|package[[:space:]]+|internal[[:space:]]+|private[[:space:]]+)?import[[:space:]]+([A-Za-z_]+[[:space:]]+)?([A-Za-z_0-9]+).*/\4/' <<<"$line")
        if [ "${words[0]}" = "!" ]; then
            for banned in "${words[@]:1}"; do
                if [ "$module" = "$banned" ]; then
                    echo "check-layers: $file imports $module, which target $target must not use" >&2
                    failures=$((failures + 1))
                fi
            done
        else
            allowed=false
            for permitted in "${words[@]}"; do [ "$module" = "$permitted" ] && allowed=true; done
            if ! $allowed; then
                echo "check-layers: $file imports $module; target $target may import only: ${rule[$target]}" >&2
                failures=$((failures + 1))
            fi
        fi
    done < <(grep -rnE '^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*((public|package|internal|private)[[:space:]]+)?import[[:space:]]' "$dir" --include='*.swift' || true)
done

if [ "$failures" -gt 0 ]; then
    echo "check-layers: $failures import(s) break the layering (docs/ARCHITECTURE.md, \"Targets\")" >&2
    exit 1
fi
echo "check-layers: every target imports only what its layer allows"
