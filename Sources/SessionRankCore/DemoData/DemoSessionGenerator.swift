import Foundation
import Recommender

/// Generated browsing sessions over the demo catalog, so a fresh `make run` starts with a model
/// that has seen traffic. Visitors mostly stay within one category and favour its popular
/// items (a steep power law), which is the structure session-kNN and co-visitation pick up.
public struct DemoSessionGenerator: Sendable {
    public var products: [CatalogProduct]
    public var seed: UInt64

    public init(products: [CatalogProduct], seed: UInt64 = 7) {
        self.products = products
        self.seed = seed
    }

    /// `count` sessions of 2 to 12 events, spread over the three weeks before the reference date.
    public func events(sessions count: Int) -> [ModelEvent] {
        let byCategory = Dictionary(grouping: products.filter(\.forSale), by: \.category)
            .mapValues { $0.map(\.id).sorted() }
        let categories = byCategory.keys.sorted()
        guard !categories.isEmpty else { return [] }
        var random = SeededRandom(seed: seed)
        let start = DemoDataGenerator.referenceDate.timeIntervalSince1970 - 21 * 86_400
        var events: [ModelEvent] = []
        events.reserveCapacity(count * 7)
        for index in 0..<count {
            let sessionId = "demo-\(index)"
            let home = random.pick(categories)
            var time = start + Double(index) * (21 * 86_400 / Double(max(count, 1)))
            let length = Int.random(in: 2...12, using: &random)
            let region = random.pick(DemoCatalogProfile.regions)
            for step in 0..<length {
                let category = random.chance(0.85) ? home : random.pick(categories)
                let items = byCategory[category]!
                // u³ puts most picks on the first (most popular) items of the category.
                let u = Double.random(in: 0..<1, using: &random)
                let itemId = items[min(Int(Double(items.count) * u * u * u), items.count - 1)]
                let type: EventType = step == length - 1 && random.chance(0.1) ? .purchase : random.chance(0.15) ? .addToCart : .view
                events.append(ModelEvent(sessionId: sessionId, itemId: itemId, type: type, timestamp: time, region: region))
                time += Double.random(in: 10...120, using: &random)
            }
        }
        return events.sorted { $0.timestamp < $1.timestamp }
    }
}
