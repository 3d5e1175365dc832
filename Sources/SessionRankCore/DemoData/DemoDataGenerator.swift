import Compliance
import Foundation

/// Generates the demo catalog, user base and request log. Deterministic: the same
/// arguments give the same rows on every machine, so demos and tests can name ids.
public struct DemoDataGenerator: Sendable {
    /// Fixed so that generated timestamps do not depend on the day the demo is seeded.
    public static let referenceDate = Date(timeIntervalSince1970: 1_793_491_200)  // 2026-11-01T00:00:00Z

    public var productCount: Int
    public var userCount: Int
    public var requestCount: Int
    public var seed: UInt64

    public init(productCount: Int = 2_000, userCount: Int = 1_000, requestCount: Int = 5_000, seed: UInt64 = 42) {
        self.productCount = productCount
        self.userCount = userCount
        self.requestCount = requestCount
        self.seed = seed
    }

    /// Demo products `p-00001`, `p-00002`, …
    public func products() -> [CatalogProduct] {
        (1...max(productCount, 1)).map { Self.product(id: String(format: "p-%05d", $0)) }
    }

    /// One product, derived from its id alone, so that item ids from a session file
    /// (e.g. the serenade click data) get stable, plausible catalog rows.
    public static func product(id: String) -> CatalogProduct {
        var random = SeededRandom(stableSeed: id)
        let category = random.pick(weighted: DemoCatalogProfile.categories.map { ($0, $0.share) })
        let brand = random.pick(category.brands)
        let noun = random.pick(category.nouns)
        let adjective = random.pick(["Classic", "Compact", "Deluxe", "Essential", "Pro", "Eco", "Everyday", "Limited"])
        // Log-uniform prices look like a real shop: many cheap items, few expensive ones.
        let logPrice = Double.random(
            in: log(category.priceRange.lowerBound)...log(category.priceRange.upperBound), using: &random)
        let price = (exp(logPrice) * 100).rounded() / 100
        return CatalogProduct(
            title: "\(brand) \(adjective) \(noun)",
            price: price,
            currency: "EUR",
            compliance: ComplianceProduct(
                id: id,
                category: category.name,
                brand: brand,
                inStock: random.chance(0.95),
                forSale: random.chance(0.98),
                restrictions: category.restrictions))
    }

    /// Named users for the README's demo, then generated users `u-0001`, …
    public func users() -> [DemoUser] {
        var random = SeededRandom(seed: seed &+ 1)
        var users = Self.namedUsers
        for index in 1...max(userCount, 1) {
            let isMinor = random.chance(0.08)
            let age = isMinor ? Int.random(in: 13...17, using: &random) : Int.random(in: 18...80, using: &random)
            let birthDate = random.chance(0.97) ? Self.birthDate(age: age, random: &random) : nil
            let riskFlags: [String] = random.chance(0.05) ? ["gambling_self_excluded"] : random.chance(0.03) ? ["vulnerable"] : []
            users.append(
                DemoUser(
                    id: String(format: "u-%04d", index),
                    birthDate: birthDate,
                    region: random.chance(0.98)
                        ? random.pick(weighted: [("NL", 35), ("BE", 15), ("DE", 20), ("FR", 10), ("GB", 12), ("SE", 8)]) : nil,
                    kycStatus: random.pick(weighted: [("verified", 40), ("unknown", 40), ("pending", 10), ("rejected", 10)]),
                    riskFlags: riskFlags,
                    segment: random.pick(weighted: [("new", 30), ("regular", 45), ("vip", 10), ("bargain", 15)]),
                    consentPersonalization: random.pick(weighted: [(true, 85), (false, 10), (nil, 5)]),
                    consentAnalytics: random.pick(weighted: [(true, 90), (false, 8), (nil, 2)])
                ))
        }
        return users
    }

    /// The request log: what the storefront backend recorded for each page request.
    public func requests(users: [DemoUser]) -> [DemoRequest] {
        var random = SeededRandom(seed: seed &+ 2)
        let campaigns: [(String?, Double)] = [(nil, 80), ("black-friday", 12), ("newsletter-november", 8)]
        return (1...max(requestCount, 1)).map { index in
            let user: DemoUser? = random.chance(0.7) ? random.pick(users) : nil
            return DemoRequest(
                requestId: String(format: "r-%06d", index),
                userId: user?.id,
                sessionId: String(format: "s-%05d", Int.random(in: 1...max(requestCount / 4, 1), using: &random)),
                channel: random.pick(weighted: [("web", 60), ("app", 35), ("backend", 5)]),
                device: random.pick(weighted: [("mobile", 55), ("desktop", 38), ("tablet", 7)]),
                page: random.pick(weighted: [("home", 20), ("product", 45), ("category", 20), ("cart", 5), ("search", 10)]),
                campaign: random.pick(weighted: campaigns),
                region: user?.region ?? random.pick(DemoCatalogProfile.regions),
                createdAt: Self.referenceDate.addingTimeInterval(Double.random(in: 0..<(21 * 86_400), using: &random))
            )
        }
    }

    /// Users with known attributes, named in the README's curl demo and in tests.
    static let namedUsers: [DemoUser] = [
        DemoUser(id: "demo-adult", birthDate: "1990-05-17", region: "NL", kycStatus: "verified", riskFlags: [],
                 segment: "regular", consentPersonalization: true, consentAnalytics: true),
        DemoUser(id: "demo-minor", birthDate: "2011-03-02", region: "NL", kycStatus: "unknown", riskFlags: [],
                 segment: "new", consentPersonalization: true, consentAnalytics: true),
        DemoUser(id: "demo-no-consent", birthDate: "1985-11-30", region: "DE", kycStatus: "verified", riskFlags: [],
                 segment: "regular", consentPersonalization: false, consentAnalytics: false),
        DemoUser(id: "demo-self-excluded", birthDate: "1979-01-09", region: "GB", kycStatus: "verified",
                 riskFlags: ["gambling_self_excluded"], segment: "vip", consentPersonalization: true, consentAnalytics: true),
    ]

    private static func birthDate(age: Int, random: inout SeededRandom) -> String {
        let daysOld = age * 365 + Int.random(in: 0..<365, using: &random)
        let date = referenceDate.addingTimeInterval(-Double(daysOld) * 86_400)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
