/// Delays between reconnect attempts: doubling from `minimum` up to `maximum`, with jitter so a
/// fleet of clients does not hammer a restarting server in lock-step.
struct ReconnectBackoff {
    let minimum: Duration
    let maximum: Duration
    private var failures = 0

    init(minimum: Duration, maximum: Duration) {
        self.minimum = minimum
        self.maximum = max(minimum, maximum)
    }

    /// The wait before the next attempt; each call counts one more failure.
    mutating func nextDelay() -> Duration {
        // Cap the exponent: 2^20 × any sensible minimum already exceeds any sensible maximum.
        let ceiling = min(maximum, minimum * (1 << min(failures, 20)))
        failures += 1
        // Jitter in the upper half keeps the delay growing while spreading clients apart.
        let jittered = ceiling * Double.random(in: 0.5...1.0)
        return max(minimum, jittered)
    }

    mutating func reset() { failures = 0 }
}
