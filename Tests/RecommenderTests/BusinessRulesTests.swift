import Testing

@testable import Recommender

@Suite("Business rules after scoring")
struct BusinessRulesTests {
    /// Ten items i0…i9, scores 10…1; even ones are books by brand A, odd ones toys by brand B.
    let candidates = (0..<10).map { RuledItem(itemId: "i\($0)", score: Double(10 - $0)) }
    func attributes(_ id: String) -> ItemAttributes? {
        guard let n = Int(id.dropFirst()) else { return nil }
        return ItemAttributes(category: n % 2 == 0 ? "books" : "toys", brand: n % 2 == 0 ? "A" : "B", price: Double(n * 100))
    }

    func apply(_ rules: BusinessRules, limit: Int = 5, eligible: Set<String> = [], seed: UInt64 = 1) -> BusinessRuleApplier.Outcome {
        BusinessRuleApplier(rules: rules).apply(
            candidates, limit: limit, attributes: attributes, isEligible: { eligible.contains($0) }, seed: seed)
    }

    @Test func withoutRulesTheTopNComeBackInOrder() {
        #expect(apply(BusinessRules()).items.map(\.itemId) == ["i0", "i1", "i2", "i3", "i4"])
    }

    @Test func boostsAndBuriesReorder() {
        var rules = BusinessRules()
        rules.boosts = [ScoreAdjustment(match: ItemMatch(category: "toys"), factor: 3), ScoreAdjustment(match: ItemMatch(item: "i1"), factor: 0.1)]
        // toys ×3: i3 = 21, i5 = 15, i7 = 9; i1 = 27 × 0.1 = 2.7.
        #expect(apply(rules).items.map(\.itemId) == ["i3", "i5", "i0", "i7", "i2"])
    }

    @Test func priceBandMatchesOnlyItsBand() {
        var rules = BusinessRules()
        // i5…i9 cost 500…900: premium (≥ 500).
        rules.boosts = [ScoreAdjustment(match: ItemMatch(priceBand: "premium"), factor: 20)]
        #expect(apply(rules).items.map(\.itemId) == ["i5", "i6", "i7", "i8", "i9"])
    }

    @Test func diversityCapsRemoveAndSayWhy() {
        var rules = BusinessRules()
        rules.maxPerCategory = 2
        let outcome = apply(rules, limit: 4)
        #expect(outcome.items.map(\.itemId) == ["i0", "i1", "i2", "i3"])
        rules.maxPerCategory = 1
        let capped = apply(rules, limit: 4)
        #expect(capped.items.map(\.itemId) == ["i0", "i1"])
        #expect(capped.removed.contains { $0.itemId == "i2" && $0.rule == "diversity_category" })
    }

    @Test func exclusionsByItemAndCategory() {
        var rules = BusinessRules()
        rules.excludeItems = ["i0"]
        rules.excludeCategories = ["toys"]
        let outcome = apply(rules, limit: 3)
        #expect(outcome.items.map(\.itemId) == ["i2", "i4", "i6"])
        #expect(outcome.removed.first { $0.itemId == "i0" }?.rule == "excluded_item")
        #expect(outcome.removed.first { $0.itemId == "i1" }?.rule == "excluded_category")
    }

    @Test func pinsLandWhereAskedOnlyWhenEligible() {
        var rules = BusinessRules()
        rules.pins = [Pin(item: "x-new", position: 2), Pin(item: "x-banned", position: 1), Pin(item: "i8", position: 1)]
        let outcome = apply(rules, limit: 4, eligible: ["x-new", "i8"])
        #expect(outcome.items.map(\.itemId) == ["i8", "x-new", "i0", "i1"])
        #expect(outcome.items.prefix(2).allSatisfy { $0.placement == "pinned" })
    }

    @Test func explorationIsDeterministicPerSeedAndComesFromBeyondTheTop() {
        var rules = BusinessRules()
        rules.explorationShare = 0.4
        let a = apply(rules, limit: 5, seed: 42)
        let b = apply(rules, limit: 5, seed: 42)
        #expect(a == b)
        #expect(a.items.prefix(3).map(\.itemId) == ["i0", "i1", "i2"])
        let explored = a.items.filter { $0.placement == "exploration" }
        #expect(explored.count == 2)
        #expect(explored.allSatisfy { Int($0.itemId.dropFirst())! >= 3 })
        let seeds = (0..<20).map { apply(rules, limit: 5, seed: $0).items.map(\.itemId) }
        #expect(Set(seeds).count > 1, "different recommendations explore different items")
    }

    @Test func validationNamesTheField() {
        var rules = BusinessRules()
        rules.boosts = [ScoreAdjustment(match: ItemMatch(), factor: 0)]
        rules.explorationShare = 0.9
        rules.maxPerBrand = 0
        let errors = rules.validationErrors()
        #expect(errors.contains { $0.hasPrefix("rules.boosts[0]:") })
        #expect(errors.contains { $0.hasPrefix("rules.boosts[0].factor:") })
        #expect(errors.contains { $0.hasPrefix("rules.explorationShare:") })
        #expect(errors.contains { $0.hasPrefix("rules.maxPerBrand:") })
        #expect(BusinessRules().validationErrors().isEmpty)
    }
}

@Suite("Ranking config ranges")
struct RankingConfigValidationTests {
    @Test func defaultsAreValidAndBadKnobsAreNamed() {
        #expect(RankingConfig.default.validationErrors().isEmpty)
        var config = RankingConfig()
        config.weights.popularity = -1
        config.ranker.learningRate = 0
        config.knn.positionDecay = .nan
        config.candidates.perSource = 0
        let errors = config.validationErrors(prefix: "placements.home.engine")
        #expect(errors.count == 4)
        #expect(errors.contains { $0.hasPrefix("placements.home.engine.weights.popularity: must be a number from 0 to 100") })
        #expect(errors.contains { $0.hasPrefix("placements.home.engine.ranker.learningRate: must be a number greater than 0") })
        #expect(errors.contains { $0.hasPrefix("placements.home.engine.knn.positionDecay:") })
        #expect(errors.contains { $0.hasPrefix("placements.home.engine.candidates.perSource: must be a whole number from 1 to 10000") })
    }

    @Test func boostPriceBandMustBeKnown() {
        var rules = BusinessRules()
        rules.boosts = [ScoreAdjustment(match: ItemMatch(priceBand: "Premium"), factor: 0.8)]
        #expect(rules.validationErrors() == [#"rules.boosts[0].priceBand: must be one of low, mid, high, premium; got "Premium""#])
        rules.boosts[0].match.priceBand = "premium"
        #expect(rules.validationErrors().isEmpty)
    }
}
