import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import SessionRankCore

/// Checks `Authorization: Bearer …` against the configured admin tokens.
public struct AdminAuthenticator: Sendable {
    /// SHA-256 of each token: comparing digests in constant time hides both content and length.
    private let entries: [(digest: [UInt8], name: String, role: AdminRole)]

    public init(tokens: [AdminToken]) {
        entries = tokens.map { (Array(SHA256.hash(data: Data($0.token.utf8))), $0.name, $0.role) }
    }

    /// The caller's name, when its token allows `role`; otherwise 401 (no or unknown token) or 403.
    public func authorize(_ request: Request, role required: AdminRole) throws(APIError) -> String {
        try authorize(request, anyOf: [required])
    }

    /// The caller's name, when its token has one of `roles` (or one that allows one of them).
    public func authorize(_ request: Request, anyOf roles: [AdminRole]) throws(APIError) -> String {
        guard let match = try identify(request) else {
            throw Self.unauthorized("requires Authorization: Bearer <admin token>")
        }
        guard roles.contains(where: match.role.allows) else {
            throw APIError(
                status: .forbidden, code: "forbidden", field: "Authorization",
                message: "role \(match.role.rawValue) may not do this; requires \(roles.map(\.rawValue).joined(separator: " or "))")
        }
        return match.name
    }

    /// Who the `Authorization: Bearer` header names: nil without the header, 401 for a
    /// malformed header or a token that is not configured.
    public func identify(_ request: Request) throws(APIError) -> (name: String, role: AdminRole)? {
        guard let header = request.headers[.authorization] else { return nil }
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw Self.unauthorized("requires Authorization: Bearer <token>")
        }
        let presented = Array(SHA256.hash(data: Data(header.dropFirst(7).utf8)))
        // Every entry is compared, so the time taken does not say which one matched.
        var match: (name: String, role: AdminRole)?
        for entry in entries where ConstantTime.equal(entry.digest, presented) && match == nil {
            match = (entry.name, entry.role)
        }
        guard let match else { throw Self.unauthorized("the token is not valid") }
        return match
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(
            status: .unauthorized, code: "unauthorized", field: "Authorization", message: message,
            headers: [.wwwAuthenticate: #"Bearer realm="sessionrank-admin""#])
    }
}
