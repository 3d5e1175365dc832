import Foundation
import Recommender

/// How far this replica's model is behind the log.
public struct ModelLag: Sendable, Equatable {
    /// Per topic: Σ over its partitions of (high watermark − next offset to apply).
    public var records: [String: Int64]
    /// Now minus the log timestamp of the newest applied record; nil before the first.
    /// Grows while the log is idle too, so read it together with `records`.
    public var newestAppliedAgeSeconds: Double?

    public init(records: [String: Int64], newestAppliedAgeSeconds: Double?) {
        self.records = records
        self.newestAppliedAgeSeconds = newestAppliedAgeSeconds
    }
}

/// Port: what keeps the live model learning from the event log, as the rest of the service
/// sees it (snapshots, readiness, gauges). Kafka in production (`ModelUpdater` in SessionRankAdapters).
public protocol LearningLoop: Sendable {
    /// True while the loop catches up with the log it found at start (or has not started).
    var isReplaying: Bool { get }
    /// Logged events of items the catalogue does not hold, counted and not learned, since start.
    var eventsOutsideCatalog: Int64 { get }
    /// The lag gauges' values; nil until the loop knows its offsets.
    func lag(now: Date) -> ModelLag?
    /// A frozen copy of the model and the log offsets of exactly the records it includes;
    /// nil before the loop knows its offsets.
    func checkpoint() -> (model: SessionRankModel, offsets: [String: Int64])?
}

/// The log offsets a model snapshot includes, stored in its metadata as JSON
/// `{"events:0": 124, …}` (the next offset to read per "topic:partition").
public enum SnapshotOffsets {
    public static let metadataKey = "offsets"

    public static func encode(_ offsets: [String: Int64]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(offsets)) ?? Data("{}".utf8), as: UTF8.self)
    }

    public static func decode(_ text: String?) -> [String: Int64]? {
        guard let text else { return nil }
        return try? JSONDecoder().decode([String: Int64].self, from: Data(text.utf8))
    }
}
