import Foundation

/// What is published to the `events` topic for each accepted event (JSON, schema 1).
/// Birth dates never leave the service: the profile travels as an age band.
public struct EventRecord: Codable, Sendable, Equatable {
    public struct Enrichment: Codable, Sendable, Equatable {
        public var status: EnrichedEvent.Status
        public var channel: String?
        public var campaign: String?
        public var requestPage: String?
        public var ageBand: String?
        public var userRegion: String?
        public var kycStatus: String?
        public var segment: String?
        public var riskFlags: [String]?
    }

    public var schema = 1
    public var eventId: String
    public var type: StorefrontEventType
    /// The session id, or its pseudonym when the session may not be personalised.
    public var sessionId: String
    public var deviceId: String?
    public var userId: String?
    public var requestId: String?
    public var itemId: String?
    public var recommendationId: String?
    public var position: Int?
    public var timestamp: Double
    public var receivedAt: Double
    public var dwellMs: Int?
    public var scrollDepth: Double?
    public var query: String?
    public var context: EventContext
    public var region: String?
    /// False when the user has not consented to personalisation (or its look-up did not finish):
    /// ids are pseudonyms then, and the record carries no requestId, referrer, query, request or
    /// profile fields.
    public var personalized: Bool
    /// False when the user has not consented to analytics: downstream analytics must skip the
    /// record, and it carries no profile fields (age band, region, KYC, segment, risk flags).
    /// Absent (nil) in records written before the field existed: read as false.
    public var analytics: Bool?
    public var enrichment: Enrichment

    public init(_ enriched: EnrichedEvent, personalized: Bool, receivedAt: Double, pseudonymizer: Pseudonymizer) {
        let event = enriched.event
        let hide: (String?) -> String? = { id in personalized ? id : id.map(pseudonymizer.pseudonym(for:)) }
        let analytics = enriched.mayAnalyse
        let profile = personalized && analytics ? enriched.profile : nil
        let request = personalized ? enriched.request : nil
        eventId = event.eventId
        type = event.type
        sessionId = hide(event.sessionId)!
        deviceId = hide(event.deviceId)
        userId = hide(enriched.userId)
        requestId = personalized ? event.requestId : nil
        itemId = event.itemId
        recommendationId = event.recommendationId
        position = event.position
        timestamp = event.timestamp
        self.receivedAt = receivedAt
        dwellMs = event.dwellMilliseconds
        scrollDepth = event.scrollDepth
        query = personalized ? event.query : nil
        var context = event.context
        if !personalized { context.referrer = nil }
        self.context = context
        region = personalized ? enriched.region : event.context.region
        self.personalized = personalized
        self.analytics = analytics
        enrichment = Enrichment(
            status: enriched.status,
            channel: request?.channel,
            campaign: request?.campaign,
            requestPage: request?.page,
            ageBand: profile?.age(at: Date(timeIntervalSince1970: event.timestamp)).map(Self.ageBand),
            userRegion: profile?.region,
            kycStatus: profile?.kycStatus,
            segment: profile?.segment,
            riskFlags: profile?.riskFlags
        )
    }

    static func ageBand(_ age: Int) -> String {
        switch age {
        case ..<16: "under-16"
        case 16..<18: "16-17"
        case 18..<25: "18-24"
        case 25..<35: "25-34"
        case 35..<50: "35-49"
        case 50..<65: "50-64"
        default: "65+"
        }
    }
}

/// Sends event records to the log. Never blocks: a full local queue is an error the caller
/// turns into 503 + Retry-After.
public protocol EventPublisher: Sendable {
    /// Whether `count` more messages fit in the local queue, with a margin for concurrent requests.
    func hasRoom(for count: Int) -> Bool
    /// Hands the records to the log in order; on failure, says how many went before it.
    /// `onDelivery` later gets each handed-over record's index and whether the broker acknowledged
    /// it: once per record, on a thread of the log's client, so it must not block.
    func publish(_ records: [EventRecord], onDelivery: @escaping @Sendable (_ index: Int, _ delivered: Bool) -> Void) throws(PublishFailure)
}

public struct PublishQueueFull: Error, CustomStringConvertible, Sendable {
    public init() {}

    public var description: String { "the local Kafka queue is full" }
}

/// Publishing stopped part-way: the first `publishedCount` records were handed over, the rest not.
public struct PublishFailure: Error, CustomStringConvertible, Sendable {
    public var publishedCount: Int
    public var cause: any Error

    public init(publishedCount: Int, cause: any Error) {
        self.publishedCount = publishedCount
        self.cause = cause
    }

    public var description: String { "\(cause) (after \(publishedCount) record(s) were handed over)" }
}
