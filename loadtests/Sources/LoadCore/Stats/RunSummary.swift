/// The JSON summary of a run: what `summary.json` holds, what the HTML report and
/// `compare` read. Latencies are milliseconds.
public struct RunSummary: Codable, Sendable {
    public static let currentFormat = 1

    public var format = RunSummary.currentFormat
    public var scenario: String
    public var target: String
    public var startedAt: String
    public var warmupSeconds: Double
    public var durationSeconds: Double
    public var harness: HarnessInfo
    public var endpoints: [EndpointSummary]
    public var overall: EndpointSummary
    public var correctness: CorrectnessSummary?
    public var slo: [SLOResult] = []
    public var capacity: CapacitySummary?

    public var sloPassed: Bool { slo.allSatisfy(\.passed) && (capacity?.passed ?? true) && (correctness?.passed ?? true) }

    public init(
        scenario: String, target: String, startedAt: String, warmupSeconds: Double, durationSeconds: Double,
        harness: HarnessInfo, endpoints: [EndpointSummary], overall: EndpointSummary
    ) {
        self.scenario = scenario
        self.target = target
        self.startedAt = startedAt
        self.warmupSeconds = warmupSeconds
        self.durationSeconds = durationSeconds
        self.harness = harness
        self.endpoints = endpoints
        self.overall = overall
    }

    public func endpoint(_ name: String) -> EndpointSummary? {
        name == "overall" ? overall : endpoints.first { $0.name == name }
    }
}

public struct HarnessInfo: Codable, Sendable {
    public var clientThreads: Int
    public var maxConnections: Int
    public var connectionsOpened: Int
    public var arrival: String
    public var warmupRequests: Int
    public init(clientThreads: Int, maxConnections: Int, connectionsOpened: Int, arrival: String, warmupRequests: Int) {
        self.clientThreads = clientThreads
        self.maxConnections = maxConnections
        self.connectionsOpened = connectionsOpened
        self.arrival = arrival
        self.warmupRequests = warmupRequests
    }
}

public struct LatencySummary: Codable, Sendable, Equatable {
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
    public var mean: Double
    public init(p50: Double, p90: Double, p99: Double, p999: Double, max: Double, mean: Double) {
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
        self.max = max
        self.mean = mean
    }
}

public struct PercentilePoint: Codable, Sendable, Equatable {
    public var percentile: Double
    public var valueMs: Double
}

public struct TimelinePoint: Codable, Sendable, Equatable {
    public var second: Int
    public var intended: Int
    public var completed: Int
    public var errors: Int
    public var p50Ms: Double
    public var p99Ms: Double
    public var maxMs: Double
}

public struct EndpointSummary: Codable, Sendable {
    public var name: String
    public var scheduled: Int
    public var succeeded: Int
    public var timeouts: Int
    public var errors: [String: Int]
    public var targetRate: Double
    public var achievedRate: Double
    public var latencyMs: LatencySummary
    public var lateSends: Int
    public var latenessP99Ms: Double
    public var latenessMaxMs: Double
    public var percentiles: [PercentilePoint]
    public var timeline: [TimelinePoint]
    /// Events accepted in successful answers and their rate over the measured window
    /// (events endpoint only; a 50-event batch counts 50).
    public var eventsAccepted: Int?
    public var eventsPerSecond: Double?
    /// Latency of the refusals (`503`, `429`), from the intended send time; nil when none.
    public var refusalLatencyMs: LatencySummary?

    public var failed: Int { errors.values.reduce(0, +) + timeouts }
    /// Failures over everything that was scheduled (a request that never finished counts as failed).
    public var errorRate: Double {
        scheduled == 0 ? 0 : Double(max(failed, scheduled - succeeded)) / Double(scheduled)
    }
}
