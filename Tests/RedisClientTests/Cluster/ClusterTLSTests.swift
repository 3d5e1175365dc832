import Foundation
import TestSupport
import Testing

@testable import RedisClient

/// A Redis Cluster over TLS: three primaries of the test's own, each with a plain port (for the
/// test's own set-up), a TLS port and `tls-cluster yes`, so `CLUSTER SLOTS` answers a TLS client
/// with the TLS ports. The certificates come from the stack's throwaway CA (`.local/tls`).
@Suite("Cluster over TLS", .enabled(if: RedisTLSEnvironment.enabled && RedisTestEnvironment.ownServerTestsEnabled), .serialized)
struct ClusterTLSTests {
    struct Node {
        var server: RedisServerProcess
        var tlsPort: Int
        var busPort: Int
        var plain: RedisNodeAddress { RedisNodeAddress(host: "127.0.0.1", port: server.port) }
    }

    /// Starts three TLS primaries, gives each a third of the slots and joins them.
    static func startCluster() async throws -> [Node] {
        let binary = try RedisTestEnvironment.requireServerBinary()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-cluster-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var nodes: [Node] = []
        for index in 0..<3 {
            let tlsPort = try await freeLoopbackPort()
            let busPort = try await freeLoopbackPort()
            let server = try await RedisServerProcess(
                binary: binary,
                extraArguments: [
                    "--dir", directory, "--cluster-enabled", "yes", "--cluster-config-file", "nodes-\(index).conf",
                    "--cluster-port", "\(busPort)", "--cluster-node-timeout", "1000", "--tls-cluster", "yes",
                    "--tls-port", "\(tlsPort)", "--tls-auth-clients", "no",
                    "--tls-cert-file", RedisTLSEnvironment.file("server.pem"), "--tls-key-file", RedisTLSEnvironment.file("server.key"),
                    // The cluster bus is mutual TLS: each node presents a client certificate to the others.
                    "--tls-client-cert-file", RedisTLSEnvironment.file("client.pem"),
                    "--tls-client-key-file", RedisTLSEnvironment.file("client.key"), "--tls-ca-cert-file", RedisTLSEnvironment.file("ca.pem"),
                ])
            nodes.append(Node(server: server, tlsPort: tlsPort, busPort: busPort))
        }
        let ranges = [(0, 5460), (5461, 10922), (10923, 16383)]
        for (node, range) in zip(nodes, ranges) {
            try await ClusterAdmin.onNode(node.plain) { _ = try await $0.send("CLUSTER", "ADDSLOTSRANGE", range.0, range.1) }
        }
        for node in nodes.dropFirst() {
            try await ClusterAdmin.onNode(nodes[0].plain) { _ = try await $0.send("CLUSTER", "MEET", "127.0.0.1", node.server.port, node.busPort) }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        for node in nodes {
            while true {
                let info = try await ClusterAdmin.onNode(node.plain) { try await $0.send("CLUSTER", "INFO").string ?? "" }
                if info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3") { break }
                try #require(ContinuousClock.now < deadline, "the TLS cluster did not reach cluster_state:ok within 30 s: \(info)")
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        return nodes
    }

    @Test("a rediss+cluster:// client learns the TLS ports and reaches every primary over TLS")
    func routesOverTLS() async throws {
        let nodes = try await Self.startCluster()
        var configuration = try RedisConfiguration(url: "rediss+cluster://127.0.0.1:\(nodes[0].tlsPort)")
        configuration.tls?.caFile = try RedisTLSEnvironment.file("ca.pem")
        configuration.connectTimeout = .seconds(2)
        configuration.commandTimeout = .seconds(2)
        let keys = (0..<60).map { "tls:{\($0)}" }
        let values = try await RedisClient.withRunningClient(configuration: configuration) { client in
            for key in keys { try await client.send("SET", key, "v-\(key)") }
            let replies = try await client.pipeline(keys.map { RedisCommand("GET", $0) })
            #expect(client.clusterStatistics?.movedRedirections == 0, "the slot map was read over TLS, so no command was misrouted")
            return replies.map { $0.string ?? "" }
        }
        #expect(values == keys.map { "v-\($0)" })
        // Only the TLS ports were known to the client, so every primary that holds keys was reached over TLS.
        for node in nodes {
            let count = try await ClusterAdmin.onNode(node.plain) { try await $0.send("DBSIZE") }
            #expect((count.int ?? 0) > 0, "primary \(node.plain) got none of the keys")
        }
        for node in nodes { try await node.server.stop() }
    }
}
