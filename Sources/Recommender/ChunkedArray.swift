/// A growable array stored as fixed-size chunks, each its own copy-on-write array.
///
/// Why: the live model publishes an immutable copy of its state after writes. With one flat
/// array, the first write after a publish would copy the whole array (cost grows with the
/// catalogue). Here that first write copies only the outer array of chunk references and the
/// one touched chunk, so the cost of publishing is bounded by what changed, not by model size.
struct ChunkedArray<Element: Sendable>: Sendable {
    static var chunkShift: Int { 6 }
    static var chunkSize: Int { 1 << chunkShift }
    static var chunkMask: Int { chunkSize - 1 }

    private(set) var chunks: [[Element]] = []
    private(set) var count = 0
    let filler: Element

    init(filler: Element) { self.filler = filler }

    subscript(index: Int) -> Element {
        get { chunks[index >> Self.chunkShift][index & Self.chunkMask] }
        _modify { yield &chunks[index >> Self.chunkShift][index & Self.chunkMask] }
    }

    /// Returns the element, or the filler when the index is past the end.
    @inline(__always)
    func value(at index: Int) -> Element {
        index < count ? self[index] : filler
    }

    /// Grows (with the filler value) so that `index` is valid.
    mutating func ensureIndex(_ index: Int) {
        while count <= index {
            if count & Self.chunkMask == 0 {
                var chunk: [Element] = []
                chunk.reserveCapacity(Self.chunkSize)
                chunks.append(chunk)
            }
            chunks[chunks.count - 1].append(filler)
            count += 1
        }
    }

    mutating func append(_ element: Element) {
        ensureIndex(count)
        self[count - 1] = element
    }
}

/// A dictionary split into shards selected by a stable hash, for the same reason as
/// `ChunkedArray`: a write after a publish copies one shard, not the whole map.
struct ShardedDictionary<Value: Sendable>: Sendable {
    /// Many small shards: the first write to a shard after a publish copies it, and the
    /// updater publishes every few milliseconds, touching a shard per new session.
    private static var shardCount: Int { 4_096 }
    private var shards: [[String: Value]] = Array(repeating: [:], count: shardCount)
    private(set) var count = 0

    @inline(__always)
    private static func shard(of key: String) -> Int {
        Int(StableHash.fnv1a(key) % UInt64(shardCount))
    }

    subscript(key: String) -> Value? {
        shards[Self.shard(of: key)][key]
    }

    mutating func set(_ value: Value, for key: String) {
        if shards[Self.shard(of: key)].updateValue(value, forKey: key) == nil { count += 1 }
    }

    mutating func remove(_ key: String) {
        if shards[Self.shard(of: key)].removeValue(forKey: key) != nil { count -= 1 }
    }
}

/// FNV-1a: a stable, seed-free hash, so that anything derived from it (shards, hashed feature
/// buckets) is identical across processes — Swift's `Hasher` is seeded per process.
enum StableHash {
    static func fnv1a(_ string: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in string.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}

extension ChunkedArray {
    init(filler: Element, elements: [Element]) {
        self.init(filler: filler)
        for element in elements { append(element) }
    }

    var elements: [Element] { chunks.flatMap { $0 } }
}
