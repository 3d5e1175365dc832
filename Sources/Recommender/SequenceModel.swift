/// Item-to-item statistics learned from the order of events within sessions:
/// - sequential transitions a→b, counted when b follows a within `transitionWindow` steps,
///   weighted 1/step (b directly after a counts 1, two steps later 1/2, …);
/// - co-visitation a↔b, counted once per direction when two items are at most
///   `covisitationWindow` steps apart.
/// Scores are normalised by each source item's total, i.e. estimates of P(b | a).
struct SequenceModel: Sendable {
    private(set) var transitions = ChunkedArray<[Int32: Float]>(filler: [:])
    private(set) var transitionTotals = ChunkedArray<Float>(filler: 0)
    private(set) var covisits = ChunkedArray<[Int32: Float]>(filler: [:])
    private(set) var covisitTotals = ChunkedArray<Float>(filler: 0)

    init() {}

    init(transitions: ChunkedArray<[Int32: Float]>, transitionTotals: ChunkedArray<Float>, covisits: ChunkedArray<[Int32: Float]>, covisitTotals: ChunkedArray<Float>) {
        self.transitions = transitions
        self.transitionTotals = transitionTotals
        self.covisits = covisits
        self.covisitTotals = covisitTotals
    }

    /// Learns from `item` arriving after `previous` (oldest first) in one session.
    mutating func observe(previous: [Int32], item: Int32, parameters: ModelParameters) {
        var step = 0
        for earlier in previous.reversed() {
            step += 1
            if earlier == item { continue }
            if step <= parameters.transitionWindow {
                let weight = Float(1.0 / Double(step))
                Self.add(&transitions, &transitionTotals, from: earlier, to: item, weight: weight, cap: parameters.maxNeighboursPerItem)
            }
            if step <= parameters.covisitationWindow {
                Self.add(&covisits, &covisitTotals, from: earlier, to: item, weight: 1, cap: parameters.maxNeighboursPerItem)
                Self.add(&covisits, &covisitTotals, from: item, to: earlier, weight: 1, cap: parameters.maxNeighboursPerItem)
            }
        }
    }

    private static func add(_ table: inout ChunkedArray<[Int32: Float]>, _ totals: inout ChunkedArray<Float>, from: Int32, to: Int32, weight: Float, cap: Int) {
        let index = Int(from)
        table.ensureIndex(index)
        totals.ensureIndex(index)
        table[index][to, default: 0] += weight
        totals[index] += weight
        if table[index].count > cap { pruneWeakest(&table[index], keep: cap * 3 / 4) }
    }

    /// Keeps the `keep` strongest neighbours (ties: lower index wins, so pruning is deterministic).
    static func pruneWeakest(_ neighbours: inout [Int32: Float], keep: Int) {
        let kept = neighbours.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(keep)
        neighbours = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
    }

    /// Σ over the last `steps` session events (weight 1/step back) of P(b | event item).
    func transitionScores(sessionSequence: [Int32], steps: Int) -> [Int32: Double] {
        var board = ScoreBoard()
        Self.accumulate(table: transitions, totals: transitionTotals, sequence: sessionSequence, steps: steps, into: &board, as: .transition)
        return board.scores(of: .transition)
    }

    func covisitationScores(sessionSequence: [Int32], steps: Int) -> [Int32: Double] {
        var board = ScoreBoard()
        Self.accumulate(table: covisits, totals: covisitTotals, sequence: sessionSequence, steps: steps, into: &board, as: .covisitation)
        return board.scores(of: .covisitation)
    }

    func accumulateTransitions(sessionSequence: [Int32], steps: Int, into board: inout ScoreBoard) {
        Self.accumulate(table: transitions, totals: transitionTotals, sequence: sessionSequence, steps: steps, into: &board, as: .transition)
    }

    func accumulateCovisitations(sessionSequence: [Int32], steps: Int, into board: inout ScoreBoard) {
        Self.accumulate(table: covisits, totals: covisitTotals, sequence: sessionSequence, steps: steps, into: &board, as: .covisitation)
    }

    private static func accumulate(table: ChunkedArray<[Int32: Float]>, totals: ChunkedArray<Float>, sequence: [Int32], steps: Int,
                                   into board: inout ScoreBoard, as source: CandidateSource) {
        var step = 0
        for item in sequence.reversed() {
            step += 1
            if step > steps { break }
            let total = Double(totals.value(at: Int(item)))
            guard total > 0 else { continue }
            let weight = 1.0 / (Double(step) * total)
            for (next, count) in table.value(at: Int(item)) {
                board.add(Double(count) * weight, to: next, source)
            }
        }
    }
}
