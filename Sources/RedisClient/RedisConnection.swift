import Logging
import NIOCore
import NIOPosix

/// One TCP connection to Redis with its protocol handler. Safe to use from any thread: requests
/// hop onto the connection's event loop, where the handler owns all mutable state.
final class RedisConnection: Sendable {
    let id: Int
    let channel: any Channel
    private let handler: NIOLoopBound<RedisChannelHandler>

    private init(id: Int, channel: any Channel, handler: NIOLoopBound<RedisChannelHandler>) {
        self.id = id
        self.channel = channel
        self.handler = handler
    }

    var eventLoop: any EventLoop { channel.eventLoop }
    var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    /// Opens the socket, with `tls` completes the TLS handshake, then authenticates and selects
    /// the database if configured.
    static func open(
        id: Int, configuration: RedisConfiguration, tls: RedisTLSContext?, eventLoop: any EventLoop, logger: Logger
    ) async throws(RedisError) -> RedisConnection {
        let peer = "\(configuration.host):\(configuration.port)"
        let connection: RedisConnection
        let handshake = tls.map { _ in eventLoop.makePromise(of: Void.self) }
        do {
            connection = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(TimeAmount(configuration.connectTimeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        if let tls, let handshake {
                            try pipeline.addHandler(tls.makeHandler(host: configuration.host))
                            try pipeline.addHandler(TLSHandshakeWaiter(handshake: handshake))
                        }
                        try pipeline.addHandler(RedisChannelHandler(peerDescription: peer, unresponsiveLimit: configuration.unresponsiveLimit))
                    }
                }
                .connect(host: configuration.host, port: configuration.port)
                .flatMapThrowing { channel in
                    // Runs on the channel's event loop, so the handler may be bound to it here.
                    let handler = try channel.pipeline.syncOperations.handler(type: RedisChannelHandler.self)
                    return RedisConnection(id: id, channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
                .get()
        } catch {
            handshake?.fail(error)  // a promise must not be dropped unfulfilled
            throw RedisError(
                code: .connectionUnavailable,
                message: "Cannot connect to Redis at \(peer) (\(error)). Check that redis-server is running and "
                    + "reachable; the client keeps retrying with backoff.")
        }
        if let handshake {
            try await connection.awaitHandshake(handshake.futureResult, peer: peer, timeout: configuration.connectTimeout)
        }
        do {
            try await connection.handshake(configuration)
        } catch {
            connection.close(with: error)
            throw error
        }
        logger.debug("Opened Redis connection", metadata: ["redis.connection": "\(id)", "redis.peer": "\(peer)"])
        return connection
    }

    /// Sends one command; the future fails with a `RedisError` if no reply arrives by the deadline.
    func send(_ command: RedisCommand, timeout: Duration) throws(RedisError) -> EventLoopFuture<RESPValue> {
        let bytes = try RESPCommandEncoder.encode(command, allocator: channel.allocator)
        let promise = eventLoop.makePromise(of: RESPValue.self)
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        onEventLoop { handler in handler.enqueue(bytes, promise: promise, deadline: deadline) }
        return promise.futureResult
    }

    /// Sends all commands in one write; the future holds their replies in order. Error replies
    /// stay in the array as `.error` so one failing command does not hide the others' results.
    func send(batch commands: [RedisCommand], timeout: Duration) throws(RedisError) -> EventLoopFuture<[RESPValue]> {
        if commands.isEmpty { return eventLoop.makeSucceededFuture([]) }
        var bytes = channel.allocator.buffer(capacity: commands.count * 32)
        for command in commands {
            try RESPCommandEncoder.encode(command, into: &bytes)
        }
        let promise = eventLoop.makePromise(of: [RESPValue].self)
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let count = commands.count
        let payload = bytes
        onEventLoop { handler in handler.enqueue(payload, replyCount: count, promise: promise, deadline: deadline) }
        return promise.futureResult
    }

    /// Fails the commands in flight with `error` and closes the socket.
    func close(with error: RedisError) {
        onEventLoop { handler in handler.close(with: error) }
    }

    private func onEventLoop(_ body: @escaping @Sendable (RedisChannelHandler) -> Void) {
        if eventLoop.inEventLoop {
            body(handler.value)
        } else {
            eventLoop.execute { [handler] in body(handler.value) }
        }
    }

    /// Waits for the TLS handshake within the connect timeout; a refused certificate or a server
    /// that does not speak TLS becomes one clear error instead of a hang or a later timeout.
    private func awaitHandshake(_ done: EventLoopFuture<Void>, peer: String, timeout: Duration) async throws(RedisError) {
        let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) { [channel] in
            channel.pipeline.fireErrorCaught(RedisError(code: .connectionUnavailable, message: "no TLS handshake within \(timeout)"))
        }
        defer { timer.cancel() }
        do {
            try await done.get()
        } catch {
            let failure = RedisError(
                code: .connectionUnavailable,
                message: "The TLS handshake with Redis at \(peer) failed (\(error)). Check that the port is the server's "
                    + "TLS port, that the trusted CA signed the server's certificate and that the certificate carries "
                    + "the host's name or address (or the configured TLS server name).")
            close(with: failure)
            throw failure
        }
    }

    private func handshake(_ configuration: RedisConfiguration) async throws(RedisError) {
        func run(_ command: RedisCommand, what: String) async throws(RedisError) {
            let reply: RESPValue
            do {
                reply = try await send(command, timeout: configuration.commandTimeout).get()
            } catch let error as RedisError {
                throw error
            } catch {
                throw RedisError(code: .connectionClosed, message: "\(what) failed: \(error)")
            }
            if case .error(let text) = reply {
                throw RedisError(
                    code: .authenticationFailed,
                    message: "\(what) was rejected by Redis at \(configuration.host):\(configuration.port): \(text). "
                        + "Check the password, user and database in the Redis configuration or URL.",
                    serverMessage: text)
            }
        }
        if let password = configuration.password {
            if let username = configuration.username {
                try await run(RedisCommand("AUTH", username, password), what: "AUTH")
            } else {
                try await run(RedisCommand("AUTH", password), what: "AUTH")
            }
        }
        if configuration.database != 0 {
            try await run(RedisCommand("SELECT", configuration.database), what: "SELECT \(configuration.database)")
        }
    }
}
