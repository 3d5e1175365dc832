import Foundation

/// Samples ranks 0..<count with probability proportional to 1 / (rank + 1)^exponent,
/// the shape of real item popularity (a few hits, a long tail).
/// The cumulative table is built once; each sample is one binary search.
public struct ZipfSampler: Sendable {
    public let count: Int
    public let exponent: Double
    private let cumulative: [Double]

    public init(count: Int, exponent: Double) {
        precondition(count > 0, "a Zipf sampler needs at least one item")
        self.count = count
        self.exponent = exponent
        var running = 0.0
        var table = [Double]()
        table.reserveCapacity(count)
        for rank in 1...count {
            running += 1.0 / pow(Double(rank), exponent)
            table.append(running)
        }
        cumulative = table.map { $0 / running }
    }

    /// The probability of one rank, for tests and documentation.
    public func probability(ofRank rank: Int) -> Double {
        rank == 0 ? cumulative[0] : cumulative[rank] - cumulative[rank - 1]
    }

    public func sample(using generator: inout SeededGenerator) -> Int {
        let u = generator.nextUnit()
        var low = 0
        var high = count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > u { high = mid } else { low = mid + 1 }
        }
        return low
    }
}

