import Foundation
import Yams

/// Roles of the bearer tokens. A viewer reads, validates and previews the ranking config; an
/// editor also changes it. `privacy` is apart: it alone reaches the privacy endpoints (consent,
/// export, erasure, session view), which expose personal data, and it cannot touch the ranking.
/// `storefront` is the server key of the storefront backend: it may name `userId` and
/// `requestId` on the storefront endpoints, and reaches nothing else.
public enum AdminRole: String, Sendable, Equatable, CaseIterable {
    case viewer
    case editor
    case privacy
    case storefront

    /// Whether a token of this role may do what `required` may.
    public func allows(_ required: AdminRole) -> Bool {
        switch (self, required) {
        case (.editor, .viewer): true
        default: self == required
        }
    }
}

/// One bearer token of the admin API. `name` is what the audit log records, never the token.
public struct AdminToken: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var role: AdminRole
    public var token: String

    public init(name: String, role: AdminRole, token: String) {
        self.name = name
        self.role = role
        self.token = token
    }

    /// Keeps the secret out of anything that prints the configuration.
    public var description: String { "AdminToken(name: \(name), role: \(role.rawValue))" }

    static let minimumLength = 16

    /// `admin.tokens` (a list of `{name, role, token}`) plus `SESSIONRANK_ADMIN_TOKENS`
    /// (`name:role:token,…`); both add up, so a deployment can keep secrets out of the file.
    static func parse(node: Node?, environment: String?) throws -> [AdminToken] {
        var tokens: [AdminToken] = []
        switch node {
        case .none: break
        case .scalar(let scalar)? where scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" || scalar.string == "[]": break
        case .sequence(let sequence)?:
            for (index, entry) in sequence.enumerated() {
                let section = try ConfigSection(path: "admin.tokens[\(index)]", node: entry, environment: [:])
                let name = try section.string("name", default: "")
                let role = try section.string("role", default: "", allowed: AdminRole.allCases.map(\.rawValue))
                let token = try section.string("token", default: "")
                try section.rejectUnknownKeys()
                tokens.append(try make(name: name, role: role, token: token, field: "admin.tokens[\(index)]"))
            }
        default:
            throw ConfigurationError(field: "admin.tokens", "must be a list of {name, role, token}")
        }
        for (index, entry) in (environment ?? "").split(separator: ",").enumerated() {
            let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 2).map(String.init)
            guard parts.count == 3 else {
                throw ConfigurationError(field: "SESSIONRANK_ADMIN_TOKENS[\(index)]", "must be name:role:token")
            }
            tokens.append(try make(name: parts[0], role: parts[1], token: parts[2], field: "SESSIONRANK_ADMIN_TOKENS[\(index)]"))
        }
        return tokens
    }

    private static func make(name: String, role: String, token: String, field: String) throws -> AdminToken {
        guard !name.isEmpty else { throw ConfigurationError(field: field + ".name", "is required") }
        guard let role = AdminRole(rawValue: role) else {
            throw ConfigurationError(
                field: field + ".role", "must be one of \(AdminRole.allCases.map(\.rawValue).joined(separator: ", ")); got \"\(role)\"")
        }
        guard token.utf8.count >= minimumLength, token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ConfigurationError(field: field + ".token", "must be at least \(minimumLength) printable characters without spaces")
        }
        return AdminToken(name: name, role: role, token: token)
    }
}
