import Foundation
import Testing
@testable import Recommender

@Suite("Models on hand-made data")
struct ModelTests {
    // Sessions: s1 = A B C, s2 = A D, s3 = B C. Query session: A then B.
    // Position weights (sessionItems = all, n = 2): A → 1/2, B → 2/2 = 1.
    // Similarities: s1 has A and B → 1.5; s2 has A → 0.5; s3 has B → 1.
    let state = model(sessions: [["A", "B", "C"], ["A", "D"], ["B", "C"]]).testState

    func knn(matchDecay: Double, idfWeight: Double) -> [String: Double] {
        var settings = KNNSettings()
        settings.sampleSize = 10; settings.neighbours = 10; settings.sessionItems = 0
        settings.matchDecay = matchDecay; settings.idfWeight = idfWeight
        settings.positionDecay = 1  // every item of a neighbour votes alike (tested separately)
        let scores = state.sessions.knnScores(sessionItems: [index(state, "A"), index(state, "B")], excludingSerial: nil, settings: settings)
        return Dictionary(uniqueKeysWithValues: scores.map { (state.items.id(at: $0.key), $0.value) })
    }

    @Test func knnSumsNeighbourSimilarities() {
        // A: s1 1.5 + s2 0.5 = 2.0; B: s1 1.5 + s3 1 = 2.5; C: same as B = 2.5; D: s2 0.5.
        let scores = knn(matchDecay: 0, idfWeight: 0)
        #expect(scores == ["A": 2.0, "B": 2.5, "C": 2.5, "D": 0.5])
    }

    @Test func knnMatchDecayDividesByStepOfNewestSharedItem() {
        // s1 and s3 share B (newest, step 1): votes 1.5 and 1. s2 shares only A (step 2): 0.5 / 2 = 0.25.
        // A = 1.5 + 0.25 = 1.75; B = C = 1.5 + 1 = 2.5; D = 0.25.
        let scores = knn(matchDecay: 1, idfWeight: 0)
        #expect(scores == ["A": 1.75, "B": 2.5, "C": 2.5, "D": 0.25])
    }

    @Test func knnIdfFavoursRareItems() {
        // 3 live sessions; A, B, C are in 2 of them, D in 1.
        // A = 2.0 × (1 + ln(3/2)); D = 0.5 × (1 + ln 3).
        let scores = knn(matchDecay: 0, idfWeight: 1)
        #expect(isClose(scores["A"]!, 2.0 * (1 + log(1.5))))
        #expect(isClose(scores["D"]!, 0.5 * (1 + log(3.0))))
    }

    @Test func knnExcludesTheSessionItself() {
        var settings = KNNSettings()
        settings.sessionItems = 0; settings.idfWeight = 0; settings.matchDecay = 0
        // Only s2 contains D; excluding s2 leaves nothing.
        let serial = state.sessions.serial(of: "s2")!
        #expect(state.sessions.knnScores(sessionItems: [index(state, "D")], excludingSerial: serial, settings: settings).isEmpty)
    }

    @Test func transitionsAreConditionalProbabilitiesWithStepWeights() {
        // s1 = A B C: A→B weight 1 (step 1), A→C weight 1/2 (step 2), B→C weight 1. Total out of A = 1.5.
        // s2 = A D: A→D 1. Total out of A = 2.5. So P(B|A) = 1/2.5 = 0.4, P(C|A) = 0.5/2.5 = 0.2, P(D|A) = 0.4.
        let scores = state.sequences.transitionScores(sessionSequence: [index(state, "A")], steps: 1)
        #expect(isClose(scores[index(state, "B")]!, 0.4))
        #expect(isClose(scores[index(state, "C")]!, 0.2))
        #expect(isClose(scores[index(state, "D")]!, 0.4))
    }

    @Test func covisitationIsSymmetric() {
        // Pairs within 5 steps: s1 A-B, A-C, B-C; s2 A-D; s3 B-C. Out of D: only A (1/1).
        let scores = state.sequences.covisitationScores(sessionSequence: [index(state, "D")], steps: 1)
        #expect(scores == [index(state, "A"): 1.0])
        // Out of C: A once, B twice → total 3: P(A|C) = 1/3, P(B|C) = 2/3.
        let fromC = state.sequences.covisitationScores(sessionSequence: [index(state, "C")], steps: 1)
        #expect(isClose(fromC[index(state, "B")]!, 2.0 / 3.0))
    }

