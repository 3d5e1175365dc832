import Foundation
import Testing
import Recommender
@testable import RecommenderLab

/// The accuracy gate: `sessionrank evaluate` on the whole serenade example (train.tsv → test.tsv,
/// default config, storefront protocol) must keep the figures models/README.md reports, with a
/// little room (frozen 0.3907 / 0.6810, incremental 0.3895 / 0.6788). No other test checks
/// accuracy, so without this one a broken engine would leave the suite green.
@Suite("Accuracy gate on the serenade example")
struct AccuracyGateTests {
    static let minimumMRR = 0.38
    static let minimumHitRate = 0.67

    @Test(.enabled(if: SharedData.serenadeTestsEnabled, SharedData.skipComment), .timeLimit(.minutes(10)))
    func defaultsKeepTheirAccuracy() throws {
        guard SharedData.requireSerenade() else { return }
        let data = SharedData.serenadeExample
        var options = EngineCommands.EvaluateOptions(train: data.appendingPathComponent("train.tsv"),
                                                     test: data.appendingPathComponent("test.tsv"))
        options.modes = [.frozen, .incremental]
        options.evaluationProtocol = .storefront
        var lines: [String] = []
        var results: [EvaluationMode: EvaluationResult] = [:]
        let elapsed = try ContinuousClock().measure {
            results = try EngineCommands.evaluate(options, log: { lines.append($0) }).results
        }
        print("accuracy gate, \(elapsed):\n" + lines.joined(separator: "\n"))
        for mode in options.modes {
            let result = try #require(results[mode])
            #expect(result.predictions == 931 && result.withheldTargets == 0, "\(mode.rawValue)")
            #expect(result.mrr >= Self.minimumMRR, "\(mode.rawValue): MRR@20 \(result.mrr)")
            #expect(result.hitRate >= Self.minimumHitRate, "\(mode.rawValue): HR@20 \(result.hitRate)")
        }
    }
}
