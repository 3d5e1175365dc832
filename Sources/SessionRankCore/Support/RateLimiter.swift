import Synchronization

/// Token buckets per client: `rate` requests per second on average, bursts up to `burst`.
/// Sharded so concurrent requests from different clients rarely share a lock, and bounded:
/// a shard over its share of `maxClients` forgets its idle (full) buckets first.
public final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private final class Shard: Sendable {
        let buckets = Mutex<[String: Bucket]>([:])
    }

    private let shards: [Shard]
    private let rate: Double
    private let burst: Double
    private let maxPerShard: Int

    public init(requestsPerSecond rate: Double, burst: Int, maxClients: Int = 100_000) {
        self.rate = rate
        self.burst = Double(max(burst, 1))
        self.shards = (0..<16).map { _ in Shard() }
        self.maxPerShard = max(maxClients / 16, 1)
    }

    /// nil when the request may go ahead (and a token is taken), else how long until one is free.
    public func acquire(_ client: String, now: ContinuousClock.Instant = .now) -> Duration? {
        let shard = shards[Int(UInt(bitPattern: client.hashValue) % UInt(shards.count))]
        return shard.buckets.withLock { buckets in
            var bucket = buckets[client] ?? Bucket(tokens: burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + seconds * rate)
            bucket.updated = now
            defer {
                buckets[client] = bucket
                if buckets.count > maxPerShard { evict(&buckets, keeping: client, now: now) }
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return .milliseconds(Int64(((1 - bucket.tokens) / rate * 1_000).rounded(.up)))
        }
    }

    private func evict(_ buckets: inout [String: Bucket], keeping current: String, now: ContinuousClock.Instant) {
        let refillTime = Duration.milliseconds(Int64(burst / rate * 1_000))
        buckets = buckets.filter { $0.key == current || now - $0.value.updated < refillTime }
        // Still too many active clients: forget others rather than grow without bound.
        while buckets.count > maxPerShard, let key = buckets.keys.first(where: { $0 != current }) { buckets.removeValue(forKey: key) }
    }

    /// Clients currently remembered (for tests and gauges).
    var trackedClients: Int { shards.reduce(0) { $0 + $1.buckets.withLock { $0.count } } }
}
