import Foundation

/// The ranker's inputs for one (session, candidate, context). Carried in `RankedItem` and sent
/// back in `FeedbackExample`, so learning uses exactly what was seen at serving time.
/// `features.knn` and the like read through to `scores`.
@dynamicMemberLookup
public struct RankingFeatures: Codable, Sendable, Equatable {
    /// Normalised source scores (0…1) and the blend.
    public var scores = SourceScores()
    /// Per attribute kind, the share of the session's interest in that kind that falls on the
    /// item's value: e.g. 0.8 when 80 % of the interest in categories is on the item's category.
    /// Unlike `interest` (all keys pooled), these let the ranker weigh category, brand and
    /// price band separately. 0 without attributes or interest of that kind.
    public var categoryAffinity = 0.0
    public var brandAffinity = 0.0
    public var priceBandAffinity = 0.0
    /// |ln(item price / session's median price)|; nil when either is unknown.
    public var priceDistance: Double?
    /// The item is already in the current session.
    public var seen = false
    public var device: String?
    public var pageType: String?
    public var hour: Int?

    public init() {}

    public subscript<Value>(dynamicMember score: WritableKeyPath<SourceScores, Value>) -> Value {
        get { scores[keyPath: score] }
        set { scores[keyPath: score] = newValue }
    }

    private enum CodingKeys: String, CodingKey {
        case categoryAffinity, brandAffinity, priceBandAffinity, priceDistance, seen, device, pageType, hour
    }

    /// Every field may be missing (served records written before a feature existed decode with its default).
    public init(from decoder: any Decoder) throws {
        scores = try SourceScores(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func number(_ key: CodingKeys) throws -> Double { try c.decodeIfPresent(Double.self, forKey: key) ?? 0 }
        categoryAffinity = try number(.categoryAffinity); brandAffinity = try number(.brandAffinity)
        priceBandAffinity = try number(.priceBandAffinity)
        priceDistance = try c.decodeIfPresent(Double.self, forKey: .priceDistance)
        seen = try c.decodeIfPresent(Bool.self, forKey: .seen) ?? false
        device = try c.decodeIfPresent(String.self, forKey: .device)
        pageType = try c.decodeIfPresent(String.self, forKey: .pageType)
        hour = try c.decodeIfPresent(Int.self, forKey: .hour)
    }

    public func encode(to encoder: any Encoder) throws {
        try scores.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(categoryAffinity, forKey: .categoryAffinity)
        try c.encode(brandAffinity, forKey: .brandAffinity)
        try c.encode(priceBandAffinity, forKey: .priceBandAffinity)
        try c.encodeIfPresent(priceDistance, forKey: .priceDistance)
        try c.encode(seen, forKey: .seen)
        try c.encodeIfPresent(device, forKey: .device)
        try c.encodeIfPresent(pageType, forKey: .pageType)
        try c.encodeIfPresent(hour, forKey: .hour)
    }
}

/// Turns `RankingFeatures` into a sparse vector for logistic regression: fixed slots for the
/// numeric features, and hashed one-hot slots (stable FNV hash) for the categorical ones.
enum FeatureEncoder {
    static let dimension = 256
    private static let firstHashedSlot = 16

    /// `position` (1-based) only when learning: a shown item's position enters as ln(position)
    /// and (position − 1) / 10, so examination falling like 1/k or like a constant factor per
    /// slot are both expressible. Serving leaves it out, which is position 1 for every candidate.
    static func encode(_ f: RankingFeatures, position: Int? = nil) -> [(index: Int, value: Double)] {
        var x: [(index: Int, value: Double)] = []
        x.reserveCapacity(20)
        forEachTerm(f, context: ContextSlots(device: f.device, pageType: f.pageType, hour: f.hour), position: position) {
            x.append(($0, $1))
        }
        return x
    }

    /// The hashed slots of a request's context: the same for every candidate, so serving
    /// hashes them once per request instead of once per candidate.
    struct ContextSlots {
        var device: Int?
        var page: Int?
        var hour: Int?

        init(device: String?, pageType: String?, hour: Int?) {
            self.device = device.map { hashedSlot("device=\($0)") }
            self.page = pageType.map { hashedSlot("page=\($0)") }
            self.hour = hour.map { hashedSlot("hour=\($0)") }
        }
    }

    /// The sparse terms of `f`, in a fixed order; `encode` and the ranker's serving path both
    /// read them from here, so learning and serving cannot drift apart. `context` must be the
    /// slots of `f`'s own device, page type and hour.
    @inline(__always)
    static func forEachTerm(_ f: RankingFeatures, context: ContextSlots, position: Int?, _ body: (Int, Double) -> Void) {
        body(0, 1)  // bias
        let s = f.scores
        body(1, s.knn); body(2, s.transition); body(3, s.covisitation); body(4, s.association)
        body(5, s.popularity); body(6, s.regionalPopularity); body(7, s.interest); body(8, s.recent); body(9, s.blend)
        body(10, f.seen ? 1 : 0)
        if f.categoryAffinity != 0 { body(13, f.categoryAffinity) }
        if f.brandAffinity != 0 { body(14, f.brandAffinity) }
        if f.priceBandAffinity != 0 { body(15, f.priceBandAffinity) }
        if let distance = f.priceDistance {
            body(11, min(distance, 5))
        } else {
            body(12, 1)  // price relation unknown
        }
        if let slot = context.device { body(slot, 1) }
        if let slot = context.page { body(slot, 1) }
        if let slot = context.hour { body(slot, 1) }
        if let position, position > 1 {
            body(positionLogSlot, log(Double(position)))
            body(positionLinearSlot, Double(position - 1) / 10)
        }
    }

    // Hashed like the categorical names; chosen so they share no bucket with device, page type or hour.
    static let positionLogSlot = hashedSlot("position.log")
    static let positionLinearSlot = hashedSlot("position.linear")

    static func hashedSlot(_ name: String) -> Int {
        firstHashedSlot + Int(StableHash.fnv1a(name) % UInt64(dimension - firstHashedSlot))
    }

    /// Median known price of the session's items, the centre of its price band.
    static func sessionPrice(items: [Int32], attributes: AttributeIndex) -> Double? {
        let prices = items.compactMap { attributes.price(of: $0) }.filter { $0 > 0 }.sorted()
        guard !prices.isEmpty else { return nil }
        return prices[prices.count / 2]
    }

    static func priceDistance(itemPrice: Double?, sessionPrice: Double?) -> Double? {
        guard let itemPrice, let sessionPrice, itemPrice > 0, sessionPrice > 0 else { return nil }
        return abs(log(itemPrice / sessionPrice))
    }
}
