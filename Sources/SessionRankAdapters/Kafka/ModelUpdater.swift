import Foundation
#if canImport(Glibc)
import Glibc
#endif
import KafkaClient
import Logging
import NIOPosix
import Recommender
import ServiceLifecycle
import SessionRankCore
import Synchronization

/// Keeps this replica's live model learning from the log: reads every partition of `events` and
/// `feedback` (assignment mode, so every replica reads everything and replicas converge), applies
/// events in small batches and learns the ranker from served lists joined with their feedback.
///
/// Where reading starts: a snapshot's recorded offsets (metadata key `offsets`), so nothing is
/// applied twice or skipped; a partition the snapshot does not name starts at offset 0 (it is
/// newer than the snapshot). With a demo-bootstrapped or empty model, or a snapshot without
/// offsets (e.g. from `sessionrank train`), the high watermarks at start: the model learns what
/// happens from now on, not a history it was not built from.
public final class ModelUpdater: LearningLoop, Service, Sendable {
    /// Metadata key of the offsets a snapshot includes (`SnapshotOffsets`).
    public static let offsetsKey = SnapshotOffsets.metadataKey

    public struct Status: Sendable, Equatable {
        /// Partitions are assigned and offsets known.
        public var started = false
        /// "topic:partition" → the next offset to read; every record before it is in the model.
        public var nextOffsets: [String: Int64] = [:]
        public var startOffsets: [String: Int64] = [:]
        /// High watermarks at start: the updater is replaying until it reaches them.
        public var replayTargets: [String: Int64] = [:]
        public var recordsConsumed: Int64 = 0
        public var eventsApplied: Int64 = 0
        /// Records the model does not learn from (no consent, no item, other types, impressions).
        public var recordsSkipped: Int64 = 0
        /// Events of items the catalogue does not hold: counted, not learned, so storefront input
        /// cannot grow the model's item tables (also counted in `recordsSkipped`).
        public var outsideCatalog: Int64 = 0
        public var malformed: Int64 = 0
        public var feedbackLearned: Int64 = 0
        public var servedWaiting = 0
        /// Kafka timestamp (seconds since the epoch) of the newest record applied to the model.
        public var newestAppliedRecordTime: Double?

        public var replaying: Bool {
            !started || replayTargets.contains { nextOffsets[$0.key, default: 0] < $0.value }
        }
    }

    struct State {
        var status = Status()
        var pendingEvents: [ModelEvent] = []
        var pendingExamples: [FeedbackExample] = []
        var pendingOffsets: [String: Int64] = [:]
        var pendingNewestTime: Double?
        /// Offsets of the batch being applied now (outside this lock).
        var applyingOffsets: [String: Int64] = [:]
        var joiner = FeedbackJoiner()

        var pendingCount: Int { pendingEvents.count + pendingExamples.count }

        /// Hands the queued records over for applying; nil when nothing is queued.
        mutating func takeBatch() -> Batch? {
            guard !pendingOffsets.isEmpty else { return nil }
            let batch = Batch(events: pendingEvents, examples: pendingExamples, offsets: pendingOffsets, newestTime: pendingNewestTime)
            applyingOffsets = pendingOffsets
            pendingEvents.removeAll(keepingCapacity: true)
            pendingExamples.removeAll(keepingCapacity: true)
            pendingOffsets.removeAll(keepingCapacity: true)
            pendingNewestTime = nil
            return batch
        }

        /// Records that `batch` is in the model.
        mutating func complete(_ batch: Batch) {
            status.eventsApplied += Int64(batch.events.count)
            status.feedbackLearned += Int64(batch.examples.count)
            status.nextOffsets.merge(batch.offsets) { old, new in max(old, new) }
            status.newestAppliedRecordTime = ModelUpdater.newest(status.newestAppliedRecordTime, batch.newestTime)
            applyingOffsets.removeAll(keepingCapacity: true)
        }

        /// Marks a record that changes nothing in the model as done. Behind a queued record of
        /// the same partition it waits for that record's batch, so offsets never pass a record
        /// that is not in the model yet.
        mutating func advance(past offset: Int64, of key: String, time: Double?) {
            if pendingOffsets[key] != nil || applyingOffsets[key] != nil {
                pendingOffsets[key] = offset + 1
                pendingNewestTime = ModelUpdater.newest(pendingNewestTime, time)
            } else {
                status.nextOffsets[key] = offset + 1
                status.newestAppliedRecordTime = ModelUpdater.newest(status.newestAppliedRecordTime, time)
            }
        }
    }

    struct Batch {
        var events: [ModelEvent]
        var examples: [FeedbackExample]
        var offsets: [String: Int64]
        var newestTime: Double?
        var count: Int { events.count + examples.count }
    }

