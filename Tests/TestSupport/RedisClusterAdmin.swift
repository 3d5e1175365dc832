import Foundation
import RedisClient

/// One cluster node as `CLUSTER NODES` lists it.
public struct ClusterNode: Sendable, Equatable {
    public var id: String
    public var address: RedisNodeAddress
    public var isPrimary: Bool
    public var isFailed: Bool
    public var slots: [ClosedRange<Int>]
}

/// Talks to single nodes with standalone clients, as an operator's redis-cli would: to inspect
/// the cluster and to move slots behind the cluster client's back.
public enum ClusterAdmin {
    public static func onNode<Result: Sendable>(
        _ node: RedisNodeAddress, _ body: (RedisClient) async throws -> Result
    ) async throws -> Result {
        let configuration = RedisConfiguration(host: node.host, port: node.port, poolSize: 1, connectTimeout: .seconds(1))
        return try await RedisClient.withRunningClient(configuration: configuration, body)
    }

    /// The cluster's nodes as the first reachable seed sees them.
    public static func nodes(seeds: [RedisNodeAddress]) async throws -> [ClusterNode] {
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

    public static func primaries(seeds: [RedisNodeAddress]) async throws -> [ClusterNode] {
        try await nodes(seeds: seeds).filter { $0.isPrimary && !$0.isFailed && !$0.slots.isEmpty }
    }

    /// `<id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <state> <slot> <slot>...`
    public static func parseNodes(_ text: String) -> [ClusterNode] {
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
    public static func moveSlot(_ slot: Int, from source: ClusterNode, to target: ClusterNode, allPrimaries: [ClusterNode]) async throws {
        try await beginMigration(slot, from: source, to: target)
        try await migrateKeys(slot, from: source, to: target)
        try await finishMigration(slot, to: target, allPrimaries: allPrimaries)
    }

    public static func beginMigration(_ slot: Int, from source: ClusterNode, to target: ClusterNode) async throws {
        try await onNode(target.address) { _ = try await $0.send("CLUSTER", "SETSLOT", slot, "IMPORTING", source.id) }
        try await onNode(source.address) { _ = try await $0.send("CLUSTER", "SETSLOT", slot, "MIGRATING", target.id) }
    }

    public static func migrateKeys(_ slot: Int, from source: ClusterNode, to target: ClusterNode) async throws {
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

    public static func finishMigration(_ slot: Int, to target: ClusterNode, allPrimaries: [ClusterNode]) async throws {
        // The target first, so the slot is never owned by nobody (as redis-cli orders it).
        for node in [target] + allPrimaries.filter({ $0 != target }) {
            try await onNode(node.address) { _ = try await $0.send("CLUSTER", "SETSLOT", slot, "NODE", target.id) }
        }
    }

    /// Waits until every node reports `cluster_state:ok` and no node is flagged failed.
    public static func waitUntilHealthy(seeds: [RedisNodeAddress], within limit: Duration = .seconds(60)) async throws {
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
        throw ServerProcessError("The Redis Cluster did not become healthy within \(limit)")
    }
}
