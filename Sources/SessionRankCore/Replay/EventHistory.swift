import Foundation
import Recommender

/// One session as the log recorded it: the events the model learns from, oldest first.
public struct ReplaySession: Sendable, Equatable {
    public var sessionId: String
    public var events: [ModelEvent]

    public init(sessionId: String, events: [ModelEvent]) {
        self.sessionId = sessionId
        self.events = events
    }

    /// Log time of the session's newest event.
    public var lastEventTime: Double { events.last?.timestamp ?? 0 }
}

/// What a read of the log's recent past found.
public struct ReplayHistory: Sendable, Equatable {
    /// Newest first (by each session's last event), at most the number asked for.
    public var sessions: [ReplaySession]
    /// Records read from the log, of any kind.
    public var recordsRead: Int
    /// False when the deadline came before the read reached the end of the log.
    public var complete: Bool

    public init(sessions: [ReplaySession], recordsRead: Int, complete: Bool) {
        self.sessions = sessions
        self.recordsRead = recordsRead
        self.complete = complete
    }
}

/// Port: reads back what the storefront did recently, for a replay of a draft ranking config.
/// Kafka in production (`KafkaEventHistory` in SessionRankAdapters), read with a consumer of its
/// own, so the model updater's position in the log never moves.
public protocol EventHistory: Sendable {
    /// The newest `limit` sessions with at least one event the model learns from with an event
    /// time from `since` to `until` (seconds since the epoch); events outside that window are
    /// left out. Stops at `deadline` with what it has read (`complete` false).
    func recentSessions(
        limit: Int, since: Double, until: Double, deadline: ContinuousClock.Instant
    ) async throws(EventHistoryError) -> ReplayHistory
}

public enum EventHistoryError: Error, CustomStringConvertible {
    /// The log could not be read (broker down, topic missing); the cause is kept.
    case unavailable(any Error)

    public var description: String {
        switch self {
        case .unavailable(let cause): "the event log cannot be read: \(cause)"
        }
    }
}

extension ReplayHistory {
    /// Groups learnable events by session, keeps the newest `limit` sessions (newest first) and
    /// orders each session's events by time. Adapters call this on what they read.
    public static func newestSessions(from events: [ModelEvent], limit: Int, recordsRead: Int, complete: Bool) -> ReplayHistory {
        var bySession: [String: [ModelEvent]] = [:]
        for event in events { bySession[event.sessionId, default: []].append(event) }
        let sessions = bySession.map { id, events in
            ReplaySession(sessionId: id, events: events.enumerated().sorted { a, b in
                (a.element.timestamp, a.offset) < (b.element.timestamp, b.offset)
            }.map(\.element))
        }
        let newest = sessions.sorted { ($0.lastEventTime, $0.sessionId) > ($1.lastEventTime, $1.sessionId) }.prefix(limit)
        return ReplayHistory(sessions: Array(newest), recordsRead: recordsRead, complete: complete)
    }
}
