/// The kind of a behaviour event. Extensible (a struct, not an enum) so the server can pass
/// event types the engine does not know yet; unknown types count like a view.
public struct EventType: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let view = EventType("view")
    public static let click = EventType("click")
    public static let addToCart = EventType("add_to_cart")
    public static let purchase = EventType("purchase")

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// One behaviour event the model learns from, in log order.
public struct ModelEvent: Codable, Sendable, Equatable {
    public var sessionId: String
    public var itemId: String
    public var type: EventType
    /// Seconds since the Unix epoch.
    public var timestamp: Double
    public var region: String?

    public init(sessionId: String, itemId: String, type: EventType = .view, timestamp: Double, region: String? = nil) {
        self.sessionId = sessionId
        self.itemId = itemId
        self.type = type
        self.timestamp = timestamp
        self.region = region
    }
}
