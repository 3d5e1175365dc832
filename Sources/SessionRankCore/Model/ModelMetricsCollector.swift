import Foundation
import ServiceLifecycle

/// Copies the live model's version and size, and the updater's lag behind the log, into gauges
/// once a second.
package struct ModelMetricsCollector: Service {
    let model: LiveModel
    let metrics: ServiceMetrics
    /// nil when the replica does not learn from the log.
    let updater: (any LearningLoop)?

    package init(model: LiveModel, metrics: ServiceMetrics, updater: (any LearningLoop)?) {
        self.model = model
        self.metrics = metrics
        self.updater = updater
    }

    package func run() async throws {
        await runPeriodically(every: .seconds(1)) { [self] in collect() }
    }

    package func collect() {
        let stats = model.model.stats
        metrics.modelVersion.set(Double(stats.version))
        metrics.modelItems.set(Double(stats.items))
        metrics.modelSessions.set(Double(stats.sessions))
        metrics.modelSessionsEvictedIdle.set(Double(stats.sessionsEvictedIdle))
        metrics.modelSessionsEvictedOverCapacity.set(Double(stats.sessionsEvictedOverCapacity))
        metrics.modelEventsOverItemCapacity.set(Double(stats.eventsIgnored))
        if let updater { metrics.modelEventsOutsideCatalog.set(Double(updater.eventsOutsideCatalog)) }
        guard let lag = updater?.lag(now: Date()) else { return }
        for (topic, records) in lag.records { metrics.modelLagRecords(topic: topic).set(Double(records)) }
        if let age = lag.newestAppliedAgeSeconds { metrics.modelNewestAppliedAge.set(age) }
    }
}
