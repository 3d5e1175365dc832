import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// Consent withdrawals and erasures made through one replica reach the profile cache of every
/// other replica through PostgreSQL LISTEN/NOTIFY, within a second, and survive a lost listener.
@Suite(
    "Profile changes reach every replica",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP")),
    .serialized
)
struct ProfileChangeTests {
    @Test("a withdrawal or erasure through replica A stops replica B personalising within a second")
    func withdrawalReachesOtherReplica() async throws {
        try await TestServer.withApp { replicaA, componentsA in
            try await TestServer.withApp { replicaB, componentsB in
                try await Self.waitForListeners(componentsA, componentsB)
                for change in [ProfileChange.withdrawal, .erasure] {
                    let user = TestServer.uniqueId("user")
                    try await Self.grantConsent(user, through: replicaA, heardBy: componentsB)
                    // B looks the profile up once and caches it (the TTL is a minute).
                    #expect(try await Self.stores(replicaB, user: user), "\(change): B stores a consenting user's event")
                    let heardBefore = componentsB.profileChanges.status.notifications
                    let answer = switch change {
                    case .withdrawal: try await replicaA.privacyCall(.put, "/v1/users/\(user)/consent", body: #"{"personalization":false}"#)
                    case .erasure: try await replicaA.privacyCall(.delete, "/v1/users/\(user)/data")
                    }
                    #expect(answer.status == .ok)
                    let took = try await Self.waitUntil(within: .seconds(1)) { try await !Self.stores(replicaB, user: user) }
                    #expect(took != nil, "\(change): B still stores the user's events a second later")
                    #expect(componentsB.profileChanges.status.notifications > heardBefore)
                }
            }
        }
    }

    @Test("after losing its connection the listener reconnects, clears the cache and hears later changes")
    func reconnectClearsCache() async throws {
        try await TestServer.withApp { client, components in
            try await withTestDatabase { sql in
                try await Self.waitForListeners(components)
                let before = components.profileChanges.status
                let pid = try #require(before.backendPID)
                let user = TestServer.uniqueId("user")
                try await Self.grantConsent(user, through: client, heardBy: components)
                #expect(try await Self.stores(client, user: user))
                // A change nobody announces, as if its notification was sent while the listener was away.
                _ = try await sql.query("UPDATE users SET consent_personalization = false WHERE id = \(user)").collect()
                #expect(try await Self.stores(client, user: user), "the cached consent is stale until something evicts it")

                let listening = try await sql.query("SELECT count(*) FROM pg_stat_activity WHERE pid = \(pid) AND query ILIKE 'LISTEN%'")
                    .collect().first?.decode(Int.self)
                #expect(listening == 1, "the listener's backend is the one that ran LISTEN")
                _ = try await sql.query("SELECT pg_terminate_backend(\(pid))").collect()
                let reconnected = try await Self.waitUntil(within: .seconds(5)) {
                    let now = components.profileChanges.status
                    return now.connects > before.connects && now.backendPID != nil
                }
                #expect(reconnected != nil, "the listener reconnects")
                #expect(components.profileChanges.status.backendPID != pid)
                #expect(try await !Self.stores(client, user: user), "the reconnect dropped the stale profile")

                // Later changes still arrive: one announced by hand, as another replica would.
                let later = TestServer.uniqueId("user")
                try await Self.grantConsent(later, through: client, heardBy: components)
                #expect(try await Self.stores(client, user: later))
                try await sql.withTransaction(logger: TestServer.logger) { connection in
                    try await connection.query("UPDATE users SET consent_personalization = false WHERE id = \(later)", logger: TestServer.logger)
                    try await PostgresUserStore.announceChange(of: later, on: connection, logger: TestServer.logger)
                }
                let took = try await Self.waitUntil(within: .seconds(1)) { try await !Self.stores(client, user: later) }
                #expect(took != nil, "a change after the reconnect reaches the cache")
            }
        }
    }

    enum ProfileChange { case withdrawal, erasure }

    /// Whether the replica stores an event of `user` now: a fresh session each time, read back
    /// through the privacy endpoint. Only a consenting user's events are stored.
    static func stores(_ client: some TestClientProtocol, user: String) async throws -> Bool {
        let session = TestServer.uniqueId("s")
        let event = #"{"eventId":"\#(TestServer.uniqueId("e"))","type":"product_view","sessionId":"\#(session)","itemId":"p-00003","userId":"\#(user)"}"#
        let answer = try await client.postJSON("/v1/events", event)
        #expect(answer.status == .accepted, "\(answer.body)")
        return try await client.privacyCall(.get, "/v1/sessions/\(session)").status == .ok
    }

    /// Grants consent and waits until `listener` has heard of it: a look-up running while an
    /// eviction arrives is not cached, and the next step needs the profile cached.
    static func grantConsent(_ user: String, through client: some TestClientProtocol, heardBy listener: ServerComponents) async throws {
        let heardBefore = listener.profileChanges.status.notifications
        #expect(try await client.privacyCall(.put, "/v1/users/\(user)/consent", body: #"{"personalization":true}"#).status == .ok)
        let heard = try await waitUntil(within: .seconds(5)) { listener.profileChanges.status.notifications > heardBefore }
        try #require(heard != nil, "the replica hears of the consent it was given")
    }

    static func waitForListeners(_ components: ServerComponents...) async throws {
        let ready = try await waitUntil(within: .seconds(10)) { components.allSatisfy { $0.profileChanges.status.backendPID != nil } }
        try #require(ready != nil, "every replica's listener connects")
    }

    /// How long `condition` took to hold, checked every 20 ms; nil if it did not within `limit`.
    static func waitUntil(within limit: Duration, _ condition: () async throws -> Bool) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if try await condition() { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}

@Suite("ExpiringCache generations")
struct ExpiringCacheGenerationTests {
    @Test("a value looked up across an eviction is not cached")
    func insertAfterEvictionIsRefused() {
        let cache = ExpiringCache<String, Int>(capacity: 4, timeToLive: .seconds(60))
        let generation = cache.generation
        #expect(cache.insert(1, for: "a", unlessChangedSince: generation))
        cache.remove("b")
        #expect(!cache.insert(2, for: "a", unlessChangedSince: generation))
        #expect(cache.value(for: "a") == 1)
        cache.removeAll()
        #expect(cache.value(for: "a") == nil && cache.count == 0)
        #expect(cache.insert(3, for: "a", unlessChangedSince: cache.generation))
    }
}
