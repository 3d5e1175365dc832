import Foundation
import Logging
import RedisClient
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// The session store against a standalone Redis and against a Redis Cluster, through the same
/// `makeRedisClient` the server uses: only `redis.url` differs. A user's sessions hash to
/// different slots, so the cluster run crosses nodes (user links, confirmations, erasure).
@Suite(
    "Redis session store, standalone and cluster",
    .serialized,
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_REDIS_URL")))
struct RedisSessionStoreTests {
    /// The cluster run is left out only on a laptop without the cluster URL; CI must have it.
    static var urlVariables: [String] {
        let cluster = ProcessInfo.processInfo.environment["SESSIONRANK_REDIS_CLUSTER_URL"]
        return ["SESSIONRANK_REDIS_URL"] + (cluster != nil || IntegrationEnvironment.isCI ? ["SESSIONRANK_REDIS_CLUSTER_URL"] : [])
    }

    @Test(arguments: urlVariables)
    func appliesConfirmsReadsAndErasesSessions(urlVariable: String) async throws {
        var settings = ServiceConfiguration.RedisSettings()
        settings.url = try IntegrationEnvironment.require(urlVariable)
        settings.commandTimeoutMilliseconds = 2_000
        let redis = try makeRedisClient(settings, logger: Logger(label: "test.sessions"))
        #expect(redis.configuration.isCluster == (urlVariable == "SESSIONRANK_REDIS_CLUSTER_URL"))
        let store = RedisSessionStore(redis: redis, settings: SessionSettings())
        let run = UInt64.random(in: 0...UInt64.max)
        let user = "user-\(run)"
        let sessions = (0..<4).map { "session-\(run)-\($0)" }
        let now = Date().timeIntervalSince1970

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await redis.run() }
            defer { group.cancelAll() }

            var confirmations: [(sessionId: String, eventId: String)] = []
            for (index, session) in sessions.enumerated() {
                let event = StorefrontEvent(
                    eventId: "e-\(run)-\(index)", type: .addToCart, sessionId: session, userId: user,
                    itemId: "item-\(index)", timestamp: now + Double(index))
                let update = SessionUpdate(event: event, weight: 1, attributes: ["category:books"], userId: user, region: "NL")
                let (outcome, state) = try await store.applyAndRead(update, timeout: .seconds(2))
                #expect(outcome == .applied)
                #expect(state.eventCount == 1 && state.cartItems == ["item-\(index)"] && state.userId == user)
                // A read-back write is a page view, published at once: its retry is a duplicate.
                #expect(try await store.apply([update], timeout: .seconds(2)) == [.duplicate])
                // A durable event is not confirmed yet: a retry is told to publish, without applying twice.
                let click = SessionUpdate(
                    event: StorefrontEvent(eventId: "c-\(run)-\(index)", type: .click, sessionId: session, itemId: "item-\(index)", timestamp: now + Double(index)),
                    weight: 2, attributes: ["category:books"], userId: user, region: "NL")
                #expect(try await store.apply([click], timeout: .seconds(2)) == [.applied])
                #expect(try await store.apply([click], timeout: .seconds(2)) == [.appliedUnpublished])
                confirmations.append((session, click.event.eventId))
            }
            // One pipeline over all sessions (several nodes in a cluster).
            try await store.confirmPublished(confirmations)
            for (index, session) in sessions.enumerated() {
                let click = StorefrontEvent(eventId: "c-\(run)-\(index)", type: .click, sessionId: session, itemId: "item-\(index)", timestamp: now + Double(index))
                let update = SessionUpdate(event: click, weight: 2, attributes: ["category:books"], userId: user, region: "NL")
                #expect(try await store.apply([update], timeout: .seconds(2)) == [.duplicate])
                let state = try await store.session(session, timeout: .seconds(2))
                #expect(state.eventCount == 2 && state.countsByType == ["add_to_cart": 1, "click": 1])
                // Both events add to the interest, the click at twice the weight, at the same time.
                #expect(abs((state.interests["category:books"] ?? 0) - 3 * exp2(-((state.interestReferenceTime ?? 0) - (now + Double(index))) / 600)) < 1e-9)
            }
            #expect(try await store.sessions(ofUser: user) == sessions.reversed())

            #expect(Set(try await store.deleteUser(user)) == Set(sessions))
            #expect(try await store.sessions(ofUser: user).isEmpty)
            for session in sessions {
                #expect(try await store.session(session, timeout: .seconds(2)).eventCount == 0)
            }
        }
    }

    @Test("a retry after its publish status expired is published again, not applied again")
    func expiredStatusPublishesAgain() async throws {
        var settings = ServiceConfiguration.RedisSettings()
        settings.url = try IntegrationEnvironment.require("SESSIONRANK_REDIS_URL")
        let redis = try makeRedisClient(settings, logger: Logger(label: "test.sessions"))
        let store = RedisSessionStore(redis: redis, settings: SessionSettings())
        let session = "session-expiry-\(UInt64.random(in: 0...UInt64.max))"
        let event = StorefrontEvent(eventId: "e-1", type: .click, sessionId: session, itemId: "p-00001", timestamp: Date().timeIntervalSince1970)
        let update = SessionUpdate(event: event, weight: 2, attributes: ["category:books"], userId: nil, region: nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await redis.run() }
            defer { group.cancelAll() }
            #expect(try await store.apply([update]) == [.applied])
            try await store.confirmPublished([(session, "e-1")])
            #expect(try await store.apply([update]) == [.duplicate])
            // What the idle timeout does to the status key, done at once.
            try await redis.send("DEL", SessionKeys(sessionId: session).status(of: "e-1"))
            #expect(try await store.apply([update]) == [.appliedUnpublished], "unknown whether it reached the log: publish again")
            #expect(try await store.session(session).eventCount == 1, "not applied twice")
            try await store.confirmPublished([(session, "e-1")])
            #expect(try await store.apply([update]) == [.duplicate])
            _ = try await store.deleteSession(session)
        }
    }
}

@Suite("redis.url cluster form")
struct RedisClusterURLConfigurationTests {
    @Test func acceptsSeedNodesAndNamesTheFieldWhenTheyAreBad() throws {
        let url = "redis+cluster://10.0.0.1:7000,10.0.0.2:7001"
        let configuration = try ServiceConfiguration.load(file: nil, environment: ["SESSIONRANK_REDIS_URL": url])
        #expect(configuration.redis.url == url)
        let error = #expect(throws: ConfigurationError.self) {
            try ServiceConfiguration.load(file: nil, environment: ["SESSIONRANK_REDIS_URL": "redis+cluster://10.0.0.1:7000,:7001"])
        }
        #expect(error?.field == "redis.url")
        #expect(error?.message.contains("host is missing") == true)
    }
}
