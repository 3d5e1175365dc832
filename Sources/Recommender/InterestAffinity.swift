/// Item attributes turned into interest keys, and the affinity between a session's interest
/// vector and an item: the share of the session's (positive) interest mass that falls on the
/// item's keys, so 0…1. An item without attributes has affinity 0.
struct AttributeIndex: Sendable {
    private(set) var keysByItem = ChunkedArray<[String]>(filler: [])
    private(set) var priceByItem = ChunkedArray<Double>(filler: .nan)
    /// key → items with that key, in interning order (for interest candidates).
    private(set) var itemsByKey: [String: [Int32]] = [:]
    private(set) var attributesByItem = ChunkedArray<ItemAttributes?>(filler: nil)
    /// Interest keys interned, so ranking reads a request's interests by index instead of
    /// hashing strings for every candidate. An index is never reused; its kind never changes.
    private(set) var keyIndexByName: [String: Int32] = [:]
    private(set) var kindByKeyIndex: [Kind?] = []
    private(set) var keyIndicesByItem = ChunkedArray<[Int32]>(filler: [])

    mutating func set(_ attributes: ItemAttributes, for item: Int32, priceBands: PriceBands) {
        let index = Int(item)
        keysByItem.ensureIndex(index)
        priceByItem.ensureIndex(index)
        attributesByItem.ensureIndex(index)
        keyIndicesByItem.ensureIndex(index)
        for key in keysByItem[index] { itemsByKey[key]?.removeAll { $0 == item } }
        let keys = attributes.interestKeys(priceBands: priceBands)
        keysByItem[index] = keys
        priceByItem[index] = attributes.price ?? .nan
        attributesByItem[index] = attributes
        var indices: [Int32] = []
        for key in keys { indices.append(intern(key)) }
        keyIndicesByItem[index] = indices
        // Sorted by index, so the lists do not depend on the order of catalogue updates
        // (a restored snapshot rebuilds exactly the same lists).
        for key in keys {
            var list = itemsByKey[key, default: []]
            let position = list.firstIndex { $0 > item } ?? list.count
            list.insert(item, at: position)
            itemsByKey[key] = list
        }
    }

    private mutating func intern(_ key: String) -> Int32 {
        if let known = keyIndexByName[key] { return known }
        let next = Int32(kindByKeyIndex.count)
        keyIndexByName[key] = next
        kindByKeyIndex.append(Kind.allCases.first { key.hasPrefix($0.prefix) })
        return next
    }

    func attributes(of item: Int32) -> ItemAttributes? { attributesByItem.value(at: Int(item)) }

    func price(of item: Int32) -> Double? {
        let price = priceByItem.value(at: Int(item))
        return price.isNaN ? nil : price
    }

    /// Share of the session's positive interest mass on the item's keys (0…1).
    func affinity(of item: Int32, interests: InterestVector) -> Double {
        guard interests.positiveMass > 0 else { return 0 }
        var matched = 0.0
        for key in keyIndicesByItem.value(at: Int(item)) { matched += interests.weight(ofKey: key) }
        return matched / interests.positiveMass
    }

    /// The attribute kinds that get their own ranker feature, by interest-key prefix.
    enum Kind: Int, CaseIterable, Sendable {
        case category, brand, priceBand

        var prefix: String {
            switch self {
            case .category: "category:"
            case .brand: "brand:"
            case .priceBand: "price:"
            }
        }
    }

    /// Per kind, the share of the session's interest in that kind on the item's value (0…1).
    func affinityByKind(of item: Int32, interests: InterestVector) -> AffinityByKind {
        var shares = AffinityByKind()
        for key in keyIndicesByItem.value(at: Int(item)) {
            guard let kind = kindByKeyIndex[Int(key)] else { continue }
            let mass = interests.massByKind[kind.rawValue]
            if mass > 0 { shares[kind] += interests.weight(ofKey: key) / mass }
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

/// Per-kind affinity shares of one item.
struct AffinityByKind {
    var category = 0.0
    var brand = 0.0
    var priceBand = 0.0

    subscript(kind: AttributeIndex.Kind) -> Double {
        get {
            switch kind {
            case .category: category
            case .brand: brand
            case .priceBand: priceBand
            }
        }
        set {
            switch kind {
            case .category: category = newValue
            case .brand: brand = newValue
            case .priceBand: priceBand = newValue
            }
        }
    }
}

/// A request's interests resolved once against the interned keys. Masses count every key
/// the session holds, known to the catalogue or not: a share is the part of all the
/// session's interest that falls on the item.
struct InterestVector {
    /// Positive weight by key index; keys the catalogue does not know are left out.
    private var weights: [Double]
    let positiveMass: Double
    /// Positive mass per `AttributeIndex.Kind`, by prefix.
    let massByKind: [Double]

    init(_ interests: [String: Double], keys: AttributeIndex) {
        var weights = [Double](repeating: 0, count: interests.isEmpty ? 0 : keys.kindByKeyIndex.count)
        var total = 0.0
        var byKind = [Double](repeating: 0, count: AttributeIndex.Kind.allCases.count)
        for (key, value) in interests where value > 0 {
            total += value
            if let index = keys.keyIndexByName[key] {
                weights[Int(index)] = value
                if let kind = keys.kindByKeyIndex[Int(index)] { byKind[kind.rawValue] += value }
            } else if let kind = AttributeIndex.Kind.allCases.first(where: { key.hasPrefix($0.prefix) }) {
                byKind[kind.rawValue] += value
            }
        }
        self.weights = weights
        positiveMass = total
        massByKind = byKind
    }

    var isEmpty: Bool { positiveMass <= 0 }

    @inline(__always)
    func weight(ofKey index: Int32) -> Double {
        Int(index) < weights.count ? weights[Int(index)] : 0
    }
}
