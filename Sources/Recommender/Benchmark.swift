import Foundation

/// Micro-benchmarks of the two hot paths, on a trained model: `recommend` for every test
/// prefix, and `apply` for a stream of events (publishing after every event, and in batches).
public struct EngineBenchmark: Sendable {
    public struct Report: Sendable {
        public var predictMean = 0.0, predictP50 = 0.0, predictP90 = 0.0, predictP99 = 0.0
        public var updateMeanPublishEach = 0.0
        public var updateMeanBatched = 0.0
        public var snapshotBytes = 0
        public var snapshotEncodeMillis = 0.0
        public var snapshotDecodeMillis = 0.0

        public var summary: String {
            String(format: """
            predict: mean=%.1fµs p50=%.1fµs p90=%.1fµs p99=%.1fµs
            update (publish after each event): mean=%.2fµs/event
            update (apply(contentsOf:), one publish): mean=%.2fµs/event
            snapshot: %d bytes, encode %.1f ms, decode %.1f ms
            """, predictMean, predictP50, predictP90, predictP99, updateMeanPublishEach, updateMeanBatched,
                   snapshotBytes, snapshotEncodeMillis, snapshotDecodeMillis)
        }
    }

    public init() {}

    public func run(training: [ClickSession], test: [ClickSession], config: RankingConfig, parameters: ModelParameters = .default, rounds: Int = 3) -> Report {
        var report = Report()
        let model = NextItemEvaluator.train(training, parameters: parameters)
        var requests: [RecommendationRequest] = []
        for session in test where session.events.count >= 2 {
            for prefix in 1..<session.events.count {
                requests.append(RecommendationRequest(recentItems: session.events[0..<prefix].map { SessionItem(itemId: $0.itemId) }, limit: 20))
            }
        }
        var latencies: [Double] = []
        var config = config
        config.candidates.minimumReturned = 0
        for _ in 0..<max(rounds, 1) {
            for request in requests {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = model.recommend(request, config: config)
                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
            }
        }
        latencies.sort()
        report.predictMean = latencies.reduce(0, +) / Double(max(latencies.count, 1))
        report.predictP50 = NextItemEvaluator.percentile(latencies, 0.5)
        report.predictP90 = NextItemEvaluator.percentile(latencies, 0.9)
        report.predictP99 = NextItemEvaluator.percentile(latencies, 0.99)

        // Update cost: replay the test events (new sessions, mostly known items) on the trained model.
        let events = SessionFile.trainingEvents(test)
        var start = DispatchTime.now().uptimeNanoseconds
        for event in events { model.apply(event) }
        report.updateMeanPublishEach = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(max(events.count, 1)) / 1000

        let second = NextItemEvaluator.train(training, parameters: parameters)
        start = DispatchTime.now().uptimeNanoseconds
        second.apply(contentsOf: events)
        report.updateMeanBatched = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(max(events.count, 1)) / 1000

        start = DispatchTime.now().uptimeNanoseconds
        let data = model.snapshot()
        report.snapshotEncodeMillis = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        report.snapshotBytes = data.count
        start = DispatchTime.now().uptimeNanoseconds
        _ = try? SessionRankModel.load(from: data)
        report.snapshotDecodeMillis = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        return report
    }
}
