import Foundation
import Recommender

/// One session of a click file: items with times, ordered by time.
public struct ClickSession: Sendable, Equatable {
    public var id: String
    public var events: [(itemId: String, time: Double)]

    public init(id: String, events: [(itemId: String, time: Double)]) {
        self.id = id
        self.events = events
    }

    public static func == (a: ClickSession, b: ClickSession) -> Bool {
        a.id == b.id && a.events.map(\.itemId) == b.events.map(\.itemId) && a.events.map(\.time) == b.events.map(\.time)
    }
}

public struct SessionFileError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Reads session files: tab-separated `SessionId ItemId Time` with a header line, rows in any
/// order. Sessions come out sorted by session id (numerically when all ids are integers),
/// events by time (ties keep file order).
public enum SessionFile {
    public static func read(_ url: URL) throws -> [ClickSession] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw SessionFileError(description: "cannot read session file \(url.path): \(error.localizedDescription)")
        }
        return try parse(text, name: url.path)
    }

    public static func parse(_ text: String, name: String = "input") throws -> [ClickSession] {
        var rows: [String: [(itemId: String, time: Double)]] = [:]
        var lineNumber = 0
        var headerSeen = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line[...]
            if trimmed.isEmpty { continue }
            if !headerSeen {
                headerSeen = true
                guard trimmed.split(separator: "\t").first == "SessionId" else {
                    throw SessionFileError(description: "\(name):1: expected the header line `SessionId<TAB>ItemId<TAB>Time`")
                }
                continue
            }
            let fields = trimmed.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 3, let time = Double(fields[2]) else {
                throw SessionFileError(description: "\(name):\(lineNumber): expected `SessionId<TAB>ItemId<TAB>Time` with a numeric time")
            }
            rows[String(fields[0]), default: []].append((String(fields[1]), time))
        }
        let allNumeric = rows.keys.allSatisfy { Int64($0) != nil }
        let ids = rows.keys.sorted { allNumeric ? Int64($0)! < Int64($1)! : $0 < $1 }
        return ids.map { id in
            let events = rows[id]!.enumerated().sorted { $0.element.time != $1.element.time ? $0.element.time < $1.element.time : $0.offset < $1.offset }
            return ClickSession(id: id, events: events.map(\.element))
        }
    }

    /// Events in the order the model should learn them: sessions by start time (ties by the
    /// file's session order), each session's events in time order. Replaying whole sessions by
    /// start time keeps "most recent sessions" meaningful for VMIS-kNN.
    public static func trainingEvents(_ sessions: [ClickSession]) -> [ModelEvent] {
        let ordered = sessions.enumerated().sorted {
            let a = $0.element.events.first?.time ?? 0, b = $1.element.events.first?.time ?? 0
            return a != b ? a < b : $0.offset < $1.offset
        }
        return ordered.flatMap { entry in
            entry.element.events.map { ModelEvent(sessionId: entry.element.id, itemId: $0.itemId, type: .view, timestamp: $0.time) }
        }
    }
}
