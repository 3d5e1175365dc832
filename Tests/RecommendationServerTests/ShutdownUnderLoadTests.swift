import Foundation
import KafkaClient
import KafkaDevBroker
import NIOHTTP1
import Recommender
import Synchronization
import TestSupport
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// Issue 9, point 4: SIGTERM to the real `sessionrank serve` while clients keep it busy.
@Suite(
    "Fault: SIGTERM under load",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP")),
    .serialized
)
struct ShutdownUnderLoadTests {
    /// One attempt to send one request.
    struct Attempt: Sendable {
        var request: Int
        var eventIds: [String]
        var outcome: ProbeOutcome
        /// When the attempt ended (answer, close or refusal).
        var endedAt: ContinuousClock.Instant
    }

    @Test("in-flight requests complete, every 202 reaches Kafka, a snapshot is written, exit 0 within the deadline")
    func sigtermUnderLoad() async throws {
        let broker = try KafkaDevBroker()
        let snapshots = TestServer.temporaryDirectory("shutdown-snapshots")
        defer { try? FileManager.default.removeItem(atPath: snapshots) }
        let deadlineSeconds = 20
        let service = try await ServiceProcess.start([
            "SESSIONRANK_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrapServers,
            "SESSIONRANK_MODEL_SNAPSHOT_DIRECTORY": snapshots,
            "SESSIONRANK_MODEL_LEARN_FROM_LOG": "true",
            "SESSIONRANK_MODEL_BOOTSTRAP_DEMO_SESSIONS": "500",
            "SESSIONRANK_SHUTDOWN_DEADLINE_SECONDS": "\(deadlineSeconds)",
            "SESSIONRANK_KAFKA_SHUTDOWN_FLUSH_TIMEOUT_MILLISECONDS": "15000",
            // Longer than the outage: events sent while the broker is down wait for it and are
            // answered 202 once it is back, while the server drains after SIGTERM.
            "SESSIONRANK_EVENTS_ACK_TIMEOUT_MILLISECONDS": "5000",
            // requestId below may only be named with the storefront key.
            "SESSIONRANK_ADMIN_TOKENS": "shutdown-test:storefront:\(TestServer.storefrontKey)",
        ], name: "shutdown")
        let run = TestServer.uniqueId("term")
        let clock = ContinuousClock()
        let start = clock.now
        let downAt = start + .seconds(2)
        let signalAt = downAt + .seconds(1)
        let upAt = signalAt + .milliseconds(500)
        let nextRequest = SharedCounter()
        let port = service.port

        // Eight clients with keep-alive connections send back to back: a batch of five new
        // events, then a recommend call (which records a page view). Each stops once it can no
        // longer connect after the signal. A request an idle keep-alive connection loses is
        // retried once on a new connection, as HTTP/1.1 clients do; the event ids make it safe.
        let attempts = try await withThrowingTaskGroup(of: [Attempt].self) { group in
            group.addTask {
                try await Task.sleep(until: downAt)
                try broker.setBrokerDown(1)
                try await Task.sleep(until: signalAt)
                service.process.send(signal: SIGTERM)
                try await Task.sleep(until: upAt)
                try broker.setBrokerUp(1)
                return []
            }
            for worker in 0..<8 {
                group.addTask {
                    var attempts: [Attempt] = []
                    var connection = await ProbeConnection.connect(port: port)
                    while clock.now < signalAt + .seconds(deadlineSeconds) {
                        let number = nextRequest.next()
                        let ids: [String]
                        let request: ProbeRequest
                        if number % 2 == 0 {
                            ids = (0..<5).map { "\(run)-r\(number)-e\($0)" }
                            request = ProbeRequest(method: .POST, path: "/v1/events", body: "[" + ids.enumerated().map { index, id in
                                #"{"eventId":"\#(id)","type":"product_view","sessionId":"\#(run)-s\#(worker)","itemId":"\#(String(format: "p-%05d", 1 + (number + index) % 500))"}"#
                            }.joined(separator: ",") + "]")
                        } else {
                            // The page view this call records has a predictable id: view-<requestId>-<itemId>.
                            let item = String(format: "p-%05d", 1 + number % 500)
                            ids = ["view-\(run)-r\(number)-\(item)"]
                            request = ProbeRequest(
                                path: "/v1/recommend?sessionId=\(run)-s\(worker)&itemId=\(item)&requestId=\(run)-r\(number)&limit=10",
                                headers: [("Authorization", "Bearer \(TestServer.storefrontKey)")])
                        }
                        var outcome: ProbeOutcome = .refused
                        if let open = connection, open.isOpen {
                            outcome = await open.send(request)
                        }
                        if case .closedBeforeAnswer(reused: true) = outcome {
                            attempts.append(Attempt(request: number, eventIds: ids, outcome: outcome, endedAt: clock.now))
                            outcome = .refused
                        }
                        if case .refused = outcome {
                            connection = await ProbeConnection.connect(port: port)
                            if let fresh = connection { outcome = await fresh.send(request) }
                        }
                        attempts.append(Attempt(request: number, eventIds: ids, outcome: outcome, endedAt: clock.now))
                        if connection?.isOpen != true {
                            connection = nil
                            if case .refused = outcome {
                                if clock.now >= signalAt { break }
                                try await Task.sleep(for: .milliseconds(10))
                            }
                        }
                    }
                    await connection?.close()
                    return attempts
                }
            }
            var all: [Attempt] = []
            for try await part in group { all += part }
            return all
        }

        let exit = try await service.process.waitForExit(within: .seconds(deadlineSeconds + 15))
        let exitedAfter = clock.now - signalAt
        let messages = try await readWholeTopic(bootstrap: broker.bootstrapServers, topic: "events")
        let found = tally(eventIds(in: messages).filter { $0.hasPrefix(run + "-") || $0.hasPrefix("view-\(run)-") })
        let snapshotFiles = ((try? FileManager.default.contentsOfDirectory(atPath: snapshots)) ?? []).filter { $0.hasSuffix(".srmodel") }

        // A request counts as answered if any of its attempts got an answer.
        let byRequest = Dictionary(grouping: attempts, by: \.request)
        let answered = byRequest.values.compactMap { $0.first { $0.outcome.response != nil } }
        let unanswered = byRequest.values.filter { $0.allSatisfy { $0.outcome.response == nil } }.map { $0[0] }
        // Acknowledged: the events of a 202, and the page view of a 200 that does not say it was not recorded.
        let acknowledged = answered.filter { attempt in
            guard let response = attempt.outcome.response else { return false }
            return response.status == 202 || (response.status == 200 && !response.body.contains("event_not_recorded"))
        }
        let acknowledgedIds = acknowledged.flatMap(\.eventIds)
        let acknowledgedWhileDown = acknowledged.filter { $0.endedAt > downAt + .milliseconds(200) }.flatMap(\.eventIds)
        let answeredAfterSignal = answered.filter { $0.endedAt > signalAt }
        let unansweredPublished = unanswered.flatMap(\.eventIds).filter { found[$0] != nil }
        let missing = acknowledgedIds.filter { found[$0] == nil }
        let duplicates = found.values.reduce(0) { $0 + max(0, $1 - 1) }
        let statuses = tally(answered.map { String($0.outcome.response?.status ?? 0) })
        let idleRetries = attempts.filter { if case .closedBeforeAnswer(reused: true) = $0.outcome { true } else { false } }.count
        let resetFresh = attempts.filter { if case .closedBeforeAnswer(reused: false) = $0.outcome { true } else { false } }.count
        let latencies = answered.compactMap(\.outcome.latency)
        print("""
            [reliability] sigterm-under-load: expected in-flight requests to complete, every 202 in Kafka, a snapshot, exit 0 within \
            \(deadlineSeconds) s; observed \(exit.map { "\($0)" } ?? "still running") \(exitedAfter) after SIGTERM; requests \
            \(byRequest.count): answered \(answered.count) \(statuses) (\(answeredAfterSignal.count) answered after the signal), \
            unanswered \(unanswered.count) (refused or closed before an answer; of their events in Kafka: \(unansweredPublished.count)); \
            idle keep-alive connections closed under a request (retried) \(idleRetries), fresh connections closed unanswered \(resetFresh); \
            events acknowledged \(acknowledgedIds.count) (\(acknowledgedWhileDown.count) answered after the broker went down: they \
            waited for it across SIGTERM), found in Kafka \(found.count), missing \(missing.count), duplicates \(duplicates); latency p99 \
            \(formatMilliseconds(percentile(latencies, 0.99))); snapshots \(snapshotFiles)
            """)

        #expect(exit == .exited(0), "\(service.process.logTail())")
        #expect(exitedAfter < .seconds(deadlineSeconds), "the configured deadline is \(deadlineSeconds) s")
        #expect(answered.count > 50, "the load ran")
        #expect(answeredAfterSignal.count >= 1, "requests in flight at the signal were answered")
        #expect(Set(statuses.keys).isSubset(of: ["200", "202"]), "\(statuses)")
        // The server never drops a request it started on: nothing unanswered left a trace in the log.
        #expect(unansweredPublished.isEmpty, "\(unansweredPublished.prefix(10))")
        #expect(!acknowledgedWhileDown.isEmpty, "some events must have waited for the broker across SIGTERM")
        #expect(missing.isEmpty, "acknowledged but not in Kafka: \(missing.prefix(10))")
        #expect(duplicates == 0)
        #expect(!snapshotFiles.isEmpty, "a snapshot is written on shutdown")
        if let file = snapshotFiles.first {
            let model = try SessionRankModel.load(from: Data(contentsOf: URL(fileURLWithPath: snapshots).appendingPathComponent(file)))
            #expect(model.metadata[ModelUpdater.offsetsKey] != nil, "the snapshot records the offsets it includes")
        }
    }
}
