import Foundation
import Yams

/// Everything wrong with a compliance rules file, collected in one pass. Each issue names the
/// dotted field path (`categories.alcohol.minAge`) and what is allowed there.
public struct ComplianceConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Issue: Sendable, Equatable, CustomStringConvertible {
        /// Dotted path of the field, with `[i]` for list items; `(yaml)` for syntax errors and
        /// `(root)` for the document as a whole.
        public var field: String
        public var message: String
        /// 1-based line in the file, when known.
        public var line: Int?

        public init(field: String, message: String, line: Int? = nil) {
            self.field = field
            self.message = message
            self.line = line
        }

        /// `field: message (line n)`.
        public var description: String {
            if let line { "\(field): \(message) (line \(line))" } else { "\(field): \(message)" }
        }
    }

    /// In file order.
    public var issues: [Issue]

    public init(issues: [Issue]) {
        self.issues = issues
    }

    /// A heading, then one `field: message` line per issue.
    public var description: String {
        let heading = issues.count == 1 ? "compliance rules: 1 error" : "compliance rules: \(issues.count) errors"
        return ([heading] + issues.map(\.description)).joined(separator: "\n")
    }

    /// The issues reported for one field path.
    public func issues(for field: String) -> [Issue] {
        issues.filter { $0.field == field }
    }
}

extension ComplianceRules {
    /// Parses and validates the text of `config/compliance.yaml` (schema: docs/COMPLIANCE.md).
    /// Every problem in the file is reported, not only the first.
    public static func parse(yaml: String) throws(ComplianceConfigError) -> ComplianceRules {
        let root: Node?
        do {
            // The basic resolver skips Yams' regex-based tag resolution (slow, and not needed:
            // every value is checked from its text and style below).
            root = try Yams.compose(yaml: yaml, .basic)
        } catch {
            let text = String(describing: error)
            let firstLine = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? text
            throw ComplianceConfigError(issues: [.init(field: "(yaml)", message: "not valid YAML: \(firstLine)")])
        }
        var reader = RulesReader()
        let rules = reader.read(root)
        if !reader.issues.isEmpty {
            // File order; issues on one line keep the order they were found in.
            let ordered = reader.issues.enumerated()
                .sorted { ($0.element.line ?? Int.max, $0.offset) < ($1.element.line ?? Int.max, $1.offset) }
                .map(\.element)
            throw ComplianceConfigError(issues: ordered)
        }
        return rules
    }
}

/// Walks the YAML node tree, building the rules and collecting every issue on the way.
private struct RulesReader {
    var issues: [ComplianceConfigError.Issue] = []

    static let topKeys = ["version", "defaults", "categories", "riskFlags", "products"]
    static let defaultsKeys = ["unknownAttribute"]
    static let restrictionKeys = ["minAge", "allowedRegions", "blockedRegions", "requiresKYC", "riskLevel", "disclosure"]
    static let riskFlagKeys = ["maxRiskLevel", "blockCategories"]

    mutating func read(_ root: Node?) -> ComplianceRules {
        var rules = ComplianceRules()
        guard let root, !Self.isNull(root) else {
            report("(root)", "the file is empty; it needs at least `version: \(ComplianceRules.supportedVersion)`", at: nil)
            return rules
        }
        guard let fields = fields(of: root, at: "", allowed: Self.topKeys, what: "a mapping with version, defaults, categories, riskFlags and products") else {
            return rules
        }

        if let node = fields["version"] {
            if let version = integer(node) {
                if version != ComplianceRules.supportedVersion {
                    report("version", "unsupported version \(version); this build reads version \(ComplianceRules.supportedVersion)", at: node)
                }
            } else {
                report("version", "must be the integer \(ComplianceRules.supportedVersion); got \(Self.describe(node))", at: node)
            }
        } else {
            report("version", "is required; add `version: \(ComplianceRules.supportedVersion)`", at: root)
        }

        if let node = fields["defaults"], !Self.isNull(node),
           let defaults = self.fields(of: node, at: "defaults", allowed: Self.defaultsKeys, what: "a mapping") {
            if let value = defaults["unknownAttribute"] {
                if case .scalar(let scalar) = value, let policy = UnknownAttributePolicy(rawValue: scalar.string) {
                    rules.unknownAttribute = policy
                } else {
                    report("defaults.unknownAttribute", "must be deny (unknown user data always fails closed); got \(Self.describe(value))", at: value)
                }
            }
        }

        for (name, value) in section(fields["categories"], at: "categories") {
            if let restrictions = restrictions(value, at: "categories.\(name)") {
                rules.categories[name] = restrictions
            }
        }
        for (name, value) in section(fields["riskFlags"], at: "riskFlags") {
            if let flag = riskFlag(value, at: "riskFlags.\(name)") {
                rules.riskFlags[name] = flag
            }
        }
        for (id, value) in section(fields["products"], at: "products") {
            if let restrictions = restrictions(value, at: "products.\(id)") {
                rules.products[id] = restrictions
            }
        }
        return rules
    }

