import Foundation

/// What the service knows about one session, as read back from the store.
public struct SessionState: Sendable, Equatable, Codable {
    public struct RecentItem: Sendable, Equatable, Codable {
        public var itemId: String
        public var type: String
        public var eventId: String
        public var timestamp: Double

        package init(itemId: String, type: String, eventId: String, timestamp: Double) {
            self.itemId = itemId
            self.type = type
            self.eventId = eventId
            self.timestamp = timestamp
        }
    }

    public var sessionId: String
    public var firstSeen: Double?
    public var lastSeen: Double?
    public var eventCount: Int
    public var countsByType: [String: Int]
    public var userId: String?
    public var deviceId: String?
    public var region: String?
    /// Attribute → weight, decayed to `interestReferenceTime`.
    public var interests: [String: Double]
    public var interestReferenceTime: Double?
    /// Oldest first.
    public var recentItems: [RecentItem]
    public var cartItems: [String]
    public var purchasedItems: [String]

    public static func empty(_ sessionId: String) -> SessionState {
        SessionState(
            sessionId: sessionId, firstSeen: nil, lastSeen: nil, eventCount: 0, countsByType: [:], userId: nil,
            deviceId: nil, region: nil, interests: [:], interestReferenceTime: nil, recentItems: [], cartItems: [],
            purchasedItems: [])
    }

    public var isEmpty: Bool { eventCount == 0 }

    /// Interest weights decayed to `time` (all weights share one factor). The reference trails
    /// the newest event by up to a half-life, so the factor is below 1 except for clock skew.
    public func interests(at time: Double, halfLifeSeconds: Double) -> [String: Double] {
        guard let reference = interestReferenceTime, time != reference else { return interests }
        let factor = exp2(-(time - reference) / halfLifeSeconds)
        return interests.mapValues { $0 * factor }
    }
}
