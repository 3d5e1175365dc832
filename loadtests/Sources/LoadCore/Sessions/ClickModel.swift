/// Which recommended item a synthetic visitor clicks. Real visitors click near the top of a
/// list and on what resembles the page they are on. Uniform clicks teach the service's online
/// ranker that nothing predicts a click; once it takes over from the blend it then buries the
/// session's own signals, which the category-shift check reports as failed probes.
public enum ClickModel {
    /// How many times more likely an item in the category of the page's item is clicked than
    /// another item at the same position.
    public static let sameCategoryBoost = 3.0

    /// The position clicked (0-based), for `unit` drawn uniformly from [0, 1). Position k weighs
    /// 1/(k+1), times `sameCategoryBoost` when its category is the page's.
    public static func choose(categories: [String?], pageCategory: String?, unit: Double) -> Int {
        precondition(!categories.isEmpty, "a click needs a list")
        let weights = categories.enumerated().map { position, category in
            let match = pageCategory != nil && category == pageCategory
            return (match ? sameCategoryBoost : 1) / Double(position + 1)
        }
        var remaining = unit * weights.reduce(0, +)
        for (position, weight) in weights.enumerated() {
            remaining -= weight
            if remaining < 0 { return position }
        }
        return weights.count - 1
    }
}
