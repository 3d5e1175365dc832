/// POP (session-rec `baselines/pop.py`): every session gets the items with the most training
/// clicks. The published score, support / (support + 1), orders items like the raw count.
public struct PopularityBaseline: SessionBaseline {
    public let name = "POP"
    let ranking: [Int32]

    public init(index: TrainingIndex) {
        ranking = (0..<Int32(index.itemIds.count)).sorted { a, b in
            let ca = index.clickCounts[Int(a)], cb = index.clickCounts[Int(b)]
            return ca != cb ? ca > cb : index.itemIds[Int(a)] < index.itemIds[Int(b)]
        }
    }

    public func rank(prefix: [Int32], time: Double, limit: Int) -> [Int32] {
        Array(ranking.prefix(limit))
    }
}
