import Synchronization

/// A bounded in-process cache whose entries expire. When full, expired entries go first, then
/// the oldest inserted: simple, predictable, and good enough for profile look-ups whose hit
/// rate comes from a visitor's burst of page views.
public final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var expires: ContinuousClock.Instant
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var insertionOrder: [Key] = []
        var orderStart = 0
        /// Grows with every removal, so a caller can tell that an eviction happened while it was
        /// looking a value up, and not cache what may be stale.
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let timeToLive: Duration

    public init(capacity: Int, timeToLive: Duration) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.timeToLive = timeToLive
    }

    public func value(for key: Key) -> Value? {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard let entry = state.entries[key], entry.expires > now else { return nil }
            return entry.value
        }
    }

    public func insert(_ value: Value, for key: Key) {
        let expires = ContinuousClock.now + timeToLive
        state.withLock { state in store(value, for: key, expires: expires, in: &state) }
    }

    private func store(_ value: Value, for key: Key, expires: ContinuousClock.Instant, in state: inout State) {
        if state.entries.updateValue(Entry(value: value, expires: expires), forKey: key) == nil {
            state.insertionOrder.append(key)
        }
        while state.entries.count > capacity, state.orderStart < state.insertionOrder.count {
            let oldest = state.insertionOrder[state.orderStart]
            state.orderStart += 1
            state.entries[oldest] = nil
        }
        // Compact the order list once its dead prefix dominates.
        if state.orderStart > capacity {
            state.insertionOrder.removeFirst(state.orderStart)
            state.orderStart = 0
            state.insertionOrder.removeAll { state.entries[$0] == nil }
        }
    }

    /// Inserts only when nothing was removed since `generation` was read; says whether it did.
    @discardableResult
    public func insert(_ value: Value, for key: Key, unlessChangedSince generation: UInt64) -> Bool {
        let expires = ContinuousClock.now + timeToLive
        return state.withLock { state in
            guard state.generation == generation else { return false }
            store(value, for: key, expires: expires, in: &state)
            return true
        }
    }

    public var generation: UInt64 { state.withLock { $0.generation } }

    public func remove(_ key: Key) {
        state.withLock { state in
            state.generation &+= 1
            _ = state.entries.removeValue(forKey: key)
        }
    }

    public func removeAll() {
        state.withLock { state in
            state.generation &+= 1
            state = State(generation: state.generation)
        }
    }

    public var count: Int { state.withLock { $0.entries.count } }
}
