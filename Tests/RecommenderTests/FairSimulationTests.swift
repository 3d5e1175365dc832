import Foundation
import Testing
@testable import Recommender
@testable import RecommenderLab

/// The fair feedback simulation (issue 23 §5): a hidden taste that neither arm is favoured by,
/// validation visitors apart from the test visitors, and intervals over seeds.
@Suite("Fair feedback simulation")
struct FairSimulationTests {
    @Test("the click chance depends on the taste match and the position only: equal within a (category, band) cell")
    func tasteIsCategoryAndBandOnly() {
        let store = StorefrontSimulation()
        for index in 0..<40 {
            let visitor = store.visitor(index)
            for item in store.catalog {
                let matches = (item.category == visitor.category ? 1 : 0) + (item.band == visitor.band ? 1 : 0)
                let expected = 0.02 * pow(3, Double(matches))
                #expect(abs(store.attraction(item, for: visitor) - expected) < 1e-12, "\(item.id) for visitor \(index)")
                for position in [0, 3, 9] {
                    let chance = store.clickProbability(item, for: visitor, position: position)
                    #expect(abs(chance - pow(0.85, Double(position)) * expected) < 1e-12)
                }
            }
        }
    }

    @Test("an item already viewed in the visit is clicked as readily as one not yet viewed")
    func seenItemsAreNotPenalised() {
        // Visitor 0's favourite cell, viewed or not: the same chance at every position, so the
        // ranker's `seen` feature has no effect of the taste to learn that the blend could not follow.
        let store = StorefrontSimulation()
        let visitor = store.visitor(0)
        let cell = store.itemsByCell[visitor.category * StorefrontSimulation.bandPrices.count + visitor.band]
        let chances = Set(cell.map { store.clickProbability(store.catalog[$0], for: visitor, position: 0) })
        #expect(chances == [0.18])
    }

    @Test("validation visitors come from the same store but are other visitors")
    func validationVisitorsShareTheStoreOnly() {
        var settings = StorefrontSimulation.Settings()
        settings.seed = 3
        let test = StorefrontSimulation(settings: settings)
        settings.visitorSeed = 3 &+ FeedbackStudy.validationSeedOffset
        let validation = StorefrontSimulation(settings: settings)
        #expect(test.catalog.map(\.attributes) == validation.catalog.map(\.attributes))
        let tastes = { (s: StorefrontSimulation) in (0..<60).map { [s.visitor($0).category, s.visitor($0).band] } }
        #expect(tastes(test) != tastes(validation))

        var same = StorefrontSimulation.Settings()
        same.seed = 3
        same.visitorSeed = 3
        same.visitors = 40
        same.warmUpVisits = 30
        same.phases = 2
        var implicit = same
        implicit.visitorSeed = nil
        #expect(StorefrontSimulation(settings: same).compare() == StorefrontSimulation(settings: implicit).compare())
    }

    @Test("95 % interval over seeds: mean, sample sd and Student's t on a known input")
    func intervalOnKnownValues() {
        let interval = SeedInterval([1, 2, 3, 4, 5])
        #expect(interval.mean == 3)
        #expect(abs(interval.standardDeviation - 2.5.squareRoot()) < 1e-12)
        // t(0.975, 4) = 2.776; sd / √5 = √0.5.
        #expect(abs(interval.halfWidth - 2.776 * 0.5.squareRoot()) < 1e-12)
        #expect(abs(interval.lower - (3 - 2.776 * 0.5.squareRoot())) < 1e-12)
        #expect(interval.formatted() == "3.000 ± 1.963")
        #expect(SeedInterval.tQuantile975(degreesOfFreedom: 1) == 12.706)
        #expect(SeedInterval.tQuantile975(degreesOfFreedom: 200) == 1.96)
        let single = SeedInterval([0.4])
        #expect(single.halfWidth.isInfinite && single.formatted() == "0.400")
    }

