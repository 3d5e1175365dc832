import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// `ConfigStoreContract` against every `ConfigStore`: the PostgreSQL adapter on the suite's database.
@Suite("Contract: ConfigStore", .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL")), .serialized)
struct ConfigStoreContractTests {
    @Test("RankingConfigStore (PostgreSQL) keeps the contract")
    func postgres() async throws {
        try await withTestDatabase { client in
            try await MigrationRunner(client: client, logger: TestServer.logger).migrate()
            try await ConfigStoreContract(store: RankingConfigStore(client: client, logger: TestServer.logger)).checkAll()
        }
    }
}
