/// Like `SlotMap`, for keys from a large range of which one request touches a few hundred: the
/// session offsets of kNN neighbours. `SlotMap`'s dense array spans every live session, so
/// nearly every read missed the cache (the largest share of the kNN step's time); this
/// open-addressing table holds only the touched keys and stays in the first-level cache.
struct HashedSlotMap: Sendable {
    /// Entry: key in the high 32 bits, slot in the low 32; all ones = empty.
    private var table: [UInt64]
    private var shift: UInt64
    /// Keys in slot order.
    private(set) var keys: [Int32] = []
    /// Where each slot's entry sits in `table`, so `removeAll` clears only those.
    private var bucketOfSlot: [Int32] = []

    private static var empty: UInt64 { .max }

    init() {
        table = Array(repeating: Self.empty, count: 1024)
        shift = 64 - 10
    }

    var count: Int { keys.count }

    /// The slot of `key` (0 ≤ key < 2³¹), creating the next slot when it has none.
    @inline(__always)
    mutating func slot(for key: Int) -> (slot: Int, inserted: Bool) {
        let mask = table.count - 1
        var bucket = bucket(of: key)
        while true {
            let entry = table[bucket]
            if entry == Self.empty { break }
            if Int(entry >> 32) == key { return (Int(UInt32(truncatingIfNeeded: entry)), false) }
            bucket = (bucket + 1) & mask
        }
        let slot = keys.count
        table[bucket] = UInt64(UInt32(key)) << 32 | UInt64(UInt32(slot))
        keys.append(Int32(key))
        bucketOfSlot.append(Int32(bucket))
        if keys.count * 2 > table.count { grow() }
        return (slot, true)
    }

    /// The slot of `key`, if it has one.
    func slot(of key: Int) -> Int? {
        let mask = table.count - 1
        var bucket = bucket(of: key)
        while table[bucket] != Self.empty {
            if Int(table[bucket] >> 32) == key { return Int(UInt32(truncatingIfNeeded: table[bucket])) }
            bucket = (bucket + 1) & mask
        }
        return nil
    }

    mutating func removeAll() {
        for bucket in bucketOfSlot { table[Int(bucket)] = Self.empty }
        keys.removeAll(keepingCapacity: true)
        bucketOfSlot.removeAll(keepingCapacity: true)
    }

    /// Fibonacci hashing: consecutive offsets land far apart.
    @inline(__always)
    private func bucket(of key: Int) -> Int {
        Int((UInt64(UInt32(key)) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Doubles the table (load stays at most one half) and re-inserts every key in slot order.
    private mutating func grow() {
        table = Array(repeating: Self.empty, count: table.count * 2)
        shift -= 1
        let mask = table.count - 1
        for (slot, key) in keys.enumerated() {
            var bucket = bucket(of: Int(key))
            while table[bucket] != Self.empty { bucket = (bucket + 1) & mask }
            table[bucket] = UInt64(UInt32(key)) << 32 | UInt64(UInt32(slot))
            bucketOfSlot[slot] = Int32(bucket)
        }
    }
}
