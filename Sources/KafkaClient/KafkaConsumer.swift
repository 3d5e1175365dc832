import CRdKafka
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Reads records from Kafka, in group mode (subscribe) or assignment mode (explicit partitions
/// and offsets), as an `AsyncSequence` (`messages`). A `Service`: `run()` forwards librdkafka's
/// logs and, on graceful shutdown or cancellation, closes the consumer, which ends `messages`.
///
/// Polling design: `messages` calls `rd_kafka_consumer_poll` with a zero timeout and sleeps
/// `pollInterval` only when nothing is ready. A cooperative thread is therefore never blocked
/// inside librdkafka, no extra thread is needed, and the reader's pace is the back-pressure
/// (librdkafka prefetches into its own bounded queue). A reader with a thread of its own uses
/// `waitForMessage(timeout:)` instead, which waits inside librdkafka. The other blocking calls
/// (close, offset and watermark queries) run on NIO's thread pool.
public final class KafkaConsumer: Service, Sendable {
    private enum Phase { case open, closing, closed }

    private let handle: RDKafkaHandle
    private let phase: Mutex<Phase>
    /// Held for the length of a poll and of the close: librdkafka must not be polled while it
    /// closes. Apart from `phase`, so a reader waiting in librdkafka holds up nobody else.
    private let polling = Mutex(())
    private let configuration: KafkaConsumerConfiguration
    private let logger: Logger

    public init(configuration: KafkaConsumerConfiguration, logger: Logger) throws(KafkaError) {
        let handle = try RDKafkaHandle.make(kind: .consumer, properties: configuration.rdKafkaProperties)
        try handle.startConsuming(configuration.mode)
        self.handle = handle
        self.phase = Mutex(.open)
        self.configuration = configuration
        self.logger = logger
    }

    /// The records, in order within each partition. Ends when the consumer closes; throws on a
    /// fatal client error. Transient errors (broker down) are logged and retried by librdkafka.
    public var messages: KafkaConsumerMessages {
        KafkaConsumerMessages(consumer: self)
    }

    // MARK: Service

    public func run() async throws {
        do {
            try await withGracefulShutdownHandler {
                while !Task.isShuttingDownGracefully, isOpen {
                    handle.forwardLogs(to: logger)
                    try await Task.sleep(for: .milliseconds(100))
                }
            } onGracefulShutdown: {}
        } catch {
            await close()
            throw error
        }
        await close()
    }

    /// Leaves the group (committing offsets in group mode) and ends `messages`. Idempotent.
    public func close() async {
        // After this no poll starts; the close waits for one in progress.
        let shouldClose = phase.withLock { phase in
            guard case .open = phase else { return false }
            phase = .closing
            return true
        }
        guard shouldClose else { return }
        let handle = self.handle
        do {
            // rd_kafka_consumer_close may wait for the group coordinator: keep it off the cooperative pool.
            let error = try await NIOThreadPool.singleton.runIfActive { [self] in
                polling.withLock { _ in rd_kafka_consumer_close(handle.pointer) }
            }
            if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning("Kafka consumer close failed", metadata: ["error": "\(KafkaError(rdKafka: error, context: "closing consumer"))"])
            }
        } catch {
            logger.warning("Kafka consumer close skipped", metadata: ["error": "\(error)"])
        }
        handle.forwardLogs(to: logger)
        phase.withLock { $0 = .closed }
    }

    private var isOpen: Bool {
        phase.withLock { if case .open = $0 { true } else { false } }
    }

    /// One non-blocking poll, or nil once closing.
    fileprivate func pollOnce() -> ConsumerPollResult? {
        poll(timeoutMilliseconds: 0)
    }

    private func poll(timeoutMilliseconds: Int32) -> ConsumerPollResult? {
        // Checked first too: a close holds `polling` for as long as it takes, and a reader on the
        // cooperative pool must not wait for it.
        guard isOpen else { return nil }
        return polling.withLock { _ in
            guard isOpen else { return nil }
            return handle.pollConsumer(timeoutMilliseconds: timeoutMilliseconds)
        }
    }

    /// What `waitForMessage` found.
    public enum WaitResult: Sendable {
        case message(KafkaConsumerMessage)
        /// Nothing arrived in time.
        case nothing
        /// The consumer is closing or closed: no more records.
        case closed
    }

    /// Waits up to `timeout` for the next record, blocking the calling thread: for a reader with
    /// a thread of its own, never on an event loop or the cooperative pool (use `messages`
    /// there). Transient errors are logged and count as nothing; a fatal error is thrown.
    /// `close()` waits for a wait in progress, so keep `timeout` short.
    public func waitForMessage(timeout: Duration) throws(KafkaError) -> WaitResult {
        switch poll(timeoutMilliseconds: timeout.clampedMilliseconds) {
        case nil: return .closed
        case .message(let message): return .message(message)
        case .nothing: return .nothing
        case .error(let error, let isFatal):
            if isFatal { throw error }
            logTransient(error)
            return .nothing
        }
    }

    fileprivate var pollInterval: Duration { configuration.pollInterval }

    fileprivate func logTransient(_ error: KafkaError) {
        logger.warning("Kafka consumer error (retrying)", metadata: ["error": "\(error)"])
    }

    // MARK: Positions

    /// The offset the next produced record in the partition will get, asked of the broker.
    public func highWatermark(topic: String, partition: Int32, timeout: Duration = .seconds(5)) async throws -> Int64 {
        try await watermarks(topic: topic, partition: partition, timeout: timeout).high
    }

    /// The partition's oldest offset still in the log (`low`) and the offset the next produced
    /// record will get (`high`), asked of the broker.
    public func watermarks(topic: String, partition: Int32, timeout: Duration = .seconds(5)) async throws -> KafkaWatermarks {
        let handle = self.handle
        // A struct, not a labelled tuple: a tuple result of this typed-throws closure crashes Swift 6.3's SILGen.
        return try await NIOThreadPool.singleton.runIfActive { () throws(KafkaError) -> KafkaWatermarks in
            var low: Int64 = 0
            var high: Int64 = 0
            let error = rd_kafka_query_watermark_offsets(handle.pointer, topic, partition, &low, &high, timeout.clampedMilliseconds)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(rdKafka: error, context: "querying watermarks of \(topic)[\(partition)]")
            }
            return KafkaWatermarks(low: low, high: high)
        }
    }

    /// The partition's high watermark as this consumer last saw it (librdkafka updates it with
    /// every fetch response of an assigned partition), or nil before the first fetch. Local and
    /// non-blocking, so cheap enough for a metrics tick; `highWatermark` asks the broker instead.
    public func cachedHighWatermark(topic: String, partition: Int32) -> Int64? {
        var low: Int64 = 0
        var high: Int64 = 0
        let error = rd_kafka_get_watermark_offsets(handle.pointer, topic, partition, &low, &high)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return high
    }

    /// The group's committed offset for the partition (group mode), or nil if none was committed.
    public func committedOffset(topic: String, partition: Int32, timeout: Duration = .seconds(5)) async throws -> Int64? {
        let handle = self.handle
        return try await NIOThreadPool.singleton.runIfActive { () throws(KafkaError) -> Int64? in
            let list = TopicPartitionList()
            list.add(topic: topic, partition: partition)
            let error = rd_kafka_committed(handle.pointer, list.pointer, timeout.clampedMilliseconds)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(rdKafka: error, context: "fetching committed offset of \(topic)[\(partition)]")
            }
            return list.entry(topic: topic, partition: partition).flatMap { $0.offset >= 0 ? $0.offset : nil }
        }
    }

    /// The offset after the last record this consumer handed out for the partition, or nil if none yet.
    /// Local and non-blocking.
    public func position(topic: String, partition: Int32) throws(KafkaError) -> Int64? {
        let list = TopicPartitionList()
        list.add(topic: topic, partition: partition)
        let error = rd_kafka_position(handle.pointer, list.pointer)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(rdKafka: error, context: "reading position of \(topic)[\(partition)]")
        }
        return list.entry(topic: topic, partition: partition).flatMap { $0.offset >= 0 ? $0.offset : nil }
    }

    /// Lists brokers, topics and partitions.
    public func metadata(timeout: Duration = .seconds(5)) async throws -> KafkaClusterMetadata {
        try await handle.fetchMetadata(allTopics: true, timeout: timeout)
    }
}

/// A partition's oldest offset still in the log and the offset of the next record produced.
public struct KafkaWatermarks: Sendable, Equatable {
    public var low: Int64
    public var high: Int64
}

/// The records a `KafkaConsumer` reads. Several iterators may run at once; each record goes to one of them.
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerMessage
    let consumer: KafkaConsumer

    public struct AsyncIterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer

        public mutating func next() async throws -> KafkaConsumerMessage? {
            while true {
                guard let result = consumer.pollOnce() else { return nil }
                switch result {
                case .message(let message):
                    return message
                case .error(let error, let isFatal):
                    if isFatal { throw error }
                    consumer.logTransient(error)
                case .nothing:
                    await PollPause.sleep(for: consumer.pollInterval)
                    try Task.checkCancellation()
                }
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(consumer: consumer)
    }
}
