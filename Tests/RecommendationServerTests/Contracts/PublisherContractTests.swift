import Foundation
import KafkaClient
import Prometheus
import Testing

@testable import SessionRankAdapters
@testable import SessionRankCore

/// `EventPublisherContract` and `FeedbackPublisherContract` against every implementation: the
/// Kafka adapters, each on dev brokers of its own (one that answers, one that is down). Then
/// what only the Kafka adapters promise: the key and headers the model updater reads.
@Suite("Contract: EventPublisher and FeedbackPublisher", .serialized)
struct PublisherContractTests {
    static let capacity = 5
    static let ackTimeout = Duration.milliseconds(1_500)

    @Test("KafkaEventPublisher keeps the contract; key and headers carry the summary, one session stays on one partition")
    func events() async throws {
        try await withKafkaLog { log in
            try await withKafkaLog(down: true, maxQueuedMessages: Self.capacity, messageTimeout: Self.ackTimeout) { down in
                let publisher = KafkaEventPublisher(producer: log.producer, topic: "events", capacity: 1_000, logger: TestServer.logger)
                try await EventPublisherContract(
                    publisher: publisher, logged: { try await log.eventRecords() },
                    unreachable: KafkaEventPublisher(producer: down.producer, topic: "events", capacity: Self.capacity, logger: TestServer.logger),
                    queueCapacity: Self.capacity, ackDeadline: Self.ackTimeout + .seconds(5), stop: { await log.stopProducer() }
                ).checkAll()
            }

            let messages = try await log.messages(of: "events")
            #expect(!messages.isEmpty)
            var partitionOf: [String: Int32] = [:]
            for message in messages {
                let record = try JSONDecoder().decode(EventRecord.self, from: Data(message.value))
                #expect(message.keyString == record.sessionId, "keyed by session id")
                let summary = EventRecordHeaders.summary(key: message.key, headers: message.headers)
                #expect(summary == EventSummary(
                    sessionId: record.sessionId, type: record.type, personalized: record.personalized, itemId: record.itemId,
                    timestamp: record.timestamp, region: record.region))
                #expect(partitionOf[record.sessionId, default: message.partition] == message.partition, "one session, one partition")
                partitionOf[record.sessionId] = message.partition
            }
        }
    }

    @Test("KafkaFeedbackPublisher keeps the contract; served lists carry their summary in headers")
    func feedback() async throws {
        try await withKafkaLog { log in
            try await withKafkaLog(down: true, maxQueuedMessages: Self.capacity, messageTimeout: Self.ackTimeout) { down in
                let metrics = ServiceMetrics(registry: PrometheusCollectorRegistry())
                try await FeedbackPublisherContract(
                    publisher: KafkaFeedbackPublisher(
                        producer: log.producer, topic: "feedback", metrics: ServiceMetrics(registry: PrometheusCollectorRegistry()),
                        logger: TestServer.logger),
                    logged: { try await log.feedbackEntries() },
                    unreachable: KafkaFeedbackPublisher(producer: down.producer, topic: "feedback", metrics: metrics, logger: TestServer.logger),
                    queueCapacity: Self.capacity, dropped: { Int(metrics.sample("sessionrank_feedback_dropped_total")) }
                ).checkAll()
            }

            let messages = try await log.messages(of: "feedback")
            #expect(!messages.isEmpty)
            for message in messages {
                let entry = try KafkaLog.feedbackEntry(message)
                #expect(message.keyString == entry.sessionId, "keyed by session id")
                if case .served(let served) = entry {
                    #expect(ServedRecordHeaders.summary(of: message.headers) == ServedSummary(
                        recommendationId: served.recommendationId, servedAt: served.servedAt, personalized: served.personalized))
                } else {
                    #expect(ServedRecordHeaders.summary(of: message.headers) == nil, "feedback is not mistaken for a served list")
                }
            }
        }
    }
}
