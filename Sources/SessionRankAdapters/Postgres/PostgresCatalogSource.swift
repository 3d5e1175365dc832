import Compliance
import Logging
import PostgresNIO
import SessionRankCore

/// The `CatalogSource` port in PostgreSQL: the `products` table.
public struct PostgresCatalogSource: CatalogSource {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func loadAll() async throws(SourceUnavailable) -> [CatalogProduct] {
        do { return try await readAll() } catch { throw SourceUnavailable(error) }
    }

    private func readAll() async throws -> [CatalogProduct] {
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
                    title: title, price: price, currency: currency,
                    compliance: ComplianceProduct(
                        id: id, category: category, brand: brand, inStock: inStock, forSale: forSale, minAge: minAge,
                        allowedRegions: allowed, blockedRegions: blocked, requiresKYC: kyc, riskLevel: risk, disclosure: disclosure)))
        }
        return products
    }
}
