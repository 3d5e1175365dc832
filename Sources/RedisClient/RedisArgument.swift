import NIOCore

/// A value that can be sent as one argument of a Redis command. Arguments are binary-safe:
/// their bytes go to the server as they are, length-prefixed.
public protocol RedisArgument: Sendable {
    func appendRedisArgumentBytes(to bytes: inout [UInt8])
}

extension String: RedisArgument {
    public func appendRedisArgumentBytes(to bytes: inout [UInt8]) { bytes.append(contentsOf: utf8) }
}

extension Substring: RedisArgument {
    public func appendRedisArgumentBytes(to bytes: inout [UInt8]) { bytes.append(contentsOf: utf8) }
}

extension Array: RedisArgument where Element == UInt8 {
    public func appendRedisArgumentBytes(to bytes: inout [UInt8]) { bytes.append(contentsOf: self) }
}

extension ArraySlice: RedisArgument where Element == UInt8 {
    public func appendRedisArgumentBytes(to bytes: inout [UInt8]) { bytes.append(contentsOf: self) }
}

extension ByteBuffer: RedisArgument {
    public func appendRedisArgumentBytes(to bytes: inout [UInt8]) { bytes.append(contentsOf: readableBytesView) }
}

extension Int: RedisArgument {
    public func appendRedisArgumentBytes(to bytes: inout [UInt8]) { bytes.append(contentsOf: String(self).utf8) }
}

extension Int64: RedisArgument {
    public func appendRedisArgumentBytes(to bytes: inout [UInt8]) { bytes.append(contentsOf: String(self).utf8) }
}

extension UInt64: RedisArgument {
    public func appendRedisArgumentBytes(to bytes: inout [UInt8]) { bytes.append(contentsOf: String(self).utf8) }
}

extension Double: RedisArgument {
    /// Swift prints infinities as `inf`/`-inf`, which Redis accepts for scores and increments.
    public func appendRedisArgumentBytes(to bytes: inout [UInt8]) { bytes.append(contentsOf: String(self).utf8) }
}
