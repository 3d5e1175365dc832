import Foundation

/// STAN (session-rec `knn/stan.py`, Garg et al. 2019): session kNN with three decays.
/// - Prefix position: an item's weight is exp((p − L)/λspw), p its last click's position.
/// - Neighbour recency: similarity (STAN's weighted cosine, `NeighbourSearch.weightedCosine`)
///   times exp(−(t − neighbour's last click)/λsnh), t the time of the prefix's last click.
/// - Neighbour position: an item of a neighbour counts exp(−|its position − the position of
///   the last shared click|/λinh).
/// The current session's items are scored too (session-rec's `remind=True`).
/// session-rec's rsc15 configuration ("stan-mrr"): k 1,000, sample 10,000, λspw 0.00001,
/// λsnh 10 days, λinh 2.
public struct STANBaseline: SessionBaseline {
    public struct Parameters: Sendable {
        public var k = 1_000
        public var sampleSize = 10_000
        public var lambdaSPW = 0.00001
        /// Days.
        public var lambdaSNH = 10.0
        public var lambdaINH = 2.0
        public init() {}
    }

    public let name = "STAN"
    let index: TrainingIndex
    let parameters: Parameters

    public init(index: TrainingIndex, parameters: Parameters = Parameters()) {
        self.index = index
        self.parameters = parameters
    }

    public func rank(prefix: [Int32], time: Double, limit: Int) -> [Int32] {
        var scores: [Int32: Double] = [:]
        for neighbour in neighbours(prefix: prefix, time: time) {
            let clicks = index.clicks[Int(neighbour.session)]
            for (item, weight) in NeighbourSearch.itemNeighbourhoodWeights(clicks: clicks, prefixItems: Set(prefix), lambda: parameters.lambdaINH) {
                scores[item, default: 0] += neighbour.similarity * weight
            }
        }
        return BaselineRanking.top(scores, index: index, limit: limit)
    }

    /// The k nearest sessions by position-weighted cosine, decayed by neighbour age.
    func neighbours(prefix: [Int32], time: Double) -> [(session: Int32, similarity: Double)] {
        let weights = NeighbourSearch.positionWeights(prefix) { position, length in
            exp(Double(position - length) / parameters.lambdaSPW)
        }
        let squaredNorm = weights.values.reduce(0) { $0 + $1 * $1 }
        let horizon = parameters.lambdaSNH * 24 * 3600
        let candidates = NeighbourSearch.sample(prefix: prefix, index: index, sampleSize: parameters.sampleSize).map { session in
            let cosine = NeighbourSearch.weightedCosine(weights, squaredNorm: squaredNorm, neighbour: index.distinctItems[Int(session)])
            return (session: session, similarity: cosine * exp(-(time - index.lastTime[Int(session)]) / horizon))
        }
        return NeighbourSearch.strongest(candidates, k: parameters.k)
    }
}
