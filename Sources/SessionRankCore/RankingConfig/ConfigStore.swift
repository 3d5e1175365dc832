import Crypto
import Foundation

/// One stored ranking configuration. The newest version is the live one on every replica.
public struct RankingConfigVersion: Codable, Sendable, Equatable {
    public var version: Int64
    public var digest: String
    public var yaml: String
    public var author: String
    public var comment: String
    public var createdAt: Date

    public init(version: Int64, digest: String, yaml: String, author: String, comment: String, createdAt: Date) {
        self.version = version
        self.digest = digest
        self.yaml = yaml
        self.author = author
        self.comment = comment
        self.createdAt = createdAt
    }

    /// The SHA-256 of the YAML text, in hex: what names a config (`cfg-` and its first 12 digits).
    public static func digest(of yaml: String) -> String {
        SHA256.hash(data: Data(yaml.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// One row of the audit log: who did what to which version.
public struct RankingConfigAuditEntry: Codable, Sendable, Equatable {
    public var at: Date
    public var actor: String
    public var action: String
    public var version: Int64?
    public var detail: String

    public init(at: Date, actor: String, action: String, version: Int64?, detail: String) {
        self.at = at
        self.actor = actor
        self.action = action
        self.version = version
        self.detail = detail
    }
}

/// Why a config store call failed.
public enum ConfigStoreError: Error, CustomStringConvertible {
    /// `append(expected:)` found that `expected` is no longer the newest version.
    case versionMismatch(current: Int64?)
    /// The store did not answer or refused the call; the client's error is kept.
    case unavailable(any Error)

    public var description: String {
        switch self {
        case .versionMismatch(let current): "version mismatch: the newest version is \(current.map(String.init) ?? "none")"
        case .unavailable(let underlying): "\(underlying)"
        }
    }
}

/// Port: versions and audit log of the ranking configuration, the replicas' shared source of
/// truth. PostgreSQL in production (`RankingConfigStore` in SessionRankAdapters).
public protocol ConfigStore: Sendable {
    func latest() async throws(ConfigStoreError) -> RankingConfigVersion?
    func version(_ number: Int64) async throws(ConfigStoreError) -> RankingConfigVersion?
    /// Newest first; without YAML the list stays small.
    func versions(limit: Int, includeYAML: Bool) async throws(ConfigStoreError) -> [RankingConfigVersion]
    /// Stores `yaml` as the newest version with an audit row, atomically across replicas.
    /// With `expected`, stores only if that is still the newest version (optimistic locking;
    /// otherwise `.versionMismatch`). With `source` (a file path), stores only if the text
    /// differs from the last version read from that file, so replicas that see the same file
    /// change store it once. Returns the stored version, or nil when skipped.
    @discardableResult
    func append(yaml: String, author: String, comment: String, action: String, expected: Int64??, source: String?)
        async throws(ConfigStoreError) -> RankingConfigVersion?
    /// An audit row for something that changed nothing stored (a refused file, for example).
    func audit(actor: String, action: String, version: Int64?, detail: String) async throws(ConfigStoreError)
    /// Newest first.
    func auditLog(limit: Int) async throws(ConfigStoreError) -> [RankingConfigAuditEntry]
}

extension ConfigStore {
    public func versions(limit: Int) async throws(ConfigStoreError) -> [RankingConfigVersion] {
        try await versions(limit: limit, includeYAML: false)
    }

    @discardableResult
    public func append(
        yaml: String, author: String, comment: String, action: String, expected: Int64?? = nil, source: String? = nil
    ) async throws(ConfigStoreError) -> RankingConfigVersion? {
        try await append(yaml: yaml, author: author, comment: comment, action: action, expected: expected, source: source)
    }
}
