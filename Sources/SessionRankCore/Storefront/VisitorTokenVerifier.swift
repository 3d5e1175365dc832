import Foundation

/// Why a visitor token was refused. The reason goes into the 401 message; the token never does.
public struct VisitorTokenError: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

/// Verifies compact HS256 JWTs (RFC 7519) minted by the storefront backend. Deliberately narrow:
/// one algorithm, keys chosen only by a configured `kid`, the signature checked in constant time
/// before the payload is read, and a bounded lifetime, so a leaked token is worth little.
public struct VisitorTokenVerifier: Sendable {
    let keys: [String: [UInt8]]
    /// The longest `exp - iat` (and `exp - now`) accepted.
    let maxLifetimeSeconds: Double
    /// Tolerance for the storefront backend's clock on `exp`, `nbf` and `iat`.
    let clockSkewSeconds: Double
    /// Far above any token the backend mints; bounds the work a forged header can cause.
    static let maxTokenLength = 4_096

    public init(keys: [VisitorTokenKey], maxLifetimeSeconds: Int, clockSkewSeconds: Int) {
        self.keys = Dictionary(keys.map { ($0.kid, $0.secret) }, uniquingKeysWith: { first, _ in first })
        self.maxLifetimeSeconds = Double(maxLifetimeSeconds)
        self.clockSkewSeconds = Double(clockSkewSeconds)
    }

    public var isConfigured: Bool { !keys.isEmpty }

    public func verify(_ token: String, now: Double = Date().timeIntervalSince1970) throws(VisitorTokenError) -> VisitorClaims {
        guard token.utf8.count <= Self.maxTokenLength else { throw refuse("is longer than \(Self.maxTokenLength) bytes") }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw refuse("is not a compact JWT (header.payload.signature)") }
        guard let header = Self.object(parts[0]) else { throw refuse("has a header that is not base64url JSON") }
        guard case .string("HS256")? = header["alg"] else { throw refuse("must be signed with alg HS256") }
        if let type = header["typ"], type != .string("JWT") { throw refuse("has a typ other than JWT") }
        // Extensions the verifier would have to understand are refused, as RFC 7515 §4.1.11 asks.
        guard header["crit"] == nil else { throw refuse("has a crit header, which is not supported") }
        guard case .string(let kid)? = header["kid"] else { throw refuse("has no kid naming its key") }
        guard let key = keys[kid] else { throw refuse("names a kid that is not configured") }
        guard let signature = Base64URL.decode(parts[2]) else { throw refuse("has a signature that is not base64url") }
        let expected = VisitorToken.signature(of: String(token[parts[0].startIndex..<parts[1].endIndex]), key: key)
        guard ConstantTime.equal(expected, signature) else { throw refuse("has a signature that does not verify") }

        // Only a signed payload is read.
        guard let payload = Self.object(parts[1]) else { throw refuse("has a payload that is not base64url JSON") }
        guard let expiresAt = try time(payload, "exp") else { throw refuse("has no exp") }
        guard now < expiresAt + clockSkewSeconds else { throw refuse("has expired") }
        guard expiresAt - now <= maxLifetimeSeconds + clockSkewSeconds else {
            throw refuse("lives longer than the \(Int(maxLifetimeSeconds)) s allowed")
        }
        if let issuedAt = try time(payload, "iat") {
            guard issuedAt <= now + clockSkewSeconds else { throw refuse("is issued in the future (iat)") }
            guard expiresAt - issuedAt <= maxLifetimeSeconds else { throw refuse("lives longer than the \(Int(maxLifetimeSeconds)) s allowed") }
        }
        if let notBefore = try time(payload, "nbf"), notBefore > now + clockSkewSeconds { throw refuse("is not valid yet (nbf)") }
        guard let sessionId = try identifier(payload, "sid") else { throw refuse("has no sid naming the session") }
        return VisitorClaims(sessionId: sessionId, userId: try identifier(payload, "sub"), expiresAt: expiresAt)
    }

    private func refuse(_ reason: String) -> VisitorTokenError { VisitorTokenError(reason: "the visitor token " + reason) }

    private static func object(_ part: Substring) -> [String: JSONValue]? {
        guard let bytes = Base64URL.decode(part), case .object(let fields)? = try? JSONParser.parse(Data(bytes)) else { return nil }
        return fields
    }

    /// A NumericDate: seconds since the epoch, a finite number.
    private func time(_ payload: [String: JSONValue], _ claim: String) throws(VisitorTokenError) -> Double? {
        guard let value = payload[claim] else { return nil }
        guard case .number(let seconds) = value, seconds.isFinite else { throw refuse("has a \(claim) that is not a number of seconds") }
        return seconds
    }

    /// The same rule as every id of the API: 1–128 printable ASCII characters without spaces or `|`.
    private func identifier(_ payload: [String: JSONValue], _ claim: String) throws(VisitorTokenError) -> String? {
        guard let value = payload[claim] else { return nil }
        guard case .string(let text) = value, (1...128).contains(text.utf8.count), text.utf8.allSatisfy(isIdentifierByte) else {
            throw refuse("has a \(claim) that is not a valid id")
        }
        return text
    }
}
