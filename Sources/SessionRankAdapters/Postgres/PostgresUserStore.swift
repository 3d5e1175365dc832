import Foundation
import Logging
import PostgresNIO
import SessionRankCore

/// Consent changes, export and erasure of a user's rows (the `UserStore` port).
public struct PostgresUserStore: UserStore {
    private let client: PostgresClient
    private let logger: Logger
    /// Each call gives up after this long: the pool waits for a connection without end while
    /// the server is down, and the port promises an error, not a hang.
    private let timeout: Duration

    public init(client: PostgresClient, logger: Logger, timeout: Duration = .seconds(5)) {
        self.client = client
        self.logger = logger
        self.timeout = timeout
    }

    /// Sets consent; creates the user row if the backend has not synced it yet. Returns the new
    /// profile from the same statement, so a concurrent erasure cannot leave nothing to return.
    /// Every replica hears of the change at commit (see `ProfileChangeListener`), never of a rollback.
    public func setConsent(userId: String, personalization: Bool?, analytics: Bool?) async throws(UserStoreError) -> UserProfile {
        try await wrapped { try await storeConsent(userId: userId, personalization: personalization, analytics: analytics) }
    }

    private func storeConsent(userId: String, personalization: Bool?, analytics: Bool?) async throws -> UserProfile {
        try await client.withTransaction(logger: logger) { connection in
            let profile = try await Self.upsertConsent(
                userId: userId, personalization: personalization, analytics: analytics, on: connection, logger: logger)
            try await Self.announceChange(of: userId, on: connection, logger: logger)
            return profile
        }
    }

    private static func upsertConsent(
        userId: String, personalization: Bool?, analytics: Bool?, on connection: PostgresConnection, logger: Logger
    ) async throws -> UserProfile {
        let rows = try await connection.query(
            """
            INSERT INTO users (id, consent_personalization, consent_analytics, consent_updated_at)
            VALUES (\(userId), \(personalization), \(analytics), now())
            ON CONFLICT (id) DO UPDATE SET
                consent_personalization = coalesce(EXCLUDED.consent_personalization, users.consent_personalization),
                consent_analytics = coalesce(EXCLUDED.consent_analytics, users.consent_analytics),
                consent_updated_at = now()
            RETURNING id, birth_date::text, region, kyc_status, risk_flags, segment, consent_personalization, consent_analytics
            """,
            logger: logger)
        for try await row in rows.decode((String, String?, String?, String, [String], String?, Bool?, Bool?).self) {
            return profile(row)
        }
        // INSERT … ON CONFLICT DO UPDATE … RETURNING always yields the row.
        throw PostgresUserStoreError.noRowReturned
    }

    public func profile(userId: String) async throws(UserStoreError) -> UserProfile? {
        try await wrapped { try await readProfile(userId: userId) }
    }

    private func readProfile(userId: String) async throws -> UserProfile? {
        let rows = try await client.query(
            """
            SELECT id, birth_date::text, region, kyc_status, risk_flags, segment, consent_personalization, consent_analytics
            FROM users WHERE id = \(userId)
            """,
            logger: logger)
        for try await row in rows.decode((String, String?, String?, String, [String], String?, Bool?, Bool?).self) {
            return Self.profile(row)
        }
        return nil
    }

    private static func profile(_ row: (String, String?, String?, String, [String], String?, Bool?, Bool?)) -> UserProfile {
        let (id, birthDate, region, kyc, flags, segment, personalization, analytics) = row
        return UserProfile(
            userId: id, birthDate: birthDate, region: region, kycStatus: kyc, riskFlags: flags, segment: segment,
            consentPersonalization: personalization, consentAnalytics: analytics)
    }

    public func requests(userId: String) async throws(UserStoreError) -> [BackendRequest] {
        try await wrapped { try await readRequests(userId: userId) }
    }

    private func readRequests(userId: String) async throws -> [BackendRequest] {
        let rows = try await client.query(
            """
            SELECT request_id, session_id, channel, device, page, campaign, region
            FROM backend_requests WHERE user_id = \(userId) ORDER BY created_at
            """,
            logger: logger)
        var requests: [BackendRequest] = []
        for try await (id, session, channel, device, page, campaign, region) in rows.decode(
            (String, String?, String?, String?, String?, String?, String?).self)
        {
            requests.append(
                BackendRequest(requestId: id, userId: userId, sessionId: session, channel: channel, device: device, page: page,
                               campaign: campaign, region: region))
        }
        return requests
    }

    /// Deletes the user row and unlinks the user from the request log. Returns whether a user row existed.
    public func erase(userId: String) async throws(UserStoreError) -> Bool {
        try await wrapped { try await deleteRows(userId: userId) }
    }

    private func deleteRows(userId: String) async throws -> Bool {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("UPDATE backend_requests SET user_id = NULL WHERE user_id = \(userId)", logger: logger)
            let deleted = try await connection.query("DELETE FROM users WHERE id = \(userId) RETURNING id", logger: logger).collect()
            try await Self.announceChange(of: userId, on: connection, logger: logger)
            return !deleted.isEmpty
        }
    }
}

extension PostgresUserStore {
    /// Runs a call within the timeout, with the client's error (or `DeadlineExceeded`) kept inside the port's.
    private func wrapped<T: Sendable>(_ call: @escaping @Sendable () async throws -> T) async throws(UserStoreError) -> T {
        do { return try await withDeadline(timeout, operation: call) } catch { throw .unavailable(error) }
    }

    /// The channel on which a committed consent change or erasure names its user.
    public static let profileChangeChannel = "sessionrank_profile_changes"

    /// Queues a notification naming the user; PostgreSQL delivers it when the transaction commits
    /// and drops it on rollback. The payload is the id itself: listeners are our own replicas,
    /// on the same database that holds the id anyway (payloads are limited to 8,000 bytes; ids are far shorter).
    static func announceChange(of userId: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_notify(\(profileChangeChannel), \(userId))", logger: logger).collect()
    }
}

enum PostgresUserStoreError: Error {
    case noRowReturned
}