    static func close(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-12 }
    }

    static func arm(lastThird clicked: Int, of lists: Int) -> StorefrontSimulation.Arm {
        var early = StorefrontSimulation.Phase()
        early.lists = 100
        early.clickedLists = 1
        var late = StorefrontSimulation.Phase()
        late.lists = lists
        late.clickedLists = clicked
        return StorefrontSimulation.Arm(phases: [early, early, late], rankerPositives: 0)
    }

    @Test("the report's rows: last-third CTR per arm and per-seed ratios with their intervals")
    func reportRowsOnKnownInput() throws {
        let results = [
            FeedbackStudy.SeedResult(seed: 1, blend: Self.arm(lastThird: 40, of: 100), ranker: Self.arm(lastThird: 60, of: 100),
                                     tunedBlend: Self.arm(lastThird: 50, of: 100), rankerOverTunedBlend: Self.arm(lastThird: 55, of: 100)),
            FeedbackStudy.SeedResult(seed: 2, blend: Self.arm(lastThird: 50, of: 100), ranker: Self.arm(lastThird: 50, of: 100),
                                     tunedBlend: Self.arm(lastThird: 50, of: 100), rankerOverTunedBlend: Self.arm(lastThird: 45, of: 100)),
        ]
        let (arms, ratios) = FeedbackStudy.rows(results)
        #expect(arms.map(\.label) == ["blend, default weights", "blend, tuned on validation visitors", "ranker, default config", "ranker over the tuned blend"])
        #expect(arms[0].interval.values == [0.4, 0.5])
        #expect(abs(arms[0].interval.mean - 0.45) < 1e-12)
        // Two seeds: t(0.975, 1) = 12.706, sd of (0.4, 0.5) = 0.1/√2, so half-width 12.706 × 0.05.
        #expect(abs(arms[0].interval.halfWidth - 12.706 * 0.05) < 1e-9)
        let rankerOverDefault = try #require(ratios.first { $0.label == "ranker / default blend" })
        #expect(Self.close(rankerOverDefault.interval.values, [1.5, 1.0]))
        #expect(abs(rankerOverDefault.interval.mean - 1.25) < 1e-12)
        let rankerOverTuned = try #require(ratios.first { $0.label == "ranker / tuned blend" })
        #expect(Self.close(rankerOverTuned.interval.values, [1.2, 1.0]))
        let report = try FeedbackStudy.report(results)
        #expect(report.contains("| ranker / tuned blend | ×1.100 ± 1.271 | 1.200 / 1.000 |"))

        // Without tuning the tuned rows are left out rather than shown empty.
        let untuned = results.map { FeedbackStudy.SeedResult(seed: $0.seed, blend: $0.blend, ranker: $0.ranker) }
        #expect(FeedbackStudy.rows(untuned).arms.count == 2 && FeedbackStudy.rows(untuned).ratios.map(\.label) == ["ranker / default blend"])
    }

    @Test("a small study: tuning on validation never does worse than the default there, and the tuned blend keeps the ranker off")
    func smallStudy() {
        var settings = FeedbackStudy.Settings()
        settings.seeds = [1, 2]
        settings.trials = 4
        settings.simulation.visitors = 60
        settings.simulation.warmUpVisits = 40
        settings.simulation.phases = 3
        let results = FeedbackStudy(settings: settings).run()
        #expect(results.map(\.seed) == [1, 2])
        for result in results {
            guard let tuning = result.tuning, let tuned = result.tunedBlend else {
                Issue.record("seed \(result.seed) was not tuned")
                continue
            }
            #expect(tuning.validationTuned >= tuning.validationDefault)
            #expect(tuning.config.ranker.enabled == false)
            #expect(tuned.phases.allSatisfy { $0.rankerLists == 0 } && result.blend.phases.allSatisfy { $0.rankerLists == 0 })
            // The test arms are measured on the seed's own visitors, not the validation ones.
            var test = settings.simulation
            test.seed = result.seed
            var blend = test.config
            blend.ranker.enabled = false
            #expect(StorefrontSimulation(settings: test).measure(config: blend) == result.blend)
        }
    }

    @Test("the storefront search space varies the interest weight and excludeSeen; the next-item space leaves them")
    func storefrontSpace() {
        var rng = SeededGenerator(seed: 7)
        let base = RankingConfig.default
        let wide = (0..<40).map { _ in ConfigTuner.randomConfig(base: base, space: .storefront, using: &rng) }
        #expect(Set(wide.map(\.weights.interest)).count > 30)
        #expect(Set(wide.map(\.exclusion.excludeSeen)) == [false, true])
        let narrow = (0..<40).map { _ in ConfigTuner.randomConfig(base: base, space: .nextItem, using: &rng) }
        #expect(narrow.allSatisfy { $0.weights.interest == base.weights.interest && $0.exclusion == base.exclusion })
    }
}
