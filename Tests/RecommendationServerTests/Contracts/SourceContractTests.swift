import Foundation
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// `CatalogSourceContract` and `ProfileSourceContract` against their PostgreSQL adapters, on
/// rows the demo data writer puts in the suite's database.
@Suite("Contract: CatalogSource and ProfileSource", .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL")))
struct SourceContractTests {
    @Test("PostgresCatalogSource keeps the contract")
    func catalog() async throws {
        try await withTestDatabase { client in
            try await MigrationRunner(client: client, logger: TestServer.logger).migrate()
            let run = UUID().uuidString.prefix(8).lowercased()
            let products = (1...25).map { DemoDataGenerator.product(id: "contract-\(run)-\($0)") }
            try await DemoDataWriter(client: client, logger: TestServer.logger).upsert(products: products)
            try await CatalogSourceContract(source: PostgresCatalogSource(client: client, logger: TestServer.logger), written: products).checkAll()
        }
    }

    @Test("PostgresEnrichmentSource keeps the ProfileSource contract")
    func profiles() async throws {
        try await withTestDatabase { client in
            try await MigrationRunner(client: client, logger: TestServer.logger).migrate()
            let run = UUID().uuidString.prefix(8).lowercased()
            let user = DemoUser(
                id: "contract-\(run)-a", birthDate: "1990-05-17", region: "NL", kycStatus: "verified", riskFlags: ["vulnerable"],
                segment: "loyal", consentPersonalization: true, consentAnalytics: false)
            let requestUser = DemoUser(
                id: "contract-\(run)-b", birthDate: nil, region: nil, kycStatus: "unknown", riskFlags: [], segment: "new",
                consentPersonalization: nil, consentAnalytics: nil)
            let request = DemoRequest(
                requestId: "contract-\(run)-r", userId: requestUser.id, sessionId: "contract-\(run)-s", channel: "web", device: "mobile",
                page: "product", campaign: "newsletter", region: "BE", createdAt: Date())
            let writer = DemoDataWriter(client: client, logger: TestServer.logger)
            try await writer.upsert(users: [user, requestUser])
            try await writer.upsert(requests: [request])
            try await ProfileSourceContract(
                source: PostgresEnrichmentSource(client: client, logger: TestServer.logger), user: user, requestUser: requestUser,
                request: request
            ).checkAll()
        }
    }
}
