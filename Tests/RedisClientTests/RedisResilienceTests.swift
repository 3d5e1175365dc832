import RedisClient
import TestSupport
import Testing

/// Timeouts and outages, each on its own throwaway redis-server so pausing or killing it
/// disturbs nobody else.
@Suite("Timeouts and reconnects", .enabled(if: RedisTestEnvironment.ownServerTestsEnabled))
struct RedisResilienceTests {
    @Test func aTimedOutCommandFailsAndLaterRepliesStayAligned() async throws {
        let server = try await RedisServerProcess(binary: try RedisTestEnvironment.requireServerBinary())
        var configuration = server.configuration
        configuration.poolSize = 1
        configuration.commandTimeout = .milliseconds(200)
        configuration.reconnectBackoffMin = .milliseconds(20)
        configuration.reconnectBackoffMax = .milliseconds(100)

        try await RedisClient.withRunningClient(configuration: server.configuration) { admin in
            try await RedisClient.withRunningClient(configuration: configuration) { client in
                try await client.send("SET", "{t}:a", "value-a")
                try await client.send("SET", "{t}:b", "value-b")

                // The admin connection is exempt from its own pause; the client's connection is not.
                try await admin.send("CLIENT", "PAUSE", 2000, "ALL")
                let pausedAt = ContinuousClock.now

                let timedOut = await #expect(throws: RedisError.self) { try await client.send("GET", "{t}:a") }
                #expect(timedOut?.code == .commandTimedOut)
                #expect(ContinuousClock.now - pausedAt < .milliseconds(1500), "the timeout must not wait for the pause")

                // Once the pause is over the client recovers on its own, and the late reply to the
                // timed-out GET of a must never be handed to the GET of b.
                try await Task.sleep(until: pausedAt + .milliseconds(2100))
                let reply = try await Self.retrying(for: .seconds(3)) { try await client.send("GET", "{t}:b") }
                #expect(reply.string == "value-b")
                #expect(try await client.send("GET", "{t}:a").string == "value-a")
                #expect(try await client.pipeline([["GET", "{t}:a"], ["GET", "{t}:b"]]).map(\.string) == ["value-a", "value-b"])
            }
        }
        try await server.stop()
    }

    @Test func aTimedOutCommandDoesNotFailTheCommandsPipelinedBehindIt() async throws {
        let server = try await RedisServerProcess(binary: try RedisTestEnvironment.requireServerBinary())
        var configuration = server.configuration
        configuration.poolSize = 1
        configuration.commandTimeout = .milliseconds(200)

        try await RedisClient.withRunningClient(configuration: server.configuration) { admin in
            try await RedisClient.withRunningClient(configuration: configuration) { client in
                try await client.send("SET", "{p}:a", "value-a")
                try await client.send("SET", "{p}:b", "value-b")
                try await admin.send("CLIENT", "PAUSE", 700, "ALL")

                // Same connection: a short-deadline GET, then a long-deadline GET queued behind it.
                async let patient = client.send(["GET", "{p}:b"], timeout: .seconds(5))
                try await Task.sleep(for: .milliseconds(20))
                let hurried = await #expect(throws: RedisError.self) { try await client.send("GET", "{p}:a") }
                #expect(hurried?.code == .commandTimedOut)
                // The late reply to the hurried GET is dropped; the patient one gets its own.
                #expect(try await patient.string == "value-b")
                #expect(try await client.pipeline([["GET", "{p}:a"], ["GET", "{p}:b"]]).map(\.string) == ["value-a", "value-b"])
            }
        }
        try await server.stop()
    }

    @Test func aLongerTimeoutForOneCommandOverridesTheDefault() async throws {
        let server = try await RedisServerProcess(binary: try RedisTestEnvironment.requireServerBinary())
        var configuration = server.configuration
        configuration.commandTimeout = .milliseconds(100)
        try await RedisClient.withRunningClient(configuration: configuration) { client in
            // BLPOP blocks server-side for 0.3 s: longer than the default timeout, shorter than the override.
            let reply = try await client.send(["BLPOP", "{t}:empty", "0.3"], timeout: .seconds(2))
            #expect(reply == .null)
        }
        try await server.stop()
    }

    @Test func recoversAfterTheServerRestartsWithoutANewClient() async throws {
        let server = try await RedisServerProcess(binary: try RedisTestEnvironment.requireServerBinary())
        var configuration = server.configuration
        configuration.poolSize = 2
        configuration.reconnectBackoffMin = .milliseconds(20)
        configuration.reconnectBackoffMax = .milliseconds(200)

        try await RedisClient.withRunningClient(configuration: configuration) { client in
            try await client.send("SET", "{r}:before", "1")

            try await server.stop()
            // Give the client a moment to notice the closed sockets, then every command must fail
            // fast with a connection error instead of hanging until a timeout.
            try await Task.sleep(for: .milliseconds(100))
            for _ in 0..<20 {
                let started = ContinuousClock.now
                let error = await #expect(throws: RedisError.self) { try await client.send("GET", "{r}:before") }
                #expect(error?.code == .connectionUnavailable || error?.code == .connectionClosed, "got \(String(describing: error))")
                #expect(ContinuousClock.now - started < .milliseconds(500))
                try await Task.sleep(for: .milliseconds(10))
            }

            try await server.start()
            let reply = try await Self.retrying(for: .seconds(5)) { try await client.send("PING") }
            #expect(reply == .simpleString("PONG"))
            // The restarted server kept no data: this answer really comes from the new process.
            #expect(try await client.send("GET", "{r}:before") == .null)
            try await client.send("SET", "{r}:after", "2")
            #expect(try await client.send("GET", "{r}:after").string == "2")
        }
        try await server.stop()
    }

    /// Retries `body` on connection-level errors until it succeeds or `limit` has passed.
    private static func retrying<T>(for limit: Duration, _ body: () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + limit
        while true {
            do {
                return try await body()
            } catch let error as RedisError where error.code != .serverError && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(25))
            }
        }
    }
}
