import Foundation
import Testing
@testable import Recommender

struct ZZDiagnostics {
    @Test func rankerWeights() {
        var settings = StorefrontSimulation.Settings()
        let env = ProcessInfo.processInfo.environment
        settings.visitors = Int(env["SIM_VISITORS"] ?? "600")!
        settings.warmUpVisits = Int(env["SIM_WARM"] ?? "300")!
        settings.config.ranker.learningRate = Double(env["SIM_ALPHA"] ?? "0.1")!
        settings.config.ranker.l1 = Double(env["SIM_L1"] ?? "0.5")!
        let sim = StorefrontSimulation(settings: settings)
        let model = sim.warmedUpModel()
        var off = settings.config
        off.ranker.enabled = false
        let offArm = sim.run(model: model.copy(), config: off)
        print("off", offArm.phases.map { String(format: "%.3f", $0.clickThroughRate) })
        let arm = sim.run(model: model, config: settings.config)
        print(arm.phases.map { String(format: "%.3f", $0.clickThroughRate) })
        let state = model.testState
        let s = settings.config.ranker
        let names = ["bias","knn","transition","covis","assoc","pop","regpop","interest","recent","blend","seen","priceDist","priceUnknown","catAff","brandAff","bandAff"]
        for (name, i) in [("posLog", FeatureEncoder.positionLogSlot), ("posLin", FeatureEncoder.positionLinearSlot), ("mobile", FeatureEncoder.hashedSlot("device=mobile"))] {
            let zi = state.ranker.z[i]
            var w = 0.0
            if abs(zi) > s.l1 { let sign: Double = zi < 0 ? -1 : 1; w = -(zi - sign * s.l1) / ((s.beta + state.ranker.n[i].squareRoot()) / s.learningRate + s.l2) }
            print(name, String(format: "w=%.3f", w))
        }
        for i in 0..<16 {
            let zi = state.ranker.z[i]
            var w = 0.0
            if abs(zi) > s.l1 { let sign: Double = zi < 0 ? -1 : 1; w = -(zi - sign * s.l1) / ((s.beta + state.ranker.n[i].squareRoot()) / s.learningRate + s.l2) }
            print(names[i], String(format: "w=%.3f z=%.1f n=%.1f", w, zi, state.ranker.n[i]))
        }
    }
}
