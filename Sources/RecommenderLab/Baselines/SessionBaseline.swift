import Foundation
import Recommender

/// A session-based baseline from session-rec (github.com/rn5l/session-rec), restated from its
/// definitions: trained once on the training sessions, then asked for the next items of a
/// session prefix. Baselines are evaluated frozen, as session-rec evaluates them.
public protocol SessionBaseline: Sendable {
    /// The row name in the evaluation table.
    var name: String { get }
    /// Item indices (into `TrainingIndex`), best first, at most `limit`, for the session so far.
    /// `prefix` holds the session's clicks oldest first (unknown items as negative ids, see
    /// `TrainingIndex.encode`); `time` is the time of its last click.
    func rank(prefix: [Int32], time: Double, limit: Int) -> [Int32]
}

/// Turns a score table into a ranking: higher score first; equal scores by item id (string
/// order), so results never depend on hash order.
public enum BaselineRanking {
    public static func top(_ scores: [Int32: Double], index: TrainingIndex, limit: Int) -> [Int32] {
        let ranked = scores.filter { $0.value > 0 }.sorted { a, b in
            a.value != b.value ? a.value > b.value : index.itemIds[Int(a.key)] < index.itemIds[Int(b.key)]
        }
        return ranked.prefix(limit).map(\.key)
    }
}

/// Asks a baseline through the evaluator's interface. The storefront protocol's exclusions
/// apply to a baseline's list exactly as the engine applies them to its own, so both are
/// measured on the same targets with the same rules.
public struct BaselineRanker: NextItemRanker {
    public let baseline: any SessionBaseline
    public let index: TrainingIndex

    public init(_ baseline: any SessionBaseline, index: TrainingIndex) {
        self.baseline = baseline
        self.index = index
    }

    public func learn(_ event: ModelEvent) {}  // frozen: session-rec does not extend its baselines

    public func rank(_ request: RecommendationRequest, config: RankingConfig) -> [String] {
        let prefix = index.encode(request.recentItems.map(\.itemId))
        // Room for what the exclusions may drop: at most every item of the request itself.
        let room = request.limit + request.recentItems.count + request.exclude.count
        let time = request.recentItems.last?.timestamp ?? 0
        return baseline.rank(prefix: prefix, time: time, limit: room)
            .map { index.itemIds[Int($0)] }
            .filter { !EvaluationProtocol.withholds($0, request: request, rules: config.exclusion) }
            .prefix(request.limit).map { $0 }
    }
}
