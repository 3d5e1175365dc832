import Foundation
import KafkaClient
import Logging

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

    public func publish(_ records: [EventRecord]) throws(PublishFailure) {
        for (index, record) in records.enumerated() {
            do {
                try send(key: record.sessionId, value: record.jsonBytes(), headers: EventRecordHeaders.headers(of: record))
            } catch {
                throw PublishFailure(publishedCount: index, cause: error)
            }
        }
    }

    private func send(key: String, value: [UInt8], headers: [KafkaHeader]) throws {
        let result = Result { () throws(KafkaError) in try producer.send(topic: topic, key: key, value: value, headers: headers) }
        if case .failure(let error) = result {
            throw error.code == .queueFull ? PublishQueueFull() : error
        }
    }
}
