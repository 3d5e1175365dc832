import Foundation

/// What the service knows of a logged-in user, for enrichment and compliance.
public struct UserProfile: Sendable, Equatable, Codable {
    public var userId: String
    /// `yyyy-MM-dd`, or nil when unknown.
    public var birthDate: String?
    public var region: String?
    /// unknown, pending, verified or rejected.
    public var kycStatus: String
    public var riskFlags: [String]
    public var segment: String?
    /// nil: never asked, treated as no.
    public var consentPersonalization: Bool?
    public var consentAnalytics: Bool?

    public init(
        userId: String, birthDate: String?, region: String?, kycStatus: String, riskFlags: [String], segment: String?,
        consentPersonalization: Bool?, consentAnalytics: Bool?
    ) {
        self.userId = userId
        self.birthDate = birthDate
        self.region = region
        self.kycStatus = kycStatus
        self.riskFlags = riskFlags
        self.segment = segment
        self.consentPersonalization = consentPersonalization
        self.consentAnalytics = consentAnalytics
    }

    /// Whole years of age at `date`, or nil when the birth date is unknown.
    public func age(at date: Date) -> Int? {
        guard let birthDate else { return nil }
        let parts = birthDate.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = calendar.dateComponents([.year, .month, .day], from: date)
        guard let year = today.year, let month = today.month, let day = today.day else { return nil }
        var age = year - parts[0]
        if (month, day) < (parts[1], parts[2]) { age -= 1 }
        return age
    }

    public var mayPersonalize: Bool { consentPersonalization == true }
}

/// A row of the storefront backend's request log.
public struct BackendRequest: Sendable, Equatable, Codable {
    public var requestId: String
    public var userId: String?
    public var sessionId: String?
    public var channel: String?
    public var device: String?
    public var page: String?
    public var campaign: String?
    public var region: String?

    package init(requestId: String, userId: String?, sessionId: String?, channel: String?, device: String?, page: String?, campaign: String?, region: String?) {
        self.requestId = requestId
        self.userId = userId
        self.sessionId = sessionId
        self.channel = channel
        self.device = device
        self.page = page
        self.campaign = campaign
        self.region = region
    }
}

/// Port: read access to the user profiles and backend requests events are enriched with.
/// PostgreSQL in production (`PostgresEnrichmentSource` in SessionRankAdapters).
public protocol ProfileSource: Sendable {
    /// Looks up requests and users in one round trip. Ids not found are simply absent.
    func lookUp(requestIds: [String], userIds: [String]) async throws(SourceUnavailable)
        -> (requests: [String: BackendRequest], users: [String: UserProfile])
}
