import Foundation
import PostgresNIO
import RedisClient
import TestSupport
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// `HealthCheckContract` against each dependency's check, on a server of the test's own that it
/// pauses (SIGSTOP, or a Kafka broker taken down) and stops without disturbing the shared ones.
@Suite(
    "Contract: DependencyHealthCheck",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_REDIS_URL", "SESSIONRANK_POSTGRES_URL")),
    .serialized
)
struct HealthCheckContractTests {
    static let timeout = Duration.milliseconds(1_000)

    @Test("RedisHealthCheck keeps the contract")
    func redis() async throws {
        let redis = try await RedisServerProcess(binary: try #require(RedisServerProcess.locateBinary(), "redis-server is needed"))
        var configuration = redis.configuration
        configuration.commandTimeout = .milliseconds(300)
        try await RedisClient.withRunningClient(configuration: configuration) { client in
            try await HealthCheckContract(
                check: RedisHealthCheck(client: client), name: "redis", timeout: Self.timeout,
                pause: { redis.pause() }, resume: { redis.resume() }, stop: { try await redis.stop() }
            ).checkAll()
        }
    }

    @Test("PostgresHealthCheck keeps the contract")
    func postgres() async throws {
        let server = try PostgresServerProcess(port: try await freeLoopbackPort())
        defer { server.remove() }
        var settings = ServiceConfiguration.PostgresSettings()
        settings.url = server.url
        let client = try makePostgresClient(settings, logger: TestServer.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await HealthCheckContract(
                check: PostgresHealthCheck(client: client), name: "postgres", timeout: Self.timeout,
                pause: { try server.pause() }, resume: { try server.resume() }, stop: { try server.stop() }
            ).checkAll()
        }
    }

    @Test("KafkaHealthCheck keeps the contract")
    func kafka() async throws {
        try await withKafkaLog { log in
            try await HealthCheckContract(
                check: KafkaHealthCheck(producer: log.producer, timeout: Self.timeout), name: "kafka", timeout: Self.timeout,
                pause: { try log.broker.setBrokerDown(1) }, resume: { try log.broker.setBrokerUp(1) }, stop: { log.broker.stop() }
            ).checkAll()
        }
    }
}
