import Foundation
import RedisClient
import SessionRankCore

/// Session state in Redis: each event is one pipeline of plain, idempotent commands (no script),
/// and a page view reads its session back in the same round trip.
public struct RedisSessionStore: SessionStore {
    private let redis: RedisClient
    private let settings: SessionSettings

    public init(redis: RedisClient, settings: SessionSettings) {
        self.redis = redis
        self.settings = settings
    }

    public func apply(_ updates: [SessionUpdate], timeout: Duration?) async throws(SessionStoreError) -> [SessionApplyOutcome] {
        try await call {
            let deadline = timeout.map { ContinuousClock.now + $0 }
            let writes = updates.map { SessionWrite($0, durable: true, settings: settings) }
            // One pipeline for the whole batch; a cluster client splits it by node.
            let replies = try await redis.pipeline(writes.flatMap(\.commands), timeout: Self.timeout(until: deadline))
            var outcomes: [SessionApplyOutcome] = []
            var repairs: [RedisCommand] = []
            var offset = 0
            for write in writes {
                let (outcome, repair) = try write.outcome(from: replies[offset...], maxEvents: settings.maxEventsPerSession)
                outcomes.append(outcome)
                repairs += repair
                offset += write.commands.count
            }
            try await send(repairs, deadline: deadline)
            for (update, outcome) in zip(updates, outcomes) { await linkUser(of: update, outcome: outcome, deadline: deadline) }
            return outcomes
        }
    }

    /// Marks the events published; `XX` never recreates the status of an erased session.
    public func confirmPublished(_ events: [(sessionId: String, eventId: String)]) async throws(SessionStoreError) {
        try await call {
            let commands = events.map { RedisCommand("SET", SessionKeys(sessionId: $0.sessionId).status(of: $0.eventId), "p", "XX", "KEEPTTL") }
            try await send(commands, deadline: nil)
        }
    }

    public func applyAndRead(_ update: SessionUpdate, timeout: Duration?) async throws(SessionStoreError) -> (outcome: SessionApplyOutcome, session: SessionState) {
        try await call {
            let deadline = timeout.map { ContinuousClock.now + $0 }
            let write = SessionWrite(update, durable: false, settings: settings)
            let reader = SessionStateReader(keys: write.keys, settings: settings)
            let replies = try await redis.pipeline(write.commands + reader.commands(countsByType: false), timeout: Self.timeout(until: deadline))
            let (outcome, repair) = try write.outcome(from: replies[...], maxEvents: settings.maxEventsPerSession)
            try await send(repair, deadline: deadline)
            await linkUser(of: update, outcome: outcome, deadline: deadline)
            var state = try reader.state(update.event.sessionId, from: replies[write.commands.count...])
            // The count was read before the repair took this event's id out again.
            if outcome == .sessionFull { state.eventCount -= 1 }
            return (outcome, state)
        }
    }

    public func session(_ sessionId: String, timeout: Duration?) async throws(SessionStoreError) -> SessionState {
        try await call {
            let reader = SessionStateReader(keys: SessionKeys(sessionId: sessionId), settings: settings)
            let replies = try await redis.pipeline(reader.commands(countsByType: true), timeout: timeout)
            return try reader.state(sessionId, from: replies[...])
        }
    }

    /// Sends commands whose replies only matter when they are errors.
    private func send(_ commands: [RedisCommand], deadline: ContinuousClock.Instant?) async throws {
        guard !commands.isEmpty else { return }
        for reply in try await redis.pipeline(commands, timeout: Self.timeout(until: deadline)) {
            if let message = reply.errorMessage { throw RedisError(code: .serverError, message: message, serverMessage: message) }
        }
    }

    /// Runs one call, keeping Redis's error as the cause.
    private func call<T>(_ body: () async throws -> T) async throws(SessionStoreError) -> T {
        do {
            return try await body()
        } catch let error as SessionStoreError {
            throw error
        } catch let error as RedisError where error.code == .commandTimedOut {
            throw .timedOut(error)
        } catch {
            throw .failed(error)
        }
    }

    /// What is left of `deadline` as a command timeout (nil: the client's default). A call that
    /// starts past its deadline still gets a millisecond rather than none.
    private static func timeout(until deadline: ContinuousClock.Instant?) -> Duration? {
        deadline.map { max($0 - ContinuousClock.now, .milliseconds(1)) }
    }

    /// Links a newly applied event's user to its session.
    private func linkUser(of update: SessionUpdate, outcome: SessionApplyOutcome, deadline: ContinuousClock.Instant?) async {
        if outcome == .applied, let userId = update.userId {
            // Another slot in a cluster, so not in the session's pipeline: a link is a hint, not
            // state. Its failure does not undo the applied event (the session's next event links again).
            let link = SessionKeys.userSessions(userId: userId)
            _ = try? await redis.pipeline([
                RedisCommand("ZADD", link, "GT", String(update.event.timestamp), update.event.sessionId),
                // Bounded: only the newest sessions; older ones have long expired unless a
                // client invents sessions by the thousand for one user.
                RedisCommand("ZREMRANGEBYRANK", link, 0, -(Self.maxLinkedSessionsPerUser + 1)),
                RedisCommand("EXPIRE", link, settings.userLinkTTLSeconds),
            ], timeout: Self.timeout(until: deadline))
        }
    }

    /// How many sessions a user's link set keeps (the newest by their latest event).
    static let maxLinkedSessionsPerUser = 1_000

    /// Every session linked to the user, newest first (export and erasure need all of them).
    public func sessions(ofUser userId: String) async throws(SessionStoreError) -> [String] {
        try await call {
            let reply = try await redis.send(RedisCommand("ZREVRANGE", SessionKeys.userSessions(userId: userId), 0, -1))
            return (reply.array ?? []).compactMap(\.string)
        }
    }

    public func deleteSession(_ sessionId: String) async throws(SessionStoreError) -> Bool {
        try await call {
            let keys = SessionKeys(sessionId: sessionId).all
            let reply = try await redis.send(RedisCommand("DEL", arguments: keys))
            return (reply.int ?? 0) > 0
        }
    }

    public func deleteUser(_ userId: String) async throws(SessionStoreError) -> [String] {
        try await call {
            let sessions = try await sessions(ofUser: userId)
            for session in sessions { _ = try await deleteSession(session) }
            _ = try await redis.send(RedisCommand("DEL", SessionKeys.userSessions(userId: userId)))
            return sessions
        }
    }
}
