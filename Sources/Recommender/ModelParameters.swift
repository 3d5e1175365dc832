/// Hyper-parameters fixed when the model learns (they shape what is stored). Saved in every
/// snapshot. Query-time knobs live in `RankingConfig` instead.
public struct ModelParameters: Codable, Sendable, Equatable {
    /// Capacity of each item's list of most recent sessions (upper bound for the query-time m).
    public var maxSessionsPerItem: Int = 1000
    /// Sessions whose last event is older than this (relative to the newest event seen) leave
    /// the kNN index, which bounds memory.
    public var sessionWindowSeconds: Double = 30 * 86_400
    /// At most this many sessions stay in the kNN index; past it the oldest created leave first.
    /// Bounds memory whatever the storefront sends (about 1 KB per session of 20 items).
    public var maxLiveSessions: Int = 1_000_000
    /// At most this many distinct items are learned; events of further new items are ignored
    /// and counted (`Stats.eventsIgnored`). The service learns catalogue items only anyway.
    public var maxItems: Int = 2_000_000
    /// Distinct items remembered per session for neighbour scoring.
    public var maxItemsPerSession: Int = 100
    /// Sequential transitions a→b are counted for b up to this many steps after a (weight 1/step).
    public var transitionWindow: Int = 3
    /// Co-visitation pairs are counted for items up to this many steps apart (both directions).
    public var covisitationWindow: Int = 5
    /// Per item, at most this many neighbours are kept in transition/co-visitation/pair tables;
    /// the weakest quarter is pruned when the cap is exceeded.
    public var maxNeighboursPerItem: Int = 500
    /// Half-life of the time-decayed popularity counts.
    public var popularityHalfLifeSeconds: Double = 2 * 86_400
    /// How many of the most popular items are tracked as popularity candidates.
    public var popularCandidates: Int = 200
    /// Weight of one event per type in popularity counts; unknown types weigh like a view.
    public var eventWeights: [String: Double] = [
        EventType.view.rawValue: 1, EventType.click.rawValue: 1.5,
        EventType.addToCart.rawValue: 3, EventType.purchase.rawValue: 5,
    ]
    /// Price band boundaries used for "price:<band>" interest keys.
    public var priceBands: PriceBands = .default
    /// Readers see new events after at most this many writes (or an explicit `publish()`).
    public var publishEvery: Int = 1

    public init() {}

    public static let `default` = ModelParameters()

    func weight(of type: EventType) -> Double {
        eventWeights[type.rawValue] ?? eventWeights[EventType.view.rawValue] ?? 1
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ModelParameters()
        maxSessionsPerItem = try c.decodeIfPresent(Int.self, forKey: .maxSessionsPerItem) ?? d.maxSessionsPerItem
        sessionWindowSeconds = try c.decodeIfPresent(Double.self, forKey: .sessionWindowSeconds) ?? d.sessionWindowSeconds
        maxLiveSessions = try c.decodeIfPresent(Int.self, forKey: .maxLiveSessions) ?? d.maxLiveSessions
        maxItems = try c.decodeIfPresent(Int.self, forKey: .maxItems) ?? d.maxItems
        maxItemsPerSession = try c.decodeIfPresent(Int.self, forKey: .maxItemsPerSession) ?? d.maxItemsPerSession
        transitionWindow = try c.decodeIfPresent(Int.self, forKey: .transitionWindow) ?? d.transitionWindow
        covisitationWindow = try c.decodeIfPresent(Int.self, forKey: .covisitationWindow) ?? d.covisitationWindow
        maxNeighboursPerItem = try c.decodeIfPresent(Int.self, forKey: .maxNeighboursPerItem) ?? d.maxNeighboursPerItem
        popularityHalfLifeSeconds = try c.decodeIfPresent(Double.self, forKey: .popularityHalfLifeSeconds) ?? d.popularityHalfLifeSeconds
        popularCandidates = try c.decodeIfPresent(Int.self, forKey: .popularCandidates) ?? d.popularCandidates
        eventWeights = try c.decodeIfPresent([String: Double].self, forKey: .eventWeights) ?? d.eventWeights
        priceBands = try c.decodeIfPresent(PriceBands.self, forKey: .priceBands) ?? d.priceBands
        publishEvery = try c.decodeIfPresent(Int.self, forKey: .publishEvery) ?? d.publishEvery
    }
}
