import Foundation
import RedisClient
import Testing

/// Where the cluster tests find the Redis Cluster. `make test` starts one (scripts/redis-cluster.sh)
/// and scripts/test-data.sh exports `SESSIONRANK_REDIS_CLUSTER_URL`. Without it the cluster tests
/// skip locally but fail in CI.
enum ClusterTestEnvironment {
    static let urlVariable = "SESSIONRANK_REDIS_CLUSTER_URL"

    static var url: String? {
        guard let value = ProcessInfo.processInfo.environment[urlVariable], !value.isEmpty else { return nil }
        return value
    }

    static var enabled: Bool { url != nil || RedisTestEnvironment.isCI }

    static func configuration(
        commandTimeout: Duration = .seconds(2), sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> RedisConfiguration {
        let url = try #require(
            url,
            Comment(
                rawValue: "The Redis Cluster is missing: \(urlVariable) is not set. Start it (`scripts/stack.sh "
                    + "start-cluster`) and export \(urlVariable)=$(scripts/redis-cluster.sh url), or run `make test`."),
            sourceLocation: sourceLocation)
        var configuration = try RedisConfiguration(url: url)
        configuration.poolSize = 2
        configuration.commandTimeout = commandTimeout
        configuration.connectTimeout = .milliseconds(500)
        configuration.clusterRefreshInterval = .seconds(1)
        return configuration
    }

    /// A key prefix unique to the test run, with a hash tag of its own so its slot is random.
    static func uniqueTag(_ label: String = "k") -> String {
        "{\(label):\(UInt64.random(in: 0...UInt64.max))}"
    }
}

/// One cluster node as `CLUSTER NODES` lists it.
struct ClusterNode: Sendable, Equatable {
    var id: String
    var address: RedisNodeAddress
    var isPrimary: Bool
    var isFailed: Bool
    var slots: [ClosedRange<Int>]
}

/// Talks to single nodes with standalone clients, as an operator's redis-cli would: to inspect
/// the cluster and to move slots behind the cluster client's back.
enum ClusterAdmin {
    static func onNode<Result: Sendable>(
        _ node: RedisNodeAddress, _ body: (RedisClient) async throws -> Result
    ) async throws -> Result {
        let configuration = RedisConfiguration(host: node.host, port: node.port, poolSize: 1, connectTimeout: .seconds(1))
        return try await RedisClient.withRunningClient(configuration: configuration, body)
    }

    /// The cluster's nodes as the first reachable seed sees them.
    static func nodes(seeds: [RedisNodeAddress]) async throws -> [ClusterNode] {
        var lastError: (any Error)?
        for seed in seeds {
            do {
                let text = try await onNode(seed) { try await $0.send("CLUSTER", "NODES").string ?? "" }
                return parseNodes(text)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? RedisError(code: .connectionUnavailable, message: "no seed nodes")
    }

    static func primaries(seeds: [RedisNodeAddress]) async throws -> [ClusterNode] {
        try await nodes(seeds: seeds).filter { $0.isPrimary && !$0.isFailed && !$0.slots.isEmpty }
    }

    /// `<id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <state> <slot> <slot>...`
    static func parseNodes(_ text: String) -> [ClusterNode] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= 8 else { return nil }
            let endpoint = fields[1].split(separator: "@")[0]
            guard let colon = endpoint.lastIndex(of: ":"), let port = Int(endpoint[endpoint.index(after: colon)...]) else {
                return nil
            }
            let flags = fields[2].split(separator: ",")
            let slots: [ClosedRange<Int>] = fields.dropFirst(8).compactMap { field in
                guard !field.hasPrefix("[") else { return nil }  // a migration in progress
                let bounds = field.split(separator: "-").compactMap { Int($0) }
                guard let low = bounds.first, let high = bounds.last else { return nil }
                return low...high
            }
            return ClusterNode(
                id: fields[0], address: RedisNodeAddress(host: String(endpoint[..<colon]), port: port),
                isPrimary: flags.contains("master"), isFailed: flags.contains("fail") || flags.contains("fail?"),
                slots: slots)
        }
    }

    /// Moves `slot` with its keys from `source` to `target` the way `redis-cli --cluster` does:
    /// IMPORTING/MIGRATING, MIGRATE the keys, then assign the slot on every primary.
    static func moveSlot(_ slot: Int, from source: ClusterNode, to target: ClusterNode, allPrimaries: [ClusterNode]) async throws {
        try await beginMigration(slot, from: source, to: target)
        try await migrateKeys(slot, from: source, to: target)
        try await finishMigration(slot, to: target, allPrimaries: allPrimaries)
    }

    static func beginMigration(_ slot: Int, from source: ClusterNode, to target: ClusterNode) async throws {
        try await onNode(target.address) { _ = try await $0.send("CLUSTER", "SETSLOT", slot, "IMPORTING", source.id) }
        try await onNode(source.address) { _ = try await $0.send("CLUSTER", "SETSLOT", slot, "MIGRATING", target.id) }
    }

    static func migrateKeys(_ slot: Int, from source: ClusterNode, to target: ClusterNode) async throws {
        try await onNode(source.address) { client in
            while true {
                let keys = try await client.send("CLUSTER", "GETKEYSINSLOT", slot, 100).array ?? []
                if keys.isEmpty { return }
                var migrate = RedisCommand("MIGRATE", target.address.host, target.address.port, "", 0, 5_000, "KEYS")
                migrate.append(contentsOf: keys.compactMap(\.bytes))
                _ = try await client.send(migrate)
            }
        }
    }

    static func finishMigration(_ slot: Int, to target: ClusterNode, allPrimaries: [ClusterNode]) async throws {
        // The target first, so the slot is never owned by nobody (as redis-cli orders it).
        for node in [target] + allPrimaries.filter({ $0 != target }) {
            try await onNode(node.address) { _ = try await $0.send("CLUSTER", "SETSLOT", slot, "NODE", target.id) }
        }
    }

    /// Waits until every node reports `cluster_state:ok` and no node is flagged failed.
    static func waitUntilHealthy(seeds: [RedisNodeAddress], within limit: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let nodes = try? await nodes(seeds: seeds), nodes.count == seeds.count,
               nodes.allSatisfy({ !$0.isFailed }), nodes.filter({ $0.isPrimary && !$0.slots.isEmpty }).count == 3 {
                var allOK = true
                for node in nodes {
                    let info = try? await onNode(node.address) { try await $0.send("CLUSTER", "INFO").string ?? "" }
                    if info?.contains("cluster_state:ok") != true { allOK = false }
                }
                if allOK { return }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("The Redis Cluster did not become healthy within \(limit)")
    }
}
