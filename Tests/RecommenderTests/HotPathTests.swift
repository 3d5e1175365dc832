import Foundation
import Testing
@testable import Recommender
@testable import RecommenderLab

@Suite("Allocation-free ranking buffers and the sorted popularity list")
struct HotPathTests {
    @Test func slotMapHandsOutSlotsInInsertionOrderAndResets() {
        var map = SlotMap()
        #expect(map.slot(for: 5000) == (0, true))
        #expect(map.slot(for: 7) == (1, true))
        #expect(map.slot(for: 5000) == (0, false))
        #expect(map.slot(of: 7) == 1)
        #expect(map.slot(of: 8) == nil)
        #expect(map.keys == [5000, 7])
        map.removeAll()
        #expect(map.count == 0)
        #expect(map.slot(of: 5000) == nil)
        #expect(map.slot(for: 7) == (0, true))
    }

    @Test("the hashed slot map agrees with the dense one through growth and resets")
    func hashedSlotMapMatchesSlotMap() {
        var dense = SlotMap()
        var hashed = HashedSlotMap()
        var generator = SeededGenerator(seed: 7)
        for round in 0..<4 {
            // Round 2 inserts far more keys than the first table holds, so it grows.
            let inserts = round == 2 ? 5_000 : 300
            for _ in 0..<inserts {
                let key = Int.random(in: 0..<200_000, using: &generator)
                let expected = dense.slot(for: key)
                #expect(hashed.slot(for: key) == expected, "key \(key) in round \(round)")
            }
            #expect(hashed.keys == dense.keys)
            #expect(hashed.slot(of: Int(dense.keys[0])) == 0)
            #expect(hashed.slot(of: 200_001) == nil)
            dense.removeAll()
            hashed.removeAll()
            #expect(hashed.count == 0)
            #expect(hashed.slot(of: 5) == nil)
        }
    }

    @Test func scoreBoardAddsPerSourceAndResets() {
        var board = ScoreBoard()
        board.add(1.5, to: 3, .knn)
        board.add(0.5, to: 3, .knn)
        board.add(2, to: 9, .transition)
        #expect(board.score(of: 3, .knn) == 2)
        #expect(board.score(of: 3, .transition) == 0)
        #expect(board.scores(of: .transition) == [9: 2])
        board.removeAll()
        #expect(board.count == 0)
        #expect(board.score(of: 3, .knn) == 0)
    }

    @Test func popularityTopListStaysSortedMostPopularFirst() {
        var p = DecayedPopularity(halfLifeSeconds: 100, capacity: 3)
        // Same time, so popularity = summed weights: item 0 → 1, 1 → 2, 2 → 3, then 3 → 4 evicts 0.
        for (item, weight) in [(0, 1.0), (1, 2.0), (2, 3.0), (3, 4.0)] { p.record(item: Int32(item), weight: weight, time: 0) }
        #expect(p.top == [3, 2, 1])
        // Item 1 gains 3 → 5 and moves to the front; ties break by the lower index.
        p.record(item: 1, weight: 3, time: 0)
        #expect(p.top == [1, 3, 2])
        p.record(item: 2, weight: 1, time: 0)  // 2 → 4, ties with 3: index 2 first
        #expect(p.top == [1, 2, 3])
        #expect(p.topScores(at: 0, limit: 2).map(\.item) == [1, 2])
        // A restored table may list the top items in any order.
        let restored = DecayedPopularity(halfLifeSeconds: 100, capacity: 3, keys: p.keys, top: [3, 1, 2])
        #expect(restored.top == [1, 2, 3])
    }

    @Test func reusedBuffersGiveTheSameRankingAsFreshOnes() {
        let m = model(sessions: [["A", "B", "C"], ["A", "D"], ["B", "C", "E"], ["D", "E", "A"], ["C", "A"]])
        let state = m.testState
        let requests = [request(["A"]), request(["B", "C"]), request(["E", "D", "A"]), request(["unknown"]), request(["C"])]
        var scratch = RankingScratch()
        for _ in 0..<2 {
            for r in requests {
                let fresh = state.recommend(r, config: .default)
                #expect(state.recommend(r, config: .default, scratch: &scratch) == fresh)
                #expect(m.recommend(r) == fresh)
            }
        }
    }

    @Test func knnPositionDecayWeighsItemsByDistanceToTheSharedItem() {
        // Sessions s1 = A B C, s2 = A D, s3 = B C; query A, B (weights A 1/2, B 1); decay 0.5.
        // s1: similarity 1.5, newest shared B at position 1 → A 0.75, B 1.5, C 0.75.
        // s2: similarity 0.5, shared A at 0 → A 0.5, D 0.25. s3: similarity 1, B at 0 → B 1, C 0.5.
        let state = model(sessions: [["A", "B", "C"], ["A", "D"], ["B", "C"]]).testState
        var settings = KNNSettings()
        settings.sampleSize = 10; settings.neighbours = 10; settings.sessionItems = 0
        settings.matchDecay = 0; settings.idfWeight = 0; settings.positionDecay = 0.5
        let scores = state.sessions.knnScores(sessionItems: [index(state, "A"), index(state, "B")], excludingSerial: nil, settings: settings)
        let byId = Dictionary(uniqueKeysWithValues: scores.map { (state.items.id(at: $0.key), $0.value) })
        #expect(byId == ["A": 1.25, "B": 2.5, "C": 1.25, "D": 0.25])
    }

    @Test func benchmarkReportsPublishEachAndBatchedCosts() {
        var sessions: [ClickSession] = []
        for n in 0..<40 {
            let time = Double(n * 10)
            let events: [(itemId: String, time: Double)] = [("i\(n % 7)", time), ("i\((n + 1) % 7)", time + 1), ("i\((n + 3) % 7)", time + 2)]
            sessions.append(ClickSession(id: "\(n)", events: events))
        }
        let report = EngineBenchmark(batchSizes: [4, 16]).run(training: Array(sessions[0..<30]), test: Array(sessions[30...]), config: .default, rounds: 1)
        #expect(report.batched.map { (cost: EngineBenchmark.UpdateCost) in cost.batchSize } == [4, 16])
        #expect(report.updateMeanPublishEach > 0 && report.batched.allSatisfy { $0.microsPerEvent > 0 })
        #expect(report.summary.contains("publishing after every event") && report.summary.contains("batches of 16"))
    }
}
