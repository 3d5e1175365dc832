/// Item attributes turned into interest keys, and the affinity between a session's interest
/// vector and an item: the share of the session's (positive) interest mass that falls on the
/// item's keys, so 0…1. An item without attributes has affinity 0.
struct AttributeIndex: Sendable {
    private(set) var keysByItem = ChunkedArray<[String]>(filler: [])
    private(set) var priceByItem = ChunkedArray<Double>(filler: .nan)
    /// key → items with that key, in interning order (for interest candidates).
    private(set) var itemsByKey: [String: [Int32]] = [:]
    private(set) var attributesByItem = ChunkedArray<ItemAttributes?>(filler: nil)

    mutating func set(_ attributes: ItemAttributes, for item: Int32, priceBands: PriceBands) {
        let index = Int(item)
        keysByItem.ensureIndex(index)
        priceByItem.ensureIndex(index)
        attributesByItem.ensureIndex(index)
        for key in keysByItem[index] { itemsByKey[key]?.removeAll { $0 == item } }
        let keys = attributes.interestKeys(priceBands: priceBands)
        keysByItem[index] = keys
        priceByItem[index] = attributes.price ?? .nan
        attributesByItem[index] = attributes
        // Sorted by index, so the lists do not depend on the order of catalogue updates
        // (a restored snapshot rebuilds exactly the same lists).
        for key in keys {
            var list = itemsByKey[key, default: []]
            let position = list.firstIndex { $0 > item } ?? list.count
            list.insert(item, at: position)
            itemsByKey[key] = list
        }
    }

    func attributes(of item: Int32) -> ItemAttributes? { attributesByItem.value(at: Int(item)) }

    func price(of item: Int32) -> Double? {
        let price = priceByItem.value(at: Int(item))
        return price.isNaN ? nil : price
    }

    static func affinity(interests: [String: Double], positiveMass: Double, keys: [String]) -> Double {
        guard positiveMass > 0 else { return 0 }
        var matched = 0.0
        for key in keys { matched += max(0, interests[key] ?? 0) }
        return matched / positiveMass
    }

    func affinity(of item: Int32, interests: [String: Double], positiveMass: Double) -> Double {
        Self.affinity(interests: interests, positiveMass: positiveMass, keys: keysByItem.value(at: Int(item)))
    }

    /// The attribute kinds that get their own ranker feature, by interest-key prefix.
    enum Kind: Int, CaseIterable {
        case category, brand, priceBand

        var prefix: String {
            switch self {
            case .category: "category:"
            case .brand: "brand:"
            case .priceBand: "price:"
            }
        }
    }

    /// Positive interest mass per kind, once per request.
    static func massByKind(interests: [String: Double]) -> [Double] {
        var mass = [Double](repeating: 0, count: Kind.allCases.count)
        for (key, value) in interests where value > 0 {
            for kind in Kind.allCases where key.hasPrefix(kind.prefix) { mass[kind.rawValue] += value }
        }
        return mass
    }

    /// Per kind, the share of the session's interest in that kind on the item's value (0…1).
    func affinityByKind(of item: Int32, interests: [String: Double], massByKind: [Double]) -> [Double] {
        var shares = [Double](repeating: 0, count: Kind.allCases.count)
        for key in keysByItem.value(at: Int(item)) {
            for kind in Kind.allCases where massByKind[kind.rawValue] > 0 && key.hasPrefix(kind.prefix) {
                shares[kind.rawValue] += max(0, interests[key] ?? 0) / massByKind[kind.rawValue]
            }
        }
        return shares
    }

    /// Candidates for the strongest interest keys: up to `perKey` items of each of the top 3 keys.
    func interestCandidates(interests: [String: Double], perKey: Int) -> [Int32] {
        let strongest = interests.filter { $0.value > 0 }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3)
        var result: [Int32] = []
        for (key, _) in strongest { result.append(contentsOf: (itemsByKey[key] ?? []).prefix(perKey)) }
        return result
    }
}
