import RedisClient
import Testing

/// Round trips against the shared Redis from `SESSIONRANK_REDIS_URL`.
@Suite("Commands against Redis", .enabled(if: RedisTestEnvironment.sharedServerTestsEnabled))
struct RedisCommandTests {
    @Test func setGetIncrDelRoundTrip() async throws {
        let prefix = RedisTestEnvironment.uniquePrefix()
        try await RedisClient.withRunningClient(configuration: try RedisTestEnvironment.sharedConfiguration()) { client in
            try await client.ping()
            #expect(try await client.send("SET", prefix + "name", "Ada") == .simpleString("OK"))
            #expect(try await client.send("GET", prefix + "name").string == "Ada")
            #expect(try await client.send("INCR", prefix + "count") == .integer(1))
            #expect(try await client.send("INCRBY", prefix + "count", 41) == .integer(42))
            #expect(try await client.send("GET", prefix + "count").int == 42)
            #expect(try await client.send("DEL", prefix + "name", prefix + "count", prefix + "absent") == .integer(2))
            #expect(try await client.send("GET", prefix + "name") == .null)
        }
    }

    @Test func binaryKeysAndValuesSurviveUnchanged() async throws {
        let prefix = RedisTestEnvironment.uniquePrefix()
        let key = Array(prefix.utf8) + [0, 13, 10, 255]
        let value = (0...255).map { UInt8($0) } + Array("\r\n$-1\r\n".utf8) + [0, 0]
        try await RedisClient.withRunningClient(configuration: try RedisTestEnvironment.sharedConfiguration()) { client in
            try await client.send("SET", key, value)
            #expect(try await client.send("GET", key) == .bulkString(value))
            #expect(try await client.send("STRLEN", key) == .integer(value.count))
            try await client.send("SET", prefix + "empty", "")
            #expect(try await client.send("GET", prefix + "empty") == .bulkString([]))
            try await client.send("DEL", key, prefix + "empty")
        }
    }

    @Test func nullAndArrayReplies() async throws {
        let prefix = RedisTestEnvironment.uniquePrefix()
        try await RedisClient.withRunningClient(configuration: try RedisTestEnvironment.sharedConfiguration()) { client in
            try await client.send("SET", prefix + "a", "1")
            let values = try await client.send("MGET", prefix + "a", prefix + "missing")
            #expect(values == .array([.bulkString(Array("1".utf8)), .null]))
            try await client.send("RPUSH", prefix + "list", "x", "y", "z")
            #expect(try await client.send("LRANGE", prefix + "list", 0, -1).array?.compactMap(\.string) == ["x", "y", "z"])
            #expect(try await client.send("LRANGE", prefix + "nothing", 0, -1) == .array([]))
            #expect(try await client.send("HGETALL", prefix + "nothing") == .array([]))
            try await client.send("DEL", prefix + "a", prefix + "list")
        }
    }

    @Test func serverErrorsCarryTheServerText() async throws {
        let prefix = RedisTestEnvironment.uniquePrefix()
        try await RedisClient.withRunningClient(configuration: try RedisTestEnvironment.sharedConfiguration()) { client in
            try await client.send("SET", prefix + "text", "not a number")

            let notInteger = await #expect(throws: RedisError.self) { try await client.send("INCR", prefix + "text") }
            #expect(notInteger?.code == .serverError)
            #expect(notInteger?.serverErrorPrefix == "ERR")
            #expect(notInteger?.serverMessage?.contains("not an integer") == true)
            #expect(notInteger?.message.contains("not an integer") == true)

            let unknown = await #expect(throws: RedisError.self) { try await client.send("NOSUCHCOMMAND", "x") }
            #expect(unknown?.serverMessage?.contains("unknown command") == true)

            try await client.send("RPUSH", prefix + "list", "x")
            let wrongType = await #expect(throws: RedisError.self) { try await client.send("GET", prefix + "list") }
            #expect(wrongType?.serverErrorPrefix == "WRONGTYPE")

            // An error reply must not disturb the connection: the next command gets its own reply.
            #expect(try await client.send("GET", prefix + "text").string == "not a number")
            try await client.send("DEL", prefix + "text", prefix + "list")
        }
    }

    @Test func pipelineReturnsRepliesInOrderWithErrorsInPlace() async throws {
        let prefix = RedisTestEnvironment.uniquePrefix()
        let count = 2_000
        try await RedisClient.withRunningClient(configuration: try RedisTestEnvironment.sharedConfiguration()) { client in
            var commands: [RedisCommand] = (0..<count).map { ["SET", prefix + "\($0)", "value-\($0)"] }
            commands += (0..<count).map { ["GET", prefix + "\($0)"] }
            commands.append(["INCR", prefix + "0"])  // not an integer: an error reply in the middle of the pipeline
            commands.append(["STRLEN", prefix + "1"])

            let replies = try await client.pipeline(commands)

            #expect(replies.count == commands.count)
            #expect(replies[..<count].allSatisfy { $0 == .simpleString("OK") })
            for index in 0..<count where replies[count + index].string != "value-\(index)" {
                Issue.record("GET \(index) got \(replies[count + index])")
                break
            }
            #expect(replies[2 * count].errorMessage?.hasPrefix("ERR") == true)
            #expect(replies[2 * count + 1] == .integer("value-1".utf8.count))
            #expect(try await client.pipeline([]) == [])

            _ = try await client.pipeline((0..<count).map { ["DEL", prefix + "\($0)"] })
        }
    }

    @Test func thousandsOfConcurrentCommandsAllGetTheirOwnReply() async throws {
        let prefix = RedisTestEnvironment.uniquePrefix()
        let tasks = 64
        let rounds = 80  // 64 × 80 × 3 = 15,360 commands
        let configuration = try RedisTestEnvironment.sharedConfiguration(poolSize: 4, commandTimeout: .seconds(10))
        try await RedisClient.withRunningClient(configuration: configuration) { client in
            let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        var mismatches = 0
                        for round in 0..<rounds {
                            let key = prefix + "\(task):\(round)"
                            let value = "v\(task)-\(round)-" + String(repeating: "x", count: (task * round) % 300)
                            _ = try await client.send("INCR", prefix + "counter")
                            try await client.send("SET", key, value)
                            if try await client.send("GET", key).string != value { mismatches += 1 }
                        }
                        return mismatches
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(mismatches == 0)
            #expect(try await client.send("GET", prefix + "counter").int == tasks * rounds)

            var cleanup: [RedisCommand] = [["DEL", prefix + "counter"]]
            for task in 0..<tasks { cleanup.append(RedisCommand("DEL", arguments: (0..<rounds).map { prefix + "\(task):\($0)" })) }
            _ = try await client.pipeline(cleanup)
        }
    }

    @Test func concurrentPipelinesInterleaveWithoutMixingReplies() async throws {
        let prefix = RedisTestEnvironment.uniquePrefix()
        try await RedisClient.withRunningClient(configuration: try RedisTestEnvironment.sharedConfiguration(poolSize: 2)) { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<20 {
                    group.addTask {
                        let key = prefix + "\(task)"
                        let replies = try await client.pipeline([["SET", key, task], ["INCRBY", key, 1000], ["GET", key], ["DEL", key]])
                        #expect(replies == [.simpleString("OK"), .integer(task + 1000), .bulkString(Array("\(task + 1000)".utf8)), .integer(1)])
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
