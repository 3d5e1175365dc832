import Foundation
import Recommender

/// Micro-benchmarks of the two hot paths, on a trained model: `recommend` for every test
/// prefix, and learning the test events (new sessions, mostly known items) the way the server
/// does it — `apply(contentsOf:)` per consumed Kafka batch, one publish per batch — as well as
/// one publish per event for comparison.
public struct EngineBenchmark: Sendable {
    /// Cost of learning a stream in batches of `batchSize` events with one publish per batch.
    public struct UpdateCost: Sendable {
        public var batchSize: Int
        /// Mean wall time per event, including the publish at the end of each batch.
        public var microsPerEvent: Double
        /// Slowest batch: the longest an event waits, once the batch is handed over, until readers see it.
        public var slowestBatchMillis: Double
    }

    public struct Report: Sendable {
        public var predictMean = 0.0, predictP50 = 0.0, predictP90 = 0.0, predictP99 = 0.0
        /// `apply(_:)` with `publishEvery` 1: every event visible to readers when the call returns.
        public var updateMeanPublishEach = 0.0
        /// `apply(contentsOf:)` per batch of the sizes in `batchSizes`.
        public var batched: [UpdateCost] = []
        public var snapshotBytes = 0
        public var snapshotEncodeMillis = 0.0
        public var snapshotDecodeMillis = 0.0

        public var summary: String {
            var lines = [String(format: "predict (in-process recommend, limit 20): mean=%.1fµs p50=%.1fµs p90=%.1fµs p99=%.1fµs",
                                predictMean, predictP50, predictP90, predictP99)]
            lines.append(String(format: "update, apply(_:) publishing after every event: mean=%.2fµs/event", updateMeanPublishEach))
            for cost in batched {
                lines.append(String(format: "update, apply(contentsOf:) batches of %d + one publish each: mean=%.2fµs/event, slowest batch %.2f ms",
                                    cost.batchSize, cost.microsPerEvent, cost.slowestBatchMillis))
            }
            lines.append(String(format: "snapshot: %d bytes, encode %.1f ms, decode %.1f ms", snapshotBytes, snapshotEncodeMillis, snapshotDecodeMillis))
            return lines.joined(separator: "\n")
        }
    }

    public var batchSizes: [Int]

    public init(batchSizes: [Int] = [10, 100, 500]) {
        self.batchSizes = batchSizes
    }

    public func run(training: [ClickSession], test: [ClickSession], config: RankingConfig, parameters: ModelParameters = .default, rounds: Int = 3) -> Report {
        var report = Report()
        let model = NextItemEvaluator.train(training, parameters: parameters)
        measurePredict(model: model, test: test, config: config, rounds: rounds, into: &report)

        let events = SessionFile.trainingEvents(test)
        var eachParameters = parameters
        eachParameters.publishEvery = 1
        let each = NextItemEvaluator.train(training, parameters: eachParameters)
        let start = now()
        for event in events { each.apply(event) }
        report.updateMeanPublishEach = Double(now() - start) / Double(max(events.count, 1)) / 1000

        for size in batchSizes where size > 0 {
            report.batched.append(measureBatches(of: size, events: events, model: NextItemEvaluator.train(training, parameters: parameters)))
        }

        var begin = now()
        let data = model.snapshot()
        report.snapshotEncodeMillis = Double(now() - begin) / 1e6
        report.snapshotBytes = data.count
        begin = now()
        _ = try? SessionRankModel.load(from: data)
        report.snapshotDecodeMillis = Double(now() - begin) / 1e6
        return report
    }

    private func measurePredict(model: SessionRankModel, test: [ClickSession], config: RankingConfig, rounds: Int, into report: inout Report) {
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
                let start = now()
                _ = model.recommend(request, config: config)
                latencies.append(Double(now() - start) / 1000)
            }
        }
        latencies.sort()
        report.predictMean = latencies.reduce(0, +) / Double(max(latencies.count, 1))
        report.predictP50 = NextItemEvaluator.percentile(latencies, 0.5)
        report.predictP90 = NextItemEvaluator.percentile(latencies, 0.9)
        report.predictP99 = NextItemEvaluator.percentile(latencies, 0.99)
    }

    private func measureBatches(of size: Int, events: [ModelEvent], model: SessionRankModel) -> UpdateCost {
        var total: UInt64 = 0, slowest: UInt64 = 0
        var from = 0
        while from < events.count {
            let to = min(from + size, events.count)
            let start = now()
            model.apply(contentsOf: events[from..<to])
            let elapsed = now() - start
            total += elapsed
            slowest = max(slowest, elapsed)
            from = to
        }
        return UpdateCost(batchSize: size, microsPerEvent: Double(total) / Double(max(events.count, 1)) / 1000, slowestBatchMillis: Double(slowest) / 1e6)
    }

    private func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
