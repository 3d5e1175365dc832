/// What the engine knows about one product. Every field is optional: the serenade click data
/// has no attributes at all and the engine must work without them.
public struct ItemAttributes: Codable, Sendable, Equatable {
    public var category: String?
    public var brand: String?
    public var price: Double?
    /// Further attributes, e.g. ["colour": "red"]; each becomes the interest key "colour:red".
    public var extra: [String: String]

    public init(category: String? = nil, brand: String? = nil, price: Double? = nil, extra: [String: String] = [:]) {
        self.category = category
        self.brand = brand
        self.price = price
        self.extra = extra
    }

    /// The interest-vector keys this item contributes to, in a fixed order:
    /// "category:<c>", "brand:<b>", "price:<band>", then "<key>:<value>" for extras sorted by key.
    /// The server must build session interest vectors with the same keys.
    public func interestKeys(priceBands: PriceBands = .default) -> [String] {
        var keys: [String] = []
        if let category { keys.append("category:\(category)") }
        if let brand { keys.append("brand:\(brand)") }
        if let price { keys.append("price:\(priceBands.band(for: price))") }
        for key in extra.keys.sorted() { keys.append("\(key):\(extra[key]!)") }
        return keys
    }
}

/// Named price bands used in interest keys ("price:low" …). Upper bounds are exclusive.
public struct PriceBands: Codable, Sendable, Equatable {
    public var lowBelow: Double
    public var midBelow: Double
    public var highBelow: Double

    public init(lowBelow: Double = 25, midBelow: Double = 100, highBelow: Double = 500) {
        self.lowBelow = lowBelow
        self.midBelow = midBelow
        self.highBelow = highBelow
    }

    public static let `default` = PriceBands()

    /// What `band(for:)` answers, cheapest first.
    public static let names = ["low", "mid", "high", "premium"]

    public func band(for price: Double) -> String {
        if price < lowBelow { return "low" }
        if price < midBelow { return "mid" }
        if price < highBelow { return "high" }
        return "premium"
    }
}

/// Item id → attributes, as handed over by the server (from PostgreSQL or a catalogue feed).
public struct ItemCatalog: Codable, Sendable, Equatable {
    public var items: [String: ItemAttributes]

    public init(items: [String: ItemAttributes] = [:]) { self.items = items }

    public subscript(itemId: String) -> ItemAttributes? {
        get { items[itemId] }
        set { items[itemId] = newValue }
    }
}
