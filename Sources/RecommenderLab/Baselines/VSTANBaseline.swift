import Foundation

/// V-STAN (session-rec `knn/vstan.py`, Ludewig et al. 2021): STAN's neighbours and item
/// weights, plus two factors from V-SKNN:
/// - IDF: an item's score is multiplied by 1 + λidf · ln(training sessions / clicks on it);
/// - prefix position of the match: a neighbour's contribution is multiplied by
///   exp((p − L)/λipw), p the position of the last prefix click the neighbour shares.
/// session-rec's rsc15 configuration ("vstan-mrr"): k 1,500, sample 10,000, cosine, λspw 0.5,
/// λsnh 5 days, λinh 2, λipw 2, λidf 2.
public struct VSTANBaseline: SessionBaseline {
    public struct Parameters: Sendable {
        public var stan: STANBaseline.Parameters = {
            var stan = STANBaseline.Parameters()
            stan.k = 1_500
            stan.sampleSize = 10_000
            stan.lambdaSPW = 0.5
            stan.lambdaSNH = 5
            stan.lambdaINH = 2
            return stan
        }()
        public var lambdaIPW = 2.0
        public var lambdaIDF = 2.0
        public init() {}
    }

    public let name = "V-STAN"
    let index: TrainingIndex
    let stan: STANBaseline
    let parameters: Parameters
    /// Item number → ln(training sessions / training clicks on it).
    let idf: [Double]

    public init(index: TrainingIndex, parameters: Parameters = Parameters()) {
        self.index = index
        self.parameters = parameters
        stan = STANBaseline(index: index, parameters: parameters.stan)
        idf = index.clickCounts.map { log(Double(index.sessionCount) / Double($0)) }
    }

    public func rank(prefix: [Int32], time: Double, limit: Int) -> [Int32] {
        var scores: [Int32: Double] = [:]
        let prefixItems = Set(prefix)
        for neighbour in stan.neighbours(prefix: prefix, time: time) {
            let clicks = index.clicks[Int(neighbour.session)]
            let items = Set(clicks)
            guard let shared = prefix.lastIndex(where: { items.contains($0) }) else { continue }
            let matchWeight = exp(Double(shared + 1 - prefix.count) / parameters.lambdaIPW)
            for (item, weight) in NeighbourSearch.itemNeighbourhoodWeights(clicks: clicks, prefixItems: prefixItems, lambda: parameters.stan.lambdaINH) {
                let rarity = 1 + idf[Int(item)] * parameters.lambdaIDF
                scores[item, default: 0] += neighbour.similarity * weight * rarity * matchWeight
            }
        }
        return BaselineRanking.top(scores, index: index, limit: limit)
    }
}
