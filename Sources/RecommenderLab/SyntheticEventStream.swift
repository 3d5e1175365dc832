import Foundation
import Recommender

/// An endless, seeded stream of storefront-like events for load and memory measurements:
/// visits of 1–30 events (mean about 5) over a catalogue whose item popularity falls off like
/// Zipf (s = 1), mostly views with some carts and purchases, spread over a few regions, at a
/// fixed rate of event time. Nothing is stored: each batch is generated on demand.
public struct SyntheticEventStream: Sendable {
    public struct Settings: Sendable, Equatable {
        public var seed: UInt64 = 1
        public var items = 20_000
        public var regions = 5
        /// Events per second of event time (sessions age out by event time).
        public var eventsPerSecond = 50.0
        public var startTime = 1_700_000_000.0

        public init() {}
    }

    public let settings: Settings
    private var rng: SeededGenerator
    /// Cumulative Zipf weights, for inverse-CDF sampling.
    private let cumulative: [Double]
    private var produced = 0
    private var sessionNumber = 0
    private var sessionRemaining = 0
    private var sessionRegion = ""

    public init(settings: Settings = Settings()) {
        self.settings = settings
        rng = SeededGenerator(seed: settings.seed)
        var total = 0.0
        cumulative = (1...max(1, settings.items)).map { rank in
            total += 1 / Double(rank)
            return total
        }
    }

    /// Events generated so far.
    public var count: Int { produced }

    /// The next `count` events.
    public mutating func next(_ count: Int) -> [ModelEvent] {
        var events: [ModelEvent] = []
        events.reserveCapacity(count)
        for _ in 0..<count { events.append(nextEvent()) }
        return events
    }

    private mutating func nextEvent() -> ModelEvent {
        if sessionRemaining == 0 {
            sessionNumber += 1
            // Geometric length, mean ≈ 5, capped at 30.
            var length = 1
            while length < 30, Double.random(in: 0..<1, using: &rng) < 0.8 { length += 1 }
            sessionRemaining = length
            sessionRegion = "r\(Int.random(in: 0..<max(1, settings.regions), using: &rng))"
        }
        sessionRemaining -= 1
        let u = Double.random(in: 0..<1, using: &rng) * cumulative[cumulative.count - 1]
        let rank = cumulative.partitioningIndex { $0 > u }
        let roll = Double.random(in: 0..<1, using: &rng)
        let type: EventType = roll < 0.02 ? .purchase : roll < 0.07 ? .addToCart : .view
        let time = settings.startTime + Double(produced) / settings.eventsPerSecond
        produced += 1
        return ModelEvent(sessionId: "syn-\(sessionNumber)", itemId: "item-\(min(rank, cumulative.count - 1))", type: type, timestamp: time, region: sessionRegion)
    }
}

extension Array where Element: Comparable {
    /// The first index whose element satisfies `predicate`, for a predicate that is false then true along the array.
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
