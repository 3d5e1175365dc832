/// V-SKNN (session-rec `knn/vsknn.py`): like SKNN, but recent clicks of the prefix count more.
/// A prefix item's weight is (p/L)² ("quadratic"), p the position of its last click among L
/// clicks; similarity = Σ weights of shared items / distinct prefix items. A neighbour's
/// contribution is divided by s² ("quadratic" score weighting), s the 1-based distance from
/// the end of the prefix to the most recent click the neighbour shares. session-rec's rsc15
/// configuration: k 100, sample 1,000 recent sessions, quadratic and quadratic.
public struct VectorSessionKNNBaseline: SessionBaseline {
    public let name = "V-SKNN"
    let index: TrainingIndex
    let k: Int
    let sampleSize: Int

    public init(index: TrainingIndex, k: Int = 100, sampleSize: Int = 1_000) {
        self.index = index
        self.k = k
        self.sampleSize = sampleSize
    }

    public func rank(prefix: [Int32], time: Double, limit: Int) -> [Int32] {
        let weights = NeighbourSearch.positionWeights(prefix) { position, length in
            let share = Double(position) / Double(length)
            return share * share
        }
        let candidates = NeighbourSearch.sample(prefix: prefix, index: index, sampleSize: sampleSize).map { session in
            let shared = index.distinctItems[Int(session)].reduce(0.0) { $0 + (weights[$1] ?? 0) }
            return (session: session, similarity: shared / Double(weights.count))
        }
        var scores: [Int32: Double] = [:]
        for neighbour in NeighbourSearch.strongest(candidates, k: k) {
            let items = index.distinctItems[Int(neighbour.session)]
            guard let shared = prefix.lastIndex(where: { items.contains($0) }) else { continue }
            let step = Double(prefix.count - shared)
            for item in items { scores[item, default: 0] += neighbour.similarity / (step * step) }
        }
        return BaselineRanking.top(scores, index: index, limit: limit)
    }
}
