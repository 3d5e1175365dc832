import Foundation
import Yams

/// One HMAC-SHA256 key that visitor tokens may be signed with, named by the token's `kid`.
/// Several keys at once allow rotation: add the new key, let the storefront backend sign with
/// it, and remove the old one once its tokens have expired.
public struct VisitorTokenKey: Sendable, Equatable, CustomStringConvertible {
    public var kid: String
    public var secret: [UInt8]

    public init(kid: String, secret: [UInt8]) {
        self.kid = kid
        self.secret = secret
    }

    /// Keeps the secret out of anything that prints the configuration.
    public var description: String { "VisitorTokenKey(kid: \(kid))" }

    /// HS256 keys shorter than the hash output weaken the MAC (RFC 7518 §3.2).
    static let minimumSecretLength = 32
    static let maximumKidLength = 64

    /// `storefront.visitorTokenKeys` (a list of `{kid, secret}`) plus
    /// `SESSIONRANK_STOREFRONT_VISITOR_TOKEN_KEYS` (`kid:secret,…`); both add up, like admin tokens.
    static func parse(node: Node?, environment: String?) throws -> [VisitorTokenKey] {
        var keys: [VisitorTokenKey] = []
        switch node {
        case .none: break
        case .scalar(let scalar)? where scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" || scalar.string == "[]": break
        case .sequence(let sequence)?:
            for (index, entry) in sequence.enumerated() {
                let field = "storefront.visitorTokenKeys[\(index)]"
                let section = try ConfigSection(path: field, node: entry, environment: [:])
                let kid = try section.string("kid", default: "")
                let secret = try section.string("secret", default: "")
                try section.rejectUnknownKeys()
                keys.append(try make(kid: kid, secret: secret, field: field))
            }
        default:
            throw ConfigurationError(field: "storefront.visitorTokenKeys", "must be a list of {kid, secret}")
        }
        for (index, entry) in (environment ?? "").split(separator: ",").enumerated() {
            let field = "SESSIONRANK_STOREFRONT_VISITOR_TOKEN_KEYS[\(index)]"
            let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ConfigurationError(field: field, "must be kid:secret") }
            keys.append(try make(kid: parts[0], secret: parts[1], field: field))
        }
        var seen = Set<String>()
        for key in keys where !seen.insert(key.kid).inserted {
            throw ConfigurationError(field: "storefront.visitorTokenKeys", "names kid \"\(key.kid)\" twice; each key needs its own kid")
        }
        return keys
    }

    static func isValidKid(_ kid: String) -> Bool {
        !kid.isEmpty && kid.utf8.count <= maximumKidLength
            && kid.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
    }

    static func make(kid: String, secret: String, field: String) throws -> VisitorTokenKey {
        guard isValidKid(kid) else {
            throw ConfigurationError(field: field + ".kid", "must be 1 to \(maximumKidLength) characters of letters, digits, '.', '_' or '-'")
        }
        guard secret.utf8.count >= minimumSecretLength, secret.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ConfigurationError(field: field + ".secret", "must be at least \(minimumSecretLength) printable characters without spaces")
        }
        return VisitorTokenKey(kid: kid, secret: Array(secret.utf8))
    }
}
