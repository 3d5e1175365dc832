import NIOCore

/// The life of one pooled connection, as a value type so each transition is a plain function
/// under the slot's lock.
struct ConnectionSlotState {
    enum Phase {
        /// The client's `run()` has not started yet.
        case idle
        /// An attempt is under way (or, for the first one, about to be). `afterFailure` is true when
        /// the previous attempt failed: the server is probably down, so commands should not wait.
        case connecting(EventLoopPromise<RedisConnection>, afterFailure: Bool)
        case connected(RedisConnection)
        /// Waiting out the backoff; `lastError` says why.
        case waitingToReconnect(lastError: RedisError)
        case shutDown
    }

    /// What a command gets when it asks this slot for a connection.
    enum Lease {
        case ready(RedisConnection)
        case pending(EventLoopFuture<RedisConnection>)
        case unavailable(RedisError)
        case notStarted
        case shutDown
    }

    private(set) var phase: Phase = .idle

    func lease() -> Lease {
        switch phase {
        case .idle: .notStarted
        case .connecting(let attempt, afterFailure: false): .pending(attempt.futureResult)
        case .connecting(_, afterFailure: true): .unavailable(Self.stillDown)
        case .connected(let connection): .ready(connection)
        case .waitingToReconnect(let error): .unavailable(error)
        case .shutDown: .shutDown
        }
    }

    /// Called when the client starts, before its connection tasks get to run, so that commands
    /// sent meanwhile wait for the first attempt instead of failing as "not running".
    mutating func prepareFirstAttempt(_ attempt: EventLoopPromise<RedisConnection>) -> Bool {
        guard case .idle = phase else { return false }
        phase = .connecting(attempt, afterFailure: false)
        return true
    }

    /// The promise for the attempt about to be made: the prepared one for the first attempt, else
    /// a new one from `makePromise`. `nil` when the slot has shut down and must not connect.
    mutating func startConnecting(
        afterFailure: Bool, makePromise: () -> EventLoopPromise<RedisConnection>
    ) -> EventLoopPromise<RedisConnection>? {
        switch phase {
        case .shutDown:
            return nil
        case .connecting(let prepared, _):
            return prepared
        case .idle, .connected, .waitingToReconnect:
            let attempt = makePromise()
            phase = .connecting(attempt, afterFailure: afterFailure)
            return attempt
        }
    }

    /// Returns false when the slot shut down meanwhile; the caller must close `connection`.
    mutating func connected(_ connection: RedisConnection) -> Bool {
        if case .shutDown = phase { return false }
        phase = .connected(connection)
        return true
    }

    /// After a failed attempt or a lost connection. Returns false when the slot has shut down.
    mutating func disconnected(_ error: RedisError) -> Bool {
        if case .shutDown = phase { return false }
        phase = .waitingToReconnect(lastError: error)
        return true
    }

    /// Returns what the caller must clean up: the open connection to close, or the pending
    /// attempt to fail so no command keeps waiting on it.
    mutating func shutDown() -> (connection: RedisConnection?, attempt: EventLoopPromise<RedisConnection>?) {
        defer { phase = .shutDown }
        switch phase {
        case .connected(let connection): return (connection, nil)
        case .connecting(let attempt, _): return (nil, attempt)
        case .idle, .waitingToReconnect, .shutDown: return (nil, nil)
        }
    }

    private static let stillDown = RedisError(
        code: .connectionUnavailable,
        message: "Redis is unreachable; the client is reconnecting with backoff. Check that redis-server is running.")
}
