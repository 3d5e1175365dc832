import Foundation

/// Logistic regression learned online with FTRL-Proximal (McMahan et al., 2013), per-coordinate
/// learning rates with L1/L2. Updates are plain sequential arithmetic, so the same examples in
/// the same order always give the same weights.
struct FTRLRanker: Sendable, Equatable {
    private(set) var z = [Double](repeating: 0, count: FeatureEncoder.dimension)
    private(set) var n = [Double](repeating: 0, count: FeatureEncoder.dimension)
    /// Clicked or bought examples learned so far (gate for using the ranker).
    private(set) var positives: Int64 = 0
    private(set) var examples: Int64 = 0

    init() {}

    init(z: [Double], n: [Double], positives: Int64, examples: Int64) {
        self.z = z
        self.n = n
        self.positives = positives
        self.examples = examples
    }

    private func weight(_ i: Int, _ s: RankerSettings) -> Double {
        let zi = z[i]
        guard abs(zi) > s.l1 else { return 0 }
        let sign: Double = zi < 0 ? -1 : 1
        return -(zi - sign * s.l1) / ((s.beta + n[i].squareRoot()) / s.learningRate + s.l2)
    }

    func probability(_ x: [(index: Int, value: Double)], settings: RankerSettings) -> Double {
        var margin = 0.0
        for (i, v) in x { margin += weight(i, settings) * v }
        return 1 / (1 + exp(-max(-35, min(35, margin))))
    }

    /// The serving path: the same margin as `probability(FeatureEncoder.encode(f))`, without
    /// building the sparse vector or hashing the context per candidate.
    func probability(_ f: RankingFeatures, context: FeatureEncoder.ContextSlots, settings: RankerSettings) -> Double {
        var margin = 0.0
        FeatureEncoder.forEachTerm(f, context: context, position: nil) { i, v in margin += weight(i, settings) * v }
        return 1 / (1 + exp(-max(-35, min(35, margin))))
    }

    /// One gradient step on log-loss; `importance` scales the gradient (bought > clicked).
    mutating func update(_ x: [(index: Int, value: Double)], label: Bool, importance: Double, settings: RankerSettings) {
        let p = probability(x, settings: settings)
        let gradientScale = (p - (label ? 1 : 0)) * importance
        for (i, v) in x {
            let g = gradientScale * v
            let sigma = ((n[i] + g * g).squareRoot() - n[i].squareRoot()) / settings.learningRate
            z[i] += g - sigma * weight(i, settings)
            n[i] += g * g
        }
        examples += 1
        if label { positives += 1 }
    }

    func isReady(_ settings: RankerSettings) -> Bool {
        settings.enabled && positives >= Int64(settings.minFeedback)
    }
}
