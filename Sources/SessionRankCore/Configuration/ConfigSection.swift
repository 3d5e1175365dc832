import Yams

/// Reads one mapping of a YAML configuration file, field by field, with environment
/// overrides and messages that name the field. Tracks which keys were read so that
/// misspelt keys are reported instead of silently ignored.
final class ConfigSection {
    let path: String
    private let entries: [String: Node]
    private let environment: [String: String]
    private var knownKeys: [String] = []

    init(path: String, node: Node?, environment: [String: String]) throws {
        self.path = path
        self.environment = environment
        switch node {
        case .none:
            self.entries = [:]
        case .mapping(let mapping)?:
            var entries: [String: Node] = [:]
            for (key, value) in mapping {
                guard let name = key.string else {
                    throw ConfigurationError(field: path.isEmpty ? "<root>" : path, "keys must be strings")
                }
                entries[name] = value
            }
            self.entries = entries
        case .scalar(let scalar)? where scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null":
            self.entries = [:]
        default:
            throw ConfigurationError(field: path.isEmpty ? "<root>" : path, "must be a mapping of keys to values")
        }
    }

    static func parse(yaml: String, environment: [String: String]) throws -> ConfigSection {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationError(field: "<file>", "is not valid YAML: \(error)")
        }
        return try ConfigSection(path: "", node: node, environment: environment)
    }

    func section(_ key: String) throws -> ConfigSection {
        knownKeys.append(key)
        return try ConfigSection(path: fieldName(key), node: entries[key], environment: environment)
    }

    /// The raw node of a key, for callers that decode structures of their own.
    func node(_ key: String) -> Node? {
        knownKeys.append(key)
        return entries[key]
    }

    func string(_ key: String, default defaultValue: String, allowed: [String]? = nil) throws -> String {
        let value = try raw(key) ?? defaultValue
        if let allowed, !allowed.contains(value) {
            throw ConfigurationError(field: fieldName(key), "must be one of \(allowed.joined(separator: ", ")); got \"\(value)\"")
        }
        return value
    }

    func int(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = try raw(key) else { return defaultValue }
        guard let value = Int(text) else {
            throw ConfigurationError(field: fieldName(key), "must be a whole number from \(range.lowerBound) to \(range.upperBound); got \"\(text)\"")
        }
        guard range.contains(value) else {
            throw ConfigurationError(field: fieldName(key), "must be from \(range.lowerBound) to \(range.upperBound); got \(value)")
        }
        return value
    }

    func double(_ key: String, default defaultValue: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let text = try raw(key) else { return defaultValue }
        guard let value = Double(text), value.isFinite else {
            throw ConfigurationError(field: fieldName(key), "must be a number from \(range.lowerBound) to \(range.upperBound); got \"\(text)\"")
        }
        guard range.contains(value) else {
            throw ConfigurationError(field: fieldName(key), "must be from \(range.lowerBound) to \(range.upperBound); got \(value)")
        }
        return value
    }

    func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let text = try raw(key) else { return defaultValue }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConfigurationError(field: fieldName(key), "must be true or false; got \"\(text)\"")
        }
    }

    /// Call after reading every field: a key nobody asked for is most likely a typo.
    func rejectUnknownKeys() throws {
        let known = Set(knownKeys)
        if let unknown = entries.keys.sorted().first(where: { !known.contains($0) }) {
            throw ConfigurationError(
                field: fieldName(unknown),
                "is not a known setting; known settings here are \(knownKeys.joined(separator: ", "))"
            )
        }
    }

    /// Environment variable for a field: `redis.poolSize` → `SESSIONRANK_REDIS_POOL_SIZE`.
    static func environmentName(for field: String) -> String {
        var name = "SESSIONRANK_"
        for character in field {
            if character == "." {
                name.append("_")
            } else if character.isUppercase {
                name.append("_")
                name.append(character)
            } else {
                name.append(contentsOf: character.uppercased())
            }
        }
        return name
    }

    private func fieldName(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func raw(_ key: String) throws -> String? {
        knownKeys.append(key)
        let field = fieldName(key)
        if let override = environment[Self.environmentName(for: field)] { return override }
        guard let node = entries[key] else { return nil }
        guard case .scalar(let scalar) = node else {
            throw ConfigurationError(field: field, "must be a single value, not a list or mapping")
        }
        return scalar.string
    }
}
