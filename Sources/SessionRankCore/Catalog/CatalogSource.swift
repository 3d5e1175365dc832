/// Why the catalog could not be read; the client's error is kept.
public enum CatalogSourceError: Error, CustomStringConvertible {
    case unavailable(any Error)

    public var description: String {
        switch self {
        case .unavailable(let underlying): "\(underlying)"
        }
    }
}

/// Port: the whole product catalog. Catalogs of this service's size (up to a few million rows)
/// fit in memory, and compliance filtering needs every candidate's attributes per request.
/// PostgreSQL in production (`PostgresCatalogSource` in SessionRankAdapters).
public protocol CatalogSource: Sendable {
    func loadAll() async throws(CatalogSourceError) -> [CatalogProduct]
}