    // MARK: Entries

    mutating func restrictions(_ node: Node, at path: String) -> ComplianceRestrictions? {
        guard let fields = fields(of: node, at: path, allowed: Self.restrictionKeys, what: "a mapping of restrictions") else {
            return nil
        }
        var result = ComplianceRestrictions()
        if let value = fields["minAge"], let age = integer(value, at: "\(path).minAge", in: 0...99) {
            result.minAge = age
        }
        if let value = fields["allowedRegions"], let regions = regions(value, at: "\(path).allowedRegions", allowEmpty: false) {
            result.allowedRegions = regions
        }
        if let value = fields["blockedRegions"], let regions = regions(value, at: "\(path).blockedRegions", allowEmpty: true) {
            result.blockedRegions = regions
        }
        if let value = fields["requiresKYC"], let flag = boolean(value, at: "\(path).requiresKYC") {
            result.requiresKYC = flag
        }
        if let value = fields["riskLevel"], let level = integer(value, at: "\(path).riskLevel", in: 0...3) {
            result.riskLevel = level
        }
        if let value = fields["disclosure"], let text = text(value, at: "\(path).disclosure") {
            result.disclosure = text
        }
        return result
    }

    mutating func riskFlag(_ node: Node, at path: String) -> ComplianceRiskFlagRule? {
        guard let fields = fields(of: node, at: path, allowed: Self.riskFlagKeys, what: "a mapping with maxRiskLevel and/or blockCategories") else {
            return nil
        }
        if fields.isEmpty {
            report(path, "must set maxRiskLevel, blockCategories or both", at: node)
            return nil
        }
        var result = ComplianceRiskFlagRule()
        if let value = fields["maxRiskLevel"], let level = integer(value, at: "\(path).maxRiskLevel", in: 0...3) {
            result.maxRiskLevel = level
        }
        if let value = fields["blockCategories"], let names = names(value, at: "\(path).blockCategories") {
            result.blockCategories = names
        }
        return result
    }

    // MARK: Mappings

    /// The entries of an optional top-level section, in file order; absent or null is empty.
    mutating func section(_ node: Node?, at path: String) -> [(String, Node)] {
        guard let node, !Self.isNull(node) else { return [] }
        guard let entries = entries(of: node, at: path, what: "a mapping of names to entries") else { return [] }
        return entries.map { ($0.key, $0.value) }
    }

