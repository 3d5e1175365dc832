@testable import Recommender

/// Builds a model from sessions written as arrays of item ids, one second per event.
func model(sessions: [[String]], parameters: ModelParameters = .default, start: Double = 1_000) -> SessionRankModel {
    let model = SessionRankModel(parameters: parameters)
    var time = start
    for (index, items) in sessions.enumerated() {
        for item in items {
            model.apply(ModelEvent(sessionId: "s\(index + 1)", itemId: item, type: .view, timestamp: time))
            time += 1
        }
    }
    return model
}

/// The published state, for white-box checks of one model component.
extension SessionRankModel {
    var testState: ModelState { SnapshotCodecProbe.state(of: self) }
}

enum SnapshotCodecProbe {
    /// Round-trips through the snapshot codec to reach the state without widening the API.
    static func state(of model: SessionRankModel) -> ModelState {
        try! SnapshotCodec.decode(model.snapshot())
    }
}

func index(_ state: ModelState, _ id: String) -> Int32 { state.items.index(of: id)! }

func request(_ items: [String], limit: Int = 20) -> RecommendationRequest {
    RecommendationRequest(recentItems: items.map { SessionItem(itemId: $0) }, limit: limit)
}

/// A config where only the named blend weights are on.
func onlyWeights(_ set: (inout BlendWeights) -> Void) -> RankingConfig {
    var config = RankingConfig()
    config.weights = BlendWeights()
    config.weights.knn = 0; config.weights.transition = 0; config.weights.covisitation = 0; config.weights.association = 0
    config.weights.popularity = 0; config.weights.regionalPopularity = 0; config.weights.interest = 0; config.weights.recent = 0
    set(&config.weights)
    config.ranker.enabled = false
    config.exclusion.excludeCurrent = false
    config.candidates.minimumReturned = 0
    return config
}

func isClose(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool { abs(a - b) <= tolerance }
