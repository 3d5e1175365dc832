/// Per-source scores of the items one request touches, in buffers reused across requests.
/// Row = item slot (`SlotMap`), column = `CandidateSource.ordinal`; `nominatedBy` holds the
/// bit set of sources that put the item forward as a candidate.
struct ScoreBoard: Sendable {
    static var columns: Int { CandidateSource.allCases.count }

    private(set) var slots = SlotMap()
    private var scores: [Double] = []
    private(set) var nominatedBy: [UInt16] = []

    var count: Int { slots.count }

    @inline(__always)
    func item(atSlot slot: Int) -> Int32 { slots.keys[slot] }

    @inline(__always)
    func score(atSlot slot: Int, _ source: CandidateSource) -> Double { scores[slot * Self.columns + source.ordinal] }

    /// The score of `item` for `source`, 0 when the item was not scored.
    func score(of item: Int32, _ source: CandidateSource) -> Double {
        guard let slot = slots.slot(of: Int(item)) else { return 0 }
        return score(atSlot: slot, source)
    }

    /// The slot of `item`, adding an empty row when new.
    @inline(__always)
    mutating func slot(for item: Int32) -> Int {
        let (slot, inserted) = slots.slot(for: Int(item))
        if inserted {
            scores.append(contentsOf: repeatElement(0, count: Self.columns))
            nominatedBy.append(0)
        }
        return slot
    }

    @inline(__always)
    mutating func add(_ value: Double, to item: Int32, _ source: CandidateSource) {
        scores[slot(for: item) * Self.columns + source.ordinal] += value
    }

    @inline(__always)
    mutating func scale(slot: Int, _ source: CandidateSource, by factor: Double) {
        scores[slot * Self.columns + source.ordinal] *= factor
    }

    mutating func nominate(slot: Int, by source: CandidateSource) {
        nominatedBy[slot] |= source.bit
    }

    mutating func removeAll() {
        slots.removeAll()
        scores.removeAll(keepingCapacity: true)
        nominatedBy.removeAll(keepingCapacity: true)
    }

    /// One source's scores as a map (tests and explanations; the hot path reads slots).
    func scores(of source: CandidateSource) -> [Int32: Double] {
        var result: [Int32: Double] = [:]
        for slot in 0..<count where score(atSlot: slot, source) != 0 { result[item(atSlot: slot)] = score(atSlot: slot, source) }
        return result
    }
}
