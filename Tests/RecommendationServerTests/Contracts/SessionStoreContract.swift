import Foundation
import Testing

@testable import SessionRankCore

/// What every `SessionStore` must do, whatever holds the sessions. One run checks one store;
/// `SessionStoreContractTests` runs it against each implementation (today only Redis: no
/// in-memory store exists, the unit tests use the real one).
struct SessionStoreContract {
    let store: any SessionStore
    /// Names this run's sessions and users, so runs against a shared server never meet.
    let run = UUID().uuidString.prefix(8).lowercased()

    func checkAll() async throws {
        try await unknownSessionReadsEmpty()
        try await appliesEachEventIdOnce()
        try await anAppliedEventStaysUnpublishedUntilConfirmed()
        try await applyAndReadReturnsTheStateAfterTheUpdate()
        try await keepsRecentItemsOldestFirstAndTheCart()
        try await theNewestEventWinsWhateverTheOrderOfArrival()
        try await linksSessionsToTheirUserAndErasesThem()
    }

    func sessionId(_ name: String) -> String { "contract-\(run)-\(name)" }

    func update(
        _ eventId: String, _ type: StorefrontEventType = .productView, session: String, item: String? = "p-00001",
        at time: Double = Date().timeIntervalSince1970, user: String? = nil, attributes: [String] = ["category:books"]
    ) -> SessionUpdate {
        let event = StorefrontEvent(eventId: "\(run)-\(eventId)", type: type, sessionId: session, itemId: item, timestamp: time)
        return SessionUpdate(event: event, weight: 1, attributes: attributes, userId: user, region: "NL")
    }

    func unknownSessionReadsEmpty() async throws {
        let state = try await store.session(sessionId("never-written"))
        #expect(state == SessionState.empty(sessionId("never-written")))
        #expect(try await store.deleteSession(sessionId("never-written")) == false)
    }

    func appliesEachEventIdOnce() async throws {
        let session = sessionId("once")
        let first = try await store.apply([update("e1", session: session), update("e2", session: session)])
        #expect(first == [.applied, .applied])
        try await store.confirmPublished([(session, "\(run)-e1"), (session, "\(run)-e2")])
        let again = try await store.apply([update("e1", session: session), update("e3", session: session)])
        #expect(again == [.duplicate, .applied])
        let state = try await store.session(session)
        #expect(state.eventCount == 3)
        #expect(state.countsByType["product_view"] == 3)
        #expect(state.region == "NL")
        #expect((state.interests["category:books"] ?? 0) > 0)
    }

    func anAppliedEventStaysUnpublishedUntilConfirmed() async throws {
        let session = sessionId("unpublished")
        #expect(try await store.apply([update("u1", session: session)]) == [.applied])
        // Not confirmed: a retry must publish again, without changing the state again.
        #expect(try await store.apply([update("u1", session: session)]) == [.appliedUnpublished])
        #expect(try await store.session(session).eventCount == 1)
        try await store.confirmPublished([(session, "\(run)-u1")])
        #expect(try await store.apply([update("u1", session: session)]) == [.duplicate])
        #expect(SessionApplyOutcome.appliedUnpublished.needsPublishing && !SessionApplyOutcome.duplicate.needsPublishing)
    }

    func applyAndReadReturnsTheStateAfterTheUpdate() async throws {
        let session = sessionId("read-back")
        let (outcome, state) = try await store.applyAndRead(update("r1", session: session, item: "p-00007"))
        #expect(outcome == .applied)
        #expect(state.eventCount == 1)
        #expect(state.recentItems.map(\.itemId) == ["p-00007"])
        var read = try await store.session(session)
        #expect(read.countsByType == ["product_view": 1])
        read.countsByType = [:]  // not part of a read-back
        #expect(read == state)
        // A read-back write is a best-effort page view, published at once.
        #expect(try await store.apply([update("r1", session: session, item: "p-00007")]) == [.duplicate])
    }

    func keepsRecentItemsOldestFirstAndTheCart() async throws {
        let session = sessionId("items")
        let start = Date().timeIntervalSince1970 - 60
        _ = try await store.apply([
            update("i1", session: session, item: "p-00001", at: start),
            update("i2", .addToCart, session: session, item: "p-00002", at: start + 1),
            update("i3", .purchase, session: session, item: "p-00003", at: start + 2),
        ])
        let state = try await store.session(session)
        #expect(state.recentItems.map(\.itemId) == ["p-00001", "p-00002", "p-00003"])
        #expect(state.recentItems.map(\.type) == ["product_view", "add_to_cart", "purchase"])
        #expect(state.cartItems == ["p-00002"])
        #expect(state.purchasedItems == ["p-00003"])
        #expect(state.firstSeen == start && state.lastSeen == start + 2)
    }

    func theNewestEventWinsWhateverTheOrderOfArrival() async throws {
        let session = sessionId("order")
        let start = Date().timeIntervalSince1970 - 100
        var newest = update("o4", .removeFromCart, session: session, item: "p-00001", at: start + 4, user: "\(run)-user-b")
        newest.region = "DE"
        // Newest first: each later arrival is older than what is stored.
        _ = try await store.apply([newest])
        _ = try await store.apply([update("o3", .purchase, session: session, item: "p-00002", at: start + 3)])
        _ = try await store.apply([update("o2", .addToCart, session: session, item: "p-00002", at: start + 2)])
        _ = try await store.apply([update("o1", .addToCart, session: session, item: "p-00001", at: start + 1, user: "\(run)-user-a")])
        let state = try await store.session(session)
        #expect(state.firstSeen == start + 1 && state.lastSeen == start + 4)
        #expect(state.userId == "\(run)-user-b" && state.region == "DE")
        // p-00001 was removed after it was added; p-00002 was bought after it was added.
        #expect(state.cartItems.isEmpty && state.purchasedItems == ["p-00002"])
        #expect(state.recentItems.map(\.eventId) == ["o1", "o2", "o3", "o4"].map { "\(run)-\($0)" })
        // Weights 1 each on `category:books`, the removal's too (the contract's updates carry weight 1).
        let reference = try #require(state.interestReferenceTime)
        let expected = (1...4).map { exp2(-(reference - (start + Double($0))) / SessionSettings().interestHalfLifeSeconds) }.reduce(0, +)
        #expect(abs((state.interests["category:books"] ?? 0) - expected) < 1e-9)
    }

    func linksSessionsToTheirUserAndErasesThem() async throws {
        let user = "contract-user-\(run)"
        let (older, newer) = (sessionId("user-a"), sessionId("user-b"))
        let now = Date().timeIntervalSince1970
        _ = try await store.apply([update("l1", session: older, at: now - 10, user: user)])
        _ = try await store.apply([update("l2", session: newer, at: now, user: user)])
        #expect(try await store.session(older).userId == user)
        #expect(try await store.sessions(ofUser: user) == [newer, older])
        #expect(try await store.deleteSession(newer))
        #expect(try await store.session(newer).isEmpty)
        let erased = try await store.deleteUser(user)
        #expect(Set(erased).isSuperset(of: [older]))
        #expect(try await store.session(older).isEmpty)
        #expect(try await store.sessions(ofUser: user).isEmpty)
    }
}
