import NIOCore
import Testing

@testable import RedisClient

@Suite("Command encoding")
struct RESPCommandEncoderTests {
    @Test func encodesArgumentsWithExplicitLengthsSoAnyBytePasses() throws {
        let value: [UInt8] = [0, 13, 10, 255]
        let buffer = try RESPCommandEncoder.encode(RedisCommand("SET", "k", value, ""), allocator: ByteBufferAllocator())
        let expected = Array("*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n".utf8) + value + Array("\r\n$0\r\n\r\n".utf8)
        #expect(Array(buffer.readableBytesView) == expected)
    }

    @Test func encodesNumbersAsDecimalText() throws {
        let buffer = try RESPCommandEncoder.encode(
            RedisCommand("ZADD", "z", 1.5, -7), allocator: ByteBufferAllocator())
        #expect(String(buffer: buffer) == "*4\r\n$4\r\nZADD\r\n$1\r\nz\r\n$3\r\n1.5\r\n$2\r\n-7\r\n")
    }

    @Test func arrayLiteralAndVariadicFormsBuildTheSameCommand() {
        let key = "session:{42}"
        let literal: RedisCommand = ["HSET", key, "views", 3]
        #expect(literal == RedisCommand("HSET", key, "views", 3))
        #expect(literal == RedisCommand("HSET", arguments: [key, "views", 3]))
        #expect(literal.name == "HSET")
        #expect(literal.argumentCount == 4)
    }

    @Test func rejectsACommandWithoutAName() {
        let error = #expect(throws: RedisError.self) {
            let nameless: RedisCommand = []
            _ = try RESPCommandEncoder.encode(nameless, allocator: ByteBufferAllocator())
        }
        #expect(error?.code == .invalidCommand)
        #expect(throws: RedisError.self) {
            _ = try RESPCommandEncoder.encode(RedisCommand("", "x"), allocator: ByteBufferAllocator())
        }
    }

    @Test func encodesAPipelineBackToBackInOneBuffer() throws {
        var buffer = ByteBufferAllocator().buffer(capacity: 64)
        try RESPCommandEncoder.encode(["PING"], into: &buffer)
        try RESPCommandEncoder.encode(["GET", "a"], into: &buffer)
        #expect(String(buffer: buffer) == "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n")
    }
}
