/// "Bought together" rules from purchases. A basket is the set of items one session bought.
/// For a rule a→b: support = baskets with both, confidence = support / baskets with a,
/// lift = confidence / (baskets with b / all baskets). Thresholds are applied at query time.
struct AssociationRules: Sendable {
    private(set) var basketsWithItem = ChunkedArray<Int32>(filler: 0)
    private(set) var pairs = ChunkedArray<[Int32: Int32]>(filler: [:])
    private(set) var baskets = 0

    init() {}

    init(basketsWithItem: ChunkedArray<Int32>, pairs: ChunkedArray<[Int32: Int32]>, baskets: Int) {
        self.basketsWithItem = basketsWithItem
        self.pairs = pairs
        self.baskets = baskets
    }

    /// Learns that a session bought `item` after having bought `earlier` (distinct items).
    mutating func observePurchase(item: Int32, earlier: [Int32], cap: Int) {
        guard !earlier.contains(item) else { return }
        if earlier.isEmpty { baskets += 1 }
        basketsWithItem.ensureIndex(Int(item))
        basketsWithItem[Int(item)] += 1
        for other in earlier {
            add(other, item, cap: cap)
            add(item, other, cap: cap)
        }
    }

    private mutating func add(_ a: Int32, _ b: Int32, cap: Int) {
        pairs.ensureIndex(Int(a))
        pairs[Int(a)][b, default: 0] += 1
        if pairs[Int(a)].count > cap {
            let kept = pairs[Int(a)].sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(cap * 3 / 4)
            pairs[Int(a)] = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
        }
    }

    /// Σ over antecedents of the confidence of every rule that passes all thresholds.
    func scores(antecedents: [Int32], settings: AssociationSettings) -> [Int32: Double] {
        var board = ScoreBoard()
        accumulate(antecedents: antecedents, settings: settings, into: &board)
        return board.scores(of: .association)
    }

    func accumulate(antecedents: [Int32], settings: AssociationSettings, into board: inout ScoreBoard) {
        guard baskets > 0 else { return }
        let allBaskets = Double(baskets)
        for a in antecedents {
            let withA = Double(basketsWithItem.value(at: Int(a)))
            guard withA > 0 else { continue }
            for (b, together) in pairs.value(at: Int(a)) where Int(together) >= settings.minSupport {
                let confidence = Double(together) / withA
                guard confidence >= settings.minConfidence else { continue }
                let withB = Double(basketsWithItem.value(at: Int(b)))
                let lift = confidence / (withB / allBaskets)
                guard lift >= settings.minLift else { continue }
                board.add(confidence, to: b, .association)
            }
        }
    }
}
