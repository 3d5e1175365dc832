import Foundation
import RedisClient
import TestSupport
import Testing

@testable import SessionRankAdapters
@testable import SessionRankCore

/// `SessionStoreContract` against every `SessionStore`: the Redis adapter on the real Redis.
@Suite("Contract: SessionStore", .enabled(if: IntegrationEnvironment.enabled(needs: "SESSIONRANK_REDIS_URL")))
struct SessionStoreContractTests {
    @Test("RedisSessionStore keeps the contract")
    func redis() async throws {
        var configuration = try RedisConfiguration(url: try IntegrationEnvironment.require("SESSIONRANK_REDIS_URL"))
        configuration.commandTimeout = .seconds(2)
        try await RedisClient.withRunningClient(configuration: configuration) { client in
            try await SessionStoreContract(store: RedisSessionStore(redis: client, settings: SessionSettings())).checkAll()
        }
    }

    @Test("A failed Redis call surfaces as SessionStoreError with the RedisError kept")
    func failureKeepsTheCause() async throws {
        let redis = try await RedisServerProcess(binary: try #require(RedisServerProcess.locateBinary(), "redis-server is needed"))
        var configuration = try RedisConfiguration(url: "redis://127.0.0.1:\(redis.port)")
        configuration.commandTimeout = .milliseconds(300)
        try await RedisClient.withRunningClient(configuration: configuration) { client in
            let store = RedisSessionStore(redis: client, settings: SessionSettings())
            #expect(try await store.session("contract-before-stop").isEmpty)

            redis.pause()
            let late = await #expect(throws: SessionStoreError.self) { try await store.session("contract-paused") }
            redis.resume()
            guard case .timedOut(let cause) = late else {
                Issue.record("a store that does not answer in time is .timedOut; got \(String(describing: late))")
                return
            }
            #expect((cause as? RedisError)?.code == .commandTimedOut)

            try await redis.stop()
            let gone = await #expect(throws: SessionStoreError.self) { try await store.session("contract-after-stop") }
            #expect(gone?.underlying is RedisError, "the client's error is kept, not replaced")
        }
    }
}
