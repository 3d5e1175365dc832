/// Compares a candidate run with a baseline, endpoint by endpoint.
public struct ComparisonRow: Sendable, Equatable {
    public var endpoint: String
    public var metric: String
    public var baseline: Double
    public var candidate: Double
    /// Positive means the candidate is worse (slower, fewer per second, more errors).
    public var worsening: Double
    public var regressed: Bool
}

public enum Comparison {
    /// Relative change where "bigger is worse"; rates use the inverse.
    /// Tiny baselines (under `floor`) are compared against the floor so 0.01 → 0.02 ms is not "100% worse".
    static func worsening(baseline: Double, candidate: Double, higherIsWorse: Bool, floor: Double) -> Double {
        let base = max(abs(baseline), floor)
        let change = (candidate - baseline) / base
        return higherIsWorse ? change : -change
    }

    public static func compare(baseline: RunSummary, candidate: RunSummary, tolerance: Double) -> [ComparisonRow] {
        let names = (baseline.endpoints.map(\.name) + ["overall"]).filter { candidate.endpoint($0) != nil }
        var rows: [ComparisonRow] = []
        for name in names {
            guard let base = baseline.endpoint(name), let cand = candidate.endpoint(name) else { continue }
            let metrics: [(String, Double, Double, Bool, Double)] = [
                ("p50 ms", base.latencyMs.p50, cand.latencyMs.p50, true, 0.05),
                ("p90 ms", base.latencyMs.p90, cand.latencyMs.p90, true, 0.05),
                ("p99 ms", base.latencyMs.p99, cand.latencyMs.p99, true, 0.05),
                ("p99.9 ms", base.latencyMs.p999, cand.latencyMs.p999, true, 0.05),
                ("max ms", base.latencyMs.max, cand.latencyMs.max, true, 0.05),
                ("achieved/s", base.achievedRate, cand.achievedRate, false, 1),
                ("error rate", base.errorRate, cand.errorRate, true, 0.001),
            ]
            for (metric, b, c, higherIsWorse, floor) in metrics {
                let w = worsening(baseline: b, candidate: c, higherIsWorse: higherIsWorse, floor: floor)
                // max latency is one sample: shown, never judged.
                let judged = metric != "max ms"
                rows.append(ComparisonRow(endpoint: name, metric: metric, baseline: b, candidate: c, worsening: w, regressed: judged && w > tolerance))
            }
        }
        return rows
    }

    /// A fixed-width table for the terminal.
    public static func table(_ rows: [ComparisonRow]) -> String {
        var lines = [pad("endpoint", 12) + pad("metric", 12) + pad("baseline", 12, left: false) + pad("candidate", 12, left: false) + pad("change", 10, left: false)]
        for row in rows {
            let sign = row.worsening > 0 ? "+" : ""
            let flag = row.regressed ? "  REGRESSED" : ""
            lines.append(
                pad(row.endpoint, 12) + pad(row.metric, 12) + pad(Format.number(row.baseline), 12, left: false)
                    + pad(Format.number(row.candidate), 12, left: false)
                    + pad(sign + Format.number(row.worsening * 100, digits: 1) + "%", 10, left: false) + flag
            )
        }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ s: String, _ width: Int, left: Bool = true) -> String {
        let fill = String(repeating: " ", count: max(0, width - s.count))
        return left ? s + fill : fill + s + " "
    }
}
