import CRdKafka
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// An idempotent Kafka producer over librdkafka, run as a `Service`.
///
/// `send` only hands the message to librdkafka and never blocks. `run()` polls the event
/// queue for delivery reports (no C callbacks touch Swift state), completes waiters, and on
/// graceful shutdown flushes within `shutdownFlushTimeout`. Every sent message gets exactly
/// one report: delivered, or failed with the reason (timeout, fatal error, shutdown).
public final class KafkaProducer: Service, Sendable {
    private let state: Mutex<ProducerStateMachine>
    private let configuration: KafkaProducerConfiguration
    private let logger: Logger
    private let reportSink: AsyncStream<KafkaDeliveryReport>.Continuation?

    static let subscribedEvents = RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR | RD_KAFKA_EVENT_LOG

    private init(
        configuration: KafkaProducerConfiguration,
        logger: Logger,
        reportSink: AsyncStream<KafkaDeliveryReport>.Continuation?
    ) throws(KafkaError) {
        let handle = try Self.makeHandle(configuration)
        self.state = Mutex(ProducerStateMachine(handle: handle))
        self.configuration = configuration
        self.logger = logger
        self.reportSink = reportSink
    }

    /// Creates a producer. Call `run()` (or add it to a `ServiceGroup`) before sending.
    public convenience init(configuration: KafkaProducerConfiguration, logger: Logger) throws(KafkaError) {
        try self.init(configuration: configuration, logger: logger, reportSink: nil)
    }

    /// Creates a producer plus a stream of every delivery report (successes and failures).
    /// The stream buffers without bound: consume it. It finishes when the producer stops.
    public static func makeWithDeliveryReports(
        configuration: KafkaProducerConfiguration,
        logger: Logger
    ) throws(KafkaError) -> (KafkaProducer, AsyncStream<KafkaDeliveryReport>) {
        let (stream, sink) = AsyncStream.makeStream(of: KafkaDeliveryReport.self)
        do {
            return (try KafkaProducer(configuration: configuration, logger: logger, reportSink: sink), stream)
        } catch {
            sink.finish()
            throw error
        }
    }

    private static func makeHandle(_ configuration: KafkaProducerConfiguration) throws(KafkaError) -> RDKafkaHandle {
        try RDKafkaHandle.make(kind: .producer, properties: configuration.rdKafkaProperties, events: subscribedEvents)
    }

    // MARK: Counters (exported as metrics by the server)

    /// Messages handed to librdkafka and not yet reported.
    public var queueDepth: Int { state.withLock { $0.pendingCount } }
    /// Messages acknowledged by the broker since the producer was created.
    public var deliveredCount: Int { state.withLock { $0.deliveredCount } }
    /// Messages reported as failed since the producer was created.
    public var failedCount: Int { state.withLock { $0.failedCount } }

    // MARK: Sending

    /// Hands a message to librdkafka and returns at once with its id. Throws `KafkaError.Code.queueFull`
    /// when the local queue is full (it never waits for room), or `.shutDown` once shutdown began.
    /// The outcome arrives later as a delivery report with the same id.
    @discardableResult
    public func send(
        topic: String,
        key: String?,
        value: some KafkaBytes,
        headers: [KafkaHeader] = []
    ) throws(KafkaError) -> KafkaMessageID {
        try enqueue(topic: topic, key: key, value: value, headers: headers, waiter: .none)
    }

    /// Like `send`, and hands the message's delivery report to `onDelivery` once it arrives:
    /// exactly once, delivered or failed. The closure runs on the producer's polling thread, so it
    /// must be short and must not block. Nothing is reported when this throws.
    @discardableResult
    public func send(
        topic: String,
        key: String?,
        value: some KafkaBytes,
        headers: [KafkaHeader] = [],
        onDelivery: @escaping @Sendable (KafkaDeliveryReport) -> Void
    ) throws(KafkaError) -> KafkaMessageID {
        try enqueue(topic: topic, key: key, value: value, headers: headers, waiter: .callback(onDelivery))
    }

    /// Sends a message and waits for its delivery report. Returns the report when the broker
    /// acknowledged it; throws the report's `KafkaError` when delivery failed, or
    /// `CancellationError` if the task is cancelled (the message itself stays in flight).
    public func sendAndWaitForDelivery(
        topic: String,
        key: String?,
        value: some KafkaBytes,
        headers: [KafkaHeader] = []
    ) async throws -> KafkaDeliveryReport {
        let id = try enqueue(topic: topic, key: key, value: value, headers: headers, waiter: .expected)
        let report = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let result = state.withLock { $0.awaitReport(for: id.rawValue, continuation: continuation) }
                switch result {
                case .alreadyReported(let report): continuation.resume(returning: report)
                case .registered: break
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            state.withLock { $0.cancelWait(for: id.rawValue) }?.resume(throwing: CancellationError())
        }
        if let error = report.error { throw error }
        return report
    }

