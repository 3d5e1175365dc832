import KafkaClient
import KafkaDevBroker
import Testing

@Suite("Consumer")
struct ConsumerTests {
    /// Sends "k#0"..."k#(count-1)" with one key, so all land in one partition; returns that partition.
    private func produce(_ count: Int, to broker: KafkaDevBroker, topic: String = "events") async throws -> Int32 {
        let producer = try KafkaProducer(configuration: producerConfiguration(broker.bootstrapServers), logger: testLogger)
        return try await withRunningProducer(producer) { producer in
            var partition: Int32 = -1
            for index in 0..<count {
                partition = try await producer.sendAndWaitForDelivery(topic: topic, key: "k", value: "k#\(index)").partition
            }
            return partition
        }
    }

    @Test func assignmentModeStartsAtAnExplicitOffset() async throws {
        let broker = try KafkaDevBroker()
        let partition = try await produce(10, to: broker)
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: [broker.bootstrapServers],
                mode: .assignment([.init(topic: "events", partition: partition, startOffset: .offset(6))])
            ),
            logger: testLogger
        )
        #expect(try await consumer.highWatermark(topic: "events", partition: partition) == 10)
        let values = try await withDeadline(.seconds(10), "4 records from offset 6") {
            var values: [String] = []
            for try await message in consumer.messages {
                #expect(message.offset == Int64(6 + values.count))
                values.append(message.valueString)
                if values.count == 4 { break }
            }
            return values
        }
        #expect(values == ["k#6", "k#7", "k#8", "k#9"])
        #expect(try consumer.position(topic: "events", partition: partition) == 10)
        await consumer.close()
    }

    @Test func assignmentModeAtEndSeesOnlyNewRecords() async throws {
        let broker = try KafkaDevBroker()
        let partition = try await produce(3, to: broker)
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: [broker.bootstrapServers],
                mode: .assignment([.init(topic: "events", partition: partition, startOffset: .end)])
            ),
            logger: testLogger
        )
        let first = Task { try await withDeadline(.seconds(10), "a new record") { try await consumer.messages.first { _ in true } } }
        // Give the consumer time to resolve "end" before producing more.
        try await Task.sleep(for: .milliseconds(500))
        _ = try await produce(4, to: broker)
        let message = try #require(try await first.value)
        #expect(message.offset >= 3)
        #expect(message.valueString.hasPrefix("k#"))
        await consumer.close()
    }

    @Test func groupModeConsumesInOrderAndCommitsOffsets() async throws {
        let broker = try KafkaDevBroker()
        let partition = try await produce(20, to: broker, topic: "feedback")
        let configuration = KafkaConsumerConfiguration(
            bootstrapServers: [broker.bootstrapServers],
            mode: .group(id: "model-updater-test", topics: ["feedback"]),
            extraProperties: ["session.timeout.ms": "6000", "auto.commit.interval.ms": "100"]
        )
        let consumer = try KafkaConsumer(configuration: configuration, logger: testLogger)
        let values = try await withDeadline(.seconds(20), "20 records in group mode") {
            var values: [String] = []
            for try await message in consumer.messages {
                values.append(message.valueString)
                if values.count == 20 { break }
            }
            return values
        }
        #expect(values == (0..<20).map { "k#\($0)" })
        try await Task.sleep(for: .milliseconds(300))  // let auto-commit run
        #expect(try await consumer.committedOffset(topic: "feedback", partition: partition) == 20)
        await consumer.close()
    }

    @Test func serviceShutdownEndsTheMessageSequence() async throws {
        let broker = try KafkaDevBroker()
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: [broker.bootstrapServers],
                mode: .assignment([.init(topic: "events", partition: 0, startOffset: .beginning)])
            ),
            logger: testLogger
        )
        let reader = Task {
            var count = 0
            for try await _ in consumer.messages { count += 1 }
            return count
        }
        let service = Task { try await consumer.run() }
        try await Task.sleep(for: .milliseconds(200))
        service.cancel()
        await #expect(throws: CancellationError.self) { try await service.value }
        #expect(try await withDeadline(.seconds(5), "sequence end") { try await reader.value } == 0)
    }
}
