import Foundation

/// The neighbour search the session-kNN baselines share (session-rec `knn/*.py`).
enum NeighbourSearch {
    /// Candidate neighbours: the training sessions sharing an item with the prefix; when there
    /// are more than `sampleSize`, only the `sampleSize` most recent (`sampling='recent'`).
    static func sample(prefix: [Int32], index: TrainingIndex, sampleSize: Int) -> [Int32] {
        var sessions = Set<Int32>()
        for item in Set(prefix) where item >= 0 { sessions.formUnion(index.sessionsOfItem[Int(item)]) }
        guard sampleSize > 0, sessions.count > sampleSize else { return Array(sessions) }
        return Array(sessions.sorted(by: >).prefix(sampleSize))
    }

    /// The `k` most similar neighbours with a positive similarity (ties: the more recent first).
    static func strongest(_ neighbours: [(session: Int32, similarity: Double)], k: Int) -> [(session: Int32, similarity: Double)] {
        neighbours.filter { $0.similarity > 0 }
            .sorted { $0.similarity != $1.similarity ? $0.similarity > $1.similarity : $0.session > $1.session }
            .prefix(k).map { $0 }
    }

    /// Weight per distinct prefix item, from the position (1-based) of its last click in a
    /// prefix of `length` clicks.
    static func positionWeights(_ prefix: [Int32], _ weight: (_ position: Int, _ length: Int) -> Double) -> [Int32: Double] {
        var weights: [Int32: Double] = [:]
        for (offset, item) in prefix.enumerated() { weights[item] = weight(offset + 1, prefix.count) }
        return weights
    }

    /// STAN's cosine between the weighted prefix and a neighbour's item set:
    /// Σ weights of shared items / (√Σ weights² · √|neighbour items|).
    static func weightedCosine(_ weights: [Int32: Double], squaredNorm: Double, neighbour: [Int32]) -> Double {
        var shared = 0.0
        for item in neighbour { if let weight = weights[item] { shared += weight } }
        guard shared > 0 else { return 0 }
        return shared / (squaredNorm.squareRoot() * Double(neighbour.count).squareRoot())
    }

    /// STAN's weight of a neighbour's item: exp(-|its last position − the last position of any
    /// prefix item| / λ), positions 1-based within the neighbour's clicks.
    static func itemNeighbourhoodWeights(clicks: [Int32], prefixItems: Set<Int32>, lambda: Double) -> [Int32: Double] {
        var lastPosition: [Int32: Int] = [:], anchor = 0
        for (offset, item) in clicks.enumerated() {
            if prefixItems.contains(item) { anchor = offset + 1 }
            lastPosition[item] = offset + 1
        }
        return lastPosition.mapValues { exp(-Double(abs($0 - anchor)) / lambda) }
    }
}
