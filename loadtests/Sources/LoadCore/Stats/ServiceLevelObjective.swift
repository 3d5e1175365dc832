/// A latency and error objective for one endpoint (or every endpoint when `endpoint` is nil).
/// Latencies are in milliseconds; a missing bound is not checked.
public struct ServiceLevelObjective: Codable, Sendable, Equatable {
    public var endpoint: String?
    public var p50Ms: Double?
    public var p90Ms: Double?
    public var p99Ms: Double?
    public var p999Ms: Double?
    public var maxErrorRate: Double?
    /// Achieved over target rate; catches a service (or harness) that cannot keep up.
    public var minAchievedRatio: Double?

    public init(
        endpoint: String?, p50Ms: Double? = nil, p90Ms: Double? = nil, p99Ms: Double? = nil, p999Ms: Double? = nil,
        maxErrorRate: Double? = nil, minAchievedRatio: Double? = nil
    ) {
        self.endpoint = endpoint
        self.p50Ms = p50Ms
        self.p90Ms = p90Ms
        self.p99Ms = p99Ms
        self.p999Ms = p999Ms
        self.maxErrorRate = maxErrorRate
        self.minAchievedRatio = minAchievedRatio
    }
}

public struct SLOResult: Codable, Sendable, Equatable {
    public var endpoint: String
    public var objective: String
    public var limit: Double
    public var measured: Double
    public var passed: Bool
}

public enum SLOEvaluator {
    /// One result per bound per endpoint. An objective naming an endpoint that saw no traffic fails:
    /// a run that silently skipped what it was meant to measure must not pass.
    public static func evaluate(_ objectives: [ServiceLevelObjective], summary: RunSummary) -> [SLOResult] {
        objectives.flatMap { objective -> [SLOResult] in
            let targets: [EndpointSummary]
            if let name = objective.endpoint {
                guard let found = summary.endpoint(name) else {
                    return [SLOResult(endpoint: name, objective: "traffic", limit: 1, measured: 0, passed: false)]
                }
                targets = [found]
            } else {
                targets = summary.endpoints
            }
            return targets.flatMap { evaluate(objective, on: $0) }
        }
    }

    public static func evaluate(_ objective: ServiceLevelObjective, on endpoint: EndpointSummary) -> [SLOResult] {
        var results: [SLOResult] = []
        func atMost(_ name: String, _ limit: Double?, _ measured: Double) {
            guard let limit else { return }
            results.append(SLOResult(endpoint: endpoint.name, objective: name, limit: limit, measured: measured, passed: measured <= limit))
        }
        if endpoint.scheduled == 0 {
            return [SLOResult(endpoint: endpoint.name, objective: "traffic", limit: 1, measured: 0, passed: false)]
        }
        atMost("p50Ms", objective.p50Ms, endpoint.latencyMs.p50)
        atMost("p90Ms", objective.p90Ms, endpoint.latencyMs.p90)
        atMost("p99Ms", objective.p99Ms, endpoint.latencyMs.p99)
        atMost("p999Ms", objective.p999Ms, endpoint.latencyMs.p999)
        atMost("errorRate", objective.maxErrorRate, endpoint.errorRate)
        if let ratio = objective.minAchievedRatio {
            let measured = endpoint.targetRate > 0 ? endpoint.achievedRate / endpoint.targetRate : 0
            results.append(SLOResult(endpoint: endpoint.name, objective: "achievedRatio", limit: ratio, measured: measured, passed: measured >= ratio))
        }
        return results
    }
}
