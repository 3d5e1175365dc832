import Foundation

/// SplitMix64: a tiny, fast, seedable generator so that a scenario with a seed
/// produces the same sessions and schedule on every run (comparisons stay fair).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1).
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// An exponentially distributed value with the given mean (inter-arrival times, think times).
    public mutating func nextExponential(mean: Double) -> Double {
        // 1 - u is in (0, 1], so the logarithm is finite.
        -mean * log1p(-nextUnit())
    }

    /// Derives an independent generator, e.g. one per workload, from this seed.
    public func derived(_ salt: UInt64) -> SeededGenerator {
        var copy = SeededGenerator(seed: state ^ (salt &* 0xD6E8_FEB8_6659_FD93))
        _ = copy.next()
        return copy
    }
}

