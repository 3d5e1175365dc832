import Logging
import RedisClient
import ServiceLifecycle
import Testing

@Suite("Client lifecycle")
struct RedisLifecycleTests {
    @Test func commandsBeforeRunFailWithAnExplanation() async throws {
        let configuration = RedisConfiguration(port: 1, connectTimeout: .milliseconds(50))
        let client = try RedisClient(configuration: configuration)
        let error = await #expect(throws: RedisError.self) { try await client.send("PING") }
        #expect(error?.code == .clientNotRunning)
        #expect(error?.message.contains("ServiceGroup") == true)
    }

    @Test func commandsFailFastWhenNothingListens() async throws {
        // Port 1 on loopback is closed, so every attempt is refused at once.
        let configuration = RedisConfiguration(
            port: 1, poolSize: 2, connectTimeout: .seconds(30), reconnectBackoffMin: .milliseconds(10))
        try await RedisClient.withRunningClient(configuration: configuration) { client in
            let started = ContinuousClock.now
            let error = await #expect(throws: RedisError.self) { try await client.send("PING") }
            #expect(error?.code == .connectionUnavailable)
            #expect(error?.message.contains("127.0.0.1:1") == true)
            // Generous for loaded CI machines; hanging would mean waiting for ever.
            #expect(ContinuousClock.now - started < .seconds(5), "a refused connection must not hang")
        }
    }

    @Test(.enabled(if: RedisTestEnvironment.sharedServerTestsEnabled))
    func gracefulShutdownClosesConnectionsAndEndsRun() async throws {
        let client = try RedisClient(configuration: try RedisTestEnvironment.sharedConfiguration(poolSize: 2))
        let group = ServiceGroup(
            configuration: .init(services: [client], gracefulShutdownSignals: [], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // run() starts in a child task; wait until the client accepts commands.
            var reply: RESPValue?
            for _ in 0..<100 where reply == nil {
                reply = try? await client.send("PING")
                if reply == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(reply == .simpleString("PONG"))

            let shutdownStarted = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()  // run() must return, not hang in a backoff sleep
            // Generous for a loaded two-core machine; a backoff sleep would take far longer.
            #expect(ContinuousClock.now - shutdownStarted < .seconds(8))
        }
        let error = await #expect(throws: RedisError.self) { try await client.send("PING") }
        #expect(error?.code == .clientShutdown)
    }

    @Test(.enabled(if: RedisTestEnvironment.sharedServerTestsEnabled))
    func cancellingRunStopsTheClientAndItCannotRunTwice() async throws {
        let client = try RedisClient(configuration: try RedisTestEnvironment.sharedConfiguration(poolSize: 1))
        let run = Task { try await client.run() }
        #expect(try await client.send("PING") == .simpleString("PONG"))
        run.cancel()
        try await run.value
        let error = await #expect(throws: RedisError.self) { try await client.send("PING") }
        #expect(error?.code == .clientShutdown)
        let again = await #expect(throws: RedisError.self) { try await client.run() }
        #expect(again?.code == .clientAlreadyStarted)
    }
}
