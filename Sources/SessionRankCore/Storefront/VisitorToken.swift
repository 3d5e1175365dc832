import Crypto
import Foundation

/// What a valid visitor token says: the session it was minted for and, when the visitor is
/// logged in, the user. The service takes both from here, never from the request.
public struct VisitorClaims: Sendable, Equatable {
    /// `sid`: the storefront session.
    public var sessionId: String
    /// `sub`: the customer id, absent for a visitor who is not logged in.
    public var userId: String?
    /// `exp`, Unix seconds.
    public var expiresAt: Double

    public init(sessionId: String, userId: String?, expiresAt: Double) {
        self.sessionId = sessionId
        self.userId = userId
        self.expiresAt = expiresAt
    }
}

/// Mints compact HS256 JWTs: what the storefront backend does (any JWT library will do there),
/// and what `sessionrank token mint` and the tests use.
public enum VisitorToken {
    struct Header: Encodable {
        var alg = "HS256"
        var kid: String
        var typ = "JWT"
    }

    struct Payload: Encodable {
        var sid: String
        var sub: String?
        var iat: Int
        var exp: Int
    }

    public static func mint(sessionId: String, userId: String?, lifetimeSeconds: Int, key: VisitorTokenKey, now: Date = Date()) -> String {
        let issued = Int(now.timeIntervalSince1970)
        return sign(header: Header(kid: key.kid), payload: Payload(sid: sessionId, sub: userId, iat: issued, exp: issued + lifetimeSeconds), key: key)
    }

    /// Signs any header and payload as given; tests use it to build tokens the verifier must refuse.
    static func sign(header: some Encodable, payload: some Encodable, key: VisitorTokenKey) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding structs of strings and integers cannot fail.
        let input = Base64URL.encode((try? encoder.encode(header)) ?? Data()) + "." + Base64URL.encode((try? encoder.encode(payload)) ?? Data())
        return input + "." + Base64URL.encode(signature(of: input, key: key.secret))
    }

    static func signature(of signingInput: String, key: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: SymmetricKey(data: key)))
    }
}
