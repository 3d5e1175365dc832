/// What the storefront reports a visitor did. The wire names are the raw values.
public enum StorefrontEventType: String, CaseIterable, Sendable, Codable {
    case pageView = "page_view"
    case productView = "product_view"
    case impression
    case click
    case addToCart = "add_to_cart"
    case removeFromCart = "remove_from_cart"
    case purchase
    case search
    case scroll
    case dwell

    /// Types that are about one product and so must name it.
    var requiresItem: Bool {
        switch self {
        case .productView, .click, .addToCart, .removeFromCart, .purchase: true
        case .pageView, .impression, .search, .scroll, .dwell: false
        }
    }
}

/// Where the event happened.
public struct EventContext: Sendable, Equatable, Codable {
    public var page: String?
    public var device: String?
    public var region: String?
    public var entryPoint: String?
    public var referrer: String?

    public init(page: String? = nil, device: String? = nil, region: String? = nil, entryPoint: String? = nil, referrer: String? = nil) {
        self.page = page
        self.device = device
        self.region = region
        self.entryPoint = entryPoint
        self.referrer = referrer
    }
}

/// A behaviour event that passed validation.
public struct StorefrontEvent: Sendable, Equatable, Codable {
    public var eventId: String
    public var type: StorefrontEventType
    public var sessionId: String
    public var deviceId: String?
    public var userId: String?
    public var requestId: String?
    public var itemId: String?
    public var recommendationId: String?
    /// 1-based position of the item in the recommendation it came from.
    public var position: Int?
    /// Seconds since the Unix epoch; the receive time when the client sent none.
    public var timestamp: Double
    public var dwellMilliseconds: Int?
    /// Share of the page scrolled, 0…1.
    public var scrollDepth: Double?
    public var query: String?
    public var context: EventContext

    public init(
        eventId: String, type: StorefrontEventType, sessionId: String, deviceId: String? = nil, userId: String? = nil,
        requestId: String? = nil, itemId: String? = nil, recommendationId: String? = nil, position: Int? = nil,
        timestamp: Double, dwellMilliseconds: Int? = nil, scrollDepth: Double? = nil, query: String? = nil,
        context: EventContext = EventContext()
    ) {
        self.eventId = eventId
        self.type = type
        self.sessionId = sessionId
        self.deviceId = deviceId
        self.userId = userId
        self.requestId = requestId
        self.itemId = itemId
        self.recommendationId = recommendationId
        self.position = position
        self.timestamp = timestamp
        self.dwellMilliseconds = dwellMilliseconds
        self.scrollDepth = scrollDepth
        self.query = query
        self.context = context
    }
}

/// Why one event of a request was refused.
public struct EventRejection: Sendable, Equatable, Codable {
    /// Position of the event in the batch, 0-based.
    public var index: Int
    /// The offending field, e.g. `timestamp` or `context.region`.
    public var field: String
    public var message: String
}
