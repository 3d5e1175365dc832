import Logging
import PostgresNIO
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

@Suite("PostgreSQL: migrations and seeding", .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL")))
struct PostgresIntegrationTests {
    let logger = Logger(label: "test.postgres")

    func withClient(_ body: @Sendable (PostgresClient) async throws -> Void) async throws {
        var settings = ServiceConfiguration.PostgresSettings()
        settings.url = try IntegrationEnvironment.require("SESSIONRANK_POSTGRES_URL")
        let client = try makePostgresClient(settings, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(client)
        }
    }

    @Test("migrating twice applies nothing the second time and leaves every table in place")
    func migrationsAreIdempotent() async throws {
        try await withClient { client in
            let runner = MigrationRunner(client: client, logger: logger)
            try await runner.migrate()
            let second = try await runner.migrate()
            #expect(second.isEmpty)
            #expect(try await runner.currentVersion() == Migrations.all.last?.version)
            let tables = try await client.query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            ).collect().map { try $0.decode(String.self) }
            for table in ["products", "users", "backend_requests", "schema_migrations"] {
                #expect(tables.contains(table), "missing table \(table)")
            }
        }
    }

    @Test("seeding writes the rows it generated, and seeding again changes nothing")
    func seedingRoundTrips() async throws {
        try await withClient { client in
            try await MigrationRunner(client: client, logger: logger).migrate()
            let writer = DemoDataWriter(client: client, logger: logger)
            let products = (1...30).map { DemoDataGenerator.product(id: "test-seed-\($0)") }
            try await writer.upsert(products: products)
            try await writer.upsert(products: products)
            let rows = try await client.query(
                """
                SELECT id, category, brand, price::float8, min_age::int, requires_kyc, risk_level::int, allowed_regions
                FROM products WHERE id LIKE 'test-seed-%' ORDER BY id
                """
            ).collect()
            #expect(rows.count == 30)
            let byId = Dictionary(uniqueKeysWithValues: products.map { ($0.id, $0) })
            for row in rows {
                let (id, category, brand, price, minAge, kyc, risk, regions) = try row.decode(
                    (String, String, String, Double, Int, Bool, Int, [String]?).self)
                let expected = try #require(byId[id])
                #expect(category == expected.category)
                #expect(brand == expected.brand)
                #expect(abs(price - expected.price) < 0.005)
                #expect(minAge == expected.minAge)
                #expect(kyc == expected.requiresKYC)
                #expect(risk == expected.riskLevel)
                #expect(regions == expected.allowedRegions)
            }
        }
    }

    @Test("users keep birth date, consent and risk flags")
    func usersRoundTrip() async throws {
        try await withClient { client in
            try await MigrationRunner(client: client, logger: logger).migrate()
            let user = DemoUser(
                id: "test-user-roundtrip", birthDate: "2010-02-28", region: "BE", kycStatus: "pending",
                riskFlags: ["vulnerable"], segment: "new", consentPersonalization: nil, consentAnalytics: false)
            try await DemoDataWriter(client: client, logger: logger).upsert(users: [user])
            let rows = try await client.query(
                "SELECT birth_date::text, region, kyc_status, risk_flags, consent_personalization, consent_analytics FROM users WHERE id = \(user.id)"
            ).collect()
            let row = try #require(rows.first)
            let (birthDate, region, kyc, flags, personalization, analytics) = try row.decode(
                (String?, String?, String, [String], Bool?, Bool?).self)
            #expect(birthDate == "2010-02-28")
            #expect(region == "BE")
            #expect(kyc == "pending")
            #expect(flags == ["vulnerable"])
            #expect(personalization == nil)
            #expect(analytics == false)
        }
    }
}
