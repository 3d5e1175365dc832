import Foundation
import Synchronization
import Testing

@testable import SessionRankCore

/// The delivery reports of one publisher, as `onDelivery` hands them over on the log client's thread.
final class DeliveryReports: Sendable {
    struct Report: Sendable, Equatable {
        var index: Int
        var delivered: Bool
    }

    private let reports = Mutex<[Report]>([])

    func record(_ index: Int, _ delivered: Bool) { reports.withLock { $0.append(Report(index: index, delivered: delivered)) } }

    var all: [Report] { reports.withLock { $0 } }

    /// The reports once `count` arrived, or whatever arrived within `limit`.
    func wait(for count: Int, within limit: Duration) async throws -> [Report] {
        _ = try await poll(within: limit) { all.count >= count }
        return all
    }
}

/// What every `EventPublisher` must do. A record handed over is reported once, delivered or
/// not; delivered means the log holds it (the caller answers 202 on that alone); one session's
/// records keep their order; a record the publisher refuses is named by `PublishFailure` and is
/// never reported.
struct EventPublisherContract {
    /// Publishes to a log that answers.
    let publisher: any EventPublisher
    /// Every record the working log holds, each session's records in log order.
    let logged: @Sendable () async throws -> [EventRecord]
    /// Publishes to a log that never answers and holds at most `queueCapacity` records for it.
    let unreachable: any EventPublisher
    let queueCapacity: Int
    /// How long the unreachable log may take to report a record it could not deliver (its ack timeout, with slack).
    let ackDeadline: Duration
    /// Stops the working publisher's client, as shutdown does.
    let stop: @Sendable () async throws -> Void
    let run = UUID().uuidString.prefix(8).lowercased()

    func checkAll() async throws {
        try await deliversEachRecordOnceInOrderPerSession()
        try await refusesWhatDoesNotFitAndReportsUndeliveredRecords()
        try await refusesEverythingOnceStopped()
    }

    /// `count` records in `sessions` sessions, interleaved: s0, s1, s2, s0, s1, …
    func records(_ count: Int, sessions: Int, tag: String) -> [EventRecord] {
        let now = Date().timeIntervalSince1970
        return (0..<count).map { index in
            let event = StorefrontEvent(
                eventId: "\(run)-\(tag)-\(index)", type: index % 4 == 3 ? .addToCart : .productView, sessionId: "contract-\(run)-\(tag)-s\(index % sessions)",
                itemId: "contract-item-\(index)", timestamp: now - Double(count - index),
                context: EventContext(region: index.isMultiple(of: 2) ? "NL" : nil))
            let enriched = EnrichedEvent(event: event, status: .notNeeded, userId: nil)
            return EventRecord(enriched, personalized: true, receivedAt: now, pseudonymizer: Pseudonymizer(secret: "contract"))
        }
    }

    func deliversEachRecordOnceInOrderPerSession() async throws {
        let sent = records(12, sessions: 3, tag: "order")
        let reports = DeliveryReports()
        try publisher.publish(sent, onDelivery: { reports.record($0, $1) })
        let got = try await reports.wait(for: sent.count, within: .seconds(20))
        #expect(got.map(\.index).sorted() == Array(sent.indices), "each handed-over record is reported exactly once")
        #expect(got.allSatisfy { $0.delivered }, "a working log acknowledges every record")
        // Reports may come late, but never more than one per record.
        try await Task.sleep(for: .milliseconds(200))
        #expect(reports.all.count == sent.count)

        let mine = try await logged().filter { $0.eventId.hasPrefix("\(run)-order-") }
        #expect(mine.count == sent.count, "each record is in the log once")
        for session in Set(sent.map(\.sessionId)) {
            #expect(mine.filter { $0.sessionId == session } == sent.filter { $0.sessionId == session }, "\(session): content and order kept")
        }
    }

    func refusesWhatDoesNotFitAndReportsUndeliveredRecords() async throws {
        #expect(unreachable.hasRoom(for: 1), "an empty queue has room")
        #expect(!unreachable.hasRoom(for: queueCapacity + 1), "no room for more than the queue holds")
        let sent = records(queueCapacity + 3, sessions: 2, tag: "full")
        let reports = DeliveryReports()
        let failure = #expect(throws: PublishFailure.self) { try unreachable.publish(sent, onDelivery: { reports.record($0, $1) }) }
        #expect(failure?.publishedCount == queueCapacity, "the records before the first refused one were handed over")
        #expect(failure?.cause is PublishQueueFull, "a full queue is PublishQueueFull, got \(String(describing: failure?.cause))")
        #expect(!unreachable.hasRoom(for: 1))

        // Nothing answers: every handed-over record is reported undelivered within the ack
        // timeout, and the refused ones are never reported.
        let got = try await reports.wait(for: queueCapacity, within: ackDeadline)
        #expect(got.map(\.index).sorted() == Array(0..<queueCapacity))
        #expect(got.allSatisfy { !$0.delivered }, "nothing is delivered to a log that does not answer")
        #expect(try await poll(within: .seconds(5)) { unreachable.hasRoom(for: 1) }, "reported records leave the queue")
    }

    func refusesEverythingOnceStopped() async throws {
        try await stop()
        let reports = DeliveryReports()
        let failure = #expect(throws: PublishFailure.self) { try publisher.publish(records(2, sessions: 1, tag: "stopped"), onDelivery: { reports.record($0, $1) }) }
        #expect(failure?.publishedCount == 0)
        try await Task.sleep(for: .milliseconds(200))
        #expect(reports.all.isEmpty, "a refused record is never reported")
    }
}
