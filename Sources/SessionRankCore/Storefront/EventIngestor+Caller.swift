import Foundation

extension EventIngestor {
    /// `ingest(body:)` for a caller: every accepted event must name only what the caller's
    /// credentials allow, and takes its user from the visitor token when there is one. A single
    /// event over the line refuses the whole request (401/403): that is a broken integration,
    /// not bad data to report per event.
    package func ingest(body: Data, caller: StorefrontCaller, now: Double = Date().timeIntervalSince1970) async throws(APIError) -> IngestionResult {
        let outcome = try decoder.decode(body, now: now)
        metrics.eventsRejected.increment(by: Int64(outcome.rejected.count))
        guard !outcome.accepted.isEmpty else {
            throw APIError(
                status: .badRequest, code: "no_valid_events", field: outcome.rejected.first?.field,
                message: outcome.rejected.map { "event \($0.index): \($0.field) \($0.message)" }.joined(separator: "; "))
        }
        var events: [StorefrontEvent] = []
        events.reserveCapacity(outcome.accepted.count)
        for (index, event) in outcome.accepted {
            var event = event
            event.userId = try caller.user(
                sessionId: event.sessionId, userId: event.userId, requestId: event.requestId, where: "event \(index): ")
            events.append(event)
        }
        return try await ingest(events: events, rejected: outcome.rejected, now: now)
    }
}
