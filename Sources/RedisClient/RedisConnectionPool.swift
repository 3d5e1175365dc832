import Logging
import NIOCore
import Synchronization

/// A fixed number of connection slots; commands go to connected slots round-robin, which
/// spreads pipelined traffic evenly without tracking per-connection load.
final class RedisConnectionPool: Sendable {
    let slots: [ConnectionSlot]
    private let configuration: RedisConfiguration
    private let nextSlot = Atomic<Int>(0)

    init(configuration: RedisConfiguration, eventLoopGroup: any EventLoopGroup) {
        self.configuration = configuration
        self.slots = (0..<configuration.poolSize).map { ConnectionSlot(index: $0, eventLoop: eventLoopGroup.next()) }
    }

    /// Makes commands wait for the first connection attempts; see ``ConnectionSlot/prepareFirstAttempt()``.
    func prepareFirstAttempts() {
        for slot in slots { slot.prepareFirstAttempt() }
    }

    /// Keeps every slot connected until cancelled.
    func run(logger: Logger) async {
        await withDiscardingTaskGroup { group in
            for slot in slots {
                group.addTask { await slot.maintainConnection(configuration: self.configuration, logger: logger) }
            }
        }
    }

    func shutDown() {
        for slot in slots { slot.shutDown() }
    }

    /// A usable connection, or a typed error at once when Redis is down: commands must not pile up
    /// behind an outage. Waits only for a first connection attempt (bounded by the connect timeout)
    /// and, right after start-up, for `run()` to begin.
    func connection() async throws(RedisError) -> RedisConnection {
        let startedWaiting = ContinuousClock.now
        while true {
            switch pick() {
            case .ready(let connection):
                return connection
            case .pending(let attempt):
                do {
                    return try await attempt.get()
                } catch let error as RedisError {
                    throw error
                } catch {
                    throw RedisError(code: .connectionUnavailable, message: "Connecting to Redis failed: \(error)")
                }
            case .unavailable(let error):
                throw error
            case .shutDown:
                throw ConnectionSlot.shutDownError
            case .notStarted:
                // A ServiceGroup starts run() concurrently with the services that send the first
                // commands; give it a moment before calling it a mistake.
                guard ContinuousClock.now - startedWaiting < configuration.connectTimeout else {
                    throw RedisError(
                        code: .clientNotRunning,
                        message: "The Redis client is not running. Add it to a ServiceGroup, call run() in a task, "
                            + "or use RedisClient.withRunningClient before sending commands.")
                }
                do {
                    try await Task.sleep(for: .milliseconds(5))
                } catch {
                    throw RedisError(code: .clientNotRunning, message: "Cancelled while waiting for the Redis client to start.")
                }
            }
        }
    }

    /// The first connected slot from a rotating start; otherwise the most hopeful alternative.
    private func pick() -> ConnectionSlotState.Lease {
        let count = slots.count
        let start = nextSlot.wrappingAdd(1, ordering: .relaxed).oldValue
        var fallback: ConnectionSlotState.Lease?
        for offset in 0..<count {
            // Unsigned modulo: the counter wraps around to negative values after Int.max commands.
            let index = Int(UInt(bitPattern: start &+ offset) % UInt(count))
            let lease = slots[index].lease()
            switch lease {
            case .ready:
                return lease
            case .pending:
                fallback = lease  // a fresh attempt beats a known failure
            case .unavailable, .notStarted, .shutDown:
                if fallback == nil { fallback = lease }
            }
        }
        return fallback ?? .notStarted
    }
}
