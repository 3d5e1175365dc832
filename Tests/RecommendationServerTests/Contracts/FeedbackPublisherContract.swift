import Foundation
import Testing

@testable import SessionRankCore

/// A record on the feedback log: a served list or feedback on one.
enum FeedbackLogEntry: Equatable, Sendable {
    case served(ServedRecord)
    case feedback(FeedbackRecord)

    var sessionId: String {
        switch self {
        case .served(let record): record.sessionId
        case .feedback(let record): record.sessionId
        }
    }

    var recommendationId: String {
        switch self {
        case .served(let record): record.recommendationId
        case .feedback(let record): record.recommendationId
        }
    }
}

/// What every `FeedbackPublisher` must do: what it takes reaches the log once, one session's
/// records in order (a served list before the clicks on it); it never throws and never waits,
/// and what it cannot queue it drops and counts (feedback is best effort; events are not).
struct FeedbackPublisherContract {
    /// Publishes to a log that answers.
    let publisher: any FeedbackPublisher
    /// Every served and feedback record the working log holds, each session's in log order.
    let logged: @Sendable () async throws -> [FeedbackLogEntry]
    /// Publishes to a log that never answers and holds at most `queueCapacity` records for it.
    let unreachable: any FeedbackPublisher
    let queueCapacity: Int
    /// How many records `unreachable` dropped so far.
    let dropped: @Sendable () -> Int
    let run = UUID().uuidString.prefix(8).lowercased()

    func checkAll() async throws {
        try await publishesServedAndFeedbackInOrderPerSession()
        try await dropsAndCountsWhatDoesNotFitWithoutWaiting()
    }

    func served(session: String, tag: String) -> ServedRecord {
        let id = RecommendationID.make(personalized: true)
        return ServedRecord(
            recommendationId: id, sessionId: session, personalized: true, placement: "contract-\(tag)",
            items: [
                .init(itemId: "contract-a", position: 1, score: 0.75, placement: nil, features: nil),
                .init(itemId: "contract-b", position: 2, score: 0.5, placement: "exploration", features: nil),
            ],
            modelVersion: "m-1", configVersion: "cfg-contract", variant: "control", degraded: false, latencyMicroseconds: 420,
            servedAt: Date().timeIntervalSince1970)
    }

    func click(on served: ServedRecord, item: String, position: Int) -> FeedbackRecord {
        FeedbackRecord(
            recommendationId: served.recommendationId, sessionId: served.sessionId, type: .click, itemId: item, position: position,
            timestamp: served.servedAt + 1, source: "api", personalized: true)
    }

    func publishesServedAndFeedbackInOrderPerSession() async throws {
        let sessions = (0..<2).map { "contract-\(run)-s\($0)" }
        let lists = sessions.map { served(session: $0, tag: "order") }
        var sent: [FeedbackLogEntry] = []
        // Interleaved across sessions, as concurrent requests would publish them.
        for list in lists { sent.append(.served(list)) }
        for list in lists { sent.append(.feedback(click(on: list, item: "contract-a", position: 1))) }
        for list in lists { sent.append(.feedback(click(on: list, item: "contract-b", position: 2))) }
        for entry in sent {
            switch entry {
            case .served(let record): publisher.publish(served: record)
            case .feedback(let record): publisher.publish(feedback: record)
            }
        }
        let ids = Set(lists.map(\.recommendationId))
        var mine: [FeedbackLogEntry] = []
        let arrived = try await poll(within: .seconds(20)) {
            mine = try await logged().filter { ids.contains($0.recommendationId) }
            return mine.count >= sent.count
        }
        #expect(arrived, "\(mine.count) of \(sent.count) records reached the log")
        #expect(mine.count == sent.count, "each record once")
        for session in sessions {
            #expect(mine.filter { $0.sessionId == session } == sent.filter { $0.sessionId == session }, "\(session): content and order kept")
        }
    }

    func dropsAndCountsWhatDoesNotFitWithoutWaiting() async throws {
        let before = dropped()
        let list = served(session: "contract-\(run)-full", tag: "full")
        let started = ContinuousClock.now
        for index in 0..<(queueCapacity + 3) {
            if index == 0 { unreachable.publish(served: list) } else { unreachable.publish(feedback: click(on: list, item: "contract-a", position: 1)) }
        }
        // Generous: it must not wait for the log (the ack timeout is seconds), not be fast.
        #expect(ContinuousClock.now - started < .seconds(1), "publishing never waits for room or for the log")
        #expect(dropped() - before == 3, "what does not fit is dropped and counted")
    }
}
