import Logging
import ServiceLifecycle

/// Loads the catalog at start and reloads it periodically. A failed reload keeps the last good
/// catalog, so a database outage never empties the shop.
public struct CatalogRefresher: Service {
    private let catalog: ProductCatalog
    private let source: any CatalogSource
    private let interval: Duration
    private let logger: Logger
    /// Called with every newly loaded catalog (the model takes item attributes from it).
    /// A load that takes longer is abandoned; the last good catalog stays.
    private let loadTimeout: Duration = .seconds(10)
    private let onRefresh: @Sendable (CatalogSnapshot) -> Void

    public init(
        catalog: ProductCatalog, source: any CatalogSource, interval: Duration, logger: Logger,
        onRefresh: @escaping @Sendable (CatalogSnapshot) -> Void = { _ in }
    ) {
        self.onRefresh = onRefresh
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
            let source = self.source
            let products = try await withDeadline(loadTimeout) { try await source.loadAll() }
            let snapshot = CatalogSnapshot(products: products)
            catalog.replace(with: snapshot)
            onRefresh(snapshot)
            logger.debug("catalog loaded", metadata: ["products": "\(products.count)"])
        } catch {
            logger.warning("catalog reload failed; keeping the last good catalog", metadata: ["error": "\(error)"])
        }
    }
}
