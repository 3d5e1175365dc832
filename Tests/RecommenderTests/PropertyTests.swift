import Foundation
import Testing
@testable import Recommender
@testable import RecommenderLab

/// Random sessions and configs from a seeded generator: the same cases on every run.
@Suite("Properties over random sessions and configs")
struct PropertyTests {
    static func randomModel(seed: UInt64) -> (SessionRankModel, [[String]]) {
        var rng = SeededGenerator(seed: seed)
        let m = SessionRankModel()
        m.updateCatalog(ItemCatalog(items: Dictionary(uniqueKeysWithValues: (0..<10).map {
            ("i\($0)", ItemAttributes(category: "c\($0 % 3)", brand: "b\($0 % 2)", price: Double($0 * 20 + 5)))
        })))
        var sessions: [[String]] = []
        var time = 0.0
        for s in 0..<60 {
            let length = Int.random(in: 1...8, using: &rng)
            var items: [String] = []
            for _ in 0..<length {
                let item = "i\(Int.random(in: 0..<30, using: &rng))"
                let type: EventType = [.view, .view, .click, .addToCart, .purchase].randomElement(using: &rng)!
                time += Double.random(in: 1...100, using: &rng)
                m.apply(ModelEvent(sessionId: "s\(s)", itemId: item, type: type, timestamp: time, region: ["NL", "DE", nil].randomElement(using: &rng)!))
                items.append(item)
            }
            sessions.append(items)
        }
        return (m, sessions)
    }

    static func randomRequest(_ rng: inout SeededGenerator) -> RecommendationRequest {
        let items = (0..<Int.random(in: 0...6, using: &rng)).map { _ in
            SessionItem(itemId: "i\(Int.random(in: 0..<35, using: &rng))", type: [.view, .click, .addToCart, .purchase].randomElement(using: &rng)!)
        }
        var r = RecommendationRequest(recentItems: items, limit: Int.random(in: 1...30, using: &rng))
        r.exclude = Set((0..<Int.random(in: 0...5, using: &rng)).map { _ in "i\(Int.random(in: 0..<30, using: &rng))" })
        r.purchasedItems = (0..<Int.random(in: 0...3, using: &rng)).map { _ in "i\(Int.random(in: 0..<30, using: &rng))" }
        r.cartItems = (0..<Int.random(in: 0...3, using: &rng)).map { _ in "i\(Int.random(in: 0..<30, using: &rng))" }
        r.interests = ["category:c1": Double.random(in: -1...3, using: &rng), "brand:b0": Double.random(in: 0...2, using: &rng)]
        r.context = RequestContext(region: ["NL", "DE", "FR", nil].randomElement(using: &rng)!, device: "mobile", pageType: "product", hour: Int.random(in: 0..<24, using: &rng))
        return r
    }

