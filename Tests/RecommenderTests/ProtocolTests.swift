import Foundation
import Testing
import Recommender
@testable import RecommenderLab

@Suite("Evaluation protocols: session-rec and storefront")
struct ProtocolTests {
    /// Five sessions "a b" to learn from.
    static let training = try! SessionFile.parse("SessionId\tItemId\tTime\n" + (1...5).map { "\($0)\ta\t\($0 * 10)\n\($0)\tb\t\($0 * 10 + 1)" }.joined(separator: "\n"))
    /// Prefix [a] → a (the click repeats the item on screen), then prefix [a, a] → b.
    static let test = try! SessionFile.parse("SessionId\tItemId\tTime\n99\ta\t100\n99\ta\t101\n99\tb\t102")

    @Test(arguments: EvaluationMode.allCases)
    func aTargetRepeatingTheCurrentItemCountsOnlyUnderSessionRec(mode: EvaluationMode) {
        let sessionRec = NextItemEvaluator(training: Self.training, protocol: .sessionRec)
            .evaluate(model: NextItemEvaluator.train(Self.training), test: Self.test, config: RankingConfig(), mode: mode)
        // Both targets count; a may come back, so the repeat is found too.
        #expect(sessionRec.predictions == 2 && sessionRec.withheldTargets == 0)
        #expect(sessionRec.hitRate == 1)

        let storefront = NextItemEvaluator(training: Self.training, protocol: .storefront)
            .evaluate(model: NextItemEvaluator.train(Self.training), test: Self.test, config: RankingConfig(), mode: mode)
        // excludeCurrent (default) withholds a after a: that target is left out, not scored as a miss.
        #expect(storefront.predictions == 1 && storefront.withheldTargets == 1)
        #expect(storefront.hitRate == 1 && storefront.mrr == 1)
    }

    @Test func sessionRecLiftsTheConfigsExclusionsOnly() {
        var config = RankingConfig()
        config.exclusion.excludeSeen = true
        config.knn.neighbours = 7
        let used = EvaluationProtocol.sessionRec.rankingConfig(config)
        #expect(!used.exclusion.excludeCurrent && !used.exclusion.excludeSeen && !used.exclusion.excludePurchased && !used.exclusion.excludeInCart)
        #expect(used.knn.neighbours == 7)
        #expect(EvaluationProtocol.storefront.rankingConfig(config) == config)
    }

    /// The evaluator restates the engine's exclusion rule; both must agree on every item, for
    /// every combination of rules.
    @Test func withholdsAgreesWithTheEngine() {
        let model = model(sessions: [["a", "b", "c", "d", "e"], ["b", "c", "d", "e", "a"], ["e", "d", "c", "b", "a"]])
        let request = RecommendationRequest(
            recentItems: [SessionItem(itemId: "a", type: .view), SessionItem(itemId: "b", type: .addToCart),
                          SessionItem(itemId: "c", type: .purchase), SessionItem(itemId: "d", type: .view)],
            purchasedItems: ["e"], exclude: [], limit: 50)
        for bits in 0..<16 {
            var config = RankingConfig()
            config.candidates.minimumReturned = 0
            config.exclusion.excludePurchased = bits & 1 != 0
            config.exclusion.excludeInCart = bits & 2 != 0
            config.exclusion.excludeSeen = bits & 4 != 0
            config.exclusion.excludeCurrent = bits & 8 != 0
            let returned = Set(model.recommend(request, config: config).map(\.itemId))
            for item in ["a", "b", "c", "d", "e"] {
                let withheld = EvaluationProtocol.withholds(item, request: request, rules: config.exclusion)
                #expect(withheld == !returned.contains(item), "item \(item), rules \(bits)")
            }
        }
    }
}
