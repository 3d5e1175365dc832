import Testing
@testable import Recommender
@testable import RecommenderLab

/// The online ranker under feedback (issue 6.6): in a simulated storefront whose visitors click
/// after a hidden taste, lists ranked by the learned ranker get clicked more than the blend's.
/// Measured last-third gains (seeds 1–4, these settings): ×1.33, ×1.14, ×1.17, ×1.19; this
/// test runs seed 1 and asks for ×1.1, which every measured seed clears.
@Suite("Ranker gain under simulated feedback")
struct RankerGainTests {
    static let settings = StorefrontSimulation.Settings()
    static let comparison = StorefrontSimulation(settings: settings).compare()

    @Test("with the ranker on, the last third's click-through rate beats the blend's by at least 1.1×")
    func rankerBeatsBlend() {
        let result = Self.comparison
        print(result.table(visitorsPerPhase: Self.settings.visitors / Self.settings.phases))
        #expect(result.rankerOn.lastThirdClickThroughRate >= 1.1 * result.rankerOff.lastThirdClickThroughRate)
    }

    @Test("the arms are identical until the ranker has minFeedback positives; then it ranks every list")
    func rankerTakesOverAfterMinFeedback() {
        let result = Self.comparison
        let on = result.rankerOn.phases, off = result.rankerOff.phases
        #expect(off.allSatisfy { $0.rankerLists == 0 })
        #expect(on[0].rankerLists == 0, "the ranker waits for minFeedback positives")
        // Same visitors, same draws, same model: before the ranker ranks, the same clicks.
        for (a, b) in zip(on, off) where a.rankerLists == 0 { #expect(a == b) }
        #expect(on.last!.rankerLists == on.last!.lists)
        #expect(result.rankerOn.rankerPositives >= Int64(RankerSettings().minFeedback))
    }

    @Test("the simulation repeats exactly for a seed")
    func deterministic() {
        var settings = StorefrontSimulation.Settings()
        settings.visitors = 60
        settings.warmUpVisits = 50
        settings.phases = 2
        #expect(StorefrontSimulation(settings: settings).compare() == StorefrontSimulation(settings: settings).compare())
    }
}
