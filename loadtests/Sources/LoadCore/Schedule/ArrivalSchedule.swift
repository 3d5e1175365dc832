/// How arrivals are spaced at a given rate.
public enum ArrivalProcess: String, Codable, Sendable {
    /// Evenly spaced: the cleanest signal for latency measurement.
    case uniform
    /// Exponential gaps (a Poisson process): bursts like real visitors.
    case poisson
}

/// Precomputes the intended send times of one workload, in nanoseconds from the start
/// of the run (warm-up included). Sending from a precomputed timeline, and measuring
/// latency from these times, is what keeps the results free of coordinated omission.
public enum ArrivalSchedule {
    public static let nanosPerSecond = 1_000_000_000.0

    /// - Parameters:
    ///   - profile: the rate over the measured window; the warm-up uses its opening rate.
    ///   - warmupSeconds: the lead-in that is sent but not recorded.
    ///   - durationSeconds: the measured window.
    public static func intendedTimes(
        profile: RateProfile,
        process: ArrivalProcess,
        warmupSeconds: Double,
        durationSeconds: Double,
        generator: inout SeededGenerator
    ) -> [UInt64] {
        let total = warmupSeconds + durationSeconds
        var times: [UInt64] = []
        times.reserveCapacity(Int(profile.peakRate * total * 1.05) + 16)
        // Integrate the time-varying rate: advance "work" by one unit per arrival,
        // stepping time by 1/rate(t). For uniform spacing that is exact for constant rates
        // and a close approximation for ramps and steps (the rate is re-read every arrival).
        var t = 0.0
        while true {
            let rate = profile.rate(at: t - warmupSeconds)
            if rate <= 0 {
                // Skip a zero-rate stretch in small steps rather than dividing by zero.
                t += 0.01
                if t >= total { break }
                continue
            }
            let gap: Double
            switch process {
            case .uniform: gap = 1.0 / rate
            case .poisson: gap = generator.nextExponential(mean: 1.0 / rate)
            }
            // The first uniform arrival is at half a gap so two workloads at the same rate interleave.
            if times.isEmpty && process == .uniform { t += gap / 2 } else { t += gap }
            if t >= total { break }
            times.append(UInt64(t * nanosPerSecond))
        }
        return times
    }
}
