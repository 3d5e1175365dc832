import Foundation

/// What one replayed session contributed, per config: the sums the report's figures are
/// ratios of, so the intervals can resample whole sessions.
struct SessionTally: Sendable {
    var predictions = 0
    var reciprocalRank = Side<Double>(live: 0, draft: 0)
    var hits = Side<Int>(live: 0, draft: 0)
    /// Indexes (`ItemIndex`) of the items any answer of the session showed.
    var shown = Side<Set<Int32>>(live: [], draft: [])
    /// Per rule: answers it changed under live, under draft, and answers where what it removed
    /// differs between the two.
    var rules: [String: RuleTally] = [:]
}

struct RuleTally: Sendable, Equatable {
    var live = 0
    var draft = 0
    var changed = 0
    /// A business rule of the ranking config; otherwise a compliance rule.
    var business = false
}

struct Side<Value: Sendable>: Sendable {
    var live: Value
    var draft: Value
}

/// Item ids as small numbers, so coverage over a resample is a stamp array, not a set of strings.
struct ItemIndex {
    private(set) var ids: [String: Int32] = [:]

    mutating func index(_ id: String) -> Int32 {
        if let known = ids[id] { return known }
        let next = Int32(ids.count)
        ids[id] = next
        return next
    }

    var count: Int { ids.count }
}

/// A figure and its 95 % interval.
public struct Estimate: Codable, Sendable, Equatable {
    public var value: Double
    public var low: Double
    public var high: Double
}

/// Live, draft and draft − live of one figure, each with its interval (paired: the same
/// resampled sessions for both sides).
public struct Comparison: Codable, Sendable, Equatable {
    public var live: Estimate
    public var draft: Estimate
    public var difference: Estimate
}
