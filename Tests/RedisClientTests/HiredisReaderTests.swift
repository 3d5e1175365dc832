import Testing

@testable import RedisClient

/// The reply parser on raw RESP bytes, no server needed. Splitting input at every boundary
/// checks that partial replies survive between reads, as they do with TCP segments.
@Suite("hiredis reply reader")
struct HiredisReaderTests {
    /// One of every reply kind, including binary bytes that look like protocol delimiters.
    static let mixedStream: [UInt8] = Array(
        "+OK\r\n-ERR unknown command 'NOPE'\r\n:-42\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n$0\r\n\r\n*0\r\n".utf8)
        + Array("$6\r\n".utf8) + [0, 13, 10, 255, 36, 42] + Array("\r\n".utf8)
        + Array("*3\r\n:1\r\n*2\r\n+a\r\n$1\r\nb\r\n$-1\r\n".utf8)

    static let mixedReplies: [RESPValue] = [
        .simpleString("OK"),
        .error("ERR unknown command 'NOPE'"),
        .integer(-42),
        .bulkString(Array("hello".utf8)),
        .null,
        .null,
        .bulkString([]),
        .array([]),
        .bulkString([0, 13, 10, 255, 36, 42]),
        .array([.integer(1), .array([.simpleString("a"), .bulkString([98])]), .null]),
    ]

    @Test func parsesEveryReplyKindFedAtOnce() throws {
        #expect(try Self.parse(chunks: [Self.mixedStream]) == Self.mixedReplies)
    }

    @Test func parsesInputFedOneByteAtATime() throws {
        #expect(try Self.parse(chunks: Self.mixedStream.map { [$0] }) == Self.mixedReplies)
    }

    @Test func parsesInputSplitAtEveryPossibleBoundary() throws {
        for split in 0...Self.mixedStream.count {
            let chunks = [Array(Self.mixedStream[..<split]), Array(Self.mixedStream[split...])]
            #expect(try Self.parse(chunks: chunks) == Self.mixedReplies, "split at byte \(split)")
        }
    }

    @Test func returnsNothingUntilAReplyIsComplete() throws {
        let reader = HiredisReader()
        try Self.feed(reader, Array("$10\r\n01234".utf8))
        #expect(try reader.nextReply() == nil)
        try Self.feed(reader, Array("56789\r".utf8))
        #expect(try reader.nextReply() == nil)
        try Self.feed(reader, Array("\n:7\r\n".utf8))
        #expect(try reader.nextReply() == .bulkString(Array("0123456789".utf8)))
        #expect(try reader.nextReply() == .integer(7))
        #expect(try reader.nextReply() == nil)
    }

    @Test func parsesALargeBulkStringArrivingInUnevenChunks() throws {
        let payload = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let stream = Array("$\(payload.count)\r\n".utf8) + payload + Array("\r\n".utf8)
        var chunks: [[UInt8]] = []
        var start = 0
        var size = 1
        while start < stream.count {
            let end = min(stream.count, start + size)
            chunks.append(Array(stream[start..<end]))
            start = end
            size = size * 3 % 65_521 + 1  // uneven sizes, none aligned with the framing
        }
        #expect(try Self.parse(chunks: chunks) == [.bulkString(payload)])
    }

    @Test func reportsGarbageAsAProtocolError() throws {
        let reader = HiredisReader()
        try Self.feed(reader, Array("?what\r\n".utf8))
        let error = try #require(throws: RedisError.self) { try reader.nextReply() }
        #expect(error.code == .protocolError)
        #expect(error.message.contains("Protocol error"))
    }

    @Test func parsesSixtyFourBitIntegers() throws {
        let stream = Array(":9223372036854775807\r\n:-9223372036854775808\r\n".utf8)
        #expect(try Self.parse(chunks: [stream]) == [.integer(.max), .integer(.min)])
    }

    private static func feed(_ reader: HiredisReader, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try reader.feed($0) }
    }

    private static func parse(chunks: [[UInt8]]) throws -> [RESPValue] {
        let reader = HiredisReader()
        var replies: [RESPValue] = []
        for chunk in chunks {
            try feed(reader, chunk)
            while let reply = try reader.nextReply() { replies.append(reply) }
        }
        return replies
    }
}
