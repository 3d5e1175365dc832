/// SR (session-rec `baselines/sr.py`): forward rules only. A click adds 1/i to the rule from
/// the click i steps before it, for i = 1 … `steps` (the "div" weighting). session-rec's rsc15
/// configuration uses steps 8 and div; pruning keeps its default, the 20 strongest per item.
public struct SequentialRulesBaseline: SessionBaseline {
    public let name = "SR"
    let index: TrainingIndex
    let rules: ItemRules

    public init(index: TrainingIndex, steps: Int = 8, pruning: Int = 20) {
        var rules = ItemRules()
        for clicks in index.clicks {
            for position in clicks.indices {
                for distance in stride(from: 1, through: min(steps, position), by: 1) {
                    rules.add(from: clicks[position - distance], to: clicks[position], weight: 1 / Double(distance))
                }
            }
        }
        rules.prune(keep: pruning, index: index)
        self.index = index
        self.rules = rules
    }

    public func rank(prefix: [Int32], time: Double, limit: Int) -> [Int32] {
        rules.rank(after: prefix.last, index: index, limit: limit)
    }
}
