import Foundation
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
/// decides what is new, every event not yet confirmed in the log is published, and the 202
/// waits until the broker acknowledged every one of them. An event stays "unpublished" in its
/// session until the broker acknowledged it, so a client retrying after a 503 (or after no
/// answer at all) gets it published, not counted as a duplicate.
public struct EventIngestor: Sendable {
    let decoder: EventBatchDecoder
    let enricher: EventEnricher
    let sessions: any SessionStore
    let publisher: any EventPublisher
    /// Where the page views of `/v1/recommend` go: nobody waits for them, so they may batch longer.
    let pageViewPublisher: any EventPublisher
    let catalog: ProductCatalog
    let settings: SessionSettings
    let pseudonymizer: Pseudonymizer
    /// Events on a recommended item also become feedback on that recommendation.
    let feedback: any FeedbackPublisher
    let metrics: ServiceMetrics
    let sessionBudget: Duration
    /// How long `POST /v1/events` waits for the broker's acknowledgement (`events.ackTimeoutMilliseconds`).
    let ackBudget: Duration
    let confirmer: PublishConfirmer
    let logger: Logger

    /// Ingests events that already passed validation.
    public func ingest(events: [StorefrontEvent], rejected: [EventRejection] = [], now: Double) async throws(APIError) -> IngestionResult {
        try checkRoom(for: events.count, in: publisher)
        let enriched = await enricher.enrich(events)
        return try await store(enriched, rejected: rejected, now: now, readBackBudget: nil).result
    }

    /// Records the page view of a recommendation call, enriched with the visitor the call looked
    /// up, and returns its session as it stands afterwards: one Redis round trip for both. The
    /// session is nil when the view was not stored (no consent, or Redis failed within `budget`).
    public func recordPageView(_ view: EnrichedEvent, now: Double, budget: Duration) async throws(APIError) -> (
        result: IngestionResult, session: SessionState?
    ) {
        try checkRoom(for: 1, in: pageViewPublisher)
        return try await store([view], rejected: [], now: now, readBackBudget: budget)
    }

    private func checkRoom(for count: Int, in publisher: any EventPublisher) throws(APIError) {
        guard publisher.hasRoom(for: count) else {
            metrics.eventsShed.increment(by: Int64(count))
            throw APIError(
                status: .serviceUnavailable, code: "overloaded", field: nil,
                message: "the event log is backed up; retry after the Retry-After interval",
                headers: [.retryAfter: "2"])
        }
    }

