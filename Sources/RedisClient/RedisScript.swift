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
