import Yams

/// The keys `config/ranking.yaml` may hold inside `engine` and `rules`. The decoders leave out
/// keys they do not know, so without this check a misspelt setting (`weights.knnn`) would
/// silently keep its default. Types and ranges are checked by decoding and validating; this only
/// checks names.
enum RankingSchema {
    indirect enum Shape: Sendable {
        /// A mapping with exactly these keys allowed, in the documented order.
        case fields([(name: String, shape: Shape)])
        /// A list whose every element has this shape.
        case list(Shape)
        /// A single value; its type is the decoder's to check.
        case value
    }

    private static func settings(_ names: String...) -> Shape { .fields(names.map { ($0, .value) }) }

    static let engine: Shape = .fields([
        ("candidates", settings("perSource", "minimumReturned")),
        ("weights", settings("knn", "transition", "covisitation", "association", "popularity", "regionalPopularity", "interest", "recent")),
        ("knn", settings("sampleSize", "neighbours", "sessionItems", "idfWeight", "matchDecay", "positionDecay")),
        ("sequence", settings("sessionItems", "recencyDecay")),
        ("association", settings("minSupport", "minConfidence", "minLift")),
        ("ranker", settings("enabled", "learningRate", "beta", "l1", "l2", "minFeedback")),
        ("exclusion", settings("excludePurchased", "excludeInCart", "excludeSeen", "excludeCurrent")),
    ])

    static let rules: Shape = .fields([
        ("boosts", .list(settings("category", "brand", "item", "priceBand", "factor"))),
        ("pins", .list(settings("item", "position"))),
        ("maxPerCategory", .value), ("maxPerBrand", .value),
        ("excludeItems", .value), ("excludeCategories", .value),
        ("explorationShare", .value),
    ])

    /// Checks the `engine` and `rules` sections of a ranking config's root mapping.
    static func check(_ root: Node.Mapping) throws(ConfigurationError) {
        try check(root["engine"], against: engine, at: "engine")
        try check(root["rules"], against: rules, at: "rules")
    }

    /// The first key that `shape` does not allow, named by its dotted path with what is allowed.
    static func check(_ node: Node?, against shape: Shape, at path: String) throws(ConfigurationError) {
        switch (shape, node) {
        case (.fields(let fields), .mapping(let mapping)?):
            for (key, value) in mapping {
                let name = key.string ?? "\(key)"
                guard let field = fields.first(where: { $0.name == name }) else {
                    throw ConfigurationError(
                        field: "\(path).\(name)",
                        "is not a known setting; known settings here are \(fields.map(\.name).joined(separator: ", "))")
                }
                try check(value, against: field.shape, at: "\(path).\(name)")
            }
        case (.list(let element), .sequence(let sequence)?):
            for (index, item) in sequence.enumerated() {
                try check(item, against: element, at: "\(path)[\(index)]")
            }
        default:
            // Absent, null or of the wrong kind: decoding reports a wrong kind with the field.
            break
        }
    }
}
