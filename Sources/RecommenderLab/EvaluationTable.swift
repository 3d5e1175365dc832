import Foundation

/// The Markdown table `evaluate --baselines` prints: SessionRank in each mode, then every
/// baseline, one row each, same split, protocol and metrics.
public enum EvaluationTable {
    public static func render(_ outcome: EngineCommands.EvaluateOutcome, protocol evaluationProtocol: EvaluationProtocol, test: String) -> String {
        var rows: [(String, String, EvaluationResult)] = []
        for mode in EvaluationMode.allCases {
            if let result = outcome.results[mode] { rows.append(("SessionRank", mode.rawValue, result)) }
        }
        rows += outcome.baselines.map { ($0.name, EvaluationMode.frozen.rawValue, $0.result) }
        var lines = [
            "\(test), protocol \(evaluationProtocol.rawValue):",
            "| model | mode | MRR@20 | HR@20 | NDCG@20 | coverage@20 | popularity@20 | predictions | p50 µs |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for (name, mode, r) in rows {
            lines.append(String(format: "| %@ | %@ | %.4f | %.4f | %.4f | %.4f | %.4f | %d | %.1f |",
                                name, mode, r.mrr, r.hitRate, r.ndcg, r.coverage, r.popularity, r.predictions, r.latencyP50))
        }
        return lines.joined(separator: "\n")
    }
}
