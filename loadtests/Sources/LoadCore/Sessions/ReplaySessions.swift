import Foundation

/// Item sequences read from a click log such as serenade-example/train.tsv
/// (`SessionId\tItemId\tTime`, with a header line, Time in seconds).
public struct ReplaySessions: Sendable {
    public struct Session: Sendable, Equatable {
        public var items: [String]
        /// Seconds between consecutive clicks, one fewer than items.
        public var gaps: [Double]
    }

    public let sessions: [Session]

    public static func load(path: String) throws -> ReplaySessions {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ScenarioError(field: "session.replayFile", message: "cannot read \(path)")
        }
        return parse(text)
    }

    public static func parse(_ text: String) -> ReplaySessions {
        var clicks: [String: [(time: Double, item: String)]] = [:]
        var order: [String] = []
        for (index, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: "\t")
            guard fields.count >= 3 else { continue }
            guard let time = Double(fields[2]) else {
                if index == 0 { continue }  // the header
                continue
            }
            let id = String(fields[0])
            if clicks[id] == nil { order.append(id) }
            clicks[id, default: []].append((time, String(fields[1])))
        }
        let sessions = order.compactMap { id -> Session? in
            let sorted = clicks[id]!.sorted { $0.time < $1.time }
            guard !sorted.isEmpty else { return nil }
            let gaps = zip(sorted.dropFirst(), sorted).map { $0.time - $1.time }
            return Session(items: sorted.map(\.item), gaps: gaps)
        }
        return ReplaySessions(sessions: sessions)
    }
}
