/// The producer's mutable state. Only ever touched under `KafkaProducer`'s lock; every
/// method is a short, non-blocking transition. C calls and continuation resumes happen outside.
struct ProducerStateMachine {
    enum Phase: Equatable { case running, shuttingDown, stopped }

    /// How a caller waits (or not) for one message's report.
    enum Waiter {
        /// Fire-and-forget `send`.
        case none
        /// `sendAndWaitForDelivery` reserved the id but has not registered its continuation yet.
        case expected
        case waiting(CheckedContinuation<KafkaDeliveryReport, any Error>)
        /// The awaiting task was cancelled; the message itself is still in flight.
        case cancelled
        /// `send(…, onDelivery:)`: the report goes to a closure, run on the polling thread.
        case callback(@Sendable (KafkaDeliveryReport) -> Void)
    }

    struct PendingMessage {
        /// Which handle the message went to; a handle replaced after a fatal error fails its messages.
        let generation: Int
        let topic: String
        var waiter: Waiter
    }

    /// What to do, outside the lock, once a report is recorded.
    struct Completion {
        let report: KafkaDeliveryReport
        let continuation: CheckedContinuation<KafkaDeliveryReport, any Error>?
        var callback: (@Sendable (KafkaDeliveryReport) -> Void)? = nil
    }

    enum AwaitResult {
        case alreadyReported(KafkaDeliveryReport)
        case registered
        case cancelled
    }

    private(set) var phase: Phase = .running
    private(set) var handle: RDKafkaHandle
    private(set) var generation = 0
    private(set) var deliveredCount = 0
    private(set) var failedCount = 0
    private var nextID: UInt64 = 1
    private var pending: [UInt64: PendingMessage] = [:]
    /// Reports for awaited messages that arrived before the awaiting continuation was registered.
    private var unclaimed: [UInt64: KafkaDeliveryReport] = [:]

    init(handle: RDKafkaHandle) {
        self.handle = handle
    }

    var pendingCount: Int { pending.count }

    /// Reserves an id before the message is handed to librdkafka, so its report always finds an entry.
    mutating func reserve(topic: String, waiter: Waiter) throws(KafkaError) -> (id: UInt64, handle: RDKafkaHandle) {
        guard phase == .running else { throw .shutDown("sending to topic \(topic)") }
        let id = nextID
        nextID += 1
        pending[id] = PendingMessage(generation: generation, topic: topic, waiter: waiter)
        return (id, handle)
    }

    /// librdkafka refused the message, so no report will come.
    mutating func releaseReservation(_ id: UInt64) {
        pending[id] = nil
    }

    /// Records a final outcome. Returns nil when the message is no longer pending (already
    /// reported, e.g. failed when its handle was replaced): every message is reported once.
    mutating func complete(_ report: KafkaDeliveryReport) -> Completion? {
        guard let message = pending.removeValue(forKey: report.messageID.rawValue) else { return nil }
        if report.isDelivered { deliveredCount += 1 } else { failedCount += 1 }
        switch message.waiter {
        case .none, .cancelled:
            return Completion(report: report, continuation: nil)
        case .expected:
            unclaimed[report.messageID.rawValue] = report
            return Completion(report: report, continuation: nil)
        case .waiting(let continuation):
            return Completion(report: report, continuation: continuation)
        case .callback(let callback):
            return Completion(report: report, continuation: nil, callback: callback)
        }
    }

    mutating func awaitReport(
        for id: UInt64,
        continuation: CheckedContinuation<KafkaDeliveryReport, any Error>
    ) -> AwaitResult {
        if let report = unclaimed.removeValue(forKey: id) { return .alreadyReported(report) }
        guard var message = pending[id], case .expected = message.waiter else { return .cancelled }
        message.waiter = .waiting(continuation)
        pending[id] = message
        return .registered
    }

    /// The awaiting task was cancelled: returns the continuation to resume with a cancellation error.
    mutating func cancelWait(for id: UInt64) -> CheckedContinuation<KafkaDeliveryReport, any Error>? {
        unclaimed[id] = nil
        guard var message = pending[id] else { return nil }
        defer { message.waiter = .cancelled; pending[id] = message }
        if case .waiting(let continuation) = message.waiter { return continuation }
        return nil
    }

    /// Swaps in a fresh handle if `failed` is still the current one.
    /// Returns the generation whose messages must now be failed, or nil if another caller already did it.
    mutating func replaceHandle(_ failed: RDKafkaHandle, with replacement: RDKafkaHandle?) -> Int? {
        guard failed === handle else { return nil }
        let failedGeneration = generation
        if let replacement {
            handle = replacement
            generation += 1
        }
        return failedGeneration
    }

    /// Messages still pending, optionally only those sent to one generation of handle.
    func pendingMessages(generation: Int? = nil) -> [(id: UInt64, topic: String)] {
        pending.compactMap { id, message in
            guard generation == nil || message.generation == generation else { return nil }
            return (id, message.topic)
        }
    }

    /// Returns false when shutdown had already begun.
    mutating func beginShutdown() -> Bool {
        guard phase == .running else { return false }
        phase = .shuttingDown
        return true
    }

    mutating func markStopped() {
        phase = .stopped
    }
}