    @Test func associationRulesApplySupportConfidenceAndLift() {
        // Baskets: p1 = {X, Y}, p2 = {X, Y, Z}, p3 = {Z}. 3 baskets; X, Y, Z are each in 2.
        // X→Y: support 2, confidence 2/2 = 1, lift 1 / (2/3) = 1.5.
        // X→Z: support 1, confidence 1/2, lift 0.5 / (2/3) = 0.75.
        let m = SessionRankModel()
        var t = 0.0
        for (session, items) in [("p1", ["X", "Y"]), ("p2", ["X", "Y", "Z"]), ("p3", ["Z"])] {
            for item in items { t += 1; m.apply(ModelEvent(sessionId: session, itemId: item, type: .purchase, timestamp: t)) }
        }
        let s = m.testState
        var settings = AssociationSettings()
        settings.minSupport = 2; settings.minConfidence = 0; settings.minLift = 0
        #expect(s.association.scores(antecedents: [index(s, "X")], settings: settings) == [index(s, "Y"): 1.0])
        settings.minSupport = 1
        #expect(s.association.scores(antecedents: [index(s, "X")], settings: settings) == [index(s, "Y"): 1.0, index(s, "Z"): 0.5])
        settings.minLift = 1  // drops X→Z (lift 0.75)
        #expect(s.association.scores(antecedents: [index(s, "X")], settings: settings) == [index(s, "Y"): 1.0])
        settings.minConfidence = 1.01  // nothing is that confident
        #expect(s.association.scores(antecedents: [index(s, "X")], settings: settings).isEmpty)
    }

    @Test func popularityDecaysWithHalfLife() {
        // Half-life 100 s. A viewed at t=0 and t=100, B at t=100 (weight 1 each).
        // At t=100: A = 0.5 + 1 = 1.5, B = 1. At t=200 everything halves: A = 0.75.
        var p = DecayedPopularity(halfLifeSeconds: 100, capacity: 1)
        p.record(item: 0, weight: 1, time: 0)
        p.record(item: 0, weight: 1, time: 100)
        p.record(item: 1, weight: 1, time: 100)
        #expect(isClose(p.score(of: 0, at: 100), 1.5))
        #expect(isClose(p.score(of: 1, at: 100), 1.0))
        #expect(isClose(p.score(of: 0, at: 200), 0.75))
        #expect(p.top == [0])  // capacity 1 keeps the most popular
        // B gets two purchases (weight 5 each) at t=150: B = 1×2^-0.5 + 10 ≈ 10.71 > A = 1.5×2^-0.5.
        p.record(item: 1, weight: 5, time: 150)
        p.record(item: 1, weight: 5, time: 150)
        #expect(p.top == [1])
        #expect(isClose(p.score(of: 1, at: 150), pow(2, -0.5) + 10))
    }

    @Test func regionalPopularityIsSeparate() {
        let m = SessionRankModel()
        m.apply(ModelEvent(sessionId: "a", itemId: "nl-item", timestamp: 1, region: "NL"))
        m.apply(ModelEvent(sessionId: "b", itemId: "de-item", timestamp: 2, region: "DE"))
        let config = onlyWeights { $0.regionalPopularity = 1 }
        var r = request([])
        r.context.region = "NL"
        let top = m.recommend(r, config: config)
        #expect(top.first?.itemId == "nl-item")
        #expect(top.first?.components.regionalPopularity == 1)
        #expect(top.first { $0.itemId == "de-item" }?.components.regionalPopularity == 0)
    }

    @Test func interestAffinityIsShareOfPositiveInterestMass() {
        // Item keys: category:shoes, brand:acme, price:mid (30 is in [25, 100)).
        // Positive mass = 2 + 1 + 1 = 4 (the negative weight is ignored); matched = 2 + 1 = 3 → 0.75.
        let keys = ItemAttributes(category: "shoes", brand: "acme", price: 30).interestKeys()
        #expect(keys == ["category:shoes", "brand:acme", "price:mid"])
        var index = AttributeIndex()
        index.set(ItemAttributes(category: "shoes", brand: "acme", price: 30), for: 0, priceBands: PriceBands())
        index.set(ItemAttributes(), for: 1, priceBands: PriceBands())
        let interests = InterestVector(["category:shoes": 2.0, "brand:other": 1, "price:mid": 1, "colour:red": -5], keys: index)
        #expect(interests.positiveMass == 4)
        #expect(index.affinity(of: 0, interests: interests) == 0.75)
        #expect(index.affinity(of: 1, interests: interests) == 0, "no attributes, no keys")
        // Per kind: all category interest is on shoes, the brand interest is elsewhere.
        let shares = index.affinityByKind(of: 0, interests: interests)
        #expect(shares.category == 1 && shares.brand == 0 && shares.priceBand == 1)
    }

    @Test func interestCandidatesComeFromTheCatalog() {
        let m = SessionRankModel()
        m.updateCatalog(ItemCatalog(items: ["boot": ItemAttributes(category: "shoes"), "hat": ItemAttributes(category: "hats")]))
        var r = request([])
        r.interests = ["category:shoes": 1]
        let top = m.recommend(r, config: onlyWeights { $0.interest = 1 })
        #expect(top.first?.itemId == "boot")
        #expect(top.first?.components.interest == 1)
        #expect(top.first?.sources.contains(.interest) == true)
    }

