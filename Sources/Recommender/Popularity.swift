import Foundation

/// Time-decayed popularity: popularity(i, t) = Σ over events e of i: weight(e) × 2^(-(t - t_e) / halfLife).
///
/// Stored as key(i) = ln Σ weight(e) × e^(λ t_e) (log-sum-exp, so it never overflows), and
/// popularity(i, t) = e^(key(i) - λ t). Because every item decays at the same rate, the order
/// by key never changes with time: a key changes only when its item gets an event, and then it
/// only grows. That lets a small top list be maintained exactly, event by event.
struct DecayedPopularity: Sendable {
    private(set) var keys = ChunkedArray<Double>(filler: -Double.infinity)
    /// The `capacity` items with the largest keys, most popular first (strict order on
    /// (key, index)). Kept sorted so that an event costs O(1) for items outside the list (one
    /// comparison with the last entry) and a short bubble-up inside it, and a query reads the
    /// list without sorting.
    private(set) var top: [Int32] = []
    let capacity: Int
    let decayRate: Double

    init(halfLifeSeconds: Double, capacity: Int) {
        self.capacity = capacity
        self.decayRate = log(2) / max(halfLifeSeconds, 1)
    }

    /// Restores a table; `top` may come in any order (snapshots written before it was kept sorted).
    init(halfLifeSeconds: Double, capacity: Int, keys: ChunkedArray<Double>, top: [Int32]) {
        self.init(halfLifeSeconds: halfLifeSeconds, capacity: capacity)
        self.keys = keys
        self.top = top.sorted { isWeaker($1, than: $0) }
    }

    mutating func record(item: Int32, weight: Double, time: Double) {
        guard weight > 0 else { return }
        let index = Int(item)
        keys.ensureIndex(index)
        let old = keys[index]
        let added = log(weight) + decayRate * time
        let new = old == -Double.infinity ? added : max(old, added) + log1p(exp(-abs(old - added)))
        keys[index] = new
        // Keys only grow, so an item can only move towards the front.
        var position: Int
        if let current = top.lastIndex(of: item) {
            position = current
        } else if top.count < capacity {
            top.append(item)
            position = top.count - 1
        } else if let last = top.last, isWeaker(last, than: item) {
            top[top.count - 1] = item
            position = top.count - 1
        } else {
            return
        }
        while position > 0, isWeaker(top[position - 1], than: top[position]) {
            top.swapAt(position - 1, position)
            position -= 1
        }
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
        top.prefix(limit).map { ($0, score(of: $0, at: time)) }
    }
}
