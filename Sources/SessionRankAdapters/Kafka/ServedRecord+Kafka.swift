import KafkaClient
import Recommender

extension ServedRecord {
    /// The record as JSON, written by hand: one is published per /v1/recommend answer, and
    /// `JSONEncoder` cost more than the ranking. Decodes with `JSONDecoder` into an equal value
    /// (nil optionals are left out, as the synthesized `Codable` does).
    func jsonBytes() -> [UInt8] {
        var json = JSONBytesWriter(capacity: 256 + items.count * 320)
        json.beginObject()
        json.field("schema", schema)
        json.field("kind", kind)
        json.field("recommendationId", recommendationId)
        json.field("sessionId", sessionId)
        json.field("personalized", personalized)
        json.field("placement", placement)
        json.beginArray("items")
        for item in items {
            json.beginObject()
            json.field("itemId", item.itemId)
            json.field("position", item.position)
            json.field("score", item.score)
            json.field("placement", item.placement)
            if let features = item.features {
                json.beginObject("features")
                json.write(features)
                json.endObject()
            }
            json.endObject()
        }
        json.endArray()
        json.field("modelVersion", modelVersion)
        json.field("configVersion", configVersion)
        json.field("variant", variant)
        json.field("experiment", experiment)
        json.field("degraded", degraded)
        json.field("latencyMicroseconds", latencyMicroseconds)
        json.field("servedAt", servedAt)
        json.endObject()
        return json.bytes
    }
}

extension JSONBytesWriter {
    fileprivate mutating func write(_ f: RankingFeatures) {
        field("knn", f.knn)
        field("transition", f.transition)
        field("covisitation", f.covisitation)
        field("association", f.association)
        field("popularity", f.popularity)
        field("regionalPopularity", f.regionalPopularity)
        field("interest", f.interest)
        field("recent", f.recent)
        field("blend", f.blend)
        field("categoryAffinity", f.categoryAffinity)
        field("brandAffinity", f.brandAffinity)
        field("priceBandAffinity", f.priceBandAffinity)
        field("priceDistance", f.priceDistance)
        field("seen", f.seen)
        field("device", f.device)
        field("pageType", f.pageType)
        field("hour", f.hour)
    }
}

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

/// What the feedback joiner needs to queue a served list.
struct ServedSummary: Equatable {
    var recommendationId: String
    var servedAt: Double
    var personalized: Bool
}
