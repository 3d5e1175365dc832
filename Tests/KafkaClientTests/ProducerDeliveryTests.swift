import KafkaClient
import KafkaDevBroker
import Testing

/// Producer behaviour against an in-process mock cluster (real Kafka protocol over TCP).
@Suite("Producer delivery")
struct ProducerDeliveryTests {
    @Test func producedMessagesComeBackIntactAndInPartitionOrder() async throws {
        let broker = try KafkaDevBroker()
        let producer = try KafkaProducer(configuration: producerConfiguration(broker.bootstrapServers), logger: testLogger)
        let keys = (0..<8).map { "session-\($0)" }
        let reports = try await withRunningProducer(producer) { producer in
            var reports: [String: KafkaDeliveryReport] = [:]
            for sequence in 0..<25 {
                for key in keys {
                    let value = "\(key)#\(sequence)"
                    let headers = [
                        KafkaHeader(key: "type", value: "click"),
                        KafkaHeader(key: "binary", value: [0, 255, 7]),
                        KafkaHeader(key: "empty-marker", value: nil),
                    ]
                    reports[value] = try await producer.sendAndWaitForDelivery(
                        topic: "events", key: key, value: value, headers: headers)
                }
            }
            return reports
        }
        #expect(producer.deliveredCount == 200)
        #expect(producer.failedCount == 0)

        let messages = try await readEntireTopic(broker.bootstrapServers, topic: "events")
        #expect(messages.count == 200)
        for message in messages {
            let report = try #require(reports[message.valueString])
            #expect(report.partition == message.partition)
            #expect(report.offset == message.offset)
            #expect(message.valueString.hasPrefix(message.keyString ?? "<nil>"))
            #expect(message.header("type")?.value == Array("click".utf8))
            #expect(message.header("binary")?.value == [0, 255, 7])
            #expect(message.header("empty-marker") != nil)
            #expect(message.header("empty-marker")?.value == nil)
            #expect(message.timestampMilliseconds != nil)
        }
        // One key always lands in one partition, and its records keep the sending order.
        let partitionsPerKey = Dictionary(grouping: messages, by: { $0.keyString ?? "" }).mapValues { Set($0.map(\.partition)) }
        #expect(partitionsPerKey.values.allSatisfy { $0.count == 1 })
        expectPerKeyOrder(messages)
    }

    @Test func tenThousandMessagesAreDeliveredExactlyOnce() async throws {
        let broker = try KafkaDevBroker()
        let producer = try KafkaProducer(configuration: producerConfiguration(broker.bootstrapServers), logger: testLogger)
        let count = 10_000
        try await withRunningProducer(producer) { producer in
            for index in 0..<count {
                try producer.send(topic: "events", key: "session-\(index % 50)", value: "session-\(index % 50)#\(index)")
            }
            try await producer.flush(timeout: .seconds(20))
        }
        #expect(producer.deliveredCount == count)
        #expect(producer.failedCount == 0)
        #expect(producer.queueDepth == 0)

        let messages = try await readEntireTopic(broker.bootstrapServers, topic: "events")
        #expect(messages.count == count)
        #expect(Set(messages.map(\.valueString)).count == count)
        expectPerKeyOrder(messages)
    }

