import Foundation
import Testing
import Recommender
@testable import RecommenderLab

/// Each baseline on four hand-built training sessions; every expected ranking is worked out
/// from the baseline's definition in the comment above it.
///
///     s1: a b c   (last click day 10)      item clicks: a 3, b 2, c 3, d 2
///     s2: a c     (day 11)
///     s3: b c d   (day 12)
///     s4: a d     (day 13)
@Suite("session-rec baselines on hand-built sessions")
struct BaselineTests {
    static let day = 86_400.0
    static let training: [ClickSession] = [
        ClickSession(id: "1", events: [("a", 10 * day - 2), ("b", 10 * day - 1), ("c", 10 * day)]),
        ClickSession(id: "2", events: [("a", 11 * day - 1), ("c", 11 * day)]),
        ClickSession(id: "3", events: [("b", 12 * day - 2), ("c", 12 * day - 1), ("d", 12 * day)]),
        ClickSession(id: "4", events: [("a", 13 * day - 1), ("d", 13 * day)]),
    ]
    static let index = TrainingIndex(training: training)

    /// The baseline's ranking, as item ids, for a prefix of item ids asked at day 13.
    func ranking(_ baseline: some SessionBaseline, _ prefix: [String], limit: Int = 20) -> [String] {
        baseline.rank(prefix: Self.index.encode(prefix), time: 13 * Self.day, limit: limit).map { Self.index.itemIds[Int($0)] }
    }

    /// Clicks a 3, c 3, b 2, d 2; equal counts go by item id. Same list whatever the prefix.
    @Test func popularityRanksByClicks() {
        let pop = PopularityBaseline(index: Self.index)
        #expect(ranking(pop, ["d"]) == ["a", "c", "b", "d"])
        #expect(ranking(pop, ["a", "b"], limit: 2) == ["a", "c"])
    }

    /// Rules of a (co-occurrence, both directions): s1 a–b 1, a–c 1; s2 a–c 1; s4 a–d 1
    /// → c 2, b 1, d 1 → c, b, d. Rules of c: s1 c–a, c–b; s2 c–a; s3 c–b, c–d → a 2, b 2, d 1.
    /// Only the last click counts. Pruning to 2 rules keeps c and b (b beats d by id).
    @Test func associationRulesCountCoOccurrence() {
        let ar = AssociationRulesBaseline(index: Self.index)
        #expect(ranking(ar, ["a"]) == ["c", "b", "d"])
        #expect(ranking(ar, ["a", "c"]) == ["a", "b", "d"])
        #expect(ranking(AssociationRulesBaseline(index: Self.index, pruning: 2), ["a"]) == ["c", "b"])
        #expect(ranking(ar, ["unknown"]).isEmpty)
    }

    /// Forward rules weighted 1/distance. From a: s1 a→b 1, a→c 1/2; s2 a→c 1; s4 a→d 1
    /// → c 1.5, b 1, d 1 → c, b, d. From c: only s3 c→d 1 (c ends s1 and s2) → d.
    /// With steps 1 only adjacent clicks count: a→b 1, a→c 1, a→d 1 → b, c, d.
    @Test func sequentialRulesLookForwardOnly() {
        let sr = SequentialRulesBaseline(index: Self.index)
        #expect(ranking(sr, ["a"]) == ["c", "b", "d"])
        #expect(ranking(sr, ["b", "c"]) == ["d"])
        #expect(ranking(SequentialRulesBaseline(index: Self.index, steps: 1), ["a"]) == ["b", "c", "d"])
    }

    /// Prefix a b. Jaccard: s1 2/3, s2 1/3, s3 1/4, s4 1/3. Scores: a 2/3+1/3+1/3 = 4/3,
    /// c 2/3+1/3+1/4 = 5/4, b 2/3+1/4 = 11/12, d 1/4+1/3 = 7/12 → a, c, b, d.
    /// k 2: s1, then s4 (ties with s2, more recent) → a 1, b 2/3, c 2/3, d 1/3 → a, b, c, d.
    /// Sample 2: only the two most recent candidates, s3 and s4 → d 7/12, a 1/3, b 1/4, c 1/4.
    @Test func sessionKNNSumsJaccardOfNeighbours() {
        #expect(ranking(SessionKNNBaseline(index: Self.index), ["a", "b"]) == ["a", "c", "b", "d"])
        #expect(ranking(SessionKNNBaseline(index: Self.index, k: 2), ["a", "b"]) == ["a", "b", "c", "d"])
        #expect(ranking(SessionKNNBaseline(index: Self.index, sampleSize: 2), ["a", "b"]) == ["d", "a", "b", "c"])
    }

    /// Prefix a b: weights a (1/2)² = 0.25, b (2/2)² = 1, over 2 distinct items.
    /// Similarity: s1 1.25/2 = 0.625, s2 0.125, s3 0.5, s4 0.125. The last shared click is b
    /// (step 1, ×1) for s1 and s3, a (step 2, ×1/4) for s2 and s4.
    /// a 0.625 + 0.03125 + 0.03125 = 0.6875; b 0.625 + 0.5 = 1.125;
    /// c 0.625 + 0.03125 + 0.5 = 1.15625; d 0.5 + 0.03125 = 0.53125 → c, b, a, d.
    @Test func vectorSessionKNNFavoursRecentClicks() {
        #expect(ranking(VectorSessionKNNBaseline(index: Self.index), ["a", "b"]) == ["c", "b", "a", "d"])
    }

