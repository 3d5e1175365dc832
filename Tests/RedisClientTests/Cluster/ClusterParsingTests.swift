import Testing

@testable import RedisClient

/// The cluster client's pure parts: URLs, key positions, redirections and the slot map.
@Suite("Cluster parsing")
struct ClusterParsingTests {
    @Test func readsTheClusterURLsSeedNodes() throws {
        let configuration = try RedisConfiguration(url: "redis+cluster://:s3cret@10.0.0.1:7000,10.0.0.2,[::1]:7002")
        #expect(configuration.isCluster)
        #expect(configuration.clusterNodes == [
            RedisNodeAddress(host: "10.0.0.1", port: 7000), RedisNodeAddress(host: "10.0.0.2", port: 6379),
            RedisNodeAddress(host: "::1", port: 7002),
        ])
        #expect(configuration.password == "s3cret")
        #expect(try RedisConfiguration(url: "redis://h:1").isCluster == false)
    }

    @Test(arguments: [
        "redis+cluster://", "redis+cluster://h1:1,", "redis+cluster://h1:1,:2", "redis+cluster://h1:x",
        "redis+cluster://h1:1/3", "rediscluster://h1:1",
    ])
    func rejectsMalformedClusterURLs(_ url: String) {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("redis+cluster://") == true)
    }

    @Test func neverEchoesAClusterPassword() {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis+cluster://u:hunter2@h:1,h:bad") }
        #expect(error?.message.contains("hunter2") == false)
    }

    @Test func aClusterHasOnlyDatabaseZero() {
        var configuration = RedisConfiguration(clusterNodes: [RedisNodeAddress(host: "h", port: 1)])
        configuration.database = 2
        let error = #expect(throws: RedisError.self) { try configuration.validate() }
        #expect(error?.message.contains("`database`") == true)
    }

    @Test func findsTheKeysOfEachCommandShape() {
        func keys(_ command: RedisCommand) -> [String] {
            CommandKeys.keys(of: command).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(keys(["GET", "a"]) == ["a"])
        #expect(keys(["get", "a"]) == ["a"])
        #expect(keys(["PING"]).isEmpty)
        #expect(keys(["SCRIPT", "LOAD", "return 1"]).isEmpty)
        #expect(keys(["DEL", "a", "b", "c"]) == ["a", "b", "c"])
        #expect(keys(["MSET", "a", "1", "b", "2"]) == ["a", "b"])
        #expect(keys(["BLPOP", "a", "b", "0"]) == ["a", "b"])
        #expect(keys(["LMOVE", "a", "b", "LEFT", "RIGHT"]) == ["a", "b"])
        #expect(keys(["EVALSHA", "abc", "2", "k1", "k2", "arg"]) == ["k1", "k2"])
        #expect(keys(["EVAL", "return 1", "0", "arg"]).isEmpty)
        #expect(keys(["EVAL", "return 1", "x"]).isEmpty)
    }

    @Test func readsMovedAndAskRedirections() {
        let responder = RedisNodeAddress(host: "10.0.0.9", port: 7000)
        let moved = ClusterRedirection(errorText: "MOVED 3999 127.0.0.1:6381", from: responder)
        #expect(moved == ClusterRedirection(kind: .moved, slot: 3999, node: RedisNodeAddress(host: "127.0.0.1", port: 6381)))
        let ask = ClusterRedirection(errorText: "ASK 12 :7002", from: responder)
        #expect(ask?.kind == .ask)
        #expect(ask?.node == RedisNodeAddress(host: "10.0.0.9", port: 7002))
        #expect(ClusterRedirection(errorText: "MOVED 16384 h:1", from: responder) == nil)
        #expect(ClusterRedirection(errorText: "ERR MOVED something", from: responder) == nil)
    }

    @Test func buildsTheSlotMapFromClusterSlots() throws {
        func node(_ host: String, _ port: Int) -> RESPValue {
            .array([.bulkString(Array(host.utf8)), .integer(port), .bulkString(Array("id".utf8))])
        }
        let reply = RESPValue.array([
            .array([.integer(0), .integer(5460), node("", 7000), node("127.0.0.1", 7003)]),
            .array([.integer(5461), .integer(10922), node("127.0.0.1", 7001)]),
            .array([.integer(10923), .integer(16000), node("127.0.0.1", 7002)]),
        ])
        let responder = RedisNodeAddress(host: "127.0.0.1", port: 7000)
        var topology = try ClusterTopology(slotsReply: reply, respondingNode: responder)
        #expect(topology.primaries.map(\.port) == [7000, 7001, 7002])
        #expect(topology.allNodes.count == 4)
        #expect(topology.owner(ofSlot: 0) == responder)
        #expect(topology.owner(ofSlot: 10922)?.port == 7001)
        #expect(topology.owner(ofSlot: 16001) == nil)
        #expect(topology.coveredSlotCount == 16_001)
        topology.assign(slot: 16001, to: RedisNodeAddress(host: "127.0.0.1", port: 7009))
        #expect(topology.owner(ofSlot: 16001)?.port == 7009)
        #expect(throws: RedisError.self) {
            try ClusterTopology(slotsReply: .array([.array([.integer(1)])]), respondingNode: responder)
        }
    }
}
