import Foundation
import KafkaClient
import Testing

/// Runs against the dev broker started outside the tests (`sessionrank kafka-dev`), named by
/// SESSIONRANK_KAFKA_BOOTSTRAP. Without it these tests are skipped locally and FAIL in CI.
@Suite("External dev broker", .enabled(if: ExternalBroker.shouldRun))
struct ExternalBrokerTests {
    @Test func roundTripThroughTheDevBroker() async throws {
        let bootstrap = try ExternalBroker.requireBootstrap()
        let producer = try KafkaProducer(configuration: producerConfiguration(bootstrap), logger: testLogger)
        let marker = "external-\(UInt64.random(in: 0...UInt64.max))"
        let reports = try await withRunningProducer(producer) { producer in
            try await producer.checkConnectivity(timeout: .seconds(5))
            var reports: [KafkaDeliveryReport] = []
            for index in 0..<20 {
                reports.append(
                    try await producer.sendAndWaitForDelivery(
                        topic: "events", key: marker, value: "\(marker)#\(index)",
                        headers: [KafkaHeader(key: "test", value: marker)]))
            }
            return reports
        }
        // One key, one partition: read back from the first offset we were given.
        let partition = reports[0].partition
        #expect(reports.allSatisfy { $0.partition == partition })
        let firstOffset = try #require(reports[0].offset)
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: [bootstrap],
                mode: .assignment([.init(topic: "events", partition: partition, startOffset: .offset(firstOffset))])
            ),
            logger: testLogger
        )
        let values = try await withDeadline(.seconds(10), "20 records from the dev broker") {
            var values: [String] = []
            for try await message in consumer.messages where message.keyString == marker {
                #expect(message.header("test")?.value == Array(marker.utf8))
                values.append(message.valueString)
                if values.count == 20 { break }
            }
            return values
        }
        await consumer.close()
        #expect(values == (0..<20).map { "\(marker)#\($0)" })
    }

    @Test func devBrokerHasTheProjectTopics() async throws {
        let bootstrap = try ExternalBroker.requireBootstrap()
        let producer = try KafkaProducer(configuration: producerConfiguration(bootstrap), logger: testLogger)
        let metadata = try await producer.metadata(timeout: .seconds(5))
        #expect(metadata.topic(named: "events") != nil)
        #expect(metadata.topic(named: "feedback") != nil)
    }
}

enum ExternalBroker {
    static let bootstrap = ProcessInfo.processInfo.environment["SESSIONRANK_KAFKA_BOOTSTRAP"].flatMap { $0.isEmpty ? nil : $0 }
    static let isCI = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false
    /// Run when configured, and always in CI, where a missing broker must fail the build.
    static let shouldRun = bootstrap != nil || isCI

    static func requireBootstrap() throws -> String {
        try #require(bootstrap, "SESSIONRANK_KAFKA_BOOTSTRAP is not set: CI must start `sessionrank kafka-dev` and export it")
    }
}
