import Logging
import NIOCore
import NIOPosix
import Testing

@testable import RedisClient

@Suite("Connection pool: event loop affinity")
struct RedisPoolAffinityTests {
    /// Runs `body` with a pool of `size` connected slots over two event loops.
    func withConnectedPool(size: Int, _ body: (RedisConnectionPool, [any EventLoop]) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let pool = RedisConnectionPool(configuration: try RedisTestEnvironment.sharedConfiguration(poolSize: size), eventLoopGroup: group)
        pool.prepareFirstAttempts()
        let runner = Task { await pool.run(logger: Logger(label: "test")) }
        for _ in 0..<500 {
            if pool.slots.allSatisfy({ if case .ready = $0.lease() { true } else { false } }) { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(pool.slots.allSatisfy({ if case .ready = $0.lease() { true } else { false } }), "every slot connects")
        try await body(pool, Array(group.makeIterator()))
        pool.shutDown()
        runner.cancel()
        await runner.value
        try await group.shutdownGracefully()
    }

    @Test(.enabled(if: RedisTestEnvironment.sharedServerTestsEnabled))
    func commandsFromAnEventLoopUseConnectionsOnThatLoop() async throws {
        try await withConnectedPool(size: 4) { pool, loops in
            for loop in loops {
                var ids = Set<Int>()
                for _ in 0..<8 {
                    let connection = try await loop.submit { () -> RedisConnection? in
                        guard case .ready(let connection) = pool.pick() else { return nil }
                        return connection
                    }.get()
                    let picked = try #require(connection)
                    #expect(picked.eventLoop === loop, "the reply must not wake another thread")
                    ids.insert(picked.id)
                }
                #expect(ids.count == 2, "the loop's two connections take turns: \(ids)")
            }
        }
    }

    @Test(.enabled(if: RedisTestEnvironment.sharedServerTestsEnabled))
    func commandsFromElsewhereGoRoundRobin() async throws {
        try await withConnectedPool(size: 4) { pool, _ in
            var ids: [Int] = []
            for _ in 0..<8 {
                guard case .ready(let connection) = pool.pick() else {
                    Issue.record("no connection")
                    return
                }
                ids.append(connection.id)
            }
            #expect(Set(ids).count == 4, "every connection takes a share: \(ids)")
        }
    }
}
