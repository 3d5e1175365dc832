import Foundation
import PostgresNIO
import TestSupport
import Testing

@testable import RecommendationServer
@testable import SessionRankAdapters
@testable import SessionRankCore

/// `UserStoreContract` against every `UserStore`: the PostgreSQL adapter on the suite's
/// database, and its typed error on a server of the test's own that it stops.
@Suite("Contract: UserStore", .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_POSTGRES_URL")), .serialized)
struct UserStoreContractTests {
    @Test("PostgresUserStore keeps the contract")
    func postgres() async throws {
        try await withTestDatabase { client in
            try await MigrationRunner(client: client, logger: TestServer.logger).migrate()
            let run = UUID().uuidString.prefix(8).lowercased()
            let user = DemoUser(
                id: "contract-\(run)-user", birthDate: "1988-02-29", region: "BE", kycStatus: "pending", riskFlags: ["vulnerable"],
                segment: "vip", consentPersonalization: true, consentAnalytics: false)
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            let requests = (0..<3).map { index in
                DemoRequest(
                    requestId: "contract-\(run)-r\(index)", userId: user.id, sessionId: "contract-\(run)-s", channel: "web", device: "desktop",
                    page: "product", campaign: index == 1 ? "newsletter" : nil, region: "BE", createdAt: start.addingTimeInterval(Double(index)))
            }
            let writer = DemoDataWriter(client: client, logger: TestServer.logger)
            try await writer.upsert(users: [user])
            // Written newest first: the store must order them by time, not by insertion.
            try await writer.upsert(requests: requests.reversed())
            try await UserStoreContract(
                store: PostgresUserStore(client: client, logger: TestServer.logger),
                user: UserProfile(demo: user),
                requests: requests.map {
                    BackendRequest(
                        requestId: $0.requestId, userId: $0.userId, sessionId: $0.sessionId, channel: $0.channel, device: $0.device, page: $0.page,
                        campaign: $0.campaign, region: $0.region)
                }
            ).checkAll()
        }
    }

    @Test("A call to a stopped PostgreSQL ends within its timeout as UserStoreError, the cause kept")
    func failureKeepsTheCause() async throws {
        let server = try PostgresServerProcess(port: try await freeLoopbackPort())
        defer { server.remove() }
        var settings = ServiceConfiguration.PostgresSettings()
        settings.url = server.url
        settings.queryTimeoutMilliseconds = 100
        let client = try makePostgresClient(settings, logger: TestServer.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await MigrationRunner(client: client, logger: TestServer.logger).migrate()
            let store = PostgresUserStore(client: client, logger: TestServer.logger, timeout: .seconds(2))
            #expect(try await store.profile(userId: "contract-before-stop") == nil)

            try server.stop()
            // Watched, so a call that never returns fails the test instead of hanging the suite.
            // (typed as UserStoreError, its cause a PSQLError, the text) once the call has failed.
            let failure = Shared<(typed: Bool, keepsCause: Bool, text: String)?>(nil)
            let call = Task {
                do {
                    _ = try await store.setConsent(userId: "contract-after-stop", personalization: false, analytics: nil)
                    failure.update { $0 = (false, false, "no error") }
                } catch let error as UserStoreError {
                    failure.update { $0 = (true, error.underlying is PSQLError || error.underlying is DeadlineExceeded, "\(error)") }
                } catch {
                    failure.update { $0 = (false, false, "\(error)") }
                }
            }
            // The pool waits for a connection while the server is down: the store's timeout ends the call.
            #expect(try await poll(within: .seconds(4)) { failure.value != nil }, "a call to a stopped server fails; it does not hang")
            call.cancel()
            let outcome = try #require(failure.value)
            #expect(outcome.typed, "the call fails with the port's typed error; got \(outcome.text)")
            #expect(outcome.keepsCause, "the client's error or the deadline is kept, not replaced; got \(outcome.text)")
        }
    }
}
