import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore
@testable import sessionrank

@Suite(
    "POST /v1/events against Redis, PostgreSQL and Kafka",
    .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL", "SESSIONRANK_REDIS_URL", "SESSIONRANK_KAFKA_BOOTSTRAP")),
    .serialized
)
struct EventIngestionTests {
    func event(_ id: String, _ type: String, session: String, item: String? = nil, extra: String = "") -> String {
        let itemField = item.map { #","itemId":"\#($0)""# } ?? ""
        return #"{"eventId":"\#(id)","type":"\#(type)","sessionId":"\#(session)"\#(itemField)\#(extra)}"#
    }

    @Test("an accepted event updates the session's interests and recent items")
    func updatesSession() async throws {
        try await TestServer.withApp { client, components in
            let session = TestServer.uniqueId("s")
            let item = "p-00001"
            let expectedCategory = try #require(components.dependencies.catalog.snapshot.products[item]).category
            let answer = try await client.postJSON(
                "/v1/events",
                "[\(event(TestServer.uniqueId("e"), "product_view", session: session, item: item)), \(event(TestServer.uniqueId("e"), "add_to_cart", session: session, item: item))]")
            #expect(answer.status == .accepted)
            #expect(answer.body.contains(#""accepted":2"#))

            let state = try await components.dependencies.sessions.session(session)
            #expect(state.eventCount == 2)
            #expect(state.countsByType == ["product_view": 1, "add_to_cart": 1])
            #expect(state.recentItems.map(\.itemId) == [item, item])
            #expect(state.cartItems == [item])
            // view 1.0 + add_to_cart 4.0, at (almost) the same time. Stored as of a reference up to
            // a half-life earlier, so read as of the events' time.
            let halfLife = components.dependencies.configuration.sessions.interestHalfLifeSeconds
            let lastSeen = try #require(state.lastSeen)
            let reference = try #require(state.interestReferenceTime)
            #expect(reference <= lastSeen && lastSeen - reference < halfLife, "the reference trails the newest event by under a half-life")
            let weight = try #require(state.interests(at: lastSeen, halfLifeSeconds: halfLife)["category:\(expectedCategory)"])
            #expect(abs(weight - 5.0) < 0.01)

            let view = try await client.privacyCall(.get, "/v1/sessions/\(session)")
            #expect(view.status == .ok)
            #expect(view.body.contains("category:\(expectedCategory)"))
        }
    }

    @Test("enrichment joins the request row and the profile, and the record reaches topic events")
    func enrichesAndPublishes() async throws {
        try await TestServer.withApp { client, components in
            let session = TestServer.uniqueId("s")
            let eventId = TestServer.uniqueId("e")
            // r-000001 is the first row of the deterministic demo request log.
            let request = try #require(DemoPeopleGenerator().requests(users: DemoPeopleGenerator().users()).first)
            let answer = try await client.postJSON(
                "/v1/events", event(eventId, "page_view", session: session, extra: #","requestId":"\#(request.requestId)""#))
            #expect(answer.status == .accepted)

            let records = try await readRecords(topic: "events", where: { $0.eventId == eventId }, until: { !$0.isEmpty })
            let record = try #require(records.first)
            #expect(record.key == session)
            #expect(record.sessionId == session)
            #expect(record.enrichment?.status == "complete")
            #expect(record.enrichment?.channel == request.channel)
            #expect(record.enrichment?.campaign == request.campaign)
            #expect(record.userId == request.userId)
            if request.userId != nil { #expect(record.enrichment?.kycStatus != nil) }
        }
    }

    @Test("the same eventId twice changes the state once and is published once")
    func idempotent() async throws {
        try await TestServer.withApp { client, components in
            let session = TestServer.uniqueId("s")
            let eventId = TestServer.uniqueId("e")
            let body = event(eventId, "click", session: session, item: "p-00002")
            let first = try await client.postJSON("/v1/events", body)
            // The answer does not wait for the publish confirmation; a retry sent before it lands
            // is published again by design (EventRetryTests), so the second attempt waits for it.
            let confirmed = try await EventRetryTests.confirmed([eventId], session: session, in: components.dependencies.sessions)
            #expect(confirmed)
            let second = try await client.postJSON("/v1/events", body)
            #expect(first.status == .accepted && second.status == .accepted)
            #expect(second.body.contains(#""duplicates":1"#))
            let state = try await components.dependencies.sessions.session(session)
            #expect(state.eventCount == 1)
            #expect(state.countsByType["click"] == 1)

            // Mark the end of this test's records with a second event of the same session.
            let marker = TestServer.uniqueId("e")
            try await client.postJSON("/v1/events", event(marker, "page_view", session: session))
            let records = try await readRecords(
                topic: "events", where: { $0.sessionId == session }, until: { $0.contains { $0.eventId == marker } })
            #expect(records.filter { $0.eventId == eventId }.count == 1)
            // Two of the three answers waited for the broker; the duplicate had nothing to publish.
            let registry = components.dependencies.metrics.registry
            #expect(metricValue(registry, "sessionrank_events_ack_wait_seconds_count") == 2)
        }
    }

    @Test("1,000 concurrent events leave the state that applying them one by one leaves")
    func concurrentEqualsSequential() async throws {
        try await TestServer.withApp { client, components in
            let sequentialSession = TestServer.uniqueId("seq")
            let concurrentSession = TestServer.uniqueId("con")
            let base = Date().timeIntervalSince1970 - 3_000
            let types = ["product_view", "click", "add_to_cart", "remove_from_cart", "purchase", "dwell", "scroll"]
            // Out-of-order timestamps over 50 minutes, with repeats, so decay and last-writer rules are exercised.
            let specs: [(id: String, type: String, item: String, time: String)] = (0..<1_000).map { index in
                let seconds = base + Double((index * 7_919) % 3_000)
                let time = Date(timeIntervalSince1970: seconds).formatted(.iso8601)
                return ("e\(index)", types[index % types.count], String(format: "p-%05d", 1 + (index * 31) % 40), time)
            }
            func body(_ session: String, _ spec: (id: String, type: String, item: String, time: String)) -> String {
                event("\(session)-\(spec.id)", spec.type, session: session, item: spec.item, extra: #","timestamp":"\#(spec.time)","dwellMs":1500"#)
            }
            for spec in specs {
                let answer = try await client.postJSON("/v1/events", body(sequentialSession, spec))
                #expect(answer.status == .accepted)
            }
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for spec in specs {
                    group.addTask { try await client.postJSON("/v1/events", body(concurrentSession, spec)).status }
                }
                for try await status in group { #expect(status == .accepted) }
            }
            let sequential = try await components.dependencies.sessions.session(sequentialSession)
            let concurrent = try await components.dependencies.sessions.session(concurrentSession)
            #expect(sequential.eventCount == 1_000 && concurrent.eventCount == 1_000)
            #expect(sequential.countsByType == concurrent.countsByType)
            #expect(sequential.firstSeen == concurrent.firstSeen)
            #expect(sequential.lastSeen == concurrent.lastSeen)
            #expect(sequential.interestReferenceTime == concurrent.interestReferenceTime)
            #expect(sequential.cartItems == concurrent.cartItems)
            #expect(sequential.purchasedItems == concurrent.purchasedItems)
            let strip = { (state: SessionState, session: String) in
                state.recentItems.map { "\($0.eventId.dropFirst(session.count))|\($0.type)|\($0.itemId)|\($0.timestamp)" }
            }
            #expect(strip(sequential, sequentialSession) == strip(concurrent, concurrentSession))
            #expect(Set(sequential.interests.keys) == Set(concurrent.interests.keys))
            for (key, weight) in sequential.interests {
                let other = try #require(concurrent.interests[key])
                #expect(abs(weight - other) <= 1e-9 * max(1, abs(weight)), "\(key): \(weight) vs \(other)")
            }
        }
    }

    @Test("a page view stored with read-back returns what a separate read finds, and is applied once")
    func applyAndReadMatchesRead() async throws {
        try await TestServer.withApp { client, components in
            let sessions = components.dependencies.sessions
            let session = TestServer.uniqueId("s")
            let earlier = [
                event(TestServer.uniqueId("e"), "product_view", session: session, item: "p-00001"),
                event(TestServer.uniqueId("e"), "add_to_cart", session: session, item: "p-00001"),
                event(TestServer.uniqueId("e"), "purchase", session: session, item: "p-00002"),
            ]
            #expect(try await client.postJSON("/v1/events", "[\(earlier.joined(separator: ","))]").status == .accepted)

            var view = StorefrontEvent(eventId: TestServer.uniqueId("e"), type: .productView, sessionId: session, timestamp: Date().timeIntervalSince1970)
            view.itemId = "p-00003"
            let update = SessionUpdate(event: view, weight: 1, attributes: ["category:readback"], userId: nil, region: "DE")
            let (outcome, returned) = try await sessions.applyAndRead(update)
            #expect(outcome == .applied)
            var read = try await sessions.session(session)
            #expect(read.countsByType == ["product_view": 2, "add_to_cart": 1, "purchase": 1])
            // The read-back leaves out the counts by type (they read every event id).
            read.countsByType = [:]
            #expect(returned == read)
            #expect(returned.eventCount == 4)
            #expect(returned.recentItems.last?.itemId == "p-00003")
            #expect(returned.cartItems == ["p-00001"] && returned.purchasedItems == ["p-00002"])
            #expect(returned.region == "DE")
            #expect(returned.interests["category:readback"] != nil)

            // A page view is best effort and counts as published at once: a retry changes nothing.
            let duplicate = try await sessions.applyAndRead(update)
            #expect(duplicate.outcome == .duplicate)
            #expect(duplicate.session == read)
        }
    }

    @Test("confirmations given within the gathering window travel together in bounded pipelines, all land, and the confirmer starts again afterwards")
    func confirmationsCombineWithoutLoss() async throws {
        try await TestServer.withApp { _, components in
            let sessions = components.dependencies.sessions
            // A window far longer than 300 confirm calls take, so the count of sends is exact.
            let confirmer = PublishConfirmer(
                sessions: sessions, metrics: components.dependencies.metrics, logger: TestServer.logger, gatheringWindow: .milliseconds(300))
            func updates(_ count: Int) -> [SessionUpdate] {
                (0..<count).map { index in
                    var event = StorefrontEvent(
                        eventId: TestServer.uniqueId("e"), type: .productView, sessionId: TestServer.uniqueId("s\(index % 20)"),
                        timestamp: Date().timeIntervalSince1970)
                    event.itemId = "p-00007"
                    return SessionUpdate(event: event, weight: 1, attributes: [], userId: nil, region: nil)
                }
            }
            for round in 0..<2 {
                let batch = updates(300)
                let applied = try await sessions.apply(batch)
                #expect(applied.allSatisfy { $0 == .applied })
                let sendsBefore = confirmer.sends
                await withTaskGroup(of: Void.self) { group in
                    for update in batch {
                        group.addTask { confirmer.confirm([(sessionId: update.event.sessionId, eventId: update.event.eventId)]) }
                    }
                }
                let confirmed = try await EventRetryTests.confirmed(batch.map { ($0.event.sessionId, $0.event.eventId) }, in: sessions)
                #expect(confirmed, "round \(round): every confirmation reached Redis")
                #expect(confirmer.sends - sendsBefore == 2, "round \(round): 300 confirmations in pipelines of at most \(PublishConfirmer.maxBatch)")
            }
        }
    }

    @Test("a session's events, cart and purchases are capped; events past the cap are published, not stored")
    func sessionStateIsBounded() async throws {
        try await TestServer.withApp({ configuration in
            configuration.sessions.maxEventsPerSession = 12
            configuration.sessions.maxCartItems = 3
            configuration.sessions.maxPurchasedItems = 2
        }) { client, components in
            let session = TestServer.uniqueId("s")
            // 5 carts of distinct items, then 4 purchases of other items, then 6 views: 15 events.
            // One request each: the events of one batch may reach Redis in any order.
            let carts = (1...5).map { event(TestServer.uniqueId("e"), "add_to_cart", session: session, item: String(format: "p-%05d", $0)) }
            let purchases = (6...9).map { event(TestServer.uniqueId("e"), "purchase", session: session, item: String(format: "p-%05d", $0)) }
            let views = (0..<6).map { _ in TestServer.uniqueId("e") }
            let viewEvents = views.map { event($0, "product_view", session: session, item: "p-00010") }
            for batch in [carts, purchases, viewEvents] {
                let answer = try await client.postJSON("/v1/events", "[" + batch.joined(separator: ",") + "]")
                #expect(answer.status == .accepted, "\(answer.body)")
                #expect(answer.body.contains(#""accepted":\#(batch.count)"#))
            }

            let state = try await components.dependencies.sessions.session(session)
            #expect(state.eventCount == 12)
            // A purchase also writes the cart entry; the cart holds at most 3 items, purchases at most 2.
            #expect(state.cartItems.count == 3)
            #expect(state.purchasedItems.count == 2)
            // Every view reached the log, the three past the cap (whichever they were) too.
            let records = try await readRecords(topic: "events", where: { views.contains($0.eventId ?? "") }, until: { $0.count >= 6 })
            #expect(Set(records.compactMap(\.eventId)) == Set(views))
        }
    }

    @Test("a user without consent is not stored; the event is published under pseudonyms, without request or profile fields")
    func noConsent() async throws {
        try await TestServer.withApp { client, components in
            let session = TestServer.uniqueId("s")
            let eventId = TestServer.uniqueId("e")
            let answer = try await client.postJSON(
                "/v1/events",
                event(eventId, "product_view", session: session, item: "p-00003",
                      extra: #","userId":"demo-no-consent","requestId":"r-000001","context":{"referrer":"https://mail.example/inbox","region":"DE"}"#))
            #expect(answer.status == .accepted)
            #expect(try await components.dependencies.sessions.session(session).isEmpty)
            #expect(try await client.privacyCall(.get, "/v1/sessions/\(session)").status == .notFound)
            let records = try await readRecords(topic: "events", where: { $0.eventId == eventId }, until: { !$0.isEmpty })
            let record = try #require(records.first)
            #expect(record.personalized == false)
            #expect(record.analytics == false)
            #expect(record.sessionId?.hasPrefix("p_") == true)
            #expect(record.sessionId != session)
            #expect(record.userId?.hasPrefix("p_") == true)
            #expect(record.requestId == nil)
            #expect(record.context?.referrer == nil)
            #expect(record.region == "DE")
            #expect(record.enrichment?.status == "complete")
            #expect(record.enrichment?.ageBand == nil && record.enrichment?.kycStatus == nil && record.enrichment?.segment == nil)
            #expect(record.enrichment?.userRegion == nil && record.enrichment?.channel == nil)
        }
    }

    @Test("personalisation without analytics consent: ids kept, profile fields left out, the record marked for analytics to skip")
    func personalizationWithoutAnalytics() async throws {
        try await TestServer.withApp { client, _ in
            let user = TestServer.uniqueId("user")
            let consent = try await client.privacyCall(.put, "/v1/users/\(user)/consent", body: #"{"personalization":true,"analytics":false}"#)
            #expect(consent.status == .ok)
            let session = TestServer.uniqueId("s")
            let eventId = TestServer.uniqueId("e")
            let answer = try await client.postJSON(
                "/v1/events", event(eventId, "product_view", session: session, item: "p-00003", extra: #","userId":"\#(user)""#))
            #expect(answer.status == .accepted)
            let records = try await readRecords(topic: "events", where: { $0.eventId == eventId }, until: { !$0.isEmpty })
            let record = try #require(records.first)
            #expect(record.personalized == true && record.analytics == false)
            #expect(record.sessionId == session && record.userId == user)
            #expect(record.enrichment?.kycStatus == nil && record.enrichment?.segment == nil)
        }
    }

    @Test("erasure deletes every session linked to the user, beyond the first hundred")
    func erasureCoversManySessions() async throws {
        try await TestServer.withApp { client, components in
            let user = TestServer.uniqueId("user")
            let consent = try await client.privacyCall(.put, "/v1/users/\(user)/consent", body: #"{"personalization":true,"analytics":true}"#)
            #expect(consent.status == .ok)
            let sessions = (0..<150).map { _ in TestServer.uniqueId("s") }
            for batch in stride(from: 0, to: sessions.count, by: 50) {
                let events = sessions[batch..<batch + 50].map {
                    event(TestServer.uniqueId("e"), "product_view", session: $0, item: "p-00004", extra: #","userId":"\#(user)""#)
                }
                let answer = try await client.postJSON("/v1/events", "[" + events.joined(separator: ",") + "]")
                #expect(answer.status == .accepted, "\(answer.body)")
            }
            #expect(Set(try await components.dependencies.sessions.sessions(ofUser: user)) == Set(sessions))
            let erasure = try await client.privacyCall(.delete, "/v1/users/\(user)/data")
            #expect(erasure.status == .ok)
            for session in sessions {
                let left = try await components.dependencies.sessions.session(session)
                #expect(left.isEmpty, "session \(session) survived the erasure")
            }
        }
    }

    @Test("withdrawing consent, export and erasure cover every linked session")
    func privacyEndpoints() async throws {
        try await TestServer.withApp { client, components in
            let user = TestServer.uniqueId("user")
            let sessions = [TestServer.uniqueId("s"), TestServer.uniqueId("s")]
            #expect(try await client.privacyCall(.put, "/v1/users/\(user)/consent", body: #"{"personalization":true,"analytics":true}"#).status == .ok)
            for session in sessions {
                let answer = try await client.postJSON(
                    "/v1/events", event(TestServer.uniqueId("e"), "product_view", session: session, item: "p-00004", extra: #","userId":"\#(user)""#))
                #expect(answer.status == .accepted)
            }
            #expect(Set(try await components.dependencies.sessions.sessions(ofUser: user)) == Set(sessions))
            let export = try await client.privacyCall(.get, "/v1/users/\(user)/data")
            #expect(export.status == .ok)
            for session in sessions { #expect(export.body.contains(session)) }

            let erased = try await client.privacyCall(.delete, "/v1/users/\(user)/data").body
            for session in sessions {
                #expect(erased.contains(session))
                #expect(try await components.dependencies.sessions.session(session).isEmpty)
            }
            #expect(try await components.dependencies.users.profile(userId: user) == nil)

            // Consent withdrawn: sessions go at once, later events are not stored.
            let other = TestServer.uniqueId("user")
            let session = TestServer.uniqueId("s")
            try await client.privacyCall(.put, "/v1/users/\(other)/consent", body: #"{"personalization":true}"#)
            try await client.postJSON("/v1/events", event(TestServer.uniqueId("e"), "click", session: session, item: "p-00005", extra: #","userId":"\#(other)""#))
            #expect(try await components.dependencies.sessions.session(session).eventCount == 1)
            try await client.privacyCall(.put, "/v1/users/\(other)/consent", body: #"{"personalization":false}"#)
            #expect(try await components.dependencies.sessions.session(session).isEmpty)
            try await client.postJSON("/v1/events", event(TestServer.uniqueId("e"), "click", session: session, item: "p-00005", extra: #","userId":"\#(other)""#))
            #expect(try await components.dependencies.sessions.session(session).isEmpty)
        }
    }

    @Test("bad input gets 4xx JSON errors naming the field; good neighbours are accepted")
    func badInput() async throws {
        try await TestServer.withApp({ $0.http.maxBodyBytes = 2_048 }) { client, _ in
            let session = TestServer.uniqueId("s")
            let mixed = try await client.postJSON(
                "/v1/events", "[\(event(TestServer.uniqueId("e"), "page_view", session: session)), \(event("x", "teleport", session: session))]")
            #expect(mixed.status == .accepted)
            #expect(mixed.body.contains(#""index":1"#) && mixed.body.contains(#""field":"type""#))

            let allBad = try await client.postJSON("/v1/events", event("x", "click", session: session))
            #expect(allBad.status == .badRequest)
            #expect(allBad.body.contains(#""field":"itemId""#))

            let oversize = try await client.postJSON("/v1/events", String(repeating: " ", count: 4_096) + "{}")
            #expect(oversize.status == .contentTooLarge)
            #expect(oversize.body.contains("body_too_large"))

            let nested = try await client.postJSON("/v1/events", String(repeating: "[", count: 2_000))
            #expect(nested.status == .badRequest)

            let badPath = try await client.privacyCall(.get, "/v1/sessions/%01bad")
            #expect(badPath.status == .badRequest)
        }
    }
}
