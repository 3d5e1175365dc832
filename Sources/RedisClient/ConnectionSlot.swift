import Logging
import NIOCore
import Synchronization

/// One place in the pool: keeps a connection open, reconnecting with backoff whenever it is lost,
/// and hands the current connection (or the reason there is none) to commands.
final class ConnectionSlot: Sendable {
    let index: Int
    let eventLoop: any EventLoop
    private let state = Mutex(ConnectionSlotState())

    init(index: Int, eventLoop: any EventLoop) {
        self.index = index
        self.eventLoop = eventLoop
    }

    func lease() -> ConnectionSlotState.Lease {
        state.withLock { $0.lease() }
    }

    /// Runs until shutdown or task cancellation; never throws, failures only delay the next attempt.
    func maintainConnection(configuration: RedisConfiguration, tls: RedisTLSContext?, logger: Logger) async {
        var logger = logger
        logger[metadataKey: "redis.connection"] = "\(index)"
        var backoff = ReconnectBackoff(minimum: configuration.reconnectBackoffMin, maximum: configuration.reconnectBackoffMax)
        var previousAttemptFailed = false

        while !Task.isCancelled {
            // Commands that arrive during the attempt wait on this promise.
            let makePromise = { self.eventLoop.makePromise(of: RedisConnection.self) }
            guard let attempt = state.withLock({ $0.startConnecting(afterFailure: previousAttemptFailed, makePromise: makePromise) })
            else { return }
            do {
                let connection = try await RedisConnection.open(
                    id: index, configuration: configuration, tls: tls, eventLoop: eventLoop, logger: logger)
                guard state.withLock({ $0.connected(connection) }) else {
                    connection.close(with: Self.shutDownError)
                    attempt.fail(Self.shutDownError)
                    return
                }
                attempt.succeed(connection)
                if previousAttemptFailed { logger.info("Reconnected to Redis") }
                previousAttemptFailed = false
                backoff.reset()

                try? await connection.closeFuture.get()
                let lost = RedisError(
                    code: .connectionUnavailable,
                    message: "The connection to Redis at \(configuration.host):\(configuration.port) was lost; "
                        + "the client is reconnecting. Retry shortly.")
                guard state.withLock({ $0.disconnected(lost) }) else { return }
                logger.warning("Lost the Redis connection; reconnecting")
            } catch {
                attempt.fail(error)
                guard state.withLock({ $0.disconnected(error) }) else { return }
                // Log the first failure loudly and the retries quietly, so an outage is not a log flood.
                if previousAttemptFailed {
                    logger.debug("Redis reconnect attempt failed", metadata: ["error": "\(error.message)"])
                } else {
                    logger.warning("Cannot connect to Redis", metadata: ["error": "\(error.message)"])
                }
                previousAttemptFailed = true
            }
            do {
                try await Task.sleep(for: backoff.nextDelay())
            } catch {
                return  // cancelled: the client is stopping
            }
        }
    }

    /// See ``ConnectionSlotState/prepareFirstAttempt(_:)``.
    func prepareFirstAttempt() {
        let attempt = eventLoop.makePromise(of: RedisConnection.self)
        if !state.withLock({ $0.prepareFirstAttempt(attempt) }) {
            attempt.fail(Self.shutDownError)  // a promise must not be dropped unfulfilled
        }
    }

    /// Stops reconnecting and closes the open connection, failing its commands in flight.
    func shutDown() {
        let (connection, attempt) = state.withLock { $0.shutDown() }
        connection?.close(with: Self.shutDownError)
        attempt?.fail(Self.shutDownError)
    }

    static let shutDownError = RedisError(
        code: .clientShutdown,
        message: "The Redis client has shut down; no further commands can be sent with it.")
}
