import KafkaClient
import ServiceLifecycle
import SessionRankCore

/// Copies the producer's counters into gauges once a second; cheaper than touching metrics per message.
package struct KafkaMetricsCollector: Service {
    let producer: KafkaProducer
    let metrics: ServiceMetrics

    package func run() async throws {
        await runPeriodically(every: .seconds(1)) { [producer, metrics] in
            metrics.kafkaQueueDepth.set(Double(producer.queueDepth))
            metrics.kafkaDelivered.set(Double(producer.deliveredCount))
            metrics.kafkaDeliveryFailed.set(Double(producer.failedCount))
        }
    }

    package init(producer: KafkaProducer, metrics: ServiceMetrics) {
        self.producer = producer
        self.metrics = metrics
    }
}