    /// How far this replica's model is behind the log.
    public typealias Lag = ModelLag

    /// Bookkeeping: queued records, offsets, counters. Held briefly.
    let state = Mutex(State())
    /// Held while a batch is applied and its offsets recorded, and while a checkpoint is taken,
    /// so a checkpoint's offsets are exactly those of the records in its model.
    private let applying = Mutex(())
    let model: LiveModel
    let settings: ServiceConfiguration.KafkaSettings
    private let rankingConfig: @Sendable () -> RankingConfig
    let logger: Logger
    /// Queued events and feedback are applied (and published) at once when the last batch is
    /// at least this old, else when it is: a quiet log is learned at once, a busy one publishes
    /// at most once per interval.
    private let flushInterval: Duration
    private let maxBatch: Int
    /// Whether the model may learn an item: the catalogue holds it.
    private let isKnownItem: @Sendable (String) -> Bool
    /// The consumer while `run` reads with it, for the watermarks it last fetched.
    private let liveConsumer = Mutex<KafkaConsumer?>(nil)

    public init(
        model: LiveModel, settings: ServiceConfiguration.KafkaSettings, rankingConfig: @escaping @Sendable () -> RankingConfig,
        flushInterval: Duration = .milliseconds(100), maxBatch: Int = 500,
        isKnownItem: @escaping @Sendable (String) -> Bool = { _ in true }, logger: Logger
    ) {
        self.model = model
        self.isKnownItem = isKnownItem
        self.settings = settings
        self.rankingConfig = rankingConfig
        self.flushInterval = flushInterval
        self.maxBatch = maxBatch
        self.logger = logger
    }

    public var isReplaying: Bool { status.replaying }

    public var eventsOutsideCatalog: Int64 { status.outsideCatalog }

    public var status: Status {
        state.withLock { s in
            var status = s.status
            status.servedWaiting = s.joiner.waiting
            return status
        }
    }

    /// The lag gauges' values; nil until the updater knows its offsets. High watermarks are the
    /// consumer's cached ones (updated by every fetch, no broker round trip), never below those
    /// found at start.
    public func lag(now: Date = Date()) -> Lag? {
        let consumer = liveConsumer.withLock { $0 }
        let status = self.status
        guard status.started else { return nil }
        var records: [String: Int64] = [:]
        for (key, next) in status.nextOffsets {
            let (topic, partition) = Self.split(key)
            let high = max(consumer?.cachedHighWatermark(topic: topic, partition: partition) ?? 0, status.replayTargets[key] ?? 0)
            records[topic, default: 0] += max(0, high - next)
        }
        return Lag(records: records, newestAppliedAgeSeconds: status.newestAppliedRecordTime.map { max(0, now.timeIntervalSince1970 - $0) })
    }

    /// A frozen copy of the model and the offsets of exactly the records it includes.
    /// nil before the updater knows its offsets.
    public func checkpoint() -> (model: SessionRankModel, offsets: [String: Int64])? {
        applying.withLock { _ in
            state.withLock { s in
                guard s.status.started else { return nil }
                model.model.publish()
                return (model.model.copy(), s.status.nextOffsets)
            }
        }
    }

    public static func encodeOffsets(_ offsets: [String: Int64]) -> String { SnapshotOffsets.encode(offsets) }

    public static func decodeOffsets(_ text: String?) -> [String: Int64]? { SnapshotOffsets.decode(text) }

