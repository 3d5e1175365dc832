/// What a capacity search found: per endpoint the highest passing rate, and the share
/// of the `/health/live` ceiling measured in the same run.
public struct CapacitySummary: Codable, Sendable {
    public struct Trial: Codable, Sendable, Equatable {
        public var rate: Double
        public var achievedRate: Double
        public var p50Ms: Double
        public var p99Ms: Double
        public var errorRate: Double
        public var passed: Bool
        public init(rate: Double, achievedRate: Double, p50Ms: Double, p99Ms: Double, errorRate: Double, passed: Bool) {
            self.rate = rate
            self.achievedRate = achievedRate
            self.p50Ms = p50Ms
            self.p99Ms = p99Ms
            self.errorRate = errorRate
            self.passed = passed
        }
    }

    public struct Search: Codable, Sendable {
        public var endpoint: String
        public var bestRate: Double?
        public var trials: [Trial]
        /// bestRate over the health ceiling.
        public var ratioToCeiling: Double?
        public var requiredRatio: Double?
        public var passed: Bool {
            guard let required = requiredRatio else { return bestRate != nil }
            return (ratioToCeiling ?? 0) >= required
        }
        public init(endpoint: String, bestRate: Double?, trials: [Trial]) {
            self.endpoint = endpoint
            self.bestRate = bestRate
            self.trials = trials
        }
    }

    public var slo: ServiceLevelObjective
    public var ceiling: Search
    public var searches: [Search]
    public var passed: Bool { ceiling.bestRate != nil && searches.allSatisfy(\.passed) }

    public init(slo: ServiceLevelObjective, ceiling: Search, searches: [Search], minRatio: [String: Double]) {
        self.slo = slo
        self.ceiling = ceiling
        self.searches = searches.map { search in
            var s = search
            if let best = s.bestRate, let top = ceiling.bestRate, top > 0 { s.ratioToCeiling = best / top }
            s.requiredRatio = minRatio[s.endpoint]
            return s
        }
    }
}
