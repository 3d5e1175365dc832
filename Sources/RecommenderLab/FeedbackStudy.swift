import Foundation
import Recommender

/// The ranker against a blend tuned for the same simulated store, over several seeds (issue 23
/// §5). Per seed s:
///
/// 1. the store is `StorefrontSimulation` with seed s (its catalogue);
/// 2. **validation**: other visitors of that store (visitor seed s + `validationSeedOffset`);
///    with `tuneBlend`, `ConfigTuner` (space `.storefront`) searches the blend's config, ranker
///    off, for the highest click-through rate over all measured validation visitors;
/// 3. **test**: the visitors of seed s, never seen by the tuning, in four arms from the same
///    warmed-up model: the blend with the default config, the tuned blend, the ranker with the
///    default config, and the ranker over the tuned blend (the tuned config, ranker on).
///
/// The figure is each arm's last-third CTR (the ranker has taken over by then), reported as
/// mean ± 95 % interval over seeds; ratios are taken per seed (paired: same visitors, same
/// draws), then summarised the same way.
public struct FeedbackStudy: Sendable {
    public static let validationSeedOffset: UInt64 = 1_000_000

    public struct Settings: Sendable {
        public var seeds: [UInt64] = [1, 2, 3, 4, 5]
        /// Everything but the seeds; its `config` is the default arm's (ranker on).
        public var simulation = StorefrontSimulation.Settings()
        public var tuneBlend = true
        public var trials = 40
        /// Seed of the tuner's search (not of the store).
        public var tuningSeed: UInt64 = 1

        public init() {}
    }

    public struct Tuning: Sendable, Equatable {
        public var config: RankingConfig
        /// CTR over all validation visitors: default blend (trial 0) and the best trial.
        public var validationDefault: Double
        public var validationTuned: Double
    }

    public struct SeedResult: Sendable, Equatable {
        public var seed: UInt64
        public var blend: StorefrontSimulation.Arm
        public var ranker: StorefrontSimulation.Arm
        public var tuning: Tuning?
        public var tunedBlend: StorefrontSimulation.Arm?
        public var rankerOverTunedBlend: StorefrontSimulation.Arm?
    }

    public let settings: Settings

    public init(settings: Settings) { self.settings = settings }

    /// Runs every seed in turn; `log` hears what is being done.
    public func run(log: (String) -> Void = { _ in }) -> [SeedResult] {
        settings.seeds.map { seed in runSeed(seed, log: log) }
    }

    func runSeed(_ seed: UInt64, log: (String) -> Void) -> SeedResult {
        var test = settings.simulation
        test.seed = seed
        test.visitorSeed = nil
        let rankerConfig = test.config
        var blendConfig = rankerConfig
        blendConfig.ranker.enabled = false

        var tuning: Tuning?
        if settings.tuneBlend {
            var validation = test
            validation.visitorSeed = seed &+ Self.validationSeedOffset
            let store = StorefrontSimulation(settings: validation)
            let trials = ConfigTuner(trials: settings.trials, seed: settings.tuningSeed, space: .storefront).search(
                base: blendConfig, isBetter: { $0 > $1 },
                evaluate: { config in Self.wholeRunCTR(store.measure(config: config)) },
                progress: { index, trial in
                    if index % 10 == 0 { log(String(format: "seed %llu, tuning trial %d: validation CTR %.4f", seed, index, trial.result)) }
                })
            let base = trials.first { $0.config == blendConfig }?.result ?? 0
            tuning = Tuning(config: trials[0].config, validationDefault: base, validationTuned: trials[0].result)
            log(String(format: "seed %llu: validation CTR, default blend %.4f, tuned %.4f", seed, base, trials[0].result))
        }

        let store = StorefrontSimulation(settings: test)
        var result = SeedResult(seed: seed, blend: store.measure(config: blendConfig), ranker: store.measure(config: rankerConfig), tuning: tuning)
        if let tuned = tuning?.config {
            var over = tuned
            over.ranker = rankerConfig.ranker
            result.tunedBlend = store.measure(config: tuned)
            result.rankerOverTunedBlend = store.measure(config: over)
        }
        log(String(format: "seed %llu: last-third CTR blend %.4f, ranker %.4f", seed, result.blend.lastThirdClickThroughRate,
                   result.ranker.lastThirdClickThroughRate))
        return result
    }