    // MARK: Service

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                let consumer = try await self.startConsumer()
                self.liveConsumer.withLock { $0 = consumer }
                do {
                    try await self.consume(consumer)
                } catch {
                    self.liveConsumer.withLock { $0 = nil }
                    await Self.close(consumer)
                    throw error
                }
                self.liveConsumer.withLock { $0 = nil }
                await Self.close(consumer)
            }
        } catch is CancellationError {
            // Graceful shutdown.
        } catch {
            logger.error("model updater stopped", metadata: ["error": "\(error)"])
        }
        flush()
        logger.info("model updater stopped", metadata: ["offsets": "\(Self.encodeOffsets(status.nextOffsets))"])
    }

    /// Reads, batches and applies on a thread of its own: a fetch hands over hundreds of records
    /// at once, and reading them on an event loop held up that loop's requests for milliseconds
    /// (p99 of recommend at 1,000/s was 3.6–4.6 ms with it there).
    private func consume(_ consumer: KafkaConsumer) async throws {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        defer { thread.shutdownGracefully { _ in } }
        let stopping = Atomic<Bool>(false)
        try await withTaskCancellationHandler {
            try await thread.runIfActive {
                #if canImport(Glibc)
                // Learning yields to serving: at nice 5 a waking event loop preempts a batch sooner,
                // and the updater still gets about a sixth of a busy core's share.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 5)
                #endif
                try self.consumeOnThisThread(consumer, until: stopping)
            }
        } onCancel: {
            stopping.store(true, ordering: .relaxed)
        }
    }

    /// The updater's loop: a batch is applied when it is full, and whatever is queued at least
    /// every `flushInterval`. A wait for records is short, so cancellation and the interval are
    /// noticed within `pollWait`.
    private func consumeOnThisThread(_ consumer: KafkaConsumer, until stopping: borrowing Atomic<Bool>) throws {
        let decoder = JSONDecoder()
        var nextTimedFlush = ContinuousClock.now + flushInterval
        while !stopping.load(ordering: .relaxed) {
            let full: Bool
            switch try consumer.waitForMessage(timeout: Self.pollWait) {
            case .message(let message): full = handle(message, decoder: decoder)
            case .nothing: full = false
            case .closed: return
            }
            let now = ContinuousClock.now
            if full || now >= nextTimedFlush {
                flush()
                nextTimedFlush = now + flushInterval
            }
        }
    }

    static let pollWait = Duration.milliseconds(20)

    /// Queues one record for the next batch, or takes it into the feedback joiner. Returns
    /// whether the batch is full.
    private func handle(_ message: KafkaConsumerMessage, decoder: JSONDecoder) -> Bool {
        let key = "\(message.topic):\(message.partition)"
        let recordTime = message.timestampMilliseconds.map { Double($0) / 1_000 }
        if message.topic == settings.eventsTopic {
            let record = EventRecordHeaders.summary(key: message.key, headers: message.headers)
                ?? (try? decoder.decode(EventRecord.self, from: Data(message.value))).map(EventSummary.init)
            let candidate = record.flatMap(ModelEventMapper.modelEvent)
            let outsideCatalog = candidate.map { !isKnownItem($0.itemId) } ?? false
            let event = outsideCatalog ? nil : candidate
            return state.withLock { s in
                s.status.recordsConsumed += 1
                if outsideCatalog { s.status.outsideCatalog += 1 }
                if record == nil { s.status.malformed += 1 } else if event == nil { s.status.recordsSkipped += 1 }
                if let event { s.pendingEvents.append(event) }
                s.pendingOffsets[key] = message.offset + 1
                s.pendingNewestTime = Self.newest(s.pendingNewestTime, recordTime)
                return isFull(s)
            }
        }
        if let summary = ServedRecordHeaders.summary(of: message.headers) {
            state.withLock { s in
                s.status.recordsConsumed += 1
                s.joiner.add(summary, body: message.value)
                s.advance(past: message.offset, of: key, time: recordTime)
            }
            return false
        }
        let data = Data(message.value)
        let kind = (try? decoder.decode(RecordKind.self, from: data))?.kind
        let served = kind == "served" ? try? decoder.decode(ServedRecord.self, from: data) : nil
        let feedback = kind == "feedback" ? try? decoder.decode(FeedbackRecord.self, from: data) : nil
        return state.withLock { s in
            s.status.recordsConsumed += 1
            if let served {
                s.joiner.add(served)
            } else if let feedback {
                if let example = s.joiner.example(for: feedback) {
                    s.pendingExamples.append(example)
                    s.pendingOffsets[key] = message.offset + 1
                    s.pendingNewestTime = Self.newest(s.pendingNewestTime, recordTime)
                    return isFull(s)
                }
                s.status.recordsSkipped += 1
            } else {
                s.status.malformed += 1
            }
            s.advance(past: message.offset, of: key, time: recordTime)
            return false
        }
    }

    /// Applies the queued events and feedback in one batch (one publish) and advances their
    /// offsets with them. The bookkeeping lock is held only to hand the batch over and to
    /// record it, so `/metrics`, health checks and the consumer never wait for a batch.
    private func flush() {
        applying.withLock { _ in
            guard let batch = state.withLock({ $0.takeBatch() }) else { return }
            if batch.count > 0 {
                model.model.apply(contentsOf: batch.events, feedback: batch.examples, config: rankingConfig())
            }
            state.withLock { $0.complete(batch) }
        }
    }

    private func isFull(_ s: State) -> Bool {
        s.pendingCount >= maxBatch
    }

    fileprivate static func newest(_ a: Double?, _ b: Double?) -> Double? {
        guard let a else { return b }
        guard let b else { return a }
        return max(a, b)
    }

}

private struct RecordKind: Decodable {
    var kind: String?
}
