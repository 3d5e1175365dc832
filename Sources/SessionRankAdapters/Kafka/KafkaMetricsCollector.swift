import KafkaClient
import ServiceLifecycle
import SessionRankCore

/// Copies the producers' counters, summed, into gauges once a second; cheaper than touching
/// metrics per message.
package struct KafkaMetricsCollector: Service {
    let producers: [KafkaProducer]
    let metrics: ServiceMetrics

    package func run() async throws {
        await runPeriodically(every: .seconds(1)) { [producers, metrics] in
            metrics.kafkaQueueDepth.set(Double(producers.reduce(0) { $0 + $1.queueDepth }))
            metrics.kafkaDelivered.set(Double(producers.reduce(0) { $0 + $1.deliveredCount }))
            metrics.kafkaDeliveryFailed.set(Double(producers.reduce(0) { $0 + $1.failedCount }))
        }
    }

    package init(producers: [KafkaProducer], metrics: ServiceMetrics) {
        self.producers = producers
        self.metrics = metrics
    }
}
