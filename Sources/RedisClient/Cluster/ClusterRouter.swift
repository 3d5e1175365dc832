import Logging
import NIOCore
import Synchronization

/// The Redis Cluster half of ``RedisClient``: keeps the slot map and one connection pool per
/// primary, and refreshes the map on redirections, on connection failures and periodically.
/// Commands are routed in `ClusterRouter+Commands.swift`.
final class ClusterRouter: Sendable {
    let configuration: RedisConfiguration
    private let tls: RedisTLSContext?
    let statistics = ClusterStatistics()
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let state = Mutex(State())
    /// Pools created after `run()` started are handed to its task group through this stream.
    private let newPools: AsyncStream<RedisConnectionPool>
    private let newPoolsContinuation: AsyncStream<RedisConnectionPool>.Continuation

    /// At most one refresh per this interval, however many failures ask for one.
    static let minimumRefreshGap: Duration = .milliseconds(100)

    private struct State {
        var topology: ClusterTopology?
        var pools: [RedisNodeAddress: RedisConnectionPool] = [:]
        var refreshRequested = true
        var isShutDown = false
    }

    init(configuration: RedisConfiguration, tls: RedisTLSContext?, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.tls = tls
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        (newPools, newPoolsContinuation) = AsyncStream.makeStream(of: RedisConnectionPool.self)
    }

