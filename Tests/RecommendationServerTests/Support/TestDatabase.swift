import PostgresNIO
@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// Runs `body` with a PostgreSQL client on the suite's database (`SESSIONRANK_POSTGRES_URL`),
/// for tests that write or read rows behind the service's back.
func withTestDatabase(_ body: @Sendable (PostgresClient) async throws -> Void) async throws {
    var settings = ServiceConfiguration.PostgresSettings()
    settings.url = try IntegrationEnvironment.require("SESSIONRANK_POSTGRES_URL")
    let client = try makePostgresClient(settings, logger: TestServer.logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        try await body(client)
    }
}
