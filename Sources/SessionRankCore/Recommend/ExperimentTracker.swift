import Foundation
import Prometheus
import Synchronization

/// Per-variant counts of the running experiment: lists served, impressions (items served),
/// clicks and purchases attributed through the recommendation id. Counts are this replica's
/// own, since start; `/metrics` exports them so a Prometheus sum gives the fleet's.
public final class ExperimentTracker: Sendable {
    public struct Counts: Sendable, Equatable, Codable {
        public var served = 0
        public var impressions = 0
        public var clicks = 0
        public var purchases = 0
    }

    struct Key: Hashable, Sendable {
        var experiment: String
        var variant: String
    }

    private struct State {
        var counts: [Key: Counts] = [:]
        /// recommendationId → variant, oldest evicted first, so feedback can be attributed.
        var variants: [String: Key] = [:]
        var order: [String] = []
        var next = 0
    }

    private let state = Mutex(State())
    private let registry: PrometheusCollectorRegistry
    let capacity: Int

    public init(registry: PrometheusCollectorRegistry, capacity: Int = 200_000) {
        self.registry = registry
        self.capacity = capacity
    }

    func served(recommendationId: String, experiment: String, variant: String, items: Int) {
        let key = Key(experiment: experiment, variant: variant)
        state.withLock { state in
            state.counts[key, default: Counts()].served += 1
            state.counts[key, default: Counts()].impressions += items
            if state.order.count < capacity {
                state.order.append(recommendationId)
            } else {
                state.variants[state.order[state.next]] = nil
                state.order[state.next] = recommendationId
                state.next = (state.next + 1) % capacity
            }
            state.variants[recommendationId] = key
        }
        counter("impressions", key).increment(by: Int64(items))
    }

    func feedback(recommendationId: String, type: FeedbackType) {
        guard type == .click || type == .purchase else { return }
        let key: Key? = state.withLock { state in
            guard let key = state.variants[recommendationId] else { return nil }
            if type == .click { state.counts[key, default: Counts()].clicks += 1 } else { state.counts[key, default: Counts()].purchases += 1 }
            return key
        }
        if let key { counter(type == .click ? "clicks" : "purchases", key).increment() }
    }

    public func counts(experiment: String) -> [String: Counts] {
        state.withLock { state in
            Dictionary(uniqueKeysWithValues: state.counts.filter { $0.key.experiment == experiment }.map { ($0.key.variant, $0.value) })
        }
    }

    private func counter(_ name: String, _ key: Key) -> Prometheus.Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "sessionrank", metricName: "experiment_\(name)", unitName: "total",
                helpText: "Experiment \(name) per variant, counted by this replica."),
            labels: [("experiment", key.experiment), ("variant", key.variant)])
    }
}

/// Counts served lists and attributed feedback for the experiment and the live KPIs, then
/// publishes as before.
package struct ExperimentFeedbackPublisher: FeedbackPublisher {
    let base: any FeedbackPublisher
    let tracker: ExperimentTracker
    let kpis: LiveKPIs

    package func publish(served: ServedRecord) {
        kpis.served(items: served.items.count, latencyMicroseconds: served.latencyMicroseconds)
        if let experiment = served.experiment {
            tracker.served(recommendationId: served.recommendationId, experiment: experiment, variant: served.variant, items: served.items.count)
        }
        base.publish(served: served)
    }

    package func publish(feedback: FeedbackRecord) {
        if feedback.type == .click { kpis.clicked() }
        tracker.feedback(recommendationId: feedback.recommendationId, type: feedback.type)
        base.publish(feedback: feedback)
    }

    package init(base: any FeedbackPublisher, tracker: ExperimentTracker, kpis: LiveKPIs) {
        self.base = base
        self.tracker = tracker
        self.kpis = kpis
    }
}

/// Results per variant with a 95 % interval on the difference from control (two-proportion
/// normal approximation, per impression).
public struct ExperimentResults: Encodable, Sendable {
    public struct Interval: Encodable, Sendable {
        public var difference: Double
        public var low: Double
        public var high: Double
    }

    public struct Variant: Encodable, Sendable {
        public var name: String
        public var share: Double
        public var served: Int
        public var impressions: Int
        public var clicks: Int
        public var purchases: Int
        public var ctr: Double?
        public var conversion: Double?
        /// nil for control and while either side has no impressions.
        public var ctrDifference: Interval?
        public var conversionDifference: Interval?
    }

    public var experiment: String?
    public var variants: [Variant]
    public var note = "counts are this replica's since it started; sum sessionrank_experiment_* in Prometheus for the fleet"

    public init(experiment: RankingExperiment?, counts: [String: ExperimentTracker.Counts]) {
        self.experiment = experiment?.name
        let control = counts["control"] ?? .init()
        variants = (experiment?.variants ?? []).map { variant in
            let c = counts[variant.name] ?? .init()
            let isControl = variant.name == "control"
            return Variant(
                name: variant.name, share: variant.share, served: c.served, impressions: c.impressions, clicks: c.clicks,
                purchases: c.purchases, ctr: Self.rate(c.clicks, c.impressions), conversion: Self.rate(c.purchases, c.impressions),
                ctrDifference: isControl ? nil : Self.interval(c.clicks, c.impressions, control.clicks, control.impressions),
                conversionDifference: isControl ? nil : Self.interval(c.purchases, c.impressions, control.purchases, control.impressions))
        }
    }

    static func rate(_ successes: Int, _ trials: Int) -> Double? { trials > 0 ? Double(min(successes, trials)) / Double(trials) : nil }

    static func interval(_ s1: Int, _ n1: Int, _ s2: Int, _ n2: Int) -> Interval? {
        guard let p1 = rate(s1, n1), let p2 = rate(s2, n2) else { return nil }
        let se = (p1 * (1 - p1) / Double(n1) + p2 * (1 - p2) / Double(n2)).squareRoot()
        let difference = p1 - p2
        return Interval(difference: difference, low: difference - 1.96 * se, high: difference + 1.96 * se)
    }
}