    /// λspw 1, λsnh 1 day, λinh 1, prefix a b at day 13. Weights a e⁻¹, b 1, norm √(1+e⁻²).
    /// Cosine × e^(−age in days): s1 0.7412·e⁻³ = 0.03690, s2 0.2441·e⁻² = 0.03304,
    /// s3 0.5419·e⁻¹ = 0.19933, s4 0.2441·1 = 0.24413.
    /// Item weights e^(−|position − last shared position|): s1 a e⁻¹ b 1 c e⁻¹; s2 a 1 c e⁻¹;
    /// s3 b 1 c e⁻¹ d e⁻²; s4 a 1 d e⁻¹.
    /// a 0.01358 + 0.03304 + 0.24413 = 0.2907; b 0.03690 + 0.19933 = 0.2362;
    /// d 0.02698 + 0.08981 = 0.1168; c 0.01358 + 0.01215 + 0.07333 = 0.0991 → a, b, d, c.
    @Test func stanDecaysByPositionAndAge() {
        #expect(ranking(STANBaseline(index: Self.index, parameters: Self.stanParameters), ["a", "b"]) == ["a", "b", "d", "c"])
    }

    /// STAN's numbers above, × (1 + ln(4 sessions / clicks)) (λidf 1: a, c 1.2877; b, d 1.6931)
    /// × e^(p − 2) for the last shared prefix click p (λipw 1: s1, s3 share b → 1; s2, s4 only a → e⁻¹).
    /// b 1.6931 · 0.23624 = 0.4000; a 1.2877 · (0.01358 + 0.01215 + 0.08981) = 0.1488;
    /// c 1.2877 · (0.01358 + 0.00447 + 0.07333) = 0.1177; d 1.6931 · (0.02698 + 0.03304) = 0.1016
    /// → b, a, c, d.
    @Test func vstanAddsRarityAndMatchPosition() {
        var parameters = VSTANBaseline.Parameters()
        parameters.stan = Self.stanParameters
        parameters.lambdaIPW = 1
        parameters.lambdaIDF = 1
        #expect(ranking(VSTANBaseline(index: Self.index, parameters: parameters), ["a", "b"]) == ["b", "a", "c", "d"])
    }

    static var stanParameters: STANBaseline.Parameters {
        var parameters = STANBaseline.Parameters()
        parameters.lambdaSPW = 1
        parameters.lambdaSNH = 1
        parameters.lambdaINH = 1
        return parameters
    }

    /// Under the storefront protocol the config's exclusions apply to a baseline's list too:
    /// with excludeCurrent, POP after a click on a leaves a out (c, b, d); under session-rec
    /// nothing is left out.
    @Test func storefrontExclusionsApplyToBaselines() {
        let ranker = BaselineRanker(PopularityBaseline(index: Self.index), index: Self.index)
        let request = RecommendationRequest(recentItems: [SessionItem(itemId: "a")], limit: 3)
        #expect(ranker.rank(request, config: EvaluationProtocol.storefront.rankingConfig(RankingConfig())) == ["c", "b", "d"])
        #expect(ranker.rank(request, config: EvaluationProtocol.sessionRec.rankingConfig(RankingConfig())) == ["a", "c", "b"])
    }

    static let rowNames = ["SessionRank", "POP", "AR", "SR", "SKNN", "V-SKNN", "STAN", "V-STAN"]

    /// Writes the training sessions and one test session (a b c: two targets) as session files.
    func writeFiles(in directory: URL) throws -> (train: URL, test: URL) {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func write(_ name: String, _ sessions: [ClickSession]) throws -> URL {
            let rows = sessions.flatMap { s in s.events.map { "\(s.id)\t\($0.itemId)\t\($0.time)" } }
            let url = directory.appendingPathComponent(name)
            try (["SessionId\tItemId\tTime"] + rows).joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
            return url
        }
        let test = [ClickSession(id: "9", events: [("a", 14 * Self.day), ("b", 14 * Self.day + 1), ("c", 14 * Self.day + 2)])]
        return (try write("train.tsv", Self.training), try write("test.tsv", test))
    }

    /// `evaluate --baselines` prints one table with SessionRank and a row per baseline.
    @Test func baselinesTableHasEveryRow() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("baselines-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try writeFiles(in: directory)
        var options = EngineCommands.EvaluateOptions(train: files.train, test: files.test)
        options.baselines = true
        var lines: [String] = []
        let outcome = try EngineCommands.evaluateAll(options, log: { lines.append($0) })
        let table = try #require(lines.last)
        #expect(outcome.baselines.map(\.name) == ["POP", "AR", "SR", "SKNN", "V-SKNN", "STAN", "V-STAN"])
        for name in Self.rowNames { #expect(table.contains("| \(name) |"), "missing row \(name)") }
        for (_, result) in outcome.baselines { #expect(result.predictions == 2) }
    }

    /// The command line itself: `sessionrank evaluate --baselines` (built next to this test
    /// bundle by `swift build --build-tests`) prints the table under the chosen protocol.
    @Test func commandLinePrintsTheBaselinesTable() throws {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("sessionrank")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "\(binary.path) not built (swift build --build-tests builds it)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("baselines-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try writeFiles(in: directory)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["evaluate", "--train", files.train.path, "--test", files.test.path, "--mode", "frozen",
                             "--protocol", "session-rec", "--baselines"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("test.tsv, protocol session-rec:"))
        for name in Self.rowNames { #expect(text.contains("| \(name) |"), "missing row \(name) in:\n\(text)") }
    }
}
