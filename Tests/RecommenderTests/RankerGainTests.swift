import Testing
@testable import Recommender

/// The online ranker under feedback: in a simulated storefront whose visitors click after a
/// hidden taste, lists ranked by the learned ranker get clicked more than the blend's.
@Suite("Ranker gain under simulated feedback")
struct RankerGainTests {
    static let comparison = StorefrontSimulation().compare()

    @Test("with the ranker on, the last third's click-through rate beats the blend's by at least 1.2×")
    func rankerBeatsBlend() {
        let result = Self.comparison
        let settings = StorefrontSimulation.Settings()
        print(result.table(visitorsPerPhase: settings.visitors / settings.phases))
        #expect(result.rankerOn.lastThirdClickThroughRate >= 1.2 * result.rankerOff.lastThirdClickThroughRate)
    }

    @Test("the gain comes from the ranker: off until it has learned enough, then ranking every list")
    func rankerTakesOverAfterMinFeedback() {
        let result = Self.comparison
        let on = result.rankerOn.phases, off = result.rankerOff.phases
        #expect(off.allSatisfy { $0.rankerLists == 0 })
        #expect(on.first!.rankerLists < on.first!.lists, "the ranker waits for minFeedback positives")
        #expect(on.last!.rankerLists == on.last!.lists)
        #expect(result.rankerOn.rankerPositives >= Int64(RankerSettings().minFeedback))
        // Before the ranker takes over, both arms serve the same lists to the same visitors.
        #expect(on.first!.clickedLists >= off.first!.clickedLists - off.first!.lists / 20)
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
