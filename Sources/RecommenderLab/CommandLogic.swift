import Foundation
import Recommender

/// What `sessionrank train` and `sessionrank evaluate` do, kept here so the executable only
/// parses arguments. Output lines go to `log`.
public enum EngineCommands {
    /// Builds a model from a session file and writes its snapshot. Returns the model's stats.
    @discardableResult
    public static func train(events: URL, output: URL, parameters: ModelParameters = .default, metadata: [String: String] = [:],
                             log: (String) -> Void = { print($0) }) throws -> SessionRankModel.Stats {
        let start = DispatchTime.now().uptimeNanoseconds
        let sessions = try SessionFile.read(events)
        let model = NextItemEvaluator.train(sessions, parameters: parameters)
        var stored = metadata
        stored["trainedFrom", default: events.lastPathComponent] = stored["trainedFrom"] ?? events.lastPathComponent
        try model.write(to: output, metadata: stored)
        let stats = model.stats
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        log(String(format: "trained on %d sessions, %d events, %d items in %.2fs; snapshot written to %@",
                   sessions.count, stats.eventsApplied, stats.items, seconds, output.path))
        return stats
    }

    public struct EvaluateOptions: Sendable {
        public var train: URL
        public var test: URL
        public var validate: URL?
        /// Also learn the validation sessions before the final test run.
        public var trainOnValidation = false
        public var trials = 60
        public var seed: UInt64 = 1
        public var modes: [EvaluationMode] = [.frozen, .incremental]
        public var evaluationProtocol: EvaluationProtocol = .storefront
        public var bench = false
        /// Also evaluate session-rec's baselines (`BaselineSuite`) on the same split and protocol.
        public var baselines = false
        public var config: RankingConfig = .default
        public var parameters: ModelParameters = .default

        public init(train: URL, test: URL) {
            self.train = train
            self.test = test
        }
    }

    /// Tunes on the validation file when given, then reports on the test file in each mode.
    /// Returns the configuration used for the test and the results per mode.
    @discardableResult
    public static func evaluate(_ options: EvaluateOptions, log: (String) -> Void = { print($0) }) throws -> (config: RankingConfig, results: [EvaluationMode: EvaluationResult]) {
        let outcome = try evaluateAll(options, log: log)
        return (outcome.config, outcome.results)
    }

    /// What one `evaluate` run measured: SessionRank per mode and, with `baselines`, every
    /// baseline (frozen) on the same test sessions, protocol and metrics.
    public struct EvaluateOutcome: Sendable {
        public var config: RankingConfig
        public var results: [EvaluationMode: EvaluationResult]
        public var baselines: [(name: String, result: EvaluationResult)] = []
    }

    public static func evaluateAll(_ options: EvaluateOptions, log: (String) -> Void = { print($0) }) throws -> EvaluateOutcome {
        let training = try SessionFile.read(options.train)
        let test = try SessionFile.read(options.test)
        // Applied here too (the evaluator applies it anyway) so the logged config is the one ranked with.
        var config = options.evaluationProtocol.rankingConfig(options.config)

        if let validateURL = options.validate {
            let validation = try SessionFile.read(validateURL)
            let model = NextItemEvaluator.train(training, parameters: options.parameters)
            let evaluator = NextItemEvaluator(training: training, protocol: options.evaluationProtocol)
            log("tuning on \(validateURL.lastPathComponent): \(options.trials) trials, seed \(options.seed)")
            let trials = ConfigTuner(trials: options.trials, seed: options.seed).search(
                model: model, validation: validation, evaluator: evaluator, base: config
            ) { index, trial in
                if index % 10 == 0 { log(String(format: "  trial %d: MRR@20=%.4f HR@20=%.4f", index, trial.result.mrr, trial.result.hitRate)) }
            }
            config = trials[0].config
            log("best on validation: \(trials[0].result.summary)")
            log("best config: \(try describe(config))")
        }

        var finalTraining = training
        if options.trainOnValidation, let validateURL = options.validate { finalTraining += try SessionFile.read(validateURL) }
        let evaluator = NextItemEvaluator(training: finalTraining, protocol: options.evaluationProtocol)
        var results: [EvaluationMode: EvaluationResult] = [:]
        for mode in options.modes {
            let model = NextItemEvaluator.train(finalTraining, parameters: options.parameters)
            let result = evaluator.evaluate(model: model, test: test, config: config, mode: mode)
            results[mode] = result
            log("\(options.test.lastPathComponent) [\(mode.rawValue), \(options.evaluationProtocol.rawValue)]: \(result.summary)")
        }
        var outcome = EvaluateOutcome(config: config, results: results)
        if options.baselines {
            let index = TrainingIndex(training: finalTraining)
            for baseline in BaselineSuite.all(index: index) {
                let start = DispatchTime.now().uptimeNanoseconds
                let result = evaluator.evaluate(ranker: BaselineRanker(baseline, index: index), test: test, config: config, mode: .frozen)
                outcome.baselines.append((baseline.name, result))
                log(String(format: "%@ [frozen, %@]: %@ (%.1fs)", baseline.name, options.evaluationProtocol.rawValue, result.summary,
                           Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
            }
            log(EvaluationTable.render(outcome, protocol: options.evaluationProtocol, test: options.test.lastPathComponent))
        }
        if options.bench {
            let report = EngineBenchmark().run(training: finalTraining, test: test, config: config, parameters: options.parameters)
            log("benchmark (\(options.test.lastPathComponent)):\n\(report.summary)")
        }
        return outcome
    }

    public static func describe(_ config: RankingConfig) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(config), as: UTF8.self)
    }
}
