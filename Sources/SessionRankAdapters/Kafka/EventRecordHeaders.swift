import KafkaClient
import SessionRankCore

/// Kafka headers on event records, so the model updater learns an event without parsing its
/// JSON body (the key is the session id). The body stays the record of truth for every other
/// consumer.
enum EventRecordHeaders {
    static let type = "er-type"
    static let personalized = "er-personalized"
    static let timestamp = "er-at"
    static let itemId = "er-item"
    static let region = "er-region"

    static func headers(of record: EventRecord) -> [KafkaHeader] {
        var headers = [
            KafkaHeader(key: type, value: record.type.rawValue),
            KafkaHeader(key: personalized, value: record.personalized ? "1" : "0"),
            KafkaHeader(key: timestamp, value: String(record.timestamp)),
        ]
        if let item = record.itemId { headers.append(KafkaHeader(key: itemId, value: item)) }
        if let value = record.region { headers.append(KafkaHeader(key: region, value: value)) }
        return headers
    }

    /// The summary carried by a record's key and headers; nil when they are missing or
    /// unreadable (records written before the headers existed), so the caller parses the body.
    static func summary(key: [UInt8]?, headers: [KafkaHeader]) -> EventSummary? {
        func text(_ name: String) -> String? {
            headers.first { $0.key == name }?.value.map { String(decoding: $0, as: UTF8.self) }
        }
        guard let key, let kind = text(type).flatMap(StorefrontEventType.init(rawValue:)),
            let flag = text(personalized), let time = text(timestamp).flatMap(Double.init)
        else { return nil }
        return EventSummary(
            sessionId: String(decoding: key, as: UTF8.self), type: kind, personalized: flag == "1", itemId: text(itemId),
            timestamp: time, region: text(region))
    }
}
