/// How the event is written to a session: the event plus what enrichment and config decided.
public struct SessionUpdate: Sendable, Equatable {
    public var event: StorefrontEvent
    /// Interest weight of this event (0 for none), from the event weights in config.
    public var weight: Double
    /// Attribute keys the weight is added to, e.g. `category:books`, `brand:inkwell`, `price:budget`.
    public var attributes: [String]
    /// The user the session belongs to, from the event or from enrichment.
    public var userId: String?
    public var region: String?

    public init(event: StorefrontEvent, weight: Double, attributes: [String], userId: String?, region: String?) {
        self.event = event
        self.weight = weight
        self.attributes = attributes
        self.userId = userId
        self.region = region
    }
}

/// Per-session state storage. Redis in production (`RedisSessionStore`); the contract tests
/// run against the real Redis.
public protocol SessionStore: Sendable {
    /// Applies each update at most once per event id; returns, per update, whether it was new.
    func apply(_ updates: [SessionUpdate]) async throws -> [Bool]
    func session(_ sessionId: String) async throws -> SessionState
    /// The user's sessions, most recently active first.
    func sessions(ofUser userId: String) async throws -> [String]
    /// Erases the session; returns whether anything was there.
    @discardableResult func deleteSession(_ sessionId: String) async throws -> Bool
    /// Erases every session linked to the user and the link itself; returns the sessions erased.
    func deleteUser(_ userId: String) async throws -> [String]
}
