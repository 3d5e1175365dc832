/// Item → (next item → weight) rules, as AR and SR mine them, with session-rec's pruning: each
/// item keeps only its `keep` strongest rules (ties by item id). Both baselines predict from
/// the rules of the session's last click alone.
struct ItemRules: Sendable {
    private(set) var rules: [Int32: [Int32: Double]] = [:]

    mutating func add(from: Int32, to: Int32, weight: Double) {
        rules[from, default: [:]][to, default: 0] += weight
    }

    mutating func prune(keep: Int, index: TrainingIndex) {
        guard keep > 0 else { return }
        for (item, targets) in rules where targets.count > keep {
            let kept = targets.sorted { a, b in
                a.value != b.value ? a.value > b.value : index.itemIds[Int(a.key)] < index.itemIds[Int(b.key)]
            }.prefix(keep)
            rules[item] = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
        }
    }

    func rank(after last: Int32?, index: TrainingIndex, limit: Int) -> [Int32] {
        guard let last, let targets = rules[last] else { return [] }
        return BaselineRanking.top(targets, index: index, limit: limit)
    }
}