    @Test func ftrlFirstStepMatchesHandComputation() {
        // All weights 0 → p = 0.5. Label 1, x = {bias: 1, knn: 1}: g = p - y = -0.5 per coordinate.
        // σ = (√0.25 - 0) / α = 0.5 / 0.1 = 5; z = g - σ·w = -0.5; n = 0.25.
        // With l1 = 0.1: w = -(z - sign(z)·l1) / ((β + √n)/α + l2) = 0.4 / ((1 + 0.5)/0.1 + 1) = 0.4 / 16 = 0.025.
        var settings = RankerSettings()
        settings.learningRate = 0.1; settings.beta = 1; settings.l1 = 0.1; settings.l2 = 1
        var ranker = FTRLRanker()
        let x: [(index: Int, value: Double)] = [(0, 1), (1, 1)]
        #expect(ranker.probability(x, settings: settings) == 0.5)
        ranker.update(x, label: true, importance: 1, settings: settings)
        #expect(ranker.z[0] == -0.5 && ranker.n[0] == 0.25)
        // margin = 0.025 + 0.025 = 0.05 → p = σ(0.05)
        #expect(isClose(ranker.probability(x, settings: settings), 1 / (1 + exp(-0.05))))
        settings.l1 = 0.5  // |z| = 0.5 is not above l1 → weights stay 0
        #expect(ranker.probability(x, settings: settings) == 0.5)
    }

    @Test func rankerTakesOverAfterEnoughFeedbackAndIsDeterministic() {
        let m1 = model(sessions: [["A", "B", "C"], ["A", "D"], ["B", "C"], ["A", "C"]])
        let m2 = model(sessions: [["A", "B", "C"], ["A", "D"], ["B", "C"], ["A", "C"]])
        var config = RankingConfig()
        config.exclusion.excludeCurrent = false
        config.ranker.minFeedback = 3
        for m in [m1, m2] {
            for round in 0..<5 {
                let served = m.recommend(request(["A"]), config: config)
                // One positive (the click on D) per round: the blend serves until 3 have been learned.
                if round < 3 { #expect(served.allSatisfy { $0.components.ranker == nil }) }
                m.learn(from: FeedbackExample(sessionId: "f", served: served, clicked: ["D"]), config: config)
            }
        }
        let after1 = m1.recommend(request(["A"]), config: config)
        let after2 = m2.recommend(request(["A"]), config: config)
        #expect(after1 == after2)
        #expect(after1.allSatisfy { $0.components.ranker != nil && $0.score == $0.components.ranker })
        #expect(after1.first?.itemId == "D")  // learned from five clicks on D
        config.ranker.enabled = false  // fallback: the blend
        #expect(m1.recommend(request(["A"]), config: config).allSatisfy { $0.components.ranker == nil && $0.score == $0.components.blend })
    }

    @Test func exclusionsAndCurrentItem() {
        let m = model(sessions: [["A", "B", "C"], ["A", "D"], ["B", "C"]])
        var config = RankingConfig()
        var r = request(["A", "B"])
        r.exclude = ["C"]
        r.purchasedItems = ["D"]
        let ids = Set(m.recommend(r, config: config).map(\.itemId))
        #expect(!ids.contains("C") && !ids.contains("D") && !ids.contains("B"))  // B is the current item
        config.exclusion.excludePurchased = false
        config.exclusion.excludeCurrent = false
        let relaxed = Set(m.recommend(r, config: config).map(\.itemId))
        #expect(relaxed.contains("D") && relaxed.contains("B") && !relaxed.contains("C"))
    }

    @Test func sessionsAgeOutOfTheIndex() {
        var parameters = ModelParameters()
        parameters.sessionWindowSeconds = 100
        let m = SessionRankModel(parameters: parameters)
        // 64 sessions (one full chunk) at t = 0…63, then one event at t = 1000.
        for i in 0..<64 { m.apply(ModelEvent(sessionId: "old\(i)", itemId: "A", timestamp: Double(i))) }
        #expect(m.stats.sessions == 64)
        m.apply(ModelEvent(sessionId: "new", itemId: "B", timestamp: 1000))
        #expect(m.stats.sessions == 1)
        let state = m.testState
        #expect(state.sessions.knnScores(sessionItems: [index(state, "A")], excludingSerial: nil, settings: KNNSettings()).isEmpty)
        // A gets no new session, yet its aged-out postings are gone too: memory follows the window.
        #expect(state.sessions.postings.value(at: Int(index(state, "A"))).isEmpty)
        #expect(state.sessions.postings.value(at: Int(index(state, "B"))).count == 1)
    }

    @Test func emptyModelAndUnknownItemsGiveNoCrash() {
        let m = SessionRankModel()
        #expect(m.recommend(request(["nothing"])).isEmpty)
        let trained = model(sessions: [["A", "B"]])
        #expect(!trained.recommend(request(["unknown"])).isEmpty)  // falls back to popularity
    }

    @Test func configDecodesWithDefaults() throws {
        let decoded = try JSONDecoder().decode(RankingConfig.self, from: Data("{\"knn\":{\"neighbours\":7}}".utf8))
        var expected = RankingConfig()
        expected.knn.neighbours = 7
        #expect(decoded == expected)
        #expect(try JSONDecoder().decode(ModelParameters.self, from: Data("{}".utf8)) == ModelParameters())
    }
}
