import Foundation

/// A catalog row as stored in the `products` table: what seeding writes and the catalog cache reads.
public struct CatalogProduct: Sendable, Equatable {
    public var id: String
    public var title: String
    public var category: String
    public var brand: String
    public var price: Double
    public var currency: String
    public var inStock: Bool
    public var forSale: Bool
    public var minAge: Int
    /// nil means every region.
    public var allowedRegions: [String]?
    public var blockedRegions: [String]
    public var requiresKYC: Bool
    /// 0 none, 1 low, 2 medium, 3 high.
    public var riskLevel: Int
    public var disclosure: String?
}

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
