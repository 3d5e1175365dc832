import Histogram

/// Everything recorded for one endpoint during the measured window.
/// Latencies are microseconds from the intended send time to the end of the response.
public struct EndpointRecorder: Sendable {
    /// One minute in microseconds; slower answers are clamped (and the request has timed out anyway).
    public static let highestTrackableMicros: UInt64 = 60_000_000

    public var latency = Histogram<UInt64>(highestTrackableValue: highestTrackableMicros, numberOfSignificantValueDigits: .three)
    /// How long after its intended time each request actually went on the wire.
    public var lateness = Histogram<UInt64>(highestTrackableValue: highestTrackableMicros, numberOfSignificantValueDigits: .two)
    /// How long refusals (`503`, `429`) took: shedding is only useful when it is fast.
    public var refusalLatency = Histogram<UInt64>(highestTrackableValue: highestTrackableMicros, numberOfSignificantValueDigits: .two)
    public var scheduled = 0
    public var succeeded = 0
    /// Events accepted by successful `POST /v1/events` answers (a batch counts all its events).
    public var eventsAccepted = 0
    public var timeouts = 0
    public var lateSends = 0
    public var errors: [String: Int] = [:]
    public var seconds: [SecondBucket] = []

    public init() {}

    public var failed: Int { errors.values.reduce(0, +) + timeouts }
    public var completed: Int { succeeded + failed }

    mutating func bucket(_ index: Int) -> Int {
        while seconds.count <= index { seconds.append(SecondBucket()) }
        return index
    }

    public mutating func merge(_ other: EndpointRecorder) {
        latency.add(other.latency)
        lateness.add(other.lateness)
        refusalLatency.add(other.refusalLatency)
        scheduled += other.scheduled
        succeeded += other.succeeded
        eventsAccepted += other.eventsAccepted
        timeouts += other.timeouts
        lateSends += other.lateSends
        errors.merge(other.errors, uniquingKeysWith: +)
        for (index, bucket) in other.seconds.enumerated() {
            let i = self.bucket(index)
            seconds[i].merge(bucket)
        }
    }
}

/// One second of the measured window: what was meant to be sent, what completed, how fast.
public struct SecondBucket: Sendable {
    /// Requests whose intended time fell in this second (the target rate).
    public var intended = 0
    /// Successful responses that completed in this second (the achieved rate).
    public var completed = 0
    public var errors = 0
    /// Latencies of requests intended in this second (coarser: two significant digits).
    public var latency = Histogram<UInt64>(highestTrackableValue: EndpointRecorder.highestTrackableMicros, numberOfSignificantValueDigits: .two)

    public init() {}

    mutating func merge(_ other: SecondBucket) {
        intended += other.intended
        completed += other.completed
        errors += other.errors
        latency.add(other.latency)
    }
}
