import Foundation
import Recommender
import Testing

@testable import RecommendationServer

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
}
