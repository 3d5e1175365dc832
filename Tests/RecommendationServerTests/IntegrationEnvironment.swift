import Foundation
import Testing

/// Integration suites talk to the real servers that `make test` starts and announces through
/// environment variables. Without them a suite is skipped on a laptop but fails in CI,
/// so a broken stack can never pass as green.
enum IntegrationEnvironment {
    static let environment = ProcessInfo.processInfo.environment
    static var isCI: Bool { environment["CI"] != nil }

    static var postgresURL: String? { environment["SESSIONRANK_POSTGRES_URL"] }
    static var redisURL: String? { environment["SESSIONRANK_REDIS_URL"] }
    static var kafkaBootstrap: String? { environment["SESSIONRANK_KAFKA_BOOTSTRAP"] }

    /// Enables a suite when its servers are announced, or always in CI (where it then fails loudly).
    static func enabled(needs names: String...) -> Bool {
        isCI || names.allSatisfy { environment[$0] != nil }
    }

    static func require(_ name: String) throws -> String {
        try #require(environment[name], "\(name) is not set: run the tests with `make test`, which starts the local stack")
    }
}
