/// Selects the k best (score desc, index asc) entries of a score map without sorting it all:
/// a bounded min-heap, O(n log k).
enum TopK {
    @inline(__always)
    static func isBetter(_ a: (item: Int32, score: Double), than b: (item: Int32, score: Double)) -> Bool {
        a.score != b.score ? a.score > b.score : a.item < b.item
    }

    static func select(_ scores: [Int32: Double], k: Int) -> [(item: Int32, score: Double)] {
        select(scores.lazy.map { (item: $0.key, score: $0.value) }, k: k, by: isBetter)
    }

    /// The k best elements, best first. `isBetter` must be a strict total order for the result
    /// not to depend on the input order.
    @inlinable
    static func select<S: Sequence>(_ values: S, k: Int, by isBetter: (S.Element, S.Element) -> Bool) -> [S.Element] {
        guard k > 0 else { return [] }
        var heap: [S.Element] = []  // worst at the root
        heap.reserveCapacity(k)
        for entry in values {
            if heap.count < k {
                heap.append(entry)
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard isBetter(heap[parent], heap[child]) else { break }
                    heap.swapAt(parent, child)
                    child = parent
                }
            } else if isBetter(entry, heap[0]) {
                heap[0] = entry
                var parent = 0
                while true {
                    let left = 2 * parent + 1, right = left + 1
                    var worst = parent
                    if left < heap.count, isBetter(heap[worst], heap[left]) { worst = left }
                    if right < heap.count, isBetter(heap[worst], heap[right]) { worst = right }
                    if worst == parent { break }
                    heap.swapAt(parent, worst)
                    parent = worst
                }
            }
        }
        return heap.sorted(by: isBetter)
    }
}
