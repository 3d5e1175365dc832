import Foundation
import RedisClient

/// Session state in Redis: one atomic script per event, one pipelined round trip per read.
public struct RedisSessionStore: SessionStore {
    private let redis: RedisClient
    private let settings: SessionSettings

    public init(redis: RedisClient, settings: SessionSettings) {
        self.redis = redis
        self.settings = settings
    }

    public func apply(_ updates: [SessionUpdate]) async throws -> [SessionApplyOutcome] {
        // One event (a page view, most single posts) needs no task group.
        if updates.count == 1 { return [try await apply(updates[0])] }
        return try await withThrowingTaskGroup(of: (Int, SessionApplyOutcome).self) { group in
            for (index, update) in updates.enumerated() {
                group.addTask { (index, try await apply(update)) }
            }
            var outcomes = Array(repeating: SessionApplyOutcome.duplicate, count: updates.count)
            for try await (index, outcome) in group { outcomes[index] = outcome }
            return outcomes
        }
    }

    public func confirmPublished(_ events: [(sessionId: String, eventId: String)]) async throws {
        let bySession = Dictionary(grouping: events, by: \.sessionId)
        guard !bySession.isEmpty else { return }
        let commands = bySession.map { sessionId, events in
            RedisCommand("SREM", arguments: ([SessionKeys(sessionId: sessionId).unpublishedEvents] + events.map(\.eventId)).map { $0 as any RedisArgument })
        }
        for reply in try await redis.pipeline(commands) {
            if let message = reply.errorMessage { throw RedisError(code: .serverError, message: message, serverMessage: message) }
        }
    }

    private func apply(_ update: SessionUpdate) async throws -> SessionApplyOutcome {
        let event = update.event
        let keys = SessionKeys(sessionId: event.sessionId)
        var arguments: [any RedisArgument] = [
            event.eventId, event.type.rawValue, event.itemId ?? "", String(event.timestamp), String(update.weight),
            String(settings.interestHalfLifeSeconds), settings.recentItemLimit, settings.idleTimeoutSeconds,
            update.userId ?? "", event.deviceId ?? "", update.region ?? "",
        ]
        arguments.append(contentsOf: update.attributes)
        let reply = try await redis.evalScript(SessionScripts.applyEvent, keys: keys.all, args: arguments)
        let outcome: SessionApplyOutcome
        switch reply.int {
        case 1: outcome = .applied
        case 2: outcome = .appliedUnpublished
        case 0: outcome = .duplicate
        default:
            let detail = reply.errorMessage ?? "\(reply)"
            throw RedisError(code: .serverError, message: "unexpected session script reply: \(detail)", serverMessage: detail)
        }
        if outcome == .applied, let userId = update.userId {
            // Another slot in a cluster, so not part of the script: a link is a hint, not state.
            let link = SessionKeys.userSessions(userId: userId)
            _ = try await redis.pipeline([
                RedisCommand("ZADD", link, "GT", String(event.timestamp), event.sessionId),
                RedisCommand("EXPIRE", link, settings.userLinkTTLSeconds),
            ])
        }
        return outcome
    }

    public func session(_ sessionId: String) async throws -> SessionState {
        let keys = SessionKeys(sessionId: sessionId)
        let replies = try await redis.pipeline([
            RedisCommand("HGETALL", keys.meta),
            RedisCommand("HGETALL", keys.interest),
            RedisCommand("ZRANGE", keys.items, 0, -1, "WITHSCORES"),
            RedisCommand("HGETALL", keys.cart),
            RedisCommand("SMEMBERS", keys.purchased),
        ])
        for reply in replies {
            if let message = reply.errorMessage { throw RedisError(code: .serverError, message: message, serverMessage: message) }
        }
        let meta = Self.pairs(replies[0])
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
        state.interests = Self.pairs(replies[1]).compactMapValues(Double.init)
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
        state.cartItems = Self.pairs(replies[3]).filter { $0.value.hasSuffix("|add_to_cart") }.keys.sorted()
        state.purchasedItems = (replies[4].array ?? []).compactMap(\.string).sorted()
        return state
    }

    public func sessions(ofUser userId: String) async throws -> [String] {
        let reply = try await redis.send(RedisCommand("ZREVRANGE", SessionKeys.userSessions(userId: userId), 0, 99))
        return (reply.array ?? []).compactMap(\.string)
    }

    public func deleteSession(_ sessionId: String) async throws -> Bool {
        let keys = SessionKeys(sessionId: sessionId).all
        let reply = try await redis.send(RedisCommand("DEL", arguments: keys))
        return (reply.int ?? 0) > 0
    }

    public func deleteUser(_ userId: String) async throws -> [String] {
        let sessions = try await sessions(ofUser: userId)
        for session in sessions { _ = try await deleteSession(session) }
        _ = try await redis.send(RedisCommand("DEL", SessionKeys.userSessions(userId: userId)))
        return sessions
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
