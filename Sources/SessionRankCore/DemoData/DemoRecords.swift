import Foundation

/// A row of the `users` table.
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
}

/// A row of the backend's request log, `backend_requests`.
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
}
