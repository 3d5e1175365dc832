import KafkaDevBroker
import Testing

@testable import KafkaClient

/// Producer behaviour when the broker misbehaves.
@Suite("Producer faults")
struct ProducerFaultTests {
    @Test func brokerDownReportsDeliveryErrorsOnAwaitedMessages() async throws {
        let broker = try KafkaDevBroker()
        let configuration = producerConfiguration(broker.bootstrapServers, messageTimeout: .seconds(1), shutdownFlushTimeout: .seconds(1))
        let producer = try KafkaProducer(configuration: configuration, logger: testLogger)
        try await withRunningProducer(producer) { producer in
            // Connected and working first.
            _ = try await producer.sendAndWaitForDelivery(topic: "events", key: "s", value: "s#0")
            try broker.setBrokerDown(1)
            try await withThrowingTaskGroup(of: KafkaError?.self) { group in
                for index in 1...5 {
                    group.addTask {
                        do {
                            _ = try await producer.sendAndWaitForDelivery(topic: "events", key: "s", value: "s#\(index)")
                            return nil
                        } catch let error as KafkaError {
                            return error
                        }
                    }
                }
                var errors: [KafkaError] = []
                for try await error in group {
                    errors.append(try #require(error, "delivery succeeded although the broker is down"))
                }
                #expect(errors.count == 5)
                #expect(errors.allSatisfy { $0.code == .messageTimedOut }, "\(errors)")
            }
        }
        #expect(producer.deliveredCount == 1)
        #expect(producer.failedCount == 5)
    }

    @Test func fullLocalQueueIsATypedErrorAndNeverBlocks() async throws {
        let broker = try KafkaDevBroker()
        try broker.setBrokerDown(1)
        let configuration = producerConfiguration(
            broker.bootstrapServers, maxQueuedMessages: 5, messageTimeout: .seconds(30), shutdownFlushTimeout: .milliseconds(200))
        let producer = try KafkaProducer(configuration: configuration, logger: testLogger)
        try await withRunningProducer(producer) { producer in
            for index in 0..<5 {
                try producer.send(topic: "events", key: "s", value: "s#\(index)")
            }
            let clock = ContinuousClock()
            let start = clock.now
            let error = #expect(throws: KafkaError.self) {
                try producer.send(topic: "events", key: "s", value: "s#5")
            }
            #expect(error?.code == .queueFull)
            #expect(clock.now - start < .milliseconds(100), "send must not wait for room")
            #expect(producer.queueDepth == 5)
        }
        // Shutdown could not deliver them; they are reported as failed, not dropped.
        #expect(producer.failedCount == 5)
        #expect(producer.queueDepth == 0)
    }

    @Test func fatalErrorRecreatesTheClientAndFailsUndeliveredMessages() async throws {
        let broker = try KafkaDevBroker()
        let producer = try KafkaProducer(configuration: producerConfiguration(broker.bootstrapServers), logger: testLogger)
        try await withRunningProducer(producer) { producer in
            _ = try await producer.sendAndWaitForDelivery(topic: "events", key: "s", value: "s#0")
            let firstHandle = producer.currentHandle
            try broker.setBrokerDown(1)
            let stuck = Task {
                try await producer.sendAndWaitForDelivery(topic: "events", key: "s", value: "s#1")
            }
            try await withDeadline(.seconds(5), "message queued") {
                while producer.queueDepth == 0 { try await Task.sleep(for: .milliseconds(5)) }
            }
            producer.simulateFatalError(reason: "test-induced fatal error")

            let error = await #expect(throws: KafkaError.self) { try await stuck.value }
            #expect(error?.code == .fatal)
            // The failed messages are reported before the replacement client is swapped in.
            try await withDeadline(.seconds(5), "client recreated") {
                while producer.currentHandle === firstHandle { try await Task.sleep(for: .milliseconds(5)) }
            }

            // The new client works once the broker is back.
            try broker.setBrokerUp(1)
            let report = try await producer.sendAndWaitForDelivery(topic: "events", key: "s", value: "s#2")
            #expect(report.offset != nil)
        }
        #expect(producer.failedCount == 1)
        #expect(producer.deliveredCount == 2)
    }

    @Test func connectivityCheckFailsWhileTheBrokerIsDown() async throws {
        let broker = try KafkaDevBroker()
        let producer = try KafkaProducer(configuration: producerConfiguration(broker.bootstrapServers), logger: testLogger)
        try await withRunningProducer(producer) { producer in
            try await producer.checkConnectivity(timeout: .seconds(5))
            let metadata = try await producer.metadata()
            #expect(metadata.topic(named: "events")?.partitions == [0, 1, 2, 3])
            #expect(metadata.topic(named: "feedback")?.partitions == [0, 1, 2, 3])
            try broker.setBrokerDown(1)
            await #expect(throws: KafkaError.self) { try await producer.checkConnectivity(timeout: .milliseconds(500)) }
        }
    }
}
