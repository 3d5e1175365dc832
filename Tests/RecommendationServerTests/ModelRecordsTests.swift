import Foundation
import Recommender
import Testing

@testable import RecommendationServer

/// What the model updater learns from each record, without Kafka.
struct ModelRecordsTests {
    func record(_ type: StorefrontEventType, item: String? = "p-1", personalized: Bool = true) throws -> EventRecord {
        let json = #"{"schema":1,"eventId":"e","type":"\#(type.rawValue)","sessionId":"s","timestamp":100,"receivedAt":101,"context":{},"region":"NL","personalized":\#(personalized),"enrichment":{"status":"complete"}"# + (item.map { #","itemId":"\#($0)"}"# } ?? "}")
        return try JSONDecoder().decode(EventRecord.self, from: Data(json.utf8))
    }

    @Test("events map to model events: views, carts, purchases; no consent, no item or other types are skipped")
    func mapsEvents() throws {
        #expect(ModelEventMapper.modelEvent(try record(.productView)) == ModelEvent(sessionId: "s", itemId: "p-1", type: .view, timestamp: 100, region: "NL"))
        #expect(ModelEventMapper.modelEvent(try record(.click))?.type == .view)
        #expect(ModelEventMapper.modelEvent(try record(.addToCart))?.type == .addToCart)
        #expect(ModelEventMapper.modelEvent(try record(.purchase))?.type == .purchase)
        #expect(ModelEventMapper.modelEvent(try record(.productView, personalized: false)) == nil)
        #expect(ModelEventMapper.modelEvent(try record(.pageView, item: nil)) == nil)
        #expect(ModelEventMapper.modelEvent(try record(.search, item: nil)) == nil)
        #expect(ModelEventMapper.modelEvent(try record(.removeFromCart)) == nil)
    }

    func served(_ id: String, at time: Double, items: [String] = ["a", "b", "c"]) -> ServedRecord {
        ServedRecord(
            recommendationId: id, sessionId: "s", personalized: true, placement: "home",
            items: items.enumerated().map { .init(itemId: $1, position: $0 + 1, score: 1, placement: nil, features: RankingFeatures()) },
            modelVersion: "m-1", configVersion: "cfg", variant: "control", degraded: false, latencyMicroseconds: 1, servedAt: time)
    }

    func feedback(_ id: String, _ type: FeedbackType, item: String) -> FeedbackRecord {
        FeedbackRecord(recommendationId: id, sessionId: "s", type: type, itemId: item, position: nil, timestamp: 0, source: "api")
    }

    @Test("served lists join later positives once; impressions, unknown lists and expired lists give nothing")
    func joinsFeedback() {
        var joiner = FeedbackJoiner(capacity: 2, window: 60)
        joiner.add(served("r1", at: 1_000))
        #expect(joiner.example(for: feedback("r1", .impression, item: "a")) == nil)
        let first = joiner.example(for: feedback("r1", .click, item: "b"))
        #expect(first?.served.map(\.itemId) == ["a", "b", "c"])
        #expect(first?.served.map(\.clicked) == [false, true, false])
        #expect(joiner.example(for: feedback("r1", .click, item: "b")) == nil, "the same positive counts once")
        let bought = joiner.example(for: feedback("r1", .purchase, item: "c"))
        #expect(bought?.served.map(\.itemId) == ["c"])
        #expect(bought?.served.first?.purchased == true)
        #expect(joiner.example(for: feedback("nope", .click, item: "a")) == nil)
        #expect(joiner.example(for: feedback("r1", .click, item: "zzz")) == nil)

        joiner.add(served("r2", at: 1_050))
        joiner.add(served("r3", at: 1_100))
        #expect(joiner.example(for: feedback("r1", .click, item: "a")) == nil, "r1 expired")
        #expect(joiner.example(for: feedback("r2", .click, item: "a")) != nil)
        #expect(joiner.waiting <= 2)
    }
}