    /// A mapping's entries with plain, non-empty keys, in file order.
    mutating func entries(of node: Node, at path: String, what: String) -> [(key: String, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            report(path.isEmpty ? "(root)" : path, "must be \(what); got \(Self.describe(node))", at: node)
            return nil
        }
        var result: [(key: String, value: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode, !key.string.trimmingCharacters(in: .whitespaces).isEmpty else {
                report(path.isEmpty ? "(root)" : path, "has a key that is not a plain, non-empty name: \(Self.describe(keyNode))", at: keyNode)
                continue
            }
            result.append((key.string, value))
        }
        return result
    }

    /// A mapping with a fixed set of keys; unknown keys are reported with the full path.
    mutating func fields(of node: Node, at path: String, allowed: [String], what: String) -> [String: Node]? {
        guard let entries = entries(of: node, at: path, what: what) else { return nil }
        var result: [String: Node] = [:]
        for (key, value) in entries {
            if allowed.contains(key) {
                result[key] = value
            } else {
                var message = "unknown key; allowed: \(allowed.joined(separator: ", "))"
                if let near = allowed.first(where: { $0.lowercased() == key.lowercased() }) {
                    message += "; did you mean \(near)?"
                }
                report(Self.join(path, key), message, at: value)
            }
        }
        return result
    }

    // MARK: Values

    mutating func integer(_ node: Node, at path: String, in range: ClosedRange<Int>) -> Int? {
        if let value = integer(node), range.contains(value) {
            return value
        }
        report(path, "must be an integer from \(range.lowerBound) to \(range.upperBound); got \(Self.describe(node))", at: node)
        return nil
    }

    /// A plain decimal integer scalar (`18`, not `"18"`, `18.0` or `0x12`).
    func integer(_ node: Node) -> Int? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return nil }
        let text = scalar.string
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    mutating func boolean(_ node: Node, at path: String) -> Bool? {
        if case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any {
            switch scalar.string {
            case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return true
            case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return false
            default: break
            }
        }
        report(path, "must be true or false; got \(Self.describe(node))", at: node)
        return nil
    }

    /// Non-empty text. Any scalar counts, taken as written (so `NO` stays "NO", not false).
    mutating func text(_ node: Node, at path: String) -> String? {
        if Self.isText(node), case .scalar(let scalar) = node {
            return scalar.string
        }
        report(path, "must be a non-empty text; got \(Self.describe(node))", at: node)
        return nil
    }

    mutating func regions(_ node: Node, at path: String, allowEmpty: Bool) -> [String]? {
        guard case .sequence(let sequence) = node else {
            report(path, "must be a list of two-letter region codes, e.g. [NL, BE]; got \(Self.describe(node))", at: node)
            return nil
        }
        if sequence.isEmpty && !allowEmpty {
            report(path, "must list at least one region; leave the key out to allow every region", at: node)
            return nil
        }
        var result: [String] = []
        var valid = true
        for (index, item) in sequence.enumerated() {
            if case .scalar(let scalar) = item, Self.isRegionCode(scalar.string) {
                result.append(scalar.string)
            } else {
                valid = false
                report("\(path)[\(index)]", "must be a two-letter uppercase region code (ISO 3166-1 alpha-2, e.g. NL); got \(Self.describe(item))", at: item)
            }
        }
        return valid ? result : nil
    }

    mutating func names(_ node: Node, at path: String) -> [String]? {
        guard case .sequence(let sequence) = node else {
            report(path, "must be a list of category names, e.g. [lottery]; got \(Self.describe(node))", at: node)
            return nil
        }
        if sequence.isEmpty {
            report(path, "must list at least one category; leave the key out to block none", at: node)
            return nil
        }
        var result: [String] = []
        var valid = true
        for (index, item) in sequence.enumerated() {
            if let name = text(item, at: "\(path)[\(index)]") {
                result.append(name)
            } else {
                valid = false
            }
        }
        return valid ? result : nil
    }

    // MARK: Helpers

    mutating func report(_ field: String, _ message: String, at node: Node?) {
        issues.append(.init(field: field, message: message, line: node?.mark?.line))
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    static func isNull(_ node: Node) -> Bool {
        node.null != nil
    }

    static func isText(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, !isNull(node) else { return false }
        return !scalar.string.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    static func isRegionCode(_ text: String) -> Bool {
        let bytes = text.utf8
        return bytes.count == 2 && bytes.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }

    /// How a value is quoted in a message: `150`, `"18"`, `a list`, `nothing`.
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if isNull(node) { return "nothing" }
            var text = scalar.string
            if text.count > 40 { text = String(text.prefix(40)) + "…" }
            return scalar.style == .plain || scalar.style == .any ? text : "\"\(text)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