    /// Clicked lists / served lists over every measured visitor: the tuning objective (the blend
    /// does not change regime mid-run, so the whole run is its least noisy estimate).
    static func wholeRunCTR(_ arm: StorefrontSimulation.Arm) -> Double {
        arm.clickThroughRate(phases: 0..<arm.phases.count)
    }

    // MARK: report

    /// One row of the report: a figure per seed and its interval.
    public struct Row: Sendable, Equatable {
        public var label: String
        public var interval: SeedInterval
    }

    /// Last-third CTR per arm, then the per-seed ratios; arms missing in any seed are left out.
    public static func rows(_ results: [SeedResult]) -> (arms: [Row], ratios: [Row]) {
        func ctr(_ arm: (SeedResult) -> StorefrontSimulation.Arm?) -> [Double]? {
            let values = results.compactMap { arm($0)?.lastThirdClickThroughRate }
            return values.count == results.count && !values.isEmpty ? values : nil
        }
        func ratio(_ a: [Double]?, _ b: [Double]?) -> [Double]? {
            guard let a, let b else { return nil }
            return zip(a, b).map { $1 == 0 ? 0 : $0 / $1 }
        }
        let blend = ctr(\.blend), tuned = ctr(\.tunedBlend), ranker = ctr(\.ranker), over = ctr(\.rankerOverTunedBlend)
        let arms: [(String, [Double]?)] = [
            ("blend, default weights", blend), ("blend, tuned on validation visitors", tuned),
            ("ranker, default config", ranker), ("ranker over the tuned blend", over),
        ]
        let ratios: [(String, [Double]?)] = [
            ("ranker / default blend", ratio(ranker, blend)), ("ranker / tuned blend", ratio(ranker, tuned)),
            ("ranker over the tuned blend / tuned blend", ratio(over, tuned)), ("tuned blend / default blend", ratio(tuned, blend)),
        ]
        func keep(_ list: [(String, [Double]?)]) -> [Row] { list.compactMap { label, v in v.map { Row(label: label, interval: SeedInterval($0)) } } }
        return (keep(arms), keep(ratios))
    }

    /// Markdown tables: last-third CTR per arm and the ratios, mean ± 95 % interval over seeds
    /// with the value of every seed; then each seed's tuned config.
    public static func report(_ results: [SeedResult]) throws -> String {
        guard !results.isEmpty else { return "no seeds" }
        let seeds = results.map { String($0.seed) }.joined(separator: ", ")
        let (arms, ratios) = rows(results)
        var lines = ["| last-third CTR (seeds \(seeds)) | mean ± 95 % CI | per seed |", "|---|---|---|"]
        for row in arms { lines.append("| \(row.label) | \(row.interval.formatted()) | \(perSeed(row.interval, decimals: 3)) |") }
        lines += ["", "| ratio of last-third CTR, per seed | mean ± 95 % CI | per seed |", "|---|---|---|"]
        for row in ratios { lines.append("| \(row.label) | ×\(row.interval.formatted(decimals: 3)) | \(perSeed(row.interval, decimals: 3)) |") }
        for result in results {
            guard let tuning = result.tuning else { continue }
            lines.append(String(format: "seed %llu: validation CTR default blend %.4f → tuned %.4f; tuned config %@", result.seed,
                                tuning.validationDefault, tuning.validationTuned, try EngineCommands.describe(tuning.config)))
        }
        return lines.joined(separator: "\n")
    }

    static func perSeed(_ interval: SeedInterval, decimals: Int) -> String {
        interval.values.map { String(format: "%.\(decimals)f", $0) }.joined(separator: " / ")
    }
}
