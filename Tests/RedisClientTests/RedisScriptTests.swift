import RedisClient
import TestSupport
import Testing

@Suite("Lua scripts", .enabled(if: RedisTestEnvironment.sharedServerTestsEnabled))
struct RedisScriptTests {
    static let incrementAndRead = RedisScript(
        """
        local value = redis.call('INCRBY', KEYS[1], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return {value, redis.call('PTTL', KEYS[1]) > 0 and 1 or 0}
        """)

    @Test func firstCallLoadsTheScriptAndLaterCallsUseItsDigest() async throws {
        let prefix = RedisTestEnvironment.uniquePrefix()
        // A script unique to this run, so it cannot already be cached on the shared server.
        let script = RedisScript("return {KEYS[1], ARGV[1], '\(prefix)'}")
        try await RedisClient.withRunningClient(configuration: try RedisTestEnvironment.sharedConfiguration()) { client in
            #expect(try await client.send("SCRIPT", "EXISTS", script.sha1) == .array([.integer(0)]))
            let reply = try await client.evalScript(script, keys: [prefix + "k"], args: ["arg"])
            #expect(reply.array?.compactMap(\.string) == [prefix + "k", "arg", prefix])
            #expect(try await client.send("SCRIPT", "EXISTS", script.sha1) == .array([.integer(1)]))

            let counter = try await client.evalScript(Self.incrementAndRead, keys: [prefix + "n"], args: [5, 60_000])
            #expect(counter == .array([.integer(5), .integer(1)]))
            let again = try await client.evalScript(Self.incrementAndRead, keys: [prefix + "n"], args: [2, 60_000])
            #expect(again == .array([.integer(7), .integer(1)]))
            try await client.send("DEL", prefix + "n")
        }
    }

    @Test func errorsRaisedByAScriptAreThrownWithTheirText() async throws {
        let script = RedisScript("return redis.error_reply('SESSION_LOCKED try again later')")
        try await RedisClient.withRunningClient(configuration: try RedisTestEnvironment.sharedConfiguration()) { client in
            let error = await #expect(throws: RedisError.self) { try await client.evalScript(script) }
            #expect(error?.code == .serverError)
            #expect(error?.serverMessage?.contains("SESSION_LOCKED try again later") == true)
        }
    }
}

/// `SCRIPT FLUSH` would disturb other suites on the shared server, so this runs on its own one.
@Suite("Lua scripts after SCRIPT FLUSH", .enabled(if: RedisTestEnvironment.ownServerTestsEnabled))
struct RedisScriptFlushTests {
    @Test func reloadsTransparentlyAfterTheCacheIsFlushed() async throws {
        let server = try await RedisServerProcess(binary: try RedisTestEnvironment.requireServerBinary())
        let script = RedisScript("return redis.call('INCR', KEYS[1])")
        try await RedisClient.withRunningClient(configuration: server.configuration) { client in
            let first = try await client.evalScript(script, keys: ["{s}:n"])
            #expect(first == .integer(1))
            try await client.send("SCRIPT", "FLUSH")
            #expect(try await client.send("SCRIPT", "EXISTS", script.sha1) == .array([.integer(0)]))

            #expect(try await client.evalScript(script, keys: ["{s}:n"]) == .integer(2))
            #expect(try await client.send("SCRIPT", "EXISTS", script.sha1) == .array([.integer(1)]))
        }
        try await server.stop()
    }
}
