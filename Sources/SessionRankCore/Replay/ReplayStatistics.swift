import Foundation
import Recommender

/// Figures over the replayed sessions with percentile-bootstrap intervals: sessions are drawn
/// with replacement (a session's answers depend on each other, so the session is the unit),
/// `resamples` times from a fixed seed, and each figure is recomputed on every draw.
struct ReplayStatistics {
    static let resamples = 200
    static let method = "95% percentile bootstrap over sessions (200 resamples, paired for live and draft, fixed seed)"

    let tallies: [SessionTally]
    let itemCount: Int
    /// Catalogue products that may be shown: the coverage denominator.
    let catalogueSize: Int

    struct Figures {
        var mrr: Comparison
        var hitRate: Comparison
        var coverage: Comparison
        var rules: [String: (live: Estimate, draft: Estimate, changed: Estimate)]
    }

    /// One draw's figures, in a fixed order: mrr, hr, coverage (each live, draft), then per rule
    /// (live, draft, changed) in `ruleNames` order.
    private func figures(weights: [Int], ruleNames: [String], stamps: inout [Int], stamp: Int) -> [Double] {
        var predictions = 0.0
        var rr = (0.0, 0.0)
        var hits = (0.0, 0.0)
        var rules = [Double](repeating: 0, count: ruleNames.count * 3)
        var covered = (0, 0)
        for (index, tally) in tallies.enumerated() where weights[index] > 0 {
            let w = Double(weights[index])
            predictions += w * Double(tally.predictions)
            rr.0 += w * tally.reciprocalRank.live
            rr.1 += w * tally.reciprocalRank.draft
            hits.0 += w * Double(tally.hits.live)
            hits.1 += w * Double(tally.hits.draft)
            for (r, name) in ruleNames.enumerated() {
                guard let rule = tally.rules[name] else { continue }
                rules[r * 3] += w * Double(rule.live)
                rules[r * 3 + 1] += w * Double(rule.draft)
                rules[r * 3 + 2] += w * Double(rule.changed)
            }
            // Stamps 2k and 2k+1 mark an item seen under live and draft in draw k.
            for item in tally.shown.live where stamps[Int(item) * 2] != stamp {
                stamps[Int(item) * 2] = stamp
                covered.0 += 1
            }
            for item in tally.shown.draft where stamps[Int(item) * 2 + 1] != stamp {
                stamps[Int(item) * 2 + 1] = stamp
                covered.1 += 1
            }
        }
        let per = max(predictions, 1)
        let size = Double(max(catalogueSize, 1))
        return [rr.0 / per, rr.1 / per, hits.0 / per, hits.1 / per, Double(covered.0) / size, Double(covered.1) / size] + rules
    }

    func compute(seed: UInt64 = 0x5e55_1011) -> Figures {
        let ruleNames = Set(tallies.flatMap(\.rules.keys)).sorted()
        var stamps = [Int](repeating: -1, count: itemCount * 2)
        let point = figures(weights: [Int](repeating: 1, count: tallies.count), ruleNames: ruleNames, stamps: &stamps, stamp: 0)
        var draws = [[Double]]()
        var generator = SeededGenerator(seed: seed)
        if !tallies.isEmpty {
            for draw in 1...Self.resamples {
                var weights = [Int](repeating: 0, count: tallies.count)
                for _ in tallies.indices { weights[Int(generator.next() % UInt64(tallies.count))] += 1 }
                draws.append(figures(weights: weights, ruleNames: ruleNames, stamps: &stamps, stamp: draw))
            }
        }
        func estimate(_ column: Int) -> Estimate {
            interval(point[column], draws.map { $0[column] })
        }
        func difference(_ live: Int, _ draft: Int) -> Estimate {
            interval(point[draft] - point[live], draws.map { $0[draft] - $0[live] })
        }
        func comparison(_ live: Int) -> Comparison {
            Comparison(live: estimate(live), draft: estimate(live + 1), difference: difference(live, live + 1))
        }
        var rules: [String: (live: Estimate, draft: Estimate, changed: Estimate)] = [:]
        for (r, name) in ruleNames.enumerated() {
            rules[name] = (estimate(6 + r * 3), estimate(6 + r * 3 + 1), estimate(6 + r * 3 + 2))
        }
        return Figures(mrr: comparison(0), hitRate: comparison(2), coverage: comparison(4), rules: rules)
    }

    /// The 2.5th and 97.5th percentiles of the draws around `value`; with no draws, the value itself.
    private func interval(_ value: Double, _ draws: [Double]) -> Estimate {
        guard !draws.isEmpty else { return Estimate(value: value, low: value, high: value) }
        let sorted = draws.sorted()
        let low = sorted[Int((Double(sorted.count - 1) * 0.025).rounded())]
        let high = sorted[Int((Double(sorted.count - 1) * 0.975).rounded())]
        return Estimate(value: value, low: min(low, value), high: max(high, value))
    }
}
