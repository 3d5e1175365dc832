import Foundation
import RedisClient
import TestSupport
import Testing

/// Where the integration tests find Redis. The test script starts a server and exports
/// `SESSIONRANK_REDIS_URL`; without it the integration tests skip locally but fail in CI, so a
/// broken CI setup cannot pass silently.
enum RedisTestEnvironment {
    static let urlVariable = "SESSIONRANK_REDIS_URL"
    static let serverBinaryVariable = "SESSIONRANK_REDIS_SERVER_BIN"

    static var url: String? { nonEmpty(ProcessInfo.processInfo.environment[urlVariable]) }
    static var isCI: Bool { nonEmpty(ProcessInfo.processInfo.environment["CI"]) != nil }

    /// Whether tests that need the shared Redis should run (and, in CI, fail when it is missing).
    static var sharedServerTestsEnabled: Bool { url != nil || isCI }
    /// Whether tests that start their own `redis-server` should run.
    static var ownServerTestsEnabled: Bool { serverBinary != nil || isCI }

    /// The configuration of the shared server, or a recorded failure explaining what to set.
    static func sharedConfiguration(
        poolSize: Int = 4, commandTimeout: Duration = .seconds(2), sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> RedisConfiguration {
        let url = try #require(
            url,
            Comment(
                rawValue: "Redis is missing: \(urlVariable) is not set. Start Redis (`scripts/stack.sh start`) "
                    + "and export \(urlVariable)=redis://127.0.0.1:6390, or run `make test`."),
            sourceLocation: sourceLocation)
        var configuration = try RedisConfiguration(url: url)
        configuration.poolSize = poolSize
        configuration.commandTimeout = commandTimeout
        return configuration
    }

    static var serverBinary: String? { RedisServerProcess.locateBinary() }

    static func requireServerBinary(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try #require(
            serverBinary,
            Comment(
                rawValue: "redis-server is missing: install it (apt-get install redis-server) or set "
                    + "\(serverBinaryVariable)."),
            sourceLocation: sourceLocation)
    }

    /// A key prefix no other test (or test run) shares, hash-tagged as the project's keys are.
    static func uniquePrefix(_ test: String = #function) -> String {
        "test:{\(test.prefix { $0 != "(" }):\(UInt64.random(in: 0...UInt64.max))}:"
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
