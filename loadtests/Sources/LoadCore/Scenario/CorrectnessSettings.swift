/// Checks made on a sample of traffic while the load runs. They need item attributes,
/// so they only run when a catalog file is given (`--catalog` or `catalogFile`).
public struct CorrectnessSettings: Codable, Sendable {
    /// TSV or JSON catalog: itemId, category, minAge, regions (see README.md).
    public var catalogFile: String?
    /// Share of storefront sessions that become category-shift probes.
    public var probeShare: Double = 0.05
    /// Items of the focus category a probe views before its final recommendation.
    public var focusViews: Int = 5
    /// Share of storefront sessions and recommend calls made as a test user.
    public var testUserShare: Double = 0.05
    public var testUsers: [TestUser] = [
        TestUser(userId: "demo-minor", age: 16, region: "DE"),
        TestUser(userId: "demo-adult", age: 30, region: "DE"),
    ]
    /// Share of probes that must show the shift for the run to pass.
    public var minShiftPassRate: Double = 0.8

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = CorrectnessSettings()
        s.catalogFile = try c.decodeIfPresent(String.self, forKey: .catalogFile)
        s.probeShare = try c.decodeIfPresent(Double.self, forKey: .probeShare) ?? s.probeShare
        s.focusViews = try c.decodeIfPresent(Int.self, forKey: .focusViews) ?? s.focusViews
        s.testUserShare = try c.decodeIfPresent(Double.self, forKey: .testUserShare) ?? s.testUserShare
        s.testUsers = try c.decodeIfPresent([TestUser].self, forKey: .testUsers) ?? s.testUsers
        s.minShiftPassRate = try c.decodeIfPresent(Double.self, forKey: .minShiftPassRate) ?? s.minShiftPassRate
        self = s
    }
}

/// A user whose attributes the harness knows, so it can check compliance of what they are shown.
public struct TestUser: Codable, Sendable, Equatable {
    public var userId: String
    public var age: Int?
    public var region: String?

    public init(userId: String, age: Int?, region: String?) {
        self.userId = userId
        self.age = age
        self.region = region
    }
}
