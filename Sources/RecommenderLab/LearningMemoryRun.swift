import Foundation
import Recommender

/// Feeds a synthetic event stream through the service's learning path (`apply(contentsOf:)` in
/// batches, one publish each) and reports the process's resident memory at checkpoints, so the
/// memory cost of learning per million events, and its plateau once sessions age out, can be
/// measured. The caller supplies the resident-memory reading (the engine does no OS I/O).
public struct LearningMemoryRun: Sendable {
    public struct Checkpoint: Sendable, Equatable {
        public var events: Int
        public var residentBytes: Int
        public var liveSessions: Int
        public var items: Int
        public var seconds: Double
    }

    public var events = 1_000_000
    public var reportEvery = 1_000_000
    /// Events per `apply(contentsOf:)`: the server's largest batch.
    public var batchSize = 500
    public var parameters = ModelParameters.default
    public var stream = SyntheticEventStream.Settings()

    public init() {}

    /// The baseline (an empty model, before any event) first, then one checkpoint per `reportEvery` events.
    public func run(residentBytes: () -> Int, report: (Checkpoint) -> Void = { _ in }) -> [Checkpoint] {
        var source = SyntheticEventStream(settings: stream)
        let model = SessionRankModel(parameters: parameters)
        let start = DispatchTime.now().uptimeNanoseconds
        func checkpoint() -> Checkpoint {
            let stats = model.stats
            return Checkpoint(events: source.count, residentBytes: residentBytes(), liveSessions: stats.sessions, items: stats.items,
                              seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        var checkpoints = [checkpoint()]
        report(checkpoints[0])
        let step = max(1, reportEvery)
        while source.count < events {
            let next = min(events, (source.count / step + 1) * step)
            while source.count < next {
                model.apply(contentsOf: source.next(min(max(1, batchSize), next - source.count)))
            }
            checkpoints.append(checkpoint())
            report(checkpoints[checkpoints.count - 1])
        }
        return checkpoints
    }
}
