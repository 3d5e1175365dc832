import RedisClient
import TestSupport
import Testing

extension RedisClusterTests {
    @Suite("MOVED and ASK")
    struct Redirections {
        /// A fresh key's slot, its owner and another primary to move it to.
        private static func slotAndNodes(
            _ configuration: RedisConfiguration, tag: String
        ) async throws -> (slot: Int, source: ClusterNode, target: ClusterNode, primaries: [ClusterNode]) {
            let primaries = try await ClusterAdmin.primaries(seeds: configuration.clusterNodes)
            let slot = HashSlot.of(tag)
            let source = try #require(primaries.first { $0.slots.contains { $0.contains(slot) } })
            let target = try #require(primaries.first { $0 != source })
            return (slot, source, target, primaries)
        }

        @Test func aMovedSlotIsFollowedAndTheSlotMapUpdated() async throws {
            let configuration = try ClusterTestEnvironment.configuration()
            let tag = ClusterTestEnvironment.uniqueTag("moved")
            let (slot, source, target, primaries) = try await Self.slotAndNodes(configuration, tag: tag)
            try await RedisClient.withRunningClient(configuration: configuration) { client in
                try await client.send("SET", tag + ":a", "before", "EX", 300)
                let statistics = try #require(client.clusterStatistics)
                let movedBefore = statistics.movedRedirections

                // Behind the client's back: its slot map still names the source.
                try await ClusterAdmin.moveSlot(slot, from: source, to: target, allPrimaries: primaries)

                #expect(try await client.send("GET", tag + ":a").string == "before")
                #expect(statistics.movedRedirections == movedBefore + 1)
                // The new owner is recorded: the next command goes there directly.
                try await client.send("SET", tag + ":b", "after", "EX", 300)
                #expect(try await client.send("GET", tag + ":b").string == "after")
                #expect(statistics.movedRedirections == movedBefore + 1)
                let onTarget = try await ClusterAdmin.onNode(target.address) { try await $0.send("GET", tag + ":b").string }
                #expect(onTarget == "after")
            }
        }

        @Test func askDuringAMigrationReachesTheImportingNodeOnce() async throws {
            let configuration = try ClusterTestEnvironment.configuration()
            let tag = ClusterTestEnvironment.uniqueTag("ask")
            let (slot, source, target, primaries) = try await Self.slotAndNodes(configuration, tag: tag)
            try await RedisClient.withRunningClient(configuration: configuration) { client in
                try await client.send("SET", tag + ":old", "on-source", "EX", 300)
                let statistics = try #require(client.clusterStatistics)
                let askBefore = statistics.askRedirections
                let movedBefore = statistics.movedRedirections

                try await ClusterAdmin.beginMigration(slot, from: source, to: target)
                // A key still on the source is served there; a new one is sent on with ASK.
                #expect(try await client.send("GET", tag + ":old").string == "on-source")
                #expect(statistics.askRedirections == askBefore)
                try await client.send("SET", tag + ":new", "on-target", "EX", 300)
                #expect(statistics.askRedirections == askBefore + 1)
                #expect(try await client.send("GET", tag + ":new").string == "on-target")
                #expect(statistics.askRedirections == askBefore + 2)
                // ASK does not change the slot map.
                #expect(statistics.movedRedirections == movedBefore)
                let onTarget = try await ClusterAdmin.onNode(target.address) { node in
                    try await node.pipeline([["ASKING"], ["GET", tag + ":new"]]).last?.string
                }
                #expect(onTarget == "on-target")

                try await ClusterAdmin.migrateKeys(slot, from: source, to: target)
                try await ClusterAdmin.finishMigration(slot, to: target, allPrimaries: primaries)
                #expect(try await client.send("GET", tag + ":old").string == "on-source")
                #expect(try await client.send("GET", tag + ":new").string == "on-target")
                #expect(statistics.movedRedirections == movedBefore + 1)
            }
        }

        @Test func aPipelineFollowsRedirectionsPerCommand() async throws {
            let configuration = try ClusterTestEnvironment.configuration()
            let tag = ClusterTestEnvironment.uniqueTag("pipe")
            let steady = ClusterTestEnvironment.uniqueTag("steady")
            let (slot, source, target, primaries) = try await Self.slotAndNodes(configuration, tag: tag)
            try await RedisClient.withRunningClient(configuration: configuration) { client in
                _ = try await client.pipeline([["SET", tag + ":a", "1", "EX", 300], ["SET", steady, "2", "EX", 300]])
                try await ClusterAdmin.moveSlot(slot, from: source, to: target, allPrimaries: primaries)
                let replies = try await client.pipeline([["GET", tag + ":a"], ["GET", steady], ["INCR", tag + ":a"]])
                #expect(replies == [.bulkString(Array("1".utf8)), .bulkString(Array("2".utf8)), .integer(2)])
            }
        }
    }
}
