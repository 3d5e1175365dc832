import Foundation
import Testing
import Recommender
@testable import RecommenderLab

/// Incremental evaluation replays the test events of all sessions in time order.
@Suite("Incremental replay is in time order")
struct ReplayOrderTests {
    /// Logs every call the evaluator makes, in order.
    final class RecordingRanker: NextItemRanker {
        enum Call: Equatable {
            case learn(session: String, item: String, time: Double)
            case predict(session: String, prefixLength: Int)
        }
        var calls: [Call] = []

        func learn(_ event: ModelEvent) {
            calls.append(.learn(session: event.sessionId, item: event.itemId, time: event.timestamp))
        }

        func rank(_ request: RecommendationRequest, config: RankingConfig) -> [String] {
            calls.append(.predict(session: request.sessionId ?? "?", prefixLength: request.recentItems.count))
            return []
        }
    }

    /// Two overlapping sessions: A x@1 y@5 z@9, B p@2 q@3 r@7, and C, which starts last but
    /// shares a timestamp with A's y (s@5, u@6). Replaying whole sessions by start would learn
    /// y and z before predicting q.
    static let test = [
        ClickSession(id: "A", events: [("x", 1), ("y", 5), ("z", 9)]),
        ClickSession(id: "B", events: [("p", 2), ("q", 3), ("r", 7)]),
        ClickSession(id: "C", events: [("s", 5), ("u", 6)]),
    ]

    @Test func noEventIsLearnedBeforeAPredictionThatPrecedesIt() throws {
        let ranker = RecordingRanker()
        let evaluator = NextItemEvaluator(training: [], protocol: .sessionRec)
        let result = evaluator.evaluate(ranker: ranker, test: Self.test, config: RankingConfig(), mode: .incremental)
        #expect(result.predictions == 5)

        let allEvents = Self.test.flatMap { s in s.events.map { (session: s.id, item: $0.itemId, time: $0.time) } }
        var learned: [(session: String, item: String, time: Double)] = []
        var predictions = 0
        for call in ranker.calls {
            switch call {
            case let .learn(session, item, time):
                learned.append((session, item, time))
            case let .predict(session, prefixLength):
                predictions += 1
                let target = try #require(Self.test.first { $0.id == session }).events[prefixLength]
                // Every learned event happened no later than the predicted click …
                #expect(learned.allSatisfy { $0.time <= target.time }, "predicting \(session)/\(target.itemId) at \(target.time)")
                // … the predicted click itself is not known yet …
                #expect(!learned.contains { $0.session == session && $0.item == target.itemId && $0.time == target.time })
                // … and every event before it has been learned.
                let earlier = allEvents.filter { $0.time < target.time }
                #expect(earlier.allSatisfy { e in learned.contains { $0.session == e.session && $0.item == e.item && $0.time == e.time } },
                        "predicting \(session)/\(target.itemId) at \(target.time) before learning all earlier events")
            }
        }
        #expect(predictions == 5)
        #expect(learned.count == allEvents.count)
        // The whole order: by time; on the tie at 5, session A (listed first) before C.
        #expect(ranker.calls == [
            .learn(session: "A", item: "x", time: 1),
            .learn(session: "B", item: "p", time: 2),
            .predict(session: "B", prefixLength: 1), .learn(session: "B", item: "q", time: 3),
            .predict(session: "A", prefixLength: 1), .learn(session: "A", item: "y", time: 5),
            .learn(session: "C", item: "s", time: 5),
            .predict(session: "C", prefixLength: 1), .learn(session: "C", item: "u", time: 6),
            .predict(session: "B", prefixLength: 2), .learn(session: "B", item: "r", time: 7),
            .predict(session: "A", prefixLength: 2), .learn(session: "A", item: "z", time: 9),
        ])
    }

    /// Frozen evaluation learns nothing and asks once per target.
    @Test func frozenLearnsNothing() {
        let ranker = RecordingRanker()
        let result = NextItemEvaluator(training: [], protocol: .sessionRec).evaluate(ranker: ranker, test: Self.test, config: RankingConfig(), mode: .frozen)
        #expect(result.predictions == 5)
        #expect(ranker.calls.allSatisfy { if case .predict = $0 { true } else { false } })
    }
}
