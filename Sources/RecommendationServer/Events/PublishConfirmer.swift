import Logging
import Synchronization

/// Tells the session store which events reached the log, without the answer waiting for it.
///
/// Confirmations that arrive while one is being sent are combined into the next send, so under
/// load one Redis round trip confirms the events of many requests, and at rest each goes alone
/// at once. A confirmation that fails or is still pending when the process stops is lost: a
/// retry of those event ids is then published a second time, never dropped.
final class PublishConfirmer: Sendable {
    typealias Confirmation = (sessionId: String, eventId: String)
    static let maxBatch = 256

    private struct State {
        var pending: [Confirmation] = []
        var sending = false
    }

    private let sessions: any SessionStore
    private let metrics: ServiceMetrics
    private let logger: Logger
    private let state = Mutex(State())

    init(sessions: any SessionStore, metrics: ServiceMetrics, logger: Logger) {
        self.sessions = sessions
        self.metrics = metrics
        self.logger = logger
    }

    func confirm(_ events: [Confirmation]) {
        guard !events.isEmpty else { return }
        let startsSending = state.withLock { state in
            state.pending += events
            guard !state.sending else { return false }
            state.sending = true
            return true
        }
        if startsSending { Task { await sendUntilEmpty() } }
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

    private func takePending() -> [Confirmation]? {
        state.withLock { state in
            guard !state.pending.isEmpty else {
                state.sending = false
                return nil
            }
            // A bounded pipeline: a timeout then loses at most this many confirmations.
            let batch = Array(state.pending.prefix(Self.maxBatch))
            state.pending.removeFirst(batch.count)
            return batch
        }
    }
}
