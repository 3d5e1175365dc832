import Logging
import PostgresNIO
import SessionRankCore

/// Applies the schema migrations that a database has not seen yet, each exactly once.
public struct MigrationRunner: Sendable {
    /// Serialises replicas that start at the same time; any constant works as long as it is unique to us.
    private static let advisoryLockKey: Int64 = 0x5E55_1011_4A11_0001

    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Returns the versions applied by this call, in order.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await client.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            logger: logger
        )
        var applied: [Int] = []
        for migration in Migrations.all {
            let didApply = try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.advisoryLockKey))", logger: logger)
                let existing = try await connection.query(
                    "SELECT 1 FROM schema_migrations WHERE version = \(migration.version)", logger: logger
                ).collect()
                guard existing.isEmpty else { return false }
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
                return true
            }
            if didApply {
                logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                applied.append(migration.version)
            }
        }
        return applied
    }

    /// The highest version applied, or nil for an empty database.
    public func currentVersion() async throws -> Int? {
        let rows = try await client.query("SELECT max(version) FROM schema_migrations", logger: logger)
        for try await version in rows.decode(Int?.self) { return version }
        return nil
    }
}
