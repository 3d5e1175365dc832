/// Merchandising rules applied after scoring: boosts and buries, pins, diversity caps and an
/// exploration share. Product teams set them in the ranking config; every field may be omitted.
public struct BusinessRules: Codable, Sendable, Equatable {
    /// Multiplies the score of matching items (> 1 boosts, < 1 buries; 0 is not allowed: use an exclusion).
    public var boosts: [ScoreAdjustment] = []
    /// A matching item is placed at `position` (1-based) when it is eligible and not excluded.
    public var pins: [Pin] = []
    /// At most this many items of one category / brand in a list; nil means no cap.
    public var maxPerCategory: Int?
    public var maxPerBrand: Int?
    /// Items never returned (besides the request's own exclude list).
    public var excludeItems: [String] = []
    public var excludeCategories: [String] = []
    /// Share of the list (0…0.5) filled with candidates from beyond the top, so new and long-tail
    /// items get feedback. The picks are deterministic per recommendation id.
    public var explorationShare = 0.0

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        boosts = try c.decodeIfPresent([ScoreAdjustment].self, forKey: .boosts) ?? []
        pins = try c.decodeIfPresent([Pin].self, forKey: .pins) ?? []
        maxPerCategory = try c.decodeIfPresent(Int.self, forKey: .maxPerCategory)
        maxPerBrand = try c.decodeIfPresent(Int.self, forKey: .maxPerBrand)
        excludeItems = try c.decodeIfPresent([String].self, forKey: .excludeItems) ?? []
        excludeCategories = try c.decodeIfPresent([String].self, forKey: .excludeCategories) ?? []
        explorationShare = try c.decodeIfPresent(Double.self, forKey: .explorationShare) ?? 0
    }

    /// Problems as `field: message`, empty when the rules are valid.
    public func validationErrors(prefix: String = "rules") -> [String] {
        var errors: [String] = []
        for (index, boost) in boosts.enumerated() {
            let field = "\(prefix).boosts[\(index)]"
            if boost.match.isEmpty { errors.append("\(field): must name at least one of category, brand, item, priceBand") }
            if !(boost.factor > 0 && boost.factor <= 100) { errors.append("\(field).factor: must be greater than 0 and at most 100") }
            // A misspelt band would never match, so the boost would silently do nothing.
            if let band = boost.match.priceBand, !PriceBands.names.contains(band) {
                errors.append("\(field).priceBand: must be one of \(PriceBands.names.joined(separator: ", ")); got \"\(band)\"")
            }
        }
        for (index, pin) in pins.enumerated() where !(1...100).contains(pin.position) {
            errors.append("\(prefix).pins[\(index)].position: must be from 1 to 100")
        }
        if let cap = maxPerCategory, cap < 1 { errors.append("\(prefix).maxPerCategory: must be at least 1, or left out") }
        if let cap = maxPerBrand, cap < 1 { errors.append("\(prefix).maxPerBrand: must be at least 1, or left out") }
        if !(0...0.5).contains(explorationShare) { errors.append("\(prefix).explorationShare: must be from 0 to 0.5") }
        return errors
    }
}

/// Which items a rule applies to. Every given field must match.
public struct ItemMatch: Codable, Sendable, Equatable {
    public var category: String?
    public var brand: String?
    public var item: String?
    /// low, mid, high or premium (see `PriceBands`).
    public var priceBand: String?

    public init(category: String? = nil, brand: String? = nil, item: String? = nil, priceBand: String? = nil) {
        self.category = category
        self.brand = brand
        self.item = item
        self.priceBand = priceBand
    }

    public var isEmpty: Bool { category == nil && brand == nil && item == nil && priceBand == nil }

    func matches(_ itemId: String, _ attributes: ItemAttributes?, priceBands: PriceBands) -> Bool {
        if let item, item != itemId { return false }
        if let category, attributes?.category != category { return false }
        if let brand, attributes?.brand != brand { return false }
        if let priceBand {
            guard let price = attributes?.price, priceBands.band(for: price) == priceBand else { return false }
        }
        return !isEmpty
    }
}

public struct ScoreAdjustment: Codable, Sendable, Equatable {
    public var match: ItemMatch
    public var factor: Double

    public init(match: ItemMatch, factor: Double) {
        self.match = match
        self.factor = factor
    }

    // Flat in YAML: `{category: shoes, factor: 1.5}`.
    public init(from decoder: any Decoder) throws {
        match = try ItemMatch(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        factor = try c.decode(Double.self, forKey: .factor)
    }

    public func encode(to encoder: any Encoder) throws {
        try match.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(factor, forKey: .factor)
    }

    private enum CodingKeys: String, CodingKey { case factor }
}

public struct Pin: Codable, Sendable, Equatable {
    public var item: String
    public var position: Int

    public init(item: String, position: Int) {
        self.item = item
        self.position = position
    }
}

/// A scored item on its way through the rules.
public struct RuledItem: Sendable, Equatable {
    public var itemId: String
    public var score: Double
    public var components: ScoreComponents?
    /// The ranker's inputs, kept so served records can carry them for learning.
    public var features: RankingFeatures?
    /// Why the item is in the list: nil for ranked, or "pinned", "exploration".
    public var placement: String?

    public init(
        itemId: String, score: Double, components: ScoreComponents? = nil, features: RankingFeatures? = nil, placement: String? = nil
    ) {
        self.itemId = itemId
        self.score = score
        self.components = components
        self.features = features
        self.placement = placement
    }
}

/// Applies `BusinessRules` to a ranked, already compliance-filtered candidate list.
public struct BusinessRuleApplier: Sendable {
    public var rules: BusinessRules
    public var priceBands: PriceBands

