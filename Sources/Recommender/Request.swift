/// One item of the current session, as the server keeps it (oldest first in a request).
public struct SessionItem: Codable, Sendable, Equatable {
    public var itemId: String
    public var type: EventType
    public var timestamp: Double?

    public init(itemId: String, type: EventType = .view, timestamp: Double? = nil) {
        self.itemId = itemId
        self.type = type
        self.timestamp = timestamp
    }
}

/// Device, page and time of the page view being served.
public struct RequestContext: Codable, Sendable, Equatable {
    public var region: String?
    public var device: String?
    public var pageType: String?
    /// Local hour of day 0…23.
    public var hour: Int?

    public init(region: String? = nil, device: String? = nil, pageType: String? = nil, hour: Int? = nil) {
        self.region = region
        self.device = device
        self.pageType = pageType
        self.hour = hour
    }
}

/// Everything the engine needs to rank for one page view. The session state comes from the
/// server's store (Redis); the engine keeps no per-request state.
public struct RecommendationRequest: Codable, Sendable, Equatable {
    /// Lets the kNN skip the session itself when the model has already learned its events.
    public var sessionId: String?
    /// Recent items of the session, oldest → newest.
    public var recentItems: [SessionItem]
    /// Sparse interest vector: "category:shoes" → decayed weight.
    public var interests: [String: Double]
    public var purchasedItems: [String]
    public var cartItems: [String]
    public var context: RequestContext
    /// Never returned.
    public var exclude: Set<String>
    /// Wanted items; at least `RankingConfig.candidates.minimumReturned` come back when available.
    public var limit: Int

    public init(
        sessionId: String? = nil, recentItems: [SessionItem] = [], interests: [String: Double] = [:],
        purchasedItems: [String] = [], cartItems: [String] = [], context: RequestContext = RequestContext(),
        exclude: Set<String> = [], limit: Int = 20
    ) {
        self.sessionId = sessionId
        self.recentItems = recentItems
        self.interests = interests
        self.purchasedItems = purchasedItems
        self.cartItems = cartItems
        self.context = context
        self.exclude = exclude
        self.limit = limit
    }
}

/// Where a candidate came from.
public enum CandidateSource: String, Codable, Sendable, CaseIterable {
    case knn, transition, covisitation, association, popularity, regionalPopularity, interest, recent

    var ordinal: Int {
        switch self {
        case .knn: 0
        case .transition: 1
        case .covisitation: 2
        case .association: 3
        case .popularity: 4
        case .regionalPopularity: 5
        case .interest: 6
        case .recent: 7
        }
    }

    var bit: UInt16 { 1 << UInt16(ordinal) }
}

/// Per-source scores of one candidate (each normalised to 0…1 by the best candidate of that
/// source) and their blend: what both the served score components and the ranker's features
/// start from. Encodes flat (`{"knn": …, …, "blend": …}`) into its owner's JSON object.
public struct SourceScores: Codable, Sendable, Equatable {
    public var knn = 0.0
    public var transition = 0.0
    public var covisitation = 0.0
    public var association = 0.0
    public var popularity = 0.0
    public var regionalPopularity = 0.0
    public var interest = 0.0
    public var recent = 0.0
    public var blend = 0.0

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case knn, transition, covisitation, association, popularity, regionalPopularity, interest, recent, blend
    }

    /// Every score may be missing (served records written before a source existed decode with 0).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func number(_ key: CodingKeys) throws -> Double { try c.decodeIfPresent(Double.self, forKey: key) ?? 0 }
        knn = try number(.knn); transition = try number(.transition); covisitation = try number(.covisitation)
        association = try number(.association); popularity = try number(.popularity)
        regionalPopularity = try number(.regionalPopularity); interest = try number(.interest); recent = try number(.recent)
        blend = try number(.blend)
    }

    subscript(source: CandidateSource) -> Double {
        get {
            switch source {
            case .knn: knn
            case .transition: transition
            case .covisitation: covisitation
            case .association: association
            case .popularity: popularity
            case .regionalPopularity: regionalPopularity
            case .interest: interest
            case .recent: recent
            }
        }
        set {
            switch source {
            case .knn: knn = newValue
            case .transition: transition = newValue
            case .covisitation: covisitation = newValue
            case .association: association = newValue
            case .popularity: popularity = newValue
            case .regionalPopularity: regionalPopularity = newValue
            case .interest: interest = newValue
            case .recent: recent = newValue
            }
        }
    }
}

