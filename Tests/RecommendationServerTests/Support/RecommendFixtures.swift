import Foundation
import Compliance
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore
@testable import sessionrank

/// Migrates and seeds the demo data into a throwaway PostgreSQL.
func seedDemoData(into url: String) async throws {
    var settings = ServiceConfiguration().postgres
    settings.url = url
    let client = try makePostgresClient(settings, logger: TestServer.logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        _ = try await MigrationRunner(client: client, logger: TestServer.logger).migrate()
        let users = DemoPeopleGenerator().users()
        let writer = DemoDataWriter(client: client, logger: TestServer.logger)
        try await writer.upsert(products: DemoDataGenerator().products())
        try await writer.upsert(users: users)
        group.cancelAll()
    }
}

/// An independent statement of the rules (catalog columns tightened by `config/compliance.yaml`)
/// to check answers against; unknown attributes fail closed.
enum ComplianceOracle {
    static func violation(product: CatalogProduct, user: UserProfile?, region: String, rules: ComplianceRules, now: Date) -> String? {
        let category = rules.categories[product.category]
        if !product.forSale { return "not for sale" }
        if !product.inStock { return "out of stock" }
        if product.blockedRegions.contains(region) || (category?.blockedRegions.contains(region) ?? false) { return "blocked in \(region)" }
        if let allowed = product.allowedRegions, !allowed.contains(region) { return "not allowed in \(region)" }
        if let allowed = category?.allowedRegions, !allowed.contains(region) { return "category not allowed in \(region)" }
        let minAge = max(product.minAge, category?.minAge ?? 0)
        if minAge > 0 {
            guard let age = user?.age(at: now) else { return "age unknown" }
            if age < minAge { return "too young" }
        }
        if (product.requiresKYC || (category?.requiresKYC ?? false)) && user?.kycStatus != "verified" { return "KYC missing" }
        let riskLevel = max(product.riskLevel, category?.riskLevel ?? 0)
        // Unknown flags count as every flag the rules name.
        let flags = user.map { Set($0.riskFlags) } ?? Set(rules.riskFlags.keys)
        for flag in flags {
            guard let rule = rules.riskFlags[flag] else { continue }
            if let max = rule.maxRiskLevel, riskLevel > max { return "risk level \(riskLevel) over \(max) for \(flag)" }
            if rule.blockCategories.contains(product.category) { return "category blocked for \(flag)" }
        }
        return nil
    }
}

extension UserProfile {
    init(demo user: DemoUser) {
        self.init(
            userId: user.id, birthDate: user.birthDate, region: user.region, kycStatus: user.kycStatus, riskFlags: user.riskFlags,
            segment: user.segment, consentPersonalization: user.consentPersonalization, consentAnalytics: user.consentAnalytics)
    }
}

/// Records of topic `feedback` about one recommendation.
struct FeedbackProbe: Decodable, Sendable {
    var kind: String
    var recommendationId: String
    var sessionId: String
    var source: String?
    var itemId: String?
    var modelVersion: String?
    var latencyMicroseconds: Int?
    var items: [Item]?
    struct Item: Decodable, Sendable { var itemId: String; var position: Int }
}

func readFeedback(recommendationId: String, count: Int) async throws -> [FeedbackProbe] {
    let raw = try await readRawRecords(topic: "feedback", within: .seconds(20)) { value in
        (try? JSONDecoder().decode(FeedbackProbe.self, from: Data(value)))?.recommendationId == recommendationId
    } until: { $0.count >= count }
    return raw.compactMap { try? JSONDecoder().decode(FeedbackProbe.self, from: Data($0)) }
}