    static func randomConfig(_ rng: inout SeededGenerator) -> RankingConfig {
        var c = ConfigTuner.randomConfig(base: RankingConfig(), using: &rng)
        c.weights.interest = Double.random(in: 0...1, using: &rng)
        c.weights.association = Double.random(in: 0...1, using: &rng)
        c.weights.regionalPopularity = Double.random(in: 0...1, using: &rng)
        c.exclusion.excludePurchased = Bool.random(using: &rng)
        c.exclusion.excludeInCart = Bool.random(using: &rng)
        c.exclusion.excludeSeen = Bool.random(using: &rng)
        c.exclusion.excludeCurrent = Bool.random(using: &rng)
        c.ranker.minFeedback = Int.random(in: 0...3, using: &rng)
        c.candidates.perSource = Int.random(in: 1...50, using: &rng)
        return c
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func rankingInvariants(seed: UInt64) throws {
        let (m, _) = Self.randomModel(seed: seed)
        var rng = SeededGenerator(seed: seed &* 7919)
        for round in 0..<40 {
            let r = Self.randomRequest(&rng)
            let config = Self.randomConfig(&rng)
            let ranked = m.recommend(r, config: config)
            // Finite scores, sorted, no duplicates.
            #expect(ranked.allSatisfy { $0.score.isFinite && $0.components.dictionary.values.allSatisfy(\.isFinite) })
            #expect(zip(ranked, ranked.dropFirst()).allSatisfy { $0.score >= $1.score })
            #expect(Set(ranked.map(\.itemId)).count == ranked.count)
            // Exclusions.
            var forbidden = r.exclude
            if config.exclusion.excludePurchased { forbidden.formUnion(r.purchasedItems); forbidden.formUnion(r.recentItems.filter { $0.type == .purchase }.map(\.itemId)) }
            if config.exclusion.excludeInCart { forbidden.formUnion(r.cartItems); forbidden.formUnion(r.recentItems.filter { $0.type == .addToCart }.map(\.itemId)) }
            if config.exclusion.excludeSeen { forbidden.formUnion(r.recentItems.map(\.itemId)) }
            if config.exclusion.excludeCurrent, let last = r.recentItems.last { forbidden.insert(last.itemId) }
            #expect(ranked.allSatisfy { !forbidden.contains($0.itemId) })
            // Deterministic.
            #expect(m.recommend(r, config: config) == ranked)
            // Feedback keeps the ranker finite and deterministic.
            if round % 5 == 0, let first = ranked.first {
                m.learn(from: FeedbackExample(sessionId: "fb", served: ranked, clicked: [first.itemId]), config: config)
            }
        }
    }

    @Test(arguments: [5, 6, 7] as [UInt64])
    func snapshotRoundTripGivesIdenticalRecommendations(seed: UInt64) throws {
        let (m, _) = Self.randomModel(seed: seed)
        var rng = SeededGenerator(seed: seed)
        let config = Self.randomConfig(&rng)
        m.learn(from: FeedbackExample(sessionId: "fb", served: m.recommend(Self.randomRequest(&rng), config: config), clicked: ["i1", "i2"]), config: config)
        let data = m.snapshot(metadata: ["kafka.events.0": "1234", "modelVersion": "7"])
        let loaded = try SessionRankModel.load(from: data)
        #expect(loaded.metadata == ["kafka.events.0": "1234", "modelVersion": "7"])
        #expect(loaded.stats == m.stats)
        #expect(loaded.snapshot(metadata: ["kafka.events.0": "1234", "modelVersion": "7"]) == data)  // byte-identical
        for _ in 0..<30 {
            let r = Self.randomRequest(&rng)
            let c = Self.randomConfig(&rng)
            #expect(loaded.recommend(r, config: c) == m.recommend(r, config: c))
        }
        // Both keep learning identically.
        let event = ModelEvent(sessionId: "late", itemId: "i3", timestamp: 1e7)
        m.apply(event); loaded.apply(event)
        let r = Self.randomRequest(&rng)
        #expect(loaded.recommend(r, config: config) == m.recommend(r, config: config))
    }

    @Test func corruptSnapshotsThrowTypedErrors() {
        let (m, _) = Self.randomModel(seed: 9)
        let data = m.snapshot()
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<200 {
            var bytes = [UInt8](data)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:
                let position = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[position] ^= UInt8.random(in: 1...255, using: &rng)
            case 1:
                bytes.removeLast(Int.random(in: 1..<bytes.count, using: &rng))
            default:
                bytes.append(contentsOf: (0..<Int.random(in: 1...16, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            }
            #expect(throws: SnapshotError.self) { _ = try SessionRankModel.load(from: Data(bytes)) }
        }
        #expect { _ = try SessionRankModel.load(from: Data("hello".utf8)) } throws: { ($0 as? SnapshotError)?.code == .notASnapshot }
        var wrongVersion = [UInt8](data)
        wrongVersion[8] = 99
        #expect { _ = try SessionRankModel.load(from: Data(wrongVersion)) } throws: { ($0 as? SnapshotError)?.code == .unsupportedVersion }
        var flipped = [UInt8](data)
        flipped[flipped.count - 1] ^= 0xFF
        #expect { _ = try SessionRankModel.load(from: Data(flipped)) } throws: { ($0 as? SnapshotError)?.code == .checksumMismatch }
    }

    @Test func corruptPayloadWithValidChecksumIsRejectedNotCrashed() {
        // Recompute the CRC after damaging the payload, so decoding itself must catch it.
        let (m, _) = Self.randomModel(seed: 11)
        let data = [UInt8](m.snapshot())
        var rng = SeededGenerator(seed: 12)
        var rejected = 0
        for _ in 0..<200 {
            var bytes = data
            let position = Int.random(in: SnapshotCodec.headerSize..<bytes.count, using: &rng)
            bytes[position] ^= UInt8.random(in: 1...255, using: &rng)
            let crc = CRC32.checksum(bytes[SnapshotCodec.headerSize...])
            withUnsafeBytes(of: crc.littleEndian) { for (i, b) in $0.enumerated() { bytes[20 + i] = b } }
            do { _ = try SessionRankModel.load(from: Data(bytes)) } catch { rejected += 1 }
        }
        #expect(rejected > 0)  // many flips land in float bits and stay valid; none may crash
    }

    @Test func concurrentReadersDuringWrites() async {
        let (m, sessions) = Self.randomModel(seed: 13)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for i in 0..<2000 { m.apply(ModelEvent(sessionId: "w\(i % 50)", itemId: "i\(i % 40)", timestamp: 1e6 + Double(i))) }
            }
            for reader in 0..<3 {
                group.addTask {
                    for i in 0..<300 {
                        let ranked = m.recommend(request(sessions[(reader + i) % sessions.count]))
                        #expect(ranked.allSatisfy { $0.score.isFinite })
                    }
                }
            }
        }
        #expect(m.stats.eventsApplied >= 2000)
    }
}
