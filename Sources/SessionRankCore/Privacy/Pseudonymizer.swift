import Crypto
import Foundation

/// Replaces personal ids with keyed hashes: stable (the same id always maps to the same
/// pseudonym, so counts and joins still work) but not reversible without the secret.
public struct Pseudonymizer: Sendable {
    private let key: SymmetricKey

    public init(secret: String) {
        key = SymmetricKey(data: Data(secret.utf8))
    }

    /// `p_` followed by 24 hex digits of HMAC-SHA256(secret, id).
    public func pseudonym(for id: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(id.utf8), using: key)
        return "p_" + mac.prefix(12).map { String(format: "%02x", $0) }.joined()
    }
}
