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

/// What applying one event to its session found.
public enum SessionApplyOutcome: Sendable, Equatable {
    /// First sight of the event id: the state changed now. Publish it, then confirm.
    case applied
    /// An earlier attempt changed the state but did not confirm publishing (it failed, or the
    /// process died): publish it now, without changing the state again.
    case appliedUnpublished
    /// Applied and published before: a duplicate.
    case duplicate

    /// Whether the event still has to go to the log.
    public var needsPublishing: Bool { self != .duplicate }
}

/// Per-session state storage. Redis in production (`RedisSessionStore`); the contract tests
/// run against the real Redis.
public protocol SessionStore: Sendable {
    /// Applies each update at most once per event id; returns, per update, what it found.
    /// An applied event counts as unpublished until `confirmPublished` names it.
    /// `timeout` bounds the wait (nil: the store's default); a store call past it fails, and the
    /// caller goes on without it.
    func apply(_ updates: [SessionUpdate], timeout: Duration?) async throws -> [SessionApplyOutcome]
    /// Applies one update like `apply` and returns the session as it stands afterwards, in one
    /// round trip: the page view a recommendation call records, and the state it ranks with.
    func applyAndRead(_ update: SessionUpdate, timeout: Duration?) async throws -> (outcome: SessionApplyOutcome, session: SessionState)
    /// Records that these events (by session id and event id) are in the log, so a later
    /// attempt with the same id is a duplicate.
    func confirmPublished(_ events: [(sessionId: String, eventId: String)]) async throws
    func session(_ sessionId: String, timeout: Duration?) async throws -> SessionState
    /// The user's sessions, most recently active first.
    func sessions(ofUser userId: String) async throws -> [String]
    /// Erases the session; returns whether anything was there.
    @discardableResult func deleteSession(_ sessionId: String) async throws -> Bool
    /// Erases every session linked to the user and the link itself; returns the sessions erased.
    func deleteUser(_ userId: String) async throws -> [String]
}

extension SessionStore {
    public func apply(_ updates: [SessionUpdate]) async throws -> [SessionApplyOutcome] { try await apply(updates, timeout: nil) }

    public func applyAndRead(_ update: SessionUpdate) async throws -> (outcome: SessionApplyOutcome, session: SessionState) {
        try await applyAndRead(update, timeout: nil)
    }

    public func session(_ sessionId: String) async throws -> SessionState { try await session(sessionId, timeout: nil) }
}
