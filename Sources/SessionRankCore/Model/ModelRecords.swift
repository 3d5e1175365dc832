import Foundation
import Recommender

/// Turns records of topic `events` into what the engine learns.
package enum ModelEventMapper {
    /// nil for records the model does not learn from: pseudonymised (no consent), without an
    /// item, or of a type that says nothing about interest in an item.
    static func modelEvent(_ record: EventRecord) -> ModelEvent? {
        modelEvent(EventSummary(record))
    }

    package static func modelEvent(_ record: EventSummary) -> ModelEvent? {
        guard record.personalized, let itemId = record.itemId, !itemId.isEmpty else { return nil }
        let type: EventType
        switch record.type {
        case .productView, .click: type = .view
        case .addToCart: type = .addToCart
        case .purchase: type = .purchase
        default: return nil
        }
        return ModelEvent(sessionId: record.sessionId, itemId: itemId, type: type, timestamp: record.timestamp, region: record.region)
    }
}

/// Joins served lists with the clicks, carts and purchases that follow them, for the ranker.
///
/// Bounded: at most `capacity` served lists wait, each for `window` seconds of log time (the
/// served record's time); the oldest go first. A list becomes an example on its first positive;
/// later positives on other items of the same list add one-item examples. Lists that never get
/// a positive are dropped, so the ranker learns from lists with at least one positive only.
/// Not snapshotted: after a restart, feedback on lists served before it is not matched.
package struct FeedbackJoiner {
    private struct Pending {
        /// The parsed list, or its JSON until the first feedback on it needs it parsed.
        var record: ServedRecord?
        var body: [UInt8]?
        var positives: Set<String> = []
    }

    let capacity: Int
    let window: Double
    private var pending: [String: Pending] = [:]
    /// Recommendation ids in arrival order, for expiry.
    private var order: [(id: String, servedAt: Double)] = []
    private var orderStart = 0

    package init(capacity: Int = 20_000, window: Double = 1_800) {
        self.capacity = capacity
        self.window = window
    }

    package var waiting: Int { pending.count }

    package mutating func add(_ served: ServedRecord) {
        add(ServedSummary(recommendationId: served.recommendationId, servedAt: served.servedAt, personalized: served.personalized),
            pending: Pending(record: served))
    }

    /// Queues a served list by its summary; the JSON body is parsed only if feedback arrives.
    package mutating func add(_ summary: ServedSummary, body: [UInt8]) {
        add(summary, pending: Pending(body: body))
    }

    private mutating func add(_ summary: ServedSummary, pending entry: Pending) {
        guard summary.personalized, pending[summary.recommendationId] == nil else { return }
        pending[summary.recommendationId] = entry
        order.append((summary.recommendationId, summary.servedAt))
        expire(now: summary.servedAt)
    }

    /// The example to learn from, if this feedback is a new positive on a waiting list.
    package mutating func example(for feedback: FeedbackRecord) -> FeedbackExample? {
        let clicked: Bool
        switch feedback.type {
        case .click, .addToCart: clicked = true
        case .purchase: clicked = false
        case .impression, .dismiss: return nil
        }
        guard let itemId = feedback.itemId, var entry = pending[feedback.recommendationId],
            !entry.positives.contains(itemId)
        else { return nil }
        if entry.record == nil, let body = entry.body {
            entry.record = try? JSONDecoder().decode(ServedRecord.self, from: Data(body))
            entry.body = nil
            pending[feedback.recommendationId] = entry
        }
        guard let record = entry.record else {
            pending[feedback.recommendationId] = nil  // unreadable: nothing to learn from it
            return nil
        }
        guard let example = FeedbackExample.forPositive(
                sessionId: record.sessionId, served: record.items.map { ($0.itemId, $0.features) }, itemId: itemId,
                purchased: !clicked, firstPositive: entry.positives.isEmpty)
        else { return nil }
        entry.positives.insert(itemId)
        pending[feedback.recommendationId] = entry
        return example
    }

    private mutating func expire(now: Double) {
        while orderStart < order.count, pending.count > capacity || order[orderStart].servedAt < now - window {
            pending[order[orderStart].id] = nil
            orderStart += 1
        }
        if orderStart > 1_024, orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }
}
