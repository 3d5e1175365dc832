import Foundation
import Yams

/// An A/B test of ranking: variants, each a partial override of `engine` and `rules`, with a
/// share of traffic. A session's variant comes from a stable hash of its id and the experiment's
/// name, so it stays in one variant on every replica and across restarts.
public struct RankingExperiment: Sendable, Equatable {
    public struct Variant: Sendable, Equatable {
        public var name: String
        public var share: Double
        /// The base config with this variant's overrides merged in.
        public var policy: RankingPolicy
    }

    public var name: String
    public var variants: [Variant]

    /// The variant of `sessionId`: cumulative shares over a uniform bucket in [0, 1).
    public func variant(for sessionId: String) -> Variant {
        let bucket = Double(stableHash(sessionId + "\u{0}" + name) % 1_000_000) / 1_000_000
        var cumulative = 0.0
        for variant in variants {
            cumulative += variant.share
            if bucket < cumulative { return variant }
        }
        return variants[variants.count - 1]
    }

    static let allowedName = Set("abcdefghijklmnopqrstuvwxyz0123456789-_")

    /// `experiments:` of ranking.yaml; `base` is the root mapping the variants override.
    /// One experiment at a time: a session has one variant, and results stay readable.
    static func parse(_ node: Node?, base: Node.Mapping) throws(ConfigurationError) -> RankingExperiment? {
        guard let node, node.null == nil else { return nil }
        guard case .mapping(let experiments) = node else {
            throw ConfigurationError(field: "experiments", "must be a mapping of experiment name to {variants}")
        }
        guard experiments.count <= 1 else { throw ConfigurationError(field: "experiments", "only one experiment may run at a time") }
        guard let (key, body) = experiments.first else { return nil }
        let name = key.string ?? ""
        let field = "experiments.\(name)"
        guard !name.isEmpty, name.count <= 64, name.allSatisfy(allowedName.contains) else {
            throw ConfigurationError(field: field, "names are 1 to 64 of a-z, 0-9, '-' and '_'")
        }
        guard case .mapping(let experiment) = body, experiment.keys.allSatisfy({ $0.string == "variants" }),
              case .mapping(let variantNodes)? = experiment["variants"]
        else { throw ConfigurationError(field: field, "must be {variants: {<name>: {share, engine?, rules?}}}") }
        var variants: [Variant] = []
        for (variantKey, variantNode) in variantNodes {
            let variantName = variantKey.string ?? ""
            let variantField = "\(field).variants.\(variantName)"
            guard !variantName.isEmpty, variantName.count <= 64, variantName.allSatisfy(allowedName.contains) else {
                throw ConfigurationError(field: variantField, "names are 1 to 64 of a-z, 0-9, '-' and '_'")
            }
            guard case .mapping(let variant) = variantNode else {
                throw ConfigurationError(field: variantField, "must be {share, engine?, rules?}")
            }
            if let unknown = variant.keys.compactMap(\.string).first(where: { !["share", "engine", "rules"].contains($0) }) {
                throw ConfigurationError(field: "\(variantField).\(unknown)", "is not a known setting; known settings here are share, engine, rules")
            }
            guard let shareText = variant["share"]?.string, let share = Double(shareText), share > 0, share <= 1 else {
                throw ConfigurationError(field: "\(variantField).share", "must be a number greater than 0 and at most 1")
            }
            var merged = base
            merged["experiments"] = nil
            for section in ["engine", "rules"] {
                if let override = variant[section] { merged[section] = Self.merge(base[section], override) }
            }
            let text: String
            do { text = try Yams.serialize(node: .mapping(merged)) } catch {
                throw ConfigurationError(field: variantField, "cannot be combined with the base config: \(error)")
            }
            let policy: RankingPolicy
            do { policy = try RankingPolicy.parse(yaml: text) } catch {
                throw ConfigurationError(field: "\(variantField).\(error.field)", error.message)
            }
            variants.append(Variant(name: variantName, share: share, policy: policy))
        }
        guard variants.contains(where: { $0.name == "control" }) else {
            throw ConfigurationError(field: "\(field).variants", "must include a variant named control, the baseline the others are compared with")
        }
        let total = variants.reduce(0) { $0 + $1.share }
        guard abs(total - 1) < 1e-6 else {
            throw ConfigurationError(field: "\(field).variants", "shares must sum to 1; they sum to \(total)")
        }
        return RankingExperiment(name: name, variants: variants)
    }

    /// Mappings merge key by key (the override wins); anything else is replaced whole.
    static func merge(_ base: Node?, _ override: Node) -> Node {
        guard case .mapping(var merged)? = base, case .mapping(let changes) = override else { return override }
        for (key, value) in changes { merged[key] = merge(merged[key], value) }
        return .mapping(merged)
    }
}
