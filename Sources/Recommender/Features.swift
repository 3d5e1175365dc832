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
    /// |ln(item price / session's median price)|; nil when either is unknown.
    public var priceDistance: Double?
    /// The item is already in the current session.
    public var seen = false
    public var device: String?
    public var pageType: String?
    public var hour: Int?

    public init() {}
}

/// Turns `RankingFeatures` into a sparse vector for logistic regression: fixed slots for the
/// numeric features, and hashed one-hot slots (stable FNV hash) for the categorical ones.
enum FeatureEncoder {
    static let dimension = 256
    private static let firstHashedSlot = 16

    static func encode(_ f: RankingFeatures) -> [(index: Int, value: Double)] {
        var x: [(index: Int, value: Double)] = [
            (0, 1),  // bias
            (1, f.knn), (2, f.transition), (3, f.covisitation), (4, f.association),
            (5, f.popularity), (6, f.regionalPopularity), (7, f.interest), (8, f.recent), (9, f.blend),
            (10, f.seen ? 1 : 0),
        ]
        if let distance = f.priceDistance {
            x.append((11, min(distance, 5)))
        } else {
            x.append((12, 1))  // price relation unknown
        }
        if let device = f.device { x.append((hashedSlot("device=\(device)"), 1)) }
        if let page = f.pageType { x.append((hashedSlot("page=\(page)"), 1)) }
        if let hour = f.hour { x.append((hashedSlot("hour=\(hour)"), 1)) }
        return x
    }

    private static func hashedSlot(_ name: String) -> Int {
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