    /// Retriable Produce errors while several batches per partition are in flight. Without
    /// idempotence a failed batch is retried after later ones were stored (reordering) or,
    /// after a disconnect, stored twice. Note: librdkafka's mock broker deduplicates resent
    /// batches only for transactional producers, so "stored but response lost" cannot be
    /// tested here; a real broker handles that case through the same sequence numbers.
    @Test func retriesAfterInjectedErrorsKeepEveryMessageOnceAndInOrder() async throws {
        let broker = try KafkaDevBroker()
        let recorder = LogRecorder()
        let configuration = producerConfiguration(
            broker.bootstrapServers,
            messageTimeout: .seconds(20),
            // Small batches keep several requests per partition in flight; "msg" logs name each error.
            extra: ["batch.num.messages": "20", "retry.backoff.ms": "10", "debug": "msg"]
        )
        let producer = try KafkaProducer(configuration: configuration, logger: recorder.logger)
        let count = 2_000
        try await withRunningProducer(producer) { producer in
            // Phase 1: cluster-wide errors, answered at once.
            try broker.pushRequestErrors(.produce, errors: [.notLeaderForPartition, .requestTimedOut, .notEnoughReplicas, .disconnect])
            for index in 0..<count / 2 {
                try producer.send(topic: "events", key: "session-\(index % 4)", value: "session-\(index % 4)#\(index)")
            }
            try await producer.flush(timeout: .seconds(20))
            // Phase 2: errors from broker 1, answered late so that later batches are already in
            // flight. (Broker-level errors shadow cluster-level ones, hence two phases.)
            try broker.pushBrokerRequestErrors(
                brokerID: 1, .produce, errors: [.requestTimedOut, .notLeaderForPartition, .requestTimedOut], delay: .milliseconds(100))
            for index in count / 2..<count {
                try producer.send(topic: "events", key: "session-\(index % 4)", value: "session-\(index % 4)#\(index)")
            }
            try await producer.flush(timeout: .seconds(20))
        }
        #expect(recorder.count(containing: "Not leader for partition") >= 2, "injected NOT_LEADER_FOR_PARTITION was not seen")
        #expect(recorder.count(containing: "Broker: Request timed out") >= 3, "injected REQUEST_TIMED_OUT was not seen")
        #expect(try broker.remainingBrokerRequestErrors(brokerID: 1, .produce) == 0)
        #expect(producer.deliveredCount == count)
        #expect(producer.failedCount == 0)

        let messages = try await readEntireTopic(broker.bootstrapServers, topic: "events")
        let counts = Dictionary(grouping: messages, by: \.valueString).mapValues(\.count)
        #expect(counts.count == count, "every message is present")
        #expect(counts.values.allSatisfy { $0 == 1 }, "no message is stored twice: \(messages.count) records for \(count) messages")
        expectPerKeyOrder(messages)
    }

    @Test func nothingIsLostWhenShutdownFollowsSendingImmediately() async throws {
        let broker = try KafkaDevBroker()
        let producer = try KafkaProducer(configuration: producerConfiguration(broker.bootstrapServers), logger: testLogger)
        let count = 2_000
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await producer.run() }
            for index in 0..<count {
                try producer.send(topic: "feedback", key: "s\(index % 7)", value: "s\(index % 7)#\(index)")
            }
            producer.triggerGracefulShutdown()
            #expect(throws: KafkaError.self) { try producer.send(topic: "feedback", key: nil, value: "late") }
            try await group.waitForAll()
        }
        #expect(producer.deliveredCount == count)
        #expect(producer.queueDepth == 0)
        let messages = try await readEntireTopic(broker.bootstrapServers, topic: "feedback")
        #expect(Set(messages.map(\.valueString)).count == count)
        #expect(messages.count == count)
    }

    @Test func deliveryReportStreamCarriesEveryMessageID() async throws {
        let broker = try KafkaDevBroker()
        let (producer, reports) = try KafkaProducer.makeWithDeliveryReports(
            configuration: producerConfiguration(broker.bootstrapServers), logger: testLogger)
        let sent = try await withRunningProducer(producer) { producer in
            var ids: Set<KafkaMessageID> = []
            for index in 0..<100 {
                ids.insert(try producer.send(topic: "events", key: "k", value: "k#\(index)"))
            }
            return ids
        }
        var reported: Set<KafkaMessageID> = []
        for await report in reports {  // finishes when the producer stopped
            #expect(report.isDelivered)
            #expect(report.offset != nil)
            reported.insert(report.messageID)
        }
        #expect(reported == sent)
    }
}