/// The source scores of one candidate, the ranker's probability when it was used, and the
/// final score. `components.knn` and the like read through to `scores`.
@dynamicMemberLookup
public struct ScoreComponents: Codable, Sendable, Equatable {
    public var scores = SourceScores()
    public var ranker: Double?
    public var final = 0.0

    public init() {}

    public subscript<Value>(dynamicMember score: WritableKeyPath<SourceScores, Value>) -> Value {
        get { scores[keyPath: score] }
        set { scores[keyPath: score] = newValue }
    }

    subscript(source: CandidateSource) -> Double {
        get { scores[source] }
        set { scores[source] = newValue }
    }

    private enum CodingKeys: String, CodingKey { case ranker, final }

    public init(from decoder: any Decoder) throws {
        scores = try SourceScores(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ranker = try c.decodeIfPresent(Double.self, forKey: .ranker)
        final = try c.decode(Double.self, forKey: .final)
    }

    public func encode(to encoder: any Encoder) throws {
        try scores.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(ranker, forKey: .ranker)
        try c.encode(final, forKey: .final)
    }

    /// Flat view for explanations and logs.
    public var dictionary: [String: Double] {
        var result: [String: Double] = [:]
        for source in CandidateSource.allCases { result[source.rawValue] = self[source] }
        result["blend"] = scores.blend
        if let ranker { result["ranker"] = ranker }
        result["final"] = final
        return result
    }
}

/// One recommended item.
public struct RankedItem: Codable, Sendable, Equatable {
    public var itemId: String
    public var score: Double
    public var components: ScoreComponents
    /// Sources that nominated the item, in `CandidateSource` order.
    public var sources: [CandidateSource]
    /// The ranker's inputs; send them back in `FeedbackExample` so learning needs no recomputation.
    public var features: RankingFeatures

    public init(itemId: String, score: Double, components: ScoreComponents, sources: [CandidateSource], features: RankingFeatures) {
        self.itemId = itemId
        self.score = score
        self.components = components
        self.sources = sources
        self.features = features
    }
}

/// "We served this list, and this is what happened": one training example per served item.
public struct FeedbackExample: Codable, Sendable, Equatable {
    public struct ServedItem: Codable, Sendable, Equatable {
        public var itemId: String
        public var features: RankingFeatures
        public var clicked: Bool
        public var purchased: Bool
        /// Where the item was shown, 1-based; nil when unknown. Learned as a feature so the
        /// ranker credits the top slots' extra attention to the position, not to the features
        /// of whatever was placed there; at serving time every candidate counts as position 1.
        public var position: Int?

        public init(itemId: String, features: RankingFeatures, clicked: Bool = false, purchased: Bool = false, position: Int? = nil) {
            self.itemId = itemId
            self.features = features
            self.clicked = clicked
            self.purchased = purchased
            self.position = position
        }
    }

    public var sessionId: String
    public var served: [ServedItem]

    public init(sessionId: String, served: [ServedItem]) {
        self.sessionId = sessionId
        self.served = served
    }

    /// What one positive (click, add to cart, purchase) on a served list teaches the ranker,
    /// the rule the service's feedback join applies: the list's first positive turns the whole
    /// list into an example (the other items as negatives); a later positive on another item
    /// adds that item alone (its list-mates were already learned as negatives). Items without
    /// features (placed by a rule, not scored) are left out. nil when `itemId` is not in the list.
    public static func forPositive(
        sessionId: String, served: [(itemId: String, features: RankingFeatures?)], itemId: String, purchased: Bool, firstPositive: Bool
    ) -> FeedbackExample? {
        // Positions are the list order (1-based), as shown.
        let positioned = served.enumerated().map { (position: $0.offset + 1, item: $0.element) }
        guard let positive = positioned.first(where: { $0.item.itemId == itemId }), positive.item.features != nil else { return nil }
        let learned = firstPositive ? positioned : [positive]
        return FeedbackExample(
            sessionId: sessionId,
            served: learned.compactMap { candidate in
                candidate.item.features.map { features in
                    let isPositive = candidate.item.itemId == itemId
                    return ServedItem(
                        itemId: candidate.item.itemId, features: features, clicked: isPositive && !purchased, purchased: isPositive && purchased,
                        position: candidate.position)
                }
            })
    }

    /// Builds the example from a served list and the ids that were clicked / bought.
    public init(sessionId: String, served: [RankedItem], clicked: Set<String>, purchased: Set<String> = []) {
        self.sessionId = sessionId
        self.served = served.enumerated().map { index, item in
            ServedItem(
                itemId: item.itemId, features: item.features, clicked: clicked.contains(item.itemId), purchased: purchased.contains(item.itemId),
                position: index + 1)
        }
    }
}
