import Foundation
import KafkaClient
import Logging
import SessionRankCore

/// Publishes event records to the `events` topic, keyed by session id so that one session's
/// events stay in order on one partition.
public struct KafkaEventPublisher: EventPublisher {
    private let producer: KafkaProducer
    private let topic: String
    private let capacity: Int
    private let logger: Logger

    public init(producer: KafkaProducer, topic: String, capacity: Int, logger: Logger) {
        self.producer = producer
        self.topic = topic
        self.capacity = capacity
        self.logger = logger
    }

    public func hasRoom(for count: Int) -> Bool {
        // Keep a tenth of the queue for requests that passed this check at the same moment.
        producer.queueDepth + count <= capacity - max(capacity / 10, 1)
    }

    public func publish(_ records: [EventRecord], onDelivery: @escaping @Sendable (_ index: Int, _ delivered: Bool) -> Void) throws(PublishFailure) {
        for (index, record) in records.enumerated() {
            let result = Result { () throws(KafkaError) in
                try producer.send(
                    topic: topic, key: record.sessionId, value: record.jsonBytes(), headers: EventRecordHeaders.headers(of: record),
                    onDelivery: { report in onDelivery(index, report.isDelivered) })
            }
            if case .failure(let error) = result {
                throw PublishFailure(publishedCount: index, cause: error.code == .queueFull ? PublishQueueFull() : error)
            }
        }
    }
}
