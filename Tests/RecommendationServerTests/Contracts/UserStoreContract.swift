import Foundation
import Testing

@testable import SessionRankCore

/// What every `UserStore` must do for the privacy endpoints. `user` is in the store with
/// `requests` (oldest first), written behind the port's back; every other id this run names is unknown.
struct UserStoreContract {
    let store: any UserStore
    let user: UserProfile
    let requests: [BackendRequest]
    let run = UUID().uuidString.prefix(8).lowercased()

    func checkAll() async throws {
        try await unknownUsersHaveNothing()
        try await readsTheProfileAndRequests()
        try await setsEachConsentGivenAndKeepsTheOther()
        try await createsAnUnknownUserOnAConsentChange()
        try await erasesTheProfileAndUnlinksTheRequests()
    }

    func unknownUsersHaveNothing() async throws {
        let unknown = "contract-\(run)-unknown"
        #expect(try await store.profile(userId: unknown) == nil)
        #expect(try await store.requests(userId: unknown).isEmpty)
        #expect(try await store.erase(userId: unknown) == false, "erasing nobody erases nothing")
    }

    func readsTheProfileAndRequests() async throws {
        #expect(try await store.profile(userId: user.userId) == user)
        #expect(try await store.requests(userId: user.userId) == requests)
    }

    func setsEachConsentGivenAndKeepsTheOther() async throws {
        let withdrawn = try await store.setConsent(userId: user.userId, personalization: false, analytics: nil)
        var expected = user
        expected.consentPersonalization = false
        #expect(withdrawn == expected, "only personalisation changes; the rest of the profile is kept")
        #expect(try await store.profile(userId: user.userId) == expected, "the change is stored")

        let both = try await store.setConsent(userId: user.userId, personalization: true, analytics: true)
        expected.consentPersonalization = true
        expected.consentAnalytics = true
        #expect(both == expected)
        #expect(try await store.profile(userId: user.userId) == expected)
    }

    func createsAnUnknownUserOnAConsentChange() async throws {
        let newcomer = "contract-\(run)-newcomer"
        let created = try await store.setConsent(userId: newcomer, personalization: nil, analytics: true)
        #expect(created.userId == newcomer)
        #expect(created.consentPersonalization == nil, "never asked stays unknown")
        #expect(created.consentAnalytics == true)
        #expect(created.birthDate == nil && created.riskFlags.isEmpty)
        #expect(try await store.profile(userId: newcomer) == created)
        #expect(try await store.erase(userId: newcomer))
    }

    func erasesTheProfileAndUnlinksTheRequests() async throws {
        #expect(try await store.erase(userId: user.userId), "a stored profile existed")
        #expect(try await store.profile(userId: user.userId) == nil)
        #expect(try await store.requests(userId: user.userId).isEmpty, "no request names the user any more")
        #expect(try await store.erase(userId: user.userId) == false, "a second erasure finds nothing")
    }
}
