import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// An async Redis client over a small pool of pipelined connections.
///
/// It is a `Service`: `run()` opens the connections and keeps them open (reconnecting with
/// backoff) until graceful shutdown or cancellation. Commands may be sent from any task while
/// it runs; while Redis is unreachable they fail at once with
/// ``RedisError/Code-swift.struct/connectionUnavailable`` instead of waiting.
///
/// With ``RedisConfiguration/clusterNodes`` set (a `redis+cluster://` URL) the same API talks to
/// a Redis Cluster: each command goes to the primary owning its keys' hash slot, over one pool
/// per primary, following `MOVED`/`ASK` (see `Cluster/`).
public final class RedisClient: Service, Sendable {
    public let configuration: RedisConfiguration
    private let backend: Backend
    private let logger: Logger
    private let hasStarted = Atomic<Bool>(false)

    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "sessionrank.redis")
    ) throws(RedisError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        let tls: RedisTLSContext?
        do {
            tls = try configuration.tls?.makeContext()
        } catch {
            throw RedisError(code: .invalidConfiguration, message: "Invalid Redis TLS configuration: \(error)")
        }
        if configuration.isCluster {
            backend = .cluster(ClusterRouter(configuration: configuration, tls: tls, eventLoopGroup: eventLoopGroup, logger: logger))
        } else {
            backend = .standalone(RedisConnectionPool(configuration: configuration, tls: tls, eventLoopGroup: eventLoopGroup))
        }
    }

    fileprivate enum Backend: Sendable {
        case standalone(RedisConnectionPool)
        case cluster(ClusterRouter)
    }

    /// Routing counters when this client talks to a Redis Cluster; nil for a standalone server.
    public var clusterStatistics: ClusterStatistics? {
        if case .cluster(let router) = backend { router.statistics } else { nil }
    }

    /// Keeps the connections open until graceful shutdown or cancellation, then closes them;
    /// commands still in flight then fail with ``RedisError/Code-swift.struct/clientShutdown``.
    /// A client runs once.
    public func run() async throws {
        try markStarted()
        await runStarted()
    }

    /// Runs a client for the duration of `body`, for tests and tools without a ServiceGroup.
    /// Commands sent by `body` right away wait for the first connection instead of racing it.
    public static func withRunningClient<Result: Sendable>(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "sessionrank.redis"),
        _ body: (RedisClient) async throws -> Result
    ) async throws -> Result {
        let client = try RedisClient(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
        try client.markStarted()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.runStarted() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// The synchronous half of `run()`: claims the single run and lets commands wait for the first
    /// connections from now on, even before the connection tasks are scheduled.
    private func markStarted() throws(RedisError) {
        guard hasStarted.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else {
            throw RedisError(
                code: .clientAlreadyStarted,
                message: "RedisClient.run() was called twice; a client runs once. Create a new client instead.")
        }
        // A cluster client's pools are made (and prepared) as the slot map names their nodes.
        if case .standalone(let pool) = backend { pool.prepareFirstAttempts() }
    }

    private func runStarted() async {
        logger.info(
            "Starting Redis client",
            metadata: [
                "redis.peer": "\(peerDescription)", "redis.pool_size": "\(configuration.poolSize)",
                "redis.tls": "\(configuration.tls.map { "verify-\($0.verification.rawValue)" } ?? "off")",
            ])
        let backend = self.backend
        let logger = self.logger
        // Graceful shutdown becomes cancellation so backoff sleeps end at once.
        await cancelWhenGracefulShutdown {
            await withTaskCancellationHandler {
                switch backend {
                case .standalone(let pool): await pool.run(logger: logger)
                case .cluster(let router): await router.run()
                }
            } onCancel: {
                backend.shutDown()
            }
        }
        // Also when the loops ended some other way: never leave sockets open behind a stopped client.
        backend.shutDown()
        logger.info("Stopped Redis client")
    }

    // MARK: Commands

    /// Sends one command, e.g. `try await client.send("SET", key, value)`.
    /// An error reply is thrown as ``RedisError`` with code `serverError` and the server's text.
    /// A command already written cannot be recalled, so cancelling the calling task does not end
    /// the wait early; the command timeout bounds it.
    @discardableResult
    public func send<each Argument: RedisArgument>(
        _ command: String, _ arguments: repeat each Argument
    ) async throws(RedisError) -> RESPValue {
        try await send(RedisCommand(command, repeat each arguments))
    }

    /// Sends one prepared command; `timeout` overrides the configured command timeout (e.g. for
    /// blocking commands such as `BLPOP`).
    @discardableResult
    public func send(_ command: RedisCommand, timeout: Duration? = nil) async throws(RedisError) -> RESPValue {
        let pool: RedisConnectionPool
        switch backend {
        case .standalone(let standalone): pool = standalone
        case .cluster(let router):
            return try await router.send(command, slot: ClusterRouter.slot(of: command), timeout: timeout ?? configuration.commandTimeout)
        }
        let connection = try await pool.connection()
        let reply = try await Self.result(of: connection.send(command, timeout: timeout ?? configuration.commandTimeout))
        if case .error(let text) = reply { throw RedisError.server(text) }
        return reply
    }

    /// Sends all commands in one write on one connection and returns their replies in order.
    /// Error replies are returned as `.error` values rather than thrown, so the other results
    /// stay available. The timeout covers the whole pipeline. Not a transaction: use
    /// `MULTI`/`EXEC` inside the pipeline, or a script, when the commands must be atomic.
    ///
    /// With a Redis Cluster the commands are grouped by node, one pipeline per node, and the
    /// replies come back in the caller's order. A command whose own keys span slots, or a batch
    /// with `MULTI` whose keys span slots, throws ``RedisError/Code-swift.struct/crossSlot`` before
    /// anything is sent.
    public func pipeline(_ commands: [RedisCommand], timeout: Duration? = nil) async throws(RedisError) -> [RESPValue] {
        let pool: RedisConnectionPool
        switch backend {
        case .standalone(let standalone): pool = standalone
        case .cluster(let router): return try await router.pipeline(commands, timeout: timeout ?? configuration.commandTimeout)
        }
        let connection = try await pool.connection()
        return try await Self.result(of: connection.send(batch: commands, timeout: timeout ?? configuration.commandTimeout))
    }

    /// Checks that Redis answers, for health endpoints. A cluster client pings every primary,
    /// so it fails while any slot's primary is unreachable.
    public func ping() async throws(RedisError) {
        let replies: [RESPValue]
        switch backend {
        case .standalone: replies = [try await send("PING")]
        case .cluster(let router): replies = try await router.sendToAllPrimaries(["PING"], timeout: configuration.commandTimeout)
        }
        for reply in replies where reply.string != "PONG" {
            throw RedisError(code: .unexpectedReply, message: "Redis answered PING with \(reply) instead of PONG.")
        }
    }

    /// Sends `command` to every primary of a cluster, or to the one standalone server
    /// (e.g. `SCRIPT LOAD`, `FLUSHDB`). Error replies are thrown.
    public func sendToAllPrimaries(_ command: RedisCommand) async throws(RedisError) -> [RESPValue] {
        switch backend {
        case .standalone: return [try await send(command)]
        case .cluster(let router): return try await router.sendToAllPrimaries(command, timeout: configuration.commandTimeout)
        }
    }

    private var peerDescription: String {
        configuration.isCluster
            ? "cluster " + configuration.clusterNodes.map(\.description).joined(separator: ",")
            : "\(configuration.host):\(configuration.port)"
    }

    private static func result<Value: Sendable>(of future: EventLoopFuture<Value>) async throws(RedisError) -> Value {
        do {
            return try await future.get()
        } catch let error as RedisError {
            throw error
        } catch {
            throw RedisError(code: .connectionClosed, message: "The Redis command failed: \(error)")
        }
    }
}

extension RedisClient.Backend {
    fileprivate func shutDown() {
        switch self {
        case .standalone(let pool): pool.shutDown()
        case .cluster(let router): router.shutDown()
        }
    }
}
