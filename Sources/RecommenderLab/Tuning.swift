import Recommender
/// Hyper-parameter search over the query-time `RankingConfig` on a validation file. Training
/// happens once (query-time knobs need no retraining); each trial replays the validation
/// sessions in frozen mode. The first half of the trials sample the whole space at random; the
/// second half perturb the best configuration so far (a simple local search).
public struct ConfigTuner: Sendable {
    public struct Trial: Sendable {
        public var config: RankingConfig
        public var result: EvaluationResult
    }

    public var trials: Int
    public var seed: UInt64

    public init(trials: Int = 60, seed: UInt64 = 1) {
        self.trials = trials
        self.seed = seed
    }

    /// Runs the search; `progress` sees each trial. Returns all trials, best (by MRR, then HR) first.
    public func search(model: SessionRankModel, validation: [ClickSession], evaluator: NextItemEvaluator, base: RankingConfig,
                       progress: (Int, Trial) -> Void = { _, _ in }) -> [Trial] {
        var rng = SeededGenerator(seed: seed)
        var results: [Trial] = []
        var best: Trial?
        for index in 0..<max(trials, 1) {
            let config: RankingConfig
            if index == 0 {
                config = base
            } else if index < trials / 2 || best == nil {
                config = Self.randomConfig(base: base, using: &rng)
            } else {
                config = Self.perturb(best!.config, using: &rng)
            }
            let trial = Trial(config: config, result: evaluator.evaluate(model: model, test: validation, config: config, mode: .frozen))
            results.append(trial)
            if best == nil || Self.isBetter(trial.result, than: best!.result) { best = trial }
            progress(index, trial)
        }
        return results.sorted { Self.isBetter($0.result, than: $1.result) }
    }

    static func isBetter(_ a: EvaluationResult, than b: EvaluationResult) -> Bool {
        a.mrr != b.mrr ? a.mrr > b.mrr : a.hitRate > b.hitRate
    }

    static func randomConfig(base: RankingConfig, using rng: inout SeededGenerator) -> RankingConfig {
        var c = base
        c.knn.sampleSize = [100, 250, 500, 750, 1000].randomElement(using: &rng)!
        c.knn.neighbours = [20, 50, 100, 200, 300].randomElement(using: &rng)!
        c.knn.sessionItems = [1, 2, 3, 5, 8, 0].randomElement(using: &rng)!
        c.knn.idfWeight = [0, 0.25, 0.5, 1, 2].randomElement(using: &rng)!
        c.knn.matchDecay = [0, 0.5, 1, 2].randomElement(using: &rng)!
        c.knn.positionDecay = [1, 0.9, 0.7, 0.5].randomElement(using: &rng)!
        c.sequence.sessionItems = [1, 2, 3, 5].randomElement(using: &rng)!
        c.sequence.recencyDecay = [0.2, 0.35, 0.5, 0.7, 0.9].randomElement(using: &rng)!
        c.weights.knn = 1
        c.weights.transition = Double.random(in: 0...4, using: &rng)
        c.weights.covisitation = Double.random(in: 0...1, using: &rng)
        c.weights.popularity = [0, 0.01, 0.03, 0.1].randomElement(using: &rng)!
        c.weights.recent = Double.random(in: 0...1.5, using: &rng)
        return c
    }

    static func perturb(_ config: RankingConfig, using rng: inout SeededGenerator) -> RankingConfig {
        var c = config
        func scale(_ value: Double) -> Double { max(0, value * Double.random(in: 0.7...1.3, using: &rng) + Double.random(in: -0.05...0.05, using: &rng)) }
        switch Int.random(in: 0..<10, using: &rng) {
        case 9: c.knn.positionDecay = min(1, max(0.1, scale(c.knn.positionDecay)))
        case 8: c.knn.matchDecay = scale(c.knn.matchDecay)
        case 0: c.knn.sampleSize = max(50, min(1000, Int(Double(c.knn.sampleSize) * Double.random(in: 0.6...1.5, using: &rng))))
        case 1: c.knn.neighbours = max(5, min(500, Int(Double(c.knn.neighbours) * Double.random(in: 0.6...1.5, using: &rng))))
        case 2: c.knn.sessionItems = [1, 2, 3, 4, 5, 6, 8, 10, 0].randomElement(using: &rng)!
        case 3: c.knn.idfWeight = scale(c.knn.idfWeight)
        case 4: c.sequence.sessionItems = Int.random(in: 1...5, using: &rng)
        case 5: c.sequence.recencyDecay = min(0.95, max(0.05, scale(c.sequence.recencyDecay)))
        default:
            c.weights.transition = scale(c.weights.transition)
            c.weights.covisitation = scale(c.weights.covisitation)
            c.weights.recent = scale(c.weights.recent)
            c.weights.popularity = scale(c.weights.popularity)
        }
        return c
    }
}
