/// Query-time ranking knobs. Every field has a documented default and may be omitted when
/// decoding (YAML/JSON written by hand), so `{}` decodes to `RankingConfig.default`.
/// Defaults of the blend were tuned on serenade-example valid.tsv (see models/README.md).
public struct RankingConfig: Codable, Sendable, Equatable {
    public var knn = KNNSettings()
    public var sequence = SequenceSettings()
    public var association = AssociationSettings()
    public var candidates = CandidateSettings()
    public var weights = BlendWeights()
    public var ranker = RankerSettings()
    public var exclusion = ExclusionSettings()

    public init() {}
    public static let `default` = RankingConfig()

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        knn = try c.decodeIfPresent(KNNSettings.self, forKey: .knn) ?? KNNSettings()
        sequence = try c.decodeIfPresent(SequenceSettings.self, forKey: .sequence) ?? SequenceSettings()
        association = try c.decodeIfPresent(AssociationSettings.self, forKey: .association) ?? AssociationSettings()
        candidates = try c.decodeIfPresent(CandidateSettings.self, forKey: .candidates) ?? CandidateSettings()
        weights = try c.decodeIfPresent(BlendWeights.self, forKey: .weights) ?? BlendWeights()
        ranker = try c.decodeIfPresent(RankerSettings.self, forKey: .ranker) ?? RankerSettings()
        exclusion = try c.decodeIfPresent(ExclusionSettings.self, forKey: .exclusion) ?? ExclusionSettings()
    }
}

/// VMIS-kNN query parameters.
public struct KNNSettings: Codable, Sendable, Equatable {
    /// m: how many of the most recent sessions sharing an item with the current session are
    /// considered (capped by `ModelParameters.maxSessionsPerItem`).
    public var sampleSize = 217
    /// k: how many of those, the most similar, vote for items.
    public var neighbours = 54
    /// How many of the most recent distinct session items take part (0 = all).
    public var sessionItems = 3
    /// Item score = Σ similarity × (1 + idfWeight × ln(sessions / sessions containing item)).
    public var idfWeight = 0.3574861461830455
    /// A neighbour's vote is divided by step^matchDecay, step = how far back (1 = newest) the
    /// newest session item it shares is; 0 turns this off.
    public var matchDecay = 1.0
    /// Within a neighbour session, an item d positions away from the newest item it shares
    /// with the current session votes × positionDecay^d (items next to the match matter
    /// more; the idea of STAN, Garg et al. 2019). 1 turns this off.
    public var positionDecay = 0.7561539297923383

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = KNNSettings()
        sampleSize = try c.decodeIfPresent(Int.self, forKey: .sampleSize) ?? d.sampleSize
        neighbours = try c.decodeIfPresent(Int.self, forKey: .neighbours) ?? d.neighbours
        sessionItems = try c.decodeIfPresent(Int.self, forKey: .sessionItems) ?? d.sessionItems
        idfWeight = try c.decodeIfPresent(Double.self, forKey: .idfWeight) ?? d.idfWeight
        matchDecay = try c.decodeIfPresent(Double.self, forKey: .matchDecay) ?? d.matchDecay
        positionDecay = try c.decodeIfPresent(Double.self, forKey: .positionDecay) ?? d.positionDecay
    }
}

/// Sequential-transition, co-visitation and "recently seen" query parameters.
public struct SequenceSettings: Codable, Sendable, Equatable {
    /// How many of the most recent session events feed transitions/co-visitation (weight 1/step).
    public var sessionItems = 1
    /// Per step back in the session, the "recent" source multiplies its score by this.
    public var recencyDecay = 0.7

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SequenceSettings()
        sessionItems = try c.decodeIfPresent(Int.self, forKey: .sessionItems) ?? d.sessionItems
        recencyDecay = try c.decodeIfPresent(Double.self, forKey: .recencyDecay) ?? d.recencyDecay
    }
}

/// Thresholds for "bought together" rules a→b (baskets = sessions with a purchase).
public struct AssociationSettings: Codable, Sendable, Equatable {
    /// Minimum number of baskets containing both a and b.
    public var minSupport = 2
    /// Minimum P(b | a).
    public var minConfidence = 0.05
    /// Minimum P(b | a) / P(b).
    public var minLift = 1.0

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AssociationSettings()
        minSupport = try c.decodeIfPresent(Int.self, forKey: .minSupport) ?? d.minSupport
        minConfidence = try c.decodeIfPresent(Double.self, forKey: .minConfidence) ?? d.minConfidence
        minLift = try c.decodeIfPresent(Double.self, forKey: .minLift) ?? d.minLift
    }
}

