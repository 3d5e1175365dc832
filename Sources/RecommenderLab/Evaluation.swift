import Foundation
import Recommender

/// Accuracy and latency of next-item prediction.
public struct EvaluationResult: Sendable, Equatable {
    public var predictions = 0
    public var mrr = 0.0
    public var hitRate = 0.0
    public var ndcg = 0.0
    /// Distinct recommended items / distinct items in the training data.
    public var coverage = 0.0
    /// Mean over all recommended items of (training count / count of the most frequent item).
    public var popularity = 0.0
    /// In-process `recommend` latency percentiles, microseconds.
    public var latencyP50 = 0.0
    public var latencyP90 = 0.0
    public var latencyP99 = 0.0
    /// Mean cost of learning one event during incremental replay, microseconds (0 when frozen).
    public var updateMean = 0.0
    /// Targets the storefront protocol left out because its exclusions withhold them.
    public var withheldTargets = 0

    public var summary: String {
        String(format: "predictions=%d MRR@20=%.4f HR@20=%.4f NDCG@20=%.4f coverage@20=%.4f popularity@20=%.4f latency p50=%.1fµs p90=%.1fµs p99=%.1fµs",
               predictions, mrr, hitRate, ndcg, coverage, popularity, latencyP50, latencyP90, latencyP99)
            + (updateMean > 0 ? String(format: " update mean=%.2fµs", updateMean) : "")
            + (withheldTargets > 0 ? " withheld targets=\(withheldTargets)" : "")
    }
}

public enum EvaluationMode: String, Sendable, CaseIterable {
    /// The model is not changed by the test sessions.
    case frozen
    /// After each prediction the model learns the event that was just predicted (never before).
    case incremental
}

/// What counts as a target, and what the engine may leave out.
public enum EvaluationProtocol: String, Sendable, CaseIterable {
    /// session-rec's published next-item protocol: every next click is a target, and only what the
    /// request itself excludes is left out, so the item on screen may come back.
    case sessionRec = "session-rec"
    /// The product as it serves: the config's exclusions apply (`excludeCurrent` and the rest),
    /// and a target they withhold is not counted, because no storefront could have shown it.
    case storefront

    /// The config this protocol ranks with.
    public func rankingConfig(_ config: RankingConfig) -> RankingConfig {
        guard self == .sessionRec else { return config }
        var config = config
        config.exclusion.excludePurchased = false
        config.exclusion.excludeInCart = false
        config.exclusion.excludeSeen = false
        config.exclusion.excludeCurrent = false
        return config
    }

    /// Whether `rules` withhold `item` from an answer to `request`: the engine's own exclusion
    /// rule (`ModelState.markExcluded`), restated because the engine keeps it private.
    /// `ProtocolTests` checks the two agree.
    public static func withholds(_ item: String, request: RecommendationRequest, rules: ExclusionSettings) -> Bool {
        if request.exclude.contains(item) { return true }
        if rules.excludePurchased, request.purchasedItems.contains(item) { return true }
        if rules.excludeInCart, request.cartItems.contains(item) { return true }
        if rules.excludeCurrent, request.recentItems.last?.itemId == item { return true }
        return request.recentItems.contains { event in
            event.itemId == item && (rules.excludeSeen
                || (rules.excludePurchased && event.type == .purchase)
                || (rules.excludeInCart && event.type == .addToCart))
        }
    }
}

/// The next-item protocol of the serenade data README: for every test session i1..in and
/// every prefix p = 1..n-1, ask for `cutoff` items given i1..ip and look up i(p+1).
public struct NextItemEvaluator: Sendable {
    public var cutoff = 20
    public var evaluationProtocol: EvaluationProtocol
    /// Training item counts, for the popularity metric and the coverage denominator.
    public let trainingCounts: [String: Int]

    public init(training: [ClickSession], cutoff: Int = 20, protocol evaluationProtocol: EvaluationProtocol = .storefront) {
        var counts: [String: Int] = [:]
        for session in training { for event in session.events { counts[event.itemId, default: 0] += 1 } }
        trainingCounts = counts
        self.cutoff = cutoff
        self.evaluationProtocol = evaluationProtocol
    }

