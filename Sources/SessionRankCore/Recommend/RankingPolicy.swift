import Crypto
import Foundation
import Recommender
import Yams

/// What product teams tune: the engine's ranking knobs and the business rules, from
/// `config/ranking.yaml`. `version` identifies the content, so a response names the exact
/// configuration that ranked it.
public struct RankingPolicy: Sendable, Equatable {
    public var engine: RankingConfig
    public var rules: BusinessRules
    public var version: String
    /// The running A/B test, if any (`experiments:`).
    public var experiment: RankingExperiment?
    /// `placements:` overrides (home, product, cart, search), already merged with this config.
    public var placements: [String: PlacementOverride] = [:]

    public struct PlacementOverride: Sendable, Equatable {
        public var engine: RankingConfig
        public var rules: BusinessRules
    }

    /// This config as it ranks on `placement`.
    public func forPlacement(_ placement: String) -> RankingPolicy {
        guard let override = placements[placement] else { return self }
        var policy = self
        policy.engine = override.engine
        policy.rules = override.rules
        return policy
    }

    public static let `default` = RankingPolicy(engine: .default, rules: BusinessRules(), version: "default")

    /// The variant name and the policy that ranks `sessionId`: the experiment's variant, or this.
    public func assign(_ sessionId: String) -> (variant: String, experiment: String?, policy: RankingPolicy) {
        guard let experiment else { return ("control", nil, self) }
        let variant = experiment.variant(for: sessionId)
        var policy = variant.policy
        policy.version = version
        return (variant.name, experiment.name, policy)
    }

    private struct File: Decodable {
        var engine: RankingConfig?
        var rules: BusinessRules?
    }

    /// Parses and validates; errors name the field (`rules.boosts[0].factor: …`). Checks run from
    /// the outside in: YAML syntax, section and setting names, types, then ranges.
    public static func parse(yaml: String) throws(ConfigurationError) -> RankingPolicy {
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch { throw ConfigurationError(field: "<file>", "is not valid YAML: \(error)") }
        if case .mapping(let mapping)? = root {
            // A misspelt section or setting would otherwise be ignored without a word.
            let known = ["engine", "rules", "placements", "experiments"]
            if let unknown = mapping.keys.compactMap(\.string).first(where: { !known.contains($0) }) {
                throw ConfigurationError(field: unknown, "is not a known section; known sections are \(known.joined(separator: ", "))")
            }
            try RankingSchema.check(mapping)
        }
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: yaml.isEmpty ? "{}" : yaml)
        } catch let error as DecodingError {
            throw ConfigurationError(field: error.fieldPath, error.plainMessage)
        } catch {
            throw ConfigurationError(field: "<file>", "is not valid YAML: \(error)")
        }
        let engine = file.engine ?? .default
        let rules = file.rules ?? BusinessRules()
        if let first = engine.validationErrors().first ?? rules.validationErrors().first {
            let parts = first.split(separator: ":", maxSplits: 1)
            throw ConfigurationError(field: String(parts[0]), String(parts.count > 1 ? parts[1].dropFirst() : ""))
        }
        var experiment: RankingExperiment?
        var placements: [String: PlacementOverride] = [:]
        if case .mapping(let mapping)? = root {
            experiment = try RankingExperiment.parse(mapping["experiments"], base: mapping)
            placements = try parsePlacements(mapping["placements"], base: mapping)
        }
        let digest = SHA256.hash(data: Data(yaml.utf8)).map { String(format: "%02x", $0) }.joined()
        return RankingPolicy(
            engine: engine, rules: rules, version: "cfg-" + digest.prefix(12), experiment: experiment,
            placements: placements)
    }

    /// Each placement's partial `engine`/`rules` merged into the base, validated like the base.
    private static func parsePlacements(_ node: Node?, base: Node.Mapping) throws(ConfigurationError) -> [String: PlacementOverride] {
        guard let node, node.null == nil else { return [:] }
        guard case .mapping(let overrides) = node else {
            throw ConfigurationError(field: "placements", "must be a mapping of placement (\(Placement.allCases.map(\.rawValue).joined(separator: ", "))) to {engine?, rules?}")
        }
        var placements: [String: PlacementOverride] = [:]
        for (key, value) in overrides {
            let name = key.string ?? ""
            let field = "placements.\(name)"
            guard Placement(rawValue: name) != nil else {
                throw ConfigurationError(field: field, "is not a placement; placements are \(Placement.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard case .mapping(let override) = value else { throw ConfigurationError(field: field, "must be {engine?, rules?}") }
            if let unknown = override.keys.compactMap(\.string).first(where: { $0 != "engine" && $0 != "rules" }) {
                throw ConfigurationError(field: "\(field).\(unknown)", "is not a known setting; known settings here are engine, rules")
            }
            var merged = base
            merged["experiments"] = nil
            merged["placements"] = nil
            for section in ["engine", "rules"] {
                if let change = override[section] { merged[section] = RankingExperiment.merge(base[section], change) }
            }
            let policy: RankingPolicy
            do { policy = try parse(yaml: try Yams.serialize(node: .mapping(merged))) } catch let error as ConfigurationError {
                throw ConfigurationError(field: "\(field).\(error.field)", error.message)
            } catch {
                throw ConfigurationError(field: field, "cannot be combined with the base config: \(error)")
            }
            placements[name] = PlacementOverride(engine: policy.engine, rules: policy.rules)
        }
        return placements
    }

    /// Reads `path`; a missing file means the defaults.
    public static func load(path: String) throws(ConfigurationError) -> RankingPolicy {
        guard FileManager.default.fileExists(atPath: path) else { return .default }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigurationError(field: "<file>", "cannot read \(path): \(error.localizedDescription)")
        }
        return try parse(yaml: text)
    }
}

extension DecodingError {
    /// `rules.boosts[0].factor` for the failing value.
    var fieldPath: String {
        let path: [any CodingKey]
        switch self {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): path = context.codingPath
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        @unknown default: path = []
        }
        var text = ""
        for key in path {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text.isEmpty ? "<file>" : text
    }

    var plainMessage: String {
        switch self {
        case .typeMismatch(let type, _): "must be \(Self.kind(of: type))"
        case .valueNotFound: "is required"
        case .keyNotFound: "is required"
        case .dataCorrupted(let context): context.debugDescription
        @unknown default: "is invalid"
        }
    }

    /// What a value of `type` looks like in YAML, in the words of the schema docs.
    private static func kind(of type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        case is Node.Mapping.Type: "a mapping (key: value lines or {key: value})"
        case is Node.Sequence.Type: "a list ([a, b] or - lines)"
        case is Node.Scalar.Type: "a single value, not a list or mapping"
        default: "of type \(type)"
        }
    }
}
