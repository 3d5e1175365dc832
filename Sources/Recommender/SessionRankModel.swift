import Foundation
import Synchronization

/// The live model: learns event by event and answers queries concurrently.
///
/// Concurrency: one writer at a time mutates a private working `ModelState` (serialised by
/// `writer`), then publishes an immutable copy by swapping a reference under `published`.
/// Readers only take `published` long enough to copy that reference out (no allocation, no
/// model work inside the lock) and then rank on their own immutable copy, so they never wait
/// for learning or for snapshot encoding. Copies share storage copy-on-write in 64-element
/// chunks (`ChunkedArray`), so a publish plus the next write costs only the touched chunks
/// and the chunk tables, not a copy of the model. `ModelParameters.publishEvery` trades
/// freshness for write cost (default: publish after every event).
public final class SessionRankModel: Sendable {
    private let writer: Mutex<WriterState>
    private let published: Mutex<PublishedState>
    /// Idle ranking buffers; a reader takes one for the length of a request.
    private let scratchPool = Mutex<[RankingScratch]>([])
    private static var maxPooledScratches: Int { 16 }

    private struct WriterState {
        var state: ModelState
        var unpublished = 0
    }

    /// An immutable published state. A class so that handing it to a reader is one retain.
    private final class PublishedState: Sendable {
        let state: ModelState
        init(_ state: ModelState) { self.state = state }
    }

    public init(parameters: ModelParameters = .default) {
        let state = ModelState(parameters: parameters)
        writer = Mutex(WriterState(state: state))
        published = Mutex(PublishedState(state))
    }

    init(state: ModelState) {
        writer = Mutex(WriterState(state: state))
        published = Mutex(PublishedState(state))
    }

    private var current: ModelState { published.withLock { $0 }.state }

    // MARK: learning

    /// Learns one behaviour event.
    public func apply(_ event: ModelEvent) {
        write { $0.apply(event) }
    }

    /// Learns a batch of events and of feedback on served lists, and publishes once at the end:
    /// each publish makes the next writes copy the chunks they touch.
    public func apply(contentsOf events: some Sequence<ModelEvent>, feedback: [FeedbackExample] = [], config: RankingConfig = .default) {
        writer.withLock { w in
            for event in events { w.state.apply(event) }
            for example in feedback { w.state.learn(from: example, settings: config.ranker) }
            published.withLock { $0 = PublishedState(w.state) }
            w.unpublished = 0
        }
    }

    /// Learns from one served list and what was clicked or bought in it.
    public func learn(from feedback: FeedbackExample, config: RankingConfig = .default) {
        write { $0.learn(from: feedback, settings: config.ranker) }
    }

    /// Adds or replaces item attributes (used for interest affinity and price band).
    public func updateCatalog(_ catalog: ItemCatalog) {
        writer.withLock { w in
            for id in catalog.items.keys.sorted() { w.state.setAttributes(catalog.items[id]!, for: id) }
            published.withLock { $0 = PublishedState(w.state) }
            w.unpublished = 0
        }
    }

    /// Makes every applied event visible to readers now.
    public func publish() {
        writer.withLock { w in
            published.withLock { $0 = PublishedState(w.state) }
            w.unpublished = 0
        }
    }

    private func write(_ body: (inout ModelState) -> Void) {
        writer.withLock { w in
            body(&w.state)
            w.unpublished += 1
            if w.unpublished >= max(1, w.state.parameters.publishEvery) {
                published.withLock { $0 = PublishedState(w.state) }
                w.unpublished = 0
            }
        }
    }

    // MARK: querying

    /// Ranked candidates for one page view, best first.
    public func recommend(_ request: RecommendationRequest, config: RankingConfig = .default) -> [RankedItem] {
        var scratch = scratchPool.withLock { $0.popLast() } ?? RankingScratch()
        let ranked = current.recommend(request, config: config, scratch: &scratch)
        scratchPool.withLock { pool in
            if pool.count < Self.maxPooledScratches { pool.append(scratch) }
        }
        return ranked
    }

    /// Increases with every published change (events, feedback, catalogue).
    public var version: UInt64 { current.version }

    public var parameters: ModelParameters { current.parameters }

    /// Opaque caller data stored in snapshots (e.g. Kafka offsets, model version).
    public var metadata: [String: String] { current.metadata }

    public func setMetadata(_ metadata: [String: String]) {
        writer.withLock { w in
            w.state.metadata = metadata
            published.withLock { $0 = PublishedState(w.state) }
            w.unpublished = 0
        }
    }

    public struct Stats: Sendable, Equatable {
        public var sessions: Int
        public var items: Int
        public var eventsApplied: Int64
        public var feedbackApplied: Int64
        public var rankerPositives: Int64
        public var version: UInt64
        public var latestEventTime: Double
        /// Events not learned because the item table was full (`ModelParameters.maxItems`).
        public var eventsIgnored: Int64 = 0
        /// Sessions that left the kNN index: idle past the window, or over `maxLiveSessions`.
        public var sessionsEvictedIdle: Int64 = 0
        public var sessionsEvictedOverCapacity: Int64 = 0
    }

    /// Cheap counters for /metrics (of the published state).
    public var stats: Stats {
        let s = current
        return Stats(sessions: s.sessions.liveSessions, items: s.items.count, eventsApplied: s.eventsApplied, feedbackApplied: s.feedbackApplied,
                     rankerPositives: s.ranker.positives, version: s.version, latestEventTime: s.latestTime,
                     eventsIgnored: s.eventsIgnored, sessionsEvictedIdle: s.sessions.evictedIdle,
                     sessionsEvictedOverCapacity: s.sessions.evictedOverCapacity)
    }

    // MARK: snapshots

    /// An independent model holding the published state. Cheap (copy-on-write): lets a caller
    /// freeze the state at one instant and encode it later without holding up learning.
    public func copy() -> SessionRankModel {
        SessionRankModel(state: current)
    }

    /// Encodes the published state. `metadata`, when given, replaces the stored metadata in the
    /// snapshot (the live model keeps its own).
    public func snapshot(metadata: [String: String]? = nil) -> Data {
        var state = current
        if let metadata { state.metadata = metadata }
        return SnapshotCodec.encode(state)
    }

    /// Writes a snapshot atomically (temporary file, then rename).
    public func write(to url: URL, metadata: [String: String]? = nil) throws {
        let data = snapshot(metadata: metadata)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try data.write(to: temporary)
            if FileManager.default.fileExists(atPath: url.path) {
                _ = try FileManager.default.replaceItemAt(url, withItemAt: temporary)
            } else {
                try FileManager.default.moveItem(at: temporary, to: url)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw SnapshotError(.io, "cannot write snapshot to \(url.path): \(error)")
        }
    }

    /// Restores a model from snapshot bytes; throws `SnapshotError` for anything invalid.
    public static func load(from data: Data) throws(SnapshotError) -> SessionRankModel {
        SessionRankModel(state: try SnapshotCodec.decode(data))
    }

    public static func load(from url: URL) throws(SnapshotError) -> SessionRankModel {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw SnapshotError(.io, "cannot read snapshot \(url.path): \(error)") }
        return try load(from: data)
    }
}
