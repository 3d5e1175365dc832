import Foundation
import Recommender
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// The records and answers written without `JSONEncoder` must read back, with `JSONDecoder`,
/// as the values they were written from: every field, optional or not, and awkward strings.
struct HandWrittenJSONTests {
    func features(_ seed: Double) -> RankingFeatures {
        var f = RankingFeatures()
        f.knn = seed; f.transition = seed / 2; f.covisitation = seed / 3; f.association = seed / 4
        f.popularity = seed / 5; f.regionalPopularity = seed / 6; f.interest = seed / 7; f.recent = seed / 8
        f.blend = seed / 9; f.categoryAffinity = 0.75; f.brandAffinity = 0.5; f.priceBandAffinity = 1
        f.priceDistance = 0.123_456_789; f.seen = true; f.device = "mobile"; f.pageType = "product"; f.hour = 23
        return f
    }

    @Test("a served record with every feature set reads back equal")
    func servedRecordRoundTrip() throws {
        var record = ServedRecord(
            recommendationId: "rec-1", sessionId: "s \"quoted\" \\ back\nslash", personalized: true, placement: "product",
            items: [
                .init(itemId: "p-1", position: 1, score: 0.912_345_678_9, placement: nil, features: features(0.9)),
                .init(itemId: "p-2", position: 2, score: 0.1, placement: "pinned", features: nil),
            ],
            modelVersion: "m-7", configVersion: "cfg-1", variant: "treatment", degraded: true, latencyMicroseconds: 1_234,
            servedAt: 1_790_000_000.125)
        record.experiment = "exp-\u{1}ctl"
        let decoded = try JSONDecoder().decode(ServedRecord.self, from: Data(record.jsonBytes()))
        #expect(decoded == record)
        #expect(decoded.items[0].features?.categoryAffinity == 0.75, "the ranker learns from what it served with")
    }

    @Test("an event record reads back equal, with every field and with none of the optional ones")
    func eventRecordRoundTrip() throws {
        let full = #"""
            {"schema":1,"eventId":"e-\"1\"","type":"add_to_cart","sessionId":"s-1","deviceId":"d-1","userId":"u-1","requestId":"r-1",
             "itemId":"p-00001","recommendationId":"rec-1","position":3,"timestamp":1790000000.125,"receivedAt":1790000001.5,
             "dwellMs":1500,"scrollDepth":0.75,"query":"red shoes\n","region":"NL",
             "context":{"page":"product","device":"mobile","region":"NL","entryPoint":"search","referrer":"https://example.com/?a=1&b=é"},
             "personalized":true,
             "enrichment":{"status":"complete","channel":"web","campaign":"bf","requestPage":"/p/1","ageBand":"25-34",
                           "userRegion":"DE","kycStatus":"verified","segment":"vip","riskFlags":["gambling_self_excluded","x"]}}
            """#
        let bare = #"""
            {"schema":1,"eventId":"e-2","type":"page_view","sessionId":"p_0123","timestamp":1,"receivedAt":2,"context":{},
             "personalized":false,"enrichment":{"status":"not_needed"}}
            """#
        for text in [full, bare] {
            let record = try JSONDecoder().decode(EventRecord.self, from: Data(text.utf8))
            #expect(try JSONDecoder().decode(EventRecord.self, from: Data(record.jsonBytes())) == record)
        }
    }

    @Test("a recommend answer reads back equal, with and without debug output")
    func recommendAnswerRoundTrip() throws {
        var components = ScoreComponents()
        components.knn = 0.5; components.blend = 0.25; components.ranker = 0.6; components.final = 0.6
        let debug = RecommendationResponse(
            recommendationId: "rec-2",
            items: [
                .init(itemId: "p-1", score: 0.6, position: 1, disclosure: "18+ \"only\"", components: components, placement: nil),
                .init(itemId: "p-\u{e9}", score: 1e-7, position: 2, disclosure: nil, components: ScoreComponents(), placement: "pinned"),
            ],
            modelVersion: "m-1", configVersion: "cfg-2", variant: "control", personalized: false, degraded: true,
            degradedReasons: [.sessionStore, .profileStore], removed: [.init(itemId: "p-9", rule: "min_age")])
        #expect(try JSONDecoder().decode(RecommendationResponse.self, from: Data(debug.jsonBytes())) == debug)

        let plain = RecommendationResponse(
            recommendationId: "rec-3", items: [.init(itemId: "p-1", score: 1, position: 1, disclosure: nil, components: nil, placement: nil)],
            modelVersion: "m-1", configVersion: "cfg-2", variant: "control", personalized: true, degraded: false,
            degradedReasons: nil, removed: nil)
        let text = String(decoding: plain.jsonBytes(), as: UTF8.self)
        #expect(try JSONDecoder().decode(RecommendationResponse.self, from: Data(text.utf8)) == plain)
        #expect(!text.contains("degradedReasons") && !text.contains("removed") && !text.contains("components"), "absent, not null")
    }

    @Test("an events answer reads back equal, with rejections and without")
    func ingestionResultRoundTrip() throws {
        let rejected = IngestionResult(
            accepted: 2, duplicates: 1,
            rejected: [
                .init(index: 0, field: "timestamp", message: "must be RFC 3339, e.g. \"2026-12-06T10:00:00Z\""),
                .init(index: 3, field: "context.region", message: "tab\tand caf\u{e9}"),
            ],
            degraded: true)
        #expect(try JSONDecoder().decode(IngestionResult.self, from: Data(rejected.jsonBytes())) == rejected)
        let clean = IngestionResult(accepted: 1, duplicates: 0, rejected: [], degraded: false)
        #expect(String(decoding: clean.jsonBytes(), as: UTF8.self) == #"{"accepted":1,"duplicates":0,"rejected":[],"degraded":false}"#)
    }
}
