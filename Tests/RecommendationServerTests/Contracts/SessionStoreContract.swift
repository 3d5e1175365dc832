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
        #expect(try await store.session(session) == state)
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
