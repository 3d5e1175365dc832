/// A capacity search: for each endpoint, the highest constant rate that meets `slo`,
/// next to the same search on `/health/live` as the ceiling of this machine.
public struct CapacitySettings: Codable, Sendable {
    /// Workload kinds to search: `recommend`, `events`, `storefront`, `admin`.
    public var endpoints: [Workload.Kind] = [.recommend, .events]
    public var startRate: Double = 500
    public var maxRate: Double = 100_000
    /// Multiplier while every trial passes, before bisecting.
    public var growthFactor: Double = 2
    /// Stop bisecting when the bracket is narrower than this share of the passing rate.
    public var precision: Double = 0.05
    public var maxTrials: Int = 12
    public var trialSeconds: Double = 10
    public var trialWarmupSeconds: Double = 2
    /// Seconds without load before each trial: an overloaded trial leaves queues behind (the
    /// service's Kafka backlog, the model updater catching up) that would otherwise count
    /// against the next trial, whatever its rate.
    public var settleSeconds: Double = 3
    /// Runs of a failed rate again before it counts as failed (see `CapacitySearch`); 0: none.
    public var failureRepeats: Int = 1
    public var slo: ServiceLevelObjective = ServiceLevelObjective(endpoint: nil, p99Ms: 10, maxErrorRate: 0.001)
    /// Minimum share of the health ceiling each endpoint must reach (issue 8: recommend 0.4, events 0.5).
    public var minRatio: [String: Double] = ["recommend": 0.4, "events": 0.5]

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = CapacitySettings()
        s.endpoints = try c.decodeIfPresent([Workload.Kind].self, forKey: .endpoints) ?? s.endpoints
        s.startRate = try c.decodeIfPresent(Double.self, forKey: .startRate) ?? s.startRate
        s.maxRate = try c.decodeIfPresent(Double.self, forKey: .maxRate) ?? s.maxRate
        s.growthFactor = try c.decodeIfPresent(Double.self, forKey: .growthFactor) ?? s.growthFactor
        s.precision = try c.decodeIfPresent(Double.self, forKey: .precision) ?? s.precision
        s.maxTrials = try c.decodeIfPresent(Int.self, forKey: .maxTrials) ?? s.maxTrials
        s.trialSeconds = try c.decodeIfPresent(Double.self, forKey: .trialSeconds) ?? s.trialSeconds
        s.trialWarmupSeconds = try c.decodeIfPresent(Double.self, forKey: .trialWarmupSeconds) ?? s.trialWarmupSeconds
        s.settleSeconds = try c.decodeIfPresent(Double.self, forKey: .settleSeconds) ?? s.settleSeconds
        s.failureRepeats = try c.decodeIfPresent(Int.self, forKey: .failureRepeats) ?? s.failureRepeats
        s.slo = try c.decodeIfPresent(ServiceLevelObjective.self, forKey: .slo) ?? s.slo
        s.minRatio = try c.decodeIfPresent([String: Double].self, forKey: .minRatio) ?? s.minRatio
        self = s
    }
}
