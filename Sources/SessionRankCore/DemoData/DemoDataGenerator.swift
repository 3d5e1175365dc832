import Compliance
import Foundation

/// Generates the demo catalog. Deterministic: the same arguments give the same rows on every
/// machine, so demos and tests can name ids. Here and not in the command line because the server
/// bootstraps its model from demo sessions over this catalog (`model.bootstrapDemoSessions`);
/// the demo users and request log are the command line's (`DemoPeopleGenerator`).
public struct DemoDataGenerator: Sendable {
    /// Fixed so that generated timestamps do not depend on the day the demo is seeded.
    public static let referenceDate = Date(timeIntervalSince1970: 1_793_491_200)  // 2026-11-01T00:00:00Z

    public var productCount: Int

    public init(productCount: Int = 2_000) {
        self.productCount = productCount
    }

    /// Demo products `p-00001`, `p-00002`, …
    public func products() -> [CatalogProduct] {
        (1...max(productCount, 1)).map { Self.product(id: String(format: "p-%05d", $0)) }
    }

    /// One product, derived from its id alone, so that item ids from a session file
    /// (e.g. the serenade click data) get stable, plausible catalog rows.
    public static func product(id: String) -> CatalogProduct {
        var random = SeededRandom(stableSeed: id)
        let category = random.pick(weighted: DemoCatalogProfile.categories.map { ($0, $0.share) })
        let brand = random.pick(category.brands)
        let noun = random.pick(category.nouns)
        let adjective = random.pick(["Classic", "Compact", "Deluxe", "Essential", "Pro", "Eco", "Everyday", "Limited"])
        // Log-uniform prices look like a real shop: many cheap items, few expensive ones.
        let logPrice = Double.random(
            in: log(category.priceRange.lowerBound)...log(category.priceRange.upperBound), using: &random)
        let price = (exp(logPrice) * 100).rounded() / 100
        return CatalogProduct(
            title: "\(brand) \(adjective) \(noun)",
            price: price,
            currency: "EUR",
            compliance: ComplianceProduct(
                id: id,
                category: category.name,
                brand: brand,
                inStock: random.chance(0.95),
                forSale: random.chance(0.98),
                restrictions: category.restrictions))
    }
}
