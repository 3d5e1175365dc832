import Foundation
import Recommender

/// What the next-item evaluator measures: anything that ranks items for a session prefix and,
/// in incremental mode, learns each event once it has been predicted.
public protocol NextItemRanker {
    /// Learns one event of a test session (incremental mode only).
    func learn(_ event: ModelEvent)
    /// Item ids, best first, for the request's session so far.
    func rank(_ request: RecommendationRequest, config: RankingConfig) -> [String]
}

/// The engine itself.
public struct SessionRankRanker: NextItemRanker {
    public let model: SessionRankModel

    public init(_ model: SessionRankModel) { self.model = model }

    public func learn(_ event: ModelEvent) { model.apply(event) }

    public func rank(_ request: RecommendationRequest, config: RankingConfig) -> [String] {
        model.recommend(request, config: config).map(\.itemId)
    }
}

/// The order in which the evaluator replays the test sessions' events.
public enum ReplaySchedule {
    /// One step: event `position` of session `session` (indices into the test sessions).
    public struct Step: Sendable, Equatable {
        public var session: Int
        public var position: Int
    }

    /// Frozen: session by session (nothing is learned, so the order cannot change a result).
    /// Incremental: the events of all sessions interleaved by timestamp (ties: session order,
    /// then position), so every event is predicted, then learned, in the order it happened, and a
    /// session's later clicks are never known while a concurrent session is being predicted.
    public static func steps(_ sessions: [ClickSession], mode: EvaluationMode) -> [Step] {
        var steps: [Step] = []
        for (index, session) in sessions.enumerated() {
            for position in session.events.indices { steps.append(Step(session: index, position: position)) }
        }
        guard mode == .incremental else { return steps }
        return steps.sorted { a, b in
            let ta = sessions[a.session].events[a.position].time, tb = sessions[b.session].events[b.position].time
            if ta != tb { return ta < tb }
            return a.session != b.session ? a.session < b.session : a.position < b.position
        }
    }
}
