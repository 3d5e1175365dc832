import Foundation

/// The training sessions in the shape every baseline reads: dense item and session numbers,
/// sessions ordered by their last click (so a higher session number is a more recent session,
/// which is what session-rec's `sampling='recent'` looks at).
public struct TrainingIndex: Sendable {
    /// Item number → item id.
    public let itemIds: [String]
    let itemNumbers: [String: Int32]
    /// Session number → its clicks in time order (item numbers, repeats kept).
    let clicks: [[Int32]]
    /// Session number → its distinct items.
    let distinctItems: [[Int32]]
    /// Session number → time of its last click.
    let lastTime: [Double]
    /// Item number → the sessions that contain it, ascending.
    let sessionsOfItem: [[Int32]]
    /// Item number → training clicks on it.
    let clickCounts: [Int]

    public init(training: [ClickSession]) {
        let sessions = training.enumerated().filter { !$0.element.events.isEmpty }.sorted { a, b in
            let ta = a.element.events.last!.time, tb = b.element.events.last!.time
            return ta != tb ? ta < tb : a.offset < b.offset
        }.map(\.element)
        var ids: [String] = [], numbers: [String: Int32] = [:], counts: [Int] = []
        var clicks: [[Int32]] = [], distinct: [[Int32]] = [], times: [Double] = [], ofItem: [[Int32]] = []
        for (sessionNumber, session) in sessions.enumerated() {
            var row: [Int32] = [], seen = Set<Int32>(), unique: [Int32] = []
            for event in session.events {
                let number: Int32
                if let known = numbers[event.itemId] { number = known } else {
                    number = Int32(ids.count)
                    numbers[event.itemId] = number
                    ids.append(event.itemId)
                    counts.append(0)
                    ofItem.append([])
                }
                counts[Int(number)] += 1
                row.append(number)
                if seen.insert(number).inserted {
                    unique.append(number)
                    ofItem[Int(number)].append(Int32(sessionNumber))
                }
            }
            clicks.append(row)
            distinct.append(unique)
            times.append(session.events.last!.time)
        }
        itemIds = ids
        itemNumbers = numbers
        clickCounts = counts
        self.clicks = clicks
        distinctItems = distinct
        lastTime = times
        sessionsOfItem = ofItem
    }

    public var sessionCount: Int { clicks.count }

    /// Item ids → item numbers; items never seen in training get distinct negative numbers
    /// (-1, -2, … in order of appearance), so they still count as clicks without matching anything.
    public func encode(_ items: [String]) -> [Int32] {
        var unknown: [String: Int32] = [:]
        return items.map { id in
            if let number = itemNumbers[id] { return number }
            if let number = unknown[id] { return number }
            let number = Int32(-1 - unknown.count)
            unknown[id] = number
            return number
        }
    }
}
