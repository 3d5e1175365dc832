import Foundation
import Recommender

/// `POST /admin/v1/preview`: one session, or a list of viewed items, ranked under the live
/// config and under a draft, side by side. Reads the session but records and publishes nothing.
public struct PreviewRequest: Decodable, Sendable {
    public var sessionId: String?
    public var items: [String]?
    public var userId: String?
    public var placement: String?
    public var limit: Int?
    public var context: EventContext?
    public var draft: String

    /// A preview ranks either a stored session or a list of items.
    package func requireOneSource() throws(APIError) {
        guard (sessionId == nil) != (items == nil) else {
            throw APIError(status: .badRequest, code: "invalid_field", field: "sessionId", message: "give exactly one of sessionId or items")
        }
    }
}

public struct PreviewResponse: Encodable, Sendable {
    public struct Side: Encodable, Sendable {
        public var configVersion: String
        public var items: [String]
        /// Everything compliance or the rules withheld under this config.
        public var removed: [RecommendationResponse.Removed]
    }

    public struct Row: Encodable, Sendable {
        public var itemId: String
        public var liveRank: Int?
        public var draftRank: Int?
        /// Positive: the draft moves the item up; nil when it is in only one list.
        public var rankChange: Int?
        public var liveScore: Double?
        public var draftScore: Double?
        public var liveComponents: ScoreComponents?
        public var draftComponents: ScoreComponents?
        /// Why the draft dropped an item the live config shows, when a rule removed it.
        public var draftRemovedBy: String?
    }

    public var live: Side
    public var draft: Side
    public var rows: [Row]
    /// What the draft removed that the live config did not.
    public var removedByDraft: [RecommendationResponse.Removed]
    public var personalized: Bool
    public var modelEmpty: Bool
}

extension RecommendationService {
    public func preview(_ preview: PreviewRequest, draft: RankingPolicy, now: Date = Date()) async throws(APIError) -> PreviewResponse {
        try preview.requireOneSource()
        let limit = preview.limit ?? settings.defaultLimit
        guard (1...settings.maxLimit).contains(limit) else {
            throw APIError(status: .badRequest, code: "invalid_field", field: "limit", message: "must be from 1 to \(settings.maxLimit)")
        }
        let placement = try Placement(rawValue: preview.placement ?? "home").orThrow(
            APIError(status: .badRequest, code: "invalid_field", field: "placement",
                     message: "must be one of \(Placement.allCases.map(\.rawValue).joined(separator: ", "))"))
        let items = preview.items ?? []
        guard items.count <= 200 else {
            throw APIError(status: .badRequest, code: "invalid_field", field: "items", message: "must hold at most 200 item ids")
        }

        let visitor = await enricher.visitor(
            userId: preview.userId, requestId: nil, budget: .milliseconds(settings.profileTimeoutMilliseconds))
        let personalized = visitor.userId == nil || (visitor.profile?.mayPersonalize ?? false)
        var session = SessionState.empty(preview.sessionId ?? "preview")
        if let sessionId = preview.sessionId, personalized, case .success(let state) = await readSession(sessionId) {
            session = state
        }
        let context = preview.context ?? EventContext()
        let region = context.region ?? visitor.profile?.region ?? session.region
        var request = RecommendationRequest(
            sessionId: preview.sessionId,
            recentItems: session.recentItems.map { SessionItem(itemId: $0.itemId, type: EventType($0.type), timestamp: $0.timestamp) }
                + items.map { SessionItem(itemId: $0, type: .view, timestamp: now.timeIntervalSince1970) },
            interests: session.interests(at: now.timeIntervalSince1970, halfLifeSeconds: sessionSettings.interestHalfLifeSeconds),
            purchasedItems: session.purchasedItems, cartItems: session.cartItems,
            context: RequestContext(
                region: region, device: context.device, pageType: placement.rawValue,
                hour: Calendar(identifier: .gregorian).component(.hour, from: now)),
            exclude: [], limit: RecommendationService.candidateCount(forLimit: limit))
        if !personalized { request.interests = [:] }

        let gate = compliance.context(profile: visitor.profile, userId: visitor.userId, region: region, now: now)
        let snapshot = catalog.snapshot
        // One seed for both sides, so exploration picks alike and only the config differs.
        let seed = stableHash(preview.sessionId ?? items.joined(separator: ","))
        // Both sides as this session and placement would see them: its variant, then the placement override.
        let variantKey = preview.sessionId ?? items.joined(separator: ",")
        let live = self.policy.current.assign(variantKey).policy.forPlacement(placement.rawValue)
        let drafted = draft.assign(variantKey).policy.forPlacement(placement.rawValue)
        let liveRanking = rank(request, currentItem: items.last, limit: limit, gate: gate, snapshot: snapshot, policy: live, seed: seed)
        let draftRanking = rank(request, currentItem: items.last, limit: limit, gate: gate, snapshot: snapshot, policy: drafted, seed: seed)
        return Self.compare(live: (live, liveRanking), draft: (drafted, draftRanking), personalized: personalized)
    }

    static func compare(live: (RankingPolicy, Ranking), draft: (RankingPolicy, Ranking), personalized: Bool) -> PreviewResponse {
        let liveItems = live.1.outcome.items
        let draftItems = draft.1.outcome.items
        let liveIndex = Dictionary(liveItems.enumerated().map { ($1.itemId, $0) }, uniquingKeysWith: { a, _ in a })
        let draftIndex = Dictionary(draftItems.enumerated().map { ($1.itemId, $0) }, uniquingKeysWith: { a, _ in a })
        let draftRemoved = Dictionary(draft.1.removed.map { ($0.itemId, $0.rule) }, uniquingKeysWith: { a, _ in a })
        var order = draftItems.map(\.itemId)
        order += liveItems.map(\.itemId).filter { draftIndex[$0] == nil }
        let rows = order.map { id -> PreviewResponse.Row in
            let l = liveIndex[id]
            let d = draftIndex[id]
            return PreviewResponse.Row(
                itemId: id, liveRank: l.map { $0 + 1 }, draftRank: d.map { $0 + 1 },
                rankChange: l.flatMap { l in d.map { l - $0 } },
                liveScore: l.map { liveItems[$0].score }, draftScore: d.map { draftItems[$0].score },
                liveComponents: l.flatMap { liveItems[$0].components }, draftComponents: d.flatMap { draftItems[$0].components },
                draftRemovedBy: d == nil ? draftRemoved[id] : nil)
        }
        let liveRemoved = Set(live.1.removed.map { "\($0.itemId)\u{0}\($0.rule)" })
        return PreviewResponse(
            live: .init(configVersion: live.0.version, items: liveItems.map(\.itemId), removed: live.1.removed),
            draft: .init(configVersion: draft.0.version, items: draftItems.map(\.itemId), removed: draft.1.removed),
            rows: rows,
            removedByDraft: draft.1.removed.filter { !liveRemoved.contains("\($0.itemId)\u{0}\($0.rule)") },
            personalized: personalized, modelEmpty: live.1.modelEmpty)
    }
}

extension Optional {
    fileprivate func orThrow(_ error: APIError) throws(APIError) -> Wrapped {
        guard let self else { throw error }
        return self
    }
}