/// How many candidates each source contributes and how many ranked items are returned.
public struct CandidateSettings: Codable, Sendable, Equatable {
    /// Top candidates taken from each source before blending. On serenade valid.tsv every value
    /// from 30 to 200 scores the same and 20 loses (models/README.md); 40 keeps a step of margin.
    public var perSource = 40
    /// At least this many items are returned (when available), even when the request asks for
    /// fewer, so compliance filters and business rules downstream can drop some.
    public var minimumReturned = 50

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = CandidateSettings()
        perSource = try c.decodeIfPresent(Int.self, forKey: .perSource) ?? d.perSource
        minimumReturned = try c.decodeIfPresent(Int.self, forKey: .minimumReturned) ?? d.minimumReturned
    }
}

/// Weights of the fallback blend: final = Σ weight × (source score / best score of that source
/// among the candidates). A weight of 0 switches the source off (and skips its work).
public struct BlendWeights: Codable, Sendable, Equatable {
    public var knn = 1.0
    public var transition = 0.2665564215771462
    public var covisitation = 0.0792480953721717
    public var association = 0.2
    public var popularity = 0.0016322631710771057
    public var regionalPopularity = 0.02
    public var interest = 0.2
    public var recent = 1.360314885846749

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = BlendWeights()
        knn = try c.decodeIfPresent(Double.self, forKey: .knn) ?? d.knn
        transition = try c.decodeIfPresent(Double.self, forKey: .transition) ?? d.transition
        covisitation = try c.decodeIfPresent(Double.self, forKey: .covisitation) ?? d.covisitation
        association = try c.decodeIfPresent(Double.self, forKey: .association) ?? d.association
        popularity = try c.decodeIfPresent(Double.self, forKey: .popularity) ?? d.popularity
        regionalPopularity = try c.decodeIfPresent(Double.self, forKey: .regionalPopularity) ?? d.regionalPopularity
        interest = try c.decodeIfPresent(Double.self, forKey: .interest) ?? d.interest
        recent = try c.decodeIfPresent(Double.self, forKey: .recent) ?? d.recent
    }
}

/// The online-learned ranker (logistic regression, FTRL-Proximal).
public struct RankerSettings: Codable, Sendable, Equatable {
    /// Use the ranker's score once it has seen `minFeedback` positive examples.
    public var enabled = true
    /// FTRL α (per-coordinate learning rate scale).
    public var learningRate = 0.1
    /// FTRL β (smooths the learning rate early on).
    public var beta = 1.0
    public var l1 = 0.5
    public var l2 = 1.0
    /// Positive (clicked or bought) examples required before the ranker replaces the blend.
    public var minFeedback = 500

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = RankerSettings()
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? d.enabled
        learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? d.learningRate
        beta = try c.decodeIfPresent(Double.self, forKey: .beta) ?? d.beta
        l1 = try c.decodeIfPresent(Double.self, forKey: .l1) ?? d.l1
        l2 = try c.decodeIfPresent(Double.self, forKey: .l2) ?? d.l2
        minFeedback = try c.decodeIfPresent(Int.self, forKey: .minFeedback) ?? d.minFeedback
    }
}

/// Which items never come back (the request's own exclude set always applies).
public struct ExclusionSettings: Codable, Sendable, Equatable {
    public var excludePurchased = true
    public var excludeInCart = true
    /// Off by default: in click data a third of next items are re-visits.
    public var excludeSeen = false
    /// The newest session item (the product on screen): in click data the next item almost
    /// never repeats the current one (36 of 89,848 transitions in serenade train.tsv).
    public var excludeCurrent = true

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ExclusionSettings()
        excludePurchased = try c.decodeIfPresent(Bool.self, forKey: .excludePurchased) ?? d.excludePurchased
        excludeInCart = try c.decodeIfPresent(Bool.self, forKey: .excludeInCart) ?? d.excludeInCart
        excludeSeen = try c.decodeIfPresent(Bool.self, forKey: .excludeSeen) ?? d.excludeSeen
        excludeCurrent = try c.decodeIfPresent(Bool.self, forKey: .excludeCurrent) ?? d.excludeCurrent
    }
}
