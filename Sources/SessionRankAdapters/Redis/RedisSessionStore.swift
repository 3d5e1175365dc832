import Foundation
import RedisClient
import SessionRankCore

/// Session state in Redis: one atomic script per event, one pipelined round trip per read.
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
            // One event (a page view, most single posts) needs no task group.
            if updates.count == 1 { return [try await apply(updates[0], deadline: deadline)] }
            return try await withThrowingTaskGroup(of: (Int, SessionApplyOutcome).self) { group in
                for (index, update) in updates.enumerated() {
                    group.addTask { (index, try await apply(update, deadline: deadline)) }
                }
                var outcomes = Array(repeating: SessionApplyOutcome.duplicate, count: updates.count)
                for try await (index, outcome) in group { outcomes[index] = outcome }
                return outcomes
            }
        }
    }

    public func confirmPublished(_ events: [(sessionId: String, eventId: String)]) async throws(SessionStoreError) {
        try await call {
            let bySession = Dictionary(grouping: events, by: \.sessionId)
            guard !bySession.isEmpty else { return }
            let commands = bySession.map { sessionId, events in
                RedisCommand("SREM", arguments: ([SessionKeys(sessionId: sessionId).unpublishedEvents] + events.map(\.eventId)).map { $0 as any RedisArgument })
            }
            for reply in try await redis.pipeline(commands) {
                if let message = reply.errorMessage { throw RedisError(code: .serverError, message: message, serverMessage: message) }
            }
        }
    }

    public func applyAndRead(_ update: SessionUpdate, timeout: Duration?) async throws(SessionStoreError) -> (outcome: SessionApplyOutcome, session: SessionState) {
        try await call {
            let deadline = timeout.map { ContinuousClock.now + $0 }
            let reply = try await runScript(update, readBack: true, deadline: deadline)
            guard let parts = reply.array, parts.count == 6 else { throw Self.unexpected(reply) }
            let outcome = try Self.outcome(parts[0])
            await linkUser(of: update, outcome: outcome, deadline: deadline)
            return (outcome, try Self.state(update.event.sessionId, from: Array(parts[1...])))
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

    private func apply(_ update: SessionUpdate, deadline: ContinuousClock.Instant?) async throws -> SessionApplyOutcome {
        let outcome = try Self.outcome(try await runScript(update, readBack: false, deadline: deadline))
        await linkUser(of: update, outcome: outcome, deadline: deadline)
        return outcome
    }

    /// What is left of `deadline` as a command timeout (nil: the client's default). A call that
    /// starts past its deadline still gets a millisecond rather than none.
    private static func timeout(until deadline: ContinuousClock.Instant?) -> Duration? {
        deadline.map { max($0 - ContinuousClock.now, .milliseconds(1)) }
    }

    private func runScript(_ update: SessionUpdate, readBack: Bool, deadline: ContinuousClock.Instant?) async throws -> RESPValue {
        let event = update.event
        var arguments: [any RedisArgument] = [
            event.eventId, event.type.rawValue, event.itemId ?? "", String(event.timestamp), String(update.weight),
            String(settings.interestHalfLifeSeconds), settings.recentItemLimit, settings.idleTimeoutSeconds,
            update.userId ?? "", event.deviceId ?? "", update.region ?? "", readBack ? "1" : "0",
            settings.maxEventsPerSession, settings.maxCartItems, settings.maxPurchasedItems,
        ]
        arguments.append(contentsOf: update.attributes)
        return try await redis.evalScript(
            SessionScripts.applyEvent, keys: SessionKeys(sessionId: event.sessionId).all, args: arguments, timeout: Self.timeout(until: deadline))
    }

    /// Links a newly applied event's user to its session.
    private func linkUser(of update: SessionUpdate, outcome: SessionApplyOutcome, deadline: ContinuousClock.Instant?) async {
        if outcome == .applied, let userId = update.userId {
            // Another slot in a cluster, so not part of the script: a link is a hint, not state.
            // Its failure does not undo the applied event (the session's next event links again).
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

    private static func outcome(_ reply: RESPValue) throws -> SessionApplyOutcome {
        switch reply.int {
        case 1: return .applied
        case 2: return .appliedUnpublished
        case 0: return .duplicate
        case 3: return .sessionFull
        default: throw unexpected(reply)
        }
    }

    private static func unexpected(_ reply: RESPValue) -> RedisError {
        let detail = reply.errorMessage ?? "\(reply)"
        return RedisError(code: .serverError, message: "unexpected session script reply: \(detail)", serverMessage: detail)
    }

    public func session(_ sessionId: String, timeout: Duration?) async throws(SessionStoreError) -> SessionState {
        try await call {
            let keys = SessionKeys(sessionId: sessionId)
            let replies = try await redis.pipeline([
                RedisCommand("HGETALL", keys.meta),
                RedisCommand("HGETALL", keys.interest),
                RedisCommand("ZRANGE", keys.items, 0, -1, "WITHSCORES"),
                RedisCommand("HGETALL", keys.cart),
                RedisCommand("SMEMBERS", keys.purchased),
            ], timeout: timeout)
            return try Self.state(sessionId, from: replies)
        }
    }

    /// The session from the replies to HGETALL meta, HGETALL interest, ZRANGE items WITHSCORES,
    /// HGETALL cart and SMEMBERS purchased, in that order.
    private static func state(_ sessionId: String, from replies: [RESPValue]) throws -> SessionState {
        for reply in replies {
            if let message = reply.errorMessage { throw RedisError(code: .serverError, message: message, serverMessage: message) }
        }
        let meta = pairs(replies[0])
        var state = SessionState.empty(sessionId)
        state.eventCount = meta["events"].flatMap { Int($0) } ?? 0
        state.firstSeen = meta["first_seen"].flatMap(Double.init)
        state.lastSeen = meta["last_seen"].flatMap(Double.init)
        state.userId = meta["user_id"]
        state.deviceId = meta["device_id"]
        state.region = meta["region"]
        state.interestReferenceTime = meta["interest_at"].flatMap(Double.init)
        for (key, value) in meta where key.hasPrefix("count:") {
            state.countsByType[String(key.dropFirst(6))] = Int(value)
        }
        state.interests = pairs(replies[1]).compactMapValues(Double.init)
        let items = replies[2].array ?? []
        var index = 0
        while index + 1 < items.count {
            if let member = items[index].string, let score = items[index + 1].double {
                let parts = member.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
                if parts.count == 3 {
                    state.recentItems.append(
                        .init(itemId: String(parts[2]), type: String(parts[1]), eventId: String(parts[0]), timestamp: score))
                }
            }
            index += 2
        }
        state.cartItems = pairs(replies[3]).filter { $0.value.hasSuffix("|add_to_cart") }.keys.sorted()
        state.purchasedItems = (replies[4].array ?? []).compactMap(\.string).sorted()
        return state
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

    private static func pairs(_ reply: RESPValue) -> [String: String] {
        let elements = reply.array ?? []
        var result: [String: String] = [:]
        var index = 0
        while index + 1 < elements.count {
            if let key = elements[index].string, let value = elements[index + 1].string { result[key] = value }
            index += 2
        }
        return result
    }
}
