import Logging
import ServiceLifecycle

/// Loads the catalog at start and reloads it periodically. A failed reload keeps the last good
/// catalog, so a database outage never empties the shop.
public struct CatalogRefresher: Service {
    private let catalog: ProductCatalog
    private let source: PostgresCatalogSource
    private let interval: Duration
    private let logger: Logger

    public init(catalog: ProductCatalog, source: PostgresCatalogSource, interval: Duration, logger: Logger) {
        self.catalog = catalog
        self.source = source
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await runPeriodically(every: interval) { await refresh() }
    }

    public func refresh() async {
        do {
            let products = try await source.loadAll()
            catalog.replace(with: CatalogSnapshot(products: products))
            logger.debug("catalog loaded", metadata: ["products": "\(products.count)"])
        } catch {
            logger.warning("catalog reload failed; keeping the last good catalog", metadata: ["error": "\(error)"])
        }
    }
}
