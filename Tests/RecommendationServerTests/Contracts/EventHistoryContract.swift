import Foundation
import Recommender
import Testing

@testable import SessionRankCore

/// What every `EventHistory` must do. Other suites write to the same log meanwhile, so the
/// sessions here carry event times an hour or more ahead of now: they are the newest sessions
/// whatever else is in the log.
struct EventHistoryContract {
    let history: any EventHistory
    /// Hands records to the log the history reads, and returns once they are stored.
    let publish: @Sendable ([EventRecord]) async throws -> Void
    let run = UUID().uuidString.prefix(8).lowercased()

    func checkAll() async throws {
        let base = Date().timeIntervalSince1970 + 3_600
        let sessions = (0..<3).map { "hist-\(run)-\($0)" }
        var records: [EventRecord] = []
        for (index, session) in sessions.enumerated() {
            // Session 2 is the newest; each has three views, sent newest first to show the history orders them.
            let start = base + Double(index) * 10
            for step in [2, 1, 0] {
                records.append(try Self.record(session: session, item: "\(session)-item-\(step)", type: "product_view", at: start + Double(step)))
            }
        }
        // What the model does not learn from stays out: no consent (pseudonymised), no item, impressions.
        records.append(try Self.record(session: sessions[0], item: "\(sessions[0])-hidden", type: "product_view", at: base + 3, personalized: false))
        records.append(try Self.record(session: sessions[0], item: nil, type: "search", at: base + 3.1))
        records.append(try Self.record(session: sessions[0], item: "\(sessions[0])-seen", type: "impression", at: base + 3.2))
        // An event of the newest session before the window: left out.
        records.append(try Self.record(session: sessions[2], item: "\(sessions[2])-old", type: "product_view", at: base - 7_200))
        try await publish(records)

        try await readsTheNewestSessionsInTimeOrder(sessions, since: base - 60, base: base)
        try await keepsAtMostTheLimit(sessions, since: base - 60)
        try await stopsAtThePassedDeadline(since: base - 60)
        try await leavesOutWhatIsOutsideTheWindow(sessions, base: base)
    }

    func readsTheNewestSessionsInTimeOrder(_ sessions: [String], since: Double, base: Double) async throws {
        let read = try await history.recentSessions(limit: 3, since: since, until: since + 3_600, deadline: .now + .seconds(30))
        #expect(read.complete)
        #expect(read.recordsRead >= 13, "every record published above was read: \(read.recordsRead)")
        #expect(read.sessions.map(\.sessionId) == sessions.reversed(), "newest first: \(read.sessions.map(\.sessionId))")
        for session in read.sessions {
            #expect(session.events.map(\.itemId) == (0..<3).map { "\(session.sessionId)-item-\($0)" }, "oldest first, learnable only")
            #expect(session.events.allSatisfy { $0.type == .view && $0.sessionId == session.sessionId && $0.timestamp >= since })
            #expect(session.events.allSatisfy { $0.region == "DE" })
        }
    }

    func keepsAtMostTheLimit(_ sessions: [String], since: Double) async throws {
        let read = try await history.recentSessions(limit: 2, since: since, until: since + 3_600, deadline: .now + .seconds(30))
        #expect(read.sessions.map(\.sessionId) == [sessions[2], sessions[1]])
    }

    func stopsAtThePassedDeadline(since: Double) async throws {
        let read = try await history.recentSessions(limit: 3, since: since, until: since + 3_600, deadline: .now)
        #expect(!read.complete, "a deadline already passed ends the read before the end of the log")
        #expect(read.sessions.count <= 3)
    }

    func leavesOutWhatIsOutsideTheWindow(_ sessions: [String], base: Double) async throws {
        // Up to session 1's last event: session 2 (later) is out, session 0 is in whole.
        let read = try await history.recentSessions(limit: 3, since: base - 60, until: base + 12, deadline: .now + .seconds(30))
        #expect(read.sessions.map(\.sessionId) == [sessions[1], sessions[0]])
        #expect(read.sessions.first?.events.count == 3)
    }

    static func record(session: String, item: String?, type: String, at time: Double, personalized: Bool = true) throws -> EventRecord {
        var fields: [String: Any] = [
            "schema": 1, "eventId": "e-\(UUID().uuidString)", "type": type, "sessionId": session, "timestamp": time,
            "receivedAt": time, "context": ["region": "DE"], "region": "DE", "personalized": personalized, "analytics": true,
            "enrichment": ["status": "not_needed"],
        ]
        if let item { fields["itemId"] = item }
        return try JSONDecoder().decode(EventRecord.self, from: JSONSerialization.data(withJSONObject: fields))
    }
}