    private func enqueue(
        topic: String,
        key: String?,
        value: some KafkaBytes,
        headers: [KafkaHeader],
        waiter: ProducerStateMachine.Waiter
    ) throws(KafkaError) -> KafkaMessageID {
        let (id, handle) = try state.withLock { state throws(KafkaError) in
            try state.reserve(topic: topic, waiter: waiter)
        }
        let error = handle.produce(topic: topic, key: key, value: value, headers: headers, opaqueID: id)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            state.withLock { $0.releaseReservation(id) }
            throw KafkaError(rdKafka: error, context: "sending to topic \(topic)")
        }
        return KafkaMessageID(rawValue: id)
    }

    // MARK: Flushing

    /// Waits until every message sent so far has a report, polling meanwhile, or throws
    /// `.timedOut` at the deadline. Safe to call while `run()` polls too.
    public func flush(timeout: Duration) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let (handle, remaining) = state.withLock { ($0.handle, $0.pendingCount) }
            if remaining == 0 { return }
            // In event mode rd_kafka_flush does not poll; with no wait it only makes
            // librdkafka send lingering batches now.
            _ = rd_kafka_flush(handle.pointer, 0)
            if serviceEvents(on: handle) { continue }
            if ContinuousClock.now >= deadline {
                throw KafkaError(
                    code: .timedOut,
                    message: "flush: \(remaining) message(s) still undelivered after \(timeout) — check that the brokers are reachable"
                )
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    // MARK: Service

    /// Polls for delivery reports until graceful shutdown or cancellation, then flushes
    /// within `shutdownFlushTimeout` and reports whatever is left as failed.
    public func run() async throws {
        do {
            try await withGracefulShutdownHandler {
                try await pollUntilShutdown()
            } onGracefulShutdown: {
                self.triggerGracefulShutdown()
            }
        } catch {
            // Cancelled: no time to flush; still report every undelivered message.
            _ = state.withLock { $0.beginShutdown() }
            failAllPending(reason: .shutDown("producer cancelled before delivery"))
            stop()
            throw error
        }
        await drainForShutdown()
    }

    /// Stops accepting messages; `run()` then flushes and returns.
    public func triggerGracefulShutdown() {
        if state.withLock({ $0.beginShutdown() }) {
            // Wake the polling thread now rather than at the end of its wait.
            rd_kafka_queue_yield(state.withLock { $0.handle }.eventQueue)
            logger.info("Kafka producer shutting down", metadata: ["pending": "\(queueDepth)"])
        }
    }

    /// Waits for reports inside librdkafka on a thread of its own, so a report is handled the
    /// moment it arrives (callers of `send(…, onDelivery:)` answer HTTP requests on it) and an
    /// idle producer costs no wake-ups on the event loops. `pollInterval` bounds each wait, and
    /// so how late shutdown or cancellation is noticed.
    private func pollUntilShutdown() async throws {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        defer { thread.shutdownGracefully { _ in } }
        let cancelled = Atomic(false)
        let waitMilliseconds = max(configuration.pollInterval.clampedMilliseconds, 1)
        try await withTaskCancellationHandler {
            try await thread.runIfActive { [self] in
                while !cancelled.load(ordering: .relaxed), state.withLock({ $0.phase == .running }) {
                    let handle = state.withLock { $0.handle }
                    serviceEvents(on: handle, waitMilliseconds: waitMilliseconds)
                }
            }
        } onCancel: {
            cancelled.store(true, ordering: .relaxed)
        }
        try Task.checkCancellation()
    }

    private func drainForShutdown() async {
        do {
            try await flush(timeout: configuration.shutdownFlushTimeout)
        } catch {
            logger.warning("Kafka producer shutdown flush incomplete", metadata: ["error": "\(error)"])
        }
        failAllPending(reason: .shutDown("producer stopped before delivery (shutdown flush timed out)"))
        stop()
    }

    private func stop() {
        state.withLock { $0.markStopped() }
        reportSink?.finish()
    }

    // MARK: Event handling

    /// Serves one batch of events from `handle`. Returns true if more may be waiting.
    /// `failureReason` replaces librdkafka's error on failed reports (used for a handle that
    /// died of a fatal error, whose purge codes would hide the real cause).
    @discardableResult
    private func serviceEvents(on handle: RDKafkaHandle, failureReason: KafkaError? = nil, waitMilliseconds: Int32 = 0) -> Bool {
        let (events, mayHaveMore) = handle.pollProducerEvents(maxEvents: 1000, waitMilliseconds: waitMilliseconds, logger: logger)
        var reports: [KafkaDeliveryReport] = []
        var fatalError: KafkaError?
        for event in events {
            switch event {
            case .delivery(let id, let topic, let partition, let offset, let error):
                reports.append(Self.report(id: id, topic: topic, partition: partition, offset: offset, error: error))
            case .error(let error, let isFatal):
                if isFatal {
                    fatalError = error
                } else {
                    // Transient (broker down, retries); librdkafka recovers by itself.
                    logger.warning("Kafka producer error", metadata: ["error": "\(error)"])
                }
            }
        }
        // librdkafka purges its queues when it raises a fatal error; report the cause, not the purge.
        if reports.contains(where: { !$0.isDelivered }), let reason = failureReason ?? handle.fatalError {
            reports = reports.map { $0.isDelivered ? $0 : Self.failure(id: $0.messageID.rawValue, topic: $0.topic, error: reason) }
        }
        publish(reports)
        if let fatalError {
            recoverFromFatalError(fatalError, on: handle)
        }
        return mayHaveMore
    }

    private static func report(
        id: UInt64,
        topic: String,
        partition: Int32,
        offset: Int64,
        error: rd_kafka_resp_err_t?
    ) -> KafkaDeliveryReport {
        KafkaDeliveryReport(
            messageID: KafkaMessageID(rawValue: id),
            topic: topic,
            partition: partition,
            offset: error == nil && offset >= 0 ? offset : nil,
            error: error.map { KafkaError(rdKafka: $0, context: "delivering to topic \(topic)") }
        )
    }

    private func publish(_ reports: [KafkaDeliveryReport]) {
        guard !reports.isEmpty else { return }
        let completions = state.withLock { state in reports.compactMap { state.complete($0) } }
        for completion in completions {
            completion.continuation?.resume(returning: completion.report)
            completion.callback?(completion.report)
            reportSink?.yield(completion.report)
        }
    }

    /// A fatal error leaves the handle unusable (e.g. the idempotent producer lost its sequence).
    /// Replace it, collect whatever outcomes the old handle still knows, and report every other
    /// message it held as failed so that none is silently lost.
    private func recoverFromFatalError(_ error: KafkaError, on failed: RDKafkaHandle) {
        // The failed handle keeps reporting its fatal error; only the first sighting recovers.
        guard state.withLock({ $0.handle === failed }) else { return }
        let reason = failed.fatalError ?? error
        logger.error("Kafka producer fatal error; recreating the client", metadata: ["error": "\(reason)"])
        var replacement: RDKafkaHandle?
        do {
            replacement = try Self.makeHandle(configuration)
        } catch {
            logger.error("could not recreate the Kafka producer client", metadata: ["error": "\(error)"])
        }
        guard let failedGeneration = state.withLock({ $0.replaceHandle(failed, with: replacement) }) else { return }

        _ = rd_kafka_purge(failed.pointer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT | RD_KAFKA_PURGE_F_NON_BLOCKING)
        while serviceEvents(on: failed, failureReason: reason) {}
        let leftovers = state.withLock { $0.pendingMessages(generation: failedGeneration) }
        publish(leftovers.map { Self.failure(id: $0.id, topic: $0.topic, error: reason) })
    }

    private func failAllPending(reason: KafkaError) {
        let leftovers = state.withLock { $0.pendingMessages() }
        if !leftovers.isEmpty {
            logger.warning("Kafka producer reporting undelivered messages as failed", metadata: ["count": "\(leftovers.count)"])
        }
        publish(leftovers.map { Self.failure(id: $0.id, topic: $0.topic, error: reason) })
    }

    private static func failure(id: UInt64, topic: String, error: KafkaError) -> KafkaDeliveryReport {
        KafkaDeliveryReport(messageID: KafkaMessageID(rawValue: id), topic: topic, partition: -1, offset: nil, error: error)
    }

    /// The handle in use now (it changes only after a fatal error).
    var currentHandle: RDKafkaHandle { state.withLock { $0.handle } }

    // MARK: Testing hooks

    /// Makes librdkafka raise a fatal error as if the broker had caused one (tests only).
    func simulateFatalError(reason: String) {
        _ = rd_kafka_test_fatal_error(currentHandle.pointer, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, reason)
    }
}
