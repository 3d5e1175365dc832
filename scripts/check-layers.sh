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
    [RedisClient]="! Hummingbird HTTPTypes PostgresNIO KafkaClient KafkaDevBroker Recommender RecommenderLab Compliance SessionRankCore SessionRankAdapters RecommendationServer"
    [KafkaClient]="! Hummingbird HTTPTypes PostgresNIO RedisClient KafkaDevBroker Recommender RecommenderLab Compliance SessionRankCore SessionRankAdapters RecommendationServer"
    [KafkaDevBroker]="! Hummingbird HTTPTypes PostgresNIO RedisClient Recommender RecommenderLab Compliance SessionRankCore SessionRankAdapters RecommendationServer"
    # The domain: no transport, no client of an external system. NIOCore/NIOPosix only for
    # event-loop timers (Support/Deadline.swift, Events/DeliveryTracker.swift, PublishConfirmer).
    [SessionRankCore]="Foundation Glibc Synchronization Dispatch Recommender Compliance Crypto Yams Logging Metrics Prometheus ServiceLifecycle NIOCore NIOPosix"
    [RecommendationServer]="! KafkaDevBroker RecommenderLab"
)

# SessionRankAdapters/<Client>/ may import its own client and no other (nor any transport).
declare -A adapterClient=([Redis]=RedisClient [Kafka]=KafkaClient [Postgres]=PostgresNIO)
adapterBanned="Hummingbird HTTPTypes NIOHTTP1 NIOHTTPTypes KafkaDevBroker RecommenderLab RecommendationServer"


# The module a `grep -n` line of an import names.
import_of() {
    sed -E 's/^[^:]+:[0-9]+:[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*(public[[:space:]]+|package[[:space:]]+|internal[[:space:]]+|private[[:space:]]+)?import[[:space:]]+([A-Za-z_]+[[:space:]]+)?([A-Za-z_0-9]+).*/\4/' <<<"$1"
}

# Every import line of the Swift files under a folder, as `file:line:text`.
imports_in() {
    grep -rnE '^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*((public|package|internal|private)[[:space:]]+)?import[[:space:]]' "$1" --include='*.swift' || true
}

failures=0
for target in "${!rule[@]}"; do
    dir="Sources/$target"
    [ -d "$dir" ] || { echo "check-layers: $dir is missing; update scripts/check-layers.sh" >&2; failures=$((failures + 1)); continue; }
    read -r -a words <<<"${rule[$target]}"
    while IFS= read -r line; do
        file=${line%%:*}
        module=$(import_of "$line")
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
    done < <(imports_in "$dir")
done

adapters=Sources/SessionRankAdapters
if [ -d "$adapters" ]; then
    for folder in "$adapters"/*/; do
        folder=${folder%/}
        name=${folder##*/}
        own=${adapterClient[$name]:-}
        [ -n "$own" ] || { echo "check-layers: $folder has no client rule; update scripts/check-layers.sh" >&2; failures=$((failures + 1)); continue; }
        while IFS= read -r line; do
            file=${line%%:*}
            module=$(import_of "$line")
            for banned in $adapterBanned "${adapterClient[@]}"; do
                if [ "$module" = "$banned" ] && [ "$module" != "$own" ]; then
                    echo "check-layers: $file imports $module; files in $folder may use only their own client, $own" >&2
                    failures=$((failures + 1))
                fi
            done
        done < <(imports_in "$folder")
    done
else
    echo "check-layers: $adapters is missing; update scripts/check-layers.sh" >&2
    failures=$((failures + 1))
fi

if [ "$failures" -gt 0 ]; then
    echo "check-layers: $failures import(s) break the layering (docs/ARCHITECTURE.md, \"Targets\")" >&2
    exit 1
fi
echo "check-layers: every target imports only what its layer allows"
