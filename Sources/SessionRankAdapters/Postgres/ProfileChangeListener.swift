import Logging
import PostgresNIO
import ServiceLifecycle
import SessionRankCore
import Synchronization

/// Keeps this replica's profile cache in step with consent changes and erasures made through any
/// replica: it listens on `PostgresUserStore.profileChangeChannel` over a dedicated connection
/// (a pooled one would be handed to other queries) and evicts the named user on each notification.
/// PostgreSQL does not queue notifications for a listener that is not connected, so after any
/// (re)connect the whole profile cache is dropped: one round of look-ups instead of a stale consent.
public final class ProfileChangeListener: Service, Sendable {
    /// Reconnect backoff and heartbeat of the listener's connection.
    public struct Timing: Sendable {
        public var initialBackoff: Duration = .milliseconds(100)
        public var maximumBackoff: Duration = .seconds(5)
        /// How often an idle connection is checked, and how long the check may take.
        public var heartbeat: Duration = .seconds(10)
        public var heartbeatTimeout: Duration = .seconds(5)
        public init() {}
    }

    struct Status: Sendable {
        /// Connections that reached LISTEN, counting the first.
        var connects = 0
        var notifications = 0
        /// The server process of the current connection, nil while disconnected.
        var backendPID: Int32?
    }

    private let configuration: PostgresConnection.Configuration
    private let enricher: EventEnricher
    private let metrics: ServiceMetrics
    private let timing: Timing
    private let logger: Logger
    private let state = Mutex(Status())
    private let connectionIDs = Atomic<Int>(0)

    public init(
        configuration: PostgresConnection.Configuration, enricher: EventEnricher, metrics: ServiceMetrics,
        timing: Timing = Timing(), logger: Logger
    ) {
        self.configuration = configuration
        self.enricher = enricher
        self.metrics = metrics
        self.timing = timing
        self.logger = logger
    }

    var status: Status { state.withLock { $0 } }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.listenUntilCancelled() }
    }

    private func listenUntilCancelled() async {
        var delay = timing.initialBackoff
        while !Task.isCancelled {
            let connectsBefore = status.connects
            let error: any Error
            do {
                try await listenOnce()
                error = ListenerError.notificationsEnded
            } catch let caught {
                error = caught
            }
            state.withLock { $0.backendPID = nil }
            if Task.isCancelled { return }
            metrics.profileListenerFailures.increment()
            // A connection that got as far as LISTEN starts the backoff again.
            if status.connects > connectsBefore { delay = timing.initialBackoff }
            logger.warning("profile change listener disconnected; reconnecting", metadata: [
                "error": "\(error)", "retryIn": "\(delay)",
            ])
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, timing.maximumBackoff)
        }
    }

    /// One connection's life: connect, LISTEN, clear the cache, evict per notification. Returns or
    /// throws when the connection ends.
    private func listenOnce() async throws {
        let id = connectionIDs.wrappingAdd(1, ordering: .relaxed).newValue
        // At trace PostgresNIO prints every backend message, and a notification's payload is a
        // user id: the connection logs no finer than debug, whatever the service's level.
        let connectionLogger = {
            var capped = logger
            capped.logLevel = max(logger.logLevel, .debug)
            return capped
        }()
        let connection = try await PostgresConnection.connect(configuration: configuration, id: id, logger: connectionLogger)
        do {
            let pid = try await connection.query("SELECT pg_backend_pid()", logger: connectionLogger).collect().first?.decode(Int32.self)
            try await connection.listen(on: PostgresUserStore.profileChangeChannel) { notifications in
                // LISTEN is in effect here, so nothing changed after this clear goes unheard.
                enricher.invalidateAllProfiles()
                let connects = state.withLock { status in
                    status.connects += 1
                    status.backendPID = pid
                    return status.connects
                }
                metrics.profileListenerConnects.increment()
                logger.info("listening for profile changes; profile cache cleared", metadata: [
                    "channel": "\(PostgresUserStore.profileChangeChannel)", "connects": "\(connects)",
                ])
                // Whichever ends first ends the connection: the notifications, or a heartbeat
                // that finds the connection silently dead (a listener only reads, so nothing
                // else would notice a peer that vanished without a reset).
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await notification in notifications {
                            self.evict(userId: notification.payload)
                        }
                        throw ListenerError.notificationsEnded
                    }
                    group.addTask {
                        while true {
                            try await Task.sleep(for: self.timing.heartbeat)
                            try await withDeadline(self.timing.heartbeatTimeout) {
                                _ = try await connection.query("SELECT 1", logger: connectionLogger).collect()
                            }
                        }
                    }
                    try await group.next()
                }
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }

    private func evict(userId: String) {
        enricher.invalidate(userId: userId)
        state.withLock { $0.notifications += 1 }
        metrics.profileChangeNotifications.increment()
    }

    enum ListenerError: Error, CustomStringConvertible {
        case notificationsEnded
        var description: String { "the notification stream ended" }
    }
}
