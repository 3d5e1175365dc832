/// Maps storefront item ids (strings) to dense `Int32` indices and back. Indices are handed
/// out in first-seen order and never reused, so per-item arrays can be indexed directly and a
/// snapshot restores exactly the same numbering.
struct ItemInterner: Sendable {
    private var indexById = ShardedDictionary<Int32>()
    private(set) var ids = ChunkedArray<String>(filler: "")

    var count: Int { ids.count }

    func index(of id: String) -> Int32? { indexById[id] }

    func id(at index: Int32) -> String { ids[Int(index)] }

    /// Returns the index of `id`, interning it first when new.
    mutating func intern(_ id: String) -> Int32 {
        if let existing = indexById[id] { return existing }
        let index = Int32(ids.count)
        ids.append(id)
        indexById.set(index, for: id)
        return index
    }
}
