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
    /// The session already holds `sessions.maxEventsPerSession` events: not stored. Publish it
    /// anyway (the log is the record); a retry of it is published again, not recognised.
    case sessionFull

    /// Whether the event still has to go to the log.
    public var needsPublishing: Bool { self != .duplicate }
}

/// Why a session store call failed. The client's own error (a `RedisError`, say) is kept as
/// `underlying`, so logs and callers still see what went wrong.
public enum SessionStoreError: Error, CustomStringConvertible {
    /// The store did not answer within the call's timeout.
    case timedOut(any Error)
    /// The store failed the call, answered in an unexpected way, or could not be reached.
    case failed(any Error)

    public var underlying: any Error {
        switch self {
        case .timedOut(let error), .failed(let error): error
        }
    }

    public var description: String { "\(underlying)" }
}

/// Port: per-session state storage. Redis in production (`RedisSessionStore` in
/// SessionRankAdapters); `SessionStoreContract` in the tests holds every implementation to
/// the same behaviour.
public protocol SessionStore: Sendable {
    /// Applies each update at most once per event id; returns, per update, what it found.
    /// An applied event counts as unpublished until `confirmPublished` names it.
    /// `timeout` bounds the wait (nil: the store's default); a store call past it fails, and the
    /// caller goes on without it.
    func apply(_ updates: [SessionUpdate], timeout: Duration?) async throws(SessionStoreError) -> [SessionApplyOutcome]
    /// Applies one update like `apply` and returns the session as it stands afterwards, in one
    /// round trip: the page view a recommendation call records, and the state it ranks with.
    /// The page view is best effort: it counts as published at once, and the state read back
    /// leaves `countsByType` empty (only `session` reads the types of every event).
    func applyAndRead(_ update: SessionUpdate, timeout: Duration?) async throws(SessionStoreError) -> (outcome: SessionApplyOutcome, session: SessionState)
    /// Records that these events (by session id and event id) are in the log, so a later
    /// attempt with the same id is a duplicate.
    func confirmPublished(_ events: [(sessionId: String, eventId: String)]) async throws(SessionStoreError)
    func session(_ sessionId: String, timeout: Duration?) async throws(SessionStoreError) -> SessionState
    /// The user's sessions, most recently active first.
    func sessions(ofUser userId: String) async throws(SessionStoreError) -> [String]
    /// Erases the session; returns whether anything was there.
    @discardableResult func deleteSession(_ sessionId: String) async throws(SessionStoreError) -> Bool
    /// Erases every session linked to the user and the link itself; returns the sessions erased.
    func deleteUser(_ userId: String) async throws(SessionStoreError) -> [String]
}

extension SessionStore {
    public func apply(_ updates: [SessionUpdate]) async throws(SessionStoreError) -> [SessionApplyOutcome] { try await apply(updates, timeout: nil) }

    public func applyAndRead(_ update: SessionUpdate) async throws(SessionStoreError) -> (outcome: SessionApplyOutcome, session: SessionState) {
        try await applyAndRead(update, timeout: nil)
    }

    public func session(_ sessionId: String) async throws(SessionStoreError) -> SessionState { try await session(sessionId, timeout: nil) }
}
