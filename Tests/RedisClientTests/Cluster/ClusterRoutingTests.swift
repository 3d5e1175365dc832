import RedisClient
import TestSupport
import Testing

/// Every cluster suite nests in this one: they move slots and kill primaries, so they run one at
/// a time even when the rest of the tests run in parallel.
@Suite("Redis Cluster", .serialized, .enabled(if: ClusterTestEnvironment.enabled))
struct RedisClusterTests {}

extension RedisClusterTests {
    @Suite("Slots and routing")
    struct Routing {
        @Test func hashSlotsMatchTheKnownCRC16AndTheServersKeyslot() async throws {
            // The CRC16/XMODEM check value of "123456789" is 0x31C3.
            #expect(HashSlot.of("123456789") == 0x31C3 % 16_384)
            let configuration = try ClusterTestEnvironment.configuration()
            let keys = [
                "", "a", "foo", "session:{42}:meta", "{user1000}.following", "{user1000}.followers", "foo{}{bar}",
                "foo{{bar}}zap", "foo{bar}{zap}", "{}", "}{", "ünïcode-🙂",
            ] + (0..<200).map { "key:\($0):\(UInt32.random(in: 0...UInt32.max))" }
            try await ClusterAdmin.onNode(configuration.clusterNodes[0]) { node in
                for key in keys {
                    let serverSlot = try await node.send("CLUSTER", "KEYSLOT", key).int
                    #expect(HashSlot.of(key) == serverSlot, "slot of '\(key)'")
                }
            }
            #expect(HashSlot.of("{user1000}.following") == HashSlot.of("{user1000}.followers"))
            #expect(HashSlot.of("foo{bar}{zap}") == HashSlot.of("bar"))
        }

        @Test func keysAreStoredOnThePrimaryOwningTheirSlotAcrossAllThree() async throws {
            let configuration = try ClusterTestEnvironment.configuration()
            let prefix = ClusterTestEnvironment.uniqueTag("routing")
            let keys = (0..<120).map { "\(prefix.dropFirst().dropLast()):\($0)" }  // no hash tag: spread over slots
            try await RedisClient.withRunningClient(configuration: configuration) { client in
                for key in keys { try await client.send("SET", key, "v-\(key)", "EX", 300) }
                for key in keys { #expect(try await client.send("GET", key).string == "v-\(key)") }
            }
            // Each key sits on the primary that CLUSTER NODES says owns its slot: asked directly,
            // that node answers without a redirection.
            let primaries = try await ClusterAdmin.primaries(seeds: configuration.clusterNodes)
            #expect(primaries.count == 3)
            var used = Set<String>()
            for key in keys {
                let slot = HashSlot.of(key)
                let owner = try #require(primaries.first { $0.slots.contains { $0.contains(slot) } })
                used.insert(owner.id)
                let value = try await ClusterAdmin.onNode(owner.address) { try await $0.send("GET", key).string }
                #expect(value == "v-\(key)", "\(key) on \(owner.address)")
            }
            #expect(used.count == 3, "120 keys should reach all three primaries")
        }

        @Test func aCommandWhoseKeysSpanSlotsIsRefusedBeforeAnythingIsSent() async throws {
            let configuration = try ClusterTestEnvironment.configuration()
            let first = ClusterTestEnvironment.uniqueTag("a") + ":x"
            var second = ClusterTestEnvironment.uniqueTag("b") + ":y"
            while HashSlot.of(second) == HashSlot.of(first) { second = ClusterTestEnvironment.uniqueTag("b") + ":y" }
            try await RedisClient.withRunningClient(configuration: configuration) { client in
                let error = await #expect(throws: RedisError.self) {
                    try await client.send("MSET", first, "1", second, "2")
                }
                #expect(error?.code == .crossSlot)
                #expect(error?.message.contains(first) == true && error?.message.contains(second) == true)
                #expect(error?.message.contains("slot \(HashSlot.of(second))") == true)

                // A transaction over two slots: nothing of it runs.
                let transaction = await #expect(throws: RedisError.self) {
                    try await client.pipeline([
                        ["MULTI"], ["SET", first, "1"], ["SET", second, "2"], ["EXEC"],
                    ])
                }
                #expect(transaction?.code == .crossSlot)
                #expect(try await client.send("EXISTS", first) == .integer(0))
                #expect(try await client.send("EXISTS", second) == .integer(0))

                // One slot: the transaction runs.
                let together = ClusterTestEnvironment.uniqueTag("t")
                let replies = try await client.pipeline([
                    ["MULTI"], ["SET", together + ":a", "1"], ["INCR", together + ":b"], ["EXEC"],
                ])
                #expect(replies.last == .array([.simpleString("OK"), .integer(1)]))
                try await client.send("DEL", together + ":a", together + ":b")
            }
        }

