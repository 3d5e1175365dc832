import Foundation
import Synchronization

/// The last minute of recommend traffic, per second, for the admin page's charts: lists served,
/// p99 latency, impressions and clicks. In memory, this replica only.
public final class LiveKPIs: Sendable {
    public struct Second: Encodable, Sendable, Equatable {
        public var at: Int
        public var requests: Int
        public var p99Milliseconds: Double?
        public var impressions: Int
        public var clicks: Int
    }

    private struct Bucket {
        var at = -1
        var requests = 0
        /// The first `maxSamples` latencies of the second: enough for a p99 of a chart.
        var latencies: [Double] = []
        var impressions = 0
        var clicks = 0
    }

    static let window = 60
    static let maxSamples = 1_000
    private let buckets = Mutex([Bucket](repeating: Bucket(), count: LiveKPIs.window))

    public init() {}

    func served(items: Int, latencyMicroseconds: Int, at time: Double = Date().timeIntervalSince1970) {
        update(at: time) {
            $0.requests += 1
            $0.impressions += items
            if $0.latencies.count < Self.maxSamples { $0.latencies.append(Double(latencyMicroseconds) / 1_000) }
        }
    }

    func clicked(at time: Double = Date().timeIntervalSince1970) { update(at: time) { $0.clicks += 1 } }

    /// Oldest first, the current second included; seconds without traffic are zeros.
    public func lastMinute(now: Double = Date().timeIntervalSince1970) -> [Second] {
        let current = Int(now)
        return buckets.withLock { buckets in
            (current - Self.window + 1...current).map { second in
                let bucket = buckets[second % Self.window]
                guard bucket.at == second else { return Second(at: second, requests: 0, p99Milliseconds: nil, impressions: 0, clicks: 0) }
                let sorted = bucket.latencies.sorted()
                let p99 = sorted.isEmpty ? nil : sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
                return Second(at: second, requests: bucket.requests, p99Milliseconds: p99, impressions: bucket.impressions, clicks: bucket.clicks)
            }
        }
    }

    private func update(at time: Double, _ change: (inout Bucket) -> Void) {
        let second = Int(time)
        buckets.withLock { buckets in
            let index = second % Self.window
            if buckets[index].at != second { buckets[index] = Bucket(at: second) }
            change(&buckets[index])
        }
    }
}
