import Foundation
import Testing

@testable import SessionRankAdapters
@testable import SessionRankCore

/// What every `CatalogSource` must do: hand back each product its store holds, column for
/// column. `written` are products the test put in the store behind the port's back.
struct CatalogSourceContract {
    let source: any CatalogSource
    let written: [CatalogProduct]

    func checkAll() async throws {
        let loaded = try await source.loadAll()
        #expect(Set(loaded.map(\.id)).count == loaded.count, "each product once")
        let byId = Dictionary(uniqueKeysWithValues: loaded.map { ($0.id, $0) })
        for expected in written {
            guard var found = byId[expected.id] else {
                Issue.record("\(expected.id) is in the store but not in loadAll()")
                continue
            }
            #expect(abs(found.price - expected.price) < 0.005, "\(expected.id): price")
            found.price = expected.price
            #expect(found == expected, "\(expected.id): every column round-trips")
        }
    }
}

/// What every `ProfileSource` must do: one look-up returns the named users, the requests, and
/// the users those requests point at; ids it does not know are simply absent.
struct ProfileSourceContract {
    let source: any ProfileSource
    /// In the store: `user`, and `request` made by another user, `requestUser`.
    let user: DemoUser
    let requestUser: DemoUser
    let request: DemoRequest

    func checkAll() async throws {
        let nothing = try await source.lookUp(requestIds: [], userIds: [])
        #expect(nothing.requests.isEmpty && nothing.users.isEmpty)

        let unknown = try await source.lookUp(requestIds: ["contract-no-such-request"], userIds: ["contract-no-such-user"])
        #expect(unknown.requests.isEmpty && unknown.users.isEmpty)

        let found = try await source.lookUp(requestIds: [request.requestId], userIds: [user.id, "contract-no-such-user"])
        let profile = try #require(found.users[user.id])
        #expect(profile.birthDate == user.birthDate)
        #expect(profile.region == user.region)
        #expect(profile.kycStatus == user.kycStatus)
        #expect(profile.riskFlags == user.riskFlags)
        #expect(profile.segment == user.segment)
        #expect(profile.consentPersonalization == user.consentPersonalization)
        #expect(profile.consentAnalytics == user.consentAnalytics)
        let backend = try #require(found.requests[request.requestId])
        #expect(backend.userId == requestUser.id)
        #expect(backend.sessionId == request.sessionId)
        #expect(backend.channel == request.channel && backend.device == request.device && backend.page == request.page)
        #expect(backend.campaign == request.campaign && backend.region == request.region)
        #expect(found.users[requestUser.id]?.userId == requestUser.id, "the request's user comes with it")
        #expect(found.users["contract-no-such-user"] == nil)
    }
}
