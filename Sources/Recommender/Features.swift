import Foundation

/// The ranker's inputs for one (session, candidate, context). Carried in `RankedItem` and sent
/// back in `FeedbackExample`, so learning uses exactly what was seen at serving time.
public struct RankingFeatures: Codable, Sendable, Equatable {
    /// Normalised source scores (0…1) and the blend.
    public var knn = 0.0
    public var transition = 0.0
    public var covisitation = 0.0
    public var association = 0.0
    public var popularity = 0.0
    public var regionalPopularity = 0.0
    public var interest = 0.0
    public var recent = 0.0
    public var blend = 0.0
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

    private enum CodingKeys: String, CodingKey {
        case knn, transition, covisitation, association, popularity, regionalPopularity, interest, recent, blend
        case categoryAffinity, brandAffinity, priceBandAffinity, priceDistance, seen, device, pageType, hour
    }

    /// Every field may be missing (served records written before a feature existed decode with its default).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func number(_ key: CodingKeys) throws -> Double { try c.decodeIfPresent(Double.self, forKey: key) ?? 0 }
        knn = try number(.knn); transition = try number(.transition); covisitation = try number(.covisitation)
        association = try number(.association); popularity = try number(.popularity)
        regionalPopularity = try number(.regionalPopularity); interest = try number(.interest); recent = try number(.recent)
        blend = try number(.blend)
        categoryAffinity = try number(.categoryAffinity); brandAffinity = try number(.brandAffinity)
        priceBandAffinity = try number(.priceBandAffinity)
        priceDistance = try c.decodeIfPresent(Double.self, forKey: .priceDistance)
        seen = try c.decodeIfPresent(Bool.self, forKey: .seen) ?? false
        device = try c.decodeIfPresent(String.self, forKey: .device)
        pageType = try c.decodeIfPresent(String.self, forKey: .pageType)
        hour = try c.decodeIfPresent(Int.self, forKey: .hour)
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
        var x: [(index: Int, value: Double)] = [
            (0, 1),  // bias
            (1, f.knn), (2, f.transition), (3, f.covisitation), (4, f.association),
            (5, f.popularity), (6, f.regionalPopularity), (7, f.interest), (8, f.recent), (9, f.blend),
            (10, f.seen ? 1 : 0),
        ]
        if f.categoryAffinity != 0 { x.append((13, f.categoryAffinity)) }
        if f.brandAffinity != 0 { x.append((14, f.brandAffinity)) }
        if f.priceBandAffinity != 0 { x.append((15, f.priceBandAffinity)) }
        if let distance = f.priceDistance {
            x.append((11, min(distance, 5)))
        } else {
            x.append((12, 1))  // price relation unknown
        }
        if let device = f.device { x.append((hashedSlot("device=\(device)"), 1)) }
        if let page = f.pageType { x.append((hashedSlot("page=\(page)"), 1)) }
        if let hour = f.hour { x.append((hashedSlot("hour=\(hour)"), 1)) }
        if let position, position > 1 {
            x.append((positionLogSlot, log(Double(position))))
            x.append((positionLinearSlot, Double(position - 1) / 10))
        }
        return x
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
