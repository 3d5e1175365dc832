/// A sparse map from small non-negative integer keys (item indices, session offsets) to
/// compact slots 0, 1, 2, … in insertion order, backed by a dense lookup array.
///
/// Why: per-request scoring used to build hash maps; here a lookup is one array read, and
/// `removeAll()` resets only the touched keys, so one instance can be reused across requests
/// without allocating (the dense array grows once to the largest key seen).
struct SlotMap: Sendable {
    private var slotOfKey: [Int32] = []
    /// Keys in slot order.
    private(set) var keys: [Int32] = []

    var count: Int { keys.count }

    /// The slot of `key`, if it has one.
    @inline(__always)
    func slot(of key: Int) -> Int? {
        guard key < slotOfKey.count else { return nil }
        let slot = slotOfKey[key]
        return slot >= 0 ? Int(slot) : nil
    }

    /// The slot of `key`, creating the next slot when it has none.
    @inline(__always)
    mutating func slot(for key: Int) -> (slot: Int, inserted: Bool) {
        if key >= slotOfKey.count { grow(to: key + 1) }
        let existing = slotOfKey[key]
        if existing >= 0 { return (Int(existing), false) }
        let slot = keys.count
        slotOfKey[key] = Int32(slot)
        keys.append(Int32(key))
        return (slot, true)
    }

    mutating func removeAll() {
        for key in keys { slotOfKey[Int(key)] = -1 }
        keys.removeAll(keepingCapacity: true)
    }

    private mutating func grow(to size: Int) {
        // Geometric growth keeps reallocation rare as the model's item count grows.
        let target = max(size, slotOfKey.count * 3 / 2, 1024)
        slotOfKey.append(contentsOf: repeatElement(-1, count: target - slotOfKey.count))
    }
}
