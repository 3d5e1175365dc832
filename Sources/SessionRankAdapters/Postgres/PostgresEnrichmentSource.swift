import Logging
import PostgresNIO
import SessionRankCore

/// The `ProfileSource` port in PostgreSQL: requests and users, both in one parameterised query.
public struct PostgresEnrichmentSource: ProfileSource {
    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public func lookUp(requestIds: [String], userIds: [String]) async throws(SourceUnavailable)
        -> (requests: [String: BackendRequest], users: [String: UserProfile])
    {
        do { return try await query(requestIds: requestIds, userIds: userIds) } catch { throw SourceUnavailable(error) }
    }

    private func query(requestIds: [String], userIds: [String]) async throws -> (requests: [String: BackendRequest], users: [String: UserProfile]) {
        guard !requestIds.isEmpty || !userIds.isEmpty else { return ([:], [:]) }
        // Users named by the events, plus the users the requests point at.
        let rows = try await client.query(
            """
            WITH r AS (
                SELECT request_id, user_id, session_id, channel, device, page, campaign, region
                FROM backend_requests WHERE request_id = ANY(\(requestIds))
            ), wanted AS (
                SELECT unnest(\(userIds)::text[]) AS id UNION SELECT user_id FROM r WHERE user_id IS NOT NULL
            )
            SELECT 'r', r.request_id, r.user_id, r.session_id, r.channel, r.device, r.page, r.campaign, r.region,
                   NULL::text, NULL::text[], NULL::text, NULL::boolean, NULL::boolean
            FROM r
            UNION ALL
            SELECT 'u', u.id, NULL, NULL, NULL, NULL, NULL, NULL, u.region,
                   u.birth_date::text, u.risk_flags, u.kyc_status || '|' || coalesce(u.segment, ''),
                   u.consent_personalization, u.consent_analytics
            FROM users u JOIN wanted USING (id)
            """,
            logger: logger
        )
        var requests: [String: BackendRequest] = [:]
        var users: [String: UserProfile] = [:]
        for try await row in rows {
            let (kind, id, userId, sessionId, channel, device, page, campaign, region, birthDate, riskFlags, kycAndSegment, personalization, analytics) =
                try row.decode((String, String, String?, String?, String?, String?, String?, String?, String?, String?, [String]?, String?, Bool?, Bool?).self)
            if kind == "r" {
                requests[id] = BackendRequest(
                    requestId: id, userId: userId, sessionId: sessionId, channel: channel, device: device, page: page,
                    campaign: campaign, region: region)
            } else {
                let parts = (kycAndSegment ?? "unknown|").split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
                users[id] = UserProfile(
                    userId: id, birthDate: birthDate, region: region, kycStatus: String(parts[0]), riskFlags: riskFlags ?? [],
                    segment: parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : nil,
                    consentPersonalization: personalization, consentAnalytics: analytics)
            }
        }
        return (requests, users)
    }
}
