import Logging
import PostgresNIO
import SessionRankCore

/// Writes generated demo rows with multi-row upserts, so seeding is repeatable and fast.
public struct DemoDataWriter: Sendable {
    /// PostgreSQL allows 65,535 bind parameters per statement; stay well below.
    private static let rowsPerStatement = 400

    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func upsert(products: [CatalogProduct]) async throws {
        try await insertInChunks(
            products, into: "products",
            columns: ["id", "title", "category", "brand", "price", "currency", "in_stock", "for_sale", "min_age",
                      "allowed_regions", "blocked_regions", "requires_kyc", "risk_level", "disclosure"],
            casts: [4: "::numeric", 8: "::smallint", 12: "::smallint"],
            conflict: "ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, category = EXCLUDED.category, "
                + "brand = EXCLUDED.brand, price = EXCLUDED.price, currency = EXCLUDED.currency, "
                + "in_stock = EXCLUDED.in_stock, for_sale = EXCLUDED.for_sale, min_age = EXCLUDED.min_age, "
                + "allowed_regions = EXCLUDED.allowed_regions, blocked_regions = EXCLUDED.blocked_regions, "
                + "requires_kyc = EXCLUDED.requires_kyc, risk_level = EXCLUDED.risk_level, "
                + "disclosure = EXCLUDED.disclosure, updated_at = now()"
        ) { product, binds in
            binds.append(product.id)
            binds.append(product.title)
            binds.append(product.category)
            binds.append(product.brand)
            binds.append(product.price)
            binds.append(product.currency)
            binds.append(product.inStock)
            binds.append(product.forSale)
            binds.append(product.minAge)
            binds.append(product.allowedRegions)
            binds.append(product.blockedRegions)
            binds.append(product.requiresKYC)
            binds.append(product.riskLevel)
            binds.append(product.disclosure)
        }
    }

    public func upsert(users: [DemoUser]) async throws {
        try await insertInChunks(
            users, into: "users",
            columns: ["id", "birth_date", "region", "kyc_status", "risk_flags", "segment",
                      "consent_personalization", "consent_analytics"],
            casts: [1: "::date"],
            conflict: "ON CONFLICT (id) DO UPDATE SET birth_date = EXCLUDED.birth_date, region = EXCLUDED.region, "
                + "kyc_status = EXCLUDED.kyc_status, risk_flags = EXCLUDED.risk_flags, segment = EXCLUDED.segment, "
                + "consent_personalization = EXCLUDED.consent_personalization, "
                + "consent_analytics = EXCLUDED.consent_analytics"
        ) { user, binds in
            binds.append(user.id)
            binds.append(user.birthDate)
            binds.append(user.region)
            binds.append(user.kycStatus)
            binds.append(user.riskFlags)
            binds.append(user.segment)
            binds.append(user.consentPersonalization)
            binds.append(user.consentAnalytics)
        }
    }

    public func upsert(requests: [DemoRequest]) async throws {
        try await insertInChunks(
            requests, into: "backend_requests",
            columns: ["request_id", "user_id", "session_id", "channel", "device", "page", "campaign", "region", "created_at"],
            casts: [:],
            conflict: "ON CONFLICT (request_id) DO NOTHING"
        ) { request, binds in
            binds.append(request.requestId)
            binds.append(request.userId)
            binds.append(request.sessionId)
            binds.append(request.channel)
            binds.append(request.device)
            binds.append(request.page)
            binds.append(request.campaign)
            binds.append(request.region)
            binds.append(request.createdAt)
        }
    }

    /// Builds `INSERT … VALUES ($1, $2, …), (…) <conflict>` per chunk; values are always bound, never spliced.
    private func insertInChunks<Row>(
        _ rows: [Row], into table: String, columns: [String], casts: [Int: String], conflict: String,
        bind: (Row, inout PostgresBindings) -> Void
    ) async throws {
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + Self.rowsPerStatement, rows.count)]
            var binds = PostgresBindings(capacity: chunk.count * columns.count)
            var tuples: [String] = []
            tuples.reserveCapacity(chunk.count)
            for row in chunk {
                let base = binds.count
                bind(row, &binds)
                let placeholders = columns.indices.map { "$\(base + $0 + 1)\(casts[$0] ?? "")" }
                tuples.append("(\(placeholders.joined(separator: ", ")))")
            }
            let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", ")) \(conflict)"
            try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            start += chunk.count
        }
    }
}