    /// Runs every pool and the refresh loop until cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.refreshLoop() }
            for await pool in newPools {
                group.addTask { await pool.run(logger: self.logger) }
            }
        }
    }

    func shutDown() {
        let pools = state.withLock { state in
            state.isShutDown = true
            return Array(state.pools.values)
        }
        newPoolsContinuation.finish()
        for pool in pools { pool.shutDown() }
    }

    // MARK: Topology

    /// Asks the refresh loop for a new slot map soon (rate-limited); never waits for it.
    func requestRefresh() {
        state.withLock { $0.refreshRequested = true }
    }

    var topology: ClusterTopology? { state.withLock { $0.topology } }

    /// The slot map, waiting (up to the connect timeout) for the first discovery after start-up.
    func currentTopology() async throws(RedisError) -> ClusterTopology {
        let started = ContinuousClock.now
        while true {
            let (topology, isShutDown) = state.withLock { ($0.topology, $0.isShutDown) }
            if isShutDown { throw ConnectionSlot.shutDownError }
            if let topology { return topology }
            guard ContinuousClock.now - started < configuration.connectTimeout * 2 else {
                throw RedisError(
                    code: .connectionUnavailable,
                    message: "No Redis Cluster node answered CLUSTER SLOTS (seeds: "
                        + "\(configuration.clusterNodes.map(\.description).joined(separator: ", "))). Check that the "
                        + "cluster is up and that the client runs (ServiceGroup or withRunningClient).")
            }
            do { try await Task.sleep(for: .milliseconds(5)) } catch {
                throw RedisError(code: .clientNotRunning, message: "Cancelled while waiting for the Redis Cluster slot map.")
            }
        }
    }

    /// Records a `MOVED` at once, so the retry goes to the new owner before the refresh lands.
    func assign(slot: Int, to node: RedisNodeAddress) {
        state.withLock { state in
            var topology = state.topology ?? ClusterTopology()
            topology.assign(slot: slot, to: node)
            state.topology = topology
            state.refreshRequested = true
        }
    }

    /// The pool of `node`, created (and handed to `run()`) on first use.
    func pool(for node: RedisNodeAddress) throws(RedisError) -> RedisConnectionPool {
        let pool: RedisConnectionPool? = state.withLock { state in
            if let pool = state.pools[node] { return pool }
            guard !state.isShutDown else { return nil }
            var nodeConfiguration = configuration
            nodeConfiguration.host = node.host
            nodeConfiguration.port = node.port
            nodeConfiguration.clusterNodes = []
            let pool = RedisConnectionPool(configuration: nodeConfiguration, tls: tls, eventLoopGroup: eventLoopGroup)
            pool.prepareFirstAttempts()
            state.pools[node] = pool
            newPoolsContinuation.yield(pool)
            return pool
        }
        guard let pool else { throw ConnectionSlot.shutDownError }
        return pool
    }

    private func refreshLoop() async {
        var lastRefresh = ContinuousClock.now - configuration.clusterRefreshInterval
        while !Task.isCancelled {
            let now = ContinuousClock.now
            let due = state.withLock { state in
                let due = state.refreshRequested || now - lastRefresh >= configuration.clusterRefreshInterval
                if due { state.refreshRequested = false }
                return due
            }
            if due {
                lastRefresh = now
                await refresh()
            }
            do { try await Task.sleep(for: Self.minimumRefreshGap) } catch { return }
        }
    }

    /// Reads `CLUSTER SLOTS` from the first node that answers: the known primaries through their
    /// pools, then (on a fresh connection) every other known node and the seeds.
    func refresh() async {
        statistics.refreshes.add(1, ordering: .relaxed)
        let (known, pools) = state.withLock { ($0.topology, $0.pools) }
        var candidates = known?.primaries ?? []
        for node in (known?.allNodes ?? []) + configuration.clusterNodes where !candidates.contains(node) {
            candidates.append(node)
        }
        var lastError: RedisError?
        for node in candidates {
            do {
                let reply = try await clusterSlots(from: node, pool: pools[node])
                let topology = try ClusterTopology(slotsReply: reply, respondingNode: node)
                guard topology.coveredSlotCount > 0 else { continue }  // a node that has not joined yet
                install(topology)
                return
            } catch {
                lastError = error
            }
        }
        logger.warning(
            "Cannot refresh the Redis Cluster slot map; no node answered",
            metadata: ["error": "\(lastError?.message ?? "no nodes known")"])
    }

    private func clusterSlots(from node: RedisNodeAddress, pool: RedisConnectionPool?) async throws(RedisError) -> RESPValue {
        let command = RedisCommand("CLUSTER", "SLOTS")
        if let pool, case .ready(let connection) = pool.pick() {
            return try await ClusterRouter.result(of: connection.send(command, timeout: configuration.commandTimeout))
        }
        var nodeConfiguration = configuration
        nodeConfiguration.host = node.host
        nodeConfiguration.port = node.port
        let connection = try await RedisConnection.open(
            id: -1, configuration: nodeConfiguration, tls: tls, eventLoop: eventLoopGroup.next(), logger: logger)
        defer { connection.close(with: ConnectionSlot.shutDownError) }
        return try await ClusterRouter.result(of: connection.send(command, timeout: configuration.commandTimeout))
    }

    /// Swaps in a new slot map; pools of nodes that are no longer primaries are closed.
    private func install(_ topology: ClusterTopology) {
        let (retired, changed) = state.withLock { state in
            let changed = state.topology?.primaries != topology.primaries
            state.topology = topology
            let retired = state.pools.filter { !topology.primaries.contains($0.key) }
            for node in retired.keys { state.pools[node] = nil }
            return (Array(retired.values), changed)
        }
        for pool in retired { pool.shutDown() }
        if changed {
            logger.info(
                "Redis Cluster primaries", metadata: ["redis.primaries": "\(topology.primaries.map(\.description))"])
        }
    }

    static func result<Value: Sendable>(of future: EventLoopFuture<Value>) async throws(RedisError) -> Value {
        do {
            return try await future.get()
        } catch let error as RedisError {
            throw error
        } catch {
            throw RedisError(code: .connectionClosed, message: "The Redis command failed: \(error)")
        }
    }
}

/// Counters of the cluster client's routing work, for tests and diagnostics.
public final class ClusterStatistics: Sendable {
    let moved = Atomic<Int>(0)
    let asked = Atomic<Int>(0)
    let tryAgain = Atomic<Int>(0)
    let refreshes = Atomic<Int>(0)

    /// `MOVED` redirections followed.
    public var movedRedirections: Int { moved.load(ordering: .relaxed) }
    /// `ASK` redirections followed.
    public var askRedirections: Int { asked.load(ordering: .relaxed) }
    /// `TRYAGAIN` replies (multi-key commands during a slot migration) retried.
    public var tryAgainRetries: Int { tryAgain.load(ordering: .relaxed) }
    /// Slot map refreshes started.
    public var topologyRefreshes: Int { refreshes.load(ordering: .relaxed) }
}
