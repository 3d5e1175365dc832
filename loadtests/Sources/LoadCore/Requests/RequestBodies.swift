/// The service's request formats (see the contract in README.md).
public struct EventBody: Sendable {
    public var eventId: String
    public var type: String
    public var sessionId: String
    public var deviceId: String
    public var userId: String?
    public var itemId: String?
    public var recommendationId: String?
    public var position: Int?
    public var device: String
    public var region: String
    public var page: String
    /// RFC 3339 client time (`RFC3339Timestamp`); without it the service uses its receive time.
    public var timestamp: String?

    public init(
        eventId: String, type: String, sessionId: String, deviceId: String, userId: String?, itemId: String?,
        recommendationId: String? = nil, position: Int? = nil, device: String, region: String, page: String = "product",
        timestamp: String? = nil
    ) {
        self.eventId = eventId
        self.type = type
        self.sessionId = sessionId
        self.deviceId = deviceId
        self.userId = userId
        self.itemId = itemId
        self.recommendationId = recommendationId
        self.position = position
        self.device = device
        self.region = region
        self.page = page
        self.timestamp = timestamp
    }

    public var json: String {
        var context = JSONText()
        context.field("page", page)
        context.field("device", device)
        context.field("region", region)
        context.field("entryPoint", "loadtest")
        var body = JSONText()
        body.field("eventId", eventId)
        body.field("type", type)
        body.field("sessionId", sessionId)
        body.field("deviceId", deviceId)
        body.field("userId", userId)
        body.field("itemId", itemId)
        body.field("recommendationId", recommendationId)
        body.field("position", position)
        body.field("timestamp", timestamp)
        body.field("context", raw: context.closed())
        return body.closed()
    }

    /// One event as an object; several as `{"events":[...]}`.
    public static func batch(_ events: [EventBody]) -> String {
        if events.count == 1 { return events[0].json }
        return "{\"events\":[" + events.map(\.json).joined(separator: ",") + "]}"
    }
}

public struct RecommendQuery: Sendable {
    public var sessionId: String
    public var itemId: String?
    public var userId: String?
    public var placement: String
    public var limit: Int
    public var region: String
    public var device: String

    public init(sessionId: String, itemId: String?, userId: String?, placement: String, limit: Int, region: String, device: String) {
        self.sessionId = sessionId
        self.itemId = itemId
        self.userId = userId
        self.placement = placement
        self.limit = limit
        self.region = region
        self.device = device
    }

    /// `/v1/recommend?...` for GET.
    public var uri: String {
        var parts = ["sessionId=" + Self.escape(sessionId)]
        if let itemId { parts.append("itemId=" + Self.escape(itemId)) }
        if let userId { parts.append("userId=" + Self.escape(userId)) }
        parts.append("placement=" + Self.escape(placement))
        parts.append("limit=\(limit)")
        parts.append("region=" + Self.escape(region))
        parts.append("device=" + Self.escape(device))
        return "/v1/recommend?" + parts.joined(separator: "&")
    }

    /// The same fields as a JSON body for POST.
    public var json: String {
        var body = JSONText()
        body.field("sessionId", sessionId)
        body.field("itemId", itemId)
        body.field("userId", userId)
        body.field("placement", placement)
        body.field("limit", limit)
        body.field("region", region)
        body.field("device", device)
        return body.closed()
    }

    /// Percent-encodes everything outside the unreserved set.
    public static func escape(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}

public struct FeedbackBody: Sendable {
    public var recommendationId: String
    public var sessionId: String
    public var type: String
    public var itemId: String

    public init(recommendationId: String, sessionId: String, type: String, itemId: String) {
        self.recommendationId = recommendationId
        self.sessionId = sessionId
        self.type = type
        self.itemId = itemId
    }

    public var json: String {
        var body = JSONText()
        body.field("recommendationId", recommendationId)
        body.field("sessionId", sessionId)
        body.field("type", type)
        body.field("itemId", itemId)
        return body.closed()
    }
}

/// The parts of a `/v1/recommend` answer the harness reads.
public struct RecommendResponse: Decodable, Sendable {
    public struct Item: Decodable, Sendable {
        public var itemId: String
        public var position: Int?
    }

    public var recommendationId: String?
    public var items: [Item]
    public var degraded: Bool?
}
