import Foundation
import Hummingbird
import HummingbirdTesting
import KafkaClient
import KafkaDevBroker
import TestSupport
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// An event the client must retry is never mistaken for a duplicate: when the session update
/// succeeded but publishing did not (a 503, or a process that died in between), the retry is
/// published, and the session state still changes once.
@Suite(
    "Events: a retry after a failed publish is published",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP")),
    .serialized
)
struct EventRetryTests {
    static func batch(_ ids: [String], session: String) -> String {
        "[" + ids.enumerated().map { index, id in
            #"{"eventId":"\#(id)","type":"product_view","sessionId":"\#(session)","itemId":"\#(String(format: "p-%05d", 20 + index))"}"#
        }.joined(separator: ",") + "]"
    }

    /// The publish confirmation follows an answer without being awaited; waits until it has
    /// landed for every id. Asking changes nothing: the script only reports a seen id.
    static func confirmed(_ ids: [String], session: String, in sessions: any SessionStore) async throws -> Bool {
        try await confirmed(ids.map { (sessionId: session, eventId: $0) }, in: sessions)
    }

    static func confirmed(_ events: [(sessionId: String, eventId: String)], in sessions: any SessionStore) async throws -> Bool {
        let updates = events.map { sessionId, eventId in
            var event = StorefrontEvent(eventId: eventId, type: .productView, sessionId: sessionId, timestamp: Date().timeIntervalSince1970)
            event.itemId = "p-00020"
            return SessionUpdate(event: event, weight: 1, attributes: [], userId: nil, region: nil)
        }
        for _ in 0..<100 {
            if try await sessions.apply(updates).allSatisfy({ $0 == .duplicate }) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    @Test("503 after the session update (queue filled meanwhile): the retry is published once, state applied once")
    func publishFailsAfterSessionUpdate() async throws {
        let broker = try KafkaDevBroker()
        let redis = try await RedisServerProcess(binary: try #require(RedisServerProcess.locateBinary(), "redis-server is needed"))
        let capacity = 20
        try await TestServer.withApp({ configuration in
            configuration.kafka.bootstrapServers = broker.bootstrapServers
            configuration.kafka.queueMaxMessages = capacity
            configuration.redis.url = "redis://127.0.0.1:\(redis.port)"
            // Long enough that the paused Redis answers late instead of timing out.
            configuration.redis.commandTimeoutMilliseconds = 20_000
        }) { client, components in
            let session = TestServer.uniqueId("s")
            let ids = (0..<3).map { _ in TestServer.uniqueId("e") }
            let body = Self.batch(ids, session: session)
            let registry = components.dependencies.metrics.registry
            let enriched = metricValue(registry, #"sessionrank_events_enrichment_total{status="not_needed"}"#) ?? 0
            try broker.setBrokerDown(1)

            // The request passes the room check, then waits on the paused Redis …
            redis.pause()
            let first = Task { try await client.postJSON("/v1/events", body) }
            let reachedSessionUpdate = try await poll(within: .seconds(30)) {
                (metricValue(registry, #"sessionrank_events_enrichment_total{status="not_needed"}"#) ?? 0) >= enriched + 3
            }
            try #require(reachedSessionUpdate, "the request never reached the session update")
            // … while other traffic (other events' records here) fills the local queue to the brim.
            for _ in 0..<(2 * capacity) where components.kafka.queueDepth < capacity {
                _ = try? components.kafka.send(topic: "feedback", key: session, value: Array("{}".utf8))
            }
            #expect(components.kafka.queueDepth == capacity)
            redis.resume()
            let refused = try await first.value
            #expect(refused.status == .serviceUnavailable, "\(refused.body)")
            #expect(refused.body.contains(#""code":"overloaded""#))
            // The session update did happen: this is the case that used to lose the events.
            #expect(try await components.dependencies.sessions.session(session).eventCount == 3)

            try broker.setBrokerUp(1)
            _ = try await waitUntilDrained(components.kafka, within: .seconds(60))
            let retried = try await client.postJSON("/v1/events", body)
            #expect(retried.status == .accepted)
            let result = try JSONDecoder().decode(IngestionResult.self, from: Data(retried.body.utf8))
            #expect(result.accepted == 3 && result.duplicates == 0, "\(retried.body)")
            #expect(try await Self.confirmed(ids, session: session, in: components.dependencies.sessions), "confirmed within 2 s")
            let again = try await client.postJSON("/v1/events", body)
            #expect(again.body.contains(#""duplicates":3"#), "a published event is a duplicate the next time: \(again.body)")
            #expect(try await components.dependencies.sessions.session(session).eventCount == 3, "state applied once")
            #expect(metricValue(registry, "sessionrank_events_republished_total") == 3)

            _ = try await waitUntilDrained(components.kafka, within: .seconds(60))
            let found = tally(eventIds(in: try await readWholeTopic(bootstrap: broker.bootstrapServers, topic: "events")))
            print("[reliability] retry-after-failed-publish: expected the retried events published exactly once; observed first answer \(refused.status.code), retry accepted=\(result.accepted) duplicates=\(result.duplicates), in Kafka: \(ids.map { found[$0] ?? 0 })")
            #expect(ids.map { found[$0] ?? 0 } == [1, 1, 1])
        }
        try await redis.stop()
    }

    @Test("the process died between the session update and publishing: the retry is published once, state applied once")
    func diedBeforePublishing() async throws {
        let broker = try KafkaDevBroker()
        try await TestServer.withApp({ $0.kafka.bootstrapServers = broker.bootstrapServers }) { client, components in
            let session = TestServer.uniqueId("s")
            let ids = (0..<2).map { _ in TestServer.uniqueId("e") }
            let sessions = components.dependencies.sessions
            // What the dead attempt left behind: the state applied, nothing published.
            let updates = ids.map { id in
                var event = StorefrontEvent(eventId: id, type: .productView, sessionId: session, timestamp: Date().timeIntervalSince1970)
                event.itemId = "p-00030"
                return SessionUpdate(event: event, weight: 1, attributes: [], userId: nil, region: nil)
            }
            #expect(try await sessions.apply(updates) == [.applied, .applied])
            #expect(try await sessions.apply(updates) == [.appliedUnpublished, .appliedUnpublished])

            let retried = try await client.postJSON("/v1/events", Self.batch(ids, session: session))
            #expect(retried.status == .accepted)
            #expect(retried.body.contains(#""accepted":2"#) && retried.body.contains(#""duplicates":0"#), "\(retried.body)")
            #expect(try await Self.confirmed(ids, session: session, in: sessions), "the publish is confirmed within 2 s of the answer")
            #expect(try await sessions.session(session).eventCount == 2)

            _ = try await waitUntilDrained(components.kafka, within: .seconds(30))
            let found = tally(eventIds(in: try await readWholeTopic(bootstrap: broker.bootstrapServers, topic: "events")))
            #expect(ids.map { found[$0] ?? 0 } == [1, 1])
        }
    }
}
