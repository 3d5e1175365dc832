import Foundation
import SessionRankAdapters
import SessionRankCore

/// Generates the demo user base and the backend's request log for `sessionrank seed --demo`.
/// Deterministic: the same arguments give the same rows on every machine, so the README's demo
/// and the tests can name ids (`demo-adult`, `u-0007`, `r-000001`).
struct DemoPeopleGenerator: Sendable {
    var userCount: Int
    var requestCount: Int
    var seed: UInt64

    init(userCount: Int = 1_000, requestCount: Int = 5_000, seed: UInt64 = 42) {
        self.userCount = userCount
        self.requestCount = requestCount
        self.seed = seed
    }

    /// Named users for the README's demo, then generated users `u-0001`, …
    func users() -> [DemoUser] {
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
    func requests(users: [DemoUser]) -> [DemoRequest] {
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
                createdAt: DemoDataGenerator.referenceDate.addingTimeInterval(Double.random(in: 0..<(21 * 86_400), using: &random))
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
        let date = DemoDataGenerator.referenceDate.addingTimeInterval(-Double(daysOld) * 86_400)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