    /// Stores, publishes and confirms enriched events; `readBackBudget` asks for the session of a
    /// single event as it stands after it, within that budget.
    private func store(_ enriched: [EnrichedEvent], rejected: [EventRejection], now: Double, readBackBudget: Duration?) async throws(APIError) -> (
        result: IngestionResult, session: SessionState?
    ) {
        for event in enriched { metrics.enrichment[event.status]?.increment() }

        // Sessions without consent to personalise are not stored: only counted and published pseudonymised.
        let personalized = enriched.map(\.mayPersonalize)
        let updates = zip(enriched, personalized).compactMap { event, allowed in allowed ? sessionUpdate(for: event) : nil }
        var outcomes = [SessionApplyOutcome](repeating: .applied, count: enriched.count)
        var stored = [Bool](repeating: false, count: enriched.count)
        var degraded = false
        var session: SessionState?
        if !updates.isEmpty {
            do {
                let applied: [SessionApplyOutcome]
                if let budget = readBackBudget, updates.count == 1 {
                    let update = updates[0]
                    // The deadline also bounds waiting for a connection and reloading the script.
                    let sessions = self.sessions
                    let (outcome, state) = try await withDeadline(budget) { try await sessions.applyAndRead(update, timeout: budget) }
                    (applied, session) = ([outcome], state)
                } else {
                    let (sessions, budget) = (self.sessions, sessionBudget)
                    applied = try await withDeadline(budget) { try await sessions.apply(updates, timeout: budget) }
                }
                var appliedIndex = 0
                for index in enriched.indices where personalized[index] {
                    outcomes[index] = applied[appliedIndex]
                    stored[index] = applied[appliedIndex] != .sessionFull
                    if applied[appliedIndex] == .sessionFull { metrics.eventsSessionFull.increment() }
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
        var storedRecords: [Bool] = []
        var duplicates = 0
        for (index, event) in enriched.enumerated() {
            guard outcomes[index].needsPublishing else {
                duplicates += 1
                continue
            }
            if outcomes[index] == .appliedUnpublished { metrics.eventsRepublished.increment() }
            metrics.eventsAccepted[event.event.type]?.increment()
            if !personalized[index] { metrics.eventsUnpersonalized.increment() }
            records.append(EventRecord(event, personalized: personalized[index], receivedAt: now, pseudonymizer: pseudonymizer))
            storedRecords.append(stored[index])
        }
        metrics.eventsDuplicate.increment(by: Int64(duplicates))
        // A stored event is confirmed in its session once the broker acknowledged it, even after
        // the answer went out; until then it stays unpublished, so a retry publishes it again.
        let confirmer = self.confirmer
        let metrics = self.metrics
        let durable = readBackBudget == nil
        // A page view is stored as published already (best effort): nothing to confirm.
        let confirmable = records.indices.filter { durable && storedRecords[$0] }.map {
            (index: $0, sessionId: records[$0].sessionId, eventId: records[$0].eventId)
        }
        let tracker = DeliveryTracker(count: records.count) { outcome in
            confirmer.confirm(confirmable.filter { outcome.delivered[$0.index] == true }.map { ($0.sessionId, $0.eventId) })
            let undelivered = outcome.delivered.filter { $0 == false }.count
            if undelivered > 0 {
                (durable ? metrics.eventsDeliveryFailed : metrics.pageViewsUnpublished).increment(by: Int64(undelivered))
            }
        }
        var failure: PublishFailure?
        do {
            try (durable ? publisher : pageViewPublisher).publish(records) { index, delivered in tracker.report(index: index, delivered: delivered) }
        } catch {
            failure = error
            tracker.expectOnly(error.publishedCount)
        }
        if let failure {
            // Only reachable when concurrent requests filled the margin checked above.
            let refused = records.count - failure.publishedCount
            (durable ? metrics.eventsShed : metrics.pageViewsUnpublished).increment(by: Int64(refused))
            logger.error(
                "publishing accepted events failed; the client's retry publishes them",
                metadata: ["error": "\(failure)", "events": "\(records.count)", "published": "\(failure.publishedCount)"])
            throw APIError(
                status: .serviceUnavailable, code: "overloaded", message: "the event log is backed up; retry after the Retry-After interval",
                headers: [.retryAfter: "2"])
        }
        // A page view is best effort: the recommendation does not wait for the log.
        if durable, !records.isEmpty {
            let waitStarted = ContinuousClock.now
            let acknowledged = await tracker.wait(budget: ackBudget)
            metrics.eventsAckWait.record(ContinuousClock.now - waitStarted)
            guard let outcome = acknowledged else {
                metrics.eventsAckTimedOut.increment(by: Int64(records.count))
                logger.warning("the event log did not acknowledge in time; the client's retry publishes the events", metadata: ["events": "\(records.count)"])
                throw APIError(
                    status: .serviceUnavailable, code: "log_unavailable",
                    message: "the event log did not acknowledge the events in time; retry after the Retry-After interval",
                    headers: [.retryAfter: "1"])
            }
            guard outcome.allDelivered else {
                throw APIError(
                    status: .serviceUnavailable, code: "log_unavailable",
                    message: "the event log refused some events; retry after the Retry-After interval",
                    headers: [.retryAfter: "1"])
            }
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
        return (IngestionResult(accepted: enriched.count, duplicates: duplicates, rejected: rejected, degraded: degraded), session)
    }

    func sessionUpdate(for event: EnrichedEvent) -> SessionUpdate {
        let attributes = event.event.itemId.map(catalog.interestKeys(of:)) ?? []
        return SessionUpdate(
            event: event.event, weight: settings.weight(of: event.event), attributes: attributes,
            userId: event.userId, region: event.region)
    }

    package init(decoder: EventBatchDecoder, enricher: EventEnricher, sessions: any SessionStore, publisher: any EventPublisher, pageViewPublisher: any EventPublisher, catalog: ProductCatalog, settings: SessionSettings, pseudonymizer: Pseudonymizer, feedback: any FeedbackPublisher, metrics: ServiceMetrics, sessionBudget: Duration, ackBudget: Duration, confirmer: PublishConfirmer, logger: Logger) {
        self.decoder = decoder
        self.enricher = enricher
        self.sessions = sessions
        self.publisher = publisher
        self.pageViewPublisher = pageViewPublisher
        self.catalog = catalog
        self.settings = settings
        self.pseudonymizer = pseudonymizer
        self.feedback = feedback
        self.metrics = metrics
        self.sessionBudget = sessionBudget
        self.ackBudget = ackBudget
        self.confirmer = confirmer
        self.logger = logger
    }
}
