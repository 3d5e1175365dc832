import Foundation
import Logging
import PostgresNIO
import SessionRankCore

/// The `ConfigStore` port in PostgreSQL: versions and audit log of the ranking configuration.
public struct RankingConfigStore: ConfigStore {
    /// Why `append` stored nothing (returned from the transaction, then thrown as `ConfigStoreError`).
    enum Conflict: Error, Equatable {
        /// `expected` is no longer the newest version.
        case versionMismatch(current: Int64?)
    }

    /// Serialises writers across replicas (advisory lock key; "rcfg" in ASCII).
    static let lockKey: Int64 = 0x7263_6667

    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static func digest(_ yaml: String) -> String { RankingConfigVersion.digest(of: yaml) }

    /// Runs one call, keeping PostgreSQL's error as the cause.
    private func call<T>(_ body: () async throws -> T) async throws(ConfigStoreError) -> T {
        do { return try await body() } catch let error as ConfigStoreError { throw error } catch { throw .unavailable(error) }
    }

    public func latest() async throws(ConfigStoreError) -> RankingConfigVersion? {
        try await versions(limit: 1, includeYAML: true).first
    }

    public func version(_ number: Int64) async throws(ConfigStoreError) -> RankingConfigVersion? {
        try await call { try await self.uncheckedVersion(number) }
    }

    private func uncheckedVersion(_ number: Int64) async throws -> RankingConfigVersion? {
        let rows = try await client.query(
            "SELECT version, digest, yaml, author, comment, created_at FROM ranking_config_versions WHERE version = \(number)",
            logger: logger)
        return try await Self.decode(rows).first
    }

    /// Newest first; without YAML the list stays small.
    public func versions(limit: Int, includeYAML: Bool = false) async throws(ConfigStoreError) -> [RankingConfigVersion] {
        try await call { try await self.uncheckedVersions(limit: limit, includeYAML: includeYAML) }
    }

    private func uncheckedVersions(limit: Int, includeYAML: Bool) async throws -> [RankingConfigVersion] {
        let rows = try await client.query(
            """
            SELECT version, digest, CASE WHEN \(includeYAML) THEN yaml ELSE '' END, author, comment, created_at
            FROM ranking_config_versions ORDER BY version DESC LIMIT \(limit)
            """,
            logger: logger)
        return try await Self.decode(rows)
    }

    /// Stores `yaml` as the newest version with an audit row, in one transaction under a lock.
    /// With `expected`, stores only if that is still the newest version (optimistic locking).
    /// With `source` (a file path), stores only if the text differs from the last version read
    /// from that file, so replicas that see the same file change store it once.
    /// Returns the stored version, or nil when skipped.
    @discardableResult
    public func append(
        yaml: String, author: String, comment: String, action: String, expected: Int64?? = nil, source: String? = nil
    ) async throws(ConfigStoreError) -> RankingConfigVersion? {
        let outcome = try await call {
            try await self.uncheckedAppend(yaml: yaml, author: author, comment: comment, action: action, expected: expected, source: source)
        }
        switch outcome {
        case .success(let stored): return stored
        case .failure(.versionMismatch(let current)): throw .versionMismatch(current: current)
        }
    }

    private func uncheckedAppend(
        yaml: String, author: String, comment: String, action: String, expected: Int64??, source: String?
    ) async throws -> Result<RankingConfigVersion?, Conflict> {
        let digest = Self.digest(yaml)
        let logger = self.logger
        // The conflict is returned, not thrown, from the transaction: PostgresNIO wraps errors thrown inside it.
        let outcome: Result<RankingConfigVersion?, Conflict> = try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger)
            var current: (version: Int64, digest: String)?
            for try await row in try await connection.query(
                "SELECT version, digest FROM ranking_config_versions ORDER BY version DESC LIMIT 1", logger: logger
            ).decode((Int64, String).self) {
                current = (row.0, row.1)
            }
            if let expected, expected != current?.version { return .failure(.versionMismatch(current: current?.version)) }
            if let source {
                let previous = try await connection.query(
                    "SELECT digest FROM ranking_config_versions WHERE source = \(source) ORDER BY version DESC LIMIT 1", logger: logger
                ).collect().first?.decode(String.self)
                if previous == digest { return .success(nil) }
            }
            let rows = try await connection.query(
                """
                INSERT INTO ranking_config_versions (yaml, digest, author, comment, source)
                VALUES (\(yaml), \(digest), \(author), \(comment), \(source))
                RETURNING version, digest, yaml, author, comment, created_at
                """,
                logger: logger)
            guard let stored = try await Self.decode(rows).first else { return .success(nil) }
            try await connection.query(
                """
                INSERT INTO ranking_config_audit (actor, action, version, detail)
                VALUES (\(author), \(action), \(stored.version), \(comment))
                """,
                logger: logger)
            return .success(stored)
        }
        return outcome
    }

    /// An audit row for something that changed nothing stored (a refused file, for example).
    public func audit(actor: String, action: String, version: Int64?, detail: String) async throws(ConfigStoreError) {
        try await call {
            try await self.client.query(
                "INSERT INTO ranking_config_audit (actor, action, version, detail) VALUES (\(actor), \(action), \(version), \(detail))",
                logger: self.logger)
        }
    }

    public func auditLog(limit: Int) async throws(ConfigStoreError) -> [RankingConfigAuditEntry] {
        try await call { try await self.uncheckedAuditLog(limit: limit) }
    }

    private func uncheckedAuditLog(limit: Int) async throws -> [RankingConfigAuditEntry] {
        let rows = try await client.query(
            "SELECT at, actor, action, version, detail FROM ranking_config_audit ORDER BY id DESC LIMIT \(limit)", logger: logger)
        var entries: [RankingConfigAuditEntry] = []
        for try await (at, actor, action, version, detail) in rows.decode((Date, String, String, Int64?, String).self) {
            entries.append(RankingConfigAuditEntry(at: at, actor: actor, action: action, version: version, detail: detail))
        }
        return entries
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [RankingConfigVersion] {
        var versions: [RankingConfigVersion] = []
        for try await (version, digest, yaml, author, comment, createdAt) in rows.decode((Int64, String, String, String, String, Date).self) {
            versions.append(RankingConfigVersion(version: version, digest: digest, yaml: yaml, author: author, comment: comment, createdAt: createdAt))
        }
        return versions
    }
}
