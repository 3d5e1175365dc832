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

    /// Which knobs the search varies.
    public enum Space: Sendable {
        /// kNN, sequence and the blend weights of knn, transition, co-visitation, popularity and
        /// recent: what the serenade tuning searched (its draws are unchanged, so that run repeats).
        case nextItem
        /// `nextItem` plus the `interest` weight and `exclusion.excludeSeen`: the knobs with
        /// which the blend can follow a taste in item attributes and decide what to do with items
        /// the visit has seen (click data like serenade's has no attributes to weigh).
        case storefront
    }

    public var trials: Int
    public var seed: UInt64
    public var space: Space

    public init(trials: Int = 60, seed: UInt64 = 1, space: Space = .nextItem) {
        self.trials = trials
        self.seed = seed
        self.space = space
    }

    /// Runs the search; `progress` sees each trial. Returns all trials, best (by MRR, then HR) first.
    public func search(model: SessionRankModel, validation: [ClickSession], evaluator: NextItemEvaluator, base: RankingConfig,
                       progress: (Int, Trial) -> Void = { _, _ in }) -> [Trial] {
        search(base: base, isBetter: Self.isBetter,
               evaluate: { evaluator.evaluate(model: model, test: validation, config: $0, mode: .frozen) },
               progress: { index, trial in progress(index, Trial(config: trial.config, result: trial.result)) })
            .map { Trial(config: $0.config, result: $0.result) }
    }

    /// The same search for any objective: `evaluate` scores a config (trial 0 is `base`
    /// itself), `isBetter` orders two scores. Returns all trials, best first.
    public func search<Score>(base: RankingConfig, isBetter: (Score, Score) -> Bool, evaluate: (RankingConfig) -> Score,
                              progress: (Int, (config: RankingConfig, result: Score)) -> Void = { _, _ in })
        -> [(config: RankingConfig, result: Score)]
    {
        var rng = SeededGenerator(seed: seed)
        var results: [(config: RankingConfig, result: Score)] = []
        var best: (config: RankingConfig, result: Score)?
        for index in 0..<max(trials, 1) {
            let config: RankingConfig
            if index == 0 {
                config = base
            } else if index < trials / 2 || best == nil {
                config = Self.randomConfig(base: base, space: space, using: &rng)
            } else {
                config = Self.perturb(best!.config, space: space, using: &rng)
            }
            let trial = (config: config, result: evaluate(config))
            results.append(trial)
            if best == nil || isBetter(trial.result, best!.result) { best = trial }
            progress(index, trial)
        }
        // Stable: equal scores keep trial order, so the base wins a tie.
        return results.enumerated().sorted { a, b in
            isBetter(a.element.result, b.element.result) || (!isBetter(b.element.result, a.element.result) && a.offset < b.offset)
        }.map(\.element)
    }

    static func isBetter(_ a: EvaluationResult, than b: EvaluationResult) -> Bool {
        a.mrr != b.mrr ? a.mrr > b.mrr : a.hitRate > b.hitRate
    }

    static func randomConfig(base: RankingConfig, space: Space = .nextItem, using rng: inout SeededGenerator) -> RankingConfig {
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
        if space == .storefront {
            c.weights.interest = Double.random(in: 0...4, using: &rng)
            c.exclusion.excludeSeen = Bool.random(using: &rng)
        }
        return c
    }

    static func perturb(_ config: RankingConfig, space: Space = .nextItem, using rng: inout SeededGenerator) -> RankingConfig {
        var c = config
        func scale(_ value: Double) -> Double { max(0, value * Double.random(in: 0.7...1.3, using: &rng) + Double.random(in: -0.05...0.05, using: &rng)) }
        switch Int.random(in: 0..<(space == .storefront ? 12 : 10), using: &rng) {
        case 11: c.exclusion.excludeSeen.toggle()
        case 10: c.weights.interest = scale(c.weights.interest)
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