    public init(rules: BusinessRules, priceBands: PriceBands = .default) {
        self.rules = rules
        self.priceBands = priceBands
    }

    public struct Outcome: Sendable, Equatable {
        public var items: [RuledItem]
        /// Candidates a rule removed, with the rule id (`excluded_item`, `excluded_category`,
        /// `diversity_category`, `diversity_brand`).
        public var removed: [(itemId: String, rule: String)]

        public static func == (a: Outcome, b: Outcome) -> Bool {
            a.items == b.items && a.removed.map(\.itemId) == b.removed.map(\.itemId) && a.removed.map(\.rule) == b.removed.map(\.rule)
        }
    }

    /// - Parameters:
    ///   - candidates: best first.
    ///   - attributes: the catalog's view of an item.
    ///   - isEligible: whether a pinned item that is not among the candidates may be shown (compliance, stock).
    ///   - seed: makes exploration picks repeatable (e.g. a hash of the recommendation id).
    public func apply(
        _ candidates: [RuledItem], limit: Int, attributes: (String) -> ItemAttributes?, isEligible: (String) -> Bool, seed: UInt64
    ) -> Outcome {
        var removed: [(itemId: String, rule: String)] = []
        let excludedItems = Set(rules.excludeItems)
        let excludedCategories = Set(rules.excludeCategories)

        // Boosts and buries change scores, then the order. Only indices and scores move here:
        // a candidate carries its features and is copied once, into the answer.
        var kept: [Int] = []
        var scores: [Double] = []
        var keptAttributes: [ItemAttributes?] = []
        kept.reserveCapacity(candidates.count)
        scores.reserveCapacity(candidates.count)
        keptAttributes.reserveCapacity(candidates.count)
        for (index, candidate) in candidates.enumerated() {
            let attrs = attributes(candidate.itemId)
            if excludedItems.contains(candidate.itemId) {
                removed.append((candidate.itemId, "excluded_item"))
                continue
            }
            if let category = attrs?.category, excludedCategories.contains(category) {
                removed.append((candidate.itemId, "excluded_category"))
                continue
            }
            var score = candidate.score
            for boost in rules.boosts where boost.match.matches(candidate.itemId, attrs, priceBands: priceBands) {
                score *= boost.factor
            }
            kept.append(index)
            scores.append(score)
            keptAttributes.append(attrs)
        }
        // Stable for equal scores: keeps the engine's order.
        let order = kept.indices.sorted { a, b in scores[a] != scores[b] ? scores[a] > scores[b] : a < b }

        let pinnedIds = Set(rules.pins.map(\.item))
        let explorationSlots = min(Int((Double(limit) * rules.explorationShare).rounded()), limit)
        let rankedSlots = max(limit - explorationSlots, 0)

        // Diversity caps, filling ranked slots first and keeping the rest as the exploration pool.
        var perCategory: [String: Int] = [:]
        var perBrand: [String: Int] = [:]
        var chosen: [RuledItem] = []
        chosen.reserveCapacity(limit)
        var pool: [(item: RuledItem, attributes: ItemAttributes?)] = []
        func admit(_ attrs: ItemAttributes?) -> String? {
            if let cap = rules.maxPerCategory, let category = attrs?.category, perCategory[category, default: 0] >= cap {
                return "diversity_category"
            }
            if let cap = rules.maxPerBrand, let brand = attrs?.brand, perBrand[brand, default: 0] >= cap { return "diversity_brand" }
            if let category = attrs?.category { perCategory[category, default: 0] += 1 }
            if let brand = attrs?.brand { perBrand[brand, default: 0] += 1 }
            return nil
        }
        func rescored(_ position: Int) -> RuledItem {
            var item = candidates[kept[position]]
            item.score = scores[position]
            return item
        }
        for position in order where !pinnedIds.contains(candidates[kept[position]].itemId) {
            if chosen.count < rankedSlots {
                if let rule = admit(keptAttributes[position]) {
                    removed.append((candidates[kept[position]].itemId, rule))
                } else {
                    chosen.append(rescored(position))
                }
            } else if explorationSlots > 0 {
                pool.append((rescored(position), keptAttributes[position]))
            } else {
                break  // the list is full and nothing is explored: the rest can change nothing
            }
        }

        // Exploration: deterministic picks from beyond the top, appended after the ranked slots.
        var random = SeededGenerator(seed: seed)
        var explored = 0
        while explored < explorationSlots, !pool.isEmpty {
            let index = Int(random.next() % UInt64(pool.count))
            let (picked, attrs) = pool.remove(at: index)
            var item = picked
            if admit(attrs) == nil {
                item.placement = "exploration"
                chosen.append(item)
                explored += 1
            }
        }

        // Pins last, so they land exactly where asked (clamped to the list's end).
        for pin in rules.pins.sorted(by: { $0.position < $1.position }) {
            guard isEligible(pin.item) else { continue }
            let existing = candidates.first { $0.itemId == pin.item }
            if let index = chosen.firstIndex(where: { $0.itemId == pin.item }) { chosen.remove(at: index) }
            var item = existing ?? RuledItem(itemId: pin.item, score: 0)
            item.placement = "pinned"
            chosen.insert(item, at: min(pin.position - 1, chosen.count))
        }
        if chosen.count > limit {
            // Pins pushed ranked items past the end; the lowest unpinned ones go.
            while chosen.count > limit, let last = chosen.lastIndex(where: { $0.placement != "pinned" }) { chosen.remove(at: last) }
        }
        return Outcome(items: Array(chosen.prefix(limit)), removed: removed)
    }
}
