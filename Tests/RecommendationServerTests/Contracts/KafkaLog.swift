import Foundation
import KafkaClient
import KafkaDevBroker
import Prometheus

@testable import SessionRankCore

/// A Kafka dev broker of the test's own (librdkafka's mock cluster, the one `sessionrank
/// kafka-dev` serves, speaking the Kafka protocol over loopback) with a running producer on it.
/// Its own broker, so reading a topic from the beginning sees exactly this test's records, and
/// taking the broker down disturbs nobody.
final class KafkaLog: Sendable {
    let broker: KafkaDevBroker
    let producer: KafkaProducer
    private let running: Task<Void, any Error>

    /// `down`: the broker refuses connections from the start, so nothing is ever acknowledged.
    init(down: Bool = false, maxQueuedMessages: Int = 100_000, messageTimeout: Duration = .seconds(30)) throws {
        broker = try KafkaDevBroker()
        if down { try broker.setBrokerDown(1) }
        producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(
                bootstrapServers: [broker.bootstrapServers], clientID: "contract", maxQueuedMessages: maxQueuedMessages, linger: .milliseconds(1),
                messageTimeout: messageTimeout, shutdownFlushTimeout: .milliseconds(500)),
            logger: TestServer.logger)
        let producer = self.producer
        running = Task { try await producer.run() }
    }

    /// Shuts the producer down (what SIGTERM does) and waits for it; sends fail afterwards.
    func stopProducer() async {
        producer.triggerGracefulShutdown()
        _ = await running.result
    }

    /// Stops the producer and the broker.
    func close() async {
        await stopProducer()
        broker.stop()
    }

    func messages(of topic: String) async throws -> [KafkaConsumerMessage] {
        try await readWholeTopic(bootstrap: broker.bootstrapServers, topic: topic)
    }

    func eventRecords() async throws -> [EventRecord] {
        try await messages(of: "events").map { try JSONDecoder().decode(EventRecord.self, from: Data($0.value)) }
    }

    func feedbackEntries() async throws -> [FeedbackLogEntry] {
        try await messages(of: "feedback").map(Self.feedbackEntry)
    }

    static func feedbackEntry(_ message: KafkaConsumerMessage) throws -> FeedbackLogEntry {
        struct Kind: Decodable { var kind: String }
        let data = Data(message.value)
        return try JSONDecoder().decode(Kind.self, from: data).kind == "served"
            ? .served(try JSONDecoder().decode(ServedRecord.self, from: data))
            : .feedback(try JSONDecoder().decode(FeedbackRecord.self, from: data))
    }
}

/// Runs `body` with a `KafkaLog`, closed afterwards whatever happens.
func withKafkaLog<T: Sendable>(
    down: Bool = false, maxQueuedMessages: Int = 100_000, messageTimeout: Duration = .seconds(30), _ body: (KafkaLog) async throws -> T
) async throws -> T {
    let log = try KafkaLog(down: down, maxQueuedMessages: maxQueuedMessages, messageTimeout: messageTimeout)
    do {
        let result = try await body(log)
        await log.close()
        return result
    } catch {
        await log.close()
        throw error
    }
}

extension ServiceMetrics {
    /// The value of a counter or gauge sample named exactly `name` (with its labels), 0 when absent.
    func sample(_ name: String) -> Double {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        for line in String(decoding: buffer, as: UTF8.self).split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return 0
    }
}
