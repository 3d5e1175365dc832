import KafkaClient
import Testing

@testable import KafkaClient
@testable import KafkaDevBroker

@Suite("Dev broker")
struct DevBrokerTests {
    @Test func fixedPortForwarderServesMetadataAndMessages() async throws {
        let broker = try KafkaDevBroker(topics: ["events", "feedback"], partitions: 3)
        let upstream = try KafkaDevBrokerService.firstAddress(of: broker.bootstrapServers)
        // Port 0 picks a free port; kafka-dev binds the fixed one the same way.
        let forwarder = try await TCPForwarder.start(host: "127.0.0.1", port: 0, upstreamHost: upstream.host, upstreamPort: upstream.port)
        let port = try #require(forwarder.localPort)
        let bootstrap = "127.0.0.1:\(port)"
        #expect(bootstrap != broker.bootstrapServers)

        let producer = try KafkaProducer(configuration: producerConfiguration(bootstrap), logger: testLogger)
        try await withRunningProducer(producer) { producer in
            let metadata = try await producer.metadata()
            #expect(metadata.topic(named: "events")?.partitions == [0, 1, 2])
            #expect(metadata.topic(named: "feedback")?.partitions == [0, 1, 2])
            let report = try await producer.sendAndWaitForDelivery(topic: "feedback", key: "s", value: "hello")
            #expect(report.offset == 0)
        }
        let messages = try await readEntireTopic(bootstrap, topic: "feedback", partitions: 3)
        #expect(messages.map(\.valueString) == ["hello"])
        try await forwarder.close()
    }

    @Test func faultInjectionNeedsARunningCluster() throws {
        let broker = try KafkaDevBroker()
        broker.stop()
        #expect(throws: KafkaError.self) { try broker.setBrokerDown(1) }
    }

    @Test func unknownBrokerIsRejected() throws {
        let broker = try KafkaDevBroker()
        #expect(throws: KafkaError.self) { try broker.setBrokerDown(42) }
    }
}
