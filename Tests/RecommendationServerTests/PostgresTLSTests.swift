import Foundation
import Logging
import PostgresNIO
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// TLS to PostgreSQL with libpq's `sslmode` names, against the local server, which
/// `scripts/stack.sh` starts with a certificate from a throwaway CA (`.local/tls`).
@Suite(
    "PostgreSQL over TLS",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_TEST_TLS_DIR")),
    .serialized
)
struct PostgresTLSTests {
    static func url(_ query: String) throws -> String {
        let base = try IntegrationEnvironment.require("SESSIONRANK_POSTGRES_URL")
        return base + (base.contains("?") ? "&" : "?") + query
    }

    static func file(_ name: String) throws -> String {
        let path = try IntegrationEnvironment.require("SESSIONRANK_TEST_TLS_DIR") + "/" + name
        try #require(FileManager.default.fileExists(atPath: path), "\(path) is missing: scripts/stack.sh makes it")
        return path
    }

    /// Whether the pool's connection is encrypted, as the server sees it.
    static func encrypted(_ url: String) async throws -> Bool {
        var settings = ServiceConfiguration().postgres
        settings.url = url
        let client = try makePostgresClient(settings, logger: Logger(label: "tls-test"))
        return try await withThrowingTaskGroup(of: Bool?.self) { group in
            group.addTask { await client.run(); return nil }
            defer { group.cancelAll() }
            let rows = try await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            for try await (ssl) in rows.decode(Bool.self) { return ssl }
            Issue.record("pg_stat_ssl has no row for this connection")
            return false
        }
    }

    @Test("verify-full with the stack's CA connects encrypted, to 127.0.0.1 and to localhost")
    func verifyFull() async throws {
        let ca = try Self.file("ca.pem")
        #expect(try await Self.encrypted(Self.url("sslmode=verify-full&sslrootcert=\(ca)")))
        let byName = try Self.url("sslmode=verify-full&sslrootcert=\(ca)").replacingOccurrences(of: "@127.0.0.1:", with: "@localhost:")
        #expect(try await Self.encrypted(byName))
    }

    @Test("require encrypts without checking; disable stays plain")
    func requireAndDisable() async throws {
        #expect(try await Self.encrypted(Self.url("sslmode=require")))
        #expect(try await Self.encrypted(Self.url("sslmode=disable")) == false)
    }

    @Test("a certificate from another CA is refused under verify-ca and verify-full")
    func wrongCARefused() async throws {
        let other = try Self.file("other-ca.pem")
        for mode in ["verify-ca", "verify-full"] {
            // One connection, not the pool: the pool would retry until the query's own timeout.
            var settings = ServiceConfiguration().postgres
            settings.url = try Self.url("sslmode=\(mode)&sslrootcert=\(other)")
            let configuration = try makePostgresConnectionConfiguration(settings)
            await #expect(throws: (any Error).self, "sslmode=\(mode) accepted a server its CA did not sign") {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: 2, logger: Logger(label: "tls-test"))
                try await connection.close()
            }
        }
    }

    @Test("the listener's dedicated connection takes the same TLS settings")
    func dedicatedConnection() async throws {
        var settings = ServiceConfiguration().postgres
        settings.url = try Self.url("sslmode=verify-full&sslrootcert=\(Self.file("ca.pem"))")
        let configuration = try makePostgresConnectionConfiguration(settings)
        #expect(configuration.tls.isEnforced)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "tls-test"))
        defer { Task { try? await connection.close() } }
        let rows = try await connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: Logger(label: "tls-test"))
        var encrypted = false
        for try await ssl in rows.decode(Bool.self) { encrypted = ssl }
        #expect(encrypted)
    }
}
