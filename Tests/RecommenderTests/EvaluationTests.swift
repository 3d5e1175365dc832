import Foundation
import Testing
@testable import Recommender
@testable import RecommenderLab

@Suite("Session files and the next-item protocol")
struct EvaluationTests {
    // Unsorted rows. Sessions: 2 → b(5) a(… no: times) — see the comments per session.
    static let file = """
    SessionId\tItemId\tTime
    2\tz\t30
    1\tb\t20
    1\ta\t10
    3\tq\t5
    2\tx\t10
    1\tc\t30
    2\ty\t20
    2\tw\t40
    """

    @Test func parsesAndSortsBySessionThenTime() throws {
        let sessions = try SessionFile.parse(Self.file)
        #expect(sessions.map(\.id) == ["1", "2", "3"])
        #expect(sessions[0].events.map(\.itemId) == ["a", "b", "c"])
        #expect(sessions[1].events.map(\.itemId) == ["x", "y", "z", "w"])
    }

    @Test func protocolCountsOnePredictionPerPrefix() throws {
        // Session 1 has 3 events → 2 prefixes, session 2 has 4 → 3, session 3 has 1 → 0: 5 predictions.
        let sessions = try SessionFile.parse(Self.file)
        let m = NextItemEvaluator.train(sessions)
        let evaluator = NextItemEvaluator(training: sessions)
        for mode in EvaluationMode.allCases {
            let result = evaluator.evaluate(model: m, test: sessions, config: RankingConfig(), mode: mode)
            #expect(result.predictions == 5)
            #expect(result.mrr >= 0 && result.mrr <= result.hitRate && result.hitRate <= 1)
        }
    }

    @Test func metricsOnAHandCheckedCase() throws {
        // Train on "a b" many times; test session "a b": the single prediction (prefix a) must put b
        // first → MRR = HR = NDCG = 1.
        let train = try SessionFile.parse("SessionId\tItemId\tTime\n" + (1...5).map { "\($0)\ta\t\($0 * 10)\n\($0)\tb\t\($0 * 10 + 1)" }.joined(separator: "\n"))
        let test = try SessionFile.parse("SessionId\tItemId\tTime\n99\ta\t100\n99\tb\t101")
        let result = NextItemEvaluator(training: train).evaluate(model: NextItemEvaluator.train(train), test: test, config: RankingConfig(), mode: .frozen)
        #expect(result.predictions == 1 && result.mrr == 1 && result.hitRate == 1 && result.ndcg == 1)
    }

    @Test func rejectsMalformedFiles() {
        #expect(throws: SessionFileError.self) { try SessionFile.parse("no header\n1\ta\t1") }
        #expect(throws: SessionFileError.self) { try SessionFile.parse("SessionId\tItemId\tTime\n1\ta\tnot-a-time") }
    }

    @Test(.enabled(if: SharedData.serenadeTestsEnabled, SharedData.skipComment))
    func serenadeTestFileGives931Predictions() throws {
        guard SharedData.requireSerenade() else { return }
        let test = try SessionFile.read(SharedData.serenadeExample.appendingPathComponent("test.tsv"))
        #expect(test.reduce(0) { $0 + max(0, $1.events.count - 1) } == 931)
    }

    @Test func trainCommandWritesALoadableSnapshot() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sessionrank-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let events = directory.appendingPathComponent("events.tsv")
        try Self.file.write(to: events, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("model.srmodel")
        try EngineCommands.train(events: events, output: output, metadata: ["offset": "42"], log: { _ in })
        let loaded = try SessionRankModel.load(from: output)
        #expect(loaded.metadata["offset"] == "42")
        #expect(loaded.stats.eventsApplied == 8)
        let direct = NextItemEvaluator.train(try SessionFile.parse(Self.file))
        #expect(loaded.recommend(request(["x", "y"])) == direct.recommend(request(["x", "y"])))
    }
}
