/// Records one run (or one client thread of it). Time arguments are nanoseconds since
/// the run's start; anything intended before the end of the warm-up is left out.
public struct RunRecorder: Sendable {
    public let warmupNanos: UInt64
    public let lateThresholdNanos: UInt64
    public private(set) var endpoints: [String: EndpointRecorder] = [:]
    public private(set) var warmupRequests = 0

    public init(warmupNanos: UInt64, lateThresholdNanos: UInt64) {
        self.warmupNanos = warmupNanos
        self.lateThresholdNanos = lateThresholdNanos
    }

    /// The second of the measured window that `nanos` falls in.
    private static func second(of nanos: UInt64, warmup: UInt64) -> Int {
        nanos <= warmup ? 0 : Int((nanos - warmup) / 1_000_000_000)
    }

    /// Mutates one endpoint's recorder in place: copying it would copy its histograms.
    private mutating func update(_ endpoint: String, _ body: (inout EndpointRecorder) -> Void) {
        body(&endpoints[endpoint, default: EndpointRecorder()])
    }

    /// Called at the intended time: the request counts as scheduled even if it is never sent.
    public mutating func recordIntended(endpoint: String, intendedNanos: UInt64) {
        guard intendedNanos >= warmupNanos else {
            warmupRequests += 1
            return
        }
        let second = Self.second(of: intendedNanos, warmup: warmupNanos)
        update(endpoint) { recorder in
            recorder.scheduled += 1
            recorder.seconds[recorder.bucket(second)].intended += 1
        }
    }

    /// Called when the request goes on the wire: measures how late that was.
    public mutating func recordSent(endpoint: String, intendedNanos: UInt64, sentNanos: UInt64) {
        guard intendedNanos >= warmupNanos else { return }
        let late = sentNanos > intendedNanos ? sentNanos - intendedNanos : 0
        let threshold = lateThresholdNanos
        update(endpoint) { recorder in
            _ = recorder.lateness.record(min(late / 1000, EndpointRecorder.highestTrackableMicros))
            if late > threshold { recorder.lateSends += 1 }
        }
    }

    /// `events`: events the answer accepted (events endpoint, successful answers), for events/s.
    public mutating func recordCompletion(endpoint: String, intendedNanos: UInt64, completedNanos: UInt64, outcome: Outcome, events: Int = 0) {
        guard intendedNanos >= warmupNanos else { return }
        let intendedSecond = Self.second(of: intendedNanos, warmup: warmupNanos)
        let doneSecond = Self.second(of: completedNanos, warmup: warmupNanos)
        update(endpoint) { recorder in
            let i = recorder.bucket(intendedSecond)
            switch outcome {
            case .success:
                let micros = completedNanos > intendedNanos ? (completedNanos - intendedNanos) / 1000 : 0
                let clamped = min(micros, EndpointRecorder.highestTrackableMicros)
                recorder.succeeded += 1
                recorder.eventsAccepted += events
                _ = recorder.latency.record(clamped)
                _ = recorder.seconds[i].latency.record(clamped)
                recorder.seconds[recorder.bucket(doneSecond)].completed += 1
            case .timeout:
                recorder.timeouts += 1
                recorder.seconds[i].errors += 1
            case .failure(let kind):
                if kind == "http_503" || kind == "http_429" {
                    let micros = completedNanos > intendedNanos ? (completedNanos - intendedNanos) / 1000 : 0
                    _ = recorder.refusalLatency.record(min(micros, EndpointRecorder.highestTrackableMicros))
                }
                recorder.errors[kind, default: 0] += 1
                recorder.seconds[i].errors += 1
            }
        }
    }

    public mutating func merge(_ other: RunRecorder) {
        warmupRequests += other.warmupRequests
        for (name, recorder) in other.endpoints {
            endpoints[name, default: EndpointRecorder()].merge(recorder)
        }
    }

    /// All endpoints together, for the overall line of the report.
    public var overall: EndpointRecorder {
        var all = EndpointRecorder()
        for recorder in endpoints.values { all.merge(recorder) }
        return all
    }
}
