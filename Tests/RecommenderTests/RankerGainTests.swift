import Testing
@testable import Recommender
@testable import RecommenderLab

/// The online ranker under feedback (issue 6.6): in a simulated storefront whose visitors click
/// after a hidden taste, the ranker learns from the clicks: its lists get clicked more than
/// those of the blend with its default weights. Measured last-third gains with the fair taste
/// (issue 23: no seen penalty), seeds 1–5, these settings: ×1.096, ×1.099, ×1.119, ×1.085,
/// ×1.104; this test runs seed 1 and asks for ×1.05. It does not claim that the ranker beats a
/// blend tuned for the store: it does not (`FeedbackStudy`, models/README.md).
@Suite("Ranker gain under simulated feedback")
struct RankerGainTests {
    static let settings = StorefrontSimulation.Settings()
    static let comparison = StorefrontSimulation(settings: settings).compare()

    @Test("with the ranker on, the last third's click-through rate beats the default blend's by at least 1.05×")
    func rankerBeatsBlend() {
        let result = Self.comparison
        print(result.table(visitorsPerPhase: Self.settings.visitors / Self.settings.phases))
        #expect(result.rankerOn.lastThirdClickThroughRate >= 1.05 * result.rankerOff.lastThirdClickThroughRate)
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
