import Foundation

/// `POST /admin/v1/replay`: a draft ranking config and how much of the recent log to judge it on.
public struct ReplayRequest: Decodable, Sendable {
    /// The draft ranking config, YAML text (as for preview).
    public var draft: String
    /// How many of the newest sessions to replay.
    public var sessions: Int?
    /// How far back the log is read, in hours.
    public var hours: Int?
    /// The placement both configs rank for (its `placements:` override applies).
    public var placement: String?

    public static let defaultSessions = 2_000
    public static let maxSessions = 20_000
    public static let maxHours = 24

    public init(draft: String, sessions: Int? = nil, hours: Int? = nil, placement: String? = nil) {
        self.draft = draft
        self.sessions = sessions
        self.hours = hours
        self.placement = placement
    }

    /// The request with its defaults filled in, or a 400 naming the field and what is allowed.
    public func plan(draft policy: RankingPolicy, live: RankingPolicy, now: Date = Date()) throws(APIError) -> ReplayPlan {
        let sessions = self.sessions ?? Self.defaultSessions
        guard (1...Self.maxSessions).contains(sessions) else {
            throw APIError(
                status: .badRequest, code: "invalid_field", field: "sessions",
                message: "must be a whole number from 1 to \(Self.maxSessions) (default \(Self.defaultSessions))")
        }
        let hours = self.hours ?? Self.maxHours
        guard (1...Self.maxHours).contains(hours) else {
            throw APIError(
                status: .badRequest, code: "invalid_field", field: "hours",
                message: "must be a whole number from 1 to \(Self.maxHours) (default \(Self.maxHours))")
        }
        let placementName = placement ?? Placement.product.rawValue
        guard let placement = Placement(rawValue: placementName) else {
            throw APIError(
                status: .badRequest, code: "invalid_field", field: "placement",
                message: "must be one of \(Placement.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return ReplayPlan(
            sessions: sessions, since: now.timeIntervalSince1970 - Double(hours) * 3_600,
            until: now.timeIntervalSince1970 + ReplayPlan.clockSkewAllowance, hours: hours, placement: placement,
            live: live, draft: policy)
    }
}

/// A validated replay: what to read and the two configs to compare.
public struct ReplayPlan: Sendable {
    public var sessions: Int
    /// Seconds since the epoch; older events are not replayed.
    public var since: Double
    /// Now, plus the clock skew `/v1/events` allows a storefront (`events.maxFutureSkewSeconds`'
    /// default): later event times are not the recent past.
    public var until: Double
    public static let clockSkewAllowance = 300.0
    public var hours: Int
    public var placement: Placement
    public var live: RankingPolicy
    public var draft: RankingPolicy
}
