/// Decides which rate to try next while looking for the highest rate that meets an SLO:
/// multiply while trials pass, then bisect between the best pass and the lowest failure.
/// A failed rate is run again `failureRepeats` times before it counts as failed: on a shared
/// machine a stall can fail a trial but never pass one, and one stalled trial would otherwise
/// cap the whole search below it.
public struct CapacitySearch: Sendable {
    public let maxRate: Double
    public let growthFactor: Double
    public let precision: Double
    public let maxTrials: Int
    public let failureRepeats: Int
    public private(set) var bestPassing: Double?
    public private(set) var lowestFailing: Double?
    public private(set) var trials = 0
    private var next: Double?
    /// Repeats already run of the rate that just failed.
    private var repeatsOfFailure = 0

    public init(startRate: Double, maxRate: Double, growthFactor: Double, precision: Double, maxTrials: Int, failureRepeats: Int = 0) {
        self.maxRate = maxRate
        self.growthFactor = max(growthFactor, 1.1)
        self.precision = precision
        self.maxTrials = maxTrials
        self.failureRepeats = max(failureRepeats, 0)
        next = min(startRate, maxRate)
    }

    /// The rate to run now, or nil when the search is over.
    public var nextRate: Double? { trials < maxTrials ? next : nil }

    public mutating func record(rate: Double, passed: Bool) {
        trials += 1
        if !passed, repeatsOfFailure < failureRepeats {
            repeatsOfFailure += 1
            next = rate
            return
        }
        repeatsOfFailure = 0
        if passed {
            bestPassing = max(bestPassing ?? 0, rate)
        } else {
            lowestFailing = min(lowestFailing ?? .infinity, rate)
        }
        next = decideNext()
    }

    private func decideNext() -> Double? {
        switch (bestPassing, lowestFailing) {
        case (let pass?, nil):
            // Still growing; stop at the ceiling we were given.
            if pass >= maxRate { return nil }
            return min(pass * growthFactor, maxRate)
        case (nil, let fail?):
            // Even the start failed: come down until something passes.
            let lower = fail / growthFactor
            return lower < 1 ? nil : lower
        case (let pass?, let fail?):
            if (fail - pass) / pass <= precision { return nil }
            return (pass + fail) / 2
        case (nil, nil):
            return nil
        }
    }
}
