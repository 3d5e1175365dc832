import Foundation
import Testing
@testable import Recommender

/// The ranker's inputs: per-kind attribute affinity, the training-only position feature, and the
/// join rule that turns a positive on a served list into examples.
@Suite("Ranker features and examples")
struct RankerFeatureTests {
    /// Items X (shoes, acme, low price) and Y (bags, zeta, premium) with attributes.
    func catalogued() -> SessionRankModel {
        let m = model(sessions: [["X", "Y"], ["Y", "X"]])
        m.updateCatalog(ItemCatalog(items: [
            "X": ItemAttributes(category: "shoes", brand: "acme", price: 10),
            "Y": ItemAttributes(category: "bags", brand: "zeta", price: 900),
        ]))
        return m
    }

    @Test("affinity per kind is the share of that kind's interest on the item's value")
    func affinityPerKind() throws {
        var r = request(["Z"])  // an unknown current item: X and Y come from interest and popularity
        r.interests = ["category:shoes": 3, "category:bags": 1, "price:low": 2, "colour:red": 5, "brand:other": -1]
        var config = RankingConfig()
        config.exclusion.excludeCurrent = false
        let ranked = catalogued().recommend(r, config: config)
        let x = try #require(ranked.first { $0.itemId == "X" }).features
        let y = try #require(ranked.first { $0.itemId == "Y" }).features
        #expect(isClose(x.categoryAffinity, 0.75) && isClose(x.priceBandAffinity, 1) && x.brandAffinity == 0)
        #expect(isClose(y.categoryAffinity, 0.25) && y.priceBandAffinity == 0 && y.brandAffinity == 0)
        // The pooled interest share still counts every key: X holds shoes 3 + low 2 of 11 positive.
        #expect(isClose(x.interest, 5.0 / 11.0))
    }

    @Test("position is a feature when learning only, as ln(position) and (position − 1) / 10")
    func positionOnlyWhenLearning() {
        var f = RankingFeatures()
        f.knn = 0.5
        let serving = FeatureEncoder.encode(f)
        #expect(serving.allSatisfy { $0.index != FeatureEncoder.positionLogSlot && $0.index != FeatureEncoder.positionLinearSlot })
        #expect(FeatureEncoder.encode(f, position: 1).map(\.index) == serving.map(\.index), "position 1 is the serving baseline")
        let third = FeatureEncoder.encode(f, position: 3)
        #expect(third.contains { $0.index == FeatureEncoder.positionLogSlot && isClose($0.value, log(3)) })
        #expect(third.contains { $0.index == FeatureEncoder.positionLinearSlot && isClose($0.value, 0.2) })
        let fixed = Set(0..<16)
        #expect(!fixed.contains(FeatureEncoder.positionLogSlot) && FeatureEncoder.positionLogSlot != FeatureEncoder.positionLinearSlot)
        for name in ["device=mobile", "device=desktop", "page=home", "page=product", "page=cart", "page=search"] + (0..<24).map({ "hour=\($0)" }) {
            #expect(![FeatureEncoder.positionLogSlot, FeatureEncoder.positionLinearSlot].contains(FeatureEncoder.hashedSlot(name)), "\(name)")
        }
    }

    @Test("a first positive teaches the whole list with positions; a later one only its item")
    func joinRule() throws {
        var f = RankingFeatures()
        f.blend = 1
        let served: [(itemId: String, features: RankingFeatures?)] = [("a", f), ("pinned", nil), ("b", f), ("c", f)]
        let first = try #require(FeedbackExample.forPositive(sessionId: "s", served: served, itemId: "b", purchased: false, firstPositive: true))
        #expect(first.served.map(\.itemId) == ["a", "b", "c"])
        #expect(first.served.map(\.position) == [1, 3, 4])
        #expect(first.served.map(\.clicked) == [false, true, false] && first.served.allSatisfy { !$0.purchased })
        let later = try #require(FeedbackExample.forPositive(sessionId: "s", served: served, itemId: "c", purchased: true, firstPositive: false))
        #expect(later.served.map(\.itemId) == ["c"] && later.served[0].purchased && !later.served[0].clicked && later.served[0].position == 4)
        #expect(FeedbackExample.forPositive(sessionId: "s", served: served, itemId: "pinned", purchased: false, firstPositive: true) == nil)
        #expect(FeedbackExample.forPositive(sessionId: "s", served: served, itemId: "zzz", purchased: false, firstPositive: true) == nil)
    }

    @Test("features written before the affinity fields existed still decode")
    func olderFeaturesDecode() throws {
        let json = #"{"knn":0.5,"transition":0,"covisitation":0,"association":0,"popularity":0.1,"regionalPopularity":0,"interest":0.2,"recent":0,"blend":0.7,"seen":true,"device":"mobile"}"#
        let decoded = try JSONDecoder().decode(RankingFeatures.self, from: Data(json.utf8))
        #expect(decoded.knn == 0.5 && decoded.blend == 0.7 && decoded.seen && decoded.device == "mobile")
        #expect(decoded.categoryAffinity == 0 && decoded.priceDistance == nil && decoded.hour == nil)
        var full = decoded
        full.categoryAffinity = 0.4; full.priceBandAffinity = 1; full.hour = 3
        #expect(try JSONDecoder().decode(RankingFeatures.self, from: JSONEncoder().encode(full)) == full)
    }
}
