import Foundation
import KafkaClient
import Logging
import SessionRankCore

/// Publishes served and feedback records to the `feedback` topic, keyed by session id so one
/// session's records stay in order with each other.
public struct KafkaFeedbackPublisher: FeedbackPublisher {
    private let producer: KafkaProducer
    private let topic: String
    private let metrics: ServiceMetrics
    private let logger: Logger

    public init(producer: KafkaProducer, topic: String, metrics: ServiceMetrics, logger: Logger) {
        self.producer = producer
        self.topic = topic
        self.metrics = metrics
        self.logger = logger
    }

    public func publish(served: ServedRecord) {
        do {
            try producer.send(topic: topic, key: served.sessionId, value: served.jsonBytes(), headers: ServedRecordHeaders.headers(of: served))
        } catch {
            metrics.feedbackDropped.increment()
            logger.warning("served record dropped", metadata: ["error": "\(error)"])
        }
    }

    public func publish(feedback: FeedbackRecord) {
        send(feedback, key: feedback.sessionId)
    }

    private func send(_ record: some Encodable, key: String) {
        do {
            let value = [UInt8](try JSONEncoder().encode(record))
            try producer.send(topic: topic, key: key, value: value)
        } catch {
            metrics.feedbackDropped.increment()
            logger.warning("feedback record dropped", metadata: ["error": "\(error)"])
        }
    }
}