        @Test func aPipelineOverManyNodesKeepsTheCallersOrder() async throws {
            let configuration = try ClusterTestEnvironment.configuration()
            let tags = (0..<30).map { ClusterTestEnvironment.uniqueTag("p\($0)") }
            try await RedisClient.withRunningClient(configuration: configuration) { client in
                let writes = try await client.pipeline(tags.enumerated().map { ["SET", $1 + ":v", $0, "EX", 300] })
                #expect(writes.allSatisfy { $0 == .simpleString("OK") })
                var reads: [RedisCommand] = tags.map { ["GET", $0 + ":v"] }
                reads.insert(["PING"], at: 10)
                let replies = try await client.pipeline(reads)
                #expect(replies[10] == .simpleString("PONG"))
                var values = replies.map(\.int)
                values.remove(at: 10)
                #expect(values == Array(0..<30))
            }
        }

        @Test func scriptsRunOnTheOwningNodeAndReloadAfterAFlush() async throws {
            let configuration = try ClusterTestEnvironment.configuration()
            let tag = ClusterTestEnvironment.uniqueTag("script")
            // Unique per run, so no node has it cached yet.
            let script = RedisScript("redis.call('SET', KEYS[1], ARGV[1]); return {redis.call('INCR', KEYS[2]), '\(tag)'}")
            let primaries = try await ClusterAdmin.primaries(seeds: configuration.clusterNodes)
            let owner = try #require(primaries.first { $0.slots.contains { $0.contains(HashSlot.of(tag)) } })
            try await RedisClient.withRunningClient(configuration: configuration) { client in
                // NOSCRIPT on the owner: the client runs the source there instead.
                let reply = try await client.evalScript(script, keys: [tag + ":a", tag + ":n"], args: ["x"])
                #expect(reply == .array([.integer(1), .bulkString(Array(tag.utf8))]))
                let cached = try await ClusterAdmin.onNode(owner.address) { try await $0.send("SCRIPT", "EXISTS", script.sha1) }
                #expect(cached == .array([.integer(1)]))
                #expect(try await client.evalScript(script, keys: [tag + ":a", tag + ":n"], args: ["x"]).array?.first == .integer(2))

                // loadScript puts it on every primary.
                try await client.loadScript(script)
                for primary in primaries {
                    let exists = try await ClusterAdmin.onNode(primary.address) { try await $0.send("SCRIPT", "EXISTS", script.sha1) }
                    #expect(exists == .array([.integer(1)]), "script on \(primary.address)")
                }
                // Keys of two slots in one script call: refused before sending.
                let other = ClusterTestEnvironment.uniqueTag("other")
                if HashSlot.of(other) != HashSlot.of(tag) {
                    let error = await #expect(throws: RedisError.self) {
                        try await client.evalScript(script, keys: [tag + ":a", other + ":n"], args: ["x"])
                    }
                    #expect(error?.code == .crossSlot)
                }
                try await client.send("DEL", tag + ":a", tag + ":n")
            }
        }

        @Test func pingReachesEveryPrimary() async throws {
            try await RedisClient.withRunningClient(configuration: try ClusterTestEnvironment.configuration()) { client in
                try await client.ping()
                #expect(try await client.sendToAllPrimaries(["PING"]).count == 3)
            }
        }
    }
}
