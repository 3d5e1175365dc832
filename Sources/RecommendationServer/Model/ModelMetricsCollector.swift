import ServiceLifecycle

/// Copies the live model's version and size into gauges once a second.
struct ModelMetricsCollector: Service {
    let model: LiveModel
    let metrics: ServiceMetrics

    func run() async throws {
        await runPeriodically(every: .seconds(1)) { [model, metrics] in
            let stats = model.model.stats
            metrics.modelVersion.set(Double(stats.version))
            metrics.modelItems.set(Double(stats.items))
        }
    }
}
