import Logging
import PostgresNIO

/// Reads the whole product catalog. Catalogs of this service's size (up to a few million rows)
/// fit in memory, and compliance filtering needs every candidate's attributes per request.
public struct PostgresCatalogSource: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func loadAll() async throws -> [CatalogProduct] {
        let rows = try await client.query(
            """
            SELECT id, title, category, brand, price::float8, currency, in_stock, for_sale, min_age::int,
                   allowed_regions, blocked_regions, requires_kyc, risk_level::int, disclosure
            FROM products
            """,
            logger: logger
        )
        var products: [CatalogProduct] = []
        for try await (id, title, category, brand, price, currency, inStock, forSale, minAge, allowed, blocked, kyc, risk, disclosure) in rows.decode(
            (String, String, String, String, Double, String, Bool, Bool, Int, [String]?, [String], Bool, Int, String?).self)
        {
            products.append(
                CatalogProduct(
                    id: id, title: title, category: category, brand: brand, price: price, currency: currency,
                    inStock: inStock, forSale: forSale, minAge: minAge, allowedRegions: allowed, blockedRegions: blocked,
                    requiresKYC: kyc, riskLevel: risk, disclosure: disclosure))
        }
        return products
    }
}
