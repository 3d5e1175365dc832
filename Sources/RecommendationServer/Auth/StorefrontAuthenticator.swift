import Foundation
import HTTPTypes
import Hummingbird
import SessionRankCore

/// Reads a storefront call's credentials: `Authorization: Bearer` (the storefront key, or an
/// admin token for debug output) and `X-Visitor-Token`. Credentials that are sent must be
/// valid (else 401); none at all is anonymous, which `storefront.allowAnonymous` may refuse.
public struct StorefrontAuthenticator: Sendable {
    let tokens: AdminAuthenticator
    let verifier: VisitorTokenVerifier
    let allowAnonymous: Bool

    /// Its own header, so a developer can send a viewer token for debug output next to it.
    public static let visitorTokenHeader = HTTPField.Name("X-Visitor-Token")!

    public init(tokens: AdminAuthenticator, settings: ServiceConfiguration.StorefrontSettings) {
        self.tokens = tokens
        verifier = VisitorTokenVerifier(
            keys: settings.visitorTokenKeys, maxLifetimeSeconds: settings.visitorTokenMaxLifetimeSeconds,
            clockSkewSeconds: settings.clockSkewSeconds)
        allowAnonymous = settings.allowAnonymous
    }

    public func caller(_ request: Request, now: Double = Date().timeIntervalSince1970) throws(APIError) -> StorefrontCaller {
        var caller = StorefrontCaller()
        let bearer: (name: String, role: AdminRole)?
        do { bearer = try tokens.identify(request) } catch {
            // A JWT here is most likely a visitor token in the wrong header.
            let looksLikeJWT = request.headers[.authorization].map { $0.split(separator: ".", omittingEmptySubsequences: false).count == 3 } ?? false
            throw StorefrontCaller.unauthorized(
                "Authorization",
                looksLikeJWT
                    ? "\(error.message): visitor tokens go in the X-Visitor-Token header"
                    : "\(error.message): send the storefront key, an admin token, or no Authorization header")
        }
        if let bearer {
            // Admin tokens are not storefront keys: they only unlock debug output.
            if bearer.role == .storefront { caller.serverKey = bearer.name } else { caller.adminRole = bearer.role }
        }
        if let token = request.headers[Self.visitorTokenHeader] {
            guard verifier.isConfigured else {
                throw StorefrontCaller.unauthorized("X-Visitor-Token", "this service has no visitor token keys configured (storefront.visitorTokenKeys)")
            }
            do { caller.visitor = try verifier.verify(token, now: now) } catch {
                throw StorefrontCaller.unauthorized("X-Visitor-Token", error.reason)
            }
        }
        if caller.isAnonymous, !allowAnonymous {
            throw StorefrontCaller.unauthorized(
                "Authorization", "anonymous calls are turned off (storefront.allowAnonymous): send the storefront key or a visitor token")
        }
        return caller
    }
}
