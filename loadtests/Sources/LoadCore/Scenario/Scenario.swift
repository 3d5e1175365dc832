/// A load-test scenario as written in `loadtests/scenarios/*.json|yaml`.
/// Every field except `workloads` has a default; README.md documents the schema.
public struct Scenario: Codable, Sendable {
    public var name: String
    public var description: String
    /// Base URL of the service; loopback hosts only.
    public var target: String
    public var warmupSeconds: Double
    public var durationSeconds: Double
    /// Time allowed for in-flight requests after the last intended send.
    public var drainSeconds: Double
    public var seed: UInt64
    public var arrival: ArrivalProcess
    public var requestTimeoutMs: Double
    /// Upper bound on keep-alive connections per client thread (opened on demand).
    public var maxConnections: Int
    public var clientThreads: Int
    /// A send later than this after its intended time counts as "sent late".
    public var lateThresholdMs: Double
    public var items: ItemUniverse
    public var workloads: [Workload]
    public var correctness: CorrectnessSettings
    public var slo: [ServiceLevelObjective]
    public var capacity: CapacitySettings?

    public init(name: String = "scenario", target: String = "http://127.0.0.1:8080", workloads: [Workload]) {
        self.name = name
        description = ""
        self.target = target
        warmupSeconds = 5
        durationSeconds = 30
        drainSeconds = 5
        seed = 42
        arrival = .uniform
        requestTimeoutMs = 2000
        maxConnections = 256
        clientThreads = 1
        lateThresholdMs = 1
        items = ItemUniverse()
        self.workloads = workloads
        correctness = CorrectnessSettings()
        slo = []
        capacity = nil
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var s = Scenario(workloads: try c.decode([Workload].self, forKey: .workloads))
        s.name = try c.decodeIfPresent(String.self, forKey: .name) ?? s.name
        s.description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        s.target = try c.decodeIfPresent(String.self, forKey: .target) ?? s.target
        s.warmupSeconds = try c.decodeIfPresent(Double.self, forKey: .warmupSeconds) ?? s.warmupSeconds
        s.durationSeconds = try c.decodeIfPresent(Double.self, forKey: .durationSeconds) ?? s.durationSeconds
        s.drainSeconds = try c.decodeIfPresent(Double.self, forKey: .drainSeconds) ?? s.drainSeconds
        s.seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? s.seed
        s.arrival = try c.decodeIfPresent(ArrivalProcess.self, forKey: .arrival) ?? s.arrival
        s.requestTimeoutMs = try c.decodeIfPresent(Double.self, forKey: .requestTimeoutMs) ?? s.requestTimeoutMs
        s.maxConnections = try c.decodeIfPresent(Int.self, forKey: .maxConnections) ?? s.maxConnections
        s.clientThreads = try c.decodeIfPresent(Int.self, forKey: .clientThreads) ?? s.clientThreads
        s.lateThresholdMs = try c.decodeIfPresent(Double.self, forKey: .lateThresholdMs) ?? s.lateThresholdMs
        s.items = try c.decodeIfPresent(ItemUniverse.self, forKey: .items) ?? s.items
        s.correctness = try c.decodeIfPresent(CorrectnessSettings.self, forKey: .correctness) ?? s.correctness
        s.slo = try c.decodeIfPresent([ServiceLevelObjective].self, forKey: .slo) ?? []
        s.capacity = try c.decodeIfPresent(CapacitySettings.self, forKey: .capacity)
        self = s
    }
}

/// The items and users the synthetic traffic draws from (the demo catalog by default).
public struct ItemUniverse: Codable, Sendable {
    /// Items are `itemPrefix` + zero-padded number, 1...itemCount: `p-00001`…`p-02000`.
    public var itemCount: Int = 2000
    public var itemPrefix: String = "p-"
    public var itemDigits: Int = 5
    /// Zipf exponent of item popularity; 0 is uniform, about 1 is typical of shops.
    public var zipfExponent: Double = 1.0
    /// Logged-in visitors are `u-0001`…; the rest are anonymous.
    public var userCount: Int = 1000
    public var loggedInShare: Double = 0.3
    public var regions: [String] = ["DE", "FR", "US"]
    public var devices: [String] = ["desktop", "mobile"]

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var u = ItemUniverse()
        u.itemCount = try c.decodeIfPresent(Int.self, forKey: .itemCount) ?? u.itemCount
        u.itemPrefix = try c.decodeIfPresent(String.self, forKey: .itemPrefix) ?? u.itemPrefix
        u.itemDigits = try c.decodeIfPresent(Int.self, forKey: .itemDigits) ?? u.itemDigits
        u.zipfExponent = try c.decodeIfPresent(Double.self, forKey: .zipfExponent) ?? u.zipfExponent
        u.userCount = try c.decodeIfPresent(Int.self, forKey: .userCount) ?? u.userCount
        u.loggedInShare = try c.decodeIfPresent(Double.self, forKey: .loggedInShare) ?? u.loggedInShare
        u.regions = try c.decodeIfPresent([String].self, forKey: .regions) ?? u.regions
        u.devices = try c.decodeIfPresent([String].self, forKey: .devices) ?? u.devices
        self = u
    }

    /// The item id for a zero-based popularity rank.
    public func itemId(rank: Int) -> String {
        let number = String(rank + 1)
        let padding = String(repeating: "0", count: max(0, itemDigits - number.count))
        return itemPrefix + padding + number
    }

    public func userId(index: Int) -> String {
        let number = String(index + 1)
        return "u-" + String(repeating: "0", count: max(0, 4 - number.count)) + number
    }
}

extension Scenario {
    /// Puts every workload at one constant rate (`--rate`): the fixed-rate steps of a
    /// benchmark, from one scenario file, each a separate run with its own warm-up.
    public mutating func setConstantRate(_ rate: Double) {
        for index in workloads.indices { workloads[index].rate = .constant(rate) }
    }
}
