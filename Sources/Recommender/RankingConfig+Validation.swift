/// Ranges of the query-time knobs. Values outside them make no sense to the engine (a negative
/// weight, a zero learning rate, NaN) or would make a request scan without bound, so a config
/// holding one is refused whole rather than ranked with.
extension RankingConfig {
    /// Problems as `field: message`, empty when every knob is in range.
    public func validationErrors(prefix: String = "engine") -> [String] {
        var errors: [String] = []
        func check(_ field: String, _ value: Int, _ range: ClosedRange<Int>, _ note: String = "") {
            if !range.contains(value) {
                errors.append("\(prefix).\(field): must be a whole number from \(range.lowerBound) to \(range.upperBound)\(note); got \(value)")
            }
        }
        func check(_ field: String, _ value: Double, _ range: ClosedRange<Double>, _ note: String = "") {
            if !range.contains(value) {
                errors.append("\(prefix).\(field): must be a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))\(note); got \(value)")
            }
        }
        check("candidates.perSource", candidates.perSource, 1...10_000)
        check("candidates.minimumReturned", candidates.minimumReturned, 0...1_000)
        for (name, weight) in weights.named {
            check("weights.\(name)", weight, 0...100, " (0 switches the source off)")
        }
        check("knn.sampleSize", knn.sampleSize, 1...10_000)
        check("knn.neighbours", knn.neighbours, 1...10_000)
        check("knn.sessionItems", knn.sessionItems, 0...1_000, " (0 = all)")
        check("knn.idfWeight", knn.idfWeight, 0...100)
        check("knn.matchDecay", knn.matchDecay, 0...10)
        check("knn.positionDecay", knn.positionDecay, 0...1, " (1 = off)")
        check("sequence.sessionItems", sequence.sessionItems, 1...100)
        check("sequence.recencyDecay", sequence.recencyDecay, 0...1)
        check("association.minSupport", association.minSupport, 1...1_000_000)
        check("association.minConfidence", association.minConfidence, 0...1)
        check("association.minLift", association.minLift, 0...1_000)
        if !(ranker.learningRate > 0 && ranker.learningRate <= 10) {
            errors.append("\(prefix).ranker.learningRate: must be a number greater than 0 and at most 10; got \(ranker.learningRate)")
        }
        check("ranker.beta", ranker.beta, 0...100)
        check("ranker.l1", ranker.l1, 0...1_000)
        check("ranker.l2", ranker.l2, 0...1_000)
        check("ranker.minFeedback", ranker.minFeedback, 0...100_000_000)
        return errors
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension BlendWeights {
    /// Each weight with its name in the config, in the documented order.
    var named: [(String, Double)] {
        [
            ("knn", knn), ("transition", transition), ("covisitation", covisitation), ("association", association),
            ("popularity", popularity), ("regionalPopularity", regionalPopularity), ("interest", interest), ("recent", recent),
        ]
    }
}
