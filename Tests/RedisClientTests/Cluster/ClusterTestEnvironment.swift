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
