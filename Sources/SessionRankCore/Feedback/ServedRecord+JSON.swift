import Recommender

extension ServedRecord {
    /// The record as JSON, written by hand: one is published per /v1/recommend answer, and
    /// `JSONEncoder` cost more than the ranking. Decodes with `JSONDecoder` into an equal value
    /// (nil optionals are left out, as the synthesized `Codable` does).
    package func jsonBytes() -> [UInt8] {
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
        write(f.scores)
        field("categoryAffinity", f.categoryAffinity)
        field("brandAffinity", f.brandAffinity)
        field("priceBandAffinity", f.priceBandAffinity)
        field("priceDistance", f.priceDistance)
        field("seen", f.seen)
        field("device", f.device)
        field("pageType", f.pageType)
        field("hour", f.hour)
    }

    /// The source scores and blend as fields of the open object, as `SourceScores` encodes them.
    package mutating func write(_ s: SourceScores) {
        field("knn", s.knn)
        field("transition", s.transition)
        field("covisitation", s.covisitation)
        field("association", s.association)
        field("popularity", s.popularity)
        field("regionalPopularity", s.regionalPopularity)
        field("interest", s.interest)
        field("recent", s.recent)
        field("blend", s.blend)
    }
}
