import Foundation
import Logging
import RedisClient
import Testing

@testable import RecommendationServer
@testable import SessionRankCore

/// The `redis.tls*` settings: refused with the field named when they cannot work, and a service
/// client over TLS against the local Redis's TLS port (`scripts/stack.sh`, throwaway CA).
@Suite("Redis TLS settings")
struct RedisTLSSettingsTests {
    static func field(of yaml: String, environment: [String: String] = [:]) -> String? {
        do {
            let configuration = try ServiceConfiguration.parse(yaml: yaml, environment: environment)
            _ = try redisTLS(configuration.redis)
            return nil
        } catch let error as ConfigurationError {
            return error.field
        } catch {
            Issue.record("not a ConfigurationError: \(error)")
            return nil
        }
    }

    @Test("TLS settings without a rediss:// URL, bad values and unreadable files name their field")
    func refusedWithTheField() throws {
        let notPEM = FileManager.default.temporaryDirectory.appendingPathComponent("not-pem-\(UUID().uuidString).pem").path
        try "not a certificate".write(toFile: notPEM, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: notPEM) }
        let cases: [(String, String)] = [
            ("redis:\n  url: redis://127.0.0.1:6390\n  tlsCaFile: \(notPEM)\n", "redis.tlsCaFile"),
            ("redis:\n  url: redis://127.0.0.1:6390\n  tlsServerName: cache.internal\n", "redis.tlsServerName"),
            ("redis:\n  url: rediss://127.0.0.1:6390\n  tlsVerify: none\n", "redis.tlsVerify"),
            ("redis:\n  url: rediss://127.0.0.1:6390\n  tlsCaFile: /nonexistent/ca.pem\n", "redis.tlsCaFile"),
            ("redis:\n  url: rediss://127.0.0.1:6390\n  tlsCertFile: \(notPEM)\n", "redis.tlsKeyFile"),
            // Readable but not PEM: found when the client loads it, still under its own field.
            ("redis:\n  url: rediss://127.0.0.1:6390\n  tlsCaFile: \(notPEM)\n", "redis.tlsCaFile"),
            ("redis:\n  url: rediss://127.0.0.1:6390\n  tlsServerName: 10.1.2.3\n", "redis.tlsServerName"),
            ("redis:\n  url: rediss+cluster://127.0.0.1:7000,127.0.0.1\n", "redis.url"),
            ("redis:\n  url: redisss://127.0.0.1:6390\n", "redis.url"),
        ]
        for (yaml, field) in cases {
            #expect(Self.field(of: yaml) == field, "\(yaml)")
        }
        // The environment names follow the field names.
        #expect(Self.field(of: "", environment: ["SESSIONRANK_REDIS_URL": "rediss://127.0.0.1:1", "SESSIONRANK_REDIS_TLS_CA_FILE": notPEM]) == "redis.tlsCaFile")
    }

    @Test("rediss:// and rediss+cluster:// are accepted, with full verification by default")
    func accepted() throws {
        let standalone = try ServiceConfiguration.parse(yaml: "redis:\n  url: rediss://cache.internal:6380/2\n")
        #expect(standalone.redis.usesTLS)
        #expect(try redisTLS(standalone.redis) == RedisTLSConfiguration(verification: .full))
        let cluster = try ServiceConfiguration.parse(yaml: "redis:\n  url: rediss+cluster://10.0.0.1:7000,10.0.0.2:7000\n  tlsVerify: ca\n")
        #expect(try redisTLS(cluster.redis).verification == .ca)
        let client = try makeRedisClient(cluster.redis, logger: Logger(label: "tls-test"))
        #expect(client.configuration.isCluster && client.configuration.tls?.verification == .ca)
        #expect(try ServiceConfiguration.parse(yaml: "").redis.usesTLS == false)
    }

    @Test("a malformed rediss:// URL is refused without its password")
    func passwordRedacted() {
        for url in ["rediss://app:hunter2@", "rediss://app:hunter2@host:notaport", "redisss://app:hunter2@host"] {
            do {
                let configuration = try ServiceConfiguration.parse(yaml: "redis:\n  url: \"\(url)\"\n")
                _ = try makeRedisClient(configuration.redis, logger: Logger(label: "tls-test"))
                Issue.record("\(url) was accepted")
            } catch {
                #expect(!"\(error)".contains("hunter2"), "\(error)")
            }
        }
        // A URL too broken to parse loses its credentials all the same.
        #expect(PostgresConnectionSettings.redactingPassword("rediss://app:hunter2@host:notaport") == "rediss://***@host:notaport")
    }

    @Test(
        "the service's Redis client talks to the TLS port with the stack's CA",
        .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_REDIS_TLS_URL", "SESSIONRANK_TEST_TLS_DIR"))
    )
    func serviceClientOverTLS() async throws {
        let ca = try IntegrationEnvironment.require("SESSIONRANK_TEST_TLS_DIR") + "/ca.pem"
        let configuration = try ServiceConfiguration.parse(yaml: "", environment: [
            "SESSIONRANK_REDIS_URL": try IntegrationEnvironment.require("SESSIONRANK_REDIS_TLS_URL"),
            "SESSIONRANK_REDIS_TLS_CA_FILE": ca,
            "SESSIONRANK_REDIS_COMMAND_TIMEOUT_MILLISECONDS": "2000",
        ])
        let client = try makeRedisClient(configuration.redis, logger: Logger(label: "tls-test"))
        let reply = try await withThrowingTaskGroup(of: RESPValue?.self) { group in
            group.addTask { try await client.run(); return nil }
            defer { group.cancelAll() }
            return try await client.send("ECHO", "encrypted")
        }
        #expect(reply.string == "encrypted")
    }
}
