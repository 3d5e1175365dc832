/// Port: the whole product catalog. Catalogs of this service's size (up to a few million rows)
/// fit in memory, and compliance filtering needs every candidate's attributes per request.
/// PostgreSQL in production (`PostgresCatalogSource` in SessionRankAdapters).
public protocol CatalogSource: Sendable {
    func loadAll() async throws(SourceUnavailable) -> [CatalogProduct]
}
