import Foundation

/// Time-decayed popularity: popularity(i, t) = Σ over events e of i: weight(e) × 2^(-(t - t_e) / halfLife).
///
/// Stored as key(i) = ln Σ weight(e) × e^(λ t_e) (log-sum-exp, so it never overflows), and
/// popularity(i, t) = e^(key(i) - λ t). Because every item decays at the same rate, the order
/// by key never changes with time: a key changes only when its item gets an event, and then it
/// only grows. That lets a small top list be maintained exactly, event by event.
struct DecayedPopularity: Sendable {
    private(set) var keys = ChunkedArray<Double>(filler: -Double.infinity)
    /// The `capacity` items with the largest keys, unordered.
    private(set) var top: [Int32] = []
    let capacity: Int
    let decayRate: Double

    init(halfLifeSeconds: Double, capacity: Int) {
        self.capacity = capacity
        self.decayRate = log(2) / max(halfLifeSeconds, 1)
    }

    init(halfLifeSeconds: Double, capacity: Int, keys: ChunkedArray<Double>, top: [Int32]) {
        self.init(halfLifeSeconds: halfLifeSeconds, capacity: capacity)
        self.keys = keys
        self.top = top
    }

    mutating func record(item: Int32, weight: Double, time: Double) {
        guard weight > 0 else { return }
        let index = Int(item)
        keys.ensureIndex(index)
        let old = keys[index]
        let added = log(weight) + decayRate * time
        let new = old == -Double.infinity ? added : max(old, added) + log1p(exp(-abs(old - added)))
        keys[index] = new
        if old != -Double.infinity, top.contains(item) { return }
        if top.count < capacity {
            top.append(item)
            return
        }
        var weakest = 0
        for position in 1..<top.count where isWeaker(top[position], than: top[weakest]) { weakest = position }
        if isWeaker(top[weakest], than: item) { top[weakest] = item }
    }

    /// Strict total order on (key, index) so the top list is deterministic under ties.
    private func isWeaker(_ a: Int32, than b: Int32) -> Bool {
        let ka = keys.value(at: Int(a)), kb = keys.value(at: Int(b))
        return ka != kb ? ka < kb : a > b
    }

    func score(of item: Int32, at time: Double) -> Double {
        let key = keys.value(at: Int(item))
        return key == -Double.infinity ? 0 : exp(key - decayRate * time)
    }

    /// The top list, most popular first, as scores at `time`.
    func topScores(at time: Double, limit: Int) -> [(item: Int32, score: Double)] {
        let ordered = top.sorted { isWeaker($1, than: $0) }.prefix(limit)
        return ordered.map { ($0, score(of: $0, at: time)) }
    }
}
