import Testing
@testable import LoadCore

@Suite struct ZipfTests {
    @Test func probabilitiesFollowThePowerLaw() {
        let zipf = ZipfSampler(count: 100, exponent: 1)
        // p(rank 0) / p(rank 1) = 2^1
        #expect(abs(zipf.probability(ofRank: 0) / zipf.probability(ofRank: 1) - 2) < 1e-9)
        let total = (0..<100).map { zipf.probability(ofRank: $0) }.reduce(0, +)
        #expect(abs(total - 1) < 1e-9)
    }

    @Test func samplesMatchTheDistribution() {
        let zipf = ZipfSampler(count: 50, exponent: 1.2)
        var generator = SeededGenerator(seed: 3)
        var counts = [Int](repeating: 0, count: 50)
        let n = 200_000
        for _ in 0..<n { counts[zipf.sample(using: &generator)] += 1 }
        for rank in [0, 1, 5, 20] {
            let observed = Double(counts[rank]) / Double(n)
            #expect(abs(observed - zipf.probability(ofRank: rank)) < 0.01)
        }
        #expect(counts.allSatisfy { $0 > 0 })
    }

    @Test func exponentZeroIsUniform() {
        let zipf = ZipfSampler(count: 4, exponent: 0)
        for rank in 0..<4 { #expect(abs(zipf.probability(ofRank: rank) - 0.25) < 1e-12) }
    }
}
