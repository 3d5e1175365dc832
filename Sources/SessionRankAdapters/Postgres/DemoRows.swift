import Foundation

/// A row of the `users` table, as `DemoDataWriter` writes it.
public struct DemoUser: Sendable, Equatable {
    public var id: String
    /// `yyyy-MM-dd`; nil when the user never told us.
    public var birthDate: String?
    public var region: String?
    public var kycStatus: String
    public var riskFlags: [String]
    public var segment: String
    public var consentPersonalization: Bool?
    public var consentAnalytics: Bool?

    package init(
        id: String, birthDate: String?, region: String?, kycStatus: String, riskFlags: [String], segment: String,
        consentPersonalization: Bool?, consentAnalytics: Bool?
    ) {
        self.id = id
        self.birthDate = birthDate
        self.region = region
        self.kycStatus = kycStatus
        self.riskFlags = riskFlags
        self.segment = segment
        self.consentPersonalization = consentPersonalization
        self.consentAnalytics = consentAnalytics
    }
}

/// A row of the backend's request log, `backend_requests`, as `DemoDataWriter` writes it.
public struct DemoRequest: Sendable, Equatable {
    public var requestId: String
    public var userId: String?
    public var sessionId: String
    public var channel: String
    public var device: String
    public var page: String
    public var campaign: String?
    public var region: String
    public var createdAt: Date

    package init(
        requestId: String, userId: String?, sessionId: String, channel: String, device: String, page: String, campaign: String?,
        region: String, createdAt: Date
    ) {
        self.requestId = requestId
        self.userId = userId
        self.sessionId = sessionId
        self.channel = channel
        self.device = device
        self.page = page
        self.campaign = campaign
        self.region = region
        self.createdAt = createdAt
    }
}
