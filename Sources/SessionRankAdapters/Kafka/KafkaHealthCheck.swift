import KafkaClient
import SessionRankCore

/// Asks a broker for metadata through the producer's own connection.
package struct KafkaHealthCheck: DependencyHealthCheck {
    let producer: KafkaProducer
    let timeout: Duration
    package var name: String { "kafka" }

    package func check() async throws {
        try await producer.checkConnectivity(timeout: timeout)
    }

    package init(producer: KafkaProducer, timeout: Duration) {
        self.producer = producer
        self.timeout = timeout
    }
}
