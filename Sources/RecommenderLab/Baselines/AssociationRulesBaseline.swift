/// AR (session-rec `baselines/ar.py`): co-occurrence within a session, in both directions.
/// Every pair of clicks in a session (each click with every earlier click, repeats included)
/// adds 1 to the rule from either item to the other; a click repeating an earlier item adds 2
/// to that item's rule to itself. Rules are pruned to the 20 strongest per item (session-rec's
/// default `pruning=20`; its rsc15 configuration passes no parameters).
public struct AssociationRulesBaseline: SessionBaseline {
    public let name = "AR"
    let index: TrainingIndex
    let rules: ItemRules

    public init(index: TrainingIndex, pruning: Int = 20) {
        var rules = ItemRules()
        for clicks in index.clicks {
            for (position, item) in clicks.enumerated() {
                for earlier in clicks[..<position] {
                    rules.add(from: item, to: earlier, weight: 1)
                    rules.add(from: earlier, to: item, weight: 1)
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
