/// How events shape session state. Part of the service configuration (`sessions.*`).
public struct SessionSettings: Sendable, Equatable {
    /// Idle time after which a session is forgotten (Redis TTL).
    public var idleTimeoutSeconds = 1_800
    /// Interest weights halve every this many seconds.
    public var interestHalfLifeSeconds = 600.0
    /// Recent items kept per session.
    public var recentItemLimit = 50
    /// Bounds on what one session can hold, whatever the client sends: event ids remembered for
    /// de-duplication (past it, events are published but not stored), cart entries and
    /// purchased items (further new items are left out).
    public var maxEventsPerSession = 10_000
    public var maxCartItems = 200
    public var maxPurchasedItems = 500
    /// How long a user keeps the links to their sessions, for cross-device interests.
    public var userLinkTTLSeconds = 30 * 86_400
    /// Interest weight per event type; types not listed add nothing.
    public var eventWeights: [String: Double] = [
        "product_view": 1.0, "click": 2.0, "add_to_cart": 4.0, "remove_from_cart": -2.0,
        "purchase": 6.0, "dwell": 0.5, "scroll": 0.25,
    ]
    /// A view with this much dwell time counts double (capped at 3×); shorter views count less.
    public var referenceDwellMilliseconds = 30_000.0

    public init() {}

    /// The interest weight of one event: its type's weight, scaled by dwell time and scroll depth.
    public func weight(of event: StorefrontEvent) -> Double {
        guard let base = eventWeights[event.type.rawValue], base != 0 else { return 0 }
        var weight = base
        if let dwell = event.dwellMilliseconds {
            weight *= min(0.5 + Double(dwell) / referenceDwellMilliseconds * 1.5, 3)
        }
        if let depth = event.scrollDepth {
            weight *= 0.5 + depth
        }
        return weight
    }
}
