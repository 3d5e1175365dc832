import ArgumentParser
import Foundation
import Recommender
import RecommenderLab

/// `sessionrank evaluate --train FILE --test FILE [--validate FILE] [--mode frozen|incremental|both] [--protocol storefront|session-rec] [--config JSON] [--parameters JSON] [--bench] [--baselines]`
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Next-item evaluation (MRR/HR/NDCG/coverage/popularity@20, latency), with optional tuning on a validation file.")

    @Option(help: "Training session file.")
    var train: String

    @Option(help: "Test session file (reported).")
    var test: String

    @Option(help: "Validation session file: tune the ranking config on it before testing.")
    var validate: String?

    @Flag(help: "Also learn the validation sessions before the final test run.")
    var trainOnValidation = false

    @Option(help: "Tuning trials (random search, then local search around the best).")
    var trials: Int = 60

    @Option(help: "Seed of the tuning search.")
    var seed: UInt64 = 1

    @Option(help: "frozen, incremental or both.")
    var mode: String = "both"

    @Option(name: .customLong("protocol"),
            help: "storefront (the config's exclusions; targets they withhold are not counted) or session-rec (only the request's own exclusions; the current item may repeat).")
    var evaluationProtocol: String = EvaluationProtocol.storefront.rawValue

    @Option(help: "JSON file with a RankingConfig to start from (missing keys take their defaults).")
    var config: String?

    @Option(help: "JSON file with ModelParameters for training (missing keys take their defaults).")
    var parameters: String?

    @Flag(help: "Also run the predict/update micro-benchmarks.")
    var bench = false

    @Flag(help: "Also evaluate session-rec's baselines (POP, AR, SR, SKNN, V-SKNN, STAN, V-STAN; frozen, rsc15 parameters) on the same split and protocol, and print one table.")
    var baselines = false

    func run() throws {
        var options = EngineCommands.EvaluateOptions(train: URL(fileURLWithPath: train), test: URL(fileURLWithPath: test))
        options.validate = validate.map { URL(fileURLWithPath: $0) }
        options.trainOnValidation = trainOnValidation
        options.trials = trials
        options.seed = seed
        options.bench = bench
        options.baselines = baselines
        switch mode {
        case "frozen": options.modes = [.frozen]
        case "incremental": options.modes = [.incremental]
        case "both": options.modes = [.frozen, .incremental]
        default: throw ValidationError("--mode must be frozen, incremental or both")
        }
        guard let chosen = EvaluationProtocol(rawValue: evaluationProtocol) else {
            throw ValidationError("--protocol must be storefront or session-rec")
        }
        options.evaluationProtocol = chosen
        if let config {
            options.config = try JSONDecoder().decode(RankingConfig.self, from: Data(contentsOf: URL(fileURLWithPath: config)))
        }
        if let parameters {
            options.parameters = try JSONDecoder().decode(ModelParameters.self, from: Data(contentsOf: URL(fileURLWithPath: parameters)))
        }
        try EngineCommands.evaluate(options)
    }
}
