import Crypto

/// A Lua script for ``RedisClient/evalScript(_:keys:args:)``. The SHA-1 is computed once here,
/// so calls send only the digest (`EVALSHA`) and the source travels only when Redis lacks it.
public struct RedisScript: Sendable, Hashable {
    public let source: String
    /// Lower-case hex SHA-1 of ``source``, the name Redis gives the script.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(of: source)
    }
}

/// SHA-1 only names scripts the way Redis does; it is not used for security.
enum SHA1 {
    static func hexDigest(of text: String) -> String {
        Insecure.SHA1.hash(data: Array(text.utf8)).map { byte in
            byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined()
    }
}
