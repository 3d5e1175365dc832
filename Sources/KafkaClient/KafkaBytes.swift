import NIOCore

/// Anything whose bytes can be handed to librdkafka for a message value.
/// librdkafka copies the bytes (`RD_KAFKA_MSG_F_COPY`), so the buffer only has to live for the call.
public protocol KafkaBytes: Sendable {
    func withUnsafeKafkaBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result
}

extension Array: KafkaBytes where Element == UInt8 {
    public func withUnsafeKafkaBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(body)
    }
}

extension ArraySlice: KafkaBytes where Element == UInt8 {
    public func withUnsafeKafkaBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(body)
    }
}

extension String: KafkaBytes {
    public func withUnsafeKafkaBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        var copy = self
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}

extension ByteBuffer: KafkaBytes {
    public func withUnsafeKafkaBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeReadableBytes(body)
    }
}
