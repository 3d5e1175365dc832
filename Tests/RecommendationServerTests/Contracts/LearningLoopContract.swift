import Foundation
import Recommender
import ServiceLifecycle
import Testing

@testable import SessionRankCore

/// What every `LearningLoop` must do, as the snapshot writer, readiness and the gauges rely on:
/// what is published reaches the model; a loop over a model without recorded offsets learns from
/// the end of the log; a checkpoint's offsets are exactly those of the records in its model, so a
/// loop restored from its snapshot neither applies a record twice nor skips one. Items the
/// catalogue does not hold are counted, not learned.
struct LearningLoopContract {
    /// Publishes one session's views of `items`, in order, to the log the loops read, and
    /// returns once the log holds them.
    let publishViews: @Sendable (_ session: String, _ items: [String]) async throws -> Void
    /// A loop over `model` on that log; `isKnownItem` says which items the catalogue holds.
    let makeLoop: @Sendable (_ model: LiveModel, _ isKnownItem: @escaping @Sendable (String) -> Bool) -> any LearningLoop & Service
    let run = UUID().uuidString.prefix(8).lowercased()

    func item(_ name: String) -> String { "contract-\(run)-\(name)" }
    func session(_ name: String) -> String { "contract-\(run)-\(name)" }
    var isKnownItem: @Sendable (String) -> Bool { { !$0.hasSuffix("-outside") } }

    func recommends(_ model: LiveModel, after item: String, _ expected: String) -> Bool {
        model.model.recommend(RecommendationRequest(recentItems: [SessionItem(itemId: item)], limit: 50)).contains { $0.itemId == expected }
    }

    func checkAll() async throws {
        let directory = TestServer.temporaryDirectory("learning-loop-contract")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var settings = ServiceConfiguration.ModelSettings()
        settings.snapshotDirectory = directory
        let snapshot = try await learnsWhatIsPublishedFromTheEndOfTheLog(settings: settings)
        try await aRestoredLoopResumesAtItsSnapshotsOffsets(settings: settings, snapshot: snapshot)
    }

    /// A loop over an empty model; returns the snapshot it wrote.
    func learnsWhatIsPublishedFromTheEndOfTheLog(settings: ServiceConfiguration.ModelSettings) async throws -> URL {
        // In the log before the loop starts: a model without offsets never learns it.
        try await publishViews(session("before"), [item("x"), item("y")])
        let model = LiveModel(model: SessionRankModel(), origin: .empty)
        let loop = makeLoop(model, isKnownItem)
        #expect(loop.isReplaying, "a loop that has not started counts as replaying")
        #expect(loop.lag(now: Date()) == nil && loop.checkpoint() == nil, "no lag and no checkpoint before the offsets are known")

        return try await whileRunning(loop) {
            #expect(try await poll(within: .seconds(20)) { !loop.isReplaying && loop.lag(now: Date()) != nil }, "the loop starts")
            try await publishViews(session("now"), [item("a"), item("b"), item("c-outside")])
            #expect(try await poll(within: .seconds(20)) { recommends(model, after: item("a"), item("b")) }, "published views reach the model")
            #expect(try await poll(within: .seconds(10)) { loop.eventsOutsideCatalog == 1 && loop.lag(now: Date())?.records["events"] == 0 })
            #expect(model.model.stats.eventsApplied == 2, "the catalogue's items are learned, the other is only counted")
            #expect(!recommends(model, after: item("x"), item("y")), "what was logged before the start is not learned")
            let lag = try #require(loop.lag(now: Date()))
            #expect(lag.records["feedback"] == 0)
            #expect((0.0..<120.0).contains(lag.newestAppliedAgeSeconds ?? -1), "the age of the newest applied record is known")

            let checkpoint = try #require(loop.checkpoint())
            #expect(checkpoint.model.stats.eventsApplied == 2)
            #expect(total(checkpoint.offsets, "events") == 5, "the offsets include every record read: 2 before the start, 3 after")
            #expect(total(checkpoint.offsets, "feedback") == 0)
            return try #require(try SnapshotWriter(updater: loop, settings: settings, logger: TestServer.logger).write())
        }
    }

    func aRestoredLoopResumesAtItsSnapshotsOffsets(settings: ServiceConfiguration.ModelSettings, snapshot: URL) async throws {
        // Logged while no loop runs: the restored loop must replay exactly this.
        try await publishViews(session("while-down"), [item("d"), item("e")])
        let restored = LiveModel.load(settings: settings, logger: TestServer.logger)
        #expect(restored.origin == .snapshot(path: snapshot.path))
        #expect(restored.model.stats.eventsApplied == 2)
        let loop = makeLoop(restored, isKnownItem)
        #expect(loop.isReplaying)
        try await whileRunning(loop) {
            #expect(try await poll(within: .seconds(20)) { recommends(restored, after: item("d"), item("e")) }, "what was logged meanwhile is replayed")
            #expect(try await poll(within: .seconds(10)) { !loop.isReplaying && loop.lag(now: Date())?.records["events"] == 0 })
            #expect(restored.model.stats.eventsApplied == 4, "nothing applied twice, nothing skipped")
            #expect(recommends(restored, after: item("a"), item("b")), "the snapshot's learning is kept")
            #expect(!recommends(restored, after: item("x"), item("y")))
            let checkpoint = try #require(loop.checkpoint())
            #expect(total(checkpoint.offsets, "events") == 7)
        }
    }

    func total(_ offsets: [String: Int64], _ topic: String) -> Int64 {
        offsets.filter { $0.key.hasPrefix("\(topic):") }.values.reduce(0, +)
    }

    /// Runs `loop` while `body` runs, then stops it as shutdown does and waits for it.
    func whileRunning<T: Sendable>(_ loop: any LearningLoop & Service, _ body: () async throws -> T) async throws -> T {
        let running = Task { try await loop.run() }
        defer { running.cancel() }
        let result = try await body()
        running.cancel()
        _ = await running.result
        return result
    }
}
