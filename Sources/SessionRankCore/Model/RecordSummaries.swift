/// What the model learns from in an event record, whether read from the record's key and
/// headers in the log or from its body.
package struct EventSummary: Equatable {
    package var sessionId: String
    package var type: StorefrontEventType
    package var personalized: Bool
    package var itemId: String?
    package var timestamp: Double
    package var region: String?

    package init(sessionId: String, type: StorefrontEventType, personalized: Bool, itemId: String?, timestamp: Double, region: String?) {
        self.sessionId = sessionId
        self.type = type
        self.personalized = personalized
        self.itemId = itemId
        self.timestamp = timestamp
        self.region = region
    }

    package init(_ record: EventRecord) {
        self.init(
            sessionId: record.sessionId, type: record.type, personalized: record.personalized, itemId: record.itemId,
            timestamp: record.timestamp, region: record.region)
    }
}

/// What the feedback joiner needs to queue a served list.
package struct ServedSummary: Equatable {
    package var recommendationId: String
    package var servedAt: Double
    package var personalized: Bool

    package init(recommendationId: String, servedAt: Double, personalized: Bool) {
        self.recommendationId = recommendationId
        self.servedAt = servedAt
        self.personalized = personalized
    }
}
