import KafkaClient
import Recommender
import SessionRankCore

/// Kafka headers on served records: what the model updater needs to queue a served list
/// without parsing it. Most lists never get a click, so the body is parsed only when one does.
enum ServedRecordHeaders {
    static let kind = "sr-kind"
    static let recommendationId = "sr-recommendation-id"
    static let servedAt = "sr-served-at"
    static let personalized = "sr-personalized"

    static func headers(of served: ServedRecord) -> [KafkaHeader] {
        [
            KafkaHeader(key: kind, value: served.kind),
            KafkaHeader(key: recommendationId, value: served.recommendationId),
            KafkaHeader(key: servedAt, value: String(served.servedAt)),
            KafkaHeader(key: personalized, value: served.personalized ? "1" : "0"),
        ]
    }

    /// The summary of a served record carried in its headers; nil when they are missing
    /// (records written before the headers existed), so the caller parses the body instead.
    static func summary(of headers: [KafkaHeader]) -> ServedSummary? {
        func text(_ key: String) -> String? {
            headers.first { $0.key == key }?.value.map { String(decoding: $0, as: UTF8.self) }
        }
        guard text(kind) == "served", let id = text(recommendationId), let at = text(servedAt).flatMap(Double.init),
            let flag = text(personalized)
        else { return nil }
        return ServedSummary(recommendationId: id, servedAt: at, personalized: flag == "1")
    }
}
