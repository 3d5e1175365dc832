import Foundation
import HTTPTypes
import Logging

/// The answer to `POST /v1/events`.
public struct IngestionResult: Codable, Sendable, Equatable {
    public var accepted: Int
    /// Accepted events whose eventId was seen before: acknowledged again, applied once.
    public var duplicates: Int
    public var rejected: [EventRejection]
    /// True when session state could not be updated (Redis down or slow); the events were still published.
    public var degraded: Bool
}

/// Validates, enriches, stores and publishes events. The order matters for "nothing
/// acknowledged is lost": queue room is checked before any state changes, the session update
/// decides what is new, and only new events are published.
public struct EventIngestor: Sendable {
    let decoder: EventBatchDecoder
    let enricher: EventEnricher
    let sessions: any SessionStore
    let publisher: any EventPublisher
    let catalog: ProductCatalog
    let settings: SessionSettings
    let pseudonymizer: Pseudonymizer
    /// Events on a recommended item also become feedback on that recommendation.
    let feedback: any FeedbackPublisher
    let metrics: ServiceMetrics
    let sessionBudget: Duration
    let logger: Logger

    public func ingest(body: Data, now: Double = Date().timeIntervalSince1970) async throws(APIError) -> IngestionResult {
        let outcome = try decoder.decode(body, now: now)
        metrics.eventsRejected.increment(by: Int64(outcome.rejected.count))
        guard !outcome.accepted.isEmpty else {
            throw APIError(
                status: .badRequest, code: "no_valid_events", field: outcome.rejected.first?.field,
                message: outcome.rejected.map { "event \($0.index): \($0.field) \($0.message)" }.joined(separator: "; "))
        }
        return try await ingest(events: outcome.accepted.map(\.event), rejected: outcome.rejected, now: now)
    }

    /// Ingests events that already passed validation (e.g. the page view a recommend call records).
    public func ingest(events: [StorefrontEvent], rejected: [EventRejection] = [], now: Double) async throws(APIError) -> IngestionResult {
        guard publisher.hasRoom(for: events.count) else {
            metrics.eventsShed.increment(by: Int64(events.count))
            throw APIError(
                status: .serviceUnavailable, code: "overloaded", field: nil,
                message: "the event log is backed up; retry after the Retry-After interval",
                headers: [.retryAfter: "2"])
        }

        let enriched = await enricher.enrich(events)
        for event in enriched { metrics.enrichment[event.status]?.increment() }

        // Sessions without consent to personalise are not stored: only counted and published pseudonymised.
        let personalized = enriched.map(mayPersonalize)
        let updates = zip(enriched, personalized).compactMap { event, allowed in allowed ? sessionUpdate(for: event) : nil }
        var isNew = [Bool](repeating: true, count: enriched.count)
        var degraded = false
        if !updates.isEmpty {
            do {
                let sessions = self.sessions
                let applied = try await withDeadline(sessionBudget) { try await sessions.apply(updates) }
                var appliedIndex = 0
                for index in enriched.indices where personalized[index] {
                    isNew[index] = applied[appliedIndex]
                    appliedIndex += 1
                }
            } catch {
                // The log is the source of truth: publish anyway, say so, and count it.
                degraded = true
                metrics.sessionStoreFailures.increment()
                logger.warning("session update failed; events published without session state", metadata: ["error": "\(error)"])
            }
        }

        var records: [EventRecord] = []
        var duplicates = 0
        for (index, event) in enriched.enumerated() {
            guard isNew[index] else {
                duplicates += 1
                continue
            }
            metrics.eventsAccepted[event.event.type]?.increment()
            if !personalized[index] { metrics.eventsUnpersonalized.increment() }
            records.append(EventRecord(event, personalized: personalized[index], receivedAt: now, pseudonymizer: pseudonymizer))
        }
        metrics.eventsDuplicate.increment(by: Int64(duplicates))
        do {
            try publisher.publish(records)
        } catch {
            // Only reachable when concurrent requests filled the margin checked above.
            metrics.eventsShed.increment(by: Int64(records.count))
            logger.error("publishing accepted events failed", metadata: ["error": "\(error)", "events": "\(records.count)"])
            throw APIError(
                status: .serviceUnavailable, code: "overloaded", message: "the event log is backed up; retry after the Retry-After interval",
                headers: [.retryAfter: "2"])
        }
        for record in records {
            guard let recommendationId = record.recommendationId, let type = FeedbackType(event: record.type) else { continue }
            let feedbackRecord = record.personalized
                ? FeedbackRecord(
                    recommendationId: recommendationId, sessionId: record.sessionId, type: type, itemId: record.itemId,
                    position: record.position, timestamp: record.timestamp, source: "event", pseudonymizer: pseudonymizer)
                // Not personalised: the record's session id is a pseudonym already.
                : FeedbackRecord(
                    recommendationId: recommendationId, sessionId: record.sessionId, type: type, itemId: record.itemId,
                    position: record.position, timestamp: record.timestamp, source: "event", personalized: false)
            feedback.publish(feedback: feedbackRecord)
        }
        return IngestionResult(accepted: events.count, duplicates: duplicates, rejected: rejected, degraded: degraded)
    }

    /// Anonymous sessions are personalised (the storefront sends events only under its own
    /// cookie consent); a known user needs an explicit yes. Unknown consent counts as no.
    func mayPersonalize(_ event: EnrichedEvent) -> Bool {
        guard let userId = event.userId else { return true }
        guard let profile = event.profile, profile.userId == userId else { return false }
        return profile.mayPersonalize
    }

    func sessionUpdate(for event: EnrichedEvent) -> SessionUpdate {
        let attributes = event.event.itemId.map(catalog.interestKeys(of:)) ?? []
        return SessionUpdate(
            event: event.event, weight: settings.weight(of: event.event), attributes: attributes,
            userId: event.userId, region: event.region)
    }
}
