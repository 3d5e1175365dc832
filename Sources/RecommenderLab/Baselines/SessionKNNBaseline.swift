/// SKNN (session-rec `knn/sknn.py`): neighbours are the training sessions most similar to the
/// prefix by Jaccard similarity of item sets; an item scores the summed similarity of the
/// neighbours that contain it. session-rec's rsc15 configuration: k 500, sample 10,000 recent
/// sessions, Jaccard.
public struct SessionKNNBaseline: SessionBaseline {
    public let name = "SKNN"
    let index: TrainingIndex
    let k: Int
    let sampleSize: Int

    public init(index: TrainingIndex, k: Int = 500, sampleSize: Int = 10_000) {
        self.index = index
        self.k = k
        self.sampleSize = sampleSize
    }

    public func rank(prefix: [Int32], time: Double, limit: Int) -> [Int32] {
        let current = Set(prefix)
        let candidates = NeighbourSearch.sample(prefix: prefix, index: index, sampleSize: sampleSize).map { session in
            let items = index.distinctItems[Int(session)]
            let shared = items.reduce(0) { $0 + (current.contains($1) ? 1 : 0) }
            return (session: session, similarity: Double(shared) / Double(items.count + current.count - shared))
        }
        var scores: [Int32: Double] = [:]
        for neighbour in NeighbourSearch.strongest(candidates, k: k) {
            for item in index.distinctItems[Int(neighbour.session)] { scores[item, default: 0] += neighbour.similarity }
        }
        return BaselineRanking.top(scores, index: index, limit: limit)
    }
}
