import Foundation
import Recommender

/// Published to topic `feedback` for every answered /v1/recommend (JSON, schema 1): what was
/// served, so that clicks and purchases can later be joined to it and the ranker can learn
/// from the features it saw, without recomputing them.
public struct ServedRecord: Codable, Sendable, Equatable {
    public struct Item: Codable, Sendable, Equatable {
        public var itemId: String
        /// 1-based.
        public var position: Int
        public var score: Double
        /// nil for ranked items; "pinned" or "exploration" otherwise.
        public var placement: String?
        /// The ranker's inputs for this item; absent for items the engine did not score.
        public var features: RankingFeatures?
    }

    public var schema = 1
    public var kind = "served"
    public var recommendationId: String
    /// Pseudonymised when the visitor may not be personalised.
    public var sessionId: String
    public var personalized: Bool
    public var placement: String
    public var items: [Item]
    public var modelVersion: String
    public var configVersion: String
    public var variant: String
    /// The running experiment, when the variant is one of its variants.
    public var experiment: String? = nil
    public var degraded: Bool
    public var latencyMicroseconds: Int
    public var servedAt: Double
}

/// Published to topic `feedback` for `POST /v1/feedback` and for every event that names a
/// recommendationId (JSON, schema 1).
public struct FeedbackRecord: Codable, Sendable, Equatable {
    public var schema = 1
    public var kind = "feedback"
    public var recommendationId: String
    /// Pseudonymised unless the recommendation was personalised (see `RecommendationID`).
    public var sessionId: String
    public var type: FeedbackType
    public var itemId: String?
    public var position: Int?
    public var timestamp: Double
    /// `api` (POST /v1/feedback) or `event` (an event carrying the recommendationId).
    public var source: String
    /// False when `sessionId` is a pseudonym. Absent in records written before it existed.
    public var personalized: Bool? = nil

    /// The record for feedback on `recommendationId`, with the session id pseudonymised unless
    /// both the recommendation and the reporting event were personalised: a visitor without
    /// consent gets the same pseudonym in served and feedback records, so they still join.
    public init(
        recommendationId: String, sessionId: String, type: FeedbackType, itemId: String?, position: Int?, timestamp: Double,
        source: String, personalized: Bool = true, pseudonymizer: Pseudonymizer
    ) {
        let personal = personalized && RecommendationID.isPersonalized(recommendationId)
        self.init(
            recommendationId: recommendationId, sessionId: personal ? sessionId : pseudonymizer.pseudonym(for: sessionId), type: type,
            itemId: itemId, position: position, timestamp: timestamp, source: source, personalized: personal)
    }

    public init(
        recommendationId: String, sessionId: String, type: FeedbackType, itemId: String?, position: Int?, timestamp: Double,
        source: String, personalized: Bool? = nil
    ) {
        self.recommendationId = recommendationId
        self.sessionId = sessionId
        self.type = type
        self.itemId = itemId
        self.position = position
        self.timestamp = timestamp
        self.source = source
        self.personalized = personalized
    }
}

/// Recommendation ids carry the consent decision of their answer: `rec-<uuid>` when it was
/// personalised, `rec-np-<uuid>` when not. Feedback quoting the id can then pseudonymise the
/// session like the served record did, on any replica and without a look-up. An id of any
/// other form (not issued by this service) counts as not personalised: the safe side.
public enum RecommendationID {
    public static func make(personalized: Bool) -> String {
        (personalized ? "rec-" : "rec-np-") + RandomIdentifier.uuidString()
    }

    public static func isPersonalized(_ id: String) -> Bool {
        guard id.hasPrefix("rec-"), let uuid = UUID(uuidString: String(id.dropFirst(4))) else { return false }
        return uuid.uuidString.lowercased() == id.dropFirst(4)
    }
}

public enum FeedbackType: String, Codable, Sendable, CaseIterable {
    case impression, click, dismiss
    case addToCart = "add_to_cart"
    case purchase

    /// The feedback an event stands for, when it is on a recommended item.
    init?(event type: StorefrontEventType) {
        switch type {
        case .impression: self = .impression
        case .click: self = .click
        case .addToCart: self = .addToCart
        case .purchase: self = .purchase
        default: return nil
        }
    }
}

/// Where served and feedback records go. Never blocks and never fails the request: a full
/// queue drops the record and counts it (feedback is best-effort; events are not).
public protocol FeedbackPublisher: Sendable {
    func publish(served: ServedRecord)
    func publish(feedback: FeedbackRecord)
}
