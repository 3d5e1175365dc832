import Foundation
import KafkaClient
import Recommender
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

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

    @Test("event headers carry what the model learns, equal to the body's; records without them read as nil")
    func eventHeadersRoundTrip() throws {
        var withoutRegion = try record(.addToCart)
        withoutRegion.region = nil
        for original in [try record(.productView), try record(.pageView, item: nil), try record(.purchase, personalized: false), withoutRegion] {
            let summary = EventRecordHeaders.summary(key: Array(original.sessionId.utf8), headers: EventRecordHeaders.headers(of: original))
            #expect(summary == EventSummary(original))
            #expect(summary.flatMap(ModelEventMapper.modelEvent) == ModelEventMapper.modelEvent(original))
        }
        let headers = EventRecordHeaders.headers(of: try record(.productView))
        #expect(EventRecordHeaders.summary(key: nil, headers: headers) == nil, "no key, no session")
        #expect(EventRecordHeaders.summary(key: Array("s".utf8), headers: []) == nil)
        #expect(EventRecordHeaders.summary(key: Array("s".utf8), headers: headers.filter { $0.key != EventRecordHeaders.timestamp }) == nil)
        let unknownType = headers.map { $0.key == EventRecordHeaders.type ? KafkaHeader(key: $0.key, value: "teleport") : $0 }
        #expect(EventRecordHeaders.summary(key: Array("s".utf8), headers: unknownType) == nil)
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

    @Test("a served record's hand-written JSON decodes to an equal record, with and without optionals")
    func servedJSONRoundTrips() throws {
        var features = RankingFeatures()
        features.knn = 0.125
        features.blend = 1e-7
        features.priceDistance = 0.6931471805599453
        features.seen = true
        features.device = "mobile"
        features.pageType = "product"
        features.hour = 23
        var record = served("rec-\"quoted\"\\slash\nline\u{01}é", at: 1_763_900_000.123456)
        record.items[0].features = features
        record.items[1].placement = "pinned"
        record.items[2].features = nil
        record.items[2].score = -0.5
        record.experiment = "spring"
        record.degraded = true
        for candidate in [record, served("plain", at: 0, items: [])] {
            let decoded = try JSONDecoder().decode(ServedRecord.self, from: Data(candidate.jsonBytes()))
            #expect(decoded == candidate)
        }
    }

    @Test("a served list queued from its headers joins feedback exactly as a parsed one")
    func joinsFromHeaders() throws {
        let record = served("r1", at: 1_000)
        let summary = try #require(ServedRecordHeaders.summary(of: ServedRecordHeaders.headers(of: record)))
        #expect(summary == ServedSummary(recommendationId: "r1", servedAt: 1_000, personalized: true))
        #expect(ServedRecordHeaders.summary(of: []) == nil, "records without headers are parsed instead")

        var parsed = FeedbackJoiner(capacity: 10, window: 60)
        var lazy = FeedbackJoiner(capacity: 10, window: 60)
        parsed.add(record)
        lazy.add(summary, body: record.jsonBytes())
        for (type, item) in [(FeedbackType.click, "b"), (.purchase, "c"), (.click, "b")] {
            #expect(lazy.example(for: feedback("r1", type, item: item)) == parsed.example(for: feedback("r1", type, item: item)))
        }

        var notPersonal = record
        notPersonal.personalized = false
        lazy.add(try #require(ServedRecordHeaders.summary(of: ServedRecordHeaders.headers(of: notPersonal.withId("r2")))), body: [])
        #expect(lazy.example(for: feedback("r2", .click, item: "a")) == nil, "lists without consent are not learned from")
        lazy.add(ServedSummary(recommendationId: "r3", servedAt: 1_001, personalized: true), body: Array("{broken".utf8))
        #expect(lazy.example(for: feedback("r3", .click, item: "a")) == nil, "an unreadable body teaches nothing")
        #expect(lazy.waiting == 1, "the unreadable list is dropped")
    }
}

extension ServedRecord {
    fileprivate func withId(_ id: String) -> ServedRecord {
        var copy = self
        copy.recommendationId = id
        return copy
    }
}
