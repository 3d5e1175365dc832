import CHiredis
import NIOCore

/// Turns commands into RESP bytes with hiredis' `redisFormatCommandArgv`, passing explicit
/// lengths so arguments may contain any bytes, including NUL.
enum RESPCommandEncoder {
    static func encode(_ command: RedisCommand, into buffer: inout ByteBuffer) throws(RedisError) {
        let count = command.argumentCount
        guard count > 0, command.argumentLengths[0] > 0 else {
            throw RedisError(code: .invalidCommand, message: "A Redis command needs a name, e.g. [\"GET\", key]")
        }
        let formattedLength: Int32 = command.bytes.withUnsafeBufferPointer { bytes in
            command.argumentLengths.withUnsafeBufferPointer { lengths in
                withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { argv in
                    // All arguments live in one array; argv points at each one's start.
                    let base = UnsafeRawPointer(bytes.baseAddress!)
                    var offset = 0
                    for index in 0..<count {
                        argv[index] = (base + offset).assumingMemoryBound(to: CChar.self)
                        offset += lengths[index]
                    }
                    var target: UnsafeMutablePointer<CChar>?
                    let length = redisFormatCommandArgv(&target, Int32(count), argv.baseAddress, lengths.baseAddress)
                    if let target {
                        if length > 0 {
                            buffer.writeBytes(UnsafeRawBufferPointer(start: target, count: Int(length)))
                        }
                        redisFreeCommand(target)
                    }
                    return length
                }
            }
        }
        guard formattedLength > 0 else {
            throw RedisError(code: .invalidCommand, message: "hiredis could not format `\(command.name)` (out of memory)")
        }
    }

    static func encode(_ command: RedisCommand, allocator: ByteBufferAllocator) throws(RedisError) -> ByteBuffer {
        // RESP adds a few bytes per argument; reserving for them avoids a regrow in the common case.
        var buffer = allocator.buffer(capacity: command.bytes.count + 16 * command.argumentCount + 16)
        try encode(command, into: &buffer)
        return buffer
    }
}
