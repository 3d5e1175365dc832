import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Tells the session store which events reached the log, without the answer waiting for it.
///
/// A confirmation waits up to `gatheringWindow` for others, and those that arrive while one send
/// is under way go in the next, so one Redis round trip confirms the events of many requests
/// instead of each request paying a second one. The window only widens the time in which a
/// retry is published twice: a confirmation that fails or is still pending when the process
/// stops is lost, and a retry of those event ids is then published again, never dropped.
package final class PublishConfirmer: Sendable {
    typealias Confirmation = (sessionId: String, eventId: String)
    static let maxBatch = 256
    /// Short next to any client's retry interval; at 1,000 events/s it gathers about five.
    static let defaultGatheringWindow = Duration.milliseconds(5)

    private struct State {
        var pending: [Confirmation] = []
        var sending = false
        var sends = 0
    }

    private let sessions: any SessionStore
    private let metrics: ServiceMetrics
    private let logger: Logger
    private let state = Mutex(State())
    private let gatheringWindow: Duration

    package init(sessions: any SessionStore, metrics: ServiceMetrics, logger: Logger, gatheringWindow: Duration = defaultGatheringWindow) {
        self.sessions = sessions
        self.metrics = metrics
        self.logger = logger
        self.gatheringWindow = gatheringWindow
    }

    func confirm(_ events: [Confirmation]) {
        guard !events.isEmpty else { return }
        let startsSending = state.withLock { state in
            state.pending += events
            guard !state.sending else { return false }
            state.sending = true
            return true
        }
        guard startsSending else { return }
        // An event-loop timer rather than a sleeping task: it costs no dispatch timer.
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
        loop.scheduleTask(in: TimeAmount(gatheringWindow)) {
            Task { await self.sendUntilEmpty() }
        }
    }

    /// Sends what is pending, then what arrived meanwhile, until nothing is left.
    private func sendUntilEmpty() async {
        while let batch = takePending() {
            do {
                // Bounded by the Redis client's timeouts; nobody waits for it.
                try await sessions.confirmPublished(batch)
            } catch {
                metrics.sessionStoreFailures.increment()
                logger.warning("could not confirm published events", metadata: ["error": "\(error)", "events": "\(batch.count)"])
            }
        }
    }

    /// Round trips to the session store so far (tests check that confirmations travel together).
    var sends: Int { state.withLock { $0.sends } }

    private func takePending() -> [Confirmation]? {
        state.withLock { state in
            guard !state.pending.isEmpty else {
                state.sending = false
                return nil
            }
            state.sends += 1
            // A bounded pipeline: a timeout then loses at most this many confirmations.
            let batch = Array(state.pending.prefix(Self.maxBatch))
            state.pending.removeFirst(batch.count)
            return batch
        }
    }
}
