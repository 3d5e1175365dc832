import Foundation
import Recommender

/// What one prediction costs as the model grows: learn a synthetic stream (the service's
/// batches), then time `recommend` on session prefixes the model has not seen, twice — once
/// with the evaluator's settings (`minimumReturned` 0, no context) and once as the service asks
/// (the default config, the visitor's region, the live session known to the model).
public struct PredictionScaleRun: Sendable {
    public struct Latency: Sendable, Equatable {
        public var p50 = 0.0, p90 = 0.0, p99 = 0.0, mean = 0.0
    }

    public struct Report: Sendable {
        public var events = 0
        public var liveSessions = 0
        public var items = 0
        public var learnSeconds = 0.0
        public var residentBytes = 0
        public var requests = 0
        /// Microseconds per `recommend`, wall clock.
        public var evaluatorLike = Latency()
        public var serviceLike = Latency()
        /// The same calls timed by this thread's CPU clock: what the call costs, without the
        /// time the thread spent preempted on a shared machine.
        public var evaluatorLikeCPU = Latency()
        public var serviceLikeCPU = Latency()
    }

    public var events = 1_000_000
    public var requests = 2_000
    public var batchSize = 500
    public var parameters = ModelParameters.default
    public var stream: SyntheticEventStream.Settings = {
        var settings = SyntheticEventStream.Settings()
        settings.items = 200_000
        return settings
    }()

    public init() {}

    public func run(residentBytes: () -> Int) -> Report {
        var source = SyntheticEventStream(settings: stream)
        let model = SessionRankModel(parameters: parameters)
        let start = DispatchTime.now().uptimeNanoseconds
        while source.count < events {
            model.apply(contentsOf: source.next(min(batchSize, events - source.count)))
        }
        var report = Report()
        report.learnSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        report.residentBytes = residentBytes()
        let stats = model.stats
        report.events = source.count
        report.liveSessions = stats.sessions
        report.items = stats.items

        // Unseen sessions from the same stream: every prefix of length ≥ 1 asks for the next item.
        let probe = source.next(requests * 3)
        var bySession: [String: [ModelEvent]] = [:]
        for event in probe { bySession[event.sessionId, default: []].append(event) }
        var prefixes: [[ModelEvent]] = []
        for events in bySession.values.sorted(by: { $0[0].timestamp < $1[0].timestamp }) {
            for length in 1...events.count where prefixes.count < requests { prefixes.append(Array(events[0..<length])) }
        }
        report.requests = prefixes.count

        var evaluatorConfig = RankingConfig.default
        evaluatorConfig.candidates.minimumReturned = 0
        (report.evaluatorLike, report.evaluatorLikeCPU) = Self.time(prefixes) { prefix in
            _ = model.recommend(RecommendationRequest(recentItems: prefix.map { SessionItem(itemId: $0.itemId) }, limit: 20), config: evaluatorConfig)
        }
        // As the service: the session's own events are learned before it asks.
        model.apply(contentsOf: probe)
        (report.serviceLike, report.serviceLikeCPU) = Self.time(prefixes) { prefix in
            let request = RecommendationRequest(
                sessionId: prefix[0].sessionId, recentItems: prefix.map { SessionItem(itemId: $0.itemId, type: $0.type, timestamp: $0.timestamp) },
                context: RequestContext(region: prefix[0].region, device: "mobile", pageType: "product", hour: 14), limit: 20)
            _ = model.recommend(request, config: .default)
        }
        return report
    }

    private static func time(_ prefixes: [[ModelEvent]], _ body: ([ModelEvent]) -> Void) -> (wall: Latency, cpu: Latency) {
        for prefix in prefixes.prefix(100) { body(prefix) }  // warm caches and scratch buffers
        var wall: [Double] = [], cpu: [Double] = []
        wall.reserveCapacity(prefixes.count)
        cpu.reserveCapacity(prefixes.count)
        for prefix in prefixes {
            let start = DispatchTime.now().uptimeNanoseconds, startCPU = threadCPUNanoseconds()
            body(prefix)
            cpu.append(Double(threadCPUNanoseconds() - startCPU) / 1_000)
            wall.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000)
        }
        return (summary(wall), summary(cpu))
    }

    private static func summary(_ values: [Double]) -> Latency {
        let sorted = values.sorted()
        return Latency(p50: NextItemEvaluator.percentile(sorted, 0.5), p90: NextItemEvaluator.percentile(sorted, 0.9),
                       p99: NextItemEvaluator.percentile(sorted, 0.99), mean: sorted.reduce(0, +) / Double(max(sorted.count, 1)))
    }

    private static func threadCPUNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
