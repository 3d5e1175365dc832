import KafkaClient

/// Asks a broker for metadata through the producer's own connection.
struct KafkaHealthCheck: DependencyHealthCheck {
    let producer: KafkaProducer
    let timeout: Duration
    var name: String { "kafka" }

    func check() async throws {
        try await producer.checkConnectivity(timeout: timeout)
    }
}