    /// Builds and publishes a model from training sessions.
    public static func train(_ sessions: [ClickSession], parameters: ModelParameters = .default) -> SessionRankModel {
        let model = SessionRankModel(parameters: parameters)
        model.apply(contentsOf: SessionFile.trainingEvents(sessions))
        return model
    }

    public func evaluate(model: SessionRankModel, test: [ClickSession], config: RankingConfig, mode: EvaluationMode) -> EvaluationResult {
        evaluate(ranker: SessionRankRanker(model), test: test, config: config, mode: mode)
    }

    /// Replays `test` (see `ReplaySchedule`): every event after a session's first is a target,
    /// predicted from the session's earlier events; in incremental mode each event is learned
    /// right after it has been predicted (a first event: right when it happens).
    public func evaluate(ranker: some NextItemRanker, test: [ClickSession], config: RankingConfig, mode: EvaluationMode) -> EvaluationResult {
        let maxCount = Double(trainingCounts.values.max() ?? 1)
        var result = EvaluationResult()
        var latencies: [Double] = []
        var recommended = Set<String>()
        var popularitySum = 0.0, popularityItems = 0
        var updateNanos: UInt64 = 0, updates = 0
        var config = evaluationProtocol.rankingConfig(config)
        config.candidates.minimumReturned = 0  // the protocol wants exactly `cutoff` items

        for step in ReplaySchedule.steps(test, mode: mode) {
            let session = test[step.session], prefix = step.position
            // A one-event session has no target; frozen replay skips it (nothing to learn either).
            if mode == .frozen, session.events.count < 2 { continue }
            defer {  // strictly after predicting it
                if mode == .incremental {
                    let event = session.events[prefix]
                    let start = DispatchTime.now().uptimeNanoseconds
                    ranker.learn(ModelEvent(sessionId: session.id, itemId: event.itemId, type: .view, timestamp: event.time))
                    updateNanos += DispatchTime.now().uptimeNanoseconds - start
                    updates += 1
                }
            }
            guard prefix > 0 else { continue }
            let request = RecommendationRequest(
                sessionId: mode == .incremental ? session.id : nil,
                recentItems: session.events[0..<prefix].map { SessionItem(itemId: $0.itemId, type: .view, timestamp: $0.time) },
                limit: cutoff)
            let target = session.events[prefix].itemId
            if evaluationProtocol == .storefront, EvaluationProtocol.withholds(target, request: request, rules: config.exclusion) {
                result.withheldTargets += 1
                continue
            }
            let start = DispatchTime.now().uptimeNanoseconds
            let ranked = ranker.rank(request, config: config).prefix(cutoff)
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)

            result.predictions += 1
            if let rank = ranked.firstIndex(where: { $0 == target }) {
                result.hitRate += 1
                result.mrr += 1 / Double(rank + 1)
                result.ndcg += 1 / log2(Double(rank + 2))
            }
            for item in ranked {
                recommended.insert(item)
                popularitySum += Double(trainingCounts[item] ?? 0) / maxCount
                popularityItems += 1
            }
        }
        if result.predictions > 0 {
            let n = Double(result.predictions)
            result.mrr /= n
            result.hitRate /= n
            result.ndcg /= n
        }
        result.coverage = Double(recommended.count) / Double(max(trainingCounts.count, 1))
        result.popularity = popularityItems > 0 ? popularitySum / Double(popularityItems) : 0
        latencies.sort()
        result.latencyP50 = Self.percentile(latencies, 0.50)
        result.latencyP90 = Self.percentile(latencies, 0.90)
        result.latencyP99 = Self.percentile(latencies, 0.99)
        result.updateMean = updates > 0 ? Double(updateNanos) / Double(updates) / 1000 : 0
        return result
    }

    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1 < 0 ? 0 : Int((Double(sorted.count) * q).rounded(.up)) - 1)]
    }
}
