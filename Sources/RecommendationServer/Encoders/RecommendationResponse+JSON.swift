import Hummingbird
import Recommender
import SessionRankCore

extension RecommendationResponse: ResponseGenerator {
    /// Written by hand: this is the answer to every page view, and `JSONEncoder` cost more CPU
    /// than ranking it. Decodes with `JSONDecoder` into an equal value.
    public func response(from request: Request, context: some Hummingbird.RequestContext) throws -> Response {
        .json(jsonBytes())
    }

    func jsonBytes() -> [UInt8] {
        var json = JSONBytesWriter(capacity: 256 + items.count * (items.first?.components == nil ? 80 : 300))
        json.beginObject()
        json.field("recommendationId", recommendationId)
        json.beginArray("items")
        for item in items {
            json.beginObject()
            json.field("itemId", item.itemId)
            json.field("score", item.score)
            json.field("position", item.position)
            json.field("disclosure", item.disclosure)
            if let components = item.components {
                json.beginObject("components")
                json.write(components)
                json.endObject()
            }
            json.field("placement", item.placement)
            json.endObject()
        }
        json.endArray()
        json.field("modelVersion", modelVersion)
        json.field("configVersion", configVersion)
        json.field("variant", variant)
        json.field("personalized", personalized)
        json.field("degraded", degraded)
        if let degradedReasons {
            json.beginArray("degradedReasons")
            for reason in degradedReasons { json.element(reason.rawValue) }
            json.endArray()
        }
        if let removed {
            json.beginArray("removed")
            for entry in removed {
                json.beginObject()
                json.field("itemId", entry.itemId)
                json.field("rule", entry.rule)
                json.endObject()
            }
            json.endArray()
        }
        json.endObject()
        return json.bytes
    }
}

extension JSONBytesWriter {
    fileprivate mutating func write(_ c: ScoreComponents) {
        write(c.scores)
        field("ranker", c.ranker)
        field("final", c.final)
    }
}
