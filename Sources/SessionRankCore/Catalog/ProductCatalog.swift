import Recommender
import Synchronization

/// An immutable view of the catalog: product rows by id, plus the engine's attribute view.
public struct CatalogSnapshot: Sendable {
    public let products: [String: CatalogProduct]
    /// The same products as compliance sees them, for screening candidates.
    public let screening: [String: ScreenedProduct]
    public let engineCatalog: ItemCatalog
    /// What to show when the model knows nothing yet: sellable, in-stock products in a stable order.
    public let fallbackOrder: [String]

    public init(products: [CatalogProduct]) {
        var byId: [String: CatalogProduct] = [:]
        byId.reserveCapacity(products.count)
        for product in products { byId[product.id] = product }
        self.products = byId
        self.screening = byId.mapValues(ScreenedProduct.init)
        self.engineCatalog = ItemCatalog(
            items: byId.mapValues { ItemAttributes(category: $0.category, brand: $0.brand, price: $0.price) })
        self.fallbackOrder = products.filter { $0.forSale && $0.inStock }.map(\.id).sorted()
    }

    public static let empty = CatalogSnapshot(products: [])
}

/// The live catalog. Readers take the current snapshot without waiting; a refresh swaps in a new one.
public final class ProductCatalog: Sendable {
    private let current = Mutex(CatalogSnapshot.empty)
    private let loaded = Atomic(false)

    public init() {}

    public var snapshot: CatalogSnapshot { current.withLock { $0 } }

    /// False until the first load: until then every item is unknown, so compliance withholds all.
    public var isLoaded: Bool { loaded.load(ordering: .acquiring) }

    public func replace(with snapshot: CatalogSnapshot) {
        current.withLock { $0 = snapshot }
        loaded.store(true, ordering: .releasing)
    }

    /// Interest-vector keys of an item (`category:…`, `brand:…`, `price:…`), as the engine defines them.
    public func interestKeys(of itemId: String) -> [String] {
        snapshot.engineCatalog.items[itemId]?.interestKeys(priceBands: ModelParameters.default.priceBands) ?? []
    }
}
